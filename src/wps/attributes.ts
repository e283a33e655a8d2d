/**
 * WSC attribute TLVs (Wi-Fi Simple Configuration Technical Specification
 * v2.0, section 12: every attribute is Type(2) Length(2) Value, big endian).
 */
import { WpsdError } from '../common/errors.js';

/** Every WSC 2.0 attribute type, named after the specification's table 28. */
export const AttributeType = {
  ApChannel: 0x1001,
  AssociationState: 0x1002,
  AuthenticationType: 0x1003,
  AuthenticationTypeFlags: 0x1004,
  Authenticator: 0x1005,
  ConfigMethods: 0x1008,
  ConfigurationError: 0x1009,
  ConfirmationUrl4: 0x100a,
  ConfirmationUrl6: 0x100b,
  ConnectionType: 0x100c,
  ConnectionTypeFlags: 0x100d,
  Credential: 0x100e,
  EncryptionType: 0x100f,
  EncryptionTypeFlags: 0x1010,
  DeviceName: 0x1011,
  DevicePasswordId: 0x1012,
  EHash1: 0x1014,
  EHash2: 0x1015,
  ESnonce1: 0x1016,
  ESnonce2: 0x1017,
  EncryptedSettings: 0x1018,
  EnrolleeNonce: 0x101a,
  FeatureId: 0x101b,
  Identity: 0x101c,
  IdentityProof: 0x101d,
  KeyWrapAuthenticator: 0x101e,
  KeyIdentifier: 0x101f,
  MacAddress: 0x1020,
  Manufacturer: 0x1021,
  MessageType: 0x1022,
  ModelName: 0x1023,
  ModelNumber: 0x1024,
  NetworkIndex: 0x1026,
  NetworkKey: 0x1027,
  NetworkKeyIndex: 0x1028,
  NewDeviceName: 0x1029,
  NewPassword: 0x102a,
  OobDevicePassword: 0x102c,
  OsVersion: 0x102d,
  PowerLevel: 0x102f,
  PskCurrent: 0x1030,
  PskMax: 0x1031,
  PublicKey: 0x1032,
  RadioEnabled: 0x1033,
  Reboot: 0x1034,
  RegistrarCurrent: 0x1035,
  RegistrarEstablished: 0x1036,
  RegistrarList: 0x1037,
  RegistrarMax: 0x1038,
  RegistrarNonce: 0x1039,
  RequestType: 0x103a,
  ResponseType: 0x103b,
  RfBands: 0x103c,
  RHash1: 0x103d,
  RHash2: 0x103e,
  RSnonce1: 0x103f,
  RSnonce2: 0x1040,
  SelectedRegistrar: 0x1041,
  SerialNumber: 0x1042,
  WifiProtectedSetupState: 0x1044,
  Ssid: 0x1045,
  TotalNetworks: 0x1046,
  UuidE: 0x1047,
  UuidR: 0x1048,
  VendorExtension: 0x1049,
  Version: 0x104a,
  X509CertificateRequest: 0x104b,
  X509Certificate: 0x104c,
  EapIdentity: 0x104d,
  MessageCounter: 0x104e,
  PublicKeyHash: 0x104f,
  RekeyKey: 0x1050,
  KeyLifetime: 0x1051,
  PermittedConfigMethods: 0x1052,
  SelectedRegistrarConfigMethods: 0x1053,
  PrimaryDeviceType: 0x1054,
  SecondaryDeviceTypeList: 0x1055,
  PortableDevice: 0x1056,
  ApSetupLocked: 0x1057,
  ApplicationExtension: 0x1058,
  EapType: 0x1059,
  InitializationVector: 0x1060,
  KeyProvidedAutomatically: 0x1061,
  Enabled8021X: 0x1062,
  AppSessionKey: 0x1063,
  WepTransmitKey: 0x1064,
  RequestedDeviceType: 0x106a,
  /** Not in the specification; hostapd uses it to test extensibility. */
  ExtensibilityTest: 0x10fa,
} as const;
export type AttributeType = (typeof AttributeType)[keyof typeof AttributeType];

