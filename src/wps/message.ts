/**
 * WSC registration protocol messages (WSC 2.0 section 8.3: M1..M8, M2D, WSC_ACK,
 * WSC_NACK, WSC_Done): parsing into attributes, the mandatory attributes per
 * message, and builders in hostapd's attribute order. Messages with an
 * Authenticator are built without it; the caller computes it over the previous
 * and this message and appends it with withAuthenticator().
 */
import {
  AttributeType,
  WscParseError,
  attrU16,
  attrU8,
  attributeLengthProblem,
  attributeName,
  encodeAttributes,
  parseAttributes,
  writeAttribute,
  type Attribute,
} from './attributes.js';
import { AssociationState, ConfigError, ConnectionType, MessageType, WPS_VERSION, WPS_VERSION2 } from './values.js';
import { buildWfaExtension, isWfaVendorExtension, parseWfaExtension, type WfaExtension } from './vendor-ext.js';
import { buildDeviceAttributes, buildOsVersion, parseDeviceInfo, type DeviceInfo } from './device.js';
import { WpsdError } from '../common/errors.js';

/** hostapd keeps at most 10 other vendors' extensions per message and refuses more. */
export const MAX_VENDOR_EXTENSIONS = 10;
/** hostapd refuses a non-WFA Vendor Extension longer than 1024 bytes. */
export const MAX_VENDOR_EXTENSION_LEN = 1024;

export type WscProtocolErrorCode = 'MALFORMED' | 'MISSING_ATTRIBUTE' | 'BAD_ATTRIBUTE' | 'UNEXPECTED_MESSAGE';

export class WscProtocolError extends WpsdError<WscProtocolErrorCode> {
  constructor(
    code: WscProtocolErrorCode,
    message: string,
    readonly attrType?: number,
    readonly offset?: number,
  ) {
    super(code, message);
  }
}

export interface WscMessage {
  type: MessageType;
  /** The Version attribute: 0x10 from every WSC 1.0 and 2.0 peer. */
  version: number;
  raw: Buffer;
  /** Every attribute in order, unknown ones and vendor extensions included. */
  attrs: Attribute[];
  get(t: number): Buffer | undefined;
  getAll(t: number): Buffer[];
  /** The WFA Vendor Extension; absent from a WPS 1.0 peer. */
  wfa?: WfaExtension;
}

const MESSAGE_TYPE_NAMES = new Map<number, string>(Object.entries(MessageType).map(([n, v]) => [v, n]));
export function messageTypeName(t: number): string {
  return MESSAGE_TYPE_NAMES.get(t) ?? `Unknown 0x${t.toString(16).padStart(2, '0')}`;
}

/** True when the peer speaks WSC 2.0 (a Version2 subelement is present). */
export function isVersion2(msg: Pick<WscMessage, 'wfa'>): boolean {
  return msg.wfa?.version2 !== undefined;
}

/**
 * Parses one WSC message. Requires Version and Message Type; refuses a known
 * attribute of the wrong size (as hostapd's wps_parse_msg does), a malformed WFA
 * extension, or too many vendor extensions. Throws WscProtocolError only.
 */
/**
 * The attributes of a WSC message or of a WPS element's payload, checked as
 * hostapd's wps_parse_msg() checks them: every known attribute's length,
 * the WFA Vendor Extension (its first one; truncated subelements cut, as
 * hostapd reads them), other vendors' extensions bounded. A Message Type is
 * optional here (probe requests and beacons have none).
 */
export interface WscTlvs {
  raw: Buffer;
  /** Every attribute in order, unknown ones and vendor extensions included. */
  attrs: Attribute[];
  get(t: number): Buffer | undefined;
  getAll(t: number): Buffer[];
  /** The Message Type attribute, when present. */
  messageType: number | undefined;
  /** The WFA Vendor Extension; absent from a WPS 1.0 peer. */
  wfa?: WfaExtension;
}

export interface ParseWscTlvsOptions {
  /** hostapd's workarounds for broken peers (trailing zero padding, a Network Key whose length runs over). */
  workarounds?: boolean;
}

