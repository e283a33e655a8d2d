/**
 * EAPOL PDUs (IEEE 802.1X-2010 11.3): protocol version, packet type, body
 * length (big endian), body. Carried in 802.11 data frames behind an LLC/SNAP
 * header with EtherType 0x888E.
 */
import { WpsdError } from '../common/errors.js';

export const EAPOL_HEADER_LEN = 4;
export const ETHERTYPE_EAPOL = 0x888e;
/** 802.1X-2004 is version 2; hostapd sends eapol_version=2 by default. */
export const EAPOL_VERSION_DEFAULT = 2;

export const EapolType = {
  EAP_PACKET: 0,
  START: 1,
  LOGOFF: 2,
  KEY: 3,
  ENCAPSULATED_ASF_ALERT: 4,
} as const;

export interface EapolFrame {
  version: number;
  type: number;
  body: Uint8Array;
}

export type EapolErrorCode = 'TRUNCATED' | 'TOO_LONG' | 'BAD_FIELD';

export class EapolError extends WpsdError<EapolErrorCode> {}

/** Parses one EAPOL PDU; octets after the declared body (link padding) are ignored, as hostapd does. */
export function parseEapol(buf: Uint8Array): EapolFrame {
  if (buf.length < EAPOL_HEADER_LEN) throw new EapolError('TRUNCATED', `EAPOL frame of ${buf.length} octets has no complete header`);
  const len = ((buf[2] ?? 0) << 8) | (buf[3] ?? 0);
  if (buf.length - EAPOL_HEADER_LEN < len) {
    throw new EapolError('TRUNCATED', `EAPOL body length ${len} exceeds the ${buf.length - EAPOL_HEADER_LEN} octets received`);
  }
  return { version: buf[0] ?? 0, type: buf[1] ?? 0, body: buf.slice(EAPOL_HEADER_LEN, EAPOL_HEADER_LEN + len) };
}

export function buildEapol(frame: EapolFrame): Uint8Array {
  for (const [name, v] of [['version', frame.version], ['type', frame.type]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new EapolError('BAD_FIELD', `EAPOL ${name} ${v} is not an octet`);
  }
  if (frame.body.length > 0xffff) throw new EapolError('TOO_LONG', `EAPOL body of ${frame.body.length} octets exceeds 65535`);
  const out = new Uint8Array(EAPOL_HEADER_LEN + frame.body.length);
  out[0] = frame.version;
  out[1] = frame.type;
  out[2] = frame.body.length >> 8;
  out[3] = frame.body.length & 0xff;
  out.set(frame.body, EAPOL_HEADER_LEN);
  return out;
}