const NAMES = new Map<number, string>(Object.entries(AttributeType).map(([name, type]) => [type, name]));

/** The PascalCase spec name of an attribute type, or "Unknown 0x1234". */
export function attributeName(type: number): string {
  return NAMES.get(type) ?? `Unknown 0x${type.toString(16).padStart(4, '0')}`;
}

export interface Attribute {
  type: number;
  value: Buffer;
}

/** TLV header: Type(2) + Length(2). */
export const ATTRIBUTE_HEADER_LEN = 4;
/** The Length field is 16 bits. */
export const MAX_ATTRIBUTE_VALUE_LEN = 0xffff;

export type WscParseErrorCode = 'TRUNCATED_HEADER' | 'TRUNCATED_VALUE' | 'BAD_LENGTH' | 'BAD_VALUE' | 'TOO_LONG' | 'MISSING_ATTRIBUTE';

/** A malformed TLV stream; `offset` is where the bad attribute starts. */
export class WscParseError extends WpsdError<WscParseErrorCode> {
  constructor(
    code: WscParseErrorCode,
    message: string,
    readonly offset: number,
    readonly attrType?: number,
    readonly declared?: number,
    readonly present?: number,
  ) {
    super(code, message);
  }
}

function toBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

export interface ParseAttributesOptions {
  /**
   * hostapd's WPS_WORKAROUNDS for deployed devices: skip one stray octet after a
   * Network Key when the next header would overflow (some APs add it in
   * Credentials), and stop at trailing zero padding (Mac OS X 10.6 pads M1).
   */
  workarounds?: boolean;
  /**
   * Counts the octets the parser looked at (headers, the one scan for zero
   * padding, values copied). Linear-time property tests and the fuzz harness
   * read it: it stays within a small multiple of the input length.
   */
  work?: { octets: number };
  /** Values are views of the input, not copies (see parseAttributes). */
  views?: boolean;
}

/** Where trailing zero padding starts: the index after the last non-zero octet (one backward scan). */
function zeroPaddingStart(b: Buffer): number {
  let i = b.length;
  while (i > 0 && b[i - 1] === 0) i--;
  return i;
}

/**
 * Splits a TLV stream into attributes, in order, duplicates kept.
 * Values are copies, so callers may keep them after the input buffer
 * changes; with `views` they are views of `buf` instead (for a caller that
 * owns `buf` and never changes it: a parsed message's private copy).
 */
export function parseAttributes(buf: Uint8Array, opts: ParseAttributesOptions = {}): Attribute[] {
  const b = toBuffer(buf);
  const attrs: Attribute[] = [];
  const work = opts.work;
  const views = opts.views === true;
  // Computed once, so a stream of zero headers costs one pass, not one scan of the rest per header.
  const padding = opts.workarounds === true ? zeroPaddingStart(b) : b.length;
  if (work && opts.workarounds === true) work.octets += b.length - padding + 1;
  let off = 0;
  let prevType = -1;
  while (off < b.length) {
    if (work) work.octets += ATTRIBUTE_HEADER_LEN;
    if (b.length - off >= ATTRIBUTE_HEADER_LEN && off >= padding) {
      break; // zero padding to the end
    }
    if (b.length - off < ATTRIBUTE_HEADER_LEN) {
      throw new WscParseError(
        'TRUNCATED_HEADER',
        `truncated attribute header at offset ${off}: ${b.length - off} of 4 bytes present`,
        off,
        undefined,
        ATTRIBUTE_HEADER_LEN,
        b.length - off,
      );
    }
    const type = ((b[off] as number) << 8) | (b[off + 1] as number);
    const len = ((b[off + 2] as number) << 8) | (b[off + 3] as number);
    const present = b.length - off - ATTRIBUTE_HEADER_LEN;
    if (len > present && opts.workarounds === true && prevType === AttributeType.NetworkKey && (type & 0xff00) !== 0x1000) {
      off += 1; // the stray octet after a Network Key
      prevType = -1;
      continue;
    }
    if (len > present) {
      throw new WscParseError(
        'TRUNCATED_VALUE',
        `truncated attribute ${attributeName(type)} (0x${type.toString(16).padStart(4, '0')}) at offset ${off}: length ${len} declared, ${present} bytes present`,
        off,
        type,
        len,
        present,
      );
    }
    if (work) work.octets += len;
    const value = b.subarray(off + ATTRIBUTE_HEADER_LEN, off + ATTRIBUTE_HEADER_LEN + len);
    attrs.push({ type, value: views ? value : Buffer.from(value) });
    off += ATTRIBUTE_HEADER_LEN + len;
    prevType = type;
  }
  return attrs;
}

