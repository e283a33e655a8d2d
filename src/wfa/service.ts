/**
 * The WFAWLANConfig:1 service of a WFADevice:1 (Wi-Fi Alliance "WFA Device
 * and Service" 1.0), the contract both ends speak: type URNs, the paths
 * hostapd serves them at, action and argument names, and the SCPD.
 *
 * API:
 *   WFA_DEVICE_TYPE, WFA_SERVICE_TYPE, WFA_SERVICE_ID, WFA_PATHS
 *   WFA_SCPD_DEFINITION / buildWfaScpd(): string
 *   WfaAction, WfaArgument: action and argument names, as both ends spell them
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

/** Action names of WFAWLANConfig 1.0 that the AP serves and the ER calls. */
export const WfaAction = {
  GetDeviceInfo: 'GetDeviceInfo',
  PutMessage: 'PutMessage',
  PutWLANResponse: 'PutWLANResponse',
  SetSelectedRegistrar: 'SetSelectedRegistrar',
} as const;
export type WfaAction = (typeof WfaAction)[keyof typeof WfaAction];

/** Argument names of those actions. */
export const WfaArgument = {
  NewDeviceInfo: 'NewDeviceInfo',
  NewInMessage: 'NewInMessage',
  NewOutMessage: 'NewOutMessage',
  NewMessage: 'NewMessage',
  NewWLANEventType: 'NewWLANEventType',
  NewWLANEventMAC: 'NewWLANEventMAC',
} as const;

/** The actions this AP implements (the SCPD's). */
export const WFA_IMPLEMENTED_ACTIONS: readonly string[] = Object.values(WfaAction);
/** WFAWLANConfig 1.0's optional actions: not in the SCPD, answered with 602. */
export const WFA_OPTIONAL_ACTIONS: readonly string[] = [
  'GetAPSettings', 'SetAPSettings', 'DelAPSettings', 'GetSTASettings', 'SetSTASettings', 'DelSTASettings',
  'RebootAP', 'ResetAP', 'RebootSTA', 'ResetSTA',
];

export function buildWfaScpd(): string {
  return buildScpd(WFA_SCPD_DEFINITION);
}
