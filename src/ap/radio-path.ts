/**
 * WPS over the radio for one BSS of `wpsd ap` (driver=sim / nl80211), as
 * hostapd's wps_hostapd.c ties the internal Registrar, the EAP server and
 * the UPnP proxy to a BSS:
 *
 * - the Beacon / Probe Response WPS element (src/ap/wireless WpsBss) follows
 *   the internal Registrar (wps_pin / wps_pbc / wps_cancel) and the ERs'
 *   SetSelectedRegistrar, which lapses after its timeout;
 * - stations associate and run EAP-WSC with the internal Registrar, or with
 *   an External Registrar through the proxy: Probe Requests with a WPS
 *   element become WLANEvent type 1 (rate-limited per Enrollee), Enrollee
 *   messages WLANEvent type 2, and PutWLANResponse goes back to the station
 *   with that MAC address;
 * - the control events hostapd sends: WPS-ENROLLEE-SEEN (monitors only),
 *   WPS-PIN-NEEDED (and the wps_pin_requests file), WPS-REG-SUCCESS,
 *   WPS-SUCCESS, WPS-FAIL, WPS-PBC-ACTIVE, WPS-PBC-DISABLE,
 *   WPS-OVERLAP-DETECTED, WPS-TIMEOUT;
 * - the control commands WPS_PIN, WPS_PBC, WPS_CANCEL (wps-commands.ts).
 *
 * The BSS side (control socket, UPnP device, AP PIN, lockout, settings) is
 * ApBss; this class needs only the part of it named in RadioPathBss.
 *
 * API:
 *   RadioPath.start(opts): Promise<RadioPath>   .stop(): Promise<void>
 *   .addPin(pin, { uuid?, timeoutSec?, enrolleeMac? }) / .pushButton() / .cancel()
 *   .wps (the WpsBss)   .flush()   (pending wps_pin_requests appends)
 */
import { type Logger, silentLogger } from '../common/log.js';
import { MSG_INFO } from '../ctrl/monitors.js';
import type { CtrlServer } from '../ctrl/server.js';
import type { ApDriver, DriverEvent } from '../radio/driver.js';
import { ElementId, findElement, type Element } from '../radio/elements.js';
import { macFromBytes, macToBytes, type MacAddress } from '../radio/mac.js';
import { rsnElement, wpa2PersonalRsn } from '../radio/rsn-ie.js';
import { joinWpsIe, WpsIeError } from '../radio/wps-ie.js';
import type { WlanResponse, WlanResponseResult } from '../proxy/wfa-actions.js';
import type { SelectedRegistrars } from '../proxy/selected-registrar.js';
import { WlanEventProxy } from '../proxy/wlan-proxy.js';
import type { ApPinLockout } from '../wps/ap-pin-lockout.js';
import type { Credential } from '../wps/credential.js';
import { formatDeviceType, formatUuid } from '../wps/device.js';
import type { WpsEvent } from '../wps/events.js';
import { PBC_WALK_TIME_MS } from '../wps/pbc.js';
import { AttributeType } from '../wps/attributes.js';
import { parseMessage } from '../wps/message.js';
import { AuthType, DevicePasswordId, EncrType, MessageType } from '../wps/values.js';
import type { BssState } from './bss.js';
import type { HostapdBssConfig, HostapdConfig } from './config.js';
import { failLine, wpsEventLine, WPS_EVENT_OVERLAP } from './events.js';
import { PinRequestFile, pinNeededLine, pinRequestFrom, printableField } from './pin-requests.js';
import { parseProbeRequestWps, ProbeRequestWpsError, type ProbeRequestWps } from './wireless/probe-request.js';
import { SELECTED_REGISTRAR_TIMEOUT_MS } from './wireless/selected-registrar.js';
import { WpsBss, type WpsBssEvent } from './wireless/wps-bss.js';
import { registerWpsRadioCommands } from './wps-commands.js';
import { apDeviceInfo } from './wps-device.js';
import { autoConfigSettings, credentialForEnrollee, randomPassphrase, unconfiguredApSecurity } from './enrollee-credential.js';
import type { EnrolleeInfo } from '../wps/registrar.js';
import type { AuthenticatorTuning } from '../radio/wpa/authenticator.js';
import { WpaPath } from './wpa-path.js';


