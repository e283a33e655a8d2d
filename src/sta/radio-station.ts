/**
 * The radio half of `wpsd sta` (driver=sim): SCAN with the WPS Probe Request
 * element and the BSS table, the WPS operations WPS_PIN / WPS_PBC / WPS_REG /
 * WPS_CANCEL over src/sta/wireless enroll(), and what wpa_supplicant does
 * with a received credential (wpa_supplicant_wps_cred): WPS-CRED-RECEIVED
 * (with the Credential attribute in hex for wps_cred_processing 1 and 2), a
 * network block unless wps_cred_processing=1 (saved when update_config=1),
 * then Open System authentication and association with that network.
 *
 * A PSK network runs the 4-way handshake after association (wpa-link.ts):
 * CTRL-EVENT-CONNECTED and wpa_state=COMPLETED come only when it completed;
 * an AP that drops the station during the handshake gets wpa_supplicant's
 * "WPA: 4-Way Handshake failed - pre-shared key may be incorrect" and
 * CTRL-EVENT-SSID-TEMP-DISABLED ... reason=WRONG_KEY. SELECT_NETWORK connects
 * to the selected network.
 *
 * After start(), the station connects by itself as wpa_supplicant does: at
 * start and after every disconnection it did not cause for an operation,
 * it scans and associates with an enabled network (highest priority
 * first), and while none is found it scans again every AUTO_SCAN_INTERVAL_MS.
 * BSS selection applies wpa_supplicant's PMF rules for a driver without
 * BIP (pmf.ts).
 */
import { eventText } from '../ctrl/event-names.js';
import { type Logger, silentLogger } from '../common/log.js';
import { KeyMgmt, printfEncode } from '../conf/values.js';
import { DriverError, type DriverEvent, type ScanResult, type StationDriver } from '../radio/driver.js';
import { ReasonCode } from '../radio/frame.js';
import { macToBytes, type MacAddress } from '../radio/mac.js';
import { buildElements, ElementId, findElement, findVendorElements } from '../radio/elements.js';
import { MULTI_AP_VENDOR_TYPE } from '../radio/multi-ap-ie.js';
import { rsnElement, wpa2PersonalRsn } from '../radio/rsn-ie.js';
import { pmkFromPassphrase } from '../radio/wpa/crypto.js';
import type { SupplicantState } from '../radio/wpa/supplicant.js';
import { randomBytes } from 'node:crypto';
import { StationWpaLink, type LinkOutcome } from './wpa-link.js';
import { authFailedDuration, tempDisabledLine, PSK_MISMATCH_LINE } from './auth-failures.js';
import { AttributeType, attrBytes, encodeAttributes } from '../wps/attributes.js';
import { encodeCredential, type Credential } from '../wps/credential.js';
import type { Rng } from '../wps/crypto.js';
import { formatUuid, type DeviceInfo } from '../wps/device.js';
import type { WpsEvent } from '../wps/events.js';
import { AuthType, DevicePasswordId, EncrType, RequestType } from '../wps/values.js';
import { nfcDevicePassword } from '../wps/nfc/oob-device-password.js';
import { NfcPasswordTokens } from '../wps/nfc/password-tokens.js';
import { wpsFailLine } from '../er/events.js';
import { BssTable, type BssEntry } from './bss-table.js';
import type { WpaSupplicantConfig } from './config.js';
import { WPA_PROTO_RSN, type NetworkBlock } from './config-network.js';
import { CredentialNetworkError, networkFromCredential } from './cred-network.js';
import { duplicateNetworks } from './wps-dup-network.js';
import type { NetworkTable } from './network-table.js';
import * as ev from './radio-events.js';
import { enroll, type EnrollEvent, type EnrollMethod, type EnrollResult } from './wireless/enroll.js';
import { backhaulStaElement, checkBackhaulAssocResponse } from './wireless/multi-ap-sta.js';
import { buildProbeRequestWpsElements } from './wireless/probe-ie.js';
import { wpsApAvailableEvent } from './wireless/scan-flags.js';
import { sleep } from '../common/sleep.js';
import { pmfSkipReason } from './pmf.js';
import { WpsdError } from '../common/errors.js';

