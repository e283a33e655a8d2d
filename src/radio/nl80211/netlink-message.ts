/**
 * Netlink and generic netlink wire format (linux/netlink.h, linux/genetlink.h):
 * nlmsghdr (16 octets, host byte order: little endian on the machines wpsd
 * runs on), genlmsghdr (4 octets), then attributes (nlattr: length, type,
 * payload padded to 4). Parsing is total and throws NetlinkError.
 */
import { WpsdError } from '../../common/errors.js';

export const NLMSG_HDRLEN = 16;
export const GENL_HDRLEN = 4;
export const NLA_HDRLEN = 4;
export const NLMSG_ALIGNTO = 4;

export const NlmsgType = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;
export const NlmFlag = { REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, ECHO: 0x8, CAPPED: 0x100, ACK_TLVS: 0x200 } as const;
/** nla_type flag bits; the attribute type is the low 14 bits. */
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = 0x3fff;
/** A generic netlink reply larger than this is not one we asked for. */
export const NETLINK_MAX_REPLY_LEN = 65536;

export type NetlinkErrorCode = 'TRUNCATED' | 'BAD_LENGTH' | 'TOO_LONG' | 'BAD_ATTRIBUTE';

export class NetlinkError extends WpsdError<NetlinkErrorCode> {}

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
}

export interface NetlinkAttribute {
  /** Type without the NESTED / NET_BYTEORDER flags. */
  type: number;
  nested: boolean;
  payload: Uint8Array;
}

export const align4 = (n: number): number => (n + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Splits a datagram into netlink messages. */
export function parseNetlinkMessages(buf: Uint8Array): NetlinkMessage[] {
  if (buf.length > NETLINK_MAX_REPLY_LEN) throw new NetlinkError('TOO_LONG', `netlink datagram of ${buf.length} octets`);
  const out: NetlinkMessage[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < NLMSG_HDRLEN) throw new NetlinkError('TRUNCATED', `netlink header at ${pos} truncated`);
    const v = view(buf.subarray(pos));
    const len = v.getUint32(0, true);
    if (len < NLMSG_HDRLEN || len > buf.length - pos) throw new NetlinkError('BAD_LENGTH', `nlmsg_len ${len} at ${pos} with ${buf.length - pos} octets left`);
    out.push({
      type: v.getUint16(4, true),
      flags: v.getUint16(6, true),
      seq: v.getUint32(8, true),
      pid: v.getUint32(12, true),
      payload: buf.slice(pos + NLMSG_HDRLEN, pos + len),
    });
    pos += Math.min(align4(len), buf.length - pos);
  }
  return out;
}

export function buildNetlinkMessage(m: NetlinkMessage): Uint8Array {
  const len = NLMSG_HDRLEN + m.payload.length;
  const out = new Uint8Array(align4(len));
  const v = view(out);
  v.setUint32(0, len, true);
  v.setUint16(4, m.type, true);
  v.setUint16(6, m.flags, true);
  v.setUint32(8, m.seq, true);
  v.setUint32(12, m.pid, true);
  out.set(m.payload, NLMSG_HDRLEN);
  return out;
}

/** The attributes of a payload (after any fixed header). */
export function parseAttributes(buf: Uint8Array): NetlinkAttribute[] {
  const out: NetlinkAttribute[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < NLA_HDRLEN) throw new NetlinkError('TRUNCATED', `attribute header at ${pos} truncated`);
    const v = view(buf.subarray(pos));
    const len = v.getUint16(0, true);
    const rawType = v.getUint16(2, true);
    if (len < NLA_HDRLEN || len > buf.length - pos) throw new NetlinkError('BAD_LENGTH', `nla_len ${len} at ${pos} with ${buf.length - pos} octets left`);
    out.push({ type: rawType & NLA_TYPE_MASK, nested: (rawType & NLA_F_NESTED) !== 0, payload: buf.slice(pos + NLA_HDRLEN, pos + len) });
    pos += Math.min(align4(len), buf.length - pos);
  }
  return out;
}

export function buildAttribute(type: number, payload: Uint8Array, nested = false): Uint8Array {
  const len = NLA_HDRLEN + payload.length;
  if (len > 0xffff) throw new NetlinkError('TOO_LONG', `attribute of ${len} octets`);
  const out = new Uint8Array(align4(len));
  const v = view(out);
  v.setUint16(0, len, true);
  v.setUint16(2, type | (nested ? NLA_F_NESTED : 0), true);
  out.set(payload, NLA_HDRLEN);
  return out;
}

export function attrU16(a: NetlinkAttribute): number {
  if (a.payload.length < 2) throw new NetlinkError('BAD_ATTRIBUTE', `attribute ${a.type} too short for u16`);
  return view(a.payload).getUint16(0, true);
}

export function attrU32(a: NetlinkAttribute): number {
  if (a.payload.length < 4) throw new NetlinkError('BAD_ATTRIBUTE', `attribute ${a.type} too short for u32`);
  return view(a.payload).getUint32(0, true);
}

/** NUL-terminated string attribute (NLA_NUL_STRING); the terminator is required. */
export function attrString(a: NetlinkAttribute): string {
  const nul = a.payload.indexOf(0);
  if (nul < 0) throw new NetlinkError('BAD_ATTRIBUTE', `attribute ${a.type} string is not NUL-terminated`);
  return new TextDecoder('utf-8', { fatal: false }).decode(a.payload.subarray(0, nul));
}

export function stringPayload(s: string): Uint8Array {
  const enc = new TextEncoder().encode(s);
  const out = new Uint8Array(enc.length + 1);
  out.set(enc);
  return out;
}

export interface GenlHeader {
  cmd: number;
  version: number;
}

export function parseGenlHeader(payload: Uint8Array): { header: GenlHeader; attributes: Uint8Array } {
  if (payload.length < GENL_HDRLEN) throw new NetlinkError('TRUNCATED', 'generic netlink header truncated');
  return { header: { cmd: payload[0] ?? 0, version: payload[1] ?? 0 }, attributes: payload.subarray(GENL_HDRLEN) };
}

export function genlPayload(h: GenlHeader, attributes: Uint8Array[]): Uint8Array {
  const total = GENL_HDRLEN + attributes.reduce((n, a) => n + a.length, 0);
  const out = new Uint8Array(total);
  out[0] = h.cmd;
  out[1] = h.version;
  let pos = GENL_HDRLEN;
  for (const a of attributes) {
    out.set(a, pos);
    pos += a.length;
  }
  return out;
}

/** The errno of an NLMSG_ERROR message: 0 is an ACK, a negative value an error (-2 is ENOENT). */
export function parseErrorPayload(payload: Uint8Array): { error: number; request?: { type: number; seq: number } } {
  if (payload.length < 4) throw new NetlinkError('TRUNCATED', 'NLMSG_ERROR without error code');
  const v = view(payload);
  const error = v.getInt32(0, true);
  if (payload.length >= 4 + NLMSG_HDRLEN) return { error, request: { type: v.getUint16(8, true), seq: v.getUint32(12, true) } };
  return { error };
}
