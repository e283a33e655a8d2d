/**
 * WPS of one BSS of `wpsd ap`, one owner for all of it, as hostapd's
 * wps_hostapd.c ties it to a BSS:
 *
 * - the registrar context (src/wps): PINs, PBC mode and its walk time,
 *   the internal Registrar's selection, united with the External
 *   Registrars' selections the proxy keeps;
 * - the AP PIN and its lockout (AP Setup Locked), for External Registrars
 *   over UPnP and station Registrars (wps_reg) over the radio;
 * - with a radio: the Beacon / Probe Response WPS element, association
 *   (ApMlme), EAP-WSC (WpsAuthenticator) with a RegistrarBackend per run;
 * - with upnp_iface: the WfaProxy (device, ER runs, WLANEvent proxy, ER
 *   selections), linked by toExternal / probe and its 'wlan-response' and
 *   'selection' events.
 *
 * Every change it makes or learns is pushed: typed WpsApEvents out (the
 * daemon's control lines are one subscriber), one timer for the registrar
 * context's next deadline, one for the AP PIN lockout's end, none polling.
 * Each Probe Request is parsed once, here.
 *
 * API:
 *   new WpsAp(opts)   .start() / .close()
 *   .addPin(pin, { uuid?, enrolleeMac?, timeoutMs? }) / .pushButton() / .cancel()
 *   .settingsApplied(settings?)   new AP settings: rebuild, and with a radio restart the BSS (wps_reload_config)
 *   .onEvent(listener): () => void
 *   .registrar (RegistrarContext)  .guard (AP PIN, lockout)  .proxy  .view()
 */
import { type Logger, silentLogger } from '../../common/log.js';
import { ApStatus } from '../../proxy/wfa-device.js';
import { WfaProxy, type WfaProxyOptions, type WlanResponse } from '../../proxy/wfa-proxy.js';
import type { ApDriver, DriverEvent } from '../../radio/driver.js';
import { ElementId, findElement, type Element } from '../../radio/elements.js';
import { CapabilityInfo } from '../../radio/frame.js';
import { macFromBytes, macToBytes, type MacAddress } from '../../radio/mac.js';
import { joinWpsIe, WpsIeError } from '../../radio/wps-ie.js';
import { AttributeType } from '../../wps/attributes.js';
import type { Credential } from '../../wps/credential.js';
import type { DhKeyPair, Rng } from '../../wps/crypto.js';
import { formatUuid, type DeviceInfo } from '../../wps/device.js';
import { Enrollee, type EnrolleeApConfig, type EnrolleeConfig } from '../../wps/enrollee.js';
import type { WpsEvent } from '../../wps/events.js';
import type { WscMessage } from '../../wps/message.js';
import { RegistrarContext, type ExternalSelection, type SelectedRegistrarView } from '../../wps/registrar-context.js';
import { Registrar, type DevicePasswordChoice, type EnrolleeInfo } from '../../wps/registrar.js';
import { DevicePasswordId, type WpsState } from '../../wps/values.js';
import type { NfcTokenConfig } from '../../wps/nfc/nfc-config.js';
import { nfcDevicePassword, type OobDevicePassword } from '../../wps/nfc/oob-device-password.js';
import type { EapWscOutcome } from '../wireless/eap-wsc-server.js';
import { ApMlme, type StationEntry } from '../wireless/mlme.js';
import { parseProbeRequestWps, ProbeRequestWpsError, type ProbeRequestWps } from '../wireless/probe-request.js';
import { ApEnrolleeBackend, RegistrarBackend, type WscBackend } from '../wireless/registrar-backend.js';
import { WpsAuthenticator } from '../wireless/wps-authenticator.js';
import { buildApWpsElements, type ApWpsIeConfig } from '../wireless/wps-ie.js';
import { ApPinGuard, type ApPinGuardEvent } from './ap-pin-guard.js';

