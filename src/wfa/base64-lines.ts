/**
 * The base64 layout of bin.base64 arguments and evented values as hostapd's
 * base64_encode writes them, and wpa_supplicant's ER too: 72-character lines,
 * each followed by LF (so the text ends in LF). Readers take any layout
 * (upnp/base64.ts decodeBase64 ignores whitespace).
 *
 * API:
 *   base64Lines(bytes): string
 *   BASE64_LINE_LEN
 */

/** Characters per line (hostapd base64_encode). */
export const BASE64_LINE_LEN = 72;

export function base64Lines(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += BASE64_LINE_LEN) out += b64.slice(i, i + BASE64_LINE_LEN) + '\n';
  return out;
}
