/**
 * The station's radio and WPS event lines, spelled as wpa_supplicant sends
 * them to monitors (wpa_ctrl.h macros, several with their trailing space;
 * events.c, wpa_supplicant.c, wps_supplicant.c). All are MSG_INFO (level 3).
 */
import { printfEncode } from '../conf/values.js';
import type { MacAddress } from '../radio/mac.js';

export const STA_EVENT_LEVEL = 3;

export const SCAN_STARTED = 'CTRL-EVENT-SCAN-STARTED ';
export const SCAN_RESULTS = 'CTRL-EVENT-SCAN-RESULTS ';
export const SCAN_FAILED = 'CTRL-EVENT-SCAN-FAILED ';
export const WPS_OVERLAP = 'WPS-OVERLAP-DETECTED ';
export const WPS_TIMEOUT = 'WPS-TIMEOUT Requested operation timed out';
export const WPS_CANCEL = 'WPS-CANCEL ';
export const WPS_PBC_ACTIVE = 'WPS-PBC-ACTIVE ';
export const WPS_PIN_ACTIVE = 'WPS-PIN-ACTIVE ';
export const WPS_SUCCESS = 'WPS-SUCCESS ';

/** WPS-CRED-RECEIVED: with the Credential attribute in hex for wps_cred_processing 1 and 2, bare otherwise. */
export function credReceivedLine(attributeHex?: string): string {
  return attributeHex === undefined ? 'WPS-CRED-RECEIVED ' : `WPS-CRED-RECEIVED ${attributeHex}`;
}

export function m2dLine(devicePasswordId: number, configError: number): string {
  return `WPS-M2D dev_password_id=${devicePasswordId} config_error=${configError}`;
}

export function connectedLine(bssid: MacAddress, id: number, idStr = ''): string {
  return `CTRL-EVENT-CONNECTED - Connection to ${bssid} completed [id=${id} id_str=${idStr}]`;
}

export function disconnectedLine(bssid: MacAddress, reason: number, locallyGenerated: boolean): string {
  return `CTRL-EVENT-DISCONNECTED bssid=${bssid} reason=${reason}${locallyGenerated ? ' locally_generated=1' : ''}`;
}

/** wpa_supplicant_associate(): "Trying to associate with <bssid> (SSID='<ssid>' freq=<MHz> MHz)". */
export function tryingToAssociateLine(bssid: MacAddress, ssid: Uint8Array, freq: number): string {
  return `Trying to associate with ${bssid} (SSID='${printfEncode(ssid)}' freq=${freq} MHz)`;
}

export function networkAddedLine(id: number): string {
  return `CTRL-EVENT-NETWORK-ADDED ${id}`;
}

export function networkRemovedLine(id: number): string {
  return `CTRL-EVENT-NETWORK-REMOVED ${id}`;
}