/** wps_parse_msg(); throws WscProtocolError ('MALFORMED' or 'BAD_ATTRIBUTE'). */
export function parseWscTlvs(raw: Uint8Array, opts: ParseWscTlvsOptions = {}): WscTlvs {
  const buf = Buffer.from(raw);
  let attrs: Attribute[];
  try {
    // Views of `buf`, this function's own copy, which nothing changes.
    attrs = parseAttributes(buf, { workarounds: opts.workarounds === true, views: true });
  } catch (e) {
    if (e instanceof WscParseError) throw new WscProtocolError('MALFORMED', e.message, e.attrType, e.offset);
    throw e;
  }
  let offset = 0;
  let wfa: WfaExtension | undefined;
  let vendorCount = 0;
  // The first of each type, for get(): messages are read attribute by attribute.
  const first = new Map<number, Buffer>();
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i] as Attribute;
    if (!first.has(a.type)) first.set(a.type, a.value);
    const problem = attributeLengthProblem(a.type, a.value.length);
    if (problem !== undefined) throw new WscProtocolError('BAD_ATTRIBUTE', `${problem} at offset ${offset}`, a.type, offset);
    if (a.type === AttributeType.VendorExtension) {
      if (isWfaVendorExtension(a.value)) {
        try {
          const ext = parseWfaExtensionLenient(a.value);
          wfa ??= ext;
        } catch (e) {
          if (e instanceof WscParseError) throw new WscProtocolError('BAD_ATTRIBUTE', `WFA vendor extension at offset ${offset}: ${e.message}`, a.type, offset);
          throw e;
        }
      } else {
        vendorCount++;
        if (vendorCount > MAX_VENDOR_EXTENSIONS) throw new WscProtocolError('BAD_ATTRIBUTE', `more than ${MAX_VENDOR_EXTENSIONS} vendor extensions`, a.type, offset);
        if (a.value.length > MAX_VENDOR_EXTENSION_LEN) {
          throw new WscProtocolError('BAD_ATTRIBUTE', `vendor extension of ${a.value.length} bytes at offset ${offset} exceeds ${MAX_VENDOR_EXTENSION_LEN}`, a.type, offset);
        }
      }
    }
    offset += 4 + a.value.length;
  }
  const get = (type: number): Buffer | undefined => first.get(type);
  const tlvs: WscTlvs = {
    raw: buf,
    attrs,
    get,
    getAll: (type) => attrs.filter((a) => a.type === type).map((a) => a.value),
    messageType: first.get(AttributeType.MessageType)?.[0],
  };
  if (wfa !== undefined) tlvs.wfa = wfa;
  return tlvs;
}

/** A WSC message: wps_parse_msg() plus the Version and a known Message Type; throws WscProtocolError. */
export function parseMessage(raw: Uint8Array): WscMessage {
  const { raw: buf, attrs, get, getAll, wfa } = parseWscTlvs(raw, { workarounds: true });
  const version = get(AttributeType.Version);
  if (version === undefined) throw new WscProtocolError('MISSING_ATTRIBUTE', 'message without Version', AttributeType.Version);
  const typeValue = get(AttributeType.MessageType);
  if (typeValue === undefined) throw new WscProtocolError('MISSING_ATTRIBUTE', 'message without MessageType', AttributeType.MessageType);
  const t = typeValue[0] as number;
  if (!MESSAGE_TYPE_NAMES.has(t)) throw new WscProtocolError('BAD_ATTRIBUTE', `unknown message type 0x${t.toString(16).padStart(2, '0')}`, AttributeType.MessageType);
  const msg: WscMessage = {
    type: t as MessageType,
    version: version[0] as number,
    raw: buf,
    attrs,
    get,
    getAll,
  };
  if (wfa !== undefined) msg.wfa = wfa;
  return msg;
}

