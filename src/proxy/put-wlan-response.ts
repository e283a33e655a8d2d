/**
 * PutWLANResponse arguments (WFAWLANConfig 1.0): the ER's answer to a
 * WLANEvent, to be sent to a station over the radio. Parsed and checked
 * here; delivering it is the radio side's job (a hook the AP fills).
 *
 * API:
 *   parseWlanEventMac(text): Buffer | undefined   aa:bb:cc:dd:ee:ff, or the dotted/hyphen forms hostapd tolerates
 *   parseWlanEventType(text): number | undefined
 */

/** hwaddr_aton and hostapd's hwaddr_aton2 workaround (Intel PROset sends aabb.ccdd.eeff). */
export function parseWlanEventMac(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(t)) return Buffer.from(t.replace(/:/g, ''), 'hex');
  const compact = t.replace(/[.:-]/g, '');
  if (t.length <= 17 && /^[0-9a-fA-F.:-]+$/.test(t) && /^[0-9a-fA-F]{12}$/.test(compact)) return Buffer.from(compact, 'hex');
  return undefined;
}

export function parseWlanEventType(text: string): number | undefined {
  const t = text.trim();
  if (!/^[0-9]{1,3}$/.test(t)) return undefined;
  const n = Number(t);
  return n <= 255 ? n : undefined;
}
