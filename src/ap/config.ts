/**
 * hostapd.conf reading, line by line as hostapd_config_read(): `#` in the first
 * column starts a comment, blank lines are skipped, everything else is
 * `key=value` with nothing trimmed (a space is part of the value). Every error
 * is collected with its line. A key hostapd does not know is an error, as in
 * hostapd ("unknown configuration item"), unless loading is lenient; a
 * hostapd key wpsd does not implement is a warning. `bss=` starts a new BSS
 * that inherits nothing from the ones before it.
 */
import { readFile } from 'node:fs/promises';
import { ConfigFileError, DiagnosticSink, type ConfigDiagnostic } from '../conf/diagnostic.js';
import { applyHostapdKey } from './config-keys.js';
import { defaultBss, effectiveRsnPairwise, type HostapdBssConfig, type HostapdConfig } from './config-model.js';
import { Cipher, KeyMgmt, configFileText } from '../conf/values.js';
import { isHostapdKey } from '../conf/known-keys.js';
import { unimplementedKeyVerdict } from './config-unimplemented.js';
import { MAC_LIST_MAX_FILE_LEN, parseMacList } from './mac-acl.js';
import { AttributeType, parseAttributes } from '../wps/attributes.js';
import { formatMac } from '../common/mac.js';

export { ConfigFileError, formatDiagnostic, type ConfigDiagnostic } from '../conf/diagnostic.js';
export type { HostapdBssConfig, HostapdConfig, HostapdDriver, HwMode } from './config-model.js';
export { effectiveRsnPairwise } from './config-model.js';
export { parseCtrlInterface } from '../conf/values.js';

/** hostapd reads lines with a 4096-byte buffer; longer lines are refused rather than split. */
export const HOSTAPD_MAX_LINE_LEN = 4095;
/** Refuse absurd files before splitting them (a hostapd.conf is a few KiB). */
export const HOSTAPD_MAX_FILE_LEN = 1 << 20;
/** extra_cred / ap_settings files hold a few WSC attributes. */
export const HOSTAPD_MAX_BLOB_FILE_LEN = 64 * 1024;

export interface HostapdParseOptions {
  /** Unknown keys are warnings instead of errors (`wpsd ap --lenient-config`). */
  lenient?: boolean;
}

export interface HostapdConfigResult {
  config: HostapdConfig;
  warnings: ConfigDiagnostic[];
}

/** Splits into lines the way fgets() sees them; a trailing CR (CRLF files) is dropped. */
export function splitConfigLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * Parses hostapd.conf text (a string is taken as UTF-8; bytes are taken as they are).
 * Throws ConfigFileError carrying every error and warning when anything is invalid.
 */
export function parseHostapdConfig(input: string | Uint8Array, path: string, opts: HostapdParseOptions = {}): HostapdConfigResult {
  const sink = new DiagnosticSink(path);
  const conf: HostapdConfig = { path, driver: 'nl80211', ieee80211n: 0, bss: [defaultBss('', 0)] };
  const text = configFileText(input);
  if (text.length > HOSTAPD_MAX_FILE_LEN) {
    sink.error(0, `file too large (${text.length} bytes, at most ${HOSTAPD_MAX_FILE_LEN})`);
    sink.throwIfErrors();
  }
  const lines = splitConfigLines(text);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.startsWith('#') || raw === '') return;
    if (raw.length > HOSTAPD_MAX_LINE_LEN) {
      sink.error(line, `line too long (${raw.length} bytes, at most ${HOSTAPD_MAX_LINE_LEN})`);
      return;
    }
    if (raw.includes('\0')) {
      sink.error(line, 'invalid line (contains a NUL byte)');
      return;
    }
    const eq = raw.indexOf('=');
    if (eq < 0) {
      // Not echoed: a mistyped line may hold a secret ("wpa_passphrase secret").
      sink.error(line, 'invalid line (expected key=value)');
      return;
    }
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    const bss = conf.bss[conf.bss.length - 1];
    if (!bss) return;
    if (!applyHostapdKey({ conf, bss, sink, line }, key, value)) {
      if (isHostapdKey(key)) {
        const v = unimplementedKeyVerdict(key, value);
        if (v?.severity === 'error') sink.error(line, v.message);
        else if (v !== undefined) sink.warn(line, v.message);
      } else if (opts.lenient === true) sink.warn(line, `unknown configuration item '${key}'`);
      else sink.error(line, `unknown configuration item '${key}'`);
    }
  });
  checkHostapdConfig(conf, sink);
  sink.throwIfErrors();
  return { config: conf, warnings: sink.warnings };
}

