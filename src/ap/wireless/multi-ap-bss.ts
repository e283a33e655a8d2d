/**
 * hostapd's `multi_ap` per BSS (README-MULTI-AP, hostapd 2.10
 * check_multi_ap / hostapd_eid_multi_ap): 0 off, 1 backhaul BSS, 2 fronthaul
 * BSS, 3 both. The configuration value and the element's capability bits are
 * different numbers; this file is the one place that maps one to the other.
 *
 * Association rules (the real hostapd 2.10, which the seed summarises):
 * - multi_ap=0: the element is ignored;
 * - a station without the element (or whose element lacks the Backhaul STA
 *   bit) is admitted only on a fronthaul BSS (2 or 3), refused with status
 *   12 on a backhaul-only BSS (1);
 * - a station with the Backhaul STA bit is a Multi-AP station: it gets the
 *   element in its (Re)Association Response. On a fronthaul-only BSS (2)
 *   hostapd admits it too (the seed's "denied" does not hold in hostapd: that
 *   is exactly the WPS onboarding association of `wps_pbc multi_ap=1`); it
 *   gets 4-address mode only on a backhaul BSS and never while doing WPS.
 *
 * API:
 *   MultiApConfig  multiApCapability(multiAp)  multiApBssElement(multiAp)
 *   checkMultiAp(multiAp, element): MultiApVerdict
 */
import type { Element } from '../../radio/elements.js';
import { buildMultiApElement, MultiApCapability, MULTI_AP_PROFILE_1, type MultiApElement } from '../../radio/multi-ap-ie.js';
import { StatusCode } from '../../radio/frame.js';

/** Bits of hostapd's `multi_ap` configuration value. */
export const MultiApConfig = {
  BACKHAUL_BSS: 1,
  FRONTHAUL_BSS: 2,
} as const;

/** The Multi-AP Extension capability a BSS with this `multi_ap` value announces. */
export function multiApCapability(multiAp: number): number {
  let cap = 0;
  if ((multiAp & MultiApConfig.BACKHAUL_BSS) !== 0) cap |= MultiApCapability.BACKHAUL_BSS;
  if ((multiAp & MultiApConfig.FRONTHAUL_BSS) !== 0) cap |= MultiApCapability.FRONTHAUL_BSS;
  return cap;
}

/** The BSS's Multi-AP element (Beacon, Probe Response, Association Response to a Multi-AP STA); undefined for multi_ap=0. */
export function multiApBssElement(multiAp: number): Element | undefined {
  if (multiAp === 0) return undefined;
  return buildMultiApElement({ capability: multiApCapability(multiAp), profile: MULTI_AP_PROFILE_1 });
}

export type MultiApVerdict =
  | { ok: true; multiApSta: boolean; note?: string }
  | { ok: false; status: number; why: string };

/** hostapd check_multi_ap() for a (Re)Association Request carrying `element` (undefined when absent). */
export function checkMultiAp(multiAp: number, element: MultiApElement | undefined): MultiApVerdict {
  if (multiAp === 0) return { ok: true, multiApSta: false };
  const value = element?.capability ?? 0;
  const note = value !== 0 && value !== MultiApCapability.BACKHAUL_STA ? `Multi-AP IE with unexpected value 0x${value.toString(16).padStart(2, '0')}` : undefined;
  if ((value & MultiApCapability.BACKHAUL_STA) === 0) {
    if ((multiAp & MultiApConfig.FRONTHAUL_BSS) !== 0) return note === undefined ? { ok: true, multiApSta: false } : { ok: true, multiApSta: false, note };
    return { ok: false, status: StatusCode.ASSOC_DENIED_UNSPEC, why: 'Non-Multi-AP STA tries to associate with backhaul-only BSS' };
  }
  if ((multiAp & MultiApConfig.BACKHAUL_BSS) === 0) return { ok: true, multiApSta: true, note: 'Backhaul STA tries to associate with fronthaul-only BSS' };
  return note === undefined ? { ok: true, multiApSta: true } : { ok: true, multiApSta: true, note };
}