/**
 * Encodes attributes as a TLV stream into one buffer (no per-attribute
 * header buffers, no concatenation); throws WscParseError for a value over
 * 65535 bytes.
 */
export function encodeAttributes(attrs: readonly Attribute[]): Buffer {
  let total = 0;
  for (let i = 0; i < attrs.length; i++) total += ATTRIBUTE_HEADER_LEN + checkedValueLength(attrs[i] as Attribute);
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  for (let i = 0; i < attrs.length; i++) off = writeAttribute(out, off, attrs[i] as Attribute);
  return out;
}

/** Length of the value of `a`, refused when over 65535 bytes. */
function checkedValueLength(a: Attribute): number {
  const len = a.value.length;
  if (len > MAX_ATTRIBUTE_VALUE_LEN) {
    throw new WscParseError('TOO_LONG', `attribute ${attributeName(a.type)} value of ${len} bytes exceeds 65535`, 0, a.type, len);
  }
  return len;
}

/** Writes one attribute (length checked by the caller) at `off`; returns the offset after it. */
export function writeAttribute(out: Buffer, off: number, a: Attribute): number {
  const len = a.value.length;
  out[off] = (a.type >> 8) & 0xff;
  out[off + 1] = a.type & 0xff;
  out[off + 2] = len >> 8;
  out[off + 3] = len & 0xff;
  out.set(a.value, off + ATTRIBUTE_HEADER_LEN);
  return off + ATTRIBUTE_HEADER_LEN + len;
}

export function attrU8(type: number, v: number): Attribute {
  const value = Buffer.allocUnsafe(1);
  value[0] = v & 0xff;
  return { type, value };
}

export function attrU16(type: number, v: number): Attribute {
  const value = Buffer.allocUnsafe(2);
  value[0] = (v >> 8) & 0xff;
  value[1] = v & 0xff;
  return { type, value };
}

export function attrU32(type: number, v: number): Attribute {
  const value = Buffer.allocUnsafe(4);
  value.writeUInt32BE(v >>> 0, 0);
  return { type, value };
}

export function attrBytes(type: number, v: Uint8Array): Attribute {
  return { type, value: Buffer.from(v) };
}

/** A text attribute (UTF-8, no terminating NUL, as hostapd sends). */
export function attrString(type: number, v: string): Attribute {
  return { type, value: Buffer.from(v, 'utf8') };
}

/** Reads a fixed-size big-endian integer value; throws WscParseError('BAD_LENGTH') otherwise. */
export function readUint(value: Buffer, size: 1 | 2 | 4, type: number): number {
  if (value.length !== size) {
    throw new WscParseError('BAD_LENGTH', `attribute ${attributeName(type)} must be ${size} byte(s), got ${value.length}`, 0, type, value.length);
  }
  return size === 1 ? value.readUInt8(0) : size === 2 ? value.readUInt16BE(0) : value.readUInt32BE(0);
}

/**
 * Allowed value lengths of attributes whose size the spec fixes or bounds; hostapd's
 * wps_attr_parse.c rejects the same. Device strings are not here: hostapd truncates
 * those instead (see device.ts).
 */
