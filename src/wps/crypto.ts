/**
 * WSC cryptography (WSC 2.0 sections 7.3 and 7.4): Diffie-Hellman group 5
 * (RFC 3526 1536-bit MODP), the key derivation function, the message
 * Authenticator, Encrypted Settings with the Key Wrap Authenticator, and the
 * device-password proofs (PSK1/PSK2, E-Hash/R-Hash). Built on node:crypto.
 * Pure: randomness is injected (default: the system CSPRNG).
 */
import {
  createCipheriv,
  createDecipheriv,
  createDiffieHellman,
  createDiffieHellmanGroup,
  createHash,
  createHmac,
  randomFillSync,
  timingSafeEqual,
} from 'node:crypto';
import { AttributeType, parseAttributes, WscParseError, type Attribute } from './attributes.js';
import { WpsdError } from '../common/errors.js';

/** Random source: returns `n` bytes. Injected for deterministic tests. */
export type Rng = (n: number) => Buffer;

/**
 * Bytes the system CSPRNG fills at a time for systemRng. A registration
 * draws about ten small values per side (nonces, secret nonces, IVs), each
 * a native call of ~2.5 us under the daemons' V8 flags when drawn alone
 * (bench/README.md); Node's randomUUID keeps a cache the same way.
 */
export const RANDOM_CACHE_LEN = 2048;
let randomCache = Buffer.alloc(0);
let randomCacheUsed = 0;

/**
 * The system CSPRNG (node:crypto), drawn RANDOM_CACHE_LEN bytes at a time;
 * each byte is handed out once and zeroed in the cache as it goes. The
 * default Rng of src/wps.
 */
export const systemRng: Rng = (n: number): Buffer => {
  if (n > RANDOM_CACHE_LEN) return randomFillSync(Buffer.alloc(n));
  if (randomCache.length - randomCacheUsed < n) {
    if (randomCache.length === 0) randomCache = Buffer.alloc(RANDOM_CACHE_LEN);
    randomFillSync(randomCache);
    randomCacheUsed = 0;
  }
  const span = randomCache.subarray(randomCacheUsed, randomCacheUsed + n);
  randomCacheUsed += n;
  const out = Buffer.from(span);
  span.fill(0);
  return out;
};

/** Length of the group 5 prime, public values and the shared secret (1536 bits). */
export const DH_GROUP5_LEN = 192;
/** Enrollee/Registrar nonces and E-S/R-S secret nonces. */
export const NONCE_LEN = 16;
export const MAC_ADDRESS_LEN = 6;
export const AUTHKEY_LEN = 32;
export const KEYWRAPKEY_LEN = 16;
export const EMSK_LEN = 32;
export const AUTHENTICATOR_LEN = 8;
export const KWA_LEN = 8;
export const PSK_LEN = 16;
export const HASH_LEN = 32;
/** AES block; also the IV length of Encrypted Settings. */
export const AES_BLOCK_LEN = 16;
/** WSC 2.0 section 7.3: the KDF personalization string. */
export const KDF_LABEL = 'Wi-Fi Easy and Secure Key Derivation';
const KDF_LABEL_BYTES = Buffer.from(KDF_LABEL, 'utf8');
/** AuthKey(256) || KeyWrapKey(128) || EMSK(256). */
export const SESSION_KEY_BITS = (AUTHKEY_LEN + KEYWRAPKEY_LEN + EMSK_LEN) * 8;
/** Attribute header (type + length) before the Authenticator / KWA value. */
const TLV_HEADER_LEN = 4;
/** Draws of a private value before giving up on a broken random source. */
const DH_PRIVATE_MAX_DRAWS = 8;

export type WscCryptoErrorCode =
  | 'TOO_SHORT'
  | 'BAD_LENGTH'
  | 'BAD_PADDING'
  | 'KWA_MISSING'
  | 'KWA_MISMATCH'
  | 'BAD_SETTINGS'
  | 'BAD_PUBLIC_KEY'
  | 'BAD_KEY'
  | 'RNG_FAILURE';

