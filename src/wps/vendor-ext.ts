/**
 * The WFA Vendor Extension attribute (WSC 2.0 section 12, "Vendor Extension"
 * with Vendor ID 00:37:2A): subelements ID(1) Length(1) Data.
 */
import { AttributeType, WscParseError, type Attribute } from './attributes.js';

/** 00:37:2A, the Wi-Fi Alliance SMI network management private enterprise number (14122). */
export const WFA_VENDOR_ID = 0x00372a;
export const WFA_VENDOR_ID_BYTES = Buffer.from([0x00, 0x37, 0x2a]);
/** A subelement's length field is one byte. */
export const MAX_WFA_SUBELEMENT_LEN = 0xff;
/** WSC 2.0: at most five Authorized MACs are advertised. */
export const MAX_AUTHORIZED_MACS = 5;

export const WfaSubelement = {
  Version2: 0x00,
  AuthorizedMacs: 0x01,
  NetworkKeyShareable: 0x02,
  RequestToEnroll: 0x03,
  SettingsDelayTime: 0x04,
  RegistrarConfigurationMethods: 0x05,
  MultiAp: 0x06,
} as const;
export type WfaSubelement = (typeof WfaSubelement)[keyof typeof WfaSubelement];

const SUBELEMENT_NAMES = new Map<number, string>(Object.entries(WfaSubelement).map(([n, v]) => [v, n]));
export function wfaSubelementName(id: number): string {
  return SUBELEMENT_NAMES.get(id) ?? `Unknown 0x${id.toString(16).padStart(2, '0')}`;
}

/** Multi-AP Extension subelement bits (Multi-AP specification / hostapd). */
export const MultiApBits = {
  TearDown: 0x10,
  FronthaulBss: 0x20,
  BackhaulBss: 0x40,
  BackhaulSta: 0x80,
} as const;

export interface WfaExtension {
  version2?: number;
  authorizedMacs?: Buffer[];
  networkKeyShareable?: boolean;
  requestToEnroll?: boolean;
  settingsDelayTime?: number;
  registrarConfigMethods?: number;
  multiAp?: number;
  /** Subelements this module does not know, in the order they came. */
  unknown: { id: number; value: Buffer }[];
}

export interface WfaSubelementRaw {
  id: number;
  value: Buffer;
  /** Offset of the subelement within the Vendor Extension value (after the vendor ID). */
  offset: number;
}

/** True when a Vendor Extension value starts with the WFA vendor ID. */
export function isWfaVendorExtension(value: Uint8Array): boolean {
  return value.length >= 3 && value[0] === 0x00 && value[1] === 0x37 && value[2] === 0x2a;
}

/**
 * Splits the subelements of a WFA Vendor Extension value (vendor ID included).
 * Offsets in errors count from the start of that value.
 */
export function parseWfaSubelements(value: Uint8Array): WfaSubelementRaw[] {
  const b = Buffer.from(value);
  if (!isWfaVendorExtension(b)) {
    throw new WscParseError('BAD_VALUE', 'vendor extension is not the WFA one (vendor ID 00:37:2a)', 0, AttributeType.VendorExtension);
  }
  const out: WfaSubelementRaw[] = [];
  let off = 3;
  while (off < b.length) {
    if (b.length - off < 2) {
      throw new WscParseError('TRUNCATED_HEADER', `truncated WFA subelement header at offset ${off}`, off, undefined, 2, b.length - off);
    }
    const id = b.readUInt8(off);
    const len = b.readUInt8(off + 1);
    const present = b.length - off - 2;
    if (len > present) {
      throw new WscParseError(
        'TRUNCATED_VALUE',
        `truncated WFA subelement ${wfaSubelementName(id)} at offset ${off}: length ${len} declared, ${present} bytes present`,
        off,
        undefined,
        len,
        present,
      );
    }
    out.push({ id, value: Buffer.from(b.subarray(off + 2, off + 2 + len)), offset: off });
    off += 2 + len;
  }
  return out;
}

const FIXED_SUBELEMENT_LEN: Readonly<Record<number, number>> = {
  [WfaSubelement.Version2]: 1,
  [WfaSubelement.NetworkKeyShareable]: 1,
  [WfaSubelement.RequestToEnroll]: 1,
  [WfaSubelement.SettingsDelayTime]: 1,
  [WfaSubelement.RegistrarConfigurationMethods]: 2,
  [WfaSubelement.MultiAp]: 1,
};

/** Undefined when a subelement's length is acceptable, else why not. */
export function wfaSubelementLengthProblem(id: number, length: number): string | undefined {
  const want = FIXED_SUBELEMENT_LEN[id];
  if (want !== undefined && length !== want) return `${wfaSubelementName(id)} must be ${want} byte(s), got ${length}`;
  if (id === WfaSubelement.AuthorizedMacs && length % 6 !== 0) return `AuthorizedMacs length ${length} is not a multiple of 6`;
  return undefined;
}

