/**
 * EAP-WSC framing (WSC 2.0 section 8.2 / RFC 3748 expanded type): the EAP
 * header, the WFA expanded type (vendor 00:37:2A, type 1), Op-Code and Flags,
 * the Message Length field, and fragmentation / reassembly as hostapd's
 * eap_server_wsc.c and eap_peer/eap_wsc.c do it.
 */

import { AttributeType, parseAttributes } from './attributes.js';
import { MessageType } from './values.js';
import { WpsdError } from '../common/errors.js';

export const EapCode = {
  Request: 1,
  Response: 2,
  Success: 3,
  Failure: 4,
} as const;
export type EapCode = (typeof EapCode)[keyof typeof EapCode];

export const EAP_TYPE_IDENTITY = 1;
export const EAP_TYPE_EXPANDED = 254;
/** Wi-Fi Alliance SMI vendor id of the expanded EAP type. */
export const EAP_VENDOR_WFA = 0x00372a;
export const EAP_VENDOR_TYPE_WSC = 1;

/** Code(1) Identifier(1) Length(2). */
export const EAP_HEADER_LEN = 4;
/** EAP header + Type 254 + Vendor-Id(3) + Vendor-Type(4). */
export const EAP_EXPANDED_HEADER_LEN = EAP_HEADER_LEN + 8;
/** Op-Code(1) Flags(1). */
export const WSC_HEADER_LEN = 2;
export const WSC_MESSAGE_LENGTH_LEN = 2;
/** The EAP Length field is 16 bits. */
export const MAX_EAP_PACKET_LEN = 0xffff;

export const WscOpCode = {
  Start: 0x01,
  Ack: 0x02,
  Nack: 0x03,
  Msg: 0x04,
  Done: 0x05,
  FragAck: 0x06,
} as const;
export type WscOpCode = (typeof WscOpCode)[keyof typeof WscOpCode];

/** More Fragments follow. */
export const WSC_FLAG_MF = 0x01;
/** The Message Length field is present. */
export const WSC_FLAG_LF = 0x02;

export const WSC_ID_ENROLLEE = 'WFA-SimpleConfig-Enrollee-1-0';
export const WSC_ID_REGISTRAR = 'WFA-SimpleConfig-Registrar-1-0';

/** hostapd/wpa_supplicant default: Op-Code + Flags [+ Message Length] + data per packet. */
export const WSC_FRAGMENT_SIZE = 1400;
/** Smallest fragment size accepted: room for the headers and some data. */
export const MIN_WSC_FRAGMENT_SIZE = 16;
/** Largest fragment size: the whole EAP packet must fit its 16-bit Length field. */
export const MAX_WSC_FRAGMENT_SIZE = MAX_EAP_PACKET_LEN - EAP_EXPANDED_HEADER_LEN;
/** hostapd refuses a Message Length over 50000; the reassembler never holds more. */
export const MAX_WSC_MESSAGE_SIZE = 50_000;

export type EapWscErrorCode =
  | 'TRUNCATED'
  | 'BAD_CODE'
  | 'NOT_WSC'
  | 'BAD_OPCODE'
  | 'BAD_MESSAGE_LENGTH'
  | 'NO_MESSAGE_LENGTH'
  | 'OPCODE_CHANGED'
  | 'OVERFLOW'
  | 'LENGTH_MISMATCH'
  | 'TOO_LARGE'
  | 'BAD_ARGUMENT';

export class EapWscError extends WpsdError<EapWscErrorCode> {}

/** The WSC part of one EAP-WSC packet. */
export interface WscFragment {
  opCode: WscOpCode;
  /** Raw Flags octet; bits other than MF/LF are kept as received and ignored. */
  flags: number;
  /** Total message length; present exactly when flags has LF. */
  messageLength?: number;
  data: Buffer;
}

export interface EapWscPacket extends WscFragment {
  code: typeof EapCode.Request | typeof EapCode.Response;
  identifier: number;
}

const OP_CODES = new Set<number>(Object.values(WscOpCode));