/** hostapd reads WFA subelements up to a cut and ignores the rest; a wrong-sized known one is still an error. */
export function parseWfaExtensionLenient(value: Uint8Array): WfaExtension {
  try {
    return parseWfaExtension(value);
  } catch (e) {
    if (e instanceof WscParseError && (e.code === 'TRUNCATED_HEADER' || e.code === 'TRUNCATED_VALUE')) return parseWfaExtension(value.subarray(0, e.offset));
    throw e;
  }
}

const A = AttributeType;
const DEVICE_ATTRS = [A.Manufacturer, A.ModelName, A.ModelNumber, A.SerialNumber, A.PrimaryDeviceType, A.DeviceName] as const;

/** Mandatory attributes per message (WSC 2.0 section 8.3; what hostapd builds and checks). */
export const MANDATORY_ATTRIBUTES: Readonly<Record<number, readonly number[]>> = {
  [MessageType.M1]: [
    A.Version, A.MessageType, A.UuidE, A.MacAddress, A.EnrolleeNonce, A.PublicKey, A.AuthenticationTypeFlags,
    A.EncryptionTypeFlags, A.ConnectionTypeFlags, A.ConfigMethods, A.WifiProtectedSetupState, ...DEVICE_ATTRS,
    A.RfBands, A.AssociationState, A.DevicePasswordId, A.ConfigurationError, A.OsVersion,
  ],
  [MessageType.M2]: [
    A.Version, A.MessageType, A.EnrolleeNonce, A.RegistrarNonce, A.UuidR, A.PublicKey, A.AuthenticationTypeFlags,
    A.EncryptionTypeFlags, A.ConnectionTypeFlags, A.ConfigMethods, ...DEVICE_ATTRS, A.RfBands, A.AssociationState,
    A.ConfigurationError, A.DevicePasswordId, A.OsVersion, A.Authenticator,
  ],
  [MessageType.M2D]: [
    A.Version, A.MessageType, A.EnrolleeNonce, A.RegistrarNonce, A.UuidR, A.AuthenticationTypeFlags,
    A.EncryptionTypeFlags, A.ConnectionTypeFlags, A.ConfigMethods, ...DEVICE_ATTRS, A.RfBands, A.AssociationState,
    A.ConfigurationError, A.OsVersion,
  ],
  [MessageType.M3]: [A.Version, A.MessageType, A.RegistrarNonce, A.EHash1, A.EHash2, A.Authenticator],
  [MessageType.M4]: [A.Version, A.MessageType, A.EnrolleeNonce, A.RHash1, A.RHash2, A.EncryptedSettings, A.Authenticator],
  [MessageType.M5]: [A.Version, A.MessageType, A.RegistrarNonce, A.EncryptedSettings, A.Authenticator],
  [MessageType.M6]: [A.Version, A.MessageType, A.EnrolleeNonce, A.EncryptedSettings, A.Authenticator],
  [MessageType.M7]: [A.Version, A.MessageType, A.RegistrarNonce, A.EncryptedSettings, A.Authenticator],
  [MessageType.M8]: [A.Version, A.MessageType, A.EnrolleeNonce, A.EncryptedSettings, A.Authenticator],
  [MessageType.WscAck]: [A.Version, A.MessageType, A.EnrolleeNonce, A.RegistrarNonce],
  [MessageType.WscNack]: [A.Version, A.MessageType, A.EnrolleeNonce, A.RegistrarNonce, A.ConfigurationError],
  [MessageType.WscDone]: [A.Version, A.MessageType, A.EnrolleeNonce, A.RegistrarNonce],
};

/** Throws WscProtocolError('MISSING_ATTRIBUTE') naming the first attribute of `required` the message lacks. */
export function requireAttributes(msg: Pick<WscMessage, 'type' | 'get'>, required: readonly number[] = MANDATORY_ATTRIBUTES[msg.type] ?? []): void {
  for (const t of required) {
    if (msg.get(t) === undefined) {
      throw new WscProtocolError('MISSING_ATTRIBUTE', `${messageTypeName(msg.type)} without mandatory attribute ${attributeName(t)}`, t);
    }
  }
}

