/**
 * Writing new AP settings back to hostapd.conf after a Registrar configured
 * the AP, as hostapd's hapd_wps_cred_cb() does: a "# WPS configuration"
 * block goes first, then the old file follows unchanged except that the lines
 * the block replaces are kept as `#WPS# ` comments - only up to the first
 * `bss=` line, since the block applies to the first BSS. The file is replaced
 * atomically (temporary file, fsync, rename), never left half-written.
 */
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../common/atomic-write.js';
import { AuthType, EncrType } from '../wps/values.js';
import { wpaVersionFromAuthType } from '../wps/no-tkip.js';
import { ConfigFileError, type ConfigDiagnostic } from '../conf/diagnostic.js';
import { parseHostapdConfig } from './config.js';
import {
  PMK_LEN,
  WPA_PASSPHRASE_MIN_LEN,
  byteString,
  needsHex,
} from '../conf/values.js';
import { SSID_MAX_LEN } from '../common/ssid.js';

/** The Credential a Registrar gave the AP, with WSC Authentication/Encryption Type flag values. */
export interface NewApSettings {
  ssid: Buffer;
  /** WSC Authentication Type flags (Open 0x01, WPAPSK 0x02, Shared 0x04, WPA 0x08, WPA2 0x10, WPA2PSK 0x20). */
  authType: number;
  /** WSC Encryption Type flags (None 0x01, WEP 0x02, TKIP 0x04, AES 0x08). */
  encrType: number;
  /** Passphrase (8..63 bytes) or 64 hex digits; empty for an open network. */
  networkKey: Buffer;
}

/** What the writer needs to know about the current first BSS. */
export interface ApWriterContext {
  /** hw_mode=ad: AES becomes GCMP rather than CCMP. */
  hwModeAd: boolean;
  /** wps_cred_add_sae=1 on the BSS. */
  wpsCredAddSae: boolean;
  /** ieee80211w is 0 (no management frame protection). */
  noPmf: boolean;
}

/** Keys the WPS block replaces (str_starts() prefixes in hapd_wps_cred_cb; wep_key covers wep_key0..3). */
const REPLACED_PREFIXES = [
  'ssid=', 'ssid2=', 'auth_algs=', 'wep_default_key=', 'wep_key', 'wps_state=',
  'wpa=', 'wpa_psk=', 'wpa_pairwise=', 'rsn_pairwise=', 'wpa_key_mgmt=', 'wpa_passphrase=',
];

/** Refuses settings that would make a file hostapd (and wpsd) cannot read back. */
export function validateNewApSettings(s: NewApSettings, path: string): ConfigDiagnostic[] {
  const problems: string[] = [];
  if (s.ssid.length < 1 || s.ssid.length > SSID_MAX_LEN) problems.push(`SSID must be 1..${SSID_MAX_LEN} bytes, got ${s.ssid.length}`);
  if (wpaVersionFromAuthType(s.authType) !== 0) {
    // No TKIP to fall back on: without AES the block would say wpa_pairwise= with nothing.
    if ((s.encrType & EncrType.Aes) === 0) problems.push('WPA/WPA2 without AES (CCMP): wpsd has no TKIP');
    const k = s.networkKey;
    const psk = (s.authType & (AuthType.Wpa2Psk | AuthType.WpaPsk)) !== 0;
    if (k.length === 2 * PMK_LEN) {
      if (!/^[0-9a-fA-F]{64}$/.test(byteString(k))) problems.push('a 64-character network key must be hex');
    } else if (k.length >= WPA_PASSPHRASE_MIN_LEN && k.length < 2 * PMK_LEN) {
      if (k.some((c) => c === 0 || c === 0x0a || c === 0x0d)) problems.push('network key contains a NUL or line break');
    } else if (psk) {
      problems.push(`invalid key length ${k.length} for WPA/WPA2 (must be 8..64)`);
    }
  }
  return problems.map((message) => ({ severity: 'error' as const, path, line: 0, message: `refusing new AP settings: ${message}` }));
}

/**
 * The "# WPS configuration" block hostapd puts at the top of the file, as a
 * CONFIG_NO_TKIP hostapd writes it (src/wps/no-tkip.ts), not Debian's
 * TKIP-capable build: any WPA/WPA2 authentication is wpa=2, TKIP is dropped.
 */
