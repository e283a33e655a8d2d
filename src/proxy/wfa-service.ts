/**
 * The WFAWLANConfig:1 service of a WFADevice:1 (Wi-Fi Alliance "WFA Device
 * and Service" 1.0): type URNs, the paths hostapd serves them at, the SCPD,
 * and the WLANEvent value format.
 *
 * API:
 *   WFA_DEVICE_TYPE, WFA_SERVICE_TYPE, WFA_SERVICE_ID, WFA_PATHS
 *   WFA_SCPD_DEFINITION / buildWfaScpd(): string
 *   WlanEventType { Probe: 1, Eap: 2 }
 *   encodeWlanEvent(type, mac, message): Buffer    type(1) + "aa:bb:cc:dd:ee:ff" + WSC message
 *   hostapdBase64(bytes): string                   base64 in 72-character lines, each ending in LF (hostapd's base64_encode)
 *   formatMacText(mac): string
 */
import { buildScpd, type ScpdDefinition } from '../upnp/scpd.js';

export const WFA_DEVICE_TYPE = 'urn:schemas-wifialliance-org:device:WFADevice:1';
export const WFA_SERVICE_TYPE = 'urn:schemas-wifialliance-org:service:WFAWLANConfig:1';
export const WFA_SERVICE_ID = 'urn:wifialliance-org:serviceId:WFAWLANConfig1';

/** hostapd's file names; the description refers to them relative, without a leading slash. */
export const WFA_PATHS = {
  description: 'wps_device.xml',
  scpd: 'wps_scpd.xml',
  control: 'wps_control',
  event: 'wps_event',
} as const;

/**
 * The SCPD this AP serves: the four actions it implements and their state
 * variables, as hostapd's wps_scpd_xml lists them. A control point believes
 * the SCPD, so the optional actions are not listed; a request for one still
 * gets UPnP error 602 (Optional Action Not Implemented).
 */
export const WFA_SCPD_DEFINITION: ScpdDefinition = {
  actions: [
    { name: 'GetDeviceInfo', arguments: [{ name: 'NewDeviceInfo', direction: 'out', relatedStateVariable: 'DeviceInfo' }] },
    {
      name: 'PutMessage',
      arguments: [
        { name: 'NewInMessage', direction: 'in', relatedStateVariable: 'InMessage' },
        { name: 'NewOutMessage', direction: 'out', relatedStateVariable: 'OutMessage' },
      ],
    },
    {
      name: 'PutWLANResponse',
      arguments: [
        { name: 'NewMessage', direction: 'in', relatedStateVariable: 'Message' },
        { name: 'NewWLANEventType', direction: 'in', relatedStateVariable: 'WLANEventType' },
        { name: 'NewWLANEventMAC', direction: 'in', relatedStateVariable: 'WLANEventMAC' },
      ],
    },
    { name: 'SetSelectedRegistrar', arguments: [{ name: 'NewMessage', direction: 'in', relatedStateVariable: 'Message' }] },
  ],
  stateVariables: [
    { name: 'Message', dataType: 'bin.base64', sendEvents: false },
    { name: 'InMessage', dataType: 'bin.base64', sendEvents: false },
    { name: 'OutMessage', dataType: 'bin.base64', sendEvents: false },
    { name: 'DeviceInfo', dataType: 'bin.base64', sendEvents: false },
    { name: 'APStatus', dataType: 'ui1', sendEvents: true },
    { name: 'STAStatus', dataType: 'ui1', sendEvents: true },
    { name: 'WLANEvent', dataType: 'bin.base64', sendEvents: true },
    { name: 'WLANEventType', dataType: 'ui1', sendEvents: false },
    { name: 'WLANEventMAC', dataType: 'string', sendEvents: false },
    { name: 'WLANResponse', dataType: 'bin.base64', sendEvents: false },
  ],
};

/** The actions this AP implements (the SCPD's). */
export const WFA_IMPLEMENTED_ACTIONS = WFA_SCPD_DEFINITION.actions.map((a) => a.name);
/** WFAWLANConfig 1.0's optional actions: not in the SCPD, answered with 602. */
export const WFA_OPTIONAL_ACTIONS: readonly string[] = [
  'GetAPSettings', 'SetAPSettings', 'DelAPSettings', 'GetSTASettings', 'SetSTASettings', 'DelSTASettings',
  'RebootAP', 'ResetAP', 'RebootSTA', 'ResetSTA',
];

export function buildWfaScpd(): string {
  return buildScpd(WFA_SCPD_DEFINITION);
}

/** WLANEventType values (WFAWLANConfig 1.0): a probe request or an EAP message from a station. */
export const WlanEventType = { Probe: 1, Eap: 2 } as const;
export type WlanEventType = (typeof WlanEventType)[keyof typeof WlanEventType];

/** Length of the MAC text in a WLANEvent ("00:00:00:00:00:00"). */
export const WLAN_EVENT_MAC_TEXT_LEN = 17;

export function formatMacText(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** WLANEvent value: type octet, the MAC as 17 characters of text, then the message (hostapd upnp_wps_device_send_wlan_event). */
export function encodeWlanEvent(type: number, mac: Uint8Array, message: Uint8Array): Buffer {
  if (mac.length !== 6) throw new RangeError('WLANEvent MAC must be 6 bytes');
  return Buffer.concat([Buffer.from([type & 0xff]), Buffer.from(formatMacText(mac), 'latin1'), Buffer.from(message)]);
}

/** hostapd's base64_encode layout: 72-character lines, each followed by LF (so the text ends in LF). */
export const HOSTAPD_BASE64_LINE = 72;
export function hostapdBase64(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += HOSTAPD_BASE64_LINE) out += b64.slice(i, i + HOSTAPD_BASE64_LINE) + '\n';
  return out;
}
