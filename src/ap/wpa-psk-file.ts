/**
 * hostapd's wpa_psk_file (hostapd_config_read_wpa_psk, hostapd_wps_new_psk_cb):
 * one PSK per line for a station MAC address (00:00:00:00:00:00 for any
 * station), as 64 hex digits or an 8..63 character passphrase, optionally
 * preceded by keyid=, vlanid= and wps=0|1. The 4-way handshake tries a
 * station's own PSKs, then the ones for any station, then the BSS's
 * passphrase. With WPS, each Enrollee gets a per-device PSK: a wps=1 line
 * for its MAC (or for any MAC) when the file has one, else a random one,
 * appended as "wps=1 <mac> <64 hex>" once its registration succeeded.
 *
 * API:
 *   WpaPskFile.load(path, log): Promise<WpaPskFile>   throws WpaPskFileError (the line and why)
 *   .pmksFor(mac, ssid): PskCandidate[]   candidate PMKs (with their keyid), most specific first
 *   .wpsPskFor(mac): Buffer | undefined   the wps=1 PSK an Enrollee would get
 *   .addPerDevicePsk(mac, psk): Promise<void>   runtime list + append
 *   parseWpaPskFile(text): WpaPskEntry[]
 */
import { readFile, appendFile } from 'node:fs/promises';
import { type Logger, silentLogger } from '../common/log.js';
import { WpsdError } from '../common/errors.js';
import { macAddress, type MacAddress } from '../radio/mac.js';
import { isValidPassphrase, pmkFromHex, pmkFromPassphrase, PMK_LEN, PSK_HEX_LEN } from '../radio/wpa/crypto.js';

export const ANY_STATION: MacAddress = '00:00:00:00:00:00';
/** hostapd's keyid limit (WPA_KEYID_MAX_LEN... key identifiers are short labels). */
export const KEYID_MAX_LEN = 32;
/** Entries kept at once: a bound on memory and on the PBKDF2 work of an SSID change. */
export const MAX_PSK_ENTRIES = 4096;
/** hostapd reads lines of up to 128 octets. */
export const PSK_LINE_MAX_LEN = 128;

export interface WpaPskEntry {
  addr: MacAddress;
  /** 32 octets, or undefined when given as a passphrase (the PMK then depends on the SSID). */
  psk?: Buffer;
  passphrase?: string;
  wps: boolean;
  keyid?: string;
  vlanid?: number;
}

/** A PMK the 4-way handshake may try, with the keyid= of its line (AP-STA-CONNECTED ... keyid=). */
export interface PskCandidate {
  pmk: Buffer;
  keyid?: string;
}

export class WpaPskFileError extends WpsdError<'BAD_LINE' | 'UNREADABLE'> {
  constructor(
    /** The line at fault; 0 when the file could not be read. */
    readonly line: number,
    message: string,
  ) {
    super(line === 0 ? 'UNREADABLE' : 'BAD_LINE', message);
  }
}

/** Parses the file's text; the first bad line throws (hostapd refuses to start). Secrets never appear in messages. */
export function parseWpaPskFile(text: string): WpaPskEntry[] {
  const out: WpaPskEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = (lines[i] as string).replace(/\r$/, '');
    if (raw.length > PSK_LINE_MAX_LEN) throw new WpaPskFileError(n, `line ${n} is longer than ${PSK_LINE_MAX_LEN} characters`);
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (out.length >= MAX_PSK_ENTRIES) throw new WpaPskFileError(n, `more than ${MAX_PSK_ENTRIES} PSK entries`);
    const e: Partial<WpaPskEntry> = { wps: false };
    let rest = line;
    for (;;) {
      const m = /^(keyid|vlanid|wps)=(\S*)\s+/.exec(rest);
      if (m === null) break;
      const [all, key, value] = m as unknown as [string, string, string];
      if (key === 'keyid') {
        if (value.length === 0 || value.length > KEYID_MAX_LEN) throw new WpaPskFileError(n, `Invalid keyid on line ${n}`);
        e.keyid = value;
      } else if (key === 'vlanid') {
        if (!/^\d{1,4}$/.test(value) || Number(value) > 4094) throw new WpaPskFileError(n, `Invalid vlanid on line ${n}`);
        e.vlanid = Number(value);
      } else {
        if (value !== '0' && value !== '1') throw new WpaPskFileError(n, `Invalid wps value on line ${n}`);
        e.wps = value === '1';
      }
      rest = rest.slice(all.length);
    }
    const sp = /\s/.exec(rest);
    const macText = sp === null ? rest : rest.slice(0, sp.index);
    let addr: MacAddress;
    try {
      addr = macAddress(macText);
    } catch {
      throw new WpaPskFileError(n, `Invalid MAC address on line ${n}`);
    }
    const secret = sp === null ? '' : rest.slice(sp.index).trim();
    if (secret.length === PSK_HEX_LEN && /^[0-9a-fA-F]+$/.test(secret)) e.psk = pmkFromHex(secret);
    else if (isValidPassphrase(secret)) e.passphrase = secret;
    else throw new WpaPskFileError(n, `Invalid PSK on line ${n}`);
    out.push({ ...(e as WpaPskEntry), addr });
  }
  return out;
}