export function isWscOpCode(v: number): v is WscOpCode {
  return OP_CODES.has(v);
}

/** Builds an EAP-Request/Response of expanded type WSC. */
export function buildEapWsc(p: EapWscPacket): Buffer {
  if (p.code !== EapCode.Request && p.code !== EapCode.Response) {
    throw new EapWscError('BAD_ARGUMENT', `EAP code ${String(p.code)} cannot carry EAP-WSC`);
  }
  if (!Number.isInteger(p.identifier) || p.identifier < 0 || p.identifier > 0xff) {
    throw new EapWscError('BAD_ARGUMENT', `EAP identifier ${p.identifier} is not an octet`);
  }
  if (!isWscOpCode(p.opCode)) throw new EapWscError('BAD_ARGUMENT', `unknown WSC Op-Code ${String(p.opCode)}`);
  if (!Number.isInteger(p.flags) || p.flags < 0 || p.flags > 0xff) {
    throw new EapWscError('BAD_ARGUMENT', `WSC flags ${p.flags} is not an octet`);
  }
  const lf = (p.flags & WSC_FLAG_LF) !== 0;
  if (lf !== (p.messageLength !== undefined)) {
    throw new EapWscError('BAD_ARGUMENT', 'Message Length must be given exactly when the LF flag is set');
  }
  if (p.messageLength !== undefined && (!Number.isInteger(p.messageLength) || p.messageLength < 0 || p.messageLength > 0xffff)) {
    throw new EapWscError('BAD_ARGUMENT', `Message Length ${p.messageLength} does not fit 16 bits`);
  }
  const len = EAP_EXPANDED_HEADER_LEN + WSC_HEADER_LEN + (lf ? WSC_MESSAGE_LENGTH_LEN : 0) + p.data.length;
  if (len > MAX_EAP_PACKET_LEN) throw new EapWscError('TOO_LARGE', `EAP-WSC packet of ${len} bytes exceeds 65535`);
  const out = Buffer.alloc(len);
  out[0] = p.code;
  out[1] = p.identifier;
  out.writeUInt16BE(len, 2);
  out[4] = EAP_TYPE_EXPANDED;
  out.writeUIntBE(EAP_VENDOR_WFA, 5, 3);
  out.writeUInt32BE(EAP_VENDOR_TYPE_WSC, 8);
  out[12] = p.opCode;
  out[13] = p.flags;
  let off = 14;
  if (p.messageLength !== undefined) {
    out.writeUInt16BE(p.messageLength, off);
    off += 2;
  }
  p.data.copy(out, off);
  return out;
}

/**
 * Parses an EAP-Request/Response of expanded type WSC. Bytes after the EAP
 * Length are ignored (link-layer padding), as hostapd does. Checks the
 * Message Length like hostapd: not less than this packet's data, not over
 * MAX_WSC_MESSAGE_SIZE.
 */