/** The message with its Authenticator attribute appended (8 bytes, computed by crypto.ts). */
export function withAuthenticator(body: Buffer, authenticator: Buffer): Buffer {
  if (authenticator.length !== 8) throw new WscProtocolError('BAD_ATTRIBUTE', `Authenticator must be 8 bytes, got ${authenticator.length}`, A.Authenticator);
  const out = Buffer.allocUnsafe(body.length + 4 + authenticator.length);
  body.copy(out, 0);
  writeAttribute(out, body.length, { type: A.Authenticator, value: authenticator });
  return out;
}

// ---------------------------------------------------------------- builders

/** Fields every builder takes. */
export interface CommonFields {
  /** Add the WFA extension with Version2 (WSC 2.0); default true. false = a WPS 1.0 message. */
  version2?: boolean;
  /** More WFA subelements (Multi-AP, Authorized MACs, ...); version2 here overrides 0x20. */
  wfa?: Partial<WfaExtension>;
  /** Attributes appended at the end (other vendors' extensions, as hostapd's vendor_ext_m1). */
  extra?: Attribute[];
}

/** The device strings of M1/M2/M2D; a whole DeviceInfo fits. */
export type DeviceStrings = Pick<DeviceInfo, 'manufacturer' | 'modelName' | 'modelNumber' | 'serialNumber' | 'primaryDeviceType' | 'deviceName'>;

export interface M1Fields extends CommonFields {
  uuidE: Buffer;
  macAddress: Buffer;
  enrolleeNonce: Buffer;
  publicKey: Buffer;
  authTypeFlags: number;
  encrTypeFlags: number;
  /** Default ConnectionType.Ess. */
  connTypeFlags?: number;
  configMethods: number;
  wpsState: number;
  device: DeviceStrings;
  rfBands: number;
  /** Default AssociationState.NotAssociated. */
  assocState?: number;
  devicePasswordId: number;
  /** Default ConfigError.NoError. */
  configError?: number;
  /** Without the reserved top bit (buildOsVersion sets it). */
  osVersion: number;
}

export interface M2DFields extends CommonFields {
  enrolleeNonce: Buffer;
  registrarNonce: Buffer;
  uuidR: Buffer;
  authTypeFlags: number;
  encrTypeFlags: number;
  connTypeFlags?: number;
  configMethods: number;
  device: DeviceStrings;
  rfBands: number;
  assocState?: number;
  configError?: number;
  osVersion: number;
}

export interface M2Fields extends M2DFields {
  publicKey: Buffer;
  devicePasswordId: number;
  /** Only with an NFC password token whose public key hash was provided OOB (hostapd). */
  encryptedSettings?: Buffer;
}

export interface M3Fields extends CommonFields {
  registrarNonce: Buffer;
  eHash1: Buffer;
  eHash2: Buffer;
}

export interface M4Fields extends CommonFields {
  enrolleeNonce: Buffer;
  rHash1: Buffer;
  rHash2: Buffer;
  encryptedSettings: Buffer;
}

/** M5 and M7 (Enrollee to Registrar). */
export interface M5Fields extends CommonFields {
  registrarNonce: Buffer;
  encryptedSettings: Buffer;
}
export type M7Fields = M5Fields;

/** M6 and M8 (Registrar to Enrollee). */
export interface M6Fields extends CommonFields {
  enrolleeNonce: Buffer;
  encryptedSettings: Buffer;
}
export type M8Fields = M6Fields;

export interface AckFields extends CommonFields {
  enrolleeNonce: Buffer;
  registrarNonce: Buffer;
}
export type DoneFields = AckFields;
export interface NackFields extends AckFields {
  configError: number;
}

/** Version and Message Type of every message type, built once; encoding only reads them. */
const HEADERS = new Map<number, readonly Attribute[]>(
  Object.values(MessageType).map((t) => [t, [attrU8(A.Version, WPS_VERSION), attrU8(A.MessageType, t)]]),
);

function header(type: MessageType): readonly Attribute[] {
  return HEADERS.get(type) ?? [attrU8(A.Version, WPS_VERSION), attrU8(A.MessageType, type)];
}