/** Proxied runs remembered at once (one per Enrollee in a run; the oldest is dropped past this). */
const MAX_PROXIED_RUNS = 256;
export const WPS_EVENT_ENROLLEE_SEEN = 'WPS-ENROLLEE-SEEN ';
export const WPS_EVENT_PBC_ACTIVE = 'WPS-PBC-ACTIVE ';
export const WPS_EVENT_PBC_DISABLE = 'WPS-PBC-DISABLE ';
export const WPS_EVENT_TIMEOUT = 'WPS-TIMEOUT ';
/**
 * How often the path looks at state that changes without telling it: the AP
 * PIN lockout (AP Setup Locked in the WPS element) and ERs whose event
 * subscription ended (their selection ends with it, hostapd upnp_er_remove).
 */
export const STATE_WATCH_INTERVAL_MS = 1_000;
/** hostapd waits 100 ms before wps_reload_config so that EAP-WSC can finish. */
export const RELOAD_DELAY_MS = 100;

/** What the radio path uses of the daemon's BSS (ApBss has all of it). */
export interface RadioPathBss {
  readonly iface: string;
  readonly conf: HostapdBssConfig;
  readonly state: BssState;
  readonly apPin: { readonly pin: string | undefined };
  readonly lockout: ApPinLockout;
  readonly ctrl: CtrlServer | undefined;
  readonly device: { readonly subscriberCount: number } | undefined;
  readonly selectedRegistrars: SelectedRegistrars | undefined;
  emit(line: string, secretFrom?: number): void;
  applyNewSettings(cred: Credential): boolean;
  setWlanResponseHandler(handler: ((r: WlanResponse) => WlanResponseResult) | undefined): void;
  onSelectedRegistrarChange(listener: (() => void) | undefined): void;
  onSettingsApplied(listener: (() => void) | undefined): void;
  proxyWlanEvent(type: number, mac: Uint8Array, message: Uint8Array): void;
}

/** Timings, for tests; the defaults are hostapd's. */
export interface RadioPathTuning {
  /** How long an ER's SetSelectedRegistrar keeps the AP selected (hostapd: 120 s). */
  selectedRegistrarTimeoutMs?: number;
  /** PBC mode lasts this long before WPS-TIMEOUT (hostapd WPS_PBC_WALK_TIME, 120 s). */
  pbcWalkTimeMs?: number;
  m2WaitMs?: number;
  externalTimeoutMs?: number;
  retransmitMs?: number;
  maxRetransmissions?: number;
  probeEventIntervalMs?: number;
  /** EAPOL-Key retransmission timings and retry counts (hostapd's by default). */
  wpa?: AuthenticatorTuning;
}

export interface RadioPathOptions {
  bss: RadioPathBss;
  config: HostapdConfig;
  driver: ApDriver;
  logger?: Logger;
  now?: () => number;
  tuning?: RadioPathTuning;
}

export class RadioPathError extends Error {
  readonly code: 'NO_WPS';
  constructor(code: RadioPathError['code'], message: string) {
    super(message);
    this.name = 'RadioPathError';
    this.code = code;
  }
}

/** hostapd_wps_enrollee_seen_cb: only Probe Requests with UUID-E, Primary Device Type, Request Type, Config Methods and Device Password ID. */
export function enrolleeSeenLine(addr: MacAddress, p: ProbeRequestWps): string | undefined {
  if (p.uuidE === undefined || p.primaryDeviceType === undefined || p.requestType === undefined || p.configMethods === undefined || p.devicePasswordId === undefined) return undefined;
  return `${WPS_EVENT_ENROLLEE_SEEN}${addr} ${formatUuid(p.uuidE)} ${formatDeviceType(p.primaryDeviceType)} 0x${p.configMethods.toString(16)} ${p.devicePasswordId} ${p.requestType} [${printableField(p.deviceName ?? '')}]`;
}

interface AppliedSelection {
  expiresAt: number;
  timer: NodeJS.Timeout;
}

