/**
 * The OOB Device Password attribute (WSC 2.0, 0x102C): the first 160 bits of
 * SHA-256 of the token owner's DH public key, a Device Password ID, and the
 * device password itself (absent for NFC connection handover, where the
 * public key alone authenticates).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AttributeType, WscParseError, type Attribute } from '../attributes.js';

/** Public Key Hash: the first 20 octets of SHA-256(public key). */
export const OOB_PUBKEY_HASH_LEN = 20;
/** Password length wpa_supplicant and hostapd generate, and the longest they accept. */
export const OOB_DEVICE_PASSWORD_LEN = 32;
/** Shortest password accepted for a password token (hostapd WPS_OOB_DEVICE_PASSWORD_MIN_LEN). */
export const OOB_DEVICE_PASSWORD_MIN_LEN = 16;
/** Device Password ID of NFC connection handover: no password, the public key hash only. */
export const DEV_PW_NFC_CONNECTION_HANDOVER = 0x0007;
/** Password tokens use IDs from here up (hostapd draws 0x10 + random % 0xfff0). */
export const FIRST_NFC_PASSWORD_ID = 0x0010;

export interface OobDevicePassword {
  publicKeyHash: Buffer;
  passwordId: number;
  /** Empty for connection handover. A secret: callers mask it in logs. */
  password: Buffer;
}

/** SHA-256 of the DH public key (as carried, 192 octets), cut to 20 octets. */
export function publicKeyHash(publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(publicKey).digest().subarray(0, OOB_PUBKEY_HASH_LEN);
}

/** Why a value cannot be an OOB Device Password, as hostapd's attribute parser judges it. */
function lengthProblem(value: Buffer): string | undefined {
  const min = OOB_PUBKEY_HASH_LEN + 2;
  if (value.length < min) return `OOB Device Password of ${value.length} bytes is shorter than ${min}`;
  if (value.length > min + OOB_DEVICE_PASSWORD_LEN) return `OOB Device Password of ${value.length} bytes is longer than ${min + OOB_DEVICE_PASSWORD_LEN}`;
  const id = value.readUInt16BE(OOB_PUBKEY_HASH_LEN);
  if (value.length < min + OOB_DEVICE_PASSWORD_MIN_LEN && id !== DEV_PW_NFC_CONNECTION_HANDOVER) {
    return `OOB Device Password with ID 0x${id.toString(16).padStart(4, '0')} has a password of ${value.length - min} bytes, shorter than ${OOB_DEVICE_PASSWORD_MIN_LEN}`;
  }
  return undefined;
}

export function parseOobDevicePassword(value: Buffer): OobDevicePassword {
  const problem = lengthProblem(value);
  if (problem !== undefined) throw new WscParseError('BAD_LENGTH', problem, 0, AttributeType.OobDevicePassword, value.length);
  return {
    publicKeyHash: Buffer.from(value.subarray(0, OOB_PUBKEY_HASH_LEN)),
    passwordId: value.readUInt16BE(OOB_PUBKEY_HASH_LEN),
    password: Buffer.from(value.subarray(OOB_PUBKEY_HASH_LEN + 2)),
  };
}

export function oobDevicePasswordAttribute(o: { publicKey: Uint8Array; passwordId: number; password?: Uint8Array }): Attribute {
  const password = Buffer.from(o.password ?? []);
  const id = Buffer.alloc(2);
  id.writeUInt16BE(o.passwordId);
  const value = Buffer.concat([publicKeyHash(o.publicKey), id, password]);
  const problem = lengthProblem(value);
  if (problem !== undefined) throw new WscParseError('BAD_LENGTH', problem, 0, AttributeType.OobDevicePassword, value.length);
  return { type: AttributeType.OobDevicePassword, value };
}

/** Whether `publicKey` is the one `hash` (a Public Key Hash) committed to; constant time. */
export function publicKeyHashMatches(hash: Uint8Array, publicKey: Uint8Array): boolean {
  const h = publicKeyHash(publicKey);
  return hash.length === OOB_PUBKEY_HASH_LEN && timingSafeEqual(h, hash);
}

/**
 * The device password both ends feed into the PSK1/PSK2 computation for an
 * NFC password token: the token's password octets as uppercase hex text, as
 * hostapd and wpa_supplicant use it.
 */
export function nfcDevicePassword(password: Uint8Array): Buffer {
  return Buffer.from(Buffer.from(password).toString('hex').toUpperCase(), 'latin1');
}