export class WpaPskFile {
  private readonly pmkCache = new Map<WpaPskEntry, { ssid: string; pmk: Buffer }>();
  private appending: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly entries: WpaPskEntry[],
    private readonly log: Logger,
  ) {}

  static async load(path: string, log: Logger = silentLogger): Promise<WpaPskFile> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new WpaPskFileError(0, `cannot read wpa_psk_file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let entries: WpaPskEntry[];
    try {
      entries = parseWpaPskFile(text);
    } catch (e) {
      if (e instanceof WpaPskFileError) throw new WpaPskFileError(e.line, `${e.message} in '${path}'`);
      throw e;
    }
    log.debug(`WPA: ${entries.length} PSK entries read from '${path}'`);
    // Without dynamic VLANs (not supported here) hostapd keeps such stations on the BSS's own interface too.
    if (entries.some((e) => e.vlanid !== undefined)) log.warn(`WPA: vlanid= in '${path}' is ignored: wpsd has no dynamic VLANs; those stations use the BSS itself`);
    return new WpaPskFile(path, entries, log);
  }

  get size(): number {
    return this.entries.length;
  }

  private pmkOf(e: WpaPskEntry, ssid: Uint8Array): Buffer {
    if (e.psk !== undefined) return e.psk;
    const key = Buffer.from(ssid).toString('hex');
    const cached = this.pmkCache.get(e);
    if (cached?.ssid === key) return cached.pmk;
    const pmk = pmkFromPassphrase(e.passphrase as string, ssid);
    this.pmkCache.set(e, { ssid: key, pmk });
    return pmk;
  }

  /** The station's own PSKs (newest first), then those for any station. */
  pmksFor(mac: MacAddress, ssid: Uint8Array): PskCandidate[] {
    const own = this.entries.filter((e) => e.addr === mac).reverse();
    const any = this.entries.filter((e) => e.addr === ANY_STATION);
    return [...own, ...any].map((e) => ({ pmk: this.pmkOf(e, ssid), ...(e.keyid !== undefined ? { keyid: e.keyid } : {}) }));
  }

  /** hostapd_wps_lookup_pskfile_cb: a wps=1 PSK for this MAC, else a wps=1 one for any MAC (as 32 octets). */
  wpsPskFor(mac: MacAddress, ssid: Uint8Array): Buffer | undefined {
    const wps = this.entries.filter((e) => e.wps);
    const e = wps.filter((x) => x.addr === mac).at(-1) ?? wps.find((x) => x.addr === ANY_STATION);
    return e === undefined ? undefined : this.pmkOf(e, ssid);
  }

  /** hostapd_wps_new_psk_cb: the Enrollee's new PSK joins the list and is appended to the file. */
  async addPerDevicePsk(mac: MacAddress, psk: Uint8Array): Promise<void> {
    if (psk.length !== PMK_LEN) throw new Error(`per-device PSK of ${psk.length} octets`);
    if (this.entries.length >= MAX_PSK_ENTRIES) {
      // Drop the oldest per-device entry; configured ones stay.
      const i = this.entries.findIndex((e) => e.wps && e.addr !== ANY_STATION);
      if (i >= 0) this.entries.splice(i, 1);
    }
    this.entries.push({ addr: mac, psk: Buffer.from(psk), wps: true });
    const line = `wps=1 ${mac} ${Buffer.from(psk).toString('hex')}\n`;
    const write = this.appending.then(() => appendFile(this.path, line, { mode: 0o600 }));
    this.appending = write.catch((e: Error) => this.log.warn(`WPS: Failed to add the PSK to '${this.path}': ${e.message}`));
    await this.appending;
  }
}
