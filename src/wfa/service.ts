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
 * Every action and state variable of WFAWLANConfig 1.0 (hostapd's own SCPD
 * lists only the four it implements; the others are answered with UPnP
 * error 602, Optional Action Not Implemented).
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
      name: 'GetAPSettings',
      arguments: [
        { name: 'NewMessage', direction: 'in', relatedStateVariable: 'Message' },
        { name: 'NewAPSettings', direction: 'out', relatedStateVariable: 'APSettings' },
      ],
    },
    { name: 'SetAPSettings', arguments: [{ name: 'NewAPSettings', direction: 'in', relatedStateVariable: 'APSettings' }] },
    { name: 'DelAPSettings', arguments: [{ name: 'NewAPSettings', direction: 'in', relatedStateVariable: 'APSettings' }] },
    {
      name: 'GetSTASettings',
      arguments: [
        { name: 'NewMessage', direction: 'in', relatedStateVariable: 'Message' },
        { name: 'NewSTASettings', direction: 'out', relatedStateVariable: 'STASettings' },
      ],
    },
    { name: 'SetSTASettings', arguments: [{ name: 'NewSTASettings', direction: 'out', relatedStateVariable: 'STASettings' }] },
    { name: 'DelSTASettings', arguments: [{ name: 'NewSTASettings', direction: 'in', relatedStateVariable: 'STASettings' }] },
    {
      name: 'PutWLANResponse',
      arguments: [
        { name: 'NewMessage', direction: 'in', relatedStateVariable: 'Message' },
        { name: 'NewWLANEventType', direction: 'in', relatedStateVariable: 'WLANEventType' },
        { name: 'NewWLANEventMAC', direction: 'in', relatedStateVariable: 'WLANEventMAC' },
      ],
    },
    { name: 'SetSelectedRegistrar', arguments: [{ name: 'NewMessage', direction: 'in', relatedStateVariable: 'Message' }] },
    { name: 'RebootAP', arguments: [{ name: 'NewAPSettings', direction: 'in', relatedStateVariable: 'APSettings' }] },
    { name: 'ResetAP', arguments: [{ name: 'NewMessage', direction: 'in', relatedStateVariable: 'Message' }] },
    { name: 'RebootSTA', arguments: [{ name: 'NewSTASettings', direction: 'in', relatedStateVariable: 'STASettings' }] },
    { name: 'ResetSTA', arguments: [{ name: 'NewMessage', direction: 'in', relatedStateVariable: 'Message' }] },
  ],
  stateVariables: [
    { name: 'Message', dataType: 'bin.base64', sendEvents: false },
    { name: 'InMessage', dataType: 'bin.base64', sendEvents: false },
    { name: 'OutMessage', dataType: 'bin.base64', sendEvents: false },
    { name: 'DeviceInfo', dataType: 'bin.base64', sendEvents: false },
    { name: 'APSettings', dataType: 'bin.base64', sendEvents: false },
    { name: 'APStatus', dataType: 'ui1', sendEvents: true },
    { name: 'STASettings', dataType: 'bin.base64', sendEvents: false },
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

/** The actions this AP implements; the rest of the SCPD's are optional and answered with 602. */
export const WFA_IMPLEMENTED_ACTIONS: readonly string[] = Object.values(WfaAction);
export const WFA_OPTIONAL_ACTIONS: readonly string[] = WFA_SCPD_DEFINITION.actions
  .map((a) => a.name)
  .filter((n) => !WFA_IMPLEMENTED_ACTIONS.includes(n));

export function buildWfaScpd(): string {
  return buildScpd(WFA_SCPD_DEFINITION);
}
