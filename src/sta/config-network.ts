/**
 * wpa_supplicant network block fields: parsing (file and SET_NETWORK share
 * it, as wpa_config_set() does), the text form GET_NETWORK and the writer
 * print (wpa_config_get / wpa_config_write_network), and the defaults
 * (wpa_config_set_network_defaults). Parsers never change a network on error.
 */
import { SSID_MAX_LEN } from '../common/ssid.js';
import { parseMac } from '../common/mac.js';
import {
  ALLOWED_GROUP_CIPHERS,
  ALLOWED_PAIRWISE_CIPHERS,
  Cipher,
  KEY_MGMT_NAMES,
  KeyMgmt,
  PMK_LEN,
  WPA_PASSPHRASE_MAX_LEN,
  WPA_PASSPHRASE_MIN_LEN,
  byteString,
  formatCipherList,
  formatConfigString,
  formatFlagList,
  hasCtrlChar,
  parseCipherList,
  parseConfigString,
  parseFlagList,
  parseHex,
  parseStrtol0,
  type NamedFlag,
} from '../conf/values.js';
import { formatMac } from '../common/mac.js';

export const WPA_PROTO_WPA = 1 << 0;
export const WPA_PROTO_RSN = 1 << 1;
export const WPA_AUTH_ALG_OPEN = 1 << 0;
export const WPA_AUTH_ALG_SHARED = 1 << 1;
export const WPA_AUTH_ALG_LEAP = 1 << 2;

export const DEFAULT_PROTO = WPA_PROTO_WPA | WPA_PROTO_RSN;
export const DEFAULT_KEY_MGMT = KeyMgmt.PSK | KeyMgmt.IEEE8021X;
/** TKIP builds (Debian's wpa_supplicant 2.10). */
export const DEFAULT_PAIRWISE = Cipher.CCMP | Cipher.TKIP;
export const DEFAULT_GROUP = Cipher.CCMP | Cipher.TKIP;
/** MGMT_FRAME_PROTECTION_DEFAULT: follow the global pmf setting. */
export const DEFAULT_IEEE80211W = 3;

const PROTO_NAMES: readonly NamedFlag[] = [
  { name: 'WPA', bit: WPA_PROTO_WPA },
  { name: 'RSN', bit: WPA_PROTO_RSN },
  { name: 'WPA2', bit: WPA_PROTO_RSN },
];
const AUTH_ALG_NAMES: readonly NamedFlag[] = [
  { name: 'OPEN', bit: WPA_AUTH_ALG_OPEN },
  { name: 'SHARED', bit: WPA_AUTH_ALG_SHARED },
  { name: 'LEAP', bit: WPA_AUTH_ALG_LEAP },
];

/** One `network={...}` block. Byte-valued fields are Buffers. */
export interface NetworkBlock {
  /** Network id: the block's position when read, then max+1 for added ones. */
  id: number;
  ssid?: Buffer;
  scanSsid: number;
  bssid?: Buffer;
  /** ASCII passphrase (8..63 bytes) or, exclusively, the 32-byte PSK. */
  passphrase?: Buffer;
  psk?: Buffer;
  proto: number;
  keyMgmt: number;
  pairwise: number;
  group: number;
  authAlg: number;
  priority: number;
  mode: number;
  disabled: number;
  wpsDisabled: number;
  ieee80211w: number;
  idStr?: Buffer;
  multiApBackhaulSta: number;
  /** Fields wpsd does not know, kept in order with their text as written. */
  extra: { name: string; value: string }[];
}

export function defaultNetwork(id: number): NetworkBlock {
  return {
    id,
    scanSsid: 0,
    proto: DEFAULT_PROTO,
    keyMgmt: DEFAULT_KEY_MGMT,
    pairwise: DEFAULT_PAIRWISE,
    group: DEFAULT_GROUP,
    authAlg: 0,
    priority: 0,
    mode: 0,
    disabled: 0,
    wpsDisabled: 0,
    ieee80211w: DEFAULT_IEEE80211W,
    multiApBackhaulSta: 0,
    extra: [],
  };
}

