/**
 * wpa_supplicant's reaction to failed authentication (wpa_supplicant.c
 * wpas_auth_failed, events.c could_be_psk_mismatch): the line it prints for a
 * probable PSK mismatch and the temporary disabling of the network, longer
 * after each failure.
 */
import { CtrlEvent, eventText } from '../ctrl/event-names.js';
import { printfEncode } from '../conf/values.js';

export const PSK_MISMATCH_LINE = 'WPA: 4-Way Handshake failed - pre-shared key may be incorrect';
export const WPA_EVENT_TEMP_DISABLED = eventText(CtrlEvent.SsidTempDisabled);

/** Seconds a network stays disabled after `failures` failures; `random` spreads repeated ones. */
export function authFailedDuration(failures: number, random: number): number {
  let dur: number;
  if (failures > 50) dur = 300;
  else if (failures > 10) dur = 120;
  else if (failures > 5) dur = 90;
  else if (failures > 3) dur = 60;
  else if (failures > 2) dur = 30;
  else if (failures > 1) dur = 20;
  else dur = 10;
  if (failures > 1) dur += random % (failures * 10);
  return dur;
}

export function tempDisabledLine(id: number, ssid: Uint8Array, failures: number, duration: number, reason: string): string {
  return `${WPA_EVENT_TEMP_DISABLED}id=${id} ssid="${printfEncode(ssid)}" auth_failures=${failures} duration=${duration} reason=${reason}`;
}