/** The 2.4 GHz channels a scan visits unless told otherwise. */
export const DEFAULT_SCAN_CHANNELS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
/** Listen time per channel (ms); the sim medium answers Probe Requests at once. */
export const DEFAULT_STA_SCAN_DWELL_MS = 60;
/** Scans made to find the network a credential described before giving up. */
export const CONNECT_SCAN_ATTEMPTS = 3;
/** wpa_supplicant's scan_interval default (s): the next scan while no enabled network was found. */
export const AUTO_SCAN_INTERVAL_MS = 5_000;
/** Pause after the WPS run's deauthentication before associating with the new network. */
export const CONNECT_AFTER_WPS_DELAY_MS = 100;
/** Tries when the radio is busy (a scan under way) before a step is given up. */
const BUSY_RETRIES = 20;
const BUSY_RETRY_MS = 50;

/** wpa_supplicant_state_txt() names this station can be in. */
export type WpaState = 'DISCONNECTED' | 'INACTIVE' | 'SCANNING' | 'ASSOCIATING' | 'ASSOCIATED' | '4WAY_HANDSHAKE' | 'GROUP_HANDSHAKE' | 'COMPLETED';

export class RadioStationError extends WpsdError<'BAD_PIN' | 'STOPPED'> {}

export interface RadioStationOptions {
  driver: StationDriver;
  /** Our WPS device (UUID-E, names, config methods); macAddress is the radio's. */
  device: DeviceInfo;
  config: Pick<WpaSupplicantConfig, 'wpsCredProcessing' | 'updateConfig' | 'pmf'>;
  table: NetworkTable;
  /** Events to monitors (level, text). */
  emit: (level: number, text: string) => void;
  /** Writes the configuration file (update_config=1 checked by the caller's SAVE_CONFIG logic); false on failure. */
  saveConfig: () => Promise<boolean>;
  channels?: readonly number[];
  scanDwellMs?: number;
  walkTimeMs?: number;
  retryDelayMs?: number;
  eapolStartIntervalMs?: number;
  connectDelayMs?: number;
  /** How long the AP has to complete the 4-way handshake after association (wpa_supplicant: 10 s). */
  handshakeTimeoutMs?: number;
  /** The NFC tokens this device's Registrar read (wps_nfc_tag_read): WPS_REG <bssid> nfc-pw uses the AP's. */
  nfcTokens?: NfcPasswordTokens;
  rng?: Rng;
  logger?: Logger;
}

/** WPS_REG's "PIN" that means: the AP's NFC password token read before (wpa_supplicant eap_wsc "nfc-pw"). */
export const NFC_PW_PIN = 'nfc-pw';

interface Connection {
  bssid: MacAddress;
  freq: number;
  networkId: number;
}

interface Operation {
  kind: 'wps' | 'connect';
  abort: AbortController;
  done: Promise<void>;
}


/** The Credential attribute (type, length, value) as WPS-CRED-RECEIVED shows it. */
export function credentialAttributeHex(cred: Credential): string {
  return encodeAttributes([attrBytes(AttributeType.Credential, encodeCredential(cred))]).toString('hex');
}

/**
 * wps_sta_cred_cb(): AP settings a station Registrar learned or set may list
 * several types; the station keeps one (WPA2-PSK before WPA-PSK, AES before TKIP).
 */
export function singleTypeCredential(c: Credential): Credential {
  let authType = c.authType;
  if ((authType & AuthType.Wpa2Psk) !== 0) authType = AuthType.Wpa2Psk;
  else if ((authType & AuthType.WpaPsk) !== 0) authType = AuthType.WpaPsk;
  let encrType = c.encrType;
  if ((encrType & EncrType.Aes) !== 0) encrType = EncrType.Aes;
  else if ((encrType & EncrType.Tkip) !== 0) encrType = EncrType.Tkip;
  return { ...c, authType, encrType };
}

export class RadioStation {
  readonly bss: BssTable;
  private state: WpaState = 'DISCONNECTED';
  private scanning = false;
  private scanDone: Promise<unknown> = Promise.resolve();
  private op: Operation | undefined;
  private current: Connection | undefined;
  private saving: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private link: StationWpaLink | undefined;
  /** Networks temporarily disabled after failed authentications (wpas_auth_failed): id -> count and end. */
  private readonly authFailures = new Map<number, { count: number; until: number }>();
  private readonly log: Logger;
  private readonly unsubscribe: () => void;
  /** start() was called: connect to enabled networks by itself. */
  private autoConnect = false;
  private cancelRescan: (() => void) | undefined;

  constructor(private readonly o: RadioStationOptions) {
    this.log = o.logger ?? silentLogger;
    this.bss = new BssTable();
    this.unsubscribe = o.driver.onEvent((e) => this.onDriverEvent(e));
  }

  get address(): MacAddress {
    return this.o.driver.address;
  }

  get wpaState(): WpaState {
    return this.state;
  }

