/**
 * Which Probe Requests a BSS answers, shared by the drivers that answer them
 * (the simulated AP, and the nl80211 AP when it answers in user space).
 */
import type { ApParams } from './driver.js';
import { ElementId, findElement, type Element } from './elements.js';

/**
 * hostapd handle_probe_req: not a request without an SSID element (every
 * Probe Request carries one, 9.3.3.9), not a directed probe for another
 * SSID, not a wildcard probe while the SSID is hidden.
 */
export function answersProbe(p: Pick<ApParams, 'ssid' | 'hideSsid'>, probeElements: readonly Element[]): boolean {
  const ssid = findElement(probeElements, ElementId.SSID);
  if (ssid === undefined) return false;
  const wildcard = ssid.data.length === 0;
  return wildcard ? p.hideSsid !== true : Buffer.compare(ssid.data, p.ssid) === 0;
}
