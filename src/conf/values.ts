/**
 * Value syntaxes shared by hostapd.conf and wpa_supplicant.conf.
 *
 * The parsers work on "byte strings": JavaScript strings whose code units are
 * the file's bytes (latin1), so an SSID or passphrase keeps its exact octets.
 * Every function is total: bad input gives `null` or an error text, never an
 * exception.
 *
 * UUID, device type and MAC address texts share their implementation with
 * src/wps/device.ts (which throws where these return null).
 */
import {
  DEV_NAME_MAX_LEN,
  MANUFACTURER_MAX_LEN,
  MODEL_NAME_MAX_LEN,
  MODEL_NUMBER_MAX_LEN,
  SERIAL_NUMBER_MAX_LEN,
  deviceTypeFromText, uuidFromText } from '../wps/device.js';

export const PMK_LEN = 32;
export const WPA_PASSPHRASE_MIN_LEN = 8;
export const WPA_PASSPHRASE_MAX_LEN = 63;
/** hostapd/wpa_supplicant WPS string limits (WPS_DEV_NAME_MAX_LEN etc.): the ones src/wps enforces on the wire. */
export const WPS_DEVICE_NAME_MAX_LEN = DEV_NAME_MAX_LEN;
export const WPS_MANUFACTURER_MAX_LEN = MANUFACTURER_MAX_LEN;
export const WPS_MODEL_NAME_MAX_LEN = MODEL_NAME_MAX_LEN;
export const WPS_MODEL_NUMBER_MAX_LEN = MODEL_NUMBER_MAX_LEN;
export const WPS_SERIAL_NUMBER_MAX_LEN = SERIAL_NUMBER_MAX_LEN;