export function parseEapWsc(buf: Uint8Array): EapWscPacket {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < EAP_HEADER_LEN) throw new EapWscError('TRUNCATED', `EAP packet of ${b.length} bytes has no header`);
  const code = b[0] ?? 0;
  const identifier = b[1] ?? 0;
  const len = b.readUInt16BE(2);
  if (code !== EapCode.Request && code !== EapCode.Response) {
    throw new EapWscError('BAD_CODE', `EAP code ${code} is not Request or Response`);
  }
  if (len > b.length) throw new EapWscError('TRUNCATED', `EAP Length ${len} exceeds the ${b.length} bytes received`);
  if (len < EAP_HEADER_LEN + 1) throw new EapWscError('TRUNCATED', `EAP Length ${len} leaves no Type`);
  if (b[4] !== EAP_TYPE_EXPANDED) throw new EapWscError('NOT_WSC', `EAP type ${b[4] ?? 0} is not expanded (254)`);
  if (len < EAP_EXPANDED_HEADER_LEN) throw new EapWscError('TRUNCATED', `EAP Length ${len} too short for an expanded type`);
  const vendor = b.readUIntBE(5, 3);
  const vendorType = b.readUInt32BE(8);
  if (vendor !== EAP_VENDOR_WFA || vendorType !== EAP_VENDOR_TYPE_WSC) {
    throw new EapWscError('NOT_WSC', `expanded type ${vendor.toString(16)}/${vendorType} is not WFA/WSC`);
  }
  if (len < EAP_EXPANDED_HEADER_LEN + WSC_HEADER_LEN) throw new EapWscError('TRUNCATED', 'EAP-WSC packet has no Op-Code and Flags');
  const opCode = b[12] ?? 0;
  const flags = b[13] ?? 0;
  if (!isWscOpCode(opCode)) throw new EapWscError('BAD_OPCODE', `unknown WSC Op-Code ${opCode}`);
  let off = EAP_EXPANDED_HEADER_LEN + WSC_HEADER_LEN;
  let messageLength: number | undefined;
  if (flags & WSC_FLAG_LF) {
    if (len - off < WSC_MESSAGE_LENGTH_LEN) throw new EapWscError('TRUNCATED', 'LF flag set but no Message Length field');
    messageLength = b.readUInt16BE(off);
    off += WSC_MESSAGE_LENGTH_LEN;
    if (messageLength < len - off || messageLength > MAX_WSC_MESSAGE_SIZE) {
      throw new EapWscError('BAD_MESSAGE_LENGTH', `Message Length ${messageLength} invalid for ${len - off} bytes of data`);
    }
  }
  const pkt: EapWscPacket = { code, identifier, opCode, flags, data: Buffer.from(b.subarray(off, len)) };
  if (messageLength !== undefined) pkt.messageLength = messageLength;
  return pkt;
}

/**
 * Splits one outgoing WSC message into fragments the way hostapd does: if
 * Op-Code + Flags + data exceed the fragment size, each packet carries
 * `fragmentSize` bytes of WSC payload with MF set, and the first also has LF
 * and the Message Length (its data shrinks by 2). Send a fragment, wait for
 * the peer's FRAG_ACK, send the next.
 */
export class Fragmenter {
  private used = 0;
  private started = false;

  constructor(
    readonly opCode: WscOpCode,
    private readonly message: Buffer,
    readonly fragmentSize: number = WSC_FRAGMENT_SIZE,
  ) {
    if (!isWscOpCode(opCode)) throw new EapWscError('BAD_ARGUMENT', `unknown WSC Op-Code ${String(opCode)}`);
    if (!Number.isInteger(fragmentSize) || fragmentSize < MIN_WSC_FRAGMENT_SIZE || fragmentSize > MAX_WSC_FRAGMENT_SIZE) {
      throw new EapWscError('BAD_ARGUMENT', `fragment size must be ${MIN_WSC_FRAGMENT_SIZE}..${MAX_WSC_FRAGMENT_SIZE}, got ${fragmentSize}`);
    }
    if (message.length > MAX_WSC_MESSAGE_SIZE) {
      throw new EapWscError('TOO_LARGE', `WSC message of ${message.length} bytes exceeds ${MAX_WSC_MESSAGE_SIZE}`);
    }
  }

  /** True once every byte of the message has been handed out. */
  get done(): boolean {
    return this.started && this.used === this.message.length;
  }

  /** The next fragment; throws when the message has been sent completely. */
  next(): WscFragment {
    if (this.done) throw new EapWscError('BAD_ARGUMENT', 'message already sent completely');
    this.started = true;
    let flags = 0;
    let sendLen = this.message.length - this.used;
    let messageLength: number | undefined;
    if (WSC_HEADER_LEN + sendLen > this.fragmentSize) {
      sendLen = this.fragmentSize - WSC_HEADER_LEN;
      flags |= WSC_FLAG_MF;
      if (this.used === 0) {
        flags |= WSC_FLAG_LF;
        sendLen -= WSC_MESSAGE_LENGTH_LEN;
        messageLength = this.message.length;
      }
    }
    const data = Buffer.from(this.message.subarray(this.used, this.used + sendLen));
    this.used += sendLen;
    const frag: WscFragment = { opCode: this.opCode, flags, data };
    if (messageLength !== undefined) frag.messageLength = messageLength;
    return frag;
  }
}