/**
 * Parses a WFA Vendor Extension value (vendor ID included). A known subelement
 * of the wrong length is an error (as in hostapd); a repeated one replaces the
 * earlier (hostapd keeps the last too).
 */
export function parseWfaExtension(value: Uint8Array): WfaExtension {
  const ext: WfaExtension = { unknown: [] };
  for (const sub of parseWfaSubelements(value)) {
    const problem = wfaSubelementLengthProblem(sub.id, sub.value.length);
    if (problem !== undefined) throw new WscParseError('BAD_LENGTH', `${problem} at offset ${sub.offset}`, sub.offset, undefined, sub.value.length);
    const v = sub.value;
    switch (sub.id) {
      case WfaSubelement.Version2:
        ext.version2 = v.readUInt8(0);
        break;
      case WfaSubelement.AuthorizedMacs: {
        const macs: Buffer[] = [];
        for (let i = 0; i < v.length; i += 6) macs.push(Buffer.from(v.subarray(i, i + 6)));
        // An empty list is no list: builders leave the subelement out (hostapd too).
        if (macs.length > 0) ext.authorizedMacs = macs;
        else delete ext.authorizedMacs;
        break;
      }
      case WfaSubelement.NetworkKeyShareable:
        ext.networkKeyShareable = v.readUInt8(0) !== 0;
        break;
      case WfaSubelement.RequestToEnroll:
        ext.requestToEnroll = v.readUInt8(0) !== 0;
        break;
      case WfaSubelement.SettingsDelayTime:
        ext.settingsDelayTime = v.readUInt8(0);
        break;
      case WfaSubelement.RegistrarConfigurationMethods:
        ext.registrarConfigMethods = v.readUInt16BE(0);
        break;
      case WfaSubelement.MultiAp:
        ext.multiAp = v.readUInt8(0);
        break;
      default:
        ext.unknown.push({ id: sub.id, value: v });
    }
  }
  return ext;
}

function sub(id: number, value: Buffer): Buffer {
  if (value.length > MAX_WFA_SUBELEMENT_LEN) {
    throw new WscParseError('TOO_LONG', `WFA subelement ${wfaSubelementName(id)} of ${value.length} bytes exceeds 255`, 0, undefined, value.length);
  }
  return Buffer.concat([Buffer.from([id, value.length]), value]);
}

/**
 * The value of a WFA Vendor Extension attribute (vendor ID first), subelements
 * in hostapd's order: Version2, RequestToEnroll, AuthorizedMacs, MultiAp, then
 * the rarer ones and unknown subelements as given.
 */
export function buildWfaExtensionValue(ext: Partial<WfaExtension>): Buffer {
  const parts: Buffer[] = [WFA_VENDOR_ID_BYTES];
  if (ext.version2 !== undefined) parts.push(sub(WfaSubelement.Version2, Buffer.from([ext.version2 & 0xff])));
  if (ext.requestToEnroll !== undefined) parts.push(sub(WfaSubelement.RequestToEnroll, Buffer.from([ext.requestToEnroll ? 1 : 0])));
  if (ext.authorizedMacs !== undefined && ext.authorizedMacs.length > 0) {
    for (const m of ext.authorizedMacs) {
      if (m.length !== 6) throw new WscParseError('BAD_VALUE', `authorized MAC must be 6 bytes, got ${m.length}`, 0);
    }
    parts.push(sub(WfaSubelement.AuthorizedMacs, Buffer.concat(ext.authorizedMacs)));
  }
  if (ext.multiAp !== undefined) parts.push(sub(WfaSubelement.MultiAp, Buffer.from([ext.multiAp & 0xff])));
  if (ext.networkKeyShareable !== undefined) parts.push(sub(WfaSubelement.NetworkKeyShareable, Buffer.from([ext.networkKeyShareable ? 1 : 0])));
  if (ext.settingsDelayTime !== undefined) parts.push(sub(WfaSubelement.SettingsDelayTime, Buffer.from([ext.settingsDelayTime & 0xff])));
  if (ext.registrarConfigMethods !== undefined) {
    const v = Buffer.alloc(2);
    v.writeUInt16BE(ext.registrarConfigMethods & 0xffff, 0);
    parts.push(sub(WfaSubelement.RegistrarConfigurationMethods, v));
  }
  for (const u of ext.unknown ?? []) parts.push(sub(u.id & 0xff, u.value));
  return Buffer.concat(parts);
}

/** The whole Vendor Extension attribute carrying the WFA subelements. */
export function buildWfaExtension(ext: Partial<WfaExtension>): Attribute {
  return { type: AttributeType.VendorExtension, value: buildWfaExtensionValue(ext) };
}
