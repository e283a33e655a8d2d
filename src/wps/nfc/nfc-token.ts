/**
 * WPS NFC payloads, built and read the way hostapd and wpa_supplicant write
 * them: the password token (OOB Device Password + Version2), the
 * configuration token (Credential + RF Bands + AP Channel + MAC Address +
 * Version2), and the connection handover carrier records (a two-octet length,
 * then OOB Device Password with ID 0x0007 and the requester's UUID-E or the
 * selector's SSID, band, channel and BSSID). Each is usable raw ("WPS") or
 * in an NDEF message ("NDEF").
 */
import { randomBytes } from 'node:crypto';
import { AttributeType, WscParseError, attrBytes, attrU16, attrU8, encodeAttributes, parseAttributes, type Attribute } from '../attributes.js';
import { credentialAttribute, parseCredential, type Credential } from '../credential.js';
import { DH_PRIVATE_KEY_LEN, generateDhKeyPair, type Rng } from '../crypto.js';
import { WPS_VERSION2 } from '../values.js';
import { buildWfaExtension } from '../vendor-ext.js';
import { looksLikeNdef, NdefError, wscPayloadFromNdef } from './ndef.js';
import {
  DEV_PW_NFC_CONNECTION_HANDOVER,
  FIRST_NFC_PASSWORD_ID,
  OOB_DEVICE_PASSWORD_LEN,
  oobDevicePasswordAttribute,
  parseOobDevicePassword,
  publicKeyHashMatches,
  type OobDevicePassword,
} from './oob-device-password.js';
import { WpsdError } from '../../common/errors.js';

export type NfcTokenErrorCode = 'NOT_A_TOKEN' | 'BAD_CARRIER' | 'BAD_NDEF' | 'BAD_ATTRIBUTES';

export class NfcTokenError extends WpsdError<NfcTokenErrorCode> {}

function version2(): Attribute {
  return buildWfaExtension({ version2: WPS_VERSION2 });
}

export interface PasswordTokenInput {
  passwordId: number;
  /** The owner's DH public key, 192 octets. */
  publicKey: Uint8Array;
  password: Uint8Array;
}

/** hostapd's wps_build_nfc_pw_token. */
export function buildPasswordToken(t: PasswordTokenInput): Buffer {
  return encodeAttributes([oobDevicePasswordAttribute(t), version2()]);
}

export interface GeneratedPasswordToken extends PasswordTokenInput {
  publicKey: Buffer;
  password: Buffer;
  /** The DH private value (wps_nfc_dh_privkey): a secret. */
  privateKey: Buffer;
  token: Buffer;
}

/** A fresh token: random 32-octet password, ID 0x10 + random % 0xfff0 (hostapd's wps_nfc_token_gen), a new DH key pair. */
export function generatePasswordToken(rng: Rng = randomBytes): GeneratedPasswordToken {
  const password = Buffer.from(rng(OOB_DEVICE_PASSWORD_LEN));
  const passwordId = FIRST_NFC_PASSWORD_ID + (Buffer.from(rng(2)).readUInt16BE(0) % (0x10000 - FIRST_NFC_PASSWORD_ID));
  const privateKey = Buffer.from(rng(DH_PRIVATE_KEY_LEN));
  const { publicKey } = generateDhKeyPair(() => Buffer.from(privateKey), privateKey.length);
  return { passwordId, publicKey, password, privateKey, token: buildPasswordToken({ passwordId, publicKey, password }) };
}

export interface ApLocation {
  /** RF Bands bitmap (RfBand); omitted when unknown. */
  rfBands?: number;
  /** AP Channel; omitted when unknown (0). */
  apChannel?: number;
  /** The AP's MAC address (BSSID). */
  macAddress: Uint8Array;
}

function locationAttributes(loc: Partial<ApLocation>): Attribute[] {
  const out: Attribute[] = [];
  if (loc.rfBands !== undefined && loc.rfBands !== 0) out.push(attrU8(AttributeType.RfBands, loc.rfBands));
  if (loc.apChannel !== undefined && loc.apChannel !== 0) out.push(attrU16(AttributeType.ApChannel, loc.apChannel));
  if (loc.macAddress !== undefined) out.push(attrBytes(AttributeType.MacAddress, loc.macAddress));
  return out;
}

