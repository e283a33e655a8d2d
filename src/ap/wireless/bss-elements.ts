/**
 * The elements a BSS puts in every Beacon and Probe Response before its WPS
 * element: RSN for WPA2, the Multi-AP element for multi_ap=1..3. hostapd
 * (2.10 and later) sends the Multi-AP element only in Association Responses
 * to Multi-AP stations; the Multi-AP specification has the fronthaul and
 * backhaul BSSes announce themselves in Beacons and Probe Responses too, so a
 * backhaul STA can tell them apart before it associates.
 */
import type { Element } from '../../radio/elements.js';
import { rsnElement, wpa2PersonalRsn } from '../../radio/rsn-ie.js';
import { multiApBssElement } from './multi-ap-bss.js';

export function bssBaseElements(rsn: boolean, multiAp: number): Element[] {
  const out: Element[] = rsn ? [rsnElement(wpa2PersonalRsn())] : [];
  const m = multiApBssElement(multiAp);
  if (m !== undefined) out.push(m);
  return out;
}