export type ReassemblyResult =
  | { complete: true; opCode: WscOpCode; message: Buffer }
  /** A fragment was stored; answer with FRAG_ACK. */
  | { complete: false; received: number; total: number };

/**
 * Collects incoming fragments into one WSC message. Memory is bounded: a
 * message is refused unless its declared Message Length is within `maxSize`.
 * A bad fragment throws EapWscError and leaves the state as it was; the
 * caller decides whether to `reset()` (hostapd fails the exchange).
 */
export class Reassembler {
  private buf: Buffer | undefined;
  private opCode: WscOpCode | undefined;
  private filled = 0;

  constructor(readonly maxSize: number = MAX_WSC_MESSAGE_SIZE) {
    if (!Number.isInteger(maxSize) || maxSize < 0 || maxSize > MAX_WSC_MESSAGE_SIZE) {
      throw new EapWscError('BAD_ARGUMENT', `reassembly bound must be 0..${MAX_WSC_MESSAGE_SIZE}`);
    }
  }

  /** Bytes currently held (never more than `maxSize`). */
  get held(): number {
    return this.buf?.length ?? 0;
  }

  /** True while a fragmented message is partly received. */
  get inProgress(): boolean {
    return this.buf !== undefined;
  }

  reset(): void {
    this.buf = undefined;
    this.opCode = undefined;
    this.filled = 0;
  }

  push(frag: WscFragment): ReassemblyResult {
    const more = (frag.flags & WSC_FLAG_MF) !== 0;
    if (this.buf === undefined || this.opCode === undefined) {
      const total = frag.messageLength ?? frag.data.length;
      if (frag.messageLength !== undefined && frag.messageLength < frag.data.length) {
        throw new EapWscError('BAD_MESSAGE_LENGTH', `Message Length ${frag.messageLength} is less than the fragment's ${frag.data.length} bytes`);
      }
      if (total > this.maxSize) {
        throw new EapWscError('TOO_LARGE', `WSC message of ${total} bytes exceeds the ${this.maxSize}-byte bound`);
      }
      if (!more) {
        if (frag.messageLength !== undefined && frag.messageLength !== frag.data.length) {
          throw new EapWscError('LENGTH_MISMATCH', `Message Length ${frag.messageLength} but ${frag.data.length} bytes in an unfragmented packet`);
        }
        return { complete: true, opCode: frag.opCode, message: Buffer.from(frag.data) };
      }
      if (frag.messageLength === undefined) {
        throw new EapWscError('NO_MESSAGE_LENGTH', 'first fragment has MF but no Message Length');
      }
      this.buf = Buffer.alloc(frag.messageLength);
      frag.data.copy(this.buf, 0);
      this.filled = frag.data.length;
      this.opCode = frag.opCode;
      return { complete: false, received: this.filled, total: this.buf.length };
    }

    if (frag.opCode !== this.opCode) {
      throw new EapWscError('OPCODE_CHANGED', `fragment Op-Code ${frag.opCode} differs from the message's ${this.opCode}`);
    }
    if (frag.messageLength !== undefined && frag.messageLength !== this.buf.length) {
      throw new EapWscError('LENGTH_MISMATCH', `Message Length ${frag.messageLength} differs from the first fragment's ${this.buf.length}`);
    }
    const room = this.buf.length - this.filled;
    if (frag.data.length > room) {
      throw new EapWscError('OVERFLOW', `fragment of ${frag.data.length} bytes overflows the message (${room} bytes left)`);
    }
    if (!more && frag.data.length !== room) {
      throw new EapWscError('LENGTH_MISMATCH', `last fragment leaves the message ${room - frag.data.length} bytes short`);
    }
    frag.data.copy(this.buf, this.filled);
    this.filled += frag.data.length;
    if (more) return { complete: false, received: this.filled, total: this.buf.length };
    const message = this.buf;
    const opCode = this.opCode;
    this.reset();
    return { complete: true, opCode, message };
  }
}

