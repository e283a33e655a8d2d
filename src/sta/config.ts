/**
 * wpa_supplicant.conf reading, as wpa_config_read(): leading blanks and
 * trailing blanks go, `#` starts a comment unless inside a double-quoted
 * string, `network={ ... }` blocks hold one network each (ids 0..n-1 in
 * file order). Every error is collected with its line. A global key or
 * network field wpa_supplicant does not know is an error, as there, unless
 * loading is lenient; one it knows that wpsd does not implement is a warning
 * and is kept for the writer.
 */
import { readFile } from 'node:fs/promises';
import { ConfigFileError, DiagnosticSink, type ConfigDiagnostic } from '../conf/diagnostic.js';
import {
  configFileText,
  parseStrtol0,
  utf8Of,
} from '../conf/values.js';
import { uuidFromMac } from '../wps/device.js';
import { wpsDeviceKeyParsers, type WpsDeviceSettings } from '../conf/wps-device.js';
import { applyNfcConfigKey, NFC_CONFIG_KEYS, type NfcTokenConfig } from '../wps/nfc/nfc-config.js';
import { WPAS_GLOBAL_KEYS, WPAS_NETWORK_KEYS } from '../conf/known-keys.js';
import { defaultNetwork, finishNetwork, isNetworkField, setNetworkField, type NetworkBlock } from './config-network.js';
import { refusedGlobalField, refusedNetworkField } from './config-unimplemented.js';

export { ConfigFileError, formatDiagnostic, type ConfigDiagnostic } from '../conf/diagnostic.js';
export { parseCtrlInterface } from '../conf/values.js';
export type { NetworkBlock } from './config-network.js';

/** wpa_supplicant reads global lines into 1024 bytes and network lines into 2000; we refuse longer ones. */
export const WPAS_MAX_LINE_LEN = 2000;
export const WPAS_MAX_FILE_LEN = 1 << 20;
/** More networks than any real file holds; bounds work on hostile input. */
export const WPAS_MAX_NETWORKS = 4096;
export const DEFAULT_AP_SCAN = 1;

export interface WpaSupplicantConfig extends WpsDeviceSettings {
  path: string;
  /** As written: either a directory or "DIR=<dir> GROUP=<group>". */
  ctrlInterface?: string;
  ctrlInterfaceGroup?: string;
  apScan: number;
  driverParam?: string;
  updateConfig: number;
  wpsCredProcessing: number;
  /** Default management frame protection of RSN networks (0 none, 1 optional, 2 required); see pmf.ts. */
  pmf: number;
  /** This device's NFC password token (wps_nfc_*); a token made by WPS_NFC_TOKEN lives here too, unsaved. */
  wpsNfc: NfcTokenConfig;
  /** The wps_nfc_* values came from the file: save_config writes them back (wps_nfc_pw_from_config). */
  wpsNfcFromConfig: boolean;
  country?: string;
  /** wpsd's own: path of the simulated medium's socket. */
  simMedium?: string;
  networks: NetworkBlock[];
  /** Global lines wpsd does not know, kept for the writer (byte strings). */
  extraGlobals: { name: string; value: string }[];
}

export interface WpaSupplicantConfigResult {
  config: WpaSupplicantConfig;
  warnings: ConfigDiagnostic[];
}

export function emptyWpaSupplicantConfig(path: string): WpaSupplicantConfig {
  return { path, apScan: DEFAULT_AP_SCAN, updateConfig: 0, wpsCredProcessing: 0, pmf: 0, wpsNfc: {}, wpsNfcFromConfig: false, networks: [], extraGlobals: [] };
}

/**
 * wpa_config_get_line(): strip leading blanks, drop comment lines, cut a `#`
 * comment that is not inside a quoted string, strip trailing blanks.
 * Returns null for lines with nothing left.
 */
export function cleanConfigLine(raw: string): string | null {
  let pos = 0;
  while (pos < raw.length && (raw[pos] === ' ' || raw[pos] === '\t' || raw[pos] === '\r')) pos++;
  const s = raw.slice(pos);
  if (s === '' || s.startsWith('#')) return null;
  let end = s.indexOf('#');
  let sstart = 0;
  while (end >= 0) {
    const q1 = s.indexOf('"', sstart);
    if (q1 < 0 || q1 > end) break;
    const q2 = s.indexOf('"', q1 + 1);
    if (q2 < 0) break;
    sstart = q2 + 1;
    if (sstart > end) end = s.indexOf('#', sstart);
  }
  let t = end >= 0 ? s.slice(0, end) : s;
  t = t.replace(/[\n \t\r]+$/, '');
  return t === '' ? null : t;
}