export class RadioPath {
  readonly wps: WpsBss;
  /** WPA2-PSK: the stations' 4-way and group key handshakes, wpa_psk_file, per-device PSKs. */
  wpa: WpaPath | undefined;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly tuning: RadioPathTuning;
  private readonly proxy: WlanEventProxy;
  private readonly pinFile: PinRequestFile | undefined;
  private readonly unsubscribe: () => void;
  private readonly applied = new Map<string, AppliedSelection>();
  private readonly commands: string[] = [];
  private syncing = false;
  private resync = false;
  private pbcActive = false;
  private pbcTimer: NodeJS.Timeout | undefined;
  private overlapReported = false;
  private stopped = false;
  private watch: NodeJS.Timeout | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private lastLocked = false;
  /** Unconfigured AP: the random passphrase given to an Enrollee (MAC hex), applied when its run succeeds. */
  private readonly autoConfig = new Map<string, string>();
  /**
   * Enrollees whose run an External Registrar is serving through the proxy:
   * MAC (hex) -> what their M1 said, for WPS-REG-SUCCESS when the run ends.
   */
  private readonly proxiedRuns = new Map<string, { uuid: Buffer; password: 'pin' | 'pbc' }>();

  private constructor(private readonly opts: RadioPathOptions) {
    const bss = opts.bss;
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.tuning = opts.tuning ?? {};
    const uuid = bss.state.uuid;
    if (bss.conf.wpsState === 0 || uuid === undefined) throw new RadioPathError('NO_WPS', `${bss.iface}: WPS is disabled (wps_state=0)`);
    this.pinFile = bss.conf.wpsPinRequests !== undefined ? new PinRequestFile(bss.conf.wpsPinRequests, this.log) : undefined;
    this.proxy = new WlanEventProxy({
      publish: (type, mac, msg) => bss.proxyWlanEvent(type, mac, msg),
      now: this.now,
      ...(this.tuning.probeEventIntervalMs !== undefined ? { probeIntervalMs: this.tuning.probeEventIntervalMs } : {}),
    });
    const device = apDeviceInfo(opts.config, bss.conf, uuid, bss.state.ownAddr);
    const state = bss.state;
    const conf = bss.conf;
    const rsn = (state.wpa & 2) !== 0;
    const baseElements: Element[] = rsn ? [rsnElement(wpa2PersonalRsn())] : [];
    this.wps = new WpsBss({
      driver: opts.driver,
      ssid: state.ssid,
      channel: opts.config.channel !== undefined && opts.config.channel > 0 ? opts.config.channel : 1,
      baseElements,
      rsn,
      ie: {
        // Read at every rebuild: new settings from a Registrar make an unconfigured AP configured.
        get wpsState(): number {
          return state.wpsState === 1 ? 1 : 2;
        },
        apSetupLocked: conf.apSetupLocked === 1,
        device,
      },
      registrarDevice: device,
      credentials: (e) => this.credentialsFor(e),
      multiApBackhaul: (e) => this.backhaulCredentials(e.macAddress),
      ...(conf.multiAp !== 0 ? { multiAp: conf.multiAp } : {}),
      apEnrollee: {
        device,
        apPin: () => bss.apPin.pin,
        settings: () => state.currentCredential(),
        setupLocked: () => (conf.apSetupLocked === 2 ? 'learn-only' : conf.apSetupLocked === 1),
      },
      apPinLockout: bss.lockout,
      external: {
        available: () => (bss.device?.subscriberCount ?? 0) > 0,
        onToExternal: (message, enrollee) => {
          this.noteProxiedM1(enrollee, message);
          this.proxy.eapMessage(macToBytes(enrollee), message);
        },
      },
      ...(this.tuning.m2WaitMs !== undefined ? { m2WaitMs: this.tuning.m2WaitMs } : {}),
      ...(this.tuning.externalTimeoutMs !== undefined ? { externalTimeoutMs: this.tuning.externalTimeoutMs } : {}),
      ...(this.tuning.retransmitMs !== undefined ? { retransmitMs: this.tuning.retransmitMs } : {}),
      ...(this.tuning.maxRetransmissions !== undefined ? { maxRetransmissions: this.tuning.maxRetransmissions } : {}),
      onEvent: (e) => this.onWpsBssEvent(e),
      now: this.now,
      logger: this.log,
    });
    // After WpsBss's own listener, so the PBC session table already holds this probe.
    this.unsubscribe = opts.driver.onEvent((e) => this.onDriverEvent(e));
  }