  /** True while a WPS operation runs. */
  get wpsActive(): boolean {
    return this.op?.kind === 'wps';
  }

  private emit(text: string): void {
    try {
      this.o.emit(ev.STA_EVENT_LEVEL, text);
    } catch (e) {
      this.log.error(`event listener failed: ${(e as Error).message}`);
    }
  }

  /**
   * Connects to the configured networks from now on, as wpa_supplicant does
   * from its start: now, after a disconnection, and by rescanning while
   * no enabled network has been found.
   */
  start(): void {
    if (this.stopped || this.autoConnect) return;
    this.autoConnect = true;
    this.requestConnect();
  }

  /** The enabled networks a connection may use now, highest priority first (then in file order). */
  private connectableNetworks(): number[] {
    return this.o.table
      .list()
      .filter((n) => n.disabled === 0 && n.ssid !== undefined && !this.tempDisabled(n.id))
      .sort((a, b) => b.priority - a.priority)
      .map((n) => n.id);
  }

  /** wpa_supplicant_req_scan for a connection: unless something else holds the radio or the station is connected. */
  private requestConnect(): void {
    this.cancelRescan?.();
    this.cancelRescan = undefined;
    if (!this.autoConnect || this.stopped || this.op !== undefined || this.current !== undefined) return;
    if (this.o.table.list().every((n) => n.disabled !== 0)) {
      this.log.debug('No enabled networks - do not scan');
      return;
    }
    this.startOperation('connect', 'connection attempt', async (signal) => {
      await this.scanWhenFree(signal);
      const ids = this.connectableNetworks();
      if (ids.length > 0) await this.associate(ids, '', signal, 0);
    });
  }

  /**
   * After an operation that nothing replaced: a WPS run (ended, failed or
   * cancelled) hands the radio back to the configured networks, as
   * wpas_wps_reenable_networks does; a failed connection scans again later.
   */
  private afterOperation(op: Operation): void {
    if (!this.autoConnect || this.stopped || this.op !== undefined || this.current !== undefined) return;
    if (op.kind === 'wps') this.requestConnect();
    else this.scheduleRescan();
  }

  private scheduleRescan(): void {
    this.cancelRescan?.();
    const t = setTimeout(() => {
      if (this.cancelRescan === cancel) this.cancelRescan = undefined;
      this.requestConnect();
    }, AUTO_SCAN_INTERVAL_MS);
    const cancel = (): void => clearTimeout(t);
    this.cancelRescan = cancel;
  }

  /** SCAN: 'OK' when a scan was started, 'FAIL-BUSY' while one (or a WPS operation) runs. */
  scan(): 'OK' | 'FAIL-BUSY' {
    if (this.scanning || this.op !== undefined || this.stopped) return 'FAIL-BUSY';
    this.scanDone = this.runScan().catch((e: unknown) => this.log.error(`scan failed: ${(e as Error).message}`));
    return 'OK';
  }

  /** One scan: SCAN-STARTED, the BSS table updated, SCAN-RESULTS and the WPS-AP-AVAILABLE event. */
  private async runScan(): Promise<ScanResult[] | undefined> {
    this.scanning = true;
    const before = this.state;
    if (this.current === undefined) this.state = 'SCANNING';
    this.emit(ev.SCAN_STARTED);
    try {
      const elements = buildProbeRequestWpsElements({ device: this.o.device, requestType: RequestType.EnrolleeInfo, devicePasswordId: DevicePasswordId.Default });
      const results = await this.o.driver.scan({ channels: [...(this.o.channels ?? DEFAULT_SCAN_CHANNELS)], dwellMs: this.o.scanDwellMs ?? DEFAULT_STA_SCAN_DWELL_MS, elements });
      this.bss.update(results);
      this.emit(ev.SCAN_RESULTS);
      // wpas_wps_notify_scan_results: the bare event.
      const available = wpsApAvailableEvent(results, this.address);
      if (available !== undefined) this.emit(eventText(available));
      return results;
    } catch (e) {
      if (!(e instanceof DriverError)) throw e;
      this.log.info(`scan failed: ${e.message}`);
      this.emit(`${ev.SCAN_FAILED}ret=${e.code === 'BUSY' ? -16 : -1}`);
      return undefined;
    } finally {
      this.scanning = false;
      if (this.state === 'SCANNING') this.state = before === 'SCANNING' ? 'DISCONNECTED' : before;
    }
  }

  /** WPS_PBC [BSSID] [multi_ap=1]: with multiAp, onboarding as a Multi-AP backhaul STA (README-MULTI-AP). */
  startPbc(bssid?: MacAddress, multiAp = false): void {
    this.startWps(bssid === undefined ? { kind: 'pbc' } : { kind: 'pbc', bssid }, multiAp);
  }

