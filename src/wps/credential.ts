/**
 * Credentials (WSC 2.0 section 12, "Credential": the inner TLVs of one Credential
 * attribute, sent in M8 and in WPS-CRED-RECEIVED) and AP Settings (the same
 * fields carried in M7/M8 Encrypted Settings and in WPS-NEW-AP-SETTINGS).
 */
import {
  AttributeType,
  WscParseError,
  attrBytes,
  attrU16,
  attrU8,
  attributeLengthProblem,
  encodeAttributes,
  parseAttributes,
  type Attribute,
} from './attributes.js';
import { AuthType, EncrType } from './values.js';

export interface Credential {
  networkIndex: number;
  ssid: Buffer;
  /** A single AuthType value (AuthType.Wpa2Psk ...), or a mix of bits from a lenient peer. */
  authType: number;
  encrType: number;
  networkKeyIndex?: number;
  /** A passphrase (8..63 ASCII) or 64 hex digits for WPA/WPA2-Personal; empty for open. */
  networkKey: Buffer;
  macAddress: Buffer;
  /** Every other attribute, in the order it came (e.g. vendor extensions, Key Wrap Authenticator). */
  extra: Attribute[];
}

/** The fields read into named Credential members; a second copy of one goes into `extra`. */
const CREDENTIAL_FIELDS = new Set<number>([
  AttributeType.NetworkIndex,
  AttributeType.Ssid,
  AttributeType.AuthenticationType,
  AttributeType.EncryptionType,
  AttributeType.NetworkKeyIndex,
  AttributeType.NetworkKey,
  AttributeType.MacAddress,
]);

function checkedFields(buf: Uint8Array): { first: Map<number, Buffer>; extra: Attribute[] } {
  const first = new Map<number, Buffer>();
  const extra: Attribute[] = [];
  let offset = 0;
  for (const a of parseAttributes(buf, { workarounds: true })) {
    if (CREDENTIAL_FIELDS.has(a.type) && !first.has(a.type)) {
      const problem = attributeLengthProblem(a.type, a.value.length);
      if (problem !== undefined) throw new WscParseError('BAD_LENGTH', `${problem} at offset ${offset}`, offset, a.type, a.value.length);
      first.set(a.type, a.value);
    } else {
      extra.push(a);
    }
    offset += 4 + a.value.length;
  }
  return { first, extra };
}

function need(first: Map<number, Buffer>, type: number, name: string, what: string): Buffer {
  const v = first.get(type);
  if (v === undefined) throw new WscParseError('MISSING_ATTRIBUTE', `${what} without ${name}`, 0, type);
  return v;
}

function fromFields(first: Map<number, Buffer>, extra: Attribute[], what: string, needNetworkIndex: boolean): Credential {
  const idx = needNetworkIndex ? need(first, AttributeType.NetworkIndex, 'NetworkIndex', what) : first.get(AttributeType.NetworkIndex);
  const ssid = need(first, AttributeType.Ssid, 'Ssid', what);
  const authType = need(first, AttributeType.AuthenticationType, 'AuthenticationType', what).readUInt16BE(0);
  const encrType = need(first, AttributeType.EncryptionType, 'EncryptionType', what).readUInt16BE(0);
  let key = first.get(AttributeType.NetworkKey);
  if (key === undefined) {
    // hostapd tolerates a missing Network Key only for an open network.
    if (!(authType === AuthType.Open && encrType === EncrType.None)) {
      throw new WscParseError('MISSING_ATTRIBUTE', `${what} without NetworkKey for a protected network`, 0, AttributeType.NetworkKey);
    }
    key = Buffer.alloc(0);
  }
  const mac = need(first, AttributeType.MacAddress, 'MacAddress', what);
  const keyIdx = first.get(AttributeType.NetworkKeyIndex);
  const cred: Credential = {
    networkIndex: idx?.readUInt8(0) ?? 1,
    ssid: Buffer.from(ssid),
    authType,
    encrType,
    networkKey: Buffer.from(key),
    macAddress: Buffer.from(mac),
    extra,
  };
  if (keyIdx !== undefined) cred.networkKeyIndex = keyIdx.readUInt8(0);
  return cred;
}

/** Parses the inner TLVs of one Credential attribute; throws WscParseError. */
export function parseCredential(buf: Uint8Array): Credential {
  const { first, extra } = checkedFields(buf);
  return fromFields(first, extra, 'Credential', true);
}