/** EAP-Request/Identity or EAP-Response/Identity (type 1) carrying `identity`. */
export function buildEapIdentity(code: typeof EapCode.Request | typeof EapCode.Response, identifier: number, identity: string): Buffer {
  const id = Buffer.from(identity, 'utf8');
  const len = EAP_HEADER_LEN + 1 + id.length;
  if (len > MAX_EAP_PACKET_LEN) throw new EapWscError('TOO_LARGE', 'identity too long for an EAP packet');
  if (!Number.isInteger(identifier) || identifier < 0 || identifier > 0xff) {
    throw new EapWscError('BAD_ARGUMENT', `EAP identifier ${identifier} is not an octet`);
  }
  const out = Buffer.alloc(len);
  out[0] = code;
  out[1] = identifier;
  out.writeUInt16BE(len, 2);
  out[4] = EAP_TYPE_IDENTITY;
  id.copy(out, 5);
  return out;
}

/** EAP-Success or EAP-Failure (header only). WSC always ends in EAP-Failure. */
export function buildEapResult(code: typeof EapCode.Success | typeof EapCode.Failure, identifier: number): Buffer {
  if (!Number.isInteger(identifier) || identifier < 0 || identifier > 0xff) {
    throw new EapWscError('BAD_ARGUMENT', `EAP identifier ${identifier} is not an octet`);
  }
  return Buffer.from([code, identifier, 0, EAP_HEADER_LEN]);
}

export interface EapHeader {
  code: number;
  identifier: number;
  /** The EAP Length field (bytes after it in the input are ignored). */
  length: number;
  /** The Type octet of a Request/Response. */
  type?: number;
  /** For type 1: the identity bytes. */
  identity?: Buffer;
}

/**
 * Reads the EAP header of any packet so a caller can dispatch: Identity,
 * expanded WSC (then use parseEapWsc), Success/Failure.
 */
export function parseEapHeader(buf: Uint8Array): EapHeader {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < EAP_HEADER_LEN) throw new EapWscError('TRUNCATED', `EAP packet of ${b.length} bytes has no header`);
  const code = b[0] ?? 0;
  const identifier = b[1] ?? 0;
  const length = b.readUInt16BE(2);
  if (length > b.length) throw new EapWscError('TRUNCATED', `EAP Length ${length} exceeds the ${b.length} bytes received`);
  if (length < EAP_HEADER_LEN) throw new EapWscError('TRUNCATED', `EAP Length ${length} is shorter than the header`);
  const h: EapHeader = { code, identifier, length };
  if (code === EapCode.Request || code === EapCode.Response) {
    if (length < EAP_HEADER_LEN + 1) throw new EapWscError('TRUNCATED', 'EAP Request/Response without a Type');
    h.type = b[4] ?? 0;
    if (h.type === EAP_TYPE_IDENTITY) h.identity = Buffer.from(b.subarray(5, length));
  } else if (code !== EapCode.Success && code !== EapCode.Failure) {
    throw new EapWscError('BAD_CODE', `unknown EAP code ${code}`);
  }
  return h;
}

/** The WSC Message Type of `message`, or undefined when it has none (or does not parse). */
export function wscMessageType(message: Uint8Array): number | undefined {
  try {
    const t = parseAttributes(message).find((a) => a.type === AttributeType.MessageType);
    return t?.value.length === 1 ? t.value[0] : undefined;
  } catch {
    return undefined;
  }
}

/** The EAP-WSC Op-Code that carries a WSC message (WSC 2.0 section 8.2.1): ACK, NACK, Done, else MSG. */
export function wscOpCodeFor(message: Uint8Array): WscOpCode {
  switch (wscMessageType(message)) {
    case MessageType.WscAck:
      return WscOpCode.Ack;
    case MessageType.WscNack:
      return WscOpCode.Nack;
    case MessageType.WscDone:
      return WscOpCode.Done;
    default:
      return WscOpCode.Msg;
  }
}