  /** WPS_PIN: starts PIN enrollment with `pin` (4 or 8 digits); throws RadioStationError for a bad PIN. */
  startPin(pin: string, bssid?: MacAddress): void {
    if (!/^(\d{4}|\d{8})$/.test(pin)) throw new RadioStationError('BAD_PIN', 'a PIN is 4 or 8 digits');
    this.startWps(bssid === undefined ? { kind: 'pin', pin } : { kind: 'pin', pin, bssid });
    this.emit(ev.WPS_PIN_ACTIVE);
  }

  /** WPS_NFC: enrollment with this device's NFC password token (its password as device password, its DH key in M1). */
  startNfc(t: { devPwId: number; devPw: Buffer; dhPrivkey: Buffer }, bssid?: MacAddress): void {
    const method: EnrollMethod = { kind: 'pin', pin: nfcDevicePassword(t.devPw).toString('latin1'), devicePasswordId: t.devPwId, dhPrivateKey: t.dhPrivkey };
    if (bssid !== undefined) method.bssid = bssid;
    this.startWps(method);
  }

  /**
   * NFC_REPORT_HANDOVER INIT WPS (wpas_wps_nfc_rx_handover_sel): the
   * abbreviated handshake with the Registrar of a handover select: Device
   * Password ID 0x0007, no device password, our handover request's DH key in
   * M1, and M2's key checked against the select's public key hash.
   */
  startHandover(sel: { publicKeyHash: Buffer; ssid: Buffer; bssid?: MacAddress }, dhPrivkey: Buffer): void {
    const method: EnrollMethod = {
      kind: 'pin',
      pin: '',
      devicePasswordId: DevicePasswordId.NfcConnectionHandover,
      dhPrivateKey: dhPrivkey,
      peerPublicKeyHash: sel.publicKeyHash,
      ssid: sel.ssid,
    };
    if (sel.bssid !== undefined) method.bssid = sel.bssid;
    this.startWps(method);
  }

  /**
   * WPS_NFC_TAG_READ of a configuration token (wpas_wps_use_cred): each
   * Credential is processed as one received in M8, then the station connects.
   */
  useCredentials(creds: readonly Credential[], bssid?: MacAddress): void {
    if (this.stopped) throw new RadioStationError('STOPPED', 'the station is stopping');
    const added: number[] = [];
    for (const c of creds) this.processCredential(c, credentialAttributeHex(c), added);
    if (added.length === 0) return;
    this.startOperation('connect', 'connection attempt', async (signal) => {
      await this.disconnectCurrent();
      await this.saving;
      await this.associate(added, bssid ?? '', signal);
    });
  }

  /** WPS_REG: as Registrar with the AP PIN; learn the AP's settings, or configure `settings`. */
  startReg(bssid: MacAddress, apPin: string, settings?: Credential): void {
    const nfcPw = apPin === NFC_PW_PIN;
    if (!nfcPw && !/^\d{4,8}$/.test(apPin)) throw new RadioStationError('BAD_PIN', 'an AP PIN is 4 to 8 digits');
    const method: EnrollMethod = { kind: 'registrar', bssid, pin: apPin, apSettings: settings === undefined ? { mode: 'learn' } : { mode: 'configure', settings } };
    if (nfcPw) method.nfcTokens = this.o.nfcTokens ?? new NfcPasswordTokens();
    this.startWps(method);
  }

  /** WPS_CANCEL: stops the WPS operation (WPS-CANCEL) and waits until it has let go of the radio. */
  async cancel(): Promise<void> {
    this.emit(ev.WPS_CANCEL);
    const op = this.op;
    if (op?.kind !== 'wps') return;
    op.abort.abort();
    await op.done;
  }

  /** Resolves when the running WPS operation (if any) is over. */
  async settled(): Promise<void> {
    await this.op?.done;
    await this.saving;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelRescan?.();
    this.cancelRescan = undefined;
    const op = this.op;
    op?.abort.abort();
    await op?.done;
    await this.scanDone;
    await this.saving;
    await this.disconnectCurrent();
    this.unsubscribe();
  }

