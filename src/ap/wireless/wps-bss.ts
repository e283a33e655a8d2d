/**
 * One WPS-enabled BSS from the pieces of this directory, the way hostapd's
 * wps_hostapd.c ties them together: the Beacon / Probe Response WPS element
 * follows the selected-registrar union; Probe Requests feed the PBC session
 * table; ApMlme associates stations; WpsAuthenticator runs EAP-WSC with a
 * RegistrarBackend per run (internal Registrar with the PIN store and PBC
 * mode, plus External Registrars through deliverFromExternal / toExternal).
 * The daemon keeps configuration, control interface and UPnP; this class
 * only needs the values.
 */
import { type Logger, silentLogger } from '../../common/log.js';
import type { ApDriver, DriverEvent } from '../../radio/driver.js';
import type { Element } from '../../radio/elements.js';
import { CapabilityInfo } from '../../radio/frame.js';
import { macToBytes, type MacAddress } from '../../radio/mac.js';
import type { Credential } from '../../wps/credential.js';
import type { Rng } from '../../wps/crypto.js';
import type { DeviceInfo } from '../../wps/device.js';
import type { WpsEvent } from '../../wps/events.js';
import { PbcSessions } from '../../wps/pbc.js';
import type { ApPinLockout } from '../../wps/ap-pin-lockout.js';
import { DevicePasswordId } from '../../wps/values.js';
import { Registrar, type EnrolleeInfo } from '../../wps/registrar.js';
import type { EapWscOutcome } from './eap-wsc-server.js';
import { ApMlme, type StationEntry } from './mlme.js';
import { notePbcProbe, probeRequestWps, ProbeRequestWpsError, type ProbeRequestWps } from './probe-request.js';
import { ApEnrolleeBackend, RegistrarBackend, type ExternalRegistrarLink, type WscBackend } from './registrar-backend.js';
import { Enrollee, type EnrolleeApConfig, type EnrolleeConfig } from '../../wps/enrollee.js';
import { SelectedRegistrarUnion, type ExternalSelection } from './selected-registrar.js';
import { WpsAuthenticator } from './wps-authenticator.js';
import { buildApWpsElements, type ApWpsIeConfig } from './wps-ie.js';

/** PINs the internal Registrar holds at once (hostapd has no limit; a bound keeps memory fixed). */
export const MAX_PINS = 32;

export type WpsBssEvent =
  | { type: 'wps'; addr: MacAddress; event: WpsEvent }
  /** WPS-ENROLLEE-SEEN: a Probe Request with a WPS element. */
  | { type: 'enrollee-seen'; addr: MacAddress; probe: ProbeRequestWps }
  /** WPS-OVERLAP-DETECTED from the push button or from Probe Requests. */
  | { type: 'pbc-overlap' }
  | { type: 'pbc-active' }
  | { type: 'eap-finished'; addr: MacAddress; outcome: EapWscOutcome }
  | { type: 'associated'; station: StationEntry }
  | { type: 'disassociated'; addr: MacAddress };

export interface WpsBssOptions {
  driver: ApDriver;
  ssid: Uint8Array;
  channel: number;
  beaconInterval?: number;
  /** Elements before the WPS element in Beacons and Probe Responses (RSN, Multi-AP ...). */
  baseElements?: Element[];
  /** wpa=2: the MLME wants RSN from non-WPS stations and the Privacy bit is set. */
  rsn: boolean;
  ie: ApWpsIeConfig;
  /** The internal Registrar's device (UUID-R = the AP's UUID in hostapd). */
  registrarDevice: DeviceInfo;
  /** The Credentials M8 gives an Enrollee. */
  credentials: (enrollee: EnrolleeInfo) => Credential[];
  /** Backhaul credentials for a Multi-AP backhaul STA. */
  multiApBackhaul?: (enrollee: EnrolleeInfo) => Credential[] | undefined;
  /** Pre-encoded attributes appended to M8's Credentials (hostapd extra_cred). */
  extraCredentials?: (enrollee: EnrolleeInfo) => Buffer | undefined;
  /** False: no internal EAP server (hostapd eap_server=0), so no EAP-WSC with stations. Default true. */
  eapServer?: boolean;
  multiAp?: number;
  /**
   * The AP as Enrollee for a station Registrar (wps_reg): the AP PIN and the
   * current settings (M7). Without it such stations get EAP-Failure.
   */
  apEnrollee?: { device: DeviceInfo; apPin: () => string | undefined; settings: () => Credential; settingsAttributes?: Buffer; setupLocked?: () => boolean | 'learn-only' };
  /**
   * AP PIN brute-force protection (hostapd wps_pwd_auth_fail): failed AP PIN
   * proofs by station Registrars count, a locked AP refuses them and
   * advertises AP Setup Locked.
   */
  apPinLockout?: ApPinLockout;
  /** UPnP side: the ERs. */
  external?: ExternalRegistrarLink;
  m2WaitMs?: number;
  externalTimeoutMs?: number;
  retransmitMs?: number;
  maxRetransmissions?: number;
  fragmentSize?: number;
  onEvent?: (e: WpsBssEvent) => void;
  now?: () => number;
  rng?: Rng;
  logger?: Logger;
}

