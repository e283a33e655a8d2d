/**
 * The RSN element (IEEE 802.11-2020 9.4.2.24): version, then optional fields
 * that may stop at any field boundary. Field rules follow hostapd's
 * wpa_parse_wpa_ie_rsn(): a list count of zero or one running past the end is
 * an error; octets after the last field are kept (hostapd ignores them).
 */
import { type Element, ElementId } from './elements.js';
import { WpsdError } from '../common/errors.js';

export const RSN_VERSION = 1;
export const RSN_SELECTOR_LEN = 4;
export const PMKID_LEN = 16;

/** Cipher and AKM suite selectors: OUI 00-0F-AC and a type, as one 32-bit number. */
export const RsnCipher = {
  WEP40: 0x000fac01,
  TKIP: 0x000fac02,
  CCMP_128: 0x000fac04,
  WEP104: 0x000fac05,
  BIP_CMAC_128: 0x000fac06,
  GROUP_NOT_ALLOWED: 0x000fac07,
  GCMP_128: 0x000fac08,
  GCMP_256: 0x000fac09,
  CCMP_256: 0x000fac0a,
} as const;

export const RsnAkm = {
  IEEE8021X: 0x000fac01,
  PSK: 0x000fac02,
  FT_IEEE8021X: 0x000fac03,
  FT_PSK: 0x000fac04,
  IEEE8021X_SHA256: 0x000fac05,
  PSK_SHA256: 0x000fac06,
  SAE: 0x000fac08,
  FT_SAE: 0x000fac09,
} as const;

/** RSN Capabilities bits used by the daemons. */
export const RsnCapability = {
  PREAUTH: 0x0001,
  MFPR: 0x0040,
  MFPC: 0x0080,
} as const;

export interface RsnElement {
  version: number;
  groupCipher?: number;
  pairwiseCiphers?: number[];
  akmSuites?: number[];
  capabilities?: number;
  pmkids?: Uint8Array[];
  groupManagementCipher?: number;
  /** Octets after the last recognised field. */
  trailing?: Uint8Array;
}

export type RsnErrorCode = 'TRUNCATED' | 'BAD_VERSION' | 'BAD_COUNT' | 'BAD_FIELDS';

export class RsnError extends WpsdError<RsnErrorCode> {}

function be32(b: Uint8Array, o: number): number {
  return (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;
}

function le16(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}

/** Parses the data of an RSN element (without ID and Length). */
export function parseRsnElement(data: Uint8Array): RsnElement {
  if (data.length < 2) throw new RsnError('TRUNCATED', 'RSN element shorter than its version field');
  const version = le16(data, 0);
  if (version !== RSN_VERSION) throw new RsnError('BAD_VERSION', `RSN version ${version} is not ${RSN_VERSION}`);
  const out: RsnElement = { version };
  let pos = 2;
  const left = (): number => data.length - pos;

  if (left() >= RSN_SELECTOR_LEN) {
    out.groupCipher = be32(data, pos);
    pos += RSN_SELECTOR_LEN;
  } else if (left() > 0) {
    throw new RsnError('TRUNCATED', `RSN group cipher truncated (${left()} octets)`);
  }

  const readSuiteList = (what: string): number[] | undefined => {
    if (left() >= 2) {
      const count = le16(data, pos);
      pos += 2;
      if (count === 0 || count > Math.floor(left() / RSN_SELECTOR_LEN)) {
        throw new RsnError('BAD_COUNT', `RSN ${what} count ${count} does not fit ${left()} octets`);
      }
      const list: number[] = [];
      for (let i = 0; i < count; i++, pos += RSN_SELECTOR_LEN) list.push(be32(data, pos));
      return list;
    }
    if (left() === 1) throw new RsnError('TRUNCATED', `RSN ${what} count truncated`);
    return undefined;
  };

  const pairwise = readSuiteList('pairwise cipher');
  if (pairwise !== undefined) out.pairwiseCiphers = pairwise;
  const akms = readSuiteList('AKM suite');
  if (akms !== undefined) out.akmSuites = akms;

  if (left() >= 2) {
    out.capabilities = le16(data, pos);
    pos += 2;
  }
  if (left() >= 2) {
    const count = le16(data, pos);
    pos += 2;
    if (count > Math.floor(left() / PMKID_LEN)) throw new RsnError('BAD_COUNT', `RSN PMKID count ${count} does not fit ${left()} octets`);
    const pmkids: Uint8Array[] = [];
    for (let i = 0; i < count; i++, pos += PMKID_LEN) pmkids.push(data.slice(pos, pos + PMKID_LEN));
    out.pmkids = pmkids;
  }
  if (left() >= RSN_SELECTOR_LEN) {
    out.groupManagementCipher = be32(data, pos);
    pos += RSN_SELECTOR_LEN;
  }
  if (left() > 0) out.trailing = data.slice(pos);
  return out;
}

/** Encodes an RSN element's data; an optional field needs every field before it. */
export function encodeRsnElement(rsn: RsnElement): Uint8Array {
  const order: (keyof RsnElement)[] = ['groupCipher', 'pairwiseCiphers', 'akmSuites', 'capabilities', 'pmkids', 'groupManagementCipher'];
  let missing: string | undefined;
  for (const key of order) {
    if (rsn[key] === undefined) missing ??= key;
    else if (missing !== undefined) throw new RsnError('BAD_FIELDS', `RSN field ${key} needs ${missing} before it`);
  }
  const bytes: number[] = [rsn.version & 0xff, (rsn.version >> 8) & 0xff];
  const suite = (s: number): void => {
    if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new RsnError('BAD_FIELDS', `suite selector ${s} is not 32 bits`);
    bytes.push((s >>> 24) & 0xff, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff);
  };
  const u16 = (v: number): void => {
    bytes.push(v & 0xff, (v >> 8) & 0xff);
  };
  if (rsn.groupCipher !== undefined) suite(rsn.groupCipher);
  for (const list of [rsn.pairwiseCiphers, rsn.akmSuites]) {
    if (list === undefined) continue;
    if (list.length === 0 || list.length > 0xffff) throw new RsnError('BAD_COUNT', 'RSN suite lists hold 1..65535 selectors');
    u16(list.length);
    list.forEach(suite);
  }
  if (rsn.capabilities !== undefined) u16(rsn.capabilities);
  if (rsn.pmkids !== undefined) {
    u16(rsn.pmkids.length);
    for (const p of rsn.pmkids) {
      if (p.length !== PMKID_LEN) throw new RsnError('BAD_FIELDS', `PMKID of ${p.length} octets`);
      bytes.push(...p);
    }
  }
  if (rsn.groupManagementCipher !== undefined) suite(rsn.groupManagementCipher);
  if (rsn.trailing !== undefined) bytes.push(...rsn.trailing);
  return Uint8Array.from(bytes);
}

export function rsnElement(rsn: RsnElement): Element {
  return { id: ElementId.RSN, data: encodeRsnElement(rsn) };
}

/** WPA2-Personal as hostapd advertises for wpa=2 wpa_key_mgmt=WPA-PSK rsn_pairwise=CCMP. */
export function wpa2PersonalRsn(): RsnElement {
  return { version: RSN_VERSION, groupCipher: RsnCipher.CCMP_128, pairwiseCiphers: [RsnCipher.CCMP_128], akmSuites: [RsnAkm.PSK], capabilities: 0 };
}