/** PINs the internal Registrar holds at once (hostapd has no limit; a bound keeps memory fixed); the oldest goes first. */
export const MAX_PINS = 32;
/** hostapd waits 100 ms before wps_reload_config so that EAP-WSC can finish. */
export const RELOAD_DELAY_MS = 100;
/** Proxied runs remembered at once (one per Enrollee in a run; the oldest is dropped past this). */
export const MAX_PROXIED_RUNS = 256;

export type WpsApEvent =
  /** A registration event: of the internal Registrar or of the AP's Enrollee (`addr` undefined for a UPnP ER run). */
  | { type: 'wps'; addr: MacAddress | undefined; event: WpsEvent }
  /** A Probe Request with a WPS element; WPS-ENROLLEE-SEEN when it asks for our SSID (or any). */
  | { type: 'enrollee-seen'; addr: MacAddress; probe: ProbeRequestWps; forOurSsid: boolean }
  /** WPS-OVERLAP-DETECTED, from the push button or from Probe Requests, once per push. */
  | { type: 'pbc-overlap' }
  | { type: 'pbc-active' }
  /** PBC mode ended by a registration (WPS-PBC-DISABLE). */
  | { type: 'pbc-disable' }
  /** PBC mode ended by its walk time or WPS_CANCEL (WPS-TIMEOUT). */
  | { type: 'pbc-timeout' }
  /** WPS_CANCEL ran (WPS-CANCEL, after WPS-TIMEOUT when PBC mode was on). */
  | { type: 'cancel' }
  | { type: 'eap-finished'; addr: MacAddress; outcome: EapWscOutcome }
  /** An Enrollee an External Registrar served finished with WSC_Done. */
  | { type: 'proxied-success'; addr: MacAddress; uuid: Buffer; password: 'pin' | 'pbc' }
  | { type: 'associated'; station: StationEntry }
  /** The BSS came back up on the radio with new settings (wps_reload_config); the driver's keys went with the old one. */
  | { type: 'bss-restarted' }
  | { type: 'disassociated'; addr: MacAddress }
  | { type: 'ap-setup-locked' }
  | { type: 'ap-setup-unlocked' }
  | { type: 'ap-pin-disabled' }
  /** The selected-registrar attributes changed. */
  | { type: 'selection'; view: SelectedRegistrarView };

/** The link to External Registrars: what the AP uses of the WfaProxy (tests may fake it). */
export interface ErLink {
  /** An ER holds an event subscription. */
  readonly subscribed: boolean;
  toExternal(mac: Uint8Array, message: Uint8Array): void;
  probe(mac: Uint8Array, tlvs: Uint8Array): boolean;
  selections(): readonly ExternalSelection[];
  on(event: 'wlan-response', listener: (r: WlanResponse) => void): unknown;
  on(event: 'selection', listener: () => void): unknown;
  off(event: 'wlan-response', listener: (r: WlanResponse) => void): unknown;
  off(event: 'selection', listener: () => void): unknown;
}