interface PinEntry {
  pin: string;
  /** Undefined: any Enrollee ("WPS_PIN any"). */
  uuid?: Buffer;
  expiresAt?: number;
}

export class WpsBss {
  readonly mlme: ApMlme;
  readonly authenticator: WpsAuthenticator;
  readonly pbc: PbcSessions;
  readonly selection: SelectedRegistrarUnion;
  private readonly pins: PinEntry[] = [];
  private readonly backends = new Map<MacAddress, RegistrarBackend>();
  private readonly now: () => number;
  private readonly log: Logger;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  private readonly mlmeOpts: ConstructorParameters<typeof ApMlme>[0];

  constructor(private readonly opts: WpsBssOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.logger ?? silentLogger;
    this.pbc = new PbcSessions({ now: this.now });
    this.selection = new SelectedRegistrarUnion({ now: this.now, configMethods: opts.ie.device.configMethods });
    const mlmeOpts: ConstructorParameters<typeof ApMlme>[0] = { driver: opts.driver, wpsEnabled: true, rsn: opts.rsn, now: this.now, logger: this.log };
    if (opts.multiAp !== undefined) mlmeOpts.multiAp = opts.multiAp;
    this.mlmeOpts = mlmeOpts;
    this.mlme = new ApMlme(mlmeOpts);
    this.mlme.onEvent((e) => (e.type === 'associated' ? this.emit({ type: 'associated', station: e.station }) : this.emit({ type: 'disassociated', addr: e.addr })));
    this.authenticator = new WpsAuthenticator({
      driver: opts.driver,
      mlme: this.mlme,
      backendFor: (station, role) => (role === 'enrollee' ? this.newBackend(station) : this.apEnrolleeBackend(station)),
      onFinished: (addr, outcome) => {
        this.backends.delete(addr);
        this.emit({ type: 'eap-finished', addr, outcome });
      },
      retransmitMs: opts.retransmitMs,
      maxRetransmissions: opts.maxRetransmissions,
      fragmentSize: opts.fragmentSize,
      eapServer: opts.eapServer ?? true,
      logger: this.log,
    });
    this.unsubscribe = opts.driver.onEvent((e) => this.onDriverEvent(e));
  }

  async start(): Promise<void> {
    const wps = this.wpsElements();
    await this.opts.driver.startAp({
      ssid: this.opts.ssid,
      channel: this.opts.channel,
      beaconInterval: this.opts.beaconInterval ?? 100,
      capability: CapabilityInfo.ESS | (this.opts.rsn ? CapabilityInfo.PRIVACY : 0),
      beaconElements: [...(this.opts.baseElements ?? []), ...wps.beaconElements],
      probeResponseElements: [...(this.opts.baseElements ?? []), ...wps.probeResponseElements],
    });
  }

  /**
   * New AP settings (hostapd wps_reload_config): the BSS restarts with the
   * new SSID and security; stations of the old one are deauthenticated
   * (hostapd flushes them when it reloads the configuration).
   */
  async restart(settings: { ssid: Uint8Array; rsn: boolean; baseElements: Element[] }): Promise<void> {
    for (const s of this.mlme.stations()) await this.mlme.deauthenticate(s.addr).catch((e: Error) => this.log.debug(`wps: deauth ${s.addr}: ${e.message}`));
    await this.opts.driver.stopAp();
    this.opts.ssid = settings.ssid;
    this.opts.rsn = settings.rsn;
    this.opts.baseElements = settings.baseElements;
    this.mlmeOpts.rsn = settings.rsn;
    await this.start();
    await this.refresh();
  }

