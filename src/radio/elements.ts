/**
 * Information elements (IEEE 802.11-2020 9.4.2): a list of ID, Length, data.
 * Parsing is total: every declared length is checked against what is left.
 */
import { WpsdError } from '../common/errors.js';
import { SSID_MAX_LEN } from '../common/ssid.js';

export const ELEMENT_HEADER_LEN = 2;
/** The Length octet bounds an element's data (9.4.2.1). */
export const ELEMENT_MAX_DATA_LEN = 255;

export const ElementId = {
  SSID: 0,
  SUPPORTED_RATES: 1,
  DS_PARAMETER_SET: 3,
  TIM: 5,
  CHALLENGE_TEXT: 16,
  RSN: 48,
  EXTENDED_SUPPORTED_RATES: 50,
  VENDOR_SPECIFIC: 221,
} as const;


export interface Element {
  id: number;
  data: Uint8Array;
}

export type ElementErrorCode = 'TRUNCATED_HEADER' | 'TRUNCATED_DATA' | 'BAD_ID' | 'TOO_LONG';

export class ElementError extends WpsdError<ElementErrorCode> {}

/** Splits `buf` into elements; an element running past the end is an error, nothing is skipped. */
export function parseElements(buf: Uint8Array): Element[] {
  const out: Element[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < ELEMENT_HEADER_LEN) {
      throw new ElementError('TRUNCATED_HEADER', `element header at offset ${pos} is truncated`);
    }
    const id = buf[pos] ?? 0;
    const len = buf[pos + 1] ?? 0;
    if (buf.length - pos - ELEMENT_HEADER_LEN < len) {
      throw new ElementError('TRUNCATED_DATA', `element ${id} at offset ${pos} declares ${len} octets, ${buf.length - pos - 2} left`);
    }
    out.push({ id, data: buf.slice(pos + ELEMENT_HEADER_LEN, pos + ELEMENT_HEADER_LEN + len) });
    pos += ELEMENT_HEADER_LEN + len;
  }
  return out;
}

function checkElement(e: Element): void {
  if (!Number.isInteger(e.id) || e.id < 0 || e.id > 255) throw new ElementError('BAD_ID', `element ID ${e.id} is not an octet`);
  if (e.data.length > ELEMENT_MAX_DATA_LEN) {
    throw new ElementError('TOO_LONG', `element ${e.id} carries ${e.data.length} octets, at most ${ELEMENT_MAX_DATA_LEN} fit`);
  }
}

export function buildElements(list: readonly Element[]): Uint8Array {
  for (const e of list) checkElement(e);
  const total = list.reduce((n, e) => n + ELEMENT_HEADER_LEN + e.data.length, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const e of list) {
    out[pos] = e.id;
    out[pos + 1] = e.data.length;
    out.set(e.data, pos + ELEMENT_HEADER_LEN);
    pos += ELEMENT_HEADER_LEN + e.data.length;
  }
  return out;
}

export function findElement(list: readonly Element[], id: number): Element | undefined {
  return list.find((e) => e.id === id);
}

/** OUI (24 bits) and vendor type as one 32-bit number, as hostapd's WPA_GET_BE32 of the vendor data. */
export function vendorOuiType(e: Element): number | undefined {
  if (e.id !== ElementId.VENDOR_SPECIFIC || e.data.length < 4) return undefined;
  return (((e.data[0] ?? 0) << 24) | ((e.data[1] ?? 0) << 16) | ((e.data[2] ?? 0) << 8) | (e.data[3] ?? 0)) >>> 0;
}

/** Vendor Specific elements whose first four octets are `ouiType` (OUI + type), in order. */
export function findVendorElements(list: readonly Element[], ouiType: number): Element[] {
  return list.filter((e) => vendorOuiType(e) === ouiType);
}

/** A Vendor Specific element: OUI + type, then `payload`. */
export function vendorElement(ouiType: number, payload: Uint8Array): Element {
  const data = new Uint8Array(4 + payload.length);
  data[0] = (ouiType >>> 24) & 0xff;
  data[1] = (ouiType >>> 16) & 0xff;
  data[2] = (ouiType >>> 8) & 0xff;
  data[3] = ouiType & 0xff;
  data.set(payload, 4);
  checkElement({ id: ElementId.VENDOR_SPECIFIC, data });
  return { id: ElementId.VENDOR_SPECIFIC, data };
}

export function ssidElement(ssid: Uint8Array): Element {
  if (ssid.length > SSID_MAX_LEN) throw new ElementError('TOO_LONG', `SSID of ${ssid.length} octets exceeds ${SSID_MAX_LEN}`);
  return { id: ElementId.SSID, data: ssid };
}

/** Supported Rates for 2.4 GHz 11b/g in 500 kb/s units, basic rates flagged (what hostapd advertises by default for hw_mode=g). */
export function defaultRateElements(): Element[] {
  return [
    { id: ElementId.SUPPORTED_RATES, data: Uint8Array.from([0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24]) },
    { id: ElementId.EXTENDED_SUPPORTED_RATES, data: Uint8Array.from([0x30, 0x48, 0x60, 0x6c]) },
  ];
}

export function dsParameterSetElement(channel: number): Element {
  return { id: ElementId.DS_PARAMETER_SET, data: Uint8Array.from([channel & 0xff]) };
}