  static async start(opts: RadioPathOptions): Promise<RadioPath> {
    const p = new RadioPath(opts);
    try {
      // The radio is already beaconing (radio-driver.ts); this puts the WPS element in.
      await p.wps.refresh();
      const bss = opts.bss;
      p.wpa = await WpaPath.start({
        driver: opts.driver,
        mlme: p.wps.mlme,
        state: bss.state,
        conf: bss.conf,
        emit: (line) => bss.emit(line),
        ...(p.tuning.wpa !== undefined ? { tuning: p.tuning.wpa } : {}),
        logger: p.log,
      });
      bss.setWlanResponseHandler((r) => p.deliverWlanResponse(r));
      bss.onSelectedRegistrarChange(() => p.syncSelectedRegistrars());
      bss.onSettingsApplied(() => p.scheduleReload());
      if (bss.ctrl !== undefined) p.commands.push(...registerWpsRadioCommands(bss.ctrl.registry, p, p.log));
      p.syncSelectedRegistrars();
      p.lastLocked = bss.lockout.isLocked();
      p.watch = setInterval(() => p.watchState(), STATE_WATCH_INTERVAL_MS);
      p.watch.unref();
    } catch (e) {
      await p.stop();
      throw e;
    }
    return p;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const bss = this.opts.bss;
    bss.setWlanResponseHandler(undefined);
    bss.onSelectedRegistrarChange(undefined);
    bss.onSettingsApplied(undefined);
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = undefined;
    for (const name of this.commands) bss.ctrl?.registry.unregister(name);
    this.commands.length = 0;
    this.unsubscribe();
    this.wpa?.stop();
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
    for (const a of this.applied.values()) clearTimeout(a.timer);
    this.applied.clear();
    if (this.pbcTimer) clearTimeout(this.pbcTimer);
    this.pbcTimer = undefined;
    await this.wps.close();
    await this.flush();
  }

  private watchState(): void {
    const locked = this.opts.bss.lockout.isLocked();
    if (locked !== this.lastLocked) {
      this.lastLocked = locked;
      this.log.debug(`WPS: AP Setup Locked ${locked ? 'set' : 'cleared'} in the WPS element`);
      void this.wps.refresh();
    }
    this.syncSelectedRegistrars();
  }

  /** Resolves when pending wps_pin_requests appends are written. */
  flush(): Promise<void> {
    return this.pinFile?.flush() ?? Promise.resolve();
  }

  /** WPS_PIN: `uuid` undefined for "any"; `timeoutSec` 0 for none; `enrolleeMac` becomes an Authorized MAC. */
  async addPin(pin: string, o: { uuid?: Buffer; timeoutSec?: number; enrolleeMac?: MacAddress } = {}): Promise<void> {
    const add: Parameters<WpsBss['addPin']>[1] = {};
    if (o.uuid !== undefined) add.uuid = o.uuid;
    if (o.enrolleeMac !== undefined) add.enrolleeMac = o.enrolleeMac;
    if (o.timeoutSec !== undefined && o.timeoutSec > 0) add.timeoutMs = o.timeoutSec * 1000;
    await this.wps.addPin(pin, add);
    this.log.debug(`WPS: PIN added for ${o.uuid === undefined ? 'any Enrollee' : formatUuid(o.uuid)}${o.timeoutSec ? ` (${o.timeoutSec} s)` : ''}`);
  }

  /** WPS_PBC: false on a PBC session overlap (WPS-OVERLAP-DETECTED was sent). */
  async pushButton(): Promise<boolean> {
    const ok = await this.wps.pushButton();
    if (!ok) return false;
    this.overlapReported = false;
    this.pbcActive = true;
    if (this.pbcTimer) clearTimeout(this.pbcTimer);
    this.pbcTimer = setTimeout(() => {
      this.pbcTimer = undefined;
      this.log.debug('WPS: PBC timed out - disable PBC mode');
      void this.stopPbc();
    }, this.tuning.pbcWalkTimeMs ?? PBC_WALK_TIME_MS);
    this.pbcTimer.unref();
    return true;
  }

  /** WPS_CANCEL: PBC mode ends with WPS-TIMEOUT (hostapd wps_registrar_wps_cancel), PINs are dropped. */
  async cancel(): Promise<void> {
    const wasPbc = this.pbcActive;
    this.pbcActive = false;
    if (this.pbcTimer) clearTimeout(this.pbcTimer);
    this.pbcTimer = undefined;
    await this.wps.cancel();
    if (wasPbc) this.opts.bss.emit(WPS_EVENT_TIMEOUT);
  }