/** The tail of nearly every message we send: the WFA extension with Version2 alone, built once. */
const VERSION2_TAIL: readonly Attribute[] = [buildWfaExtension({ version2: WPS_VERSION2 })];
const NO_TAIL: readonly Attribute[] = [];

function tail(f: CommonFields): readonly Attribute[] {
  if (f.wfa === undefined && (f.extra === undefined || f.extra.length === 0)) return (f.version2 ?? true) ? VERSION2_TAIL : NO_TAIL;
  const out: Attribute[] = [];
  const v2 = f.version2 ?? true;
  const wfa: Partial<WfaExtension> = { ...f.wfa };
  if (v2) wfa.version2 ??= WPS_VERSION2;
  else delete wfa.version2;
  const hasSub = Object.entries(wfa).some(([k, v]) => v !== undefined && !(k === 'unknown' && Array.isArray(v) && v.length === 0));
  if (hasSub) out.push(buildWfaExtension(wfa));
  out.push(...(f.extra ?? []));
  return out;
}

/** Encodes after checking every fixed-size attribute, so a wrong-sized nonce or key fails here and not at the peer. */
function finish(attrs: readonly Attribute[]): Buffer {
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i] as Attribute;
    const problem = attributeLengthProblem(a.type, a.value.length);
    if (problem !== undefined) throw new WscProtocolError('BAD_ATTRIBUTE', problem, a.type);
  }
  return encodeAttributes(attrs);
}

/**
 * An attribute over a caller's buffer without a copy: the builders only
 * encode it (one copy, into the message) and never keep it.
 */
function ref(type: number, value: Buffer): Attribute {
  return { type, value };
}

export function buildM1(f: M1Fields): Buffer {
  return finish([
    ...header(MessageType.M1),
    ref(A.UuidE, f.uuidE),
    ref(A.MacAddress, f.macAddress),
    ref(A.EnrolleeNonce, f.enrolleeNonce),
    ref(A.PublicKey, f.publicKey),
    attrU16(A.AuthenticationTypeFlags, f.authTypeFlags),
    attrU16(A.EncryptionTypeFlags, f.encrTypeFlags),
    attrU8(A.ConnectionTypeFlags, f.connTypeFlags ?? ConnectionType.Ess),
    attrU16(A.ConfigMethods, f.configMethods),
    attrU8(A.WifiProtectedSetupState, f.wpsState),
    ...buildDeviceAttributes(f.device),
    attrU8(A.RfBands, f.rfBands),
    attrU16(A.AssociationState, f.assocState ?? AssociationState.NotAssociated),
    attrU16(A.DevicePasswordId, f.devicePasswordId),
    attrU16(A.ConfigurationError, f.configError ?? ConfigError.NoError),
    buildOsVersion(f.osVersion),
    ...tail(f),
  ]);
}

function m2Common(f: M2DFields, type: MessageType, withKey: Buffer | undefined): Attribute[] {
  return [
    ...header(type),
    ref(A.EnrolleeNonce, f.enrolleeNonce),
    ref(A.RegistrarNonce, f.registrarNonce),
    ref(A.UuidR, f.uuidR),
    ...(withKey !== undefined ? [ref(A.PublicKey, withKey)] : []),
    attrU16(A.AuthenticationTypeFlags, f.authTypeFlags),
    attrU16(A.EncryptionTypeFlags, f.encrTypeFlags),
    attrU8(A.ConnectionTypeFlags, f.connTypeFlags ?? ConnectionType.Ess),
    attrU16(A.ConfigMethods, f.configMethods),
    ...buildDeviceAttributes(f.device),
    attrU8(A.RfBands, f.rfBands),
    attrU16(A.AssociationState, f.assocState ?? AssociationState.NotAssociated),
    attrU16(A.ConfigurationError, f.configError ?? ConfigError.NoError),
  ];
}