export interface WpsApOptions {
  iface?: string;
  /** The radio, when WPS runs over one (driver=sim / nl80211). */
  driver?: ApDriver;
  /** start() brings the BSS up on the driver (false: the daemon already beacons). */
  startBss?: boolean;
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
  /** Pre-encoded attributes sent after M8's Credentials, byte for byte (hostapd extra_cred). */
  extraCredentials?: (enrollee: EnrolleeInfo) => Buffer | undefined;
  /** False as hostapd's eap_server=0: no internal EAP server, so no EAP-WSC with stations. Default true. */
  eapServer?: boolean;
  /** ignore_broadcast_ssid=1: empty SSID in Beacons, no answer to wildcard Probe Requests. */
  hideSsid?: boolean;
  /** max_num_sta and the MAC filter for the MLME. */
  admission?: { maxStations?: number; allowed?: (addr: MacAddress) => boolean };
  /** hostapd ieee8021x=1: an EAPOL authenticator for every station, wired ones included. */
  ieee8021x?: boolean;
  multiAp?: number;
  /**
   * The AP as Enrollee, for External Registrars and station Registrars
   * (wps_reg): its device, current settings (M7), WPS state. Without it
   * such Registrars are refused.
   */
  apEnrollee?: { device: DeviceInfo; settings: () => Credential; settingsAttributes?: Buffer; wpsState?: () => WpsState };
  /**
   * The BSS's NFC values (wps_nfc_*), read at each run: the DH key of its
   * handover select serves connection handover runs of the internal Registrar.
   */
  nfc?: NfcTokenConfig;
  /** ap_pin= and ap_setup_locked= (2: Registrars may learn, not configure). */
  apPin?: { pin: string | undefined; setupLocked?: number };
  /** Every WPS BSS an AP PIN failure locks, this one first (hostapd_wps_for_each); this one alone by default. */
  siblings?: () => readonly WpsAp[];
  /** The UPnP device on upnp_iface: the proxy is started with it. */
  upnp?: Omit<WfaProxyOptions, 'apEnrollee' | 'now' | 'logger'>;
  /** An ER link made elsewhere (tests); ignored with `upnp`. */
  link?: ErLink;
  pbcWalkTimeMs?: number;
  m2WaitMs?: number;
  externalTimeoutMs?: number;
  retransmitMs?: number;
  maxRetransmissions?: number;
  fragmentSize?: number;
  onEvent?: (e: WpsApEvent) => void;
  now?: () => number;
  rng?: Rng;
  /** Precomputed DH key pairs for this AP's runs (the daemon's pool); each run generates its own without. */
  dhKeys?: { take(): DhKeyPair };
  logger?: Logger;
}

export class WpsAp {
  readonly registrar: RegistrarContext;
  /** The AP PIN and its lockout. */
  readonly guard: ApPinGuard;
  readonly mlme: ApMlme | undefined;
  readonly authenticator: WpsAuthenticator | undefined;
  private link: ErLink | undefined;
  private started: WfaProxy | undefined;
  private readonly listeners = new Set<(e: WpsApEvent) => void>();
  private readonly backends = new Map<MacAddress, RegistrarBackend>();
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly mlmeOpts: ConstructorParameters<typeof ApMlme>[0] | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private overlapReported = false;
  private closed = false;
  /** WPS_NFC_TOKEN enable: the AP's own password token, its device password as Enrollee (the AP PIN the alternative). */
  private apNfcToken: Required<NfcTokenConfig> | undefined;
  private lastView = '';
  /** Enrollees whose run an ER serves through the proxy: MAC -> what their M1 said, for 'proxied-success'. */
  private readonly proxiedRuns = new Map<MacAddress, { uuid: Buffer; password: 'pin' | 'pbc' }>();
  private readonly onWlanResponse = (r: WlanResponse): void => this.deliverFromExternal(r);
  private readonly onSelection = (): void => void this.refresh();

