/**
 * MAC address text, as hostapd and wpa_supplicant read it (hwaddr_aton):
 * six hex pairs joined by ':', either case. The one parser for config
 * files, control commands, frames' textual addresses and the ER's
 * selectors; src/wps and src/radio, which do not import each other, share it.
 */
import { colonHex } from './colon-hex.js';

export const MAC_LEN = 6;

const MAC_TEXT_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** "aa:bb:cc:dd:ee:ff" (either case) to 6 bytes; undefined for anything else. */
export function parseMac(text: string): Buffer | undefined {
  return MAC_TEXT_RE.test(text) ? Buffer.from(text.replace(/:/g, ''), 'hex') : undefined;
}

/** True when parseMac takes the text. */
export function isMacText(text: string): boolean {
  return MAC_TEXT_RE.test(text);
}

/** 6 bytes to "aa:bb:cc:dd:ee:ff" (MACSTR; any length is printed the same way, e.g. a 3-byte OUI). */
export function formatMac(buf: Uint8Array): string {
  return colonHex(buf);
}