export function cloneNetwork(n: NetworkBlock): NetworkBlock {
  const c: NetworkBlock = { ...n, extra: n.extra.map((e) => ({ ...e })) };
  if (n.ssid) c.ssid = Buffer.from(n.ssid);
  if (n.bssid) c.bssid = Buffer.from(n.bssid);
  if (n.passphrase) c.passphrase = Buffer.from(n.passphrase);
  if (n.psk) c.psk = Buffer.from(n.psk);
  if (n.idStr) c.idStr = Buffer.from(n.idStr);
  return c;
}

interface FieldDef {
  /** Changes `net` or returns an error text (then `net` is unchanged). */
  parse(net: NetworkBlock, value: string): string | undefined;
  /** wpa_config_get(): the value in file syntax, or null when unset. */
  format(net: NetworkBlock): string | null;
  /** Printed by the writer only when this says so (wpa_config_write_network's default checks). */
  written(net: NetworkBlock): boolean;
  /** key_data: GET_NETWORK shows "*" instead. */
  key?: boolean;
}

function intField(
  name: string,
  min: number | undefined,
  max: number | undefined,
  get: (n: NetworkBlock) => number,
  set: (n: NetworkBlock, v: number) => void,
  def: number,
): FieldDef {
  return {
    parse(net, value) {
      const v = parseStrtol0(value);
      if (v === null) return `invalid number "${value}"`;
      if (min !== undefined && v < min) return `too small ${name} (value=${v} min_value=${min})`;
      if (max !== undefined && v > max) return `too large ${name} (value=${v} max_value=${max})`;
      set(net, v);
      return undefined;
    },
    format: (net) => String(get(net)),
    written: (net) => get(net) !== def,
  };
}

function strField(name: string, maxLen: number | undefined, get: (n: NetworkBlock) => Buffer | undefined, set: (n: NetworkBlock, v: Buffer | undefined) => void): FieldDef {
  return {
    parse(net, value) {
      if (value === 'NULL') {
        set(net, undefined);
        return undefined;
      }
      const s = parseConfigString(value);
      if (!s) return `failed to parse ${name} '${value}'`;
      if (maxLen !== undefined && s.length > maxLen) return `too long ${name} (len=${s.length} max_len=${maxLen})`;
      set(net, s);
      return undefined;
    },
    format: (net) => {
      const v = get(net);
      return v ? formatConfigString(v) : null;
    },
    written: (net) => get(net) !== undefined,
  };
}

function flagField(what: string, table: readonly NamedFlag[], get: (n: NetworkBlock) => number, set: (n: NetworkBlock, v: number) => void, def: number | null): FieldDef {
  return {
    parse(net, value) {
      const r = parseFlagList(value, table, what);
      if ('error' in r) return r.error;
      set(net, r.bits);
      return undefined;
    },
    format: (net) => {
      const s = formatFlagList(get(net), table);
      return s === '' ? null : s;
    },
    written: (net) => (def === null ? get(net) !== 0 : get(net) !== def),
  };
}

function cipherField(kind: 'pairwise' | 'group', get: (n: NetworkBlock) => number, set: (n: NetworkBlock, v: number) => void, def: number): FieldDef {
  return {
    parse(net, value) {
      const r = parseCipherList(value);
      if ('error' in r) return `invalid cipher '${value}'`;
      let bits = r.bits;
      // Old configurations may list WEP group ciphers; wpa_supplicant filters them out.
      if (kind === 'group') bits &= ~(Cipher.WEP40 | Cipher.WEP104);
      const allowed = kind === 'group' ? ALLOWED_GROUP_CIPHERS : ALLOWED_PAIRWISE_CIPHERS;
      if ((bits & ~allowed) !== 0) return `not allowed ${kind} cipher (0x${bits.toString(16)})`;
      set(net, bits);
      return undefined;
    },
    format: (net) => formatCipherList(get(net)),
    written: (net) => get(net) !== def,
  };
}