  constructor(private readonly opts: WpsApOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.logger ?? silentLogger;
    if (opts.onEvent) this.listeners.add(opts.onEvent);
    this.registrar = new RegistrarContext({
      now: this.now,
      configMethods: opts.ie.device.configMethods,
      pins: { maxPins: MAX_PINS, whenFull: 'drop-oldest' },
      ...(opts.pbcWalkTimeMs !== undefined ? { pbcWalkTimeMs: opts.pbcWalkTimeMs } : {}),
    });
    this.guard = new ApPinGuard({
      pin: opts.apPin?.pin,
      ...(opts.apPin?.setupLocked !== undefined ? { setupLocked: opts.apPin.setupLocked } : {}),
      now: this.now,
      logger: this.log,
      onEvent: (e) => this.onGuard(e),
    });
    if (opts.link !== undefined && opts.upnp === undefined) this.attach(opts.link);
    const driver = opts.driver;
    if (driver === undefined) return;
    const mlmeOpts: ConstructorParameters<typeof ApMlme>[0] = { driver, wpsEnabled: true, rsn: opts.rsn, ...(opts.admission ?? {}), now: this.now, logger: this.log };
    if (opts.multiAp !== undefined) mlmeOpts.multiAp = opts.multiAp;
    this.mlmeOpts = mlmeOpts;
    const mlme = new ApMlme(mlmeOpts);
    this.mlme = mlme;
    this.unsubscribe.push(mlme.onEvent((e) => (e.type === 'associated' ? this.emit({ type: 'associated', station: e.station }) : this.emit({ type: 'disassociated', addr: e.addr }))));
    this.authenticator = new WpsAuthenticator({
      driver,
      mlme,
      backendFor: (station, role) => (role === 'enrollee' ? this.newBackend(station) : this.apEnrolleeBackend(station)),
      onFinished: (addr, outcome) => this.runFinished(addr, outcome),
      retransmitMs: opts.retransmitMs,
      maxRetransmissions: opts.maxRetransmissions,
      fragmentSize: opts.fragmentSize,
      eapServer: opts.eapServer ?? true,
      ieee8021x: opts.ieee8021x ?? false,
      logger: this.log,
    });
    this.unsubscribe.push(driver.onEvent((e) => this.onDriverEvent(e)));
  }

  /** The proxy, when this BSS serves UPnP. */
  get proxy(): WfaProxy | undefined {
    return this.started;
  }

  /** Starts the UPnP proxy (with `upnp`), brings the BSS up (with a radio) and puts the WPS element in. */
  async start(): Promise<void> {
    const o = this.opts;
    if (o.upnp !== undefined) {
      this.started = await WfaProxy.start({
        ...o.upnp,
        apEnrollee: { create: () => this.createApEnrollee(), onStep: (step) => this.onApEnrolleeEvents(undefined, step.events) },
        now: this.now,
        logger: this.log,
      });
      this.attach(this.started);
    }
    if (o.startBss !== false) await this.bringUp();
    await this.refresh();
  }

  /** Starts beaconing with the WPS element in. */
  private async bringUp(): Promise<void> {
    const o = this.opts;
    if (o.driver === undefined) return;
    const wps = this.wpsElements();
    await o.driver.startAp({
      ssid: o.ssid,
      channel: o.channel,
      beaconInterval: o.beaconInterval ?? 100,
      capability: CapabilityInfo.ESS | (o.rsn ? CapabilityInfo.PRIVACY : 0),
      beaconElements: [...(o.baseElements ?? []), ...wps.beaconElements],
      probeResponseElements: [...(o.baseElements ?? []), ...wps.probeResponseElements],
      ...(o.hideSsid === true ? { hideSsid: true } : {}),
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of [this.deadlineTimer, this.reloadTimer]) if (t) clearTimeout(t);
    this.guard.close();
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
    this.detach();
    this.authenticator?.close();
    this.mlme?.close();
    for (const b of this.backends.values()) b.close();
    this.backends.clear();
    const proxy = this.started;
    this.started = undefined;
    if (proxy) await proxy.stop();
  }

  onEvent(listener: (e: WpsApEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: WpsApEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log.error(`wps: event listener failed: ${(err as Error).message}`);
      }
    }
  }

  private attach(link: ErLink): void {
    this.link = link;
    link.on('wlan-response', this.onWlanResponse);
    link.on('selection', this.onSelection);
  }

  private detach(): void {
    this.link?.off('wlan-response', this.onWlanResponse);
    this.link?.off('selection', this.onSelection);
    this.link = undefined;
  }

  /** WPS_PIN: `uuid` undefined for any Enrollee; `timeoutMs` 0/undefined for none; `enrolleeMac` becomes an Authorized MAC. */
  async addPin(pin: string, o: { uuid?: Uint8Array; enrolleeMac?: MacAddress; timeoutMs?: number } = {}): Promise<void> {
    this.registrar.addPin(pin, {
      ...(o.uuid !== undefined ? { uuid: o.uuid } : {}),
      ...(o.enrolleeMac !== undefined ? { macAddress: macToBytes(o.enrolleeMac) } : {}),
      ...(o.timeoutMs !== undefined && o.timeoutMs > 0 ? { timeoutMs: o.timeoutMs } : {}),
    });
    this.log.debug(`WPS: PIN added for ${o.uuid === undefined ? 'any Enrollee' : formatUuid(o.uuid)}${o.timeoutMs ? ` (${Math.round(o.timeoutMs / 1000)} s)` : ''}`);
    await this.refresh();
  }