  /** STATUS, as far as the values exist here. */
  status(): string {
    let s = '';
    const c = this.current;
    const net = c === undefined ? undefined : this.o.table.network(c.networkId);
    if (c !== undefined) {
      s += `bssid=${c.bssid}\nfreq=${c.freq}\n`;
      if (net !== undefined) {
        s += `ssid=${printfEncode(net.ssid ?? Buffer.alloc(0))}\nid=${net.id}\n`;
        if (net.idStr !== undefined) s += `id_str=${net.idStr.toString('utf8')}\n`;
        s += 'mode=station\n';
        const psk = (net.keyMgmt & KeyMgmt.PSK) !== 0;
        const cipher = psk ? 'CCMP' : 'NONE';
        s += `pairwise_cipher=${cipher}\ngroup_cipher=${cipher}\nkey_mgmt=${psk ? ((net.proto & WPA_PROTO_RSN) !== 0 ? 'WPA2-PSK' : 'WPA-PSK') : 'NONE'}\n`;
      }
    }
    s += `wpa_state=${this.state}\naddress=${this.address}\nuuid=${formatUuid(this.o.device.uuid)}\n`;
    return s;
  }

  private startWps(method: EnrollMethod, multiAp = false): void {
    this.startOperation('wps', 'WPS operation', (signal) => this.runWps(method, multiAp, signal));
  }

  /** Runs `run` as the station's one operation: wpas_clear_wps, a new operation replaces (aborts, then waits for) the running one. */
  private startOperation(kind: Operation['kind'], what: string, run: (signal: AbortSignal) => Promise<void>): void {
    if (this.stopped) throw new RadioStationError('STOPPED', 'the station is stopping');
    const prev = this.op;
    prev?.abort.abort();
    const abort = new AbortController();
    const op: Operation = { kind, abort, done: Promise.resolve() };
    op.done = (async () => {
      await prev?.done;
      try {
        await run(abort.signal);
      } catch (e) {
        this.log.error(`${what} failed: ${(e as Error).message}`);
      } finally {
        if (this.op === op) this.op = undefined;
        if (this.current === undefined && this.state !== 'SCANNING') this.state = 'DISCONNECTED';
        this.afterOperation(op);
      }
    })();
    this.op = op;
  }

  private async runWps(method: EnrollMethod, multiAp: boolean, signal: AbortSignal): Promise<void> {
    await this.disconnectCurrent();
    if (signal.aborted) return;
    this.state = 'SCANNING';
    const added: number[] = [];
    const res: EnrollResult = await enroll({
      driver: this.o.driver,
      device: this.o.device,
      method,
      channels: [...(this.o.channels ?? DEFAULT_SCAN_CHANNELS)],
      scanDwellMs: this.o.scanDwellMs ?? DEFAULT_STA_SCAN_DWELL_MS,
      ...(this.o.walkTimeMs !== undefined ? { walkTimeMs: this.o.walkTimeMs } : {}),
      ...(this.o.retryDelayMs !== undefined ? { retryDelayMs: this.o.retryDelayMs } : {}),
      ...(this.o.eapolStartIntervalMs !== undefined ? { eapolStartIntervalMs: this.o.eapolStartIntervalMs } : {}),
      ...(this.o.rng !== undefined ? { rng: this.o.rng } : {}),
      multiApBackhaulSta: multiAp,
      signal,
      logger: this.log,
      onEvent: (e) => this.onEnrollEvent(e, method, added, multiAp),
    });
    this.state = 'DISCONNECTED';
    if (!res.ok) {
      if (res.reason === 'driver-error') this.log.info(`WPS: radio error: ${res.error.message}`);
      else this.log.debug(`WPS: operation ended: ${res.reason}`);
      return;
    }
    await this.saving;
    if (added.length === 0 || signal.aborted) return;
    await sleep(this.o.connectDelayMs ?? CONNECT_AFTER_WPS_DELAY_MS, signal);
    await this.associate(added, res.bssid, signal);
  }

  private onEnrollEvent(e: EnrollEvent, method: EnrollMethod, added: number[], multiAp: boolean): void {
    switch (e.type) {
      case 'scan-results':
        this.bss.update(e.results);
        this.emit(ev.SCAN_RESULTS);
        return;
      case 'overlap':
        this.emit(ev.WPS_OVERLAP);
        return;
      case 'associating': {
        this.state = 'ASSOCIATING';
        const b = this.bss.byBssid(e.bssid);
        if (b !== undefined) this.emit(ev.tryingToAssociateLine(b.bssid, b.ssid, b.freq));
        return;
      }
      case 'association-failed':
        this.log.info(`WPS: association with ${e.bssid} failed: ${e.reason}`);
        return;
      case 'disconnected':
        this.state = 'SCANNING';
        return;
      case 'timeout':
        this.emit(ev.WPS_TIMEOUT);
        return;
      case 'wps':
        this.onWpsEvent(e.event, method, added, multiAp);
        return;
    }
  }