export const NETWORK_FIELDS: Readonly<Record<string, FieldDef>> = {
  ssid: strField('ssid', SSID_MAX_LEN, (n) => n.ssid, (n, v) => {
    if (v) n.ssid = v;
    else delete n.ssid;
  }),
  scan_ssid: intField('scan_ssid', 0, 1, (n) => n.scanSsid, (n, v) => (n.scanSsid = v), 0),
  bssid: {
    parse(net, value) {
      if (value === '' || value === '""' || value === 'any') {
        delete net.bssid;
        return undefined;
      }
      const mac = parseMac(value);
      if (!mac) return `Invalid BSSID '${value}'`;
      net.bssid = mac;
      return undefined;
    },
    format: (net) => (net.bssid ? formatMac(net.bssid) : null),
    written: (net) => net.bssid !== undefined,
  },
  psk: {
    key: true,
    parse(net, value) {
      if (value.startsWith('"')) {
        if (value.length < 2 || !value.endsWith('"')) return 'invalid quotation in passphrase';
        const p = Buffer.from(value.slice(1, -1), 'latin1');
        if (p.length < WPA_PASSPHRASE_MIN_LEN || p.length > WPA_PASSPHRASE_MAX_LEN) {
          return `Invalid passphrase length ${p.length} (expected: ${WPA_PASSPHRASE_MIN_LEN}..${WPA_PASSPHRASE_MAX_LEN})`;
        }
        if (hasCtrlChar(p)) return 'Invalid passphrase character';
        net.passphrase = p;
        delete net.psk;
        return undefined;
      }
      const psk = parseHex(value, PMK_LEN);
      if (!psk) return `Invalid PSK (must be "passphrase" or ${PMK_LEN * 2} hex digits)`;
      net.psk = psk;
      delete net.passphrase;
      return undefined;
    },
    // Passphrases are always written quoted (wpa_config_write_string_ascii), PSKs as hex.
    format: (net) => (net.passphrase ? `"${byteString(net.passphrase)}"` : net.psk ? net.psk.toString('hex') : null),
    written: (net) => net.passphrase !== undefined || net.psk !== undefined,
  },
  proto: flagField('proto', PROTO_NAMES, (n) => n.proto, (n, v) => (n.proto = v), DEFAULT_PROTO),
  key_mgmt: flagField('key_mgmt', KEY_MGMT_NAMES, (n) => n.keyMgmt, (n, v) => (n.keyMgmt = v), DEFAULT_KEY_MGMT),
  pairwise: cipherField('pairwise', (n) => n.pairwise, (n, v) => (n.pairwise = v), DEFAULT_PAIRWISE),
  group: cipherField('group', (n) => n.group, (n, v) => (n.group = v), DEFAULT_GROUP),
  auth_alg: flagField('auth_alg', AUTH_ALG_NAMES, (n) => n.authAlg, (n, v) => (n.authAlg = v), null),
  priority: intField('priority', undefined, undefined, (n) => n.priority, (n, v) => (n.priority = v), 0),
  mode: intField('mode', 0, 5, (n) => n.mode, (n, v) => (n.mode = v), 0),
  disabled: intField('disabled', 0, 2, (n) => n.disabled, (n, v) => (n.disabled = v), 0),
  wps_disabled: intField('wps_disabled', 0, 1, (n) => n.wpsDisabled, (n, v) => (n.wpsDisabled = v), 0),
  ieee80211w: intField('ieee80211w', 0, 3, (n) => n.ieee80211w, (n, v) => (n.ieee80211w = v), DEFAULT_IEEE80211W),
  id_str: strField('id_str', undefined, (n) => n.idStr, (n, v) => {
    if (v) n.idStr = v;
    else delete n.idStr;
  }),
  multi_ap_backhaul_sta: intField('multi_ap_backhaul_sta', 0, 1, (n) => n.multiApBackhaulSta, (n, v) => (n.multiApBackhaulSta = v), 0),
};

/** Field order of wpa_config_write_network() for the fields wpsd knows. */
export const NETWORK_WRITE_ORDER: readonly string[] = [
  'ssid', 'scan_ssid', 'bssid', 'psk', 'proto', 'key_mgmt', 'pairwise', 'group', 'auth_alg',
  'priority', 'mode', 'disabled', 'wps_disabled', 'ieee80211w', 'id_str', 'multi_ap_backhaul_sta',
];

