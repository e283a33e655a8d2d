/**
 * A dissector for WSC attribute streams: bytes in, a tree of named attributes
 * with human-readable values out. Total: a cut or malformed stream yields what
 * decoded before the problem plus a record of the problem, never an exception.
 * Network keys and secret nonces are masked unless showKeys is set.
 */
import { AttributeType, WscParseError, attributeLengthProblem, attributeName, parseAttributes, type Attribute } from './attributes.js';
import {
  AUTH_TYPE_TEXT,
  AssociationState,
  ConfigError,
  ConfigMethods,
  ConnectionType,
  DeviceCategory,
  DevicePasswordId,
  ENCR_TYPE_TEXT,
  MessageType,
  RequestType,
  ResponseType,
  RfBand,
  WpsState,
  flagNames,
  valueName,
} from './values.js';
import { MultiApBits, WfaSubelement, isWfaVendorExtension, parseWfaSubelements, wfaSubelementLengthProblem, wfaSubelementName, type WfaSubelementRaw } from './vendor-ext.js';
import { formatDeviceType, formatUuid } from './device.js';
import { parseOobDevicePassword, type OobDevicePassword } from './nfc/oob-device-password.js';
import { formatMac } from '../common/mac.js';

/** The specification's names for attributes, as a dissector shows them. */
const DISPLAY_NAMES: Readonly<Record<number, string>> = {
  [AttributeType.ApChannel]: 'AP Channel',
  [AttributeType.AssociationState]: 'Association State',
  [AttributeType.AuthenticationType]: 'Authentication Type',
  [AttributeType.AuthenticationTypeFlags]: 'Authentication Type Flags',
  [AttributeType.Authenticator]: 'Authenticator',
  [AttributeType.ConfigMethods]: 'Config Methods',
  [AttributeType.ConfigurationError]: 'Configuration Error',
  [AttributeType.ConfirmationUrl4]: 'Confirmation URL4',
  [AttributeType.ConfirmationUrl6]: 'Confirmation URL6',
  [AttributeType.ConnectionType]: 'Connection Type',
  [AttributeType.ConnectionTypeFlags]: 'Connection Type Flags',
  [AttributeType.Credential]: 'Credential',
  [AttributeType.EncryptionType]: 'Encryption Type',
  [AttributeType.EncryptionTypeFlags]: 'Encryption Type Flags',
  [AttributeType.DeviceName]: 'Device Name',
  [AttributeType.DevicePasswordId]: 'Device Password ID',
  [AttributeType.EHash1]: 'E-Hash1',
  [AttributeType.EHash2]: 'E-Hash2',
  [AttributeType.ESnonce1]: 'E-SNonce1',
  [AttributeType.ESnonce2]: 'E-SNonce2',
  [AttributeType.EncryptedSettings]: 'Encrypted Settings',
  [AttributeType.EnrolleeNonce]: 'Enrollee Nonce',
  [AttributeType.FeatureId]: 'Feature ID',
  [AttributeType.Identity]: 'Identity',
  [AttributeType.IdentityProof]: 'Identity Proof',
  [AttributeType.KeyWrapAuthenticator]: 'Key Wrap Authenticator',
  [AttributeType.KeyIdentifier]: 'Key Identifier',
  [AttributeType.MacAddress]: 'MAC Address',
  [AttributeType.Manufacturer]: 'Manufacturer',
  [AttributeType.MessageType]: 'Message Type',
  [AttributeType.ModelName]: 'Model Name',
  [AttributeType.ModelNumber]: 'Model Number',
  [AttributeType.NetworkIndex]: 'Network Index',
  [AttributeType.NetworkKey]: 'Network Key',
  [AttributeType.NetworkKeyIndex]: 'Network Key Index',
  [AttributeType.NewDeviceName]: 'New Device Name',
  [AttributeType.NewPassword]: 'New Password',
  [AttributeType.OobDevicePassword]: 'OOB Device Password',
  [AttributeType.OsVersion]: 'OS Version',
  [AttributeType.PowerLevel]: 'Power Level',
  [AttributeType.PskCurrent]: 'PSK Current',
  [AttributeType.PskMax]: 'PSK Max',
  [AttributeType.PublicKey]: 'Public Key',
  [AttributeType.RadioEnabled]: 'Radio Enabled',
  [AttributeType.Reboot]: 'Reboot',
  [AttributeType.RegistrarCurrent]: 'Registrar Current',
  [AttributeType.RegistrarEstablished]: 'Registrar Established',
  [AttributeType.RegistrarList]: 'Registrar List',
  [AttributeType.RegistrarMax]: 'Registrar Max',
  [AttributeType.RegistrarNonce]: 'Registrar Nonce',
  [AttributeType.RequestType]: 'Request Type',
  [AttributeType.ResponseType]: 'Response Type',
  [AttributeType.RfBands]: 'RF Bands',
  [AttributeType.RHash1]: 'R-Hash1',
  [AttributeType.RHash2]: 'R-Hash2',
  [AttributeType.RSnonce1]: 'R-SNonce1',
  [AttributeType.RSnonce2]: 'R-SNonce2',
  [AttributeType.SelectedRegistrar]: 'Selected Registrar',
  [AttributeType.SerialNumber]: 'Serial Number',
  [AttributeType.WifiProtectedSetupState]: 'Wi-Fi Protected Setup State',
  [AttributeType.Ssid]: 'SSID',
  [AttributeType.TotalNetworks]: 'Total Networks',
  [AttributeType.UuidE]: 'UUID-E',
  [AttributeType.UuidR]: 'UUID-R',
  [AttributeType.VendorExtension]: 'Vendor Extension',
  [AttributeType.Version]: 'Version',
  [AttributeType.X509CertificateRequest]: 'X.509 Certificate Request',
  [AttributeType.X509Certificate]: 'X.509 Certificate',
  [AttributeType.EapIdentity]: 'EAP Identity',
  [AttributeType.MessageCounter]: 'Message Counter',
  [AttributeType.PublicKeyHash]: 'Public Key Hash',
  [AttributeType.RekeyKey]: 'Rekey Key',
  [AttributeType.KeyLifetime]: 'Key Lifetime',
  [AttributeType.PermittedConfigMethods]: 'Permitted Config Methods',
  [AttributeType.SelectedRegistrarConfigMethods]: 'Selected Registrar Config Methods',
  [AttributeType.PrimaryDeviceType]: 'Primary Device Type',
  [AttributeType.SecondaryDeviceTypeList]: 'Secondary Device Type List',
  [AttributeType.PortableDevice]: 'Portable Device',
  [AttributeType.ApSetupLocked]: 'AP Setup Locked',
  [AttributeType.ApplicationExtension]: 'Application Extension',
  [AttributeType.EapType]: 'EAP Type',
  [AttributeType.InitializationVector]: 'Initialization Vector',
  [AttributeType.KeyProvidedAutomatically]: 'Key Provided Automatically',
  [AttributeType.Enabled8021X]: '802.1X Enabled',
  [AttributeType.AppSessionKey]: 'AppSessionKey',
  [AttributeType.WepTransmitKey]: 'WEPTransmitKey',
  [AttributeType.RequestedDeviceType]: 'Requested Device Type',
  [AttributeType.ExtensibilityTest]: 'Extensibility Test',
};