/** Byte string (latin1) <-> bytes. */
export function bytesOf(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
export function byteString(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}
/** A whole configuration file as a byte string: a JS string is taken as UTF-8, bytes as they are. */
export function configFileText(input: string | Uint8Array): string {
  return byteString(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
}
/** Interpret a byte string as UTF-8 text (device names and the like). */
export function utf8Of(s: string): string {
  return bytesOf(s).toString('utf8');
}

const HEX_RE = /^[0-9a-fA-F]*$/;

/** Whole string as hex (even length); `len` demands exactly that many bytes. */
export function parseHex(hex: string, len?: number): Buffer | null {
  if (hex.length % 2 !== 0 || !HEX_RE.test(hex)) return null;
  if (len !== undefined && hex.length !== len * 2) return null;
  return Buffer.from(hex, 'hex');
}

/** hostapd's is_hex(): an SSID needs the hex form when any byte is outside printable ASCII. */
export function needsHex(data: Uint8Array): boolean {
  for (const c of data) if (c < 32 || c >= 127) return true;
  return false;
}

export function hasCtrlChar(data: Uint8Array): boolean {
  for (const c of data) if (c < 32 || c === 127) return true;
  return false;
}

function hexDigit(c: string | undefined): number {
  if (c === undefined) return -1;
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** printf_decode(): the P"..." string form (\\, \", \n, \r, \t, \e, \xHH, \ooo). */
export function printfDecode(str: string): Buffer {
  const out: number[] = [];
  let i = 0;
  while (i < str.length) {
    const ch = str[i];
    if (ch !== '\\') {
      out.push(str.charCodeAt(i) & 0xff);
      i++;
      continue;
    }
    i++;
    const esc = str[i];
    switch (esc) {
      case '\\': out.push(0x5c); i++; break;
      case '"': out.push(0x22); i++; break;
      case 'n': out.push(0x0a); i++; break;
      case 'r': out.push(0x0d); i++; break;
      case 't': out.push(0x09); i++; break;
      case 'e': out.push(0x1b); i++; break;
      case 'x': {
        i++;
        const a = hexDigit(str[i]);
        const b = hexDigit(str[i + 1]);
        if (a >= 0 && b >= 0) {
          out.push((a << 4) | b);
          i += 2;
        } else if (a >= 0) {
          out.push(a);
          i++;
        }
        break;
      }
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        let val = str.charCodeAt(i) - 48;
        i++;
        for (let n = 0; n < 2; n++) {
          const d = str[i];
          if (d !== undefined && d >= '0' && d <= '7') {
            val = val * 8 + (d.charCodeAt(0) - 48);
            i++;
          }
        }
        out.push(val & 0xff);
        break;
      }
      default:
        // Unknown escape: the backslash is dropped, the next char is read normally.
        break;
    }
  }
  return Buffer.from(out);
}

/** printf_encode(): how wpa_supplicant shows an SSID in list_networks and events. */
export function printfEncode(data: Uint8Array): string {
  let s = '';
  for (const c of data) {
    switch (c) {
      case 0x22: s += '\\"'; break;
      case 0x5c: s += '\\\\'; break;
      case 0x1b: s += '\\e'; break;
      case 0x0a: s += '\\n'; break;
      case 0x0d: s += '\\r'; break;
      case 0x09: s += '\\t'; break;
      default:
        s += c >= 32 && c <= 126 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
    }
  }
  return s;
}

/**
 * wpa_config_parse_string(): `"text"` (the last quote must end the value),
 * `P"printf-escaped"`, or hex. Returns the bytes or null.
 */
export function parseConfigString(value: string): Buffer | null {
  if (value.startsWith('"')) {
    const rest = value.slice(1);
    const q = rest.lastIndexOf('"');
    if (q < 0 || q !== rest.length - 1) return null;
    return bytesOf(rest.slice(0, q));
  }
  if (value.startsWith('P"')) {
    const rest = value.slice(2);
    const q = rest.lastIndexOf('"');
    if (q < 0 || q !== rest.length - 1) return null;
    return printfDecode(rest.slice(0, q));
  }
  return parseHex(value);
}

/** wpa_config_write_string(): quoted when printable, else hex. */
export function formatConfigString(data: Uint8Array): string {
  return needsHex(data) ? Buffer.from(data).toString('hex') : `"${byteString(data)}"`;
}

/** Strict decimal integer (hostapd reads these with atoi(); we refuse junk instead of reading 0). */
export function parseDecimal(value: string): number | null {
  if (!/^[+-]?\d{1,10}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= -0x80000000 && n <= 0x7fffffff ? n : null;
}

/**
 * strtol(value, &end, 0) with a "*end must be NUL" check, as wpa_supplicant's
 * integer fields do: leading blanks, sign, 0x hex, 0 octal; "" reads as 0.
 */
export function parseStrtol0(value: string): number | null {
  // strtol() converts nothing from "", leaving *end == NUL: wpa_supplicant reads that as 0.
  if (value === '') return 0;
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(value);
  if (!m || m[2] === undefined) return null;
  const digits = m[2];
  let n: number;
  if (/^0[xX]/.test(digits)) n = parseInt(digits.slice(2), 16);
  else if (digits.startsWith('0')) n = digits.length > 1 ? parseInt(digits.slice(1), 8) : 0;
  else n = parseInt(digits, 10);
  if (m[1] === '-') n = -n;
  if (!Number.isSafeInteger(n) || n < -0x80000000 || n > 0x7fffffff) return null;
  return n;
}

/** The two ctrl_interface forms (hostapd and wpa_supplicant alike): "/var/run/wpa_supplicant" or "DIR=/var/run/wpa_supplicant GROUP=admin". */
export function parseCtrlInterface(value: string): { dir: string; group?: string } {
  if (!value.startsWith('DIR=')) return { dir: value };
  const rest = value.slice(4);
  const g = rest.indexOf(' GROUP=');
  if (g < 0) return { dir: rest };
  return { dir: rest.slice(0, g), group: rest.slice(g + 7) };
}

/** uuid_str2bin(): 8-4-4-4-12 hex digits. */
export function parseUuid(value: string): Buffer | null {
  return uuidFromText(value);
}

/** wps_dev_type_str2bin(): `<category>-<OUI hex>-<subcategory>`, e.g. 6-0050F204-1. */
export function parseDeviceType(value: string): Buffer | null {
  return deviceTypeFromText(value);
}


/** Config method names accepted in config_methods (hostapd/wpa_supplicant spelling). */
export const CONFIG_METHOD_NAMES: readonly string[] = [
  'usba', 'ethernet', 'label', 'display', 'ext_nfc_token', 'int_nfc_token', 'nfc_interface',
  'push_button', 'keypad', 'virtual_display', 'physical_display', 'virtual_push_button',
  'physical_push_button', 'p2ps',
];

/** Space-separated method names; returns the unknown names (empty when all are known). */
export function unknownConfigMethods(value: string): string[] {
  return value.split(/[ \t]+/).filter((t) => t !== '' && !CONFIG_METHOD_NAMES.includes(t));
}

/** A flag name in a space-separated list and its bit. The array order is the order writers print. */
export interface NamedFlag {
  name: string;
  bit: number;
}

/** Space/tab separated names -> OR of bits; error text names the first bad token. */
export function parseFlagList(value: string, table: readonly NamedFlag[], what: string): { bits: number } | { error: string } {
  let bits = 0;
  for (const tok of value.split(/[ \t]+/)) {
    if (tok === '') continue;
    const f = table.find((e) => e.name === tok);
    if (!f) return { error: `invalid ${what} '${tok}'` };
    bits |= f.bit;
  }
  if (bits === 0) return { error: `no ${what} values configured` };
  return { bits };
}

export function formatFlagList(bits: number, table: readonly NamedFlag[], delim = ' '): string {
  const seen = new Set<number>();
  const names: string[] = [];
  for (const f of table) {
    if ((bits & f.bit) !== 0 && !seen.has(f.bit)) {
      names.push(f.name);
      seen.add(f.bit);
    }
  }
  return names.join(delim);
}

/** WPA_KEY_MGMT_* bits (src/common/defs.h). */
export const KeyMgmt = {
  IEEE8021X: 1 << 0,
  PSK: 1 << 1,
  NONE: 1 << 2,
  IEEE8021X_NO_WPA: 1 << 3,
  WPA_NONE: 1 << 4,
  FT_IEEE8021X: 1 << 5,
  FT_PSK: 1 << 6,
  IEEE8021X_SHA256: 1 << 7,
  PSK_SHA256: 1 << 8,
  WPS: 1 << 9,
  SAE: 1 << 10,
  FT_SAE: 1 << 11,
  IEEE8021X_SUITE_B: 1 << 16,
  IEEE8021X_SUITE_B_192: 1 << 17,
  FILS_SHA256: 1 << 18,
  FILS_SHA384: 1 << 19,
  FT_FILS_SHA256: 1 << 20,
  FT_FILS_SHA384: 1 << 21,
  OWE: 1 << 22,
  DPP: 1 << 23,
  FT_IEEE8021X_SHA384: 1 << 24,
  PASN: 1 << 25,
  SAE_EXT_KEY: 1 << 26,
  FT_SAE_EXT_KEY: 1 << 27,
  IEEE8021X_SHA384: 1 << 28,
} as const;

/** key_mgmt names, in wpa_supplicant's write order (wpa_config_write_key_mgmt). */
export const KEY_MGMT_NAMES: readonly NamedFlag[] = [
  { name: 'WPA-PSK', bit: KeyMgmt.PSK },
  { name: 'WPA-EAP', bit: KeyMgmt.IEEE8021X },
  { name: 'IEEE8021X', bit: KeyMgmt.IEEE8021X_NO_WPA },
  { name: 'NONE', bit: KeyMgmt.NONE },
  { name: 'WPA-NONE', bit: KeyMgmt.WPA_NONE },
  { name: 'FT-PSK', bit: KeyMgmt.FT_PSK },
  { name: 'FT-EAP', bit: KeyMgmt.FT_IEEE8021X },
  { name: 'FT-EAP-SHA384', bit: KeyMgmt.FT_IEEE8021X_SHA384 },
  { name: 'WPA-EAP-SHA384', bit: KeyMgmt.IEEE8021X_SHA384 },
  { name: 'WPA-PSK-SHA256', bit: KeyMgmt.PSK_SHA256 },
  { name: 'WPA-EAP-SHA256', bit: KeyMgmt.IEEE8021X_SHA256 },
  { name: 'WPS', bit: KeyMgmt.WPS },
  { name: 'SAE', bit: KeyMgmt.SAE },
  { name: 'SAE-EXT-KEY', bit: KeyMgmt.SAE_EXT_KEY },
  { name: 'FT-SAE', bit: KeyMgmt.FT_SAE },
  { name: 'FT-SAE-EXT-KEY', bit: KeyMgmt.FT_SAE_EXT_KEY },
  { name: 'WPA-EAP-SUITE-B', bit: KeyMgmt.IEEE8021X_SUITE_B },
  { name: 'WPA-EAP-SUITE-B-192', bit: KeyMgmt.IEEE8021X_SUITE_B_192 },
  { name: 'FILS-SHA256', bit: KeyMgmt.FILS_SHA256 },
  { name: 'FILS-SHA384', bit: KeyMgmt.FILS_SHA384 },
  { name: 'FT-FILS-SHA256', bit: KeyMgmt.FT_FILS_SHA256 },
  { name: 'FT-FILS-SHA384', bit: KeyMgmt.FT_FILS_SHA384 },
  { name: 'DPP', bit: KeyMgmt.DPP },
  { name: 'OWE', bit: KeyMgmt.OWE },
];

/** hostapd's wpa_key_mgmt accepts the AP-side subset (no IEEE8021X/NONE/WPA-NONE/WPS), plus PASN. */
const AP_ONLY_EXCLUDED = new Set(['IEEE8021X', 'NONE', 'WPA-NONE', 'WPS']);
export const AP_KEY_MGMT_NAMES: readonly NamedFlag[] = [
  ...KEY_MGMT_NAMES.filter((f) => !AP_ONLY_EXCLUDED.has(f.name)),
  { name: 'PASN', bit: KeyMgmt.PASN },
];

/** WPA_CIPHER_* bits. */
export const Cipher = {
  NONE: 1 << 0,
  WEP40: 1 << 1,
  WEP104: 1 << 2,
  TKIP: 1 << 3,
  CCMP: 1 << 4,
  AES_128_CMAC: 1 << 5,
  GCMP: 1 << 6,
  GCMP_256: 1 << 8,
  CCMP_256: 1 << 9,
  BIP_GMAC_128: 1 << 11,
  BIP_GMAC_256: 1 << 12,
  BIP_CMAC_256: 1 << 13,
  GTK_NOT_USED: 1 << 14,
} as const;

/** Cipher names in wpa_write_ciphers() order; GTK_NOT_USED is parsed but never written. */
export const CIPHER_NAMES: readonly NamedFlag[] = [
  { name: 'CCMP-256', bit: Cipher.CCMP_256 },
  { name: 'GCMP-256', bit: Cipher.GCMP_256 },
  { name: 'CCMP', bit: Cipher.CCMP },
  { name: 'GCMP', bit: Cipher.GCMP },
  { name: 'TKIP', bit: Cipher.TKIP },
  { name: 'AES-128-CMAC', bit: Cipher.AES_128_CMAC },
  { name: 'BIP-GMAC-128', bit: Cipher.BIP_GMAC_128 },
  { name: 'BIP-GMAC-256', bit: Cipher.BIP_GMAC_256 },
  { name: 'BIP-CMAC-256', bit: Cipher.BIP_CMAC_256 },
  { name: 'NONE', bit: Cipher.NONE },
];
const CIPHER_PARSE_NAMES: readonly NamedFlag[] = [...CIPHER_NAMES, { name: 'GTK_NOT_USED', bit: Cipher.GTK_NOT_USED }];

export function parseCipherList(value: string): { bits: number } | { error: string } {
  const r = parseFlagList(value, CIPHER_PARSE_NAMES, 'cipher');
  return r;
}

export function formatCipherList(bits: number, delim = ' '): string {
  return formatFlagList(bits, CIPHER_NAMES, delim);
}

/** WPA_CIPHER bits a pairwise list may hold (TKIP builds, as Debian's). */
export const ALLOWED_PAIRWISE_CIPHERS = Cipher.CCMP | Cipher.GCMP | Cipher.TKIP | Cipher.NONE | Cipher.GCMP_256 | Cipher.CCMP_256;
export const ALLOWED_GROUP_CIPHERS = Cipher.CCMP | Cipher.GCMP | Cipher.TKIP | Cipher.GCMP_256 | Cipher.CCMP_256 | Cipher.GTK_NOT_USED;
