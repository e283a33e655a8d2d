/**
 * Octets as lower-case hex pairs joined by ':', the spelling hostapd and
 * wpa_supplicant print MAC addresses in (MACSTR) and wpsd uses as map keys.
 * One implementation for src/wps (device data, decode) and src/radio (frame
 * addresses), which do not import each other.
 */

/** "02:66:a0:ee:17:27" for six octets; any length works (an OUI gives "00:50:f2"). */
export function colonHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) s += ':';
    s += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  }
  return s;
}