type GlobalHandler = (c: WpaSupplicantConfig, value: string) => string | undefined;

/** uuid, device_name, ... config_methods: parsed as in hostapd.conf, with wpa_supplicant's wording. */
const WPS_DEVICE_KEYS = wpsDeviceKeyParsers({
  deviceTypeExample: '1-0050F204-1',
  tooLong: (key, len, max) => `too long ${key} (len=${len} max_len=${max})`,
});

function strGlobal(key: string, max: number | undefined, set: (c: WpaSupplicantConfig, v: string) => void): GlobalHandler {
  return (c, value) => {
    if (max !== undefined && value.length > max) return `too long ${key} (len=${value.length} max_len=${max})`;
    set(c, utf8Of(value));
    return undefined;
  };
}

function intGlobal(key: string, min: number | undefined, max: number | undefined, set: (c: WpaSupplicantConfig, v: number) => void): GlobalHandler {
  return (c, value) => {
    const v = parseStrtol0(value);
    if (v === null) return `invalid number "${value}"`;
    if (min !== undefined && v < min) return `too small ${key} (value=${v} min_value=${min})`;
    if (max !== undefined && v > max) return `too large ${key} (value=${v} max_value=${max})`;
    set(c, v);
    return undefined;
  };
}

const GLOBALS: Readonly<Record<string, GlobalHandler>> = {
  ctrl_interface: strGlobal('ctrl_interface', undefined, (c, v) => (c.ctrlInterface = v)),
  ctrl_interface_group: strGlobal('ctrl_interface_group', undefined, (c, v) => (c.ctrlInterfaceGroup = v)),
  ap_scan: intGlobal('ap_scan', 0, 2, (c, v) => (c.apScan = v)),
  driver_param: strGlobal('driver_param', undefined, (c, v) => (c.driverParam = v)),
  update_config: intGlobal('update_config', undefined, undefined, (c, v) => (c.updateConfig = v)),
  ...WPS_DEVICE_KEYS,
  config_methods: (c, raw) => {
    // wpa_supplicant keeps this string as written and finds method names in it
    // by substring, so a quoted list ("keypad display") works there too.
    const value = /^".*"$/.test(raw) ? raw.slice(1, -1) : raw;
    return WPS_DEVICE_KEYS.config_methods(c, value);
  },
  wps_cred_processing: intGlobal('wps_cred_processing', 0, 2, (c, v) => (c.wpsCredProcessing = v)),
  // wpa_supplicant takes any integer; values other than 0..2 mean nothing to wpas_get_ssid_pmf, so they are refused.
  pmf: intGlobal('pmf', 0, 2, (c, v) => (c.pmf = v)),
  ...Object.fromEntries(
    NFC_CONFIG_KEYS.map((key): [string, GlobalHandler] => [
      key,
      (c, value) => {
        const problem = applyNfcConfigKey(c.wpsNfc, key, value);
        if (problem === undefined) c.wpsNfcFromConfig = true;
        return problem;
      },
    ]),
  ),
  country: (c, value) => {
    if (!/^[A-Za-z0-9]{2}/.test(value)) return `invalid country '${value}' (must be a two-letter country code)`;
    c.country = value.slice(0, 2);
    return undefined;
  },
  sim_medium: (c, value) => {
    if (value === '') return 'invalid sim_medium (empty path)';
    c.simMedium = utf8Of(value);
    return undefined;
  },
};

/**
 * Parses wpa_supplicant.conf text (a string is taken as UTF-8, bytes as they are).
 * Throws ConfigFileError with every diagnostic when anything is invalid.
 */
export interface WpaSupplicantParseOptions {
  /** Unknown keys and fields are warnings instead of errors (`wpsd sta --lenient-config`). */
  lenient?: boolean;
}