  private async stopPbc(): Promise<void> {
    if (!this.pbcActive) return;
    this.pbcActive = false;
    this.opts.bss.emit(WPS_EVENT_TIMEOUT);
    this.wps.pbc.stop();
    this.wps.selection.internalStopped();
    await this.wps.refresh();
  }

  /**
   * hostapd wps_reload_config: new AP settings (wps_reg, an ER's config,
   * WPS_CONFIG, auto-configuration) restart the BSS with the new SSID and
   * security, a little later so that the EAP-WSC run that brought them ends first.
   */
  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      if (this.stopped) return;
      const state = this.opts.bss.state;
      const rsn = (state.wpa & 2) !== 0;
      this.log.debug(`WPS: reloading the BSS with SSID ${JSON.stringify(state.ssid.toString('latin1'))}`);
      this.wps
        .restart({ ssid: state.ssid, rsn, baseElements: rsn ? [rsnElement(wpa2PersonalRsn())] : [] })
        .then(() => this.wpa?.restarted())
        .catch((e: Error) => this.log.warn(`WPS: BSS reload failed: ${e.message}`));
    }, RELOAD_DELAY_MS);
    this.reloadTimer.unref();
  }

  /** M8's Credential for a station Enrollee (hostapd wps_build_cred). */
  private credentialsFor(e: EnrolleeInfo): Credential[] {
    const state = this.opts.bss.state;
    let own = { ssid: state.ssid, authTypes: state.authTypes, encrTypes: state.encrTypes, networkKey: state.networkKey };
    let passphrase: string | undefined;
    if (state.wpsState === 1) {
      passphrase = randomPassphrase();
      own = { ...own, ...unconfiguredApSecurity(), networkKey: Buffer.from(passphrase, 'latin1') };
    } else {
      const perDevice = this.wpa?.networkKeyFor(macFromBytes(e.macAddress));
      if (perDevice !== undefined) own = { ...own, networkKey: perDevice };
    }
    const cred = credentialForEnrollee(own, e);
    if (cred === undefined) {
      this.log.info(`WPS: no security in common with the Enrollee ${formatUuid(e.uuid)} (auth 0x${e.authTypeFlags.toString(16)} encr 0x${e.encrTypeFlags.toString(16)})`);
      return [];
    }
    if (passphrase !== undefined) this.autoConfig.set(e.macAddress.toString('hex'), passphrase);
    return [cred];
  }

  /** "Moving to Configured state based on first Enrollee connection": before WPS-REG-SUCCESS, as hostapd. */
  private autoConfigure(enrollee: Buffer): void {
    const key = enrollee.toString('hex');
    const passphrase = this.autoConfig.get(key);
    this.autoConfig.delete(key);
    const bss = this.opts.bss;
    if (passphrase === undefined || bss.state.wpsState !== 1) return;
    this.log.debug('WPS: Moving to Configured state based on first Enrollee connection');
    const settings = autoConfigSettings(bss.state.ssid, passphrase, bss.state.ownAddr, this.opts.config.hwMode === 'ad');
    if (bss.applyNewSettings(settings)) void this.wps.refresh();
  }

  private backhaulCredentials(enrollee: Buffer): Credential[] | undefined {
    const conf = this.opts.bss.conf;
    const ssid = conf.multiApBackhaulSsid;
    if (ssid === undefined) return undefined;
    let key: Buffer;
    if (conf.multiApBackhaulWpaPassphrase !== undefined) key = Buffer.from(conf.multiApBackhaulWpaPassphrase, 'utf8');
    else if (conf.multiApBackhaulWpaPsk !== undefined) key = Buffer.from(conf.multiApBackhaulWpaPsk.toString('hex'), 'latin1');
    else return undefined;
    return [{ networkIndex: 1, ssid: Buffer.from(ssid), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: key, macAddress: Buffer.from(enrollee), extra: [] }];
  }

  private deliverWlanResponse(r: WlanResponse): WlanResponseResult {
    if (r.mac.length !== 6) return 'no-station';
    return this.wps.deliverFromExternal(macFromBytes(r.mac), r.message) ? 'delivered' : 'no-station';
  }

  /** Mirrors the ERs' SetSelectedRegistrar state into the WPS element, each with its own lapse timer. */
  syncSelectedRegistrars(): void {
    const regs = this.opts.bss.selectedRegistrars;
    if (regs === undefined || this.stopped) return;
    if (this.syncing) {
      this.resync = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.resync = false;
        const active = regs.active();
        const seen = new Set<string>();
        for (const s of active) {
          seen.add(s.er);
          const cur = this.applied.get(s.er);
          if (cur?.expiresAt === s.expiresAt) continue;
          if (cur) clearTimeout(cur.timer);
          const limit = this.tuning.selectedRegistrarTimeoutMs ?? SELECTED_REGISTRAR_TIMEOUT_MS;
          const timer = setTimeout(() => this.selectionLapsed(s.er), Math.max(0, Math.min(limit, s.expiresAt - this.now())));
          timer.unref();
          this.applied.set(s.er, { expiresAt: s.expiresAt, timer });
          const sel = { selected: true, devicePasswordId: s.devicePasswordId, configMethods: s.configMethods, authorizedMacs: s.authorizedMacs };
          this.wps.setSelectedRegistrar(s.er, sel).catch((e: Error) => this.log.warn(`WPS: SetSelectedRegistrar from ${s.er} not applied: ${e.message}`));
          this.log.debug(`WPS: External Registrar ${s.er} selected (dev_pw_id=${s.devicePasswordId} config_methods=0x${s.configMethods.toString(16)})`);
        }
        for (const [er, cur] of [...this.applied]) {
          if (seen.has(er)) continue;
          clearTimeout(cur.timer);
          this.applied.delete(er);
          this.unselect(er);
        }
      } while (this.resync);
    } finally {
      this.syncing = false;
    }
  }

  private unselect(er: string): void {
    this.log.debug(`WPS: External Registrar ${er} no longer selected`);
    this.wps.setSelectedRegistrar(er, { selected: false, devicePasswordId: 0, configMethods: 0, authorizedMacs: [] }).catch((e: Error) => this.log.warn(`WPS: cannot unselect ${er}: ${e.message}`));
  }

  /** hostapd upnp_er_set_selected_timeout: the ER's selection ends. */
  private selectionLapsed(er: string): void {
    const cur = this.applied.get(er);
    if (cur === undefined) return;
    this.applied.delete(er);
    this.log.debug(`WPS: SetSelectedRegistrar timed out for ${er}`);
    this.opts.bss.selectedRegistrars?.remove(er);
    this.unselect(er);
  }

  private onDriverEvent(e: DriverEvent): void {
    if (e.type !== 'rx-mgmt' || e.frame.body.subtype !== 'probe-request') return;
    try {
      this.onProbeRequest(e.frame.header.addr2, e.frame.body.elements);
    } catch (err) {
      // A frame from the air never takes the daemon down.
      this.log.warn(`WPS: Probe Request from ${e.frame.header.addr2} not handled: ${(err as Error).message}`);
    }
  }

  private onProbeRequest(addr: MacAddress, elements: readonly Element[]): void {
    // hostapd: a Probe Request naming another SSID is not for us (a wildcard one is).
    const ssid = findElement(elements, ElementId.SSID);
    if (ssid !== undefined && ssid.data.length > 0 && !Buffer.from(ssid.data).equals(this.opts.bss.state.ssid)) return;
    let joined: Uint8Array | undefined;
    let probe: ProbeRequestWps;
    try {
      joined = joinWpsIe(elements);
      if (joined === undefined) return;
      probe = parseProbeRequestWps(joined);
    } catch (err) {
      if (err instanceof WpsIeError || err instanceof ProbeRequestWpsError) {
        this.log.debug(`WPS: bad WPS element in a Probe Request from ${addr}: ${err.message}`);
        return;
      }
      throw err;
    }
    const seen = enrolleeSeenLine(addr, probe);
    if (seen !== undefined) this.opts.bss.ctrl?.emit(MSG_INFO, seen);
    if (this.proxy.probeRequest(macToBytes(addr), joined)) this.log.debug(`WPS UPnP: Proxying WLANEvent from ${addr}`);
    if (probe.pbc && this.wps.pbc.overlapForced && !this.overlapReported) {
      this.overlapReported = true;
      this.opts.bss.emit(WPS_EVENT_OVERLAP);
    }
  }

  private onWpsBssEvent(e: WpsBssEvent): void {
    switch (e.type) {
      case 'wps':
        this.onRegistrationEvent(e.addr, e.event);
        break;
      case 'pbc-overlap':
        this.overlapReported = true;
        this.opts.bss.emit(WPS_EVENT_OVERLAP);
        break;
      case 'pbc-active':
        this.opts.bss.emit(WPS_EVENT_PBC_ACTIVE);
        break;
      case 'eap-finished': {
        const key = Buffer.from(macToBytes(e.addr)).toString('hex');
        this.autoConfig.delete(key);
        const proxied = this.proxiedRuns.get(key);
        this.proxiedRuns.delete(key);
        // The Enrollee's WSC_Done ended a run an External Registrar served. hostapd stays
        // silent here (its registrar never saw the run); wpsd reports it like an internal
        // registration, so the AP's operator sees every enrollment it carried.
        if (proxied !== undefined && e.outcome.result === 'success') {
          const line = wpsEventLine({ type: 'reg-success', macAddress: Buffer.from(macToBytes(e.addr)), ...proxied }, { credProcessing: this.opts.bss.conf.wpsCredProcessing });
          if (line !== undefined) this.opts.bss.emit(line);
        }
        this.log.debug(`${this.opts.bss.iface}: ${e.addr} EAP-WSC ${e.outcome.result}: ${e.outcome.reason}`);
        break;
      }
      case 'associated':
        this.log.info(`${this.opts.bss.iface}: STA ${e.station.addr} IEEE 802.11: associated${e.station.wps ? ' (WPS)' : ''}`);
        break;
      case 'disassociated':
        this.log.info(`${this.opts.bss.iface}: STA ${e.addr} IEEE 802.11: disassociated`);
        break;
      case 'enrollee-seen':
        // Handled from the driver event, which also has the raw WPS element for the proxy.
        break;
    }
  }

  /** Remembers UUID-E and the password kind of an M1 handed to External Registrars. */
  private noteProxiedM1(enrollee: MacAddress, message: Buffer): void {
    let m1;
    try {
      m1 = parseMessage(message);
    } catch {
      return; // The External Registrar judges malformed messages; nothing to remember.
    }
    const uuid = m1.get(AttributeType.UuidE);
    if (m1.type !== MessageType.M1 || uuid === undefined) return;
    if (this.proxiedRuns.size >= MAX_PROXIED_RUNS) this.proxiedRuns.delete(this.proxiedRuns.keys().next().value as string);
    const pwId = m1.get(AttributeType.DevicePasswordId);
    const pbc = pwId !== undefined && pwId.length === 2 && pwId.readUInt16BE(0) === DevicePasswordId.PushButton;
    this.proxiedRuns.set(Buffer.from(macToBytes(enrollee)).toString('hex'), { uuid: Buffer.from(uuid), password: pbc ? 'pbc' : 'pin' });
  }

  private onRegistrationEvent(addr: MacAddress, ev: WpsEvent): void {
    const bss = this.opts.bss;
    switch (ev.type) {
      case 'pin-needed': {
        const req = pinRequestFrom(ev);
        this.log.debug(`WPS: PIN needed for E-UUID ${formatUuid(ev.uuid)}`);
        bss.emit(pinNeededLine(req));
        void this.pinFile?.append(req, this.now() / 1000);
        break;
      }
      case 'reg-success': {
        this.autoConfigure(ev.macAddress);
        if (ev.macAddress.length === 6) void this.wpa?.enrolled(macFromBytes(ev.macAddress));
        const line = wpsEventLine(ev, { credProcessing: bss.conf.wpsCredProcessing });
        if (line !== undefined) bss.emit(line);
        // wps_registrar_pbc_completed: PBC mode ends at once.
        if (ev.password === 'pbc' && this.pbcActive) {
          this.pbcActive = false;
          if (this.pbcTimer) clearTimeout(this.pbcTimer);
          this.pbcTimer = undefined;
          bss.emit(WPS_EVENT_PBC_DISABLE);
        }
        break;
      }
      case 'fail':
        bss.emit(failLine(ev.msg, ev.configError, ev.errorIndication));
        break;
      case 'new-ap-settings':
        // A station Registrar (wps_reg) configured the AP.
        if (bss.applyNewSettings(ev.settings)) void this.wps.refresh();
        break;
      case 'pbc-overlap':
        // WpsBss reports it as its own 'pbc-overlap' event too; one line is enough.
        break;
      default: {
        const line = wpsEventLine(ev, { credProcessing: bss.conf.wpsCredProcessing });
        if (line !== undefined) bss.emit(line);
        else this.log.debug(`WPS: ${ev.type} event from the run with ${addr}`);
      }
    }
  }
}