export function isNetworkField(name: string): boolean {
  return Object.hasOwn(NETWORK_FIELDS, name);
}

/**
 * Sets one field (wpa_config_set). Returns undefined on success or the error
 * text; on error `net` is unchanged. Unknown names are errors here.
 */
export function setNetworkField(net: NetworkBlock, name: string, value: string): string | undefined {
  const f = Object.hasOwn(NETWORK_FIELDS, name) ? NETWORK_FIELDS[name] : undefined;
  if (!f) return `unknown network field '${name}'`;
  // Field parsers replace values (never change a Buffer or `extra` in place): a shallow trial copy
  // is enough, and keeps a block with many lines linear (a deep copy per line was quadratic).
  const trial: NetworkBlock = { ...net };
  const e = f.parse(trial, value);
  if (e !== undefined) return e;
  Object.assign(net, trial);
  // Properties the trial deleted must go from `net` too.
  for (const k of Object.keys(net) as (keyof NetworkBlock)[]) {
    if (!(k in trial)) delete net[k];
  }
  return undefined;
}

/** wpa_config_get(): the value in file syntax (keys included), or null. */
export function getNetworkField(net: NetworkBlock, name: string): string | null {
  const f = Object.hasOwn(NETWORK_FIELDS, name) ? NETWORK_FIELDS[name] : undefined;
  if (!f) return null;
  const v = f.format(net);
  // wpa_config_get refuses values with line breaks.
  if (v !== null && /[\r\n]/.test(v)) return null;
  return v;
}

/** wpa_config_get_no_key(): as getNetworkField, but key fields read "*". */
export function getNetworkFieldNoKey(net: NetworkBlock, name: string): string | null {
  const f = Object.hasOwn(NETWORK_FIELDS, name) ? NETWORK_FIELDS[name] : undefined;
  if (!f) return null;
  const v = getNetworkField(net, name);
  if (f.key) return v !== null && v !== '' ? '*' : null;
  return v;
}

/** Field lines (without tab) as wpa_config_write_network prints them; unknown fields kept at the end. */
export function networkFieldLines(net: NetworkBlock): string[] {
  const out: string[] = [];
  for (const name of NETWORK_WRITE_ORDER) {
    const f = NETWORK_FIELDS[name];
    if (!f || !f.written(net)) continue;
    const v = f.format(net);
    if (v === null || v === '' || /[\r\n]/.test(v)) continue;
    out.push(`${name}=${v}`);
  }
  for (const e of net.extra) out.push(`${e.name}=${e.value}`);
  return out;
}

/** wpa_config_validate_network(): group CCMP is dropped when the pairwise list cannot back it. */
export function finishNetwork(net: NetworkBlock): void {
  const strongPairwise = Cipher.CCMP | Cipher.CCMP_256 | Cipher.GCMP | Cipher.GCMP_256 | Cipher.NONE;
  if ((net.group & Cipher.CCMP) !== 0 && (net.pairwise & strongPairwise) === 0) net.group &= ~Cipher.CCMP;
}

/** Networks wpa_config_write() leaves out: WPS-only temporaries and PSK networks without a key. */
export function isSavedNetwork(net: NetworkBlock): boolean {
  if (net.keyMgmt === KeyMgmt.WPS) return false;
  const pskNoSae = (net.keyMgmt & (KeyMgmt.PSK | KeyMgmt.FT_PSK | KeyMgmt.PSK_SHA256)) !== 0;
  if (pskNoSae && !net.psk && !net.passphrase) return false;
  const sae = (net.keyMgmt & (KeyMgmt.SAE | KeyMgmt.FT_SAE | KeyMgmt.SAE_EXT_KEY | KeyMgmt.FT_SAE_EXT_KEY)) !== 0;
  const saePassword = net.extra.some((e) => e.name === 'sae_password');
  if (sae && !net.passphrase && !saePassword) return false;
  return true;
}