/** M2 without its Authenticator. */
export function buildM2(f: M2Fields): Buffer {
  const t = tail(f);
  const wfaFirst = t.filter((a) => a.type === A.VendorExtension && isWfaVendorExtension(a.value));
  const rest = t.filter((a) => !wfaFirst.includes(a));
  return finish([
    ...m2Common(f, MessageType.M2, f.publicKey),
    attrU16(A.DevicePasswordId, f.devicePasswordId),
    buildOsVersion(f.osVersion),
    ...wfaFirst,
    // hostapd puts the optional Encrypted Settings after the WFA extension.
    ...(f.encryptedSettings !== undefined ? [ref(A.EncryptedSettings, f.encryptedSettings)] : []),
    ...rest,
  ]);
}

/** M2D: the Registrar's device data without key exchange (no Public Key, Device Password ID, Authenticator). */
export function buildM2D(f: M2DFields): Buffer {
  return finish([...m2Common(f, MessageType.M2D, undefined), buildOsVersion(f.osVersion), ...tail(f)]);
}

/** M3 without its Authenticator. */
export function buildM3(f: M3Fields): Buffer {
  return finish([...header(MessageType.M3), ref(A.RegistrarNonce, f.registrarNonce), ref(A.EHash1, f.eHash1), ref(A.EHash2, f.eHash2), ...tail(f)]);
}

/** M4 without its Authenticator; encryptedSettings holds R-SNonce1 (encrypted by crypto.ts). */
export function buildM4(f: M4Fields): Buffer {
  return finish([
    ...header(MessageType.M4),
    ref(A.EnrolleeNonce, f.enrolleeNonce),
    ref(A.RHash1, f.rHash1),
    ref(A.RHash2, f.rHash2),
    ref(A.EncryptedSettings, f.encryptedSettings),
    ...tail(f),
  ]);
}

function encryptedOnly(type: MessageType, nonceType: number, nonce: Buffer, f: CommonFields & { encryptedSettings: Buffer }): Buffer {
  return finish([...header(type), ref(nonceType, nonce), ref(A.EncryptedSettings, f.encryptedSettings), ...tail(f)]);
}

/** M5 without its Authenticator; encryptedSettings holds E-SNonce1. */
export function buildM5(f: M5Fields): Buffer {
  return encryptedOnly(MessageType.M5, A.RegistrarNonce, f.registrarNonce, f);
}
/** M6 without its Authenticator; encryptedSettings holds R-SNonce2. */
export function buildM6(f: M6Fields): Buffer {
  return encryptedOnly(MessageType.M6, A.EnrolleeNonce, f.enrolleeNonce, f);
}
/** M7 without its Authenticator; encryptedSettings holds E-SNonce2 (+ AP Settings from an AP). */
export function buildM7(f: M7Fields): Buffer {
  return encryptedOnly(MessageType.M7, A.RegistrarNonce, f.registrarNonce, f);
}
/** M8 without its Authenticator; encryptedSettings holds Credential(s) or AP Settings. */
export function buildM8(f: M8Fields): Buffer {
  return encryptedOnly(MessageType.M8, A.EnrolleeNonce, f.enrolleeNonce, f);
}

export function buildWscAck(f: AckFields): Buffer {
  return finish([...header(MessageType.WscAck), ref(A.EnrolleeNonce, f.enrolleeNonce), ref(A.RegistrarNonce, f.registrarNonce), ...tail(f)]);
}

export function buildWscNack(f: NackFields): Buffer {
  return finish([
    ...header(MessageType.WscNack),
    ref(A.EnrolleeNonce, f.enrolleeNonce),
    ref(A.RegistrarNonce, f.registrarNonce),
    attrU16(A.ConfigurationError, f.configError),
    ...tail(f),
  ]);
}

export function buildWscDone(f: DoneFields): Buffer {
  return finish([...header(MessageType.WscDone), ref(A.EnrolleeNonce, f.enrolleeNonce), ref(A.RegistrarNonce, f.registrarNonce), ...tail(f)]);
}

// ---------------------------------------------------------------- readers