  /** WPS_PBC: false on a PBC session overlap (WPS-OVERLAP-DETECTED). */
  async pushButton(): Promise<boolean> {
    if (!this.registrar.pushButton()) {
      this.overlapReported = true;
      this.emit({ type: 'pbc-overlap' });
      return false;
    }
    this.overlapReported = false;
    this.emit({ type: 'pbc-active' });
    await this.refresh();
    return true;
  }

  /** WPS_NFC_TAG_READ of an Enrollee's password token: the internal Registrar is selected for it; false when refused. */
  async addNfcPasswordToken(oob: OobDevicePassword): Promise<boolean> {
    if (!this.registrar.addNfcPasswordToken(oob)) return false;
    this.log.debug(`WPS: Added NFC Device Password ${oob.passwordId} to Registrar`);
    await this.refresh();
    return true;
  }

  /** WPS_NFC_TOKEN enable / disable. */
  setApNfcToken(t: Required<NfcTokenConfig> | undefined): void {
    this.apNfcToken = t;
    this.log.debug(t === undefined ? 'WPS: Disable NFC token' : `WPS: Enable NFC Tag (Dev Pw Id ${t.devPwId})`);
  }

  /** WPS_CANCEL: PBC mode ends with WPS-TIMEOUT (hostapd wps_registrar_wps_cancel), PINs are dropped, then WPS-CANCEL (hostapd wps_cancel). */
  async cancel(): Promise<void> {
    const { pbcWasActive } = this.registrar.cancel();
    if (pbcWasActive) this.emit({ type: 'pbc-timeout' });
    this.emit({ type: 'cancel' });
    await this.refresh();
  }

  /** The selected-registrar attributes now: the internal Registrar and the ERs. */
  view(): SelectedRegistrarView {
    return this.registrar.view(this.link?.selections() ?? ([] as ExternalSelection[]));
  }