export function buildWpsConfigBlock(s: NewApSettings, ctx: ApWriterContext): { text: string; pmfChanged: boolean } {
  const out: string[] = ['# WPS configuration - START', 'wps_state=2'];
  out.push(needsHex(s.ssid) ? `ssid2=${s.ssid.toString('hex')}` : `ssid=${byteString(s.ssid)}`);
  const wpa = wpaVersionFromAuthType(s.authType);
  let pmfChanged = false;
  if (wpa !== 0) {
    out.push(`wpa=${wpa}`);
    const mgmt: string[] = [];
    if ((s.authType & (AuthType.Wpa2 | AuthType.Wpa)) !== 0) mgmt.push('WPA-EAP');
    if ((s.authType & (AuthType.Wpa2Psk | AuthType.WpaPsk)) !== 0) mgmt.push('WPA-PSK');
    const sae = ctx.wpsCredAddSae && (s.authType & AuthType.Wpa2Psk) !== 0 && s.networkKey.length !== 2 * PMK_LEN;
    if (sae) mgmt.push('SAE');
    out.push(`wpa_key_mgmt=${mgmt.join(' ')}`);
    if (sae && ctx.noPmf) {
      out.push('ieee80211w=1');
      pmfChanged = true;
    }
    if (sae) out.push('sae_require_mfp=1');
    const ciphers: string[] = [];
    if ((s.encrType & EncrType.Aes) !== 0) ciphers.push(ctx.hwModeAd ? 'GCMP' : 'CCMP');
    out.push(`wpa_pairwise=${ciphers.join(' ')}`);
    const k = s.networkKey;
    if (k.length >= WPA_PASSPHRASE_MIN_LEN && k.length < 2 * PMK_LEN) out.push(`wpa_passphrase=${byteString(k)}`);
    else if (k.length === 2 * PMK_LEN) out.push(`wpa_psk=${byteString(k)}`);
  }
  // WSC 2.0 forbids WEP, so an open credential is simply open authentication.
  out.push('auth_algs=1');
  out.push('# WPS configuration - END');
  return { text: out.map((l) => `${l}\n`).join(''), pmfChanged };
}

/**
 * The new file contents (byte string in, byte string out): the WPS block,
 * then every old line, with the replaced keys of the first BSS commented out.
 */
export function rewriteHostapdConfig(oldText: string, s: NewApSettings, ctx: ApWriterContext): string {
  const { text: block, pmfChanged } = buildWpsConfigBlock(s, ctx);
  const prefixes = pmfChanged ? [...REPLACED_PREFIXES, 'ieee80211w='] : REPLACED_PREFIXES;
  // Keep each line's own ending so the rest of the file is byte-for-byte the same.
  const lines = oldText.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let multiBss = false;
  let out = block;
  for (const line of lines) {
    if (line.startsWith('bss=')) multiBss = true;
    out += !multiBss && prefixes.some((p) => line.startsWith(p)) ? `#WPS# ${line}` : line;
  }
  return out;
}

function writerContextFrom(oldBytes: Buffer, path: string): ApWriterContext {
  try {
    const { config } = parseHostapdConfig(oldBytes, path);
    const first = config.bss[0];
    return {
      hwModeAd: config.hwMode === 'ad',
      wpsCredAddSae: (first?.wpsCredAddSae ?? 0) !== 0,
      noPmf: (first?.ieee80211w ?? 0) === 0,
    };
  } catch {
    // The running daemon already accepted this file; if it no longer parses, use hostapd's defaults.
    return { hwModeAd: false, wpsCredAddSae: false, noPmf: true };
  }
}

export interface ApplyNewApSettingsOptions {
  /** Replaces writeFileAtomic (tests). */
  writeFile?: (path: string, data: Uint8Array, mode: number) => Promise<void>;
}

/**
 * Writes the Registrar's new AP settings into the hostapd.conf at `path`
 * (wps_state=2, SSID, wpa, wpa_key_mgmt, wpa_pairwise, passphrase or PSK).
 * Throws ConfigFileError (CONFIG_WRITE_REFUSED) for settings that cannot be
 * written; the file is then untouched. The daemon decides about
 * wps_cred_processing=1 (do not write) before calling this.
 */
export async function applyNewApSettings(path: string, settings: NewApSettings, opts: ApplyNewApSettingsOptions = {}): Promise<void> {
  const problems = validateNewApSettings(settings, path);
  if (problems.length > 0) throw new ConfigFileError('CONFIG_WRITE_REFUSED', problems);
  let oldBytes: Buffer;
  let mode: number;
  try {
    oldBytes = await readFile(path);
    mode = (await stat(path)).mode & 0o777;
  } catch (e) {
    throw new ConfigFileError('CONFIG_UNREADABLE', [
      { severity: 'error', path, line: 0, message: `could not open current configuration file: ${(e as Error).message}` },
    ]);
  }
  const next = rewriteHostapdConfig(byteString(oldBytes), settings, writerContextFrom(oldBytes, path));
  const write = opts.writeFile ?? writeFileAtomic;
  await write(path, Buffer.from(next, 'latin1'), mode);
}
