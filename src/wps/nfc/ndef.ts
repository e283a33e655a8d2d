/**
 * NFC Data Exchange Format (NFC Forum NDEF 1.0) as WPS uses it: a tag or a
 * handover carrier holds a message of records, and WSC data travels in a
 * record of MIME type application/vnd.wfa.wsc. Parsing is total and linear:
 * one pass over the records, every length checked against what is left.
 */
import { WpsdError } from '../../common/errors.js';

export const NdefFlag = {
  MessageBegin: 0x80,
  MessageEnd: 0x40,
  Chunk: 0x20,
  ShortRecord: 0x10,
  IdLengthPresent: 0x08,
} as const;

/** Type Name Format, the low three bits of the record header. */
export const NdefTnf = {
  Empty: 0x00,
  WellKnown: 0x01,
  MediaType: 0x02,
  AbsoluteUri: 0x03,
  External: 0x04,
  Unknown: 0x05,
  Unchanged: 0x06,
} as const;

const TNF_MASK = 0x07;

/** The MIME type of a WSC record (Wi-Fi Simple Configuration Technical Specification, NFC chapter). */
export const WSC_NDEF_TYPE = 'application/vnd.wfa.wsc';

/**
 * Largest payload accepted in one record. hostapd refuses long records over
 * 20000 bytes (ndef.c); a WSC token is a few hundred bytes, so ours is the same.
 */
export const MAX_NDEF_PAYLOAD_LEN = 20_000;
/** Records in one message; a WPS tag or handover message carries a handful. */
export const MAX_NDEF_RECORDS = 32;

export type NdefErrorCode = 'TRUNCATED' | 'TOO_LONG' | 'TOO_MANY_RECORDS' | 'CHUNKED' | 'NO_WSC_RECORD' | 'BAD_MESSAGE';

export class NdefError extends WpsdError<NdefErrorCode> {
  constructor(
    code: NdefErrorCode,
    message: string,
    /** Byte offset of the record at fault. */
    readonly offset: number,
  ) {
    super(code, message);
  }
}

export interface NdefRecord {
  tnf: number;
  /** The record type as text (MIME type, well-known type such as "Hs"). */
  type: string;
  id: Buffer;
  payload: Buffer;
  messageBegin: boolean;
  messageEnd: boolean;
}

/** Reads one record at `off`; returns it and the offset after it. */
function parseRecord(b: Buffer, off: number): { record: NdefRecord; next: number } {
  const left = (): number => b.length - pos;
  const truncated = (what: string): NdefError => new NdefError('TRUNCATED', `NDEF record at offset ${off}: truncated ${what}`, off);
  let pos = off;
  if (left() < 2) throw truncated('header');
  const flags = b[pos++] as number;
  const typeLen = b[pos++] as number;
  if ((flags & NdefFlag.Chunk) !== 0) throw new NdefError('CHUNKED', `NDEF record at offset ${off}: chunked records are not used by WPS`, off);
  let payloadLen: number;
  if ((flags & NdefFlag.ShortRecord) !== 0) {
    if (left() < 1) throw truncated('payload length');
    payloadLen = b[pos++] as number;
  } else {
    if (left() < 4) throw truncated('payload length');
    payloadLen = b.readUInt32BE(pos);
    pos += 4;
  }
  if (payloadLen > MAX_NDEF_PAYLOAD_LEN) {
    throw new NdefError('TOO_LONG', `NDEF record at offset ${off}: payload of ${payloadLen} bytes exceeds ${MAX_NDEF_PAYLOAD_LEN}`, off);
  }
  let idLen = 0;
  if ((flags & NdefFlag.IdLengthPresent) !== 0) {
    if (left() < 1) throw truncated('ID length');
    idLen = b[pos++] as number;
  }
  if (left() < typeLen) throw truncated(`type (${typeLen} bytes declared, ${left()} present)`);
  const type = b.subarray(pos, pos + typeLen).toString('latin1');
  pos += typeLen;
  if (left() < idLen) throw truncated(`ID (${idLen} bytes declared, ${left()} present)`);
  const id = Buffer.from(b.subarray(pos, pos + idLen));
  pos += idLen;
  if (left() < payloadLen) throw truncated(`payload (${payloadLen} bytes declared, ${left()} present)`);
  const payload = Buffer.from(b.subarray(pos, pos + payloadLen));
  pos += payloadLen;
  return {
    record: {
      tnf: flags & TNF_MASK,
      type,
      id,
      payload,
      messageBegin: (flags & NdefFlag.MessageBegin) !== 0,
      messageEnd: (flags & NdefFlag.MessageEnd) !== 0,
    },
    next: pos,
  };
}