  private onWpsEvent(event: WpsEvent, method: EnrollMethod, added: number[], multiAp: boolean): void {
    switch (event.type) {
      case 'm2d':
        this.emit(ev.m2dLine(event.devicePasswordId ?? 0, event.configError));
        return;
      case 'fail':
        this.emit(wpsFailLine(event).text);
        return;
      case 'cred-received':
        this.processCredential(event.credential, event.attribute.toString('hex'), added, multiAp);
        return;
      case 'er-ap-settings':
        // wps_reg without new settings: the AP's current settings are used as a received credential (wps_sta_cred_cb).
        if (method.kind === 'registrar' && method.apSettings.mode === 'learn') {
          const cred = singleTypeCredential(event.settings);
          this.processCredential(cred, credentialAttributeHex(cred), added);
        }
        return;
      case 'success':
        if (method.kind === 'registrar' && method.apSettings.mode === 'configure') {
          const cred = singleTypeCredential(method.apSettings.settings);
          this.processCredential(cred, credentialAttributeHex(cred), added);
        }
        this.emit(ev.WPS_SUCCESS);
        return;
      default:
        return;
    }
  }

  /** wpa_supplicant_wps_cred(); a Multi-AP run's network is a backhaul STA network (its WPS network block carried the flag). */
  private processCredential(cred: Credential, attributeHex: string, added: number[], multiAp = false): void {
    const processing = this.o.config.wpsCredProcessing;
    this.emit(ev.credReceivedLine(processing === 1 || processing === 2 ? attributeHex : undefined));
    if (processing === 1) return;
    let id: number;
    try {
      const net = networkFromCredential(cred, 0);
      if (multiAp) net.multiApBackhaulSta = 1;
      id = this.o.table.addNetwork(net);
    } catch (e) {
      if (e instanceof CredentialNetworkError) return this.log.info(`WPS: ignored credential: ${e.message}`);
      throw e;
    }
    this.emit(ev.networkAddedLine(id));
    const fresh = this.o.table.network(id);
    if (fresh !== undefined) {
      for (const dup of duplicateNetworks(this.o.table.list(), fresh, new Set(added))) {
        this.o.table.remove(dup);
        this.emit(ev.networkRemovedLine(dup));
        const i = added.indexOf(dup);
        if (i >= 0) added.splice(i, 1);
      }
    }
    added.push(id);
    if (this.o.config.updateConfig !== 0) {
      this.saving = this.saving.then(() => this.o.saveConfig()).catch((e: unknown) => this.log.info(`WPS: configuration not saved: ${(e as Error).message}`));
    }
  }

  /** Finds a BSS of one of `ids` (scanning up to `rescans` times when needed) and associates with it; true once connected. */
  private async associate(ids: readonly number[], preferred: MacAddress, signal: AbortSignal, rescans = CONNECT_SCAN_ATTEMPTS): Promise<boolean> {
    for (let scans = 0; scans <= rescans && !signal.aborted; scans++) {
      for (const id of ids) {
        const net = this.o.table.network(id);
        if (net === undefined || net.disabled !== 0 || net.ssid === undefined || this.tempDisabled(id)) continue;
        const candidates = this.matchingBss(net);
        const bss = candidates.find((b) => b.bssid === preferred) ?? candidates[0];
        if (bss === undefined) continue;
        if (await this.connectTo(net, bss, signal)) return true;
      }
      if (scans < rescans && !signal.aborted) await this.scanWhenFree(signal);
    }
    this.log.info(`no BSS of network${ids.length === 1 ? '' : 's'} ${ids.join(',')} answered; staying disconnected`);
    return false;
  }

  /** The BSSes of `net`'s SSID that wpa_scan_res_match() would accept; each PMF refusal logged as wpa_supplicant does. */
  private matchingBss(net: NetworkBlock): BssEntry[] {
    const ssid = net.ssid ?? Buffer.alloc(0);
    return this.bss.list().filter((b) => {
      if (!Buffer.from(b.ssid).equals(ssid)) return false;
      const skip = pmfSkipReason(net, this.o.config.pmf, b.beaconElements ?? b.elements);
      if (skip === undefined) return true;
      this.log.debug(`${b.id}: ${b.bssid} ssid='${printfEncode(b.ssid)}'`);
      this.log.debug(skip);
      return false;
    });
  }

  private async scanWhenFree(signal: AbortSignal): Promise<void> {
    for (let i = 0; i < BUSY_RETRIES && !signal.aborted; i++) {
      if (!this.scanning) {
        await this.runScan();
        return;
      }
      await sleep(BUSY_RETRY_MS, signal);
    }
  }

