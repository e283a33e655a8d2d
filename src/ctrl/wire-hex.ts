/**
 * hostapd_cli and wpa_cli send the SSID and key of WPS_CONFIG, WPS_REG and
 * WPS_ER_CONFIG as hex of what the user typed, cut at 32 bytes (SSID_MAX_LEN)
 * and 64 bytes, so spaces survive the space-separated request. The daemons
 * decode it; `wpsd cli` encodes the same way.
 */
import { WpsdError } from '../common/errors.js';
import { SSID_MAX_LEN } from '../common/ssid.js';

export const KEY_MAX_LEN = 64;

export class WireHexError extends WpsdError<'ODD_LENGTH' | 'NOT_HEX' | 'TOO_LONG'> {}

/**
 * Hex of the UTF-8 bytes of `text`, at most `maxBytes` of them. (The C tools
 * print each byte through a signed char, which turns bytes >= 0x80 into "ff"
 * on x86; wpsd sends the real bytes.)
 */
export function encodeWireHex(text: string, maxBytes: number): string {
  return Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('hex');
}

/** Bytes of a hex field; refuses odd lengths, non-hex digits and more than `maxBytes`. */
export function decodeWireHex(hex: string, maxBytes: number): Buffer {
  if (hex.length % 2 !== 0) throw new WireHexError('ODD_LENGTH', 'hex field has an odd number of digits');
  if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new WireHexError('NOT_HEX', 'hex field has a non-hex character');
  if (hex.length / 2 > maxBytes) throw new WireHexError('TOO_LONG', `hex field is longer than ${maxBytes} bytes`);
  return Buffer.from(hex, 'hex');
}

/** Which argument positions a CLI hex-encodes, per command (lower case). */
const HEX_FIELDS: Record<string, { ssid: number; key: number }> = {
  wps_config: { ssid: 0, key: 3 },
  wps_reg: { ssid: 2, key: 5 },
  wps_er_config: { ssid: 2, key: 5 },
};

/**
 * The request `wpsd cli` sends for a typed command: the SSID and key of the
 * three WPS configuration commands hex-encoded as hostapd_cli/wpa_cli do, a
 * WPS_REG/WPS_ER_CONFIG with five arguments sent with an empty key as they do.
 */
export function encodeCliArgs(command: string, args: readonly string[]): string[] {
  const fields = HEX_FIELDS[command.toLowerCase()];
  if (!fields) return [...args];
  const out = [...args];
  if (fields.ssid < out.length) out[fields.ssid] = encodeWireHex(out[fields.ssid] ?? '', SSID_MAX_LEN);
  if (fields.key < out.length) out[fields.key] = encodeWireHex(out[fields.key] ?? '', KEY_MAX_LEN);
  if (fields.key === 5 && out.length === 5) out.push('');
  return out;
}