/**
 * hostapd's wps_get_oob_cred: the network's Credential (none when the AP
 * builds none, skip_cred_build), then extra_cred's Credential attributes as
 * they are, where to find the AP, Version2.
 */
export function buildConfigToken(cred: Credential | undefined, loc: ApLocation, extraCredentials?: Uint8Array): Buffer {
  return Buffer.concat([
    encodeAttributes(cred === undefined ? [] : [credentialAttribute(cred)]),
    extraCredentials ?? Buffer.alloc(0),
    encodeAttributes([...locationAttributes(loc), version2()]),
  ]);
}

/** An External Registrar's configuration token for a learned AP (wps_er_config_token_from_cred): the Credential and Version2 only. */
export function buildCredentialToken(cred: Credential): Buffer {
  return encodeAttributes([credentialAttribute(cred), version2()]);
}

/** A handover carrier record's payload: a two-octet length, then the attributes. */
function carrier(attrs: Attribute[]): Buffer {
  const body = encodeAttributes(attrs);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

/** wpa_supplicant's wps_build_nfc_handover_req: OOB Device Password (0x0007, no password), UUID-E, Version2. */
export function buildHandoverRequest(r: { publicKey: Uint8Array; uuidE: Uint8Array }): Buffer {
  return carrier([
    oobDevicePasswordAttribute({ publicKey: r.publicKey, passwordId: DEV_PW_NFC_CONNECTION_HANDOVER }),
    attrBytes(AttributeType.UuidE, r.uuidE),
    version2(),
  ]);
}

/** hostapd's wps_build_nfc_handover_sel: OOB Device Password (0x0007), SSID, [RF Bands, AP Channel], [BSSID], Version2. */
export function buildHandoverSelect(s: { publicKey: Uint8Array; ssid: Uint8Array } & Partial<ApLocation>): Buffer {
  return carrier([
    oobDevicePasswordAttribute({ publicKey: s.publicKey, passwordId: DEV_PW_NFC_CONNECTION_HANDOVER }),
    attrBytes(AttributeType.Ssid, s.ssid),
    ...locationAttributes(s),
    version2(),
  ]);
}

/** The WSC bytes of a token given as an NDEF message or as raw attributes. */
function unwrap(bytes: Uint8Array): Buffer {
  if (!looksLikeNdef(bytes)) return Buffer.from(bytes);
  try {
    return wscPayloadFromNdef(bytes);
  } catch (e) {
    if (e instanceof NdefError) throw new NfcTokenError('BAD_NDEF', e.message);
    throw e;
  }
}

function attributesOf(wsc: Buffer): Attribute[] {
  try {
    return parseAttributes(wsc);
  } catch (e) {
    if (e instanceof WscParseError) throw new NfcTokenError('BAD_ATTRIBUTES', e.message);
    throw e;
  }
}

function oobOf(a: Attribute): OobDevicePassword {
  try {
    return parseOobDevicePassword(a.value);
  } catch (e) {
    if (e instanceof WscParseError) throw new NfcTokenError('BAD_ATTRIBUTES', e.message);
    throw e;
  }
}

/** Where a token or carrier says the AP is; each field only when present and well-formed. */
export interface ReadLocation {
  rfBands?: number;
  apChannel?: number;
  macAddress?: Buffer;
}

function locationOf(attrs: Attribute[]): ReadLocation {
  const loc: ReadLocation = {};
  for (const a of attrs) {
    if (a.type === AttributeType.RfBands && a.value.length === 1 && loc.rfBands === undefined) loc.rfBands = a.value.readUInt8(0);
    else if (a.type === AttributeType.ApChannel && a.value.length === 2 && loc.apChannel === undefined) loc.apChannel = a.value.readUInt16BE(0);
    else if (a.type === AttributeType.MacAddress && a.value.length === 6 && loc.macAddress === undefined) loc.macAddress = a.value;
  }
  return loc;
}

export type NfcTag =
  | { kind: 'config'; credentials: Credential[]; location: ReadLocation }
  | { kind: 'password'; oob: OobDevicePassword };

/**
 * What a tag holds, as hostapd's and wpa_supplicant's wps_nfc_tag_read decide
 * it: Credentials make a configuration token, else an OOB Device Password a
 * password token; anything else is refused. Accepts NDEF or raw WSC bytes.
 */
export function readNfcTag(bytes: Uint8Array): NfcTag {
  const attrs = attributesOf(unwrap(bytes));
  const creds = attrs.filter((a) => a.type === AttributeType.Credential);
  if (creds.length > 0) {
    const credentials = creds.map((a) => {
      try {
        return parseCredential(a.value);
      } catch (e) {
        if (e instanceof WscParseError) throw new NfcTokenError('BAD_ATTRIBUTES', `Credential: ${e.message}`);
        throw e;
      }
    });
    return { kind: 'config', credentials, location: locationOf(attrs) };
  }
  const oob = attrs.find((a) => a.type === AttributeType.OobDevicePassword);
  if (oob !== undefined) {
    const parsed = oobOf(oob);
    if (parsed.passwordId === DEV_PW_NFC_CONNECTION_HANDOVER) {
      throw new NfcTokenError('NOT_A_TOKEN', 'an OOB Device Password for connection handover (ID 0x0007) is no password token');
    }
    return { kind: 'password', oob: parsed };
  }
  throw new NfcTokenError('NOT_A_TOKEN', 'neither a Credential nor an OOB Device Password: not a WPS NFC token');
}

export interface HandoverCarrier {
  oob: OobDevicePassword;
  uuidE?: Buffer;
  ssid?: Buffer;
  location: ReadLocation;
}

/**
 * Reads a handover request or select carrier record (NDEF or its payload).
 * Octets after the declared attributes are ignored, as hostapd and
 * wpa_supplicant ignore them; a length beyond the record is refused.
 */
export function readHandoverCarrier(bytes: Uint8Array): HandoverCarrier {
  const payload = unwrap(bytes);
  if (payload.length < 2) throw new NfcTokenError('BAD_CARRIER', `handover carrier of ${payload.length} bytes has no length field`);
  const declared = payload.readUInt16BE(0);
  if (declared > payload.length - 2) {
    throw new NfcTokenError('BAD_CARRIER', `handover carrier declares ${declared} bytes of attributes, ${payload.length - 2} present`);
  }
  const attrs = attributesOf(payload.subarray(2, 2 + declared));
  const oobAttr = attrs.find((a) => a.type === AttributeType.OobDevicePassword);
  if (oobAttr === undefined) throw new NfcTokenError('BAD_CARRIER', 'handover carrier without an OOB Device Password');
  const out: HandoverCarrier = { oob: oobOf(oobAttr), location: locationOf(attrs) };
  const uuid = attrs.find((a) => a.type === AttributeType.UuidE && a.value.length === 16);
  if (uuid !== undefined) out.uuidE = uuid.value;
  const ssid = attrs.find((a) => a.type === AttributeType.Ssid && a.value.length <= 32);
  if (ssid !== undefined) out.ssid = ssid.value;
  return out;
}

/** Whether `publicKey` is the one an OOB Device Password committed to (constant time). */
export function matchesPublicKeyHash(oob: OobDevicePassword, publicKey: Uint8Array): boolean {
  return publicKeyHashMatches(oob.publicKeyHash, publicKey);
}

/**
 * The WSC bytes of a tag given on a control socket as hex, as the daemons'
 * wps_nfc_tag_read takes it: at least 4 octets; starting with 0x10 it is raw
 * WSC attributes, otherwise an NDEF message holding a WSC record.
 */
export function tagPayloadFromHex(hex: string): Buffer {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new NfcTokenError('BAD_NDEF', 'the tag is not an even number of hex digits');
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length < 4) throw new NfcTokenError('BAD_NDEF', `a tag of ${bytes.length} octets is too short`);
  if (bytes[0] === 0x10) return bytes;
  try {
    return wscPayloadFromNdef(bytes);
  } catch (e) {
    if (e instanceof NdefError) throw new NfcTokenError('BAD_NDEF', e.message);
    throw e;
  }
}

/**
 * WPS_NFC_TAG_READ's argument read as both daemons read it: the tag, or
 * why it is refused (their debug line "Ignore invalid data from NFC tag").
 */
export function readNfcTagHex(hex: string): { tag: NfcTag } | { invalid: string } {
  try {
    return { tag: readNfcTag(tagPayloadFromHex(hex)) };
  } catch (e) {
    if (e instanceof NfcTokenError) return { invalid: e.message };
    throw e;
  }
}