/** Whole-file checks from hostapd_config_check() that concern the keys wpsd knows. */
function checkHostapdConfig(conf: HostapdConfig, sink: DiagnosticSink): void {
  const first = conf.bss[0];
  if (first && first.iface === '') sink.error(0, 'interface is not set');
  const ifaces = new Map<string, number>();
  const bssids = new Map<string, string>();
  for (const bss of conf.bss) {
    const where = bss.line;
    if (bss.iface !== '') {
      if (ifaces.has(bss.iface)) sink.error(where, `duplicate interface '${bss.iface}'`);
      ifaces.set(bss.iface, where);
    }
    if (bss.bssid && bss.bssid.some((b) => b !== 0)) {
      const mac = formatMac(bss.bssid);
      const other = bssids.get(mac);
      if (other !== undefined) sink.error(where, `duplicate BSSID ${mac} on interface '${other}' and '${bss.iface}'`);
      bssids.set(mac, bss.iface);
    }
    const pskOnly = (bss.wpaKeyMgmt & (KeyMgmt.PSK | KeyMgmt.PSK_SHA256 | KeyMgmt.FT_PSK)) !== 0;
    if (bss.wpa !== 0 && pskOnly && !bss.wpaPsk && bss.wpaPassphrase === undefined && bss.wpaPskFile === undefined) {
      sink.error(where, `WPA-PSK enabled, but PSK or passphrase is not configured (BSS '${bss.iface}')`);
    }
    // README-MULTI-AP: WPS belongs on fronthaul BSSes; hostapd does not check, we warn.
    if (bss.multiAp === 1 && bss.wpsState !== 0) {
      sink.warn(where, `WPS is enabled on a backhaul-only BSS (multi_ap=1, BSS '${bss.iface}'); enable it on the fronthaul BSS instead`);
    }
    // hostapd turns WPS off rather than advertise it on a WPA/TKIP-only BSS.
    const strongRsn = Cipher.CCMP | Cipher.GCMP | Cipher.CCMP_256 | Cipher.GCMP_256;
    if (bss.wpsState !== 0 && bss.wpa !== 0 && ((bss.wpa & 2) === 0 || (effectiveRsnPairwise(bss) & strongRsn) === 0)) {
      sink.warn(where, `WPS: WPA/TKIP configuration without WPA2/CCMP/GCMP forced WPS to be disabled (BSS '${bss.iface}')`);
      bss.wpsState = 0;
    }
    checkSecurity(conf, bss, sink);
    if (bss.wpsState !== 0 && bss.eapServer === 0 && (conf.driver === 'sim' || conf.driver === 'nl80211' || conf.driver === 'wired')) {
      sink.warn(where, `eap_server=0: no internal EAP server, so stations cannot run WPS with BSS '${bss.iface}' (hostapd would pass their EAP to a RADIUS server, which wpsd does not implement); set eap_server=1`);
    }
  }
}

/**
 * Security and admission settings wpsd must not accept and then ignore.
 * On a radio (sim, nl80211) wpsd runs the BSS itself: WPA2 (RSN) with
 * WPA-PSK and CCMP, open system authentication, no management frame
 * protection, no SAE. Without one (none, wired) no station associates over
 * 802.11: these keys only shape the Credentials WPS hands out and the file
 * WPS rewrites, so they stay as written.
 */
function checkSecurity(conf: HostapdConfig, bss: HostapdBssConfig, sink: DiagnosticSink): void {
  const where = bss.line;
  const name = `BSS '${bss.iface}'`;
  if (bss.ieee8021x !== 0 && (conf.driver !== 'wired' || bss.wpsState === 0)) {
    sink.error(where, `ieee8021x=1 is implemented by wpsd only for WPS on driver=wired (${name}): it has no EAP method but WSC, no RADIUS and no WPA-EAP`);
  }
  if (conf.driver !== 'sim' && conf.driver !== 'nl80211') return;
  if (bss.wpsCredAddSae !== 0) sink.error(where, `wps_cred_add_sae=1 would switch the AP to SAE after WPS configuration; wpsd's AP has no SAE (${name})`);
  if (bss.ieee80211w !== 0) sink.error(where, `ieee80211w=${bss.ieee80211w} (management frame protection) is not implemented by wpsd (${name}); set ieee80211w=0`);
  if (bss.saeRequireMfp !== 0) sink.error(where, `sae_require_mfp=1 is not implemented by wpsd: it has no SAE (${name})`);
  // auth_algs: bit 0 open system, bit 1 shared key; wpsd has no WEP, so shared key is refused at Authentication as hostapd does without WEP keys.
  if ((bss.authAlgs & 1) === 0 || (bss.authAlgs & ~3) !== 0) {
    sink.error(where, `auth_algs=${bss.authAlgs} is not implemented by wpsd (${name}): it does open system authentication only (auth_algs=1 or 3)`);
  }
  if (bss.wpa === 0) return;
  if ((bss.wpa & 1) !== 0) sink.error(where, `wpa=${bss.wpa}: WPA (version 1) is not implemented by wpsd's AP (${name}); use wpa=2`);
  if (bss.wpaKeyMgmt !== KeyMgmt.PSK) sink.error(where, `wpa_key_mgmt: wpsd's AP implements WPA-PSK only (${name}); set wpa_key_mgmt=WPA-PSK`);
  const pairwiseKey = bss.rsnPairwiseSet ? 'rsn_pairwise' : 'wpa_pairwise';
  if (effectiveRsnPairwise(bss) !== Cipher.CCMP) sink.error(where, `${pairwiseKey}: wpsd's AP implements CCMP only (${name}); set rsn_pairwise=CCMP`);
}

