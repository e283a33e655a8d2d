/**
 * The station's radio and WPS event lines, as wpa_supplicant sends them to
 * monitors (events.c, wpa_supplicant.c, wps_supplicant.c); the names come
 * from src/ctrl/event-names.ts. All are MSG_INFO.
 */
import { CtrlEvent, MSG_INFO, eventText } from '../ctrl/event-names.js';
import { printfEncode } from '../conf/values.js';
import type { MacAddress } from '../radio/mac.js';

export const STA_EVENT_LEVEL = MSG_INFO;

export const SCAN_STARTED = eventText(CtrlEvent.ScanStarted);
export const SCAN_RESULTS = eventText(CtrlEvent.ScanResults);
export const SCAN_FAILED = eventText(CtrlEvent.ScanFailed);
export const WPS_OVERLAP = eventText(CtrlEvent.WpsOverlapDetected);
export const WPS_TIMEOUT = eventText(CtrlEvent.WpsTimeout, 'Requested operation timed out');
export const WPS_CANCEL = eventText(CtrlEvent.WpsCancel);
export const WPS_PBC_ACTIVE = eventText(CtrlEvent.WpsPbcActive);
export const WPS_PIN_ACTIVE = eventText(CtrlEvent.WpsPinActive);
export const WPS_SUCCESS = eventText(CtrlEvent.WpsSuccess);

/** WPS-CRED-RECEIVED: with the Credential attribute in hex for wps_cred_processing 1 and 2, bare otherwise. */
export function credReceivedLine(attributeHex?: string): string {
  return eventText(CtrlEvent.WpsCredReceived, attributeHex ?? '');
}

export function m2dLine(devicePasswordId: number, configError: number): string {
  return eventText(CtrlEvent.WpsM2d, `dev_password_id=${devicePasswordId} config_error=${configError}`);
}

export function connectedLine(bssid: MacAddress, id: number, idStr = ''): string {
  return eventText(CtrlEvent.Connected, `- Connection to ${bssid} completed [id=${id} id_str=${idStr}]`);
}

export function disconnectedLine(bssid: MacAddress, reason: number, locallyGenerated: boolean): string {
  return eventText(CtrlEvent.Disconnected, `bssid=${bssid} reason=${reason}${locallyGenerated ? ' locally_generated=1' : ''}`);
}

/** wpa_supplicant_associate(): "Trying to associate with <bssid> (SSID='<ssid>' freq=<MHz> MHz)". */
export function tryingToAssociateLine(bssid: MacAddress, ssid: Uint8Array, freq: number): string {
  return `Trying to associate with ${bssid} (SSID='${printfEncode(ssid)}' freq=${freq} MHz)`;
}

export function networkAddedLine(id: number): string {
  return eventText(CtrlEvent.NetworkAdded, String(id));
}

export function networkRemovedLine(id: number): string {
  return eventText(CtrlEvent.NetworkRemoved, String(id));
}