/** Splits an NDEF message into its records; throws NdefError. */
export function parseNdefMessage(buf: Uint8Array): NdefRecord[] {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length === 0) throw new NdefError('TRUNCATED', 'empty NDEF message', 0);
  const records: NdefRecord[] = [];
  let off = 0;
  while (off < b.length) {
    if (records.length === MAX_NDEF_RECORDS) throw new NdefError('TOO_MANY_RECORDS', `NDEF message has more than ${MAX_NDEF_RECORDS} records`, off);
    const { record, next } = parseRecord(b, off);
    if (records.length === 0 && !record.messageBegin) throw new NdefError('BAD_MESSAGE', 'the first NDEF record lacks the Message Begin flag', off);
    records.push(record);
    off = next;
    if (record.messageEnd) break;
  }
  if (off < b.length) throw new NdefError('BAD_MESSAGE', `${b.length - off} bytes after the record with Message End`, off);
  return records;
}

export interface NdefRecordInput {
  tnf: number;
  type: string;
  id?: Uint8Array;
  payload: Uint8Array;
}

/** Builds a message from records: MB on the first, ME on the last, the short form where the payload fits. */
export function buildNdefMessage(records: readonly NdefRecordInput[]): Buffer {
  const parts: Buffer[] = [];
  records.forEach((r, i) => {
    const type = Buffer.from(r.type, 'latin1');
    if (type.length > 0xff) throw new NdefError('TOO_LONG', `NDEF record type of ${type.length} bytes exceeds 255`, 0);
    const id = Buffer.from(r.id ?? []);
    if (id.length > 0xff) throw new NdefError('TOO_LONG', `NDEF record ID of ${id.length} bytes exceeds 255`, 0);
    if (r.payload.length > MAX_NDEF_PAYLOAD_LEN) throw new NdefError('TOO_LONG', `NDEF payload of ${r.payload.length} bytes exceeds ${MAX_NDEF_PAYLOAD_LEN}`, 0);
    const short = r.payload.length < 0x100;
    let flags = r.tnf & TNF_MASK;
    if (i === 0) flags |= NdefFlag.MessageBegin;
    if (i === records.length - 1) flags |= NdefFlag.MessageEnd;
    if (short) flags |= NdefFlag.ShortRecord;
    if (id.length > 0) flags |= NdefFlag.IdLengthPresent;
    const len = short ? Buffer.from([r.payload.length]) : Buffer.alloc(4);
    if (!short) len.writeUInt32BE(r.payload.length);
    parts.push(Buffer.from([flags, type.length]), len, id.length > 0 ? Buffer.from([id.length]) : Buffer.alloc(0), type, id, Buffer.from(r.payload));
  });
  return Buffer.concat(parts);
}

/** One WSC record as a whole message (hostapd's ndef_build_wifi). */
export function wrapWscNdef(wsc: Uint8Array): Buffer {
  return buildNdefMessage([{ tnf: NdefTnf.MediaType, type: WSC_NDEF_TYPE, payload: wsc }]);
}

function isWscRecord(r: NdefRecord): boolean {
  return r.tnf === NdefTnf.MediaType && r.type.toLowerCase() === WSC_NDEF_TYPE;
}

/** The payload of the first WSC record of a message (hostapd's ndef_parse_wifi); throws NdefError. */
export function wscPayloadFromNdef(buf: Uint8Array): Buffer {
  const rec = parseNdefMessage(buf).find(isWscRecord);
  if (rec === undefined) throw new NdefError('NO_WSC_RECORD', `no ${WSC_NDEF_TYPE} record in the NDEF message`, 0);
  return rec.payload;
}

/**
 * Whether bytes look like an NDEF message rather than a WSC TLV stream: a WSC
 * stream starts with an attribute type 0x10xx (or, in a handover carrier, a
 * two-byte length), never with a header that has Message Begin set.
 */
export function looksLikeNdef(buf: Uint8Array): boolean {
  const first = buf[0];
  return first !== undefined && (first & NdefFlag.MessageBegin) !== 0 && (first & NdefFlag.Chunk) === 0;
}