  private async connectTo(net: NetworkBlock, bss: BssEntry, signal: AbortSignal): Promise<boolean> {
    const psk = (net.keyMgmt & KeyMgmt.PSK) !== 0;
    for (let i = 0; i < BUSY_RETRIES && !signal.aborted; i++) {
      this.state = 'ASSOCIATING';
      this.emit(ev.tryingToAssociateLine(bss.bssid, bss.ssid, bss.freq));
      try {
        const backhaul = net.multiApBackhaulSta === 1;
        const elements = psk ? [rsnElement(wpa2PersonalRsn())] : [];
        if (backhaul) elements.push(backhaulStaElement());
        const r = await this.o.driver.connect({ bssid: bss.bssid, ssid: bss.ssid, channel: bss.channel, elements, ...(backhaul ? { fourAddr: true } : {}) });
        if (!r.ok) {
          this.log.info(`association with ${bss.bssid} failed: ${r.reason}`);
          this.state = 'DISCONNECTED';
          return false;
        }
        if (backhaul) {
          // multi_ap_backhaul_sta=1: no Multi-AP element from a backhaul BSS in the response fails the association.
          const el = findVendorElements(r.elements, MULTI_AP_VENDOR_TYPE)[0];
          this.log.debug(`Multi-AP: (Re)Association Response element ${el === undefined ? 'absent' : Buffer.from(buildElements([el])).toString('hex')}`);
          const v = checkBackhaulAssocResponse(r.elements, false);
          if (!v.ok) {
            this.log.info(v.why);
            await this.o.driver.disconnect(ReasonCode.DEAUTH_LEAVING).catch(() => undefined);
            this.state = 'DISCONNECTED';
            return false;
          }
        }
      } catch (e) {
        if (!(e instanceof DriverError)) throw e;
        if (e.code !== 'BUSY') {
          this.log.info(`association with ${bss.bssid} failed: ${e.message}`);
          this.state = 'DISCONNECTED';
          return false;
        }
        await sleep(BUSY_RETRY_MS, signal);
        continue;
      }
      if (signal.aborted) {
        await this.o.driver.disconnect(ReasonCode.DEAUTH_LEAVING).catch(() => undefined);
        return false;
      }
      this.current = { bssid: bss.bssid, freq: bss.freq, networkId: net.id };
      this.o.table.currentId = net.id;
      if (psk) {
        this.state = 'ASSOCIATED';
        if (!(await this.handshake(net, bss))) return false;
      } else {
        // An open network has no handshake: the port opens with the association (wpa_supplicant set_supp_port).
        await this.o.driver.setPortAuthorized(true).catch((e: Error) => this.log.debug(`cannot open the port: ${e.message}`));
      }
      this.state = 'COMPLETED';
      this.authFailures.delete(net.id);
      this.emit(ev.connectedLine(bss.bssid, net.id, net.idStr?.toString('utf8') ?? ''));
      return true;
    }
    return false;
  }

  /**
   * The 4-way handshake on the association just made; false when it did not
   * complete (the association is then over).
   */
  private async handshake(net: NetworkBlock, bss: BssEntry): Promise<boolean> {
    const apRsn = findElement(bss.elements, ElementId.RSN) ?? (bss.beaconElements !== undefined ? findElement(bss.beaconElements, ElementId.RSN) : undefined);
    const ssid = net.ssid ?? Buffer.alloc(0);
    const pmk = net.psk ?? (net.passphrase !== undefined ? pmkFromPassphrase(net.passphrase.toString('latin1'), ssid) : undefined);
    if (apRsn === undefined || pmk === undefined) {
      this.log.info(`WPA: ${apRsn === undefined ? `no RSN element from ${bss.bssid}` : 'the network has no PSK'}; not connecting`);
      await this.o.driver.disconnect(ReasonCode.DEAUTH_LEAVING).catch(() => undefined);
      return false;
    }
    const link = new StationWpaLink({
      driver: this.o.driver,
      bssid: bss.bssid,
      pmk,
      ownRsnElement: buildElements([rsnElement(wpa2PersonalRsn())]),
      apRsnElement: buildElements([apRsn]),
      random: this.o.rng ?? randomBytes,
      emit: (line) => this.emit(line),
      ...(this.o.handshakeTimeoutMs !== undefined ? { timeoutMs: this.o.handshakeTimeoutMs } : {}),
      // Also a later 4-way handshake (the AP rekeying the PTK) shows in wpa_state.
      onState: (st: SupplicantState) => {
        if (this.link === link && st !== 'DISCONNECTED') this.state = st;
      },
      logger: this.log,
    });
    this.link = link;
    const outcome: LinkOutcome = await link.done;
    if (outcome.result === 'completed') return true;
    if (this.link === link) this.link = undefined;
    link.close();
    if (outcome.result === 'timeout') {
      // wpa_supplicant_timeout: the line, the deauthentication, then the network is left alone for a while.
      this.emit(`Authentication with ${bss.bssid} timed out.`);
      await this.o.driver.disconnect(ReasonCode.DEAUTH_LEAVING).catch(() => undefined);
      this.authFailed(net, 'AUTH_FAILED');
    }
    // could_be_psk_mismatch: lost during the initial 4-way handshake, not for a mismatching RSN element of ours.
    const mismatch = outcome.result === 'disconnected' && outcome.during === '4WAY_HANDSHAKE' && !(outcome.locallyGenerated && outcome.reason === ReasonCode.IE_IN_4WAY_DIFFERS);
    if (mismatch) {
      this.emit(PSK_MISMATCH_LINE);
      this.authFailed(net, 'WRONG_KEY');
    }
    if (this.state !== 'DISCONNECTED') this.state = 'DISCONNECTED';
    return false;
  }

