/**
 * What wraps WSC attributes on NFC, for the dissector: an NDEF message (one or
 * more records, the WSC ones of type application/vnd.wfa.wsc) and, inside a
 * connection handover carrier record, a two-octet length before the
 * attributes. Each WSC part comes back with where it sits in the input.
 */
import { AttributeType } from '../attributes.js';
import { looksLikeNdef, NdefTnf, parseNdefMessage, WSC_NDEF_TYPE, type NdefRecord } from './ndef.js';

export interface WscPart {
  /** The attributes (after a carrier's length field). */
  bytes: Buffer;
  /** A handover carrier: the declared length of its attributes. */
  carrierLength?: number;
}

export interface NfcRecordPart {
  index: number;
  tnf: number;
  type: string;
  length: number;
  /** Present for a WSC record. */
  wsc?: WscPart;
}

const TNF_NAMES: Record<number, string> = {
  [NdefTnf.Empty]: 'empty',
  [NdefTnf.WellKnown]: 'NFC Forum well-known type',
  [NdefTnf.MediaType]: 'media type',
  [NdefTnf.AbsoluteUri]: 'absolute URI',
  [NdefTnf.External]: 'external type',
  [NdefTnf.Unknown]: 'unknown',
  [NdefTnf.Unchanged]: 'unchanged',
};

export function tnfName(tnf: number): string {
  return TNF_NAMES[tnf] ?? `TNF ${tnf}`;
}

/** A carrier record's payload: its length field matches what follows and an attribute type follows it. */
export function splitCarrier(b: Buffer): WscPart {
  if (b.length >= 6 && b.readUInt16BE(0) === b.length - 2 && b.readUInt16BE(0) !== 0 && (b.readUInt16BE(2) & 0xff00) === (AttributeType.Version & 0xff00)) {
    return { bytes: b.subarray(2), carrierLength: b.readUInt16BE(0) };
  }
  return { bytes: b };
}

function part(r: NdefRecord, index: number): NfcRecordPart {
  const out: NfcRecordPart = { index, tnf: r.tnf, type: r.type, length: r.payload.length };
  if (r.tnf === NdefTnf.MediaType && r.type.toLowerCase() === WSC_NDEF_TYPE) out.wsc = splitCarrier(r.payload);
  return out;
}

/**
 * The NDEF records of `b` when it is an NDEF message (throws NdefError when it
 * starts like one and is malformed), else undefined: plain attributes, or a carrier.
 */
export function ndefParts(b: Buffer): NfcRecordPart[] | undefined {
  if (!looksLikeNdef(b)) return undefined;
  return parseNdefMessage(b).map(part);
}
