/**
 * EAPOL-Key frames (IEEE 802.11-2020 12.7.2) with the RSN key descriptor:
 * Descriptor Type, Key Information, Key Length, Key Replay Counter, Key
 * Nonce, EAPOL-Key IV, Key RSC, reserved, Key MIC (16 octets for the
 * PSK AKM), Key Data Length, Key Data. The parser is total: every length is
 * checked and each error is an EapolKeyError.
 */
import { buildEapol, EAPOL_HEADER_LEN, EapolError, EapolType, parseEapol } from '../eapol.js';
import { eapolKeyMic, MIC_LEN, micEquals, NONCE_LEN } from './crypto.js';
import { WpsdError } from '../../common/errors.js';

/** 802.11 12.7.2: the RSN key descriptor (254 is the old WPA one, not accepted here). */
export const DESCRIPTOR_TYPE_RSN = 2;
export const REPLAY_COUNTER_LEN = 8;
export const KEY_IV_LEN = 16;
export const KEY_RSC_FIELD_LEN = 8;
export const KEY_RESERVED_LEN = 8;
/** Octets from the descriptor type up to and including Key Data Length, with a 16-octet MIC. */
export const KEY_FIXED_LEN = 1 + 2 + 2 + REPLAY_COUNTER_LEN + NONCE_LEN + KEY_IV_LEN + KEY_RSC_FIELD_LEN + KEY_RESERVED_LEN + MIC_LEN + 2;
/** Offset of the MIC inside the EAPOL PDU (after the 4-octet EAPOL header). */
export const MIC_OFFSET = EAPOL_HEADER_LEN + KEY_FIXED_LEN - 2 - MIC_LEN;
/**
 * Key data we accept: hostapd takes what fits the frame; a PSK handshake
 * carries an RSN element and a GTK KDE (well under 256 octets), so a larger
 * one is refused before any crypto runs.
 */
export const KEY_DATA_MAX_LEN = 1024;

/** Key Information bits (12.7.2 Figure 12-33). */
export const KeyInfo = {
  VERSION_MASK: 0x0007,
  /** Key descriptor version 2: HMAC-SHA1-128 MIC, AES key wrap. */
  VERSION_HMAC_SHA1_AES: 0x0002,
  PAIRWISE: 0x0008,
  INSTALL: 0x0040,
  ACK: 0x0080,
  MIC: 0x0100,
  SECURE: 0x0200,
  ERROR: 0x0400,
  REQUEST: 0x0800,
  ENCRYPTED_KEY_DATA: 0x1000,
} as const;

export interface EapolKey {
  /** The EAPOL protocol version of the PDU (hostapd sends 2, wpa_supplicant answers with its eapol_version, 1 by default). */
  eapolVersion: number;
  keyInfo: number;
  keyLength: number;
  replayCounter: bigint;
  nonce: Uint8Array;
  iv: Uint8Array;
  rsc: Uint8Array;
  mic: Uint8Array;
  keyData: Uint8Array;
}

export type EapolKeyErrorCode = 'NOT_KEY' | 'TRUNCATED' | 'BAD_DESCRIPTOR' | 'BAD_VERSION' | 'TOO_LONG';

export class EapolKeyError extends WpsdError<EapolKeyErrorCode> {}