/** Attributes the readers turn into fields; all others come back in `extra`. */
const READ_FIELDS = new Set<number>([
  A.Version, A.MessageType, A.UuidE, A.UuidR, A.MacAddress, A.EnrolleeNonce, A.RegistrarNonce, A.PublicKey,
  A.AuthenticationTypeFlags, A.EncryptionTypeFlags, A.ConnectionTypeFlags, A.ConfigMethods, A.WifiProtectedSetupState,
  ...DEVICE_ATTRS, A.RfBands, A.AssociationState, A.DevicePasswordId, A.ConfigurationError, A.OsVersion,
  A.EHash1, A.EHash2, A.RHash1, A.RHash2, A.EncryptedSettings, A.Authenticator,
]);

function expect(msg: WscMessage, type: MessageType): void {
  if (msg.type !== type) {
    throw new WscProtocolError('UNEXPECTED_MESSAGE', `expected ${messageTypeName(type)}, got ${messageTypeName(msg.type)}`, A.MessageType);
  }
  requireAttributes(msg);
}

/** Adds the fields every reader returns (version2, wfa, the attributes it did not read) to `fields`. */
function withCommon<T extends object>(msg: WscMessage, fields: T): T & CommonFields {
  const c = fields as T & CommonFields;
  c.version2 = isVersion2(msg);
  if (msg.wfa !== undefined) c.wfa = msg.wfa;
  let extra: Attribute[] | undefined;
  let firstWfaSeen = false;
  const attrs = msg.attrs;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i] as Attribute;
    if (READ_FIELDS.has(a.type)) continue;
    if (!firstWfaSeen && a.type === A.VendorExtension && isWfaVendorExtension(a.value)) {
      firstWfaSeen = true;
      continue;
    }
    (extra ??= []).push(a);
  }
  if (extra !== undefined) c.extra = extra;
  return c;
}

/** The value of a mandatory attribute that requireAttributes has already checked. */
function must(msg: WscMessage, t: number): Buffer {
  const v = msg.get(t);
  if (v === undefined) throw new WscProtocolError('MISSING_ATTRIBUTE', `${messageTypeName(msg.type)} without ${attributeName(t)}`, t);
  return v;
}
const u8 = (msg: WscMessage, t: number): number => must(msg, t).readUInt8(0);
const u16 = (msg: WscMessage, t: number): number => must(msg, t).readUInt16BE(0);

function device(msg: WscMessage): DeviceInfo {
  try {
    return parseDeviceInfo((t) => msg.get(t));
  } catch (e) {
    if (e instanceof WscParseError) throw new WscProtocolError('BAD_ATTRIBUTE', e.message, e.attrType);
    throw e;
  }
}

/** M1's fields; `device` is the whole DeviceInfo the message describes. */
export function readM1(msg: WscMessage): M1Fields & { device: DeviceInfo } {
  expect(msg, MessageType.M1);
  const dev = device(msg);
  return withCommon(msg, {
    uuidE: must(msg, A.UuidE),
    macAddress: must(msg, A.MacAddress),
    enrolleeNonce: must(msg, A.EnrolleeNonce),
    publicKey: must(msg, A.PublicKey),
    authTypeFlags: u16(msg, A.AuthenticationTypeFlags),
    encrTypeFlags: u16(msg, A.EncryptionTypeFlags),
    connTypeFlags: u8(msg, A.ConnectionTypeFlags),
    configMethods: u16(msg, A.ConfigMethods),
    wpsState: u8(msg, A.WifiProtectedSetupState),
    device: dev,
    rfBands: u8(msg, A.RfBands),
    assocState: u16(msg, A.AssociationState),
    devicePasswordId: u16(msg, A.DevicePasswordId),
    configError: u16(msg, A.ConfigurationError),
    osVersion: dev.osVersion,
  });
}

