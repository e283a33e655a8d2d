/**
 * WLANEventMAC (WFAWLANConfig 1.0): the Enrollee's MAC address as text, in
 * a WLANEvent value and in the NewWLANEventMAC argument of PutWLANResponse.
 *
 * API:
 *   formatWlanEventMac(mac): string               "aa:bb:cc:dd:ee:ff" (lower case, 17 characters)
 *   parseWlanEventMac(text): Buffer | undefined   colon form, or the dotted / hyphen forms hostapd tolerates
 *   parseStrictWlanEventMac(text): Buffer | undefined   colon form only (a WLANEvent value, wps_er.c hwaddr_aton)
 *   parseWlanEventType(text): number | undefined  NewWLANEventType, 0..255
 *   WLAN_EVENT_MAC_TEXT_LEN
 */

/** Length of the MAC text in a WLANEvent ("00:00:00:00:00:00"). */
export const WLAN_EVENT_MAC_TEXT_LEN = 17;
const MAC_LEN = 6;
const COLON_MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export function formatWlanEventMac(mac: Uint8Array): string {
  if (mac.length !== MAC_LEN) throw new RangeError(`WLANEventMAC must be ${MAC_LEN} bytes, got ${mac.length}`);
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

export function parseStrictWlanEventMac(text: string): Buffer | undefined {
  return COLON_MAC.test(text) ? Buffer.from(text.replace(/:/g, ''), 'hex') : undefined;
}

/** hwaddr_aton and hostapd's hwaddr_aton2 workaround (Intel PROset sends aabb.ccdd.eeff). */
export function parseWlanEventMac(text: string): Buffer | undefined {
  const t = text.trim();
  const strict = parseStrictWlanEventMac(t);
  if (strict !== undefined) return strict;
  const compact = t.replace(/[.:-]/g, '');
  if (t.length <= WLAN_EVENT_MAC_TEXT_LEN && /^[0-9a-fA-F.:-]+$/.test(t) && /^[0-9a-fA-F]{12}$/.test(compact)) return Buffer.from(compact, 'hex');
  return undefined;
}

export function parseWlanEventType(text: string): number | undefined {
  const t = text.trim();
  if (!/^[0-9]{1,3}$/.test(t)) return undefined;
  const n = Number(t);
  return n <= 255 ? n : undefined;
}