/** accept_mac_file / deny_mac_file, read at load as hostapd does. */
async function readMacLists(bss: HostapdBssConfig, sink: DiagnosticSink): Promise<void> {
  for (const which of ['accept', 'deny'] as const) {
    const path = which === 'accept' ? bss.acceptMacFile : bss.denyMacFile;
    if (path === undefined) continue;
    const line = (which === 'accept' ? bss.acceptMacFileLine : bss.denyMacFileLine) ?? 0;
    let text: string;
    try {
      const data = await readFile(path);
      if (data.length > MAC_LIST_MAX_FILE_LEN) {
        sink.error(line, `${which}_mac_file '${path}' too large (${data.length} bytes, at most ${MAC_LIST_MAX_FILE_LEN})`);
        continue;
      }
      text = data.toString('latin1');
    } catch (e) {
      sink.error(line, `MAC list file '${path}' not found: ${(e as Error).message}`);
      continue;
    }
    const r = parseMacList(text, path);
    if ('error' in r) sink.error(line, r.error);
    else if (which === 'accept') bss.acceptMacs = r.macs;
    else bss.denyMacs = r.macs;
  }
  const filtering = bss.macaddrAcl === 1 || (bss.denyMacs?.size ?? 0) > 0;
  if (filtering && bss.wpsState !== 0) {
    sink.warn(bss.line, `macaddr_acl / deny_mac_file: no MAC address filter while WPS is enabled on BSS '${bss.iface}' (WPS 2.0; hostapd does the same)`);
  }
}

/**
 * extra_cred goes into M8 and ap_settings into M7 byte for byte (hostapd
 * reads them unchecked); here each must at least be a well-formed run of WSC
 * attributes, so that a peer is never sent a file that is not one, and hold
 * the attribute it is for.
 */
function checkAttributeFile(data: Buffer, key: 'extra_cred' | 'ap_settings', path: string, line: number, sink: DiagnosticSink): void {
  let attrs;
  try {
    attrs = parseAttributes(data);
  } catch (e) {
    sink.error(line, `${key} file '${path}' is not a sequence of WSC attributes: ${(e as Error).message}`);
    return;
  }
  const want = key === 'extra_cred' ? { type: AttributeType.Credential, name: 'Credential' } : { type: AttributeType.Ssid, name: 'SSID' };
  if (!attrs.some((a) => a.type === want.type)) sink.warn(line, `${key} file '${path}' holds no ${want.name} attribute`);
}

async function readBlob(path: string, line: number, key: string, sink: DiagnosticSink): Promise<Buffer | undefined> {
  try {
    const data = await readFile(path);
    if (data.length > HOSTAPD_MAX_BLOB_FILE_LEN) {
      sink.error(line, `${key} file '${path}' too large (${data.length} bytes, at most ${HOSTAPD_MAX_BLOB_FILE_LEN})`);
      return undefined;
    }
    return data;
  } catch (e) {
    sink.error(line, `could not read ${key} from '${path}': ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * Reads and parses hostapd.conf; also reads the extra_cred and ap_settings
 * files, as hostapd does at parse time. Throws ConfigFileError (all diagnostics).
 */
export async function loadHostapdConfig(path: string, opts: HostapdParseOptions = {}): Promise<HostapdConfigResult> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw new ConfigFileError('CONFIG_UNREADABLE', [
      { severity: 'error', path, line: 0, message: `could not open configuration file for reading: ${(e as Error).message}` },
    ]);
  }
  const result = parseHostapdConfig(data, path, opts);
  const sink = new DiagnosticSink(path);
  for (const bss of result.config.bss) {
    await readMacLists(bss, sink);
    if (bss.extraCred !== undefined) {
      const d = await readBlob(bss.extraCred, bss.extraCredLine ?? 0, 'extra_cred', sink);
      if (d) checkAttributeFile(d, 'extra_cred', bss.extraCred, bss.extraCredLine ?? 0, sink);
      if (d) bss.extraCredData = d;
    }
    if (bss.skipCredBuild === 1 && bss.extraCred === undefined && bss.wpsState !== 0) {
      sink.warn(0, `skip_cred_build=1 without extra_cred: Enrollees of BSS '${bss.iface}' get no Credential`);
    }
    if (bss.apSettings !== undefined) {
      const d = await readBlob(bss.apSettings, bss.apSettingsLine ?? 0, 'ap_settings', sink);
      if (d) checkAttributeFile(d, 'ap_settings', bss.apSettings, bss.apSettingsLine ?? 0, sink);
      if (d) bss.apSettingsData = d;
    }
  }
  if (sink.errors.length > 0) {
    throw new ConfigFileError('CONFIG_INVALID', [...sink.errors, ...result.warnings, ...sink.warnings]);
  }
  result.warnings.push(...sink.warnings);
  return result;
}
