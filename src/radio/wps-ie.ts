/**
 * The WPS element: Vendor Specific, OUI 00:50:F2 type 4, whose data after the
 * four-octet header is a run of WSC attributes (WSC 2.0.2 section 8.2). This
 * module only carries those bytes; src/wps/attributes.ts parses them.
 * A run longer than one element holds is split over several consecutive
 * elements and joined again by concatenation, as hostapd's
 * wps_ie_encapsulate() and ieee802_11_vendor_ie_concat() do.
 */
import { type Element, ELEMENT_MAX_DATA_LEN, findVendorElements, vendorElement, buildElements } from './elements.js';
import { WpsdError } from '../common/errors.js';

export const WPS_IE_VENDOR_TYPE = 0x0050f204;
export const WPS_IE_HEADER_LEN = 4;
/** 255 octets of element data minus the OUI and type: 251 octets of attributes per element. */
export const WPS_IE_FRAGMENT_MAX = ELEMENT_MAX_DATA_LEN - WPS_IE_HEADER_LEN;
/** A joined run can never exceed what a maximal frame holds; this bounds what callers buffer. */
export const WPS_IE_JOINED_MAX = 8192;

export class WpsIeError extends WpsdError<'TOO_LONG'> {}

/** WSC attribute bytes as one or more WPS elements of at most 251 attribute octets each; empty input gives no element. */
export function fragmentWpsIe(attributes: Uint8Array): Element[] {
  if (attributes.length > WPS_IE_JOINED_MAX) {
    throw new WpsIeError('TOO_LONG', `WPS attributes of ${attributes.length} octets exceed ${WPS_IE_JOINED_MAX}`);
  }
  const out: Element[] = [];
  for (let pos = 0; pos < attributes.length; pos += WPS_IE_FRAGMENT_MAX) {
    out.push(vendorElement(WPS_IE_VENDOR_TYPE, attributes.subarray(pos, pos + WPS_IE_FRAGMENT_MAX)));
  }
  return out;
}

/** The same, as element bytes ready to place in a frame body. */
export function buildWpsIe(attributes: Uint8Array): Uint8Array {
  return buildElements(fragmentWpsIe(attributes));
}

/** Concatenated attribute bytes of every WPS element in `elements`, or undefined when there is none. */
export function joinWpsIe(elements: readonly Element[]): Uint8Array | undefined {
  const parts = findVendorElements(elements, WPS_IE_VENDOR_TYPE);
  if (parts.length === 0) return undefined;
  const total = parts.reduce((n, e) => n + e.data.length - WPS_IE_HEADER_LEN, 0);
  if (total > WPS_IE_JOINED_MAX) throw new WpsIeError('TOO_LONG', `joined WPS element of ${total} octets exceeds ${WPS_IE_JOINED_MAX}`);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const e of parts) {
    out.set(e.data.subarray(WPS_IE_HEADER_LEN), pos);
    pos += e.data.length - WPS_IE_HEADER_LEN;
  }
  return out;
}

/** `elements` without any WPS element, e.g. to replace the WPS element of a beacon. */
export function withoutWpsIe(elements: readonly Element[]): Element[] {
  const wps = new Set(findVendorElements(elements, WPS_IE_VENDOR_TYPE));
  return elements.filter((e) => !wps.has(e));
}