/** The specification's display name of an attribute ("SSID", "MAC Address"), or "Unknown 0x1234". */
export function attributeDisplayName(type: number): string {
  return DISPLAY_NAMES[type] ?? attributeName(type);
}

/** Attributes whose value is secret: shown only with showKeys. */
const SECRET_ATTRIBUTES = new Set<number>([
  AttributeType.NetworkKey,
  AttributeType.NewPassword,
  AttributeType.OobDevicePassword,
  AttributeType.ESnonce1,
  AttributeType.ESnonce2,
  AttributeType.RSnonce1,
  AttributeType.RSnonce2,
  AttributeType.AppSessionKey,
  AttributeType.RekeyKey,
]);

/** Attributes that hold TLVs themselves. */
const NESTED_ATTRIBUTES = new Set<number>([AttributeType.Credential]);

/** Nesting deeper than this is shown as bytes: a Credential in a Credential is already odd. */
export const MAX_DECODE_DEPTH = 4;

export interface TruncatedRecord {
  /** Display name of the cut attribute, or "attribute header" when fewer than 4 bytes remain. */
  attribute: string;
  type?: number;
  /** Offset of the cut attribute's header in the input. */
  offset: number;
  declared: number;
  present: number;
  message: string;
}

export interface DecodedNode {
  kind: 'attribute' | 'subelement';
  /** Attribute type (16 bits) or subelement ID (8 bits). */
  type: number;
  /** The same in hex: "0x1045", "0x06". */
  typeHex: string;
  name: string;
  /** Offset of the header in the whole input. */
  offset: number;
  length: number;
  /** Human-readable value; absent for containers without a value of their own. */
  value?: string;
  /** Hex of the value; absent when masked. */
  hex?: string;
  masked?: boolean;
  /** Something wrong with this item (wrong size, bad subelement, ...). */
  problem?: string;
  children?: DecodedNode[];
  /** The children stream was cut. */
  truncated?: TruncatedRecord;
}