function readM2Common(msg: WscMessage): M2DFields & { device: DeviceInfo } {
  const dev = device(msg);
  return withCommon(msg, {
    enrolleeNonce: must(msg, A.EnrolleeNonce),
    registrarNonce: must(msg, A.RegistrarNonce),
    uuidR: must(msg, A.UuidR),
    authTypeFlags: u16(msg, A.AuthenticationTypeFlags),
    encrTypeFlags: u16(msg, A.EncryptionTypeFlags),
    connTypeFlags: u8(msg, A.ConnectionTypeFlags),
    configMethods: u16(msg, A.ConfigMethods),
    device: dev,
    rfBands: u8(msg, A.RfBands),
    assocState: u16(msg, A.AssociationState),
    configError: u16(msg, A.ConfigurationError),
    osVersion: dev.osVersion,
  });
}

export function readM2(msg: WscMessage): M2Fields & { device: DeviceInfo } {
  expect(msg, MessageType.M2);
  const f = readM2Common(msg) as M2Fields & { device: DeviceInfo };
  f.publicKey = must(msg, A.PublicKey);
  f.devicePasswordId = u16(msg, A.DevicePasswordId);
  const es = msg.get(A.EncryptedSettings);
  if (es !== undefined) f.encryptedSettings = es;
  return f;
}

export function readM2D(msg: WscMessage): M2DFields & { device: DeviceInfo } {
  expect(msg, MessageType.M2D);
  return readM2Common(msg);
}

export function readM3(msg: WscMessage): M3Fields {
  expect(msg, MessageType.M3);
  return withCommon(msg, { registrarNonce: must(msg, A.RegistrarNonce), eHash1: must(msg, A.EHash1), eHash2: must(msg, A.EHash2) });
}

export function readM4(msg: WscMessage): M4Fields {
  expect(msg, MessageType.M4);
  return withCommon(msg, {
    enrolleeNonce: must(msg, A.EnrolleeNonce),
    rHash1: must(msg, A.RHash1),
    rHash2: must(msg, A.RHash2),
    encryptedSettings: must(msg, A.EncryptedSettings),
  });
}

export function readM5(msg: WscMessage): M5Fields {
  expect(msg, MessageType.M5);
  return withCommon(msg, { registrarNonce: must(msg, A.RegistrarNonce), encryptedSettings: must(msg, A.EncryptedSettings) });
}
export function readM6(msg: WscMessage): M6Fields {
  expect(msg, MessageType.M6);
  return withCommon(msg, { enrolleeNonce: must(msg, A.EnrolleeNonce), encryptedSettings: must(msg, A.EncryptedSettings) });
}
export function readM7(msg: WscMessage): M7Fields {
  expect(msg, MessageType.M7);
  return withCommon(msg, { registrarNonce: must(msg, A.RegistrarNonce), encryptedSettings: must(msg, A.EncryptedSettings) });
}
export function readM8(msg: WscMessage): M8Fields {
  expect(msg, MessageType.M8);
  return withCommon(msg, { enrolleeNonce: must(msg, A.EnrolleeNonce), encryptedSettings: must(msg, A.EncryptedSettings) });
}

export function readWscAck(msg: WscMessage): AckFields {
  expect(msg, MessageType.WscAck);
  return withCommon(msg, { enrolleeNonce: must(msg, A.EnrolleeNonce), registrarNonce: must(msg, A.RegistrarNonce) });
}
export function readWscNack(msg: WscMessage): NackFields {
  expect(msg, MessageType.WscNack);
  return withCommon(msg, { enrolleeNonce: must(msg, A.EnrolleeNonce), registrarNonce: must(msg, A.RegistrarNonce), configError: u16(msg, A.ConfigurationError) });
}
export function readWscDone(msg: WscMessage): DoneFields {
  expect(msg, MessageType.WscDone);
  return withCommon(msg, { enrolleeNonce: must(msg, A.EnrolleeNonce), registrarNonce: must(msg, A.RegistrarNonce) });
}

/** The message's Authenticator (last attribute of M2..M8), if any. */
export function authenticatorOf(msg: WscMessage): Buffer | undefined {
  const last = msg.attrs[msg.attrs.length - 1];
  return last?.type === A.Authenticator ? last.value : undefined;
}