export const ATTRIBUTE_LENGTH: Readonly<Partial<Record<number, { min: number; max: number }>>> = {
  [AttributeType.Version]: { min: 1, max: 1 },
  [AttributeType.MessageType]: { min: 1, max: 1 },
  [AttributeType.EnrolleeNonce]: { min: 16, max: 16 },
  [AttributeType.RegistrarNonce]: { min: 16, max: 16 },
  [AttributeType.UuidE]: { min: 16, max: 16 },
  [AttributeType.UuidR]: { min: 16, max: 16 },
  [AttributeType.AuthenticationTypeFlags]: { min: 2, max: 2 },
  [AttributeType.EncryptionTypeFlags]: { min: 2, max: 2 },
  [AttributeType.ConnectionTypeFlags]: { min: 1, max: 1 },
  [AttributeType.ConfigMethods]: { min: 2, max: 2 },
  [AttributeType.SelectedRegistrarConfigMethods]: { min: 2, max: 2 },
  [AttributeType.PrimaryDeviceType]: { min: 8, max: 8 },
  [AttributeType.RequestedDeviceType]: { min: 8, max: 8 },
  [AttributeType.RfBands]: { min: 1, max: 1 },
  [AttributeType.AssociationState]: { min: 2, max: 2 },
  [AttributeType.ConfigurationError]: { min: 2, max: 2 },
  [AttributeType.DevicePasswordId]: { min: 2, max: 2 },
  [AttributeType.OsVersion]: { min: 4, max: 4 },
  [AttributeType.WifiProtectedSetupState]: { min: 1, max: 1 },
  [AttributeType.Authenticator]: { min: 8, max: 8 },
  [AttributeType.KeyWrapAuthenticator]: { min: 8, max: 8 },
  [AttributeType.EHash1]: { min: 32, max: 32 },
  [AttributeType.EHash2]: { min: 32, max: 32 },
  [AttributeType.RHash1]: { min: 32, max: 32 },
  [AttributeType.RHash2]: { min: 32, max: 32 },
  [AttributeType.ESnonce1]: { min: 16, max: 16 },
  [AttributeType.ESnonce2]: { min: 16, max: 16 },
  [AttributeType.RSnonce1]: { min: 16, max: 16 },
  [AttributeType.RSnonce2]: { min: 16, max: 16 },
  [AttributeType.AuthenticationType]: { min: 2, max: 2 },
  [AttributeType.EncryptionType]: { min: 2, max: 2 },
  [AttributeType.NetworkIndex]: { min: 1, max: 1 },
  [AttributeType.NetworkKeyIndex]: { min: 1, max: 1 },
  [AttributeType.MacAddress]: { min: 6, max: 6 },
  [AttributeType.SelectedRegistrar]: { min: 1, max: 1 },
  [AttributeType.RequestType]: { min: 1, max: 1 },
  [AttributeType.ResponseType]: { min: 1, max: 1 },
  [AttributeType.ApSetupLocked]: { min: 1, max: 1 },
  [AttributeType.Ssid]: { min: 0, max: 32 },
  [AttributeType.NetworkKey]: { min: 0, max: 64 },
  // hostapd accepts 190..192 bytes: some peers drop leading zero bytes of the DH value.
  [AttributeType.PublicKey]: { min: 190, max: 192 },
};

/** ATTRIBUTE_LENGTH as a Map: one lookup per attribute of every message built and parsed. */
const LENGTH_RULES = new Map<number, { min: number; max: number }>(Object.entries(ATTRIBUTE_LENGTH).map(([t, r]) => [Number(t), r as { min: number; max: number }]));

/** Undefined when the value's length is acceptable, else a sentence saying why not. */
export function attributeLengthProblem(type: number, length: number): string | undefined {
  const rule = LENGTH_RULES.get(type);
  if (rule === undefined || (length >= rule.min && length <= rule.max)) return undefined;
  const want = rule.min === rule.max ? `${rule.min}` : `${rule.min}..${rule.max}`;
  return `${attributeName(type)} must be ${want} byte(s), got ${length}`;
}
