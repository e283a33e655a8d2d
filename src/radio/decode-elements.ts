/**
 * A dissector for IEEE 802.11 element streams (the body of a Beacon, Probe or
 * (Re)Association frame after its fixed fields): each element by name, the
 * Multi-AP element's subelements with the capability bits spelled out, the
 * WPS element's WSC attributes through the WSC dissector. Total: a cut
 * stream gives what decoded before the cut and a problem, never an exception.
 *
 * API:
 *   looksLikeElements(bytes)   decodeElements(bytes, opts)   formatElementsText(result)
 */
import { decodeAttributes, formatDecodeText, type DecodeOptions } from '../wps/decode.js';
import { ELEMENT_HEADER_LEN, ElementId } from './elements.js';
import { MULTI_AP_VENDOR_TYPE, MultiApCapability, MultiApSubelement } from './multi-ap-ie.js';
import { WPS_IE_VENDOR_TYPE } from './wps-ie.js';

/** WSC attribute types all start with 0x10; an element stream starting so is read as WSC attributes. */
const WSC_TYPE_HIGH = 0x10;

const ELEMENT_NAMES: Readonly<Record<number, string>> = {
  [ElementId.SSID]: 'SSID',
  [ElementId.SUPPORTED_RATES]: 'Supported Rates',
  [ElementId.DS_PARAMETER_SET]: 'DS Parameter Set',
  [ElementId.TIM]: 'TIM',
  [ElementId.RSN]: 'RSN',
  [ElementId.EXTENDED_SUPPORTED_RATES]: 'Extended Supported Rates',
  [ElementId.VENDOR_SPECIFIC]: 'Vendor Specific',
};

const MULTI_AP_SUBELEMENT_NAMES: Readonly<Record<number, string>> = {
  [MultiApSubelement.EXTENSION]: 'Multi-AP Extension',
  [MultiApSubelement.PROFILE]: 'Multi-AP Profile',
  [MultiApSubelement.DEFAULT_8021Q]: 'Multi-AP Default 802.1Q Setting',
};

const CAPABILITY_NAMES: readonly [number, string][] = [
  [MultiApCapability.BACKHAUL_STA, 'Backhaul STA'],
  [MultiApCapability.BACKHAUL_BSS, 'Backhaul BSS'],
  [MultiApCapability.FRONTHAUL_BSS, 'Fronthaul BSS'],
  [MultiApCapability.TEAR_DOWN, 'Tear Down'],
  [MultiApCapability.PROFILE1_BACKHAUL_STA_DISALLOWED, 'Profile-1 Backhaul STA Disallowed'],
  [MultiApCapability.PROFILE2_BACKHAUL_STA_DISALLOWED, 'Profile-2 Backhaul STA Disallowed'],
];

export interface ElementNode {
  kind: 'element' | 'subelement';
  id: number;
  idHex: string;
  name: string;
  /** Offset of the header in the whole input. */
  offset: number;
  length: number;
  hex: string;
  value?: string;
  problem?: string;
  children?: ElementNode[];
  /** The WSC attributes of a WPS element, as `wpsd decode` prints them. */
  wsc?: string[];
}

export interface ElementsResult {
  length: number;
  elements: ElementNode[];
  /** Where the stream was cut, when it was. */
  problem?: string;
}

/**
 * True when the bytes parse whole as 802.11 elements, do not start like WSC
 * attributes, and hold a Multi-AP or WPS element (other inputs, such as an
 * NFC handover carrier record, can parse as elements by chance).
 */
export function looksLikeElements(bytes: Uint8Array): boolean {
  if (bytes.length < ELEMENT_HEADER_LEN || bytes[0] === WSC_TYPE_HIGH) return false;
  const { items, problem } = walk(bytes, 0);
  if (problem !== undefined) return false;
  return items.some((e) => {
    if (e.id !== ElementId.VENDOR_SPECIFIC || e.data.length < 4) return false;
    const type = Buffer.from(e.data.subarray(0, 4)).readUInt32BE(0);
    return type === MULTI_AP_VENDOR_TYPE || type === WPS_IE_VENDOR_TYPE;
  });
}

function walk(bytes: Uint8Array, base: number): { items: { id: number; offset: number; data: Uint8Array }[]; problem?: string } {
  const items: { id: number; offset: number; data: Uint8Array }[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < ELEMENT_HEADER_LEN) return { items, problem: `truncated header at offset ${base + pos}` };
    const id = bytes[pos] ?? 0;
    const len = bytes[pos + 1] ?? 0;
    if (bytes.length - pos - ELEMENT_HEADER_LEN < len) return { items, problem: `truncated element ${id} at offset ${base + pos}: ${len} bytes declared, ${bytes.length - pos - ELEMENT_HEADER_LEN} present` };
    items.push({ id, offset: base + pos, data: bytes.subarray(pos + ELEMENT_HEADER_LEN, pos + ELEMENT_HEADER_LEN + len) });
    pos += ELEMENT_HEADER_LEN + len;
  }
  return { items };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const idHex = (id: number): string => `0x${id.toString(16).padStart(2, '0')}`;