  /** wpas_auth_failed: the network is left alone for a while, longer after each failure. */
  private authFailed(net: NetworkBlock, reason: string): void {
    const prev = this.authFailures.get(net.id);
    const count = (prev?.count ?? 0) + 1;
    const rand = (this.o.rng ?? randomBytes)(4);
    const dur = authFailedDuration(count, Buffer.from(rand).readUInt32BE(0));
    this.authFailures.set(net.id, { count, until: Date.now() + dur * 1000 });
    this.emit(tempDisabledLine(net.id, net.ssid ?? Buffer.alloc(0), count, dur, reason));
  }

  /** True while `id` is temporarily disabled after authentication failures. */
  private tempDisabled(id: number): boolean {
    const f = this.authFailures.get(id);
    return f !== undefined && f.until > Date.now();
  }

  /** SELECT_NETWORK: connect to `id` (scanning for it first), replacing any WPS operation or connection. */
  selectNetwork(id: number): void {
    if (this.stopped) return;
    // A user's selection clears the temporary disabling (wpas_clear_temp_disabled).
    this.authFailures.delete(id);
    this.startOperation('connect', 'connection attempt', async (signal) => {
      await this.disconnectCurrent();
      if (signal.aborted) return;
      await this.scanWhenFree(signal);
      await this.associate([id], '', signal);
    });
  }

  /**
   * REMOVE_NETWORK took `ids` away: the connection to one of them ends with a
   * Deauthentication (reason 3, DEAUTH_LEAVING), as wpa_supplicant's
   * wpa_supplicant_remove_network does; CTRL-EVENT-DISCONNECTED follows from the driver.
   */
  networksRemoved(ids: readonly number[]): void {
    const c = this.current;
    if (this.stopped || c === undefined || !ids.includes(c.networkId)) return;
    this.disconnectCurrent().catch((e: Error) => this.log.debug(`remove_network: disconnect failed: ${e.message}`));
  }

  private async disconnectCurrent(): Promise<void> {
    if (this.current === undefined) return;
    // The driver's 'disconnected' event reports it (CTRL-EVENT-DISCONNECTED ... locally_generated=1).
    await this.o.driver.disconnect(ReasonCode.DEAUTH_LEAVING).catch(() => undefined);
  }

  private onDriverEvent(e: DriverEvent): void {
    if (e.type !== 'disconnected') return;
    const c = this.current;
    if (c === undefined || c.bssid !== e.bssid) return;
    this.current = undefined;
    const link = this.link;
    this.link = undefined;
    // The link settles first (its own listener), so that the handshake's outcome sees this disconnection.
    queueMicrotask(() => link?.close());
    if (this.o.table.currentId === c.networkId) this.o.table.currentId = undefined;
    if (this.state === 'COMPLETED') this.state = 'DISCONNECTED';
    this.emit(ev.disconnectedLine(e.bssid, e.reason, e.locallyGenerated));
    // Not during an operation (WPS, SELECT_NETWORK): it connects where it wants to when it is done.
    this.requestConnect();
  }
}

/** The Enrollee's own address as bytes, for credentials a station Registrar builds. */
export function macBytes(mac: MacAddress): Buffer {
  return Buffer.from(macToBytes(mac));
}