export class WscCryptoError extends WpsdError<WscCryptoErrorCode> {}

function requireLength(what: string, buf: Uint8Array, len: number): void {
  if (buf.length !== len) {
    throw new WscCryptoError('BAD_KEY', `${what} must be ${len} bytes, got ${buf.length}`);
  }
}

function drawRandom(rng: Rng, n: number): Buffer {
  const b = rng(n);
  if (b.length !== n) throw new WscCryptoError('RNG_FAILURE', `random source returned ${b.length} of ${n} bytes`);
  // systemRng's bytes are the caller's already; an injected source may hand out a buffer it keeps.
  return rng === systemRng ? b : Buffer.from(b);
}

/** Left-pads with zeros to `len` bytes (big-endian integers lose leading zeros). */
function leftPad(buf: Buffer, len: number): Buffer {
  if (buf.length >= len) return buf;
  const out = Buffer.alloc(len);
  buf.copy(out, len - buf.length);
  return out;
}

function toBigInt(buf: Uint8Array): bigint {
  return buf.length === 0 ? 0n : BigInt('0x' + Buffer.from(buf).toString('hex'));
}

const GROUP5 = createDiffieHellmanGroup('modp5');
const GROUP5_PRIME = GROUP5.getPrime();
const GROUP5_GENERATOR = GROUP5.getGenerator();
const GROUP5_P = toBigInt(GROUP5_PRIME);

/** One side's DH group 5 key pair. The private value never leaves the object. */
export interface DhKeyPair {
  /** g^x mod p, left-padded to 192 bytes as the Public Key attribute carries it. */
  readonly publicKey: Buffer;
  /**
   * (peer)^x mod p, left-padded to 192 bytes. The peer value may be shorter
   * than 192 bytes (some implementations drop leading zeros; hostapd accepts
   * 190..192). Rejects 0, 1, p-1 and values >= p with WscCryptoError
   * 'BAD_PUBLIC_KEY': those force the shared secret into a subgroup of order <= 2.
   */
  computeSecret(peerPublicKey: Uint8Array): Buffer;
}

/** Throws unless 1 < value < p-1 (the checks OpenSSL's DH_check_pub_key makes for hostapd). */
export function checkPeerPublicKey(peer: Uint8Array): void {
  if (peer.length === 0 || peer.length > DH_GROUP5_LEN) {
    throw new WscCryptoError('BAD_PUBLIC_KEY', `DH public key must be 1..${DH_GROUP5_LEN} bytes, got ${peer.length}`);
  }
  if (!aboveOne(peer) || compareWithPMinus1(peer) >= 0) {
    throw new WscCryptoError('BAD_PUBLIC_KEY', 'degenerate DH public key (0, 1, p-1 or >= p)');
  }
}

/** p - 1, 192 bytes big-endian. */
const GROUP5_P_MINUS_1 = leftPad(Buffer.from((GROUP5_P - 1n).toString(16), 'hex'), DH_GROUP5_LEN);

/** True when the big-endian value is > 1 (one pass over the bytes). */
function aboveOne(v: Uint8Array): boolean {
  const last = v.length - 1;
  for (let i = 0; i < last; i++) if (v[i] !== 0) return true;
  return (v[last] as number) > 1;
}