function capabilityText(v: number): string {
  const names = CAPABILITY_NAMES.filter(([bit]) => (v & bit) !== 0).map(([, n]) => n);
  return `${names.length > 0 ? names.join('|') : 'none'} (0x${v.toString(16).padStart(2, '0')})`;
}

function multiApSubelements(data: Uint8Array, base: number): { children: ElementNode[]; problem?: string } {
  const { items, problem } = walk(data, base);
  const children = items.map((s): ElementNode => {
    const node: ElementNode = { kind: 'subelement', id: s.id, idHex: idHex(s.id), name: MULTI_AP_SUBELEMENT_NAMES[s.id] ?? `Unknown ${idHex(s.id)}`, offset: s.offset, length: s.data.length, hex: hex(s.data) };
    if (s.id === MultiApSubelement.EXTENSION || s.id === MultiApSubelement.PROFILE) {
      if (s.data.length !== 1) node.problem = `${s.data.length} bytes, 1 expected`;
      else node.value = s.id === MultiApSubelement.EXTENSION ? capabilityText(s.data[0] ?? 0) : String(s.data[0] ?? 0);
    } else if (s.id === MultiApSubelement.DEFAULT_8021Q) {
      if (s.data.length !== 2) node.problem = `${s.data.length} bytes, 2 expected`;
      else node.value = `VLAN ID ${(s.data[0] ?? 0) | ((s.data[1] ?? 0) << 8)}`;
    }
    return node;
  });
  return problem === undefined ? { children } : { children, problem };
}

function vendorNode(node: ElementNode, data: Uint8Array, opts: DecodeOptions): void {
  if (data.length < 4) {
    node.value = data.length < 3 ? 'no OUI' : `OUI ${hex(data.subarray(0, 3))}`;
    return;
  }
  const type = Buffer.from(data.subarray(0, 4)).readUInt32BE(0);
  if (type === MULTI_AP_VENDOR_TYPE) {
    node.name = 'Multi-AP';
    node.value = 'OUI 50:6f:9a type 0x1b';
    const { children, problem } = multiApSubelements(data.subarray(4), node.offset + ELEMENT_HEADER_LEN + 4);
    node.children = children;
    if (problem !== undefined) node.problem = problem;
    if (!children.some((c) => c.id === MultiApSubelement.EXTENSION)) node.problem ??= 'no Multi-AP Extension subelement';
  } else if (type === WPS_IE_VENDOR_TYPE) {
    node.name = 'WPS';
    node.value = 'OUI 00:50:f2 type 0x04';
    node.wsc = formatDecodeText(decodeAttributes(data.subarray(4), opts));
  } else {
    node.value = `OUI ${[0, 1, 2].map((i) => (data[i] ?? 0).toString(16).padStart(2, '0')).join(':')} type 0x${(data[3] ?? 0).toString(16).padStart(2, '0')}`;
  }
}

export function decodeElements(bytes: Uint8Array, opts: DecodeOptions = {}): ElementsResult {
  const { items, problem } = walk(bytes, 0);
  const elements = items.map((e): ElementNode => {
    const node: ElementNode = { kind: 'element', id: e.id, idHex: idHex(e.id), name: ELEMENT_NAMES[e.id] ?? `Element ${e.id}`, offset: e.offset, length: e.data.length, hex: hex(e.data) };
    if (e.id === ElementId.SSID) node.value = JSON.stringify(Buffer.from(e.data).toString('latin1'));
    else if (e.id === ElementId.VENDOR_SPECIFIC) vendorNode(node, e.data, opts);
    return node;
  });
  return problem === undefined ? { length: bytes.length, elements } : { length: bytes.length, elements, problem };
}

export function formatElementsText(r: ElementsResult): string[] {
  const out: string[] = [];
  const line = (n: ElementNode, indent: string): void => {
    out.push(`${indent}${n.name} (${n.idHex}), ${n.length} byte${n.length === 1 ? '' : 's'}${n.value !== undefined ? `: ${n.value}` : ''}${n.problem !== undefined ? ` [${n.problem}]` : ''}`);
    for (const c of n.children ?? []) line(c, indent + '  ');
    for (const w of n.wsc ?? []) out.push(`${indent}  ${w}`);
  };
  for (const e of r.elements) line(e, '');
  if (r.problem !== undefined) out.push(`error: ${r.problem}`);
  return out;
}