export function parseWpaSupplicantConfig(input: string | Uint8Array, path: string, opts: WpaSupplicantParseOptions = {}): WpaSupplicantConfigResult {
  const sink = new DiagnosticSink(path);
  const config = emptyWpaSupplicantConfig(path);
  const text = configFileText(input);
  if (text.length > WPAS_MAX_FILE_LEN) {
    sink.error(0, `file too large (${text.length} bytes, at most ${WPAS_MAX_FILE_LEN})`);
    sink.throwIfErrors();
  }
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

  let block: { kind: 'network'; net: NetworkBlock; start: number; errors: number } | { kind: 'skip'; start: number } | null = null;
  let nextId = 0;

  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.length > WPAS_MAX_LINE_LEN) {
      sink.error(line, `line too long (${raw.length} bytes, at most ${WPAS_MAX_LINE_LEN})`);
      return;
    }
    if (raw.includes('\0')) {
      sink.error(line, 'invalid line (contains a NUL byte)');
      return;
    }
    const pos = cleanConfigLine(raw);
    if (pos === null) return;

    if (block !== null) {
      if (pos === '}') {
        if (block.kind === 'network') {
          finishNetwork(block.net);
          if (block.errors === 0) config.networks.push(block.net);
        }
        block = null;
        return;
      }
      if (block.kind === 'skip') return;
      const eq = pos.indexOf('=');
      if (eq < 0) {
        // Not echoed: a mistyped line may hold a secret.
        sink.error(line, 'invalid network line (expected name=value)');
        block.errors++;
        return;
      }
      const name = pos.slice(0, eq);
      const value = pos.slice(eq + 1);
      if (value.startsWith('"') && !value.slice(1).includes('"')) {
        sink.error(line, `invalid quotation in ${name}`);
        block.errors++;
        return;
      }
      if (!isNetworkField(name)) {
        if (!WPAS_NETWORK_KEYS.has(name) && opts.lenient !== true) {
          sink.error(line, `unknown network field '${name}'`);
          block.errors++;
          return;
        }
        const refused = refusedNetworkField(name, value);
        if (refused !== undefined) {
          sink.error(line, refused);
          block.errors++;
          return;
        }
        sink.warn(line, WPAS_NETWORK_KEYS.has(name) ? `network field '${name}' is not implemented by wpsd (kept as written)` : `unknown network field '${name}' (kept as written)`);
        block.net.extra.push({ name, value });
        return;
      }
      const e = setNetworkField(block.net, name, value);
      if (e !== undefined) {
        sink.error(line, `${name}: ${e}`);
        block.errors++;
      }
      return;
    }

    if (pos === 'network={') {
      if (config.networks.length >= WPAS_MAX_NETWORKS) {
        sink.error(line, `too many network blocks (at most ${WPAS_MAX_NETWORKS})`);
        block = { kind: 'skip', start: line };
        return;
      }
      block = { kind: 'network', net: defaultNetwork(nextId++), start: line, errors: 0 };
      return;
    }
    if (/^[A-Za-z0-9_-]+=\{$/.test(pos)) {
      sink.warn(line, `'${pos}' block is not supported by wpsd; it is ignored and will not be saved`);
      block = { kind: 'skip', start: line };
      return;
    }
    const eq = pos.indexOf('=');
    if (eq < 0) {
      sink.error(line, 'invalid configuration line (expected name=value)');
      return;
    }
    const name = pos.slice(0, eq);
    const value = pos.slice(eq + 1);
    const h = Object.hasOwn(GLOBALS, name) ? GLOBALS[name] : undefined;
    if (!h) {
      if (!WPAS_GLOBAL_KEYS.has(name) && opts.lenient !== true) {
        sink.error(line, `unknown global field '${name}'`);
        return;
      }
      const refused = refusedGlobalField(name, value);
      if (refused !== undefined) {
        sink.error(line, refused);
        return;
      }
      sink.warn(line, WPAS_GLOBAL_KEYS.has(name) ? `global field '${name}' is not implemented by wpsd (kept as written)` : `unknown global field '${name}' (kept as written)`);
      config.extraGlobals.push({ name, value });
      return;
    }
    const e = h(config, value);
    if (e !== undefined) sink.error(line, e);
  });

  if (block !== null) {
    const open: { start: number } = block;
    sink.error(lines.length, `block starting at line ${open.start} was not terminated properly`);
  }
  sink.throwIfErrors();
  return { config, warnings: sink.warnings };
}

/** Reads and parses wpa_supplicant.conf; throws ConfigFileError with all diagnostics. */
export async function loadWpaSupplicantConfig(path: string, opts: WpaSupplicantParseOptions = {}): Promise<WpaSupplicantConfigResult> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw new ConfigFileError('CONFIG_UNREADABLE', [
      { severity: 'error', path, line: 0, message: `failed to open config file: ${(e as Error).message}` },
    ]);
  }
  return parseWpaSupplicantConfig(data, path, opts);
}

/** The station's WPS UUID: uuid= when set, else derived from the interface MAC (wpas_wps_init, no auto_uuid). */
export function stationWpsUuid(config: WpaSupplicantConfig, ownAddr: Uint8Array): Buffer {
  return config.uuid && config.uuid.some((b) => b !== 0) ? Buffer.from(config.uuid) : uuidFromMac(ownAddr);
}