  /**
   * New AP settings took effect on this BSS: the WPS element follows at once
   * (an unconfigured AP becomes configured); with a radio the BSS restarts
   * with the new SSID and security a little later, so that the EAP-WSC run
   * that brought them ends first (hostapd wps_reload_config).
   */
  settingsApplied(next?: { ssid: Uint8Array; rsn: boolean; baseElements: Element[] }): void {
    void this.refresh();
    if (next === undefined || this.opts.driver === undefined) return;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      if (this.closed) return;
      this.log.debug(`WPS: reloading the BSS with SSID ${JSON.stringify(Buffer.from(next.ssid).toString('latin1'))}`);
      this.restart(next).catch((e: Error) => this.log.warn(`WPS: BSS reload failed: ${e.message}`));
    }, RELOAD_DELAY_MS);
    this.reloadTimer.unref();
  }

  private async restart(settings: { ssid: Uint8Array; rsn: boolean; baseElements: Element[] }): Promise<void> {
    const driver = this.opts.driver;
    if (driver === undefined || this.mlme === undefined || this.mlmeOpts === undefined) return;
    for (const s of this.mlme.stations()) await this.mlme.deauthenticate(s.addr).catch((e: Error) => this.log.debug(`wps: deauth ${s.addr}: ${e.message}`));
    await driver.stopAp();
    this.opts.ssid = settings.ssid;
    this.opts.rsn = settings.rsn;
    this.opts.baseElements = settings.baseElements;
    this.mlmeOpts.rsn = settings.rsn;
    await this.bringUp();
    await this.refresh();
    this.emit({ type: 'bss-restarted' });
  }

  private wpsElements(): { beaconElements: Element[]; probeResponseElements: Element[] } {
    const locked = this.opts.ie.apSetupLocked || this.guard.locked;
    return buildApWpsElements({ ...this.opts.ie, apSetupLocked: locked }, this.view());
  }

  /** Rebuilds the WPS element and re-arms the registrar context's one timer. */
  async refresh(): Promise<void> {
    if (this.closed) return;
    this.armDeadline();
    const view = this.view();
    const key = JSON.stringify(view);
    if (key !== this.lastView) {
      this.lastView = key;
      this.emit({ type: 'selection', view });
    }
    const driver = this.opts.driver;
    if (driver === undefined) return;
    const wps = this.wpsElements();
    const base = this.opts.baseElements ?? [];
    try {
      await driver.setApElements({ beaconElements: [...base, ...wps.beaconElements], probeResponseElements: [...base, ...wps.probeResponseElements] });
    } catch (e) {
      this.log.warn(`wps: cannot update the WPS element: ${(e as Error).message}`);
    }
  }

  private armDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const next = this.registrar.nextDeadline();
    if (next === undefined) return;
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = undefined;
      for (const e of this.registrar.expire()) {
        if (e.type === 'pbc-timeout') {
          this.log.debug('WPS: PBC timed out - disable PBC mode');
          this.emit({ type: 'pbc-timeout' });
        } else if (e.type === 'pin-expired') {
          this.log.debug('WPS: PIN timed out');
        } else {
          this.log.debug('WPS: Selected Registrar timed out');
        }
      }
      void this.refresh();
    }, Math.max(0, next - this.now()));
    this.deadlineTimer.unref();
  }

  private onGuard(e: ApPinGuardEvent): void {
    this.emit({ type: e });
    if (e === 'ap-pin-disabled') return;
    const locked = e === 'ap-setup-locked';
    this.started?.publishApStatus(locked ? ApStatus.ConfigurationChanged | ApStatus.SetupLocked : ApStatus.ConfigurationChanged);
    this.log.debug(`WPS: AP Setup Locked ${locked ? 'set' : 'cleared'} in the WPS element`);
    void this.refresh();
  }

  private siblings(): readonly WpsAp[] {
    return this.opts.siblings?.() ?? [this];
  }

  /** The AP's Enrollee for one Registrar run; none without an AP PIN or AP Enrollee (hostapd). */
  private createApEnrollee(): Enrollee | undefined {
    const a = this.opts.apEnrollee;
    const pin = this.guard.apPin.pin;
    if (a === undefined || pin === undefined) return undefined;
    return new Enrollee({ device: a.device, ...this.apEnrolleePassword(pin), ap: this.apEnrolleeConfig(a) });
  }

  /** The AP Enrollee's settings and lock for one run; ap_settings' bytes, when given, go into M7 as they are. */
  private apEnrolleeConfig(a: NonNullable<WpsApOptions['apEnrollee']>): EnrolleeApConfig {
    const ap = this.guard.enrolleeConfig(a.settings(), a.wpsState?.());
    if (a.settingsAttributes !== undefined) ap.settingsAttributes = a.settingsAttributes;
    return ap;
  }

  /** A run's DH key pair from the daemon's pool, when it has one (an NFC token's fixed key is not pooled). */
  private pooledDhKey(): { dhKeyPair?: DhKeyPair } {
    const pool = this.opts.dhKeys;
    return pool === undefined ? {} : { dhKeyPair: pool.take() };
  }

  /**
   * The AP's device password as Enrollee: its AP PIN, or with its NFC token
   * enabled the token (its ID, password and DH key) with the AP PIN kept as
   * the alternative a Registrar may ask for in M2 (hostapd wps_init).
   */
  private apEnrolleePassword(pin: string | undefined): Pick<EnrolleeConfig, 'password' | 'altPassword' | 'dhPrivateKey' | 'dhKeyPair'> {
    const t = this.apNfcToken;
    if (t === undefined) return pin === undefined ? this.pooledDhKey() : { password: { kind: 'pin', pin }, ...this.pooledDhKey() };
    const out: Pick<EnrolleeConfig, 'password' | 'altPassword' | 'dhPrivateKey'> = {
      password: { kind: 'pin', pin: nfcDevicePassword(t.devPw), devicePasswordId: t.devPwId },
      dhPrivateKey: t.dhPrivkey,
    };
    if (pin !== undefined) out.altPassword = { pin, devicePasswordId: DevicePasswordId.Default };
    return out;
  }

  /**
   * The internal Registrar's device password for an M1, with the DH key
   * hostapd's wps_build_public_key takes: for a connection handover the key
   * of this AP's handover select; for the ID of the AP's own enabled
   * password token (no Enrollee token read for it) that token's password
   * and key ("own NFC Password Token").
   */
  private devicePasswordFor(e: EnrolleeInfo): DevicePasswordChoice | undefined {
    const own = this.apNfcToken;
    if (own !== undefined && e.devicePasswordId === own.devPwId && !this.registrar.nfcTokenIds.includes(own.devPwId)) {
      return { kind: 'nfc', passwordId: own.devPwId, password: own.devPw, dhPrivateKey: own.dhPrivkey };
    }
    const choice = this.registrar.passwordFor(e);
    const key = this.opts.nfc?.dhPrivkey;
    if (choice?.kind === 'nfc' && choice.passwordId === DevicePasswordId.NfcConnectionHandover && key !== undefined) {
      return { ...choice, dhPrivateKey: key };
    }
    return choice;
  }

  /** Events of the AP's Enrollee (an ER over UPnP, or a station Registrar): the AP PIN lockout of every sibling, then out. */
  private onApEnrolleeEvents(addr: MacAddress | undefined, events: readonly WpsEvent[]): void {
    for (const event of events) {
      if (event.type === 'pwd-auth-fail' && event.local === 'enrollee') {
        for (const b of this.siblings()) b.guard.recordFailure();
      } else if (event.type === 'ap-pin-success') {
        for (const b of this.siblings()) b.guard.recordSuccess();
      }
      this.emit({ type: 'wps', addr, event });
    }
  }

  private apEnrolleeBackend(station: StationEntry): WscBackend | undefined {
    const a = this.opts.apEnrollee;
    if (a === undefined) return undefined;
    const pin = this.guard.apPin.pin;
    // Without an AP PIN the Enrollee still answers M1 (Windows probes so), then refuses the Registrar (hostapd).
    const cfg: EnrolleeConfig = {
      device: a.device,
      ap: this.apEnrolleeConfig(a),
      peerAddress: Buffer.from(macToBytes(station.addr)),
      ...this.apEnrolleePassword(pin),
    };
    if (this.opts.rng !== undefined) cfg.rng = this.opts.rng;
    return new ApEnrolleeBackend(new Enrollee(cfg), (events) => this.onApEnrolleeEvents(station.addr, events));
  }

  private newBackend(station: StationEntry): WscBackend {
    const registrar = new Registrar({
      device: this.opts.registrarDevice,
      pbc: this.registrar.pbc,
      rng: this.opts.rng,
      ...this.pooledDhKey(),
      policy: {
        devicePassword: (e) => this.devicePasswordFor(e),
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
    if (this.link !== undefined) {
      backendOpts.external = {
        available: () => this.link?.subscribed === true,
        onToExternal: (message, enrollee, m1) => this.toExternal(enrollee, message, m1),
      };
    }
    if (this.opts.m2WaitMs !== undefined) backendOpts.m2WaitMs = this.opts.m2WaitMs;
    if (this.opts.externalTimeoutMs !== undefined) backendOpts.externalTimeoutMs = this.opts.externalTimeoutMs;
    const backend = new RegistrarBackend(backendOpts);
    this.backends.get(station.addr)?.close();
    this.backends.set(station.addr, backend);
    return backend;
  }

  /** An Enrollee message for the ERs; an M1 (parsed once, by the backend) also opens a proxied run. */
  private toExternal(enrollee: MacAddress, message: Buffer, m1: WscMessage | undefined): void {
    const uuid = m1?.get(AttributeType.UuidE);
    if (m1 !== undefined && uuid !== undefined) {
      if (this.proxiedRuns.size >= MAX_PROXIED_RUNS) this.proxiedRuns.delete(this.proxiedRuns.keys().next().value as MacAddress);
      const pwId = m1.get(AttributeType.DevicePasswordId);
      const pbc = pwId !== undefined && pwId.length === 2 && pwId.readUInt16BE(0) === DevicePasswordId.PushButton;
      this.proxiedRuns.set(enrollee, { uuid: Buffer.from(uuid), password: pbc ? 'pbc' : 'pin' });
    }
    this.link?.toExternal(macToBytes(enrollee), message);
  }

  /** An ER's PutWLANResponse: to the run of the Enrollee with that MAC, if one waits. */
  private deliverFromExternal(r: WlanResponse): void {
    const b = r.mac.length === 6 ? this.backends.get(macFromBytes(r.mac)) : undefined;
    if (b === undefined) {
      this.log.debug('WPS UPnP: No matching STA found');
      return;
    }
    b.deliverFromExternal(r.message);
  }

  private runFinished(addr: MacAddress, outcome: EapWscOutcome): void {
    this.backends.delete(addr);
    const proxied = this.proxiedRuns.get(addr);
    this.proxiedRuns.delete(addr);
    if (proxied !== undefined && outcome.result === 'success') this.emit({ type: 'proxied-success', addr, ...proxied });
    this.emit({ type: 'eap-finished', addr, outcome });
  }

  private onRegistrarEvents(addr: MacAddress, events: WpsEvent[]): void {
    let changed = false;
    for (const event of events) {
      if (event.type === 'reg-success') {
        // wps_registrar_pbc_completed / wps_registrar_pin_completed: the internal Registrar is no longer selected.
        const { pbcEnded } = this.registrar.registered(event.uuid, event.password);
        this.emit({ type: 'wps', addr, event });
        if (pbcEnded) this.emit({ type: 'pbc-disable' });
        changed = true;
        continue;
      }
      if (event.type === 'invalidate-pin') this.registrar.invalidate(event.uuid);
      this.emit({ type: 'wps', addr, event });
      if (event.type === 'pbc-overlap') {
        this.overlapReported = true;
        this.emit({ type: 'pbc-overlap' });
      }
    }
    if (changed) void this.refresh();
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

  /**
   * hostapd_wps_probe_req_rx, the Probe Request parsed once: any WPS one
   * feeds the PBC session table (hostapd runs its probe callbacks before the
   * SSID check) and is seen; one for our SSID (or the wildcard) also goes to
   * the ERs as WLANEvent type 1 and may show an overlap.
   */
  private onProbeRequest(addr: MacAddress, elements: readonly Element[]): void {
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
    if (probe.pbc && probe.uuidE !== undefined) {
      const r = this.registrar.pbc.probeRequest(macToBytes(addr), probe.uuidE);
      if (r.overlap) this.log.debug(`wps: PBC session overlap seen in Probe Requests (${addr})`);
    }
    const ssid = findElement(elements, ElementId.SSID);
    const forOurSsid = ssid === undefined || ssid.data.length === 0 || Buffer.from(ssid.data).equals(Buffer.from(this.opts.ssid));
    this.emit({ type: 'enrollee-seen', addr, probe, forOurSsid });
    if (!forOurSsid) return;
    if (this.link?.probe(macToBytes(addr), joined) === true) this.log.debug(`WPS UPnP: Proxying WLANEvent from ${addr}`);
    if (probe.pbc && this.registrar.pbc.overlapForced && !this.overlapReported) {
      this.overlapReported = true;
      this.emit({ type: 'pbc-overlap' });
    }
  }
}