/** Sign of value - (p - 1) for a big-endian value of at most 192 bytes (left-padded with zeros). */
function compareWithPMinus1(v: Uint8Array): number {
  const pad = DH_GROUP5_LEN - v.length;
  for (let i = 0; i < pad; i++) if (GROUP5_P_MINUS_1[i] !== 0) return -1;
  for (let i = 0; i < v.length; i++) {
    const d = (v[i] as number) - (GROUP5_P_MINUS_1[pad + i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Length of a DH private value, in bytes. A short exponent is safe in a
 * safe-prime group and the cost of modexp grows with its length: RFC 3526
 * section 8 puts group 5 at 90-120 bits of strength and asks for a 180-240
 * bit exponent; OpenSSL 3, under hostapd and wpa_supplicant, draws about
 * 200 bits (25-byte "DH Private Key" in hostapd's -K log). 256 bits is above
 * both and makes each key pair and secret about six times cheaper than a
 * full 1536-bit exponent.
 */
export const DH_PRIVATE_KEY_LEN = 32;

/**
 * A fresh DH group 5 key pair. The private value is `privateLen` random
 * bytes (default DH_PRIVATE_KEY_LEN; up to 192) from `rng` (default: the
 * system CSPRNG), redrawn unless it lies in [2, p-2].
 */
export function generateDhKeyPair(rng: Rng = systemRng, privateLen: number = DH_PRIVATE_KEY_LEN): DhKeyPair {
  if (!Number.isInteger(privateLen) || privateLen < 1 || privateLen > DH_GROUP5_LEN) {
    throw new RangeError(`DH private value length must be 1..${DH_GROUP5_LEN} bytes`);
  }
  let priv: Buffer | undefined;
  for (let i = 0; i < DH_PRIVATE_MAX_DRAWS && priv === undefined; i++) {
    const cand = drawRandom(rng, privateLen);
    const x = toBigInt(cand);
    if (x >= 2n && x < GROUP5_P - 1n) priv = cand;
    else cand.fill(0);
  }
  if (priv === undefined) throw new WscCryptoError('RNG_FAILURE', 'random source gave no usable DH private value');
  const dh = createDiffieHellman(GROUP5_PRIME, GROUP5_GENERATOR);
  dh.setPrivateKey(priv);
  priv.fill(0);
  const publicKey = leftPad(dh.generateKeys(), DH_GROUP5_LEN);
  return {
    publicKey,
    computeSecret(peerPublicKey: Uint8Array): Buffer {
      checkPeerPublicKey(peerPublicKey);
      return leftPad(dh.computeSecret(Buffer.from(peerPublicKey)), DH_GROUP5_LEN);
    },
  };
}

function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * WSC KDF (section 7.3): HMAC-SHA-256(key, i || label || Length) for
 * i = 1, 2, ..., concatenated and cut to `bits` (i and Length are 32-bit big-endian).
 */
export function wpsKdf(key: Uint8Array, label: string, bits: number): Buffer {
  if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0) {
    throw new RangeError('KDF output length must be a positive multiple of 8 bits');
  }
  const outLen = bits / 8;
  // i || label || Length in one buffer; only i changes from block to block.
  const labelLen = label === KDF_LABEL ? KDF_LABEL_BYTES.length : Buffer.byteLength(label, 'utf8');
  const input = Buffer.alloc(8 + labelLen);
  if (label === KDF_LABEL) KDF_LABEL_BYTES.copy(input, 4);
  else input.write(label, 4, 'utf8');
  input.writeUInt32BE(bits, 4 + labelLen);
  const out = Buffer.alloc(Math.ceil(outLen / HASH_LEN) * HASH_LEN);
  for (let i = 1, have = 0; have < outLen; i++) {
    input.writeUInt32BE(i, 0);
    const block = hmacSha256(key, input);
    block.copy(out, have);
    block.fill(0);
    have += block.length;
  }
  // The rest of the last block is key stream nobody asked for.
  out.fill(0, outLen);
  return out.subarray(0, outLen);
}

export interface SessionKeys {
  /** 256 bits: Authenticator, KWA, PSK1/PSK2, E-Hash/R-Hash. */
  authKey: Buffer;
  /** 128 bits: AES key of Encrypted Settings. */
  keyWrapKey: Buffer;
  /** 256 bits: Extended Master Session Key (UPnP/other uses). */
  emsk: Buffer;
}

/**
 * DHKey = SHA-256(g^AB mod p); KDK = HMAC-SHA-256(DHKey, N1 || EnrolleeMAC || N2);
 * AuthKey || KeyWrapKey || EMSK = KDF(KDK, "Wi-Fi Easy and Secure Key Derivation", 640).
 */
export function deriveSessionKeys(
  dhShared: Uint8Array,
  enrolleeNonce: Uint8Array,
  enrolleeMac: Uint8Array,
  registrarNonce: Uint8Array,
): SessionKeys {
  requireLength('DH shared secret', dhShared, DH_GROUP5_LEN);
  requireLength('Enrollee Nonce', enrolleeNonce, NONCE_LEN);
  requireLength('Enrollee MAC address', enrolleeMac, MAC_ADDRESS_LEN);
  requireLength('Registrar Nonce', registrarNonce, NONCE_LEN);
  const dhKey = createHash('sha256').update(dhShared).digest();
  const kdk = hmacSha256(dhKey, enrolleeNonce, enrolleeMac, registrarNonce);
  dhKey.fill(0);
  const keys = wpsKdf(kdk, KDF_LABEL, SESSION_KEY_BITS);
  kdk.fill(0);
  const out = {
    authKey: Buffer.from(keys.subarray(0, AUTHKEY_LEN)),
    keyWrapKey: Buffer.from(keys.subarray(AUTHKEY_LEN, AUTHKEY_LEN + KEYWRAPKEY_LEN)),
    emsk: Buffer.from(keys.subarray(AUTHKEY_LEN + KEYWRAPKEY_LEN)),
  };
  keys.fill(0);
  return out;
}

/** Length comparison is not secret; the content comparison is constant-time. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/**
 * Authenticator = first 64 bits of HMAC-SHA-256(AuthKey, M_prev || M_curr*),
 * M_curr* being the current message without its Authenticator attribute.
 */
export function computeAuthenticator(authKey: Uint8Array, prevMsg: Uint8Array, curMsgWithoutAuth: Uint8Array): Buffer {
  requireLength('AuthKey', authKey, AUTHKEY_LEN);
  return hmacSha256(authKey, prevMsg, curMsgWithoutAuth).subarray(0, AUTHENTICATOR_LEN);
}

/**
 * True when `curMsgRaw` ends in an Authenticator attribute (type 0x1005,
 * length 8) whose value matches; like hostapd, the last 12 bytes are the
 * attribute. Constant-time comparison.
 */
export function verifyAuthenticator(authKey: Uint8Array, prevMsg: Uint8Array, curMsgRaw: Uint8Array): boolean {
  const cur = Buffer.from(curMsgRaw.buffer, curMsgRaw.byteOffset, curMsgRaw.byteLength);
  const attrStart = cur.length - TLV_HEADER_LEN - AUTHENTICATOR_LEN;
  if (attrStart < 0) return false;
  if (cur.readUInt16BE(attrStart) !== AttributeType.Authenticator || cur.readUInt16BE(attrStart + 2) !== AUTHENTICATOR_LEN) {
    return false;
  }
  const expected = computeAuthenticator(authKey, prevMsg, cur.subarray(0, attrStart));
  return constantTimeEqual(expected, cur.subarray(attrStart + TLV_HEADER_LEN));
}

function keyWrapAuthenticator(authKey: Uint8Array, data: Uint8Array): Buffer {
  return hmacSha256(authKey, data).subarray(0, KWA_LEN);
}

/**
 * The value of an Encrypted Settings attribute: IV (16 random bytes) ||
 * AES-128-CBC(KeyWrapKey, IV, settings || KWA || PKCS#5 padding), where
 * KWA is the Key Wrap Authenticator attribute over the settings TLVs.
 */
export function encryptSettings(
  authKey: Uint8Array,
  keyWrapKey: Uint8Array,
  settingsTlvs: Uint8Array,
  rng: Rng = systemRng,
): Buffer {
  requireLength('AuthKey', authKey, AUTHKEY_LEN);
  requireLength('KeyWrapKey', keyWrapKey, KEYWRAPKEY_LEN);
  // settings || KWA attribute || PKCS#5 padding, built in one buffer.
  const bodyLen = settingsTlvs.length + TLV_HEADER_LEN + KWA_LEN;
  const padLen = AES_BLOCK_LEN - (bodyLen % AES_BLOCK_LEN);
  const plain = Buffer.alloc(bodyLen + padLen, padLen);
  plain.set(settingsTlvs, 0);
  plain.writeUInt16BE(AttributeType.KeyWrapAuthenticator, settingsTlvs.length);
  plain.writeUInt16BE(KWA_LEN, settingsTlvs.length + 2);
  keyWrapAuthenticator(authKey, settingsTlvs).copy(plain, settingsTlvs.length + TLV_HEADER_LEN);
  const iv = drawRandom(rng, AES_BLOCK_LEN);
  const cipher = createCipheriv('aes-128-cbc', keyWrapKey, iv).setAutoPadding(false);
  const encrypted = cipher.update(plain);
  cipher.final(); // whole blocks and no padding: nothing is left
  plain.fill(0);
  const out = Buffer.allocUnsafe(AES_BLOCK_LEN + encrypted.length);
  iv.copy(out, 0);
  encrypted.copy(out, AES_BLOCK_LEN);
  return out;
}

/** Decrypted Encrypted Settings (see openSettings). */
export interface OpenedSettings {
  /** The settings TLVs, KWA removed. */
  settings: Buffer;
  /** The settings' attributes (copies). */
  attrs: Attribute[];
  /** The settings followed by their KWA attribute, as hostapd keeps the decrypted plaintext. */
  withKwa: Buffer;
}

/**
 * Decrypts an Encrypted Settings value and returns its TLVs without the KWA.
 * Checks, in order: length (>= IV + one block, whole blocks), PKCS#5 padding
 * (1..16, every pad byte equal; stricter than hostapd, which also takes 0),
 * the KWA as the last attribute, its value (constant-time), and that the
 * remaining TLVs are well-formed.
 */
export function decryptSettings(authKey: Uint8Array, keyWrapKey: Uint8Array, encrypted: Uint8Array): Buffer {
  return openSettings(authKey, keyWrapKey, encrypted).settings;
}

/** decryptSettings, also giving the parsed settings and the plaintext with its KWA: one decryption, one parse. */
export function openSettings(authKey: Uint8Array, keyWrapKey: Uint8Array, encrypted: Uint8Array): OpenedSettings {
  requireLength('AuthKey', authKey, AUTHKEY_LEN);
  requireLength('KeyWrapKey', keyWrapKey, KEYWRAPKEY_LEN);
  if (encrypted.length < 2 * AES_BLOCK_LEN) {
    throw new WscCryptoError('TOO_SHORT', `Encrypted Settings of ${encrypted.length} bytes: need IV and at least one block`);
  }
  if (encrypted.length % AES_BLOCK_LEN !== 0) {
    throw new WscCryptoError('BAD_LENGTH', `Encrypted Settings of ${encrypted.length} bytes is not whole AES blocks`);
  }
  const decipher = createDecipheriv('aes-128-cbc', keyWrapKey, encrypted.subarray(0, AES_BLOCK_LEN)).setAutoPadding(false);
  const plain = decipher.update(encrypted.subarray(AES_BLOCK_LEN));
  decipher.final(); // whole blocks and no padding: nothing is left
  try {
    const pad = plain[plain.length - 1] ?? 0;
    // Examine all 16 candidate pad bytes whatever the pad value, so the time taken does not depend on it.
    let bad = pad === 0 || pad > AES_BLOCK_LEN ? 1 : 0;
    for (let i = 1; i <= AES_BLOCK_LEN; i++) {
      const inPad = i <= pad ? 1 : 0;
      bad |= inPad & ((plain[plain.length - i] ?? 0) !== pad ? 1 : 0);
    }
    if (bad !== 0) throw new WscCryptoError('BAD_PADDING', 'Encrypted Settings has invalid PKCS#5 padding');
    const body = plain.subarray(0, plain.length - pad);
    const kwaStart = body.length - TLV_HEADER_LEN - KWA_LEN;
    if (
      kwaStart < 0 ||
      body.readUInt16BE(kwaStart) !== AttributeType.KeyWrapAuthenticator ||
      body.readUInt16BE(kwaStart + 2) !== KWA_LEN
    ) {
      throw new WscCryptoError('KWA_MISSING', 'Encrypted Settings does not end in a Key Wrap Authenticator');
    }
    const settings = body.subarray(0, kwaStart);
    const expected = keyWrapAuthenticator(authKey, settings);
    if (!constantTimeEqual(expected, body.subarray(kwaStart + TLV_HEADER_LEN))) {
      throw new WscCryptoError('KWA_MISMATCH', 'Key Wrap Authenticator does not match');
    }
    let attrs: Attribute[];
    try {
      attrs = parseAttributes(settings);
    } catch (e) {
      if (e instanceof WscParseError) {
        throw new WscCryptoError('BAD_SETTINGS', `decrypted settings are not well-formed attributes: ${e.message}`);
      }
      throw e;
    }
    const withKwa = Buffer.from(body);
    return { settings: withKwa.subarray(0, kwaStart), attrs, withKwa };
  } finally {
    plain.fill(0);
  }
}

/**
 * PSK1 = first 128 bits of HMAC-SHA-256(AuthKey, first half of the device
 * password), PSK2 likewise for the second half. For an odd length the first
 * half is the longer one, as hostapd splits it.
 */
export function devicePasswordPsks(authKey: Uint8Array, password: Uint8Array): { psk1: Buffer; psk2: Buffer } {
  requireLength('AuthKey', authKey, AUTHKEY_LEN);
  const firstLen = Math.ceil(password.length / 2);
  return {
    psk1: hmacSha256(authKey, password.subarray(0, firstLen)).subarray(0, PSK_LEN),
    psk2: hmacSha256(authKey, password.subarray(firstLen)).subarray(0, PSK_LEN),
  };
}

/**
 * E-Hash1/2 = HMAC-SHA-256(AuthKey, E-S1/2 || PSK1/2 || PK_E || PK_R), and
 * R-Hash1/2 with R-S1/2. PK_E/PK_R are the Public Key attributes as received.
 */
export function computeHash(
  authKey: Uint8Array,
  secretNonce: Uint8Array,
  psk: Uint8Array,
  pkE: Uint8Array,
  pkR: Uint8Array,
): Buffer {
  requireLength('AuthKey', authKey, AUTHKEY_LEN);
  requireLength('secret nonce', secretNonce, NONCE_LEN);
  requireLength('PSK', psk, PSK_LEN);
  return hmacSha256(authKey, secretNonce, psk, pkE, pkR);
}

/** Recomputes a peer's E-Hash/R-Hash from its revealed secret nonce and compares in constant time. */
export function verifyHash(
  expectedHash: Uint8Array,
  authKey: Uint8Array,
  secretNonce: Uint8Array,
  psk: Uint8Array,
  pkE: Uint8Array,
  pkR: Uint8Array,
): boolean {
  return constantTimeEqual(computeHash(authKey, secretNonce, psk, pkE, pkR), expectedHash);
}

/** A 128-bit nonce (Enrollee/Registrar Nonce, E-S1/E-S2, R-S1/R-S2) from the CSPRNG by default. */
export function randomNonce(rng: Rng = systemRng): Buffer {
  return drawRandom(rng, NONCE_LEN);
}