/**
 * Parses AP Settings (M7/M8 Encrypted Settings, WPS-NEW-AP-SETTINGS): as a
 * Credential, but Network Index is optional (an Enrollee's M7 has none);
 * a Key Wrap Authenticator, if present, stays in `extra`.
 */
export function parseApSettings(buf: Uint8Array): Credential {
  const { first, extra } = checkedFields(buf);
  return fromFields(first, extra, 'AP Settings', false);
}

function checkForEncoding(c: Credential): void {
  for (const [type, len] of [
    [AttributeType.Ssid, c.ssid.length],
    [AttributeType.NetworkKey, c.networkKey.length],
    [AttributeType.MacAddress, c.macAddress.length],
  ] as const) {
    const problem = attributeLengthProblem(type, len);
    if (problem !== undefined) throw new WscParseError('BAD_LENGTH', problem, 0, type, len);
  }
}

function keyIndexAttr(c: Credential): Attribute[] {
  return c.networkKeyIndex === undefined ? [] : [attrU8(AttributeType.NetworkKeyIndex, c.networkKeyIndex)];
}

/** The attributes of a Credential in hostapd's order: Network Index, SSID, Auth, Encr, [Key Index], Key, MAC, extra. */
export function credentialAttributes(c: Credential): Attribute[] {
  checkForEncoding(c);
  return [
    attrU8(AttributeType.NetworkIndex, c.networkIndex),
    attrBytes(AttributeType.Ssid, c.ssid),
    attrU16(AttributeType.AuthenticationType, c.authType),
    attrU16(AttributeType.EncryptionType, c.encrType),
    ...keyIndexAttr(c),
    attrBytes(AttributeType.NetworkKey, c.networkKey),
    attrBytes(AttributeType.MacAddress, c.macAddress),
    ...c.extra,
  ];
}

/** The inner TLVs of one Credential attribute. */
export function encodeCredential(c: Credential): Buffer {
  return encodeAttributes(credentialAttributes(c));
}

/** A whole Credential attribute (type 0x100E) for M8's Encrypted Settings. */
export function credentialAttribute(c: Credential): Attribute {
  return { type: AttributeType.Credential, value: encodeCredential(c) };
}

/**
 * AP Settings TLVs. `form: 'registrar'` (default) is what a Registrar sends in
 * M8 to an AP and what WPS-NEW-AP-SETTINGS shows: the Credential fields in
 * Credential order. `form: 'enrollee'` is an AP Enrollee's M7: SSID, MAC, Auth,
 * Encr, [Key Index], Key, without Network Index (hostapd wps_enrollee.c order).
 * The Key Wrap Authenticator is appended by encryptSettings.
 */
export function encodeApSettings(c: Credential, form: 'registrar' | 'enrollee' = 'registrar'): Buffer {
  if (form === 'registrar') return encodeCredential(c);
  checkForEncoding(c);
  return encodeAttributes([
    attrBytes(AttributeType.Ssid, c.ssid),
    attrBytes(AttributeType.MacAddress, c.macAddress),
    attrU16(AttributeType.AuthenticationType, c.authType),
    attrU16(AttributeType.EncryptionType, c.encrType),
    ...keyIndexAttr(c),
    attrBytes(AttributeType.NetworkKey, c.networkKey),
    ...c.extra,
  ]);
}

/** All Credential attributes in a TLV stream (e.g. M8's decrypted settings, WPS-CRED-RECEIVED), parsed. */
export function parseCredentials(buf: Uint8Array): Credential[] {
  return parseAttributes(buf, { workarounds: true })
    .filter((a) => a.type === AttributeType.Credential)
    .map((a) => parseCredential(a.value));
}

/**
 * hostapd's handling of a received WPA/WPA2-Personal key: drop one trailing NUL
 * from a 9..63-byte passphrase (a deployed ER adds it), then refuse a key
 * shorter than 8 bytes or with control characters. Returns the key to use, or
 * throws WscParseError('BAD_VALUE').
 */
export function checkPersonalNetworkKey(c: Pick<Credential, 'authType' | 'networkKey'>): Buffer {
  let key = c.networkKey;
  if ((c.authType & (AuthType.WpaPsk | AuthType.Wpa2Psk)) === 0) return key;
  if (key.length > 8 && key.length < 64 && key[key.length - 1] === 0) key = key.subarray(0, key.length - 1);
  if (key.length < 8 || key.some((b) => b < 32 || b === 127)) {
    throw new WscParseError('BAD_VALUE', 'invalid WPA/WPA2-Personal network key in credential', 0, AttributeType.NetworkKey, key.length);
  }
  return Buffer.from(key);
}