export interface DecodeResult {
  /** Message type name when the stream carries a Message Type attribute. */
  messageType?: string;
  length: number;
  attributes: DecodedNode[];
  truncated?: TruncatedRecord;
}

export interface DecodeOptions {
  showKeys?: boolean;
}

function hex(b: Buffer): string {
  return b.toString('hex');
}

function named(table: Readonly<Record<string, number>>, v: number, width: number): string {
  const n = valueName(table, v);
  const h = `0x${v.toString(16).padStart(width, '0')}`;
  return n === undefined ? `${h} (unknown)` : `${n} (${h})`;
}

function flags(table: Readonly<Record<string, number>>, v: number, width: number): string {
  const names = flagNames(table, v);
  return `${names.length > 0 ? names.join('|') : 'none'} (0x${v.toString(16).padStart(width, '0')})`;
}

function textTypeFlags(text: Readonly<Record<number, string>>, v: number): string {
  const names: string[] = [];
  let rest = v;
  for (let bit = 1; bit <= 0x8000; bit <<= 1) {
    if ((v & bit) !== 0 && text[bit] !== undefined) {
      names.push(text[bit] ?? '');
      rest &= ~bit;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return `${names.length > 0 ? names.join('|') : 'none'} (0x${v.toString(16).padStart(4, '0')})`;
}

/** A string shown quoted when it is printable UTF-8, else as hex. */
function quoted(b: Buffer): string {
  const s = b.toString('utf8');
  // eslint-disable-next-line no-control-regex
  if (Buffer.from(s, 'utf8').equals(b) && !/[\u0000-\u001f\u007f]/.test(s)) return JSON.stringify(s);
  return `hex ${hex(b)}`;
}

const CATEGORY_NAMES = new Map<number, string>(Object.entries(DeviceCategory).map(([n, v]) => [v, n]));

function numberValue(type: number, v: Buffer): string | undefined {
  const u8 = v.length === 1 ? v.readUInt8(0) : undefined;
  const u16 = v.length === 2 ? v.readUInt16BE(0) : undefined;
  switch (type) {
    case AttributeType.Version:
      return u8 === undefined ? undefined : `0x${u8.toString(16)} (${u8 >> 4}.${u8 & 0xf})`;
    case AttributeType.MessageType:
      return u8 === undefined ? undefined : named(MessageType, u8, 2);
    case AttributeType.AuthenticationType:
    case AttributeType.AuthenticationTypeFlags:
      return u16 === undefined ? undefined : textTypeFlags(AUTH_TYPE_TEXT, u16);
    case AttributeType.EncryptionType:
    case AttributeType.EncryptionTypeFlags:
      return u16 === undefined ? undefined : textTypeFlags(ENCR_TYPE_TEXT, u16);
    case AttributeType.ConnectionType:
    case AttributeType.ConnectionTypeFlags:
      return u8 === undefined ? undefined : flags(ConnectionType, u8, 2);
    case AttributeType.ConfigMethods:
    case AttributeType.SelectedRegistrarConfigMethods:
    case AttributeType.PermittedConfigMethods:
      return u16 === undefined ? undefined : flags(ConfigMethods, u16, 4);
    case AttributeType.WifiProtectedSetupState:
      return u8 === undefined ? undefined : named(WpsState, u8, 2);
    case AttributeType.RfBands:
      return u8 === undefined ? undefined : flags(RfBand, u8, 2);
    case AttributeType.AssociationState:
      return u16 === undefined ? undefined : named(AssociationState, u16, 4);
    case AttributeType.ConfigurationError:
      return u16 === undefined ? undefined : named(ConfigError, u16, 4);
    case AttributeType.DevicePasswordId:
      return u16 === undefined ? undefined : named(DevicePasswordId, u16, 4);
    case AttributeType.RequestType:
      return u8 === undefined ? undefined : named(RequestType, u8, 2);
    case AttributeType.ResponseType:
      return u8 === undefined ? undefined : named(ResponseType, u8, 2);
    case AttributeType.SelectedRegistrar:
    case AttributeType.ApSetupLocked:
    case AttributeType.PortableDevice:
    case AttributeType.KeyProvidedAutomatically:
    case AttributeType.Enabled8021X:
    case AttributeType.RadioEnabled:
    case AttributeType.Reboot:
    case AttributeType.RegistrarEstablished:
      return u8 === undefined ? undefined : `${u8 !== 0 ? 'true' : 'false'} (${u8})`;
    case AttributeType.NetworkIndex:
    case AttributeType.NetworkKeyIndex:
    case AttributeType.TotalNetworks:
    case AttributeType.WepTransmitKey:
    case AttributeType.PowerLevel:
    case AttributeType.PskCurrent:
    case AttributeType.PskMax:
    case AttributeType.RegistrarCurrent:
    case AttributeType.RegistrarMax:
    case AttributeType.EapType:
      return u8 !== undefined ? `${u8}` : u16 !== undefined ? `${u16}` : undefined;
    case AttributeType.OsVersion:
    case AttributeType.KeyLifetime:
    case AttributeType.MessageCounter:
      return v.length === 4 ? `0x${v.readUInt32BE(0).toString(16).padStart(8, '0')}` : undefined;
    default:
      return undefined;
  }
}

function deviceTypeValue(v: Buffer): string {
  const cat = CATEGORY_NAMES.get(v.readUInt16BE(0));
  return cat === undefined ? formatDeviceType(v) : `${formatDeviceType(v)} (${cat})`;
}

function attributeValue(a: Attribute): string {
  const v = a.value;
  const n = numberValue(a.type, v);
  if (n !== undefined) return n;
  switch (a.type) {
    case AttributeType.MacAddress:
      return v.length === 6 ? formatMac(v) : hex(v);
    case AttributeType.UuidE:
    case AttributeType.UuidR:
      return v.length === 16 ? formatUuid(v) : hex(v);
    case AttributeType.PrimaryDeviceType:
    case AttributeType.RequestedDeviceType:
      return v.length === 8 ? deviceTypeValue(v) : hex(v);
    case AttributeType.SecondaryDeviceTypeList:
      return v.length % 8 === 0 && v.length > 0
        ? Array.from({ length: v.length / 8 }, (_, i) => deviceTypeValue(v.subarray(i * 8, i * 8 + 8))).join(', ')
        : hex(v);
    case AttributeType.Ssid:
    case AttributeType.Manufacturer:
    case AttributeType.ModelName:
    case AttributeType.ModelNumber:
    case AttributeType.SerialNumber:
    case AttributeType.DeviceName:
    case AttributeType.NewDeviceName:
    case AttributeType.NetworkKey:
    case AttributeType.NewPassword:
    case AttributeType.Identity:
    case AttributeType.EapIdentity:
    case AttributeType.ConfirmationUrl4:
    case AttributeType.ConfirmationUrl6:
      return quoted(v);
    case AttributeType.EncryptedSettings:
      return v.length >= 16 ? `IV ${hex(v.subarray(0, 16))}, ${v.length - 16} bytes of ciphertext` : hex(v);
    default:
      return hex(v);
  }
}

function plural(n: number): string {
  return n === 1 ? '1 byte' : `${n} bytes`;
}

function truncatedRecord(e: WscParseError, base: number, kind: 'attribute' | 'subelement', name: (t: number) => string): TruncatedRecord {
  const offset = base + e.offset;
  const present = e.present ?? 0;
  const declared = e.declared ?? 0;
  if (e.code === 'TRUNCATED_HEADER') {
    return { attribute: `${kind} header`, offset, declared, present, message: `truncated ${kind} header at offset ${offset}: ${declared} bytes needed, ${present} present` };
  }
  const t = e.attrType;
  const label = t === undefined ? `${kind}` : `${name(t)} (0x${t.toString(16).padStart(kind === 'attribute' ? 4 : 2, '0')})`;
  const rec: TruncatedRecord = {
    attribute: t === undefined ? kind : name(t),
    offset,
    declared,
    present,
    message: `truncated ${label} at offset ${offset}: ${plural(declared)} declared, ${present} present`,
  };
  if (t !== undefined) rec.type = t;
  return rec;
}

/** Splits TLVs tolerantly: everything before a cut, plus the cut. */
function splitAttributes(buf: Buffer): { attrs: Attribute[]; cut?: WscParseError } {
  try {
    return { attrs: parseAttributes(buf) };
  } catch (e) {
    if (!(e instanceof WscParseError)) throw e;
    return { attrs: parseAttributes(buf.subarray(0, e.offset)), cut: e };
  }
}

function splitSubelements(value: Buffer): { subs: WfaSubelementRaw[]; cut?: WscParseError } {
  try {
    return { subs: parseWfaSubelements(value) };
  } catch (e) {
    if (!(e instanceof WscParseError)) throw e;
    return { subs: parseWfaSubelements(value.subarray(0, e.offset)), cut: e };
  }
}

function subelementValue(s: WfaSubelementRaw): string {
  const v = s.value;
  switch (s.id) {
    case WfaSubelement.Version2:
      return `0x${v.readUInt8(0).toString(16)} (${v.readUInt8(0) >> 4}.${v.readUInt8(0) & 0xf})`;
    case WfaSubelement.AuthorizedMacs:
      return Array.from({ length: v.length / 6 }, (_, i) => formatMac(v.subarray(i * 6, i * 6 + 6))).join(', ');
    case WfaSubelement.NetworkKeyShareable:
    case WfaSubelement.RequestToEnroll:
      return `${v.readUInt8(0) !== 0 ? 'true' : 'false'} (${v.readUInt8(0)})`;
    case WfaSubelement.SettingsDelayTime:
      return `${v.readUInt8(0)} s`;
    case WfaSubelement.RegistrarConfigurationMethods:
      return flags(ConfigMethods, v.readUInt16BE(0), 4);
    case WfaSubelement.MultiAp:
      return flags(MultiApBits, v.readUInt8(0), 2);
    default:
      return hex(v);
  }
}

function decodeVendorExtension(node: DecodedNode, v: Buffer, valueOffset: number): void {
  if (v.length < 3) {
    node.value = hex(v);
    node.problem = 'vendor extension shorter than its 3-byte vendor ID';
    return;
  }
  const vendor = formatMac(v.subarray(0, 3));
  if (!isWfaVendorExtension(v)) {
    node.value = `vendor ${vendor}, ${plural(v.length - 3)}: ${hex(v.subarray(3))}`;
    return;
  }
  node.value = `vendor ${vendor} (WFA)`;
  const { subs, cut } = splitSubelements(v);
  node.children = subs.map((s) => {
    const child: DecodedNode = {
      kind: 'subelement',
      type: s.id,
      typeHex: `0x${s.id.toString(16).padStart(2, '0')}`,
      name: wfaSubelementName(s.id),
      offset: valueOffset + s.offset,
      length: s.value.length,
      hex: hex(s.value),
    };
    const problem = wfaSubelementLengthProblem(s.id, s.value.length);
    if (problem !== undefined) {
      child.problem = problem;
      child.value = hex(s.value);
    } else {
      child.value = subelementValue(s);
    }
    return child;
  });
  if (cut !== undefined) {
    // parseWfaSubelements reports no id; a cut value still has its id byte.
    const id = cut.code === 'TRUNCATED_VALUE' ? v[cut.offset] : undefined;
    node.truncated = truncatedRecord(new WscParseError(cut.code, cut.message, cut.offset, id, cut.declared, cut.present), valueOffset, 'subelement', wfaSubelementName);
  }
}

/** An OOB Device Password as hostapd would accept it, or why not (then it is shown masked). */
function readOob(v: Buffer): { oob?: OobDevicePassword; problem?: string } {
  try {
    return { oob: parseOobDevicePassword(v) };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

function decodeStream(buf: Buffer, base: number, depth: number, opts: DecodeOptions): { nodes: DecodedNode[]; truncated?: TruncatedRecord } {
  const { attrs, cut } = splitAttributes(buf);
  const nodes: DecodedNode[] = [];
  let off = 0;
  for (const a of attrs) {
    const offset = base + off;
    const node: DecodedNode = { kind: 'attribute', type: a.type, typeHex: `0x${a.type.toString(16).padStart(4, '0')}`, name: attributeDisplayName(a.type), offset, length: a.value.length };
    let problem = attributeLengthProblem(a.type, a.value.length);
    const read = a.type === AttributeType.OobDevicePassword && problem === undefined ? readOob(a.value) : undefined;
    const oob = read?.oob;
    if (read?.problem !== undefined) problem = read.problem;
    if (oob !== undefined) {
      // The hash and the ID are public (a handover select or M1 carries them); only the password is secret.
      const pw = oob.password.length === 0 ? 'no password' : opts.showKeys === true ? `password ${hex(oob.password)}` : `password [hidden, ${plural(oob.password.length)}; --show-keys shows it]`;
      node.value = `Password ID 0x${oob.passwordId.toString(16).padStart(4, '0')}, Public Key Hash ${hex(oob.publicKeyHash)}, ${pw}`;
      if (opts.showKeys === true || oob.password.length === 0) node.hex = hex(a.value);
      else node.masked = true;
    } else if (SECRET_ATTRIBUTES.has(a.type) && opts.showKeys !== true) {
      node.masked = true;
      node.value = `[hidden, ${plural(a.value.length)}; --show-keys shows it]`;
    } else if (NESTED_ATTRIBUTES.has(a.type) && depth < MAX_DECODE_DEPTH) {
      const inner = decodeStream(a.value, offset + 4, depth + 1, opts);
      node.children = inner.nodes;
      if (inner.truncated !== undefined) node.truncated = inner.truncated;
      // No hex of the container: it would carry the masked children's bytes.
    } else if (a.type === AttributeType.VendorExtension) {
      node.hex = hex(a.value);
      decodeVendorExtension(node, a.value, offset + 4);
    } else {
      node.hex = hex(a.value);
      node.value = problem === undefined ? attributeValue(a) : hex(a.value);
    }
    if (problem !== undefined) node.problem = problem;
    nodes.push(node);
    off += 4 + a.value.length;
  }
  const out: { nodes: DecodedNode[]; truncated?: TruncatedRecord } = { nodes };
  if (cut !== undefined) out.truncated = truncatedRecord(cut, base, 'attribute', attributeDisplayName);
  return out;
}

/** Decodes a WSC attribute stream (a message, AP Settings, Credentials, a WPS IE body). Never throws. */
export function decodeAttributes(bytes: Uint8Array, opts: DecodeOptions = {}): DecodeResult {
  const buf = Buffer.from(bytes);
  const { nodes, truncated } = decodeStream(buf, 0, 0, opts);
  const result: DecodeResult = { length: buf.length, attributes: nodes };
  const mt = nodes.find((n) => n.type === AttributeType.MessageType && n.problem === undefined);
  if (mt !== undefined) {
    const v = buf.readUInt8(mt.offset + 4);
    result.messageType = valueName(MessageType, v) ?? `0x${v.toString(16).padStart(2, '0')}`;
  }
  if (truncated !== undefined) result.truncated = truncated;
  return result;
}

function nodeLine(n: DecodedNode, indent: string): string {
  const id = n.kind === 'attribute' ? `0x${n.type.toString(16).padStart(4, '0')}` : `id ${n.type}`;
  let line = `${indent}${n.name} (${id}, ${plural(n.length)})`;
  if (n.value !== undefined) line += `: ${n.value}`;
  if (n.problem !== undefined) line += `  [bad: ${n.problem}]`;
  return line;
}

function renderNodes(nodes: DecodedNode[], depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth);
  for (const n of nodes) {
    lines.push(nodeLine(n, indent));
    if (n.children !== undefined) renderNodes(n.children, depth + 1, lines);
    if (n.truncated !== undefined) lines.push(`${indent}  error: ${n.truncated.message}`);
  }
}

/**
 * One line per attribute, nested items indented; a cut stream ends with an
 * "error:" line unless withTopError is false (the command prints it to stderr).
 */
export function formatDecodeText(r: DecodeResult, withTopError = true): string[] {
  const lines: string[] = [];
  renderNodes(r.attributes, 0, lines);
  if (r.truncated !== undefined && withTopError) lines.push(`error: ${r.truncated.message}`);
  return lines;
}

/** Every cut in the tree, nested ones first in document order, the top-level one last. */
export function allTruncations(r: DecodeResult): TruncatedRecord[] {
  const out: TruncatedRecord[] = [];
  const walk = (ns: DecodedNode[]): void => {
    for (const n of ns) {
      if (n.children !== undefined) walk(n.children);
      if (n.truncated !== undefined) out.push(n.truncated);
    }
  };
  walk(r.attributes);
  if (r.truncated !== undefined) out.push(r.truncated);
  return out;
}

/** True when anything in the tree was cut short. */
export function hasTruncation(r: DecodeResult): boolean {
  return allTruncations(r).length > 0;
}
