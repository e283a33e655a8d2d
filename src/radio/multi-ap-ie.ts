/**
 * The Multi-AP element (Wi-Fi Multi-AP Specification v1.0 section 5.3.3):
 * Vendor Specific, OUI 50:6F:9A type 0x1B, holding subelements. The
 * Multi-AP Extension subelement (ID 0x06) carries the capability bits; R2
 * adds the Profile (0x07) and Default 802.1Q Setting (0x08) subelements.
 * Checks follow hostapd's check_multi_ap_ie().
 */
import { type Element, findVendorElements, vendorElement, parseElements, buildElements, ElementError } from './elements.js';
import { WpsdError } from '../common/errors.js';

export const MULTI_AP_VENDOR_TYPE = 0x506f9a1b;

export const MultiApSubelement = {
  EXTENSION: 0x06,
  PROFILE: 0x07,
  DEFAULT_8021Q: 0x08,
} as const;

/** Bits of the Multi-AP Extension subelement. */
export const MultiApCapability = {
  BACKHAUL_STA: 0x80,
  BACKHAUL_BSS: 0x40,
  FRONTHAUL_BSS: 0x20,
  TEAR_DOWN: 0x10,
  PROFILE1_BACKHAUL_STA_DISALLOWED: 0x08,
  PROFILE2_BACKHAUL_STA_DISALLOWED: 0x04,
} as const;

export const MULTI_AP_PROFILE_1 = 1;
export const MULTI_AP_PROFILE_2 = 2;
export const MULTI_AP_PROFILE_MAX = 6;
export const MULTI_AP_VLAN_MIN = 1;
export const MULTI_AP_VLAN_MAX = 4094;

export type MultiApErrorCode = 'MALFORMED' | 'NO_EXTENSION' | 'BAD_PROFILE' | 'BAD_VLAN' | 'NOT_MULTI_AP';

export class MultiApError extends WpsdError<MultiApErrorCode> {}

export interface MultiApParams {
  capability: number;
  /** 1 when no Profile subelement is present. */
  profile: number;
  /** Default 802.1Q VLAN ID, R2 backhaul BSS only. */
  vlanId?: number;
}

export interface MultiApElement extends MultiApParams {
  /** Every subelement as received, in order (unknown ones included), so the element re-encodes exactly. */
  subelements: Element[];
}

/** Parses the data of a Multi-AP element after the OUI and type. */
export function parseMultiApPayload(payload: Uint8Array): MultiApElement {
  let subelements: Element[];
  try {
    subelements = parseElements(payload);
  } catch (e) {
    if (e instanceof ElementError) throw new MultiApError('MALFORMED', `Multi-AP subelements: ${e.message}`);
    throw e;
  }
  let capability: number | undefined;
  let profile = MULTI_AP_PROFILE_1;
  let vlanId: number | undefined;
  for (const sub of subelements) {
    switch (sub.id) {
      case MultiApSubelement.EXTENSION:
        if (sub.data.length < 1) throw new MultiApError('MALFORMED', 'empty Multi-AP Extension subelement');
        capability = sub.data[0] ?? 0;
        break;
      case MultiApSubelement.PROFILE:
        if (sub.data.length < 1) throw new MultiApError('MALFORMED', 'empty Multi-AP Profile subelement');
        profile = sub.data[0] ?? 0;
        if (profile > MULTI_AP_PROFILE_MAX) throw new MultiApError('BAD_PROFILE', `Multi-AP profile ${profile} is above ${MULTI_AP_PROFILE_MAX}`);
        break;
      case MultiApSubelement.DEFAULT_8021Q: {
        if (profile < MULTI_AP_PROFILE_2) throw new MultiApError('BAD_VLAN', 'Multi-AP 802.1Q setting without profile 2 or later');
        if (sub.data.length < 2) throw new MultiApError('MALFORMED', 'short Multi-AP 802.1Q setting subelement');
        const vid = (sub.data[0] ?? 0) | ((sub.data[1] ?? 0) << 8);
        if (vid < MULTI_AP_VLAN_MIN || vid > MULTI_AP_VLAN_MAX) throw new MultiApError('BAD_VLAN', `Multi-AP VLAN ID ${vid} out of range`);
        vlanId = vid;
        break;
      }
      default:
        // Unknown subelements are ignored, as hostapd does; kept for re-encoding.
        break;
    }
  }
  if (capability === undefined) throw new MultiApError('NO_EXTENSION', 'Multi-AP element without Multi-AP Extension subelement');
  return vlanId === undefined ? { capability, profile, subelements } : { capability, profile, vlanId, subelements };
}

/** The Multi-AP element among `elements`, or undefined when absent. */
export function findMultiApElement(elements: readonly Element[]): MultiApElement | undefined {
  const found = findVendorElements(elements, MULTI_AP_VENDOR_TYPE)[0];
  return found === undefined ? undefined : parseMultiApPayload(found.data.subarray(4));
}

/** The element hostapd's add_multi_ap_ie() would send for these parameters. */
export function buildMultiApElement(params: MultiApParams): Element {
  if (!Number.isInteger(params.capability) || params.capability < 0 || params.capability > 0xff) {
    throw new MultiApError('MALFORMED', `Multi-AP capability ${params.capability} is not an octet`);
  }
  if (!Number.isInteger(params.profile) || params.profile < 0 || params.profile > MULTI_AP_PROFILE_MAX) {
    throw new MultiApError('BAD_PROFILE', `Multi-AP profile ${params.profile} out of range`);
  }
  const subs: Element[] = [{ id: MultiApSubelement.EXTENSION, data: Uint8Array.of(params.capability) }];
  if (params.profile >= MULTI_AP_PROFILE_2) subs.push({ id: MultiApSubelement.PROFILE, data: Uint8Array.of(params.profile) });
  if (params.vlanId !== undefined && params.profile >= MULTI_AP_PROFILE_2 && (params.capability & MultiApCapability.BACKHAUL_BSS) !== 0) {
    const v = params.vlanId;
    if (!Number.isInteger(v) || v < MULTI_AP_VLAN_MIN || v > MULTI_AP_VLAN_MAX) throw new MultiApError('BAD_VLAN', `Multi-AP VLAN ID ${v} out of range`);
    subs.push({ id: MultiApSubelement.DEFAULT_8021Q, data: Uint8Array.of(v & 0xff, v >> 8) });
  }
  return vendorElement(MULTI_AP_VENDOR_TYPE, buildElements(subs));
}

/** Re-encodes a parsed element exactly as it was received. */
export function encodeMultiApElement(parsed: MultiApElement): Element {
  return vendorElement(MULTI_AP_VENDOR_TYPE, buildElements(parsed.subelements));
}