  async close(): Promise<void> {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.unsubscribe();
    this.authenticator.close();
    this.mlme.close();
    for (const b of this.backends.values()) b.close();
    this.backends.clear();
  }

  /** WPS_PIN: `uuid` undefined for any Enrollee; `timeoutMs` 0/undefined for none. */
  async addPin(pin: string, o: { uuid?: Buffer; enrolleeMac?: MacAddress; timeoutMs?: number } = {}): Promise<void> {
    if (this.pins.length >= MAX_PINS) this.pins.shift();
    const e: PinEntry = { pin };
    if (o.uuid !== undefined) e.uuid = Buffer.from(o.uuid);
    if (o.timeoutMs !== undefined && o.timeoutMs > 0) e.expiresAt = this.now() + o.timeoutMs;
    this.pins.push(e);
    this.selection.pinAdded(o.enrolleeMac === undefined ? undefined : macToBytes(o.enrolleeMac));
    await this.refresh();
  }

  /** WPS_PBC: false on a PBC session overlap (WPS-OVERLAP-DETECTED). */
  async pushButton(): Promise<boolean> {
    if (!this.pbc.buttonPushed()) {
      this.emit({ type: 'pbc-overlap' });
      return false;
    }
    this.selection.pbcStarted();
    this.emit({ type: 'pbc-active' });
    await this.refresh();
    return true;
  }

  /** WPS_CANCEL. */
  async cancel(): Promise<void> {
    this.pbc.stop();
    this.pins.length = 0;
    this.selection.internalStopped();
    await this.refresh();
  }

  /** An ER's SetSelectedRegistrar (from the UPnP side). */
  async setSelectedRegistrar(er: string, sel: ExternalSelection): Promise<void> {
    this.selection.setExternal(er, sel);
    await this.refresh();
  }

  /** An ER's PutWLANResponse for the Enrollee at `enrollee`; false when no run waits for it. */
  deliverFromExternal(enrollee: MacAddress, message: Uint8Array): boolean {
    const b = this.backends.get(enrollee);
    if (b === undefined) return false;
    b.deliverFromExternal(message);
    return true;
  }

  private emit(e: WpsBssEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch (err) {
      this.log.error(`wps: event listener failed: ${(err as Error).message}`);
    }
  }

  private wpsElements(): { beaconElements: Element[]; probeResponseElements: Element[] } {
    const locked = this.opts.ie.apSetupLocked || this.opts.apPinLockout?.isLocked() === true;
    return buildApWpsElements({ ...this.opts.ie, apSetupLocked: locked }, this.selection.view());
  }

  /** Rebuilds the WPS element and re-arms the selection timeout. */
  async refresh(): Promise<void> {
    const wps = this.wpsElements();
    const base = this.opts.baseElements ?? [];
    try {
      await this.opts.driver.setApElements({ beaconElements: [...base, ...wps.beaconElements], probeResponseElements: [...base, ...wps.probeResponseElements] });
    } catch (e) {
      this.log.warn(`wps: cannot update the WPS element: ${(e as Error).message}`);
    }
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const next = this.selection.nextExpiry();
    if (next !== undefined) {
      this.expiryTimer = setTimeout(() => {
        this.expiryTimer = undefined;
        // hostapd unselects the Registrar; PINs stay until their own timeout (wps_registrar_expire_pins).
        this.selection.expire();
        void this.refresh();
      }, Math.max(0, next - this.now()));
      this.expiryTimer.unref();
    }
  }

  private pinFor(uuid: Buffer): PinEntry | undefined {
    const t = this.now();
    for (let i = this.pins.length - 1; i >= 0; i--) {
      const p = this.pins[i] as PinEntry;
      if (p.expiresAt !== undefined && p.expiresAt <= t) this.pins.splice(i, 1);
    }
    return this.pins.find((p) => p.uuid?.equals(uuid) === true) ?? this.pins.find((p) => p.uuid === undefined);
  }

