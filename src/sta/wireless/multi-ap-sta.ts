/**
 * A Multi-AP backhaul STA's side of association (README-MULTI-AP;
 * wpa_supplicant 2.10 multi_ap_process_assoc_resp / multi_ap_set_4addr_mode):
 * the (Re)Association Request carries the Multi-AP element with Backhaul STA
 * set; the response must carry one too, from a backhaul BSS, or the
 * association fails. During WPS a fronthaul-only BSS is accepted (that is
 * where onboarding happens) and stays in 3-address mode.
 *
 * API:
 *   backhaulStaElement()                             the request's element
 *   checkBackhaulAssocResponse(elements, wps)        { ok, fourAddr } | { ok: false, why }
 */
import type { Element } from '../../radio/elements.js';
import { buildMultiApElement, findMultiApElement, MultiApCapability, MultiApError, MULTI_AP_PROFILE_1, type MultiApElement } from '../../radio/multi-ap-ie.js';

export function backhaulStaElement(): Element {
  return buildMultiApElement({ capability: MultiApCapability.BACKHAUL_STA, profile: MULTI_AP_PROFILE_1 });
}

export type BackhaulVerdict = { ok: true; fourAddr: boolean } | { ok: false; why: string };

/** What wpa_supplicant decides from the (Re)Association Response of a multi_ap_backhaul_sta=1 network. */
export function checkBackhaulAssocResponse(elements: readonly Element[], wps: boolean): BackhaulVerdict {
  let m: MultiApElement | undefined;
  try {
    m = findMultiApElement(elements);
  } catch (e) {
    if (!(e instanceof MultiApError)) throw e;
    m = undefined;
  }
  if (m === undefined) return { ok: false, why: 'AP does not include valid Multi-AP element' };
  if ((m.capability & MultiApCapability.BACKHAUL_BSS) !== 0) return { ok: true, fourAddr: true };
  if (wps && (m.capability & MultiApCapability.FRONTHAUL_BSS) !== 0) return { ok: true, fourAddr: false };
  return { ok: false, why: "AP doesn't support backhaul BSS" };
}
