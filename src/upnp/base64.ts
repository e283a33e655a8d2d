/**
 * Base64 for UPnP arguments of type bin.base64 (UDA 1.0 2.5): encoding, and a
 * strict decoder that tolerates the line breaks and spaces some control
 * points insert but refuses anything else. Non-zero pad bits ("AB==") are
 * tolerated, as most decoders do (RFC 4648 3.5 leaves it to the decoder).
 *
 * API:
 *   encodeBase64(bytes)      standard alphabet, padded, no line breaks
 *   decodeBase64(text, max?) bytes; throws Base64Error on invalid input or when longer than max
 *   Base64Error (code: 'INVALID' | 'TOO_LARGE')
 */
import { WpsdError } from '../common/errors.js';

export type Base64ErrorCode = 'INVALID' | 'TOO_LARGE';

export class Base64Error extends WpsdError<Base64ErrorCode> {}

/** Default cap on decoded size; SOAP bodies are bounded well below this anyway. */
export const MAX_BASE64_DECODED_BYTES = 64 * 1024;

const WHITESPACE = /[ \t\r\n]+/g;
const BASE64_BODY = /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes standard, padded base64; whitespace anywhere is ignored (RFC 2045 line breaks). */
export function decodeBase64(text: string, maxBytes: number = MAX_BASE64_DECODED_BYTES): Uint8Array {
  const compact = text.replace(WHITESPACE, '');
  if (compact.length % 4 !== 0) {
    throw new Base64Error('INVALID', `invalid base64: length ${compact.length} is not a multiple of 4`);
  }
  if (!BASE64_BODY.test(compact)) {
    throw new Base64Error('INVALID', 'invalid base64: unexpected character or misplaced padding');
  }
  const decodedLength = (compact.length / 4) * 3 - (compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0);
  if (decodedLength > maxBytes) {
    throw new Base64Error('TOO_LARGE', `base64 value decodes to ${decodedLength} bytes, limit ${maxBytes}`);
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}
