/**
 * The stream protocol between radios and `wpsd medium`: each message is a
 * 4-octet big-endian length, then a type octet and its payload. A radio says
 * HELLO with its channel and addresses, the medium answers WELCOME, then both
 * sides exchange FRAME messages holding 802.11 frames without FCS.
 */
import { MAC_LEN, macFromBytes, macToBytes, type MacAddress } from '../mac.js';
import { WpsdError } from '../../common/errors.js';

export const SIM_PROTOCOL_VERSION = 1;
export const MESSAGE_LENGTH_LEN = 4;
/** Largest 802.11 frame the medium carries; comfortably above an MMPDU (2304-octet body) with header. */
export const MEDIUM_MAX_FRAME_LEN = 4096;
export const MEDIUM_MAX_MESSAGE_LEN = 1 + MEDIUM_MAX_FRAME_LEN;
/** A radio may own a few addresses (e.g. several BSSes); more is a misbehaving client. */
export const MAX_RADIO_ADDRESSES = 16;
export const CHANNEL_MIN = 1;
export const CHANNEL_MAX = 233;

export const MessageType = {
  HELLO: 1,
  WELCOME: 2,
  FRAME: 3,
  SET_CHANNEL: 4,
  ERROR: 5,
} as const;

export type SimMessage =
  | { type: 'hello'; version: number; channel: number; addresses: MacAddress[] }
  | { type: 'welcome' }
  | { type: 'frame'; frame: Uint8Array }
  | { type: 'set-channel'; channel: number }
  | { type: 'error'; message: string };

export type SimProtocolErrorCode = 'TOO_LONG' | 'EMPTY' | 'BAD_MESSAGE' | 'UNKNOWN_TYPE' | 'BAD_CHANNEL';

export class SimProtocolError extends WpsdError<SimProtocolErrorCode> {}

function checkChannel(channel: number): void {
  if (!Number.isInteger(channel) || channel < CHANNEL_MIN || channel > CHANNEL_MAX) {
    throw new SimProtocolError('BAD_CHANNEL', `channel ${channel} outside ${CHANNEL_MIN}..${CHANNEL_MAX}`);
  }
}

export function encodeMessage(msg: SimMessage): Uint8Array {
  let type: number;
  let payload: Uint8Array;
  switch (msg.type) {
    case 'hello': {
      checkChannel(msg.channel);
      if (msg.addresses.length < 1 || msg.addresses.length > MAX_RADIO_ADDRESSES) {
        throw new SimProtocolError('BAD_MESSAGE', `a radio registers 1..${MAX_RADIO_ADDRESSES} addresses`);
      }
      type = MessageType.HELLO;
      payload = new Uint8Array(4 + MAC_LEN * msg.addresses.length);
      payload[0] = msg.version;
      payload[1] = msg.channel >> 8;
      payload[2] = msg.channel & 0xff;
      payload[3] = msg.addresses.length;
      msg.addresses.forEach((a, i) => payload.set(macToBytes(a), 4 + i * MAC_LEN));
      break;
    }
    case 'welcome':
      type = MessageType.WELCOME;
      payload = new Uint8Array(0);
      break;
    case 'frame':
      if (msg.frame.length > MEDIUM_MAX_FRAME_LEN) throw new SimProtocolError('TOO_LONG', `frame of ${msg.frame.length} octets exceeds ${MEDIUM_MAX_FRAME_LEN}`);
      type = MessageType.FRAME;
      payload = msg.frame;
      break;
    case 'set-channel':
      checkChannel(msg.channel);
      type = MessageType.SET_CHANNEL;
      payload = Uint8Array.of(msg.channel >> 8, msg.channel & 0xff);
      break;
    case 'error':
      type = MessageType.ERROR;
      payload = new TextEncoder().encode(msg.message.slice(0, 512));
      break;
  }
  const out = new Uint8Array(MESSAGE_LENGTH_LEN + 1 + payload.length);
  new DataView(out.buffer).setUint32(0, 1 + payload.length);
  out[MESSAGE_LENGTH_LEN] = type;
  out.set(payload, MESSAGE_LENGTH_LEN + 1);
  return out;
}

/** Decodes one message body (type octet and payload). */
export function decodeMessage(body: Uint8Array): SimMessage {
  if (body.length < 1) throw new SimProtocolError('EMPTY', 'empty message');
  const payload = body.subarray(1);
  switch (body[0]) {
    case MessageType.HELLO: {
      if (payload.length < 4) throw new SimProtocolError('BAD_MESSAGE', 'short HELLO');
      const count = payload[3] ?? 0;
      if (count < 1 || count > MAX_RADIO_ADDRESSES || payload.length !== 4 + count * MAC_LEN) {
        throw new SimProtocolError('BAD_MESSAGE', `HELLO with ${count} addresses in ${payload.length} octets`);
      }
      const channel = ((payload[1] ?? 0) << 8) | (payload[2] ?? 0);
      checkChannel(channel);
      const addresses: MacAddress[] = [];
      for (let i = 0; i < count; i++) addresses.push(macFromBytes(payload, 4 + i * MAC_LEN));
      return { type: 'hello', version: payload[0] ?? 0, channel, addresses };
    }
    case MessageType.WELCOME:
      if (payload.length !== 0) throw new SimProtocolError('BAD_MESSAGE', 'WELCOME with a payload');
      return { type: 'welcome' };
    case MessageType.FRAME:
      return { type: 'frame', frame: new Uint8Array(payload) };
    case MessageType.SET_CHANNEL: {
      if (payload.length !== 2) throw new SimProtocolError('BAD_MESSAGE', 'SET_CHANNEL payload is not 2 octets');
      const channel = ((payload[0] ?? 0) << 8) | (payload[1] ?? 0);
      checkChannel(channel);
      return { type: 'set-channel', channel };
    }
    case MessageType.ERROR:
      return { type: 'error', message: new TextDecoder('utf-8', { fatal: false }).decode(payload) };
    default:
      throw new SimProtocolError('UNKNOWN_TYPE', `unknown message type ${body[0] ?? 0}`);
  }
}

/**
 * Reassembles length-prefixed messages from stream chunks. A declared length
 * above MEDIUM_MAX_MESSAGE_LEN is refused before anything is buffered.
 */
export class MessageReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  /** Adds a chunk and returns the complete messages it finished. Throws SimProtocolError; the stream is then unusable. */
  push(chunk: Uint8Array): SimMessage[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: SimMessage[] = [];
    while (this.buffered >= MESSAGE_LENGTH_LEN) {
      const head = this.peek(MESSAGE_LENGTH_LEN);
      const len = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
      if (len === 0) throw new SimProtocolError('EMPTY', 'message of length 0');
      if (len > MEDIUM_MAX_MESSAGE_LEN) throw new SimProtocolError('TOO_LONG', `message of ${len} octets exceeds ${MEDIUM_MAX_MESSAGE_LEN}`);
      if (this.buffered < MESSAGE_LENGTH_LEN + len) break;
      const whole = this.take(MESSAGE_LENGTH_LEN + len);
      out.push(decodeMessage(whole.subarray(MESSAGE_LENGTH_LEN)));
    }
    return out;
  }

  private peek(n: number): Uint8Array {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Uint8Array) : concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all.subarray(0, n);
  }

  private take(n: number): Uint8Array {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Uint8Array) : concat(this.chunks, this.buffered);
    const head = all.slice(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return head;
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