  private newBackend(station: StationEntry): WscBackend {
    const registrar = new Registrar({
      device: this.opts.registrarDevice,
      pbc: this.pbc,
      rng: this.opts.rng,
      policy: {
        devicePassword: (e) => {
          if (e.devicePasswordId === DevicePasswordId.PushButton) return this.pbc.active ? { kind: 'pbc' } : undefined;
          const p = this.pinFor(e.uuid);
          if (p === undefined) return undefined;
          // hostapd assigns a wildcard PIN to the first UUID-E that uses it.
          p.uuid ??= Buffer.from(e.uuid);
          return { kind: 'pin', pin: p.pin };
        },
        credentials: (e) => this.opts.credentials(e),
        multiApBackhaul: (e) => this.opts.multiApBackhaul?.(e),
        extraCredentials: (e) => this.opts.extraCredentials?.(e),
      },
    });
    const backendOpts: ConstructorParameters<typeof RegistrarBackend>[0] = {
      enrollee: station.addr,
      internal: registrar,
      onEvents: (events) => this.onRegistrarEvents(station.addr, events),
      logger: this.log,
    };
    if (this.opts.external !== undefined) backendOpts.external = this.opts.external;
    if (this.opts.m2WaitMs !== undefined) backendOpts.m2WaitMs = this.opts.m2WaitMs;
    if (this.opts.externalTimeoutMs !== undefined) backendOpts.externalTimeoutMs = this.opts.externalTimeoutMs;
    const backend = new RegistrarBackend(backendOpts);
    this.backends.get(station.addr)?.close();
    this.backends.set(station.addr, backend);
    return backend;
  }

  private apEnrolleeBackend(station: StationEntry): WscBackend | undefined {
    const a = this.opts.apEnrollee;
    const pin = a?.apPin();
    if (a === undefined) return undefined;
    const ap: EnrolleeApConfig = { settings: a.settings() };
    if (a.settingsAttributes !== undefined) ap.settingsAttributes = a.settingsAttributes;
    const locked = this.opts.apPinLockout?.isLocked() === true ? true : a.setupLocked?.();
    if (locked !== undefined) ap.setupLocked = locked;
    const cfg: EnrolleeConfig = { device: a.device, ap, peerAddress: Buffer.from(macToBytes(station.addr)) };
    // Without an AP PIN the Enrollee still answers M1 (Windows probes so), then refuses the Registrar (hostapd).
    if (pin !== undefined) cfg.password = { kind: 'pin', pin };
    if (this.opts.rng !== undefined) cfg.rng = this.opts.rng;
    return new ApEnrolleeBackend(new Enrollee(cfg), (events) => {
      const lockout = this.opts.apPinLockout;
      for (const event of events) {
        this.emit({ type: 'wps', addr: station.addr, event });
        if (lockout === undefined) continue;
        if (event.type === 'pwd-auth-fail' && event.local === 'enrollee') {
          if (lockout.recordFailure().length > 0) void this.refresh();
        } else if (event.type === 'ap-pin-success') {
          lockout.recordSuccess();
        }
      }
    });
  }

  private onRegistrarEvents(addr: MacAddress, events: WpsEvent[]): void {
    let changed = false;
    for (const event of events) {
      this.emit({ type: 'wps', addr, event });
      if (event.type === 'reg-success') {
        if (event.password === 'pin') {
          // hostapd invalidates the PIN that was used (a wildcard one was assigned to this UUID-E).
          const used = this.pins.findIndex((x) => x.uuid?.equals(event.uuid) === true);
          if (used >= 0) this.pins.splice(used, 1);
        }
        // wps_registrar_pbc_completed / wps_registrar_pin_completed: the internal Registrar is no longer selected.
        this.selection.internalStopped();
        changed = true;
      } else if (event.type === 'invalidate-pin') {
        const p = this.pins.findIndex((x) => x.uuid?.equals(event.uuid) === true);
        if (p >= 0) this.pins.splice(p, 1);
      } else if (event.type === 'pbc-overlap') {
        this.emit({ type: 'pbc-overlap' });
      }
    }
    if (changed) void this.refresh();
  }

  private onDriverEvent(e: DriverEvent): void {
    if (e.type !== 'rx-mgmt' || e.frame.body.subtype !== 'probe-request') return;
    const addr = e.frame.header.addr2;
    let probe: ProbeRequestWps | undefined;
    try {
      probe = probeRequestWps(e.frame.body.elements);
    } catch (err) {
      if (err instanceof ProbeRequestWpsError) return this.log.debug(`wps: bad WPS element in a Probe Request from ${addr}: ${err.message}`);
      throw err;
    }
    if (probe === undefined) return;
    this.emit({ type: 'enrollee-seen', addr, probe });
    const r = notePbcProbe(this.pbc, addr, probe);
    if (r?.overlap === true) this.log.debug(`wps: PBC session overlap seen in Probe Requests (${addr})`);
  }
}
