/**
 * SSDP messages (UDA 1.0 section 1): HTTP-over-UDP start line plus headers.
 *
 * API:
 *   parseSsdpMessage(buf): SsdpMessage          throws SsdpMessageError; never anything else
 *   buildSsdpMessage(startLine, headers): Buffer
 *   parseMaxAge(cacheControl): number | undefined
 *   SSDP_MULTICAST_ADDRESS, SSDP_PORT, SSDP_MAX_MESSAGE_BYTES
 *
 * A parsed message is one of: M-SEARCH request, NOTIFY request, or a 200
 * response to M-SEARCH. Header names are case-insensitive (lower-cased here);
 * a repeated header, a line without a colon, or a non-HTTP/1.x start line
 * makes the whole message malformed.
 */
import { WpsdError } from '../common/errors.js';

export const SSDP_MULTICAST_ADDRESS = '239.255.255.250';
export const SSDP_PORT = 1900;
/** hostapd reads at most 1600 bytes per SSDP datagram. */
export const SSDP_MAX_MESSAGE_BYTES = 1600;
export const SSDP_MAX_HEADERS = 32;

export type SsdpMessageErrorCode = 'TOO_LARGE' | 'MALFORMED' | 'UNSUPPORTED';

export class SsdpMessageError extends WpsdError<SsdpMessageErrorCode> {}

export type SsdpMessage =
  | { kind: 'm-search'; headers: Map<string, string> }
  | { kind: 'notify'; headers: Map<string, string> }
  | { kind: 'response'; status: number; headers: Map<string, string> };

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export function parseSsdpMessage(buf: Uint8Array): SsdpMessage {
  if (buf.byteLength > SSDP_MAX_MESSAGE_BYTES) throw new SsdpMessageError('TOO_LARGE', `SSDP message of ${buf.byteLength} bytes`);
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  // Some stacks omit the final blank line; accept a head that ends at the datagram's end.
  const head = headEnd >= 0 ? text.slice(0, headEnd) : text.replace(/(\r\n)+$/, '');
  const lines = head.split('\r\n');
  const start = lines.shift() ?? '';
  const headers = new Map<string, string>();
  if (lines.length > SSDP_MAX_HEADERS) throw new SsdpMessageError('MALFORMED', 'too many headers');
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SsdpMessageError('MALFORMED', 'header line without a name');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!HEADER_NAME.test(name)) throw new SsdpMessageError('MALFORMED', 'invalid header name');
    if (headers.has(name)) throw new SsdpMessageError('MALFORMED', `repeated header ${name}`);
    headers.set(name, line.slice(colon + 1).trim());
  }
  const resp = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(start);
  if (resp && resp[1] !== undefined) return { kind: 'response', status: Number(resp[1]), headers };
  const req = /^([A-Z-]+) (\S+) HTTP\/1\.[01]$/.exec(start);
  if (!req) throw new SsdpMessageError('MALFORMED', 'invalid start line');
  if (req[2] !== '*') throw new SsdpMessageError('MALFORMED', 'request target must be *');
  if (req[1] === 'M-SEARCH') return { kind: 'm-search', headers };
  if (req[1] === 'NOTIFY') return { kind: 'notify', headers };
  throw new SsdpMessageError('UNSUPPORTED', `method ${req[1]}`);
}

export function buildSsdpMessage(startLine: string, headers: Array<[string, string]>): Buffer {
  let s = startLine + '\r\n';
  for (const [k, v] of headers) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new SsdpMessageError('MALFORMED', `header ${k} contains a line break`);
    s += v === '' ? `${k}:\r\n` : `${k}: ${v}\r\n`;
  }
  return Buffer.from(s + '\r\n', 'latin1');
}

/** "max-age=1800" (possibly among other directives) -> 1800; undefined if absent or invalid. */
export function parseMaxAge(cacheControl: string | undefined): number | undefined {
  if (cacheControl === undefined) return undefined;
  const m = /(?:^|[,\s])max-age\s*=\s*"?(\d{1,9})"?(?:$|[,\s])/i.exec(cacheControl);
  return m && m[1] !== undefined ? Number(m[1]) : undefined;
}