/** Parses an EAPOL PDU as an RSN EAPOL-Key frame with key descriptor version 2. */
export function parseEapolKey(pdu: Uint8Array): EapolKey {
  let eapol;
  try {
    eapol = parseEapol(pdu);
  } catch (e) {
    if (e instanceof EapolError) throw new EapolKeyError('TRUNCATED', e.message);
    throw e;
  }
  if (eapol.type !== EapolType.KEY) throw new EapolKeyError('NOT_KEY', `EAPOL type ${eapol.type} is not EAPOL-Key`);
  const b = eapol.body;
  if (b.length < KEY_FIXED_LEN) throw new EapolKeyError('TRUNCATED', `EAPOL-Key body of ${b.length} octets, at least ${KEY_FIXED_LEN} expected`);
  if (b[0] !== DESCRIPTOR_TYPE_RSN) throw new EapolKeyError('BAD_DESCRIPTOR', `key descriptor type ${b[0] ?? 0} is not RSN (${DESCRIPTOR_TYPE_RSN})`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const keyInfo = dv.getUint16(1);
  if ((keyInfo & KeyInfo.VERSION_MASK) !== KeyInfo.VERSION_HMAC_SHA1_AES) {
    throw new EapolKeyError('BAD_VERSION', `key descriptor version ${keyInfo & KeyInfo.VERSION_MASK} is not 2 (HMAC-SHA1-128/AES)`);
  }
  let pos = 3;
  const take = (n: number): Uint8Array => {
    const out = b.slice(pos, pos + n);
    pos += n;
    return out;
  };
  const keyLength = dv.getUint16(pos);
  pos += 2;
  const replayCounter = dv.getBigUint64(pos);
  pos += REPLAY_COUNTER_LEN;
  const nonce = take(NONCE_LEN);
  const iv = take(KEY_IV_LEN);
  const rsc = take(KEY_RSC_FIELD_LEN);
  pos += KEY_RESERVED_LEN;
  const mic = take(MIC_LEN);
  const dataLen = dv.getUint16(pos);
  pos += 2;
  if (dataLen > b.length - pos) throw new EapolKeyError('TRUNCATED', `Key Data Length ${dataLen} exceeds the ${b.length - pos} octets left`);
  if (dataLen > KEY_DATA_MAX_LEN) throw new EapolKeyError('TOO_LONG', `Key Data of ${dataLen} octets exceeds ${KEY_DATA_MAX_LEN}`);
  return { eapolVersion: eapol.version, keyInfo, keyLength, replayCounter, nonce, iv, rsc, mic, keyData: take(dataLen) };
}

function encode(k: EapolKey, mic: Uint8Array): Uint8Array {
  if (k.nonce.length !== NONCE_LEN || k.iv.length !== KEY_IV_LEN || k.rsc.length !== KEY_RSC_FIELD_LEN || mic.length !== MIC_LEN) {
    throw new EapolKeyError('BAD_DESCRIPTOR', 'EAPOL-Key field of the wrong length');
  }
  if (k.keyData.length > KEY_DATA_MAX_LEN) throw new EapolKeyError('TOO_LONG', `Key Data of ${k.keyData.length} octets exceeds ${KEY_DATA_MAX_LEN}`);
  const body = new Uint8Array(KEY_FIXED_LEN + k.keyData.length);
  const dv = new DataView(body.buffer);
  body[0] = DESCRIPTOR_TYPE_RSN;
  dv.setUint16(1, k.keyInfo);
  dv.setUint16(3, k.keyLength);
  dv.setBigUint64(5, k.replayCounter);
  let pos = 5 + REPLAY_COUNTER_LEN;
  body.set(k.nonce, pos);
  pos += NONCE_LEN;
  body.set(k.iv, pos);
  pos += KEY_IV_LEN;
  body.set(k.rsc, pos);
  pos += KEY_RSC_FIELD_LEN + KEY_RESERVED_LEN;
  body.set(mic, pos);
  pos += MIC_LEN;
  dv.setUint16(pos, k.keyData.length);
  body.set(k.keyData, pos + 2);
  return buildEapol({ version: k.eapolVersion, type: EapolType.KEY, body });
}

/** Encodes a frame; with `kck` the MIC is computed over the frame (the MIC bit must be set), else it is sent as given. */
export function buildEapolKey(k: EapolKey, kck?: Uint8Array): Uint8Array {
  if (kck === undefined) return encode(k, k.mic);
  const frame = encode(k, new Uint8Array(MIC_LEN));
  frame.set(eapolKeyMic(kck, frame), MIC_OFFSET);
  return frame;
}

/** Checks the MIC of a received frame (its raw PDU, as long as its EAPOL length says). */
export function verifyEapolKeyMic(pdu: Uint8Array, kck: Uint8Array): boolean {
  const len = EAPOL_HEADER_LEN + (((pdu[2] ?? 0) << 8) | (pdu[3] ?? 0));
  if (pdu.length < len || len < MIC_OFFSET + MIC_LEN) return false;
  const copy = Uint8Array.from(pdu.subarray(0, len));
  const mic = copy.slice(MIC_OFFSET, MIC_OFFSET + MIC_LEN);
  copy.fill(0, MIC_OFFSET, MIC_OFFSET + MIC_LEN);
  return micEquals(eapolKeyMic(kck, copy), mic);
}

/** A frame with every optional field zero; callers fill in what their message carries. */
export function emptyEapolKey(eapolVersion: number, keyInfo: number, replayCounter: bigint): EapolKey {
  return {
    eapolVersion,
    keyInfo,
    keyLength: 0,
    replayCounter,
    nonce: new Uint8Array(NONCE_LEN),
    iv: new Uint8Array(KEY_IV_LEN),
    rsc: new Uint8Array(KEY_RSC_FIELD_LEN),
    mic: new Uint8Array(MIC_LEN),
    keyData: new Uint8Array(0),
  };
}
