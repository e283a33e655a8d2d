/**
 * The WPA2-PSK key hierarchy (IEEE 802.11-2020 12.7.1): PMK from a
 * passphrase (PBKDF2-SHA1, 4096 iterations, the SSID as salt, J.4) or a
 * 64-hex psk; the PRF built on HMAC-SHA-1 (12.7.1.2); the PTK split into
 * KCK, KEK and TK (12.7.1.3); the GTK from a GMK (12.7.1.4); the EAPOL-Key
 * MIC of key descriptor version 2 (HMAC-SHA1-128) and AES key wrap
 * (RFC 3394) of the key data.
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { type MacAddress, macToBytes } from '../mac.js';
import { WpsdError } from '../../common/errors.js';
import { SSID_MAX_LEN } from '../../common/ssid.js';

export const PMK_LEN = 32;
export const NONCE_LEN = 32;
export const KCK_LEN = 16;
export const KEK_LEN = 16;
/** CCMP-128 temporal key. */
export const TK_LEN = 16;
export const GTK_LEN = 16;
export const MIC_LEN = 16;
/** 802.11 J.4: 8..63 printable ASCII characters. */
export const PASSPHRASE_MIN_LEN = 8;
export const PASSPHRASE_MAX_LEN = 63;
export const PSK_HEX_LEN = PMK_LEN * 2;
export const PBKDF2_ITERATIONS = 4096;
/** RFC 3394: the key-wrap unit and its default IV. */
export const KEY_WRAP_BLOCK = 8;
const KEY_WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

export type WpaCryptoErrorCode = 'BAD_PASSPHRASE' | 'BAD_PSK' | 'BAD_LENGTH' | 'UNWRAP_FAILED';

export class WpaCryptoError extends WpsdError<WpaCryptoErrorCode> {}

/** Whether a passphrase is what wpa_passphrase / hostapd accept: 8..63 characters 32..126. */
export function isValidPassphrase(passphrase: string): boolean {
  return passphrase.length >= PASSPHRASE_MIN_LEN && passphrase.length <= PASSPHRASE_MAX_LEN && /^[\x20-\x7e]*$/.test(passphrase);
}

/** PMK = PBKDF2-SHA1(passphrase, SSID, 4096, 256 bits). */
export function pmkFromPassphrase(passphrase: string, ssid: Uint8Array): Buffer {
  if (!isValidPassphrase(passphrase)) throw new WpaCryptoError('BAD_PASSPHRASE', `a passphrase has ${PASSPHRASE_MIN_LEN}..${PASSPHRASE_MAX_LEN} printable ASCII characters`);
  if (ssid.length < 1 || ssid.length > SSID_MAX_LEN) throw new WpaCryptoError('BAD_LENGTH', `SSID of ${ssid.length} octets`);
  return pbkdf2Sync(Buffer.from(passphrase, 'latin1'), ssid, PBKDF2_ITERATIONS, PMK_LEN, 'sha1');
}

/** A psk given as 64 hex digits (hostapd wpa_psk=, wpa_supplicant psk= without quotes). */
export function pmkFromHex(hex: string): Buffer {
  if (hex.length !== PSK_HEX_LEN || !/^[0-9a-fA-F]*$/.test(hex)) throw new WpaCryptoError('BAD_PSK', `a psk is ${PSK_HEX_LEN} hex digits`);
  return Buffer.from(hex, 'hex');
}

function hmacSha1(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('sha1', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** PRF-n (12.7.1.2): HMAC-SHA-1(K, A || 0 || B || i) for i = 0, 1, ... truncated to `bits`. */
export function prfSha1(key: Uint8Array, label: string, data: Uint8Array, bits: number): Buffer {
  if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0 || bits > 255 * 160) throw new WpaCryptoError('BAD_LENGTH', `PRF of ${bits} bits`);
  const len = bits / 8;
  const a = Buffer.concat([Buffer.from(label, 'latin1'), Buffer.of(0)]);
  const out: Buffer[] = [];
  for (let i = 0, got = 0; got < len; i++) {
    const block = hmacSha1(key, a, data, Buffer.of(i));
    out.push(block);
    got += block.length;
  }
  return Buffer.concat(out).subarray(0, len);
}

export interface Ptk {
  kck: Buffer;
  kek: Buffer;
  tk: Buffer;
}

function minMax(a: Uint8Array, b: Uint8Array): [Uint8Array, Uint8Array] {
  return Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
}

/** PTK = PRF-384(PMK, "Pairwise key expansion", Min(AA,SPA) || Max(AA,SPA) || Min(ANonce,SNonce) || Max(ANonce,SNonce)). */
export function derivePtk(pmk: Uint8Array, aa: MacAddress, spa: MacAddress, anonce: Uint8Array, snonce: Uint8Array): Ptk {
  if (pmk.length !== PMK_LEN) throw new WpaCryptoError('BAD_LENGTH', `PMK of ${pmk.length} octets`);
  if (anonce.length !== NONCE_LEN || snonce.length !== NONCE_LEN) throw new WpaCryptoError('BAD_LENGTH', 'nonces are 32 octets');
  const [a1, a2] = minMax(macToBytes(aa), macToBytes(spa));
  const [n1, n2] = minMax(anonce, snonce);
  const ptk = prfSha1(pmk, 'Pairwise key expansion', Buffer.concat([a1, a2, n1, n2]), (KCK_LEN + KEK_LEN + TK_LEN) * 8);
  return { kck: ptk.subarray(0, KCK_LEN), kek: ptk.subarray(KCK_LEN, KCK_LEN + KEK_LEN), tk: ptk.subarray(KCK_LEN + KEK_LEN) };
}

/** GTK = PRF-128(GMK, "Group key expansion", AA || GNonce) (12.7.1.4). */
export function deriveGtk(gmk: Uint8Array, aa: MacAddress, gnonce: Uint8Array): Buffer {
  return prfSha1(gmk, 'Group key expansion', Buffer.concat([macToBytes(aa), gnonce]), GTK_LEN * 8);
}

/** Key descriptor version 2: HMAC-SHA1 over the whole EAPOL frame with a zero MIC field, first 128 bits. */
export function eapolKeyMic(kck: Uint8Array, frameWithZeroMic: Uint8Array): Buffer {
  return hmacSha1(kck, frameWithZeroMic).subarray(0, MIC_LEN);
}

export function micEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** AES key wrap (RFC 3394) of a multiple of 8 octets, at least 16. */
export function aesKeyWrap(kek: Uint8Array, plain: Uint8Array): Buffer {
  if (plain.length < 2 * KEY_WRAP_BLOCK || plain.length % KEY_WRAP_BLOCK !== 0) throw new WpaCryptoError('BAD_LENGTH', `key wrap of ${plain.length} octets`);
  const c = createCipheriv(`id-aes${kek.length * 8}-wrap`, kek, KEY_WRAP_IV);
  return Buffer.concat([c.update(plain), c.final()]);
}

/** RFC 3394 unwrap; WpaCryptoError UNWRAP_FAILED when the integrity check fails. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Buffer {
  if (wrapped.length < 3 * KEY_WRAP_BLOCK || wrapped.length % KEY_WRAP_BLOCK !== 0) throw new WpaCryptoError('BAD_LENGTH', `wrapped key data of ${wrapped.length} octets`);
  try {
    const d = createDecipheriv(`id-aes${kek.length * 8}-wrap`, kek, KEY_WRAP_IV);
    return Buffer.concat([d.update(wrapped), d.final()]);
  } catch {
    throw new WpaCryptoError('UNWRAP_FAILED', 'AES key unwrap failed (wrong KEK or corrupted key data)');
  }
}
