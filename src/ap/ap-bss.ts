/**
 * One BSS of `wpsd ap`: its state (SSID, security, WPS state), control
 * socket, new settings from Registrars (applied to every WPS sibling, the
 * file rewritten once), and its WPS owner (WpsAp: registrar context, AP PIN
 * and lockout, UPnP proxy, and with a radio the WPS element and EAP-WSC).
 * The BSS turns WpsAp's typed events into hostapd's control lines and
 * applies the settings they carry.
 *
 * API:
 *   ApBss.start(opts): Promise<ApBss>   .stop(): Promise<void>
 *   .state  .conf  .ctrl  .wps (WpsAp | undefined when wps_state=0)
 *   .emit(line)                          control event (level INFO) + log
 *   .applyNewSettings(cred, received?)   what hostapd's hapd_wps_cred_cb does
 *   .wpsSiblings()  .setGroup(fn)  .flushWrites()
 */
import { Logger, silentLogger } from '../common/log.js';
import { CtrlServer } from '../ctrl/server.js';
import { MSG_INFO } from '../ctrl/monitors.js';
import type { ApDriver } from '../radio/driver.js';
import { macFromBytes, macToBytes } from '../radio/mac.js';
import type { AuthenticatorTuning } from '../radio/wpa/authenticator.js';
import { PlainRadioPath } from './plain-radio-path.js';
import { WpaPath } from './wpa-path.js';
import { bssBaseElements } from './wireless/bss-elements.js';
import { resolveInterface } from '../upnp/net-address.js';
import type { Credential } from '../wps/credential.js';
import type { DhKeyPair } from '../wps/crypto.js';
import { formatUuid } from '../wps/device.js';
import { AuthType, EncrType, RfBand, WpsState } from '../wps/values.js';
import { wpaVersionFromAuthType } from '../wps/no-tkip.js';
import { BssState } from './bss.js';
import type { HostapdBssConfig, HostapdConfig } from './config.js';
import { applyNewApSettings } from './config-writer.js';
import { newApSettingsLine, WPS_EVENT_NEW_AP_SETTINGS } from './events.js';
import { PinRequestFile, pinRequestFrom } from './pin-requests.js';
import { StationCredentials } from './wps/station-credentials.js';
import { WpsAp, type WpsApEvent, type WpsApOptions } from './wps/wps-ap.js';
import { wpsApEventLine } from './wps/wps-lines.js';
import { registerWpsRadioCommands } from './wps-commands.js';
import { registerNfcCommands, type ApNfcControl } from './wps/nfc-commands.js';
import { AP_EVENT_DISABLED, AP_EVENT_ENABLED } from './events.js';
import { baseApParams } from './radio-driver.js';
import { apDeviceInfo } from './wps-device.js';
import { WpsStatus } from './wps-status.js';
import { bssAdmission } from './mac-acl.js';

/** Timings of a BSS's WPS, for tests; the defaults are hostapd's. */
export interface WpsTuning {
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

export interface ApBssOptions {
  config: HostapdConfig;
  index: number;
  ownAddr: Buffer;
  uuid: Buffer | undefined;
  logger?: Logger;
  /** Skips the UPnP device even with upnp_iface (tests of the ctrl side). */
  noUpnp?: boolean;
  /** Overrides for tests: SSDP port, HTTP port, callback policy. */
  upnp?: { ssdpPort?: number; httpPort?: number; callbackPolicy?: 'same-host' | 'same-subnet'; maxSubscribers?: number };
  /** The radio this BSS's WPS runs over (already beaconing), if any. */
  driver?: ApDriver;
  tuning?: WpsTuning;
  now?: () => number;
  /** The daemon's precomputed DH key pairs, shared by its BSSes. */
  dhKeys?: { take(): DhKeyPair };
}

/** hostapd_wps_rf_band_cb: the WPS RF band of hw_mode (a single band even for a dual-band setting). */
function rfBandOf(hwMode: HostapdConfig['hwMode']): number {
  return hwMode === 'a' ? RfBand.Band50GHz : hwMode === 'ad' ? RfBand.Band60GHz : RfBand.Band24GHz;
}

export class ApBss {
  /** Rebuilt from the configuration when the BSS is enabled again (ENABLE, RELOAD). */
  state: BssState;
  /** DISABLE / ENABLE (hostapd's interface state ENABLED / DISABLED). */
  enabled = true;
  ctrl: CtrlServer | undefined;
  wps: WpsAp | undefined;
  /** With a radio: WPA2-PSK (4-way and group key handshakes, wpa_psk_file, per-device PSKs) or the open port. */
  wpa: WpaPath | undefined;
  /** With a radio and no WPS: the MLME and RSN element WpsAp would otherwise hold. */
  private plainRadio: PlainRadioPath | undefined;
  /** WPS_GET_STATUS: PBC state and the last run's result, from this BSS's WPS events. */
  readonly wpsStatus = new WpsStatus();
  private readonly log: Logger;
  private writes: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private group: (() => readonly ApBss[]) | undefined;
  private credentials: StationCredentials;
  private pinFile: PinRequestFile | undefined;

  private constructor(private readonly opts: ApBssOptions) {
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.state = new BssState(opts.config, this.conf, opts.ownAddr, opts.uuid);
    this.credentials = this.stationCredentials();
  }

  get conf(): HostapdBssConfig {
    const c = this.opts.config.bss[this.opts.index];
    if (c === undefined) throw new RangeError(`no BSS ${this.opts.index}`);
    return c;
  }

  /** The whole configuration in memory (SET changes it). */
  get config(): HostapdConfig {
    return this.opts.config;
  }

  get iface(): string {
    return this.conf.iface;
  }

  static async start(opts: ApBssOptions): Promise<ApBss> {
    const b = new ApBss(opts);
    try {
      await b.open();
    } catch (e) {
      await b.stop();
      throw e;
    }
    return b;
  }

  /** What M8 hands an Enrollee, from the current state; with wpa_psk_file a per-device PSK. */
  private stationCredentials(): StationCredentials {
    return new StationCredentials({
      state: this.state,
      conf: () => this.conf,
      perDeviceKey: (mac) => (mac.length === 6 ? this.wpa?.networkKeyFor(macFromBytes(mac)) : undefined),
      log: this.log,
    });
  }

  private async open(): Promise<void> {
    const conf = this.conf;
    if (conf.ctrlInterface !== undefined) {
      this.ctrl = await CtrlServer.open({
        ctrlInterface: conf.ctrlInterface,
        ifname: conf.iface,
        ...(conf.ctrlInterfaceGroup !== undefined ? { group: conf.ctrlInterfaceGroup } : {}),
        holdUntilReady: true,
        logger: this.log,
      });
    }
    // The radio is open but not beaconing: the BSS starts with every element in its first Beacon.
    await this.startWps(true);
    if (this.ctrl !== undefined) registerNfcCommands(this.ctrl.registry, this.nfcControl(), { log: this.log });
    // The commands reach whichever WpsAp is current; without one (disabled) they fail, as hostapd's.
    // With or without a radio, as hostapd: on driver=wired a wired Enrollee uses them over EAPOL; on driver=none no Enrollee reaches them, as there.
    if (this.ctrl !== undefined && this.wps !== undefined) {
      const wps = (): WpsAp => {
        if (this.wps === undefined) throw new Error(`${this.iface}: WPS is not running (interface disabled)`);
        return this.wps;
      };
      registerWpsRadioCommands(this.ctrl.registry, { addPin: (pin, o) => wps().addPin(pin, o), pushButton: () => wps().pushButton(), cancel: () => wps().cancel() }, this.log);
    }
  }

  /** WPS of this BSS from its configuration; `startBss`: bring the radio's BSS up too (at the start, and after DISABLE). */
  private async startWps(startBss: boolean): Promise<void> {
    const conf = this.conf;
    const uuid = this.state.uuid;
    if (conf.wpsState === 0 || uuid === undefined) {
      if (startBss && this.opts.driver !== undefined) await this.opts.driver.startAp(baseApParams(this.opts.config, conf));
      return this.openRadio();
    }
    this.pinFile = conf.wpsPinRequests !== undefined ? new PinRequestFile(conf.wpsPinRequests, this.log) : undefined;
    const wps = new WpsAp({ ...this.wpsOptions(uuid), startBss });
    wps.onEvent((e) => this.onWpsEvent(e));
    this.wps = wps;
    try {
      await wps.start();
    } catch (e) {
      this.wps = undefined;
      await wps.close();
      throw e;
    }
    const loc = wps.proxy?.device.location;
    if (loc !== undefined) this.log.info(`${conf.iface}: WPS UPnP device on ${conf.upnpIface} at ${loc}`);
    await this.openRadio();
  }

  /** The stations' side of the radio: WPA2-PSK next to WPS's MLME, or with an MLME of its own without WPS. */
  private async openRadio(): Promise<void> {
    const driver = this.opts.driver;
    // A wired port has no 4-way handshake and no keys: WPS's EAPOL authenticator is all it runs.
    if (driver === undefined || driver.driverName === 'wired') return;
    const tuning = this.opts.tuning?.wpa;
    const common = { driver, state: this.state, conf: this.conf, emit: (line: string) => this.emit(line), ...(tuning !== undefined ? { tuning } : {}), logger: this.log };
    const mlme = this.wps?.mlme;
    if (mlme !== undefined) {
      this.wpa = await WpaPath.start({ ...common, mlme });
      return;
    }
    this.plainRadio = await PlainRadioPath.start(common);
    this.wpa = this.plainRadio.wpa;
  }

  private closeRadio(): void {
    this.plainRadio?.stop();
    this.plainRadio = undefined;
    this.wpa?.stop();
    this.wpa = undefined;
  }

  /**
   * DISABLE (hostapd_disable_iface): WPS, the UPnP device and the radio's BSS
   * stop; the control socket stays. False when already disabled.
   */
  async disable(quiet = false): Promise<boolean> {
    if (!this.enabled) return false;
    this.enabled = false;
    this.closeRadio();
    const wps = this.wps;
    this.wps = undefined;
    if (wps) await wps.close();
    await this.pinFile?.flush();
    await this.opts.driver?.stopAp().catch((e: Error) => this.log.debug(`${this.iface}: stopAp: ${e.message}`));
    if (!quiet) {
      this.log.info(`${this.iface}: interface state ENABLED->DISABLED`);
      this.emit(AP_EVENT_DISABLED);
    }
    return true;
  }

  /**
   * ENABLE (hostapd_enable_iface): the BSS comes up again from the
   * configuration as it is now (SET changes included). False when already
   * enabled; throws when it cannot start (the BSS stays disabled).
   */
  async enable(quiet = false): Promise<boolean> {
    if (this.enabled) return false;
    this.state = new BssState(this.opts.config, this.conf, this.opts.ownAddr, this.opts.uuid);
    this.credentials = this.stationCredentials();
    await this.startWps(true);
    this.enabled = true;
    if (!quiet) {
      this.log.info(`${this.iface}: interface state DISABLED->ENABLED`);
      this.emit(AP_EVENT_ENABLED);
    }
    return true;
  }

  /** RELOAD (hostapd_reload_iface): the running BSS takes the configuration as it is now, without AP-DISABLED / AP-ENABLED. */
  async reload(): Promise<boolean> {
    if (!this.enabled) return false;
    await this.disable(true);
    await this.enable(true);
    return true;
  }

  /** What the NFC commands need of this BSS. */
  private nfcControl(): ApNfcControl {
    const { config } = this.opts;
    return {
      enabled: () => this.wps !== undefined,
      nfc: this.conf.wpsNfc,
      configTokenCredentials: () => this.configTokenCredentials(),
      // hostapd_wps_rf_band_cb: the band of hw_mode; the AP Channel only when one is set.
      location: () => ({ rfBands: rfBandOf(config.hwMode), apChannel: config.channel ?? 0, macAddress: Buffer.from(this.state.ownAddr) }),
      handoverLocation: () => {
        const macAddress = Buffer.from(this.state.ownAddr);
        if (this.opts.driver === undefined) return { macAddress };
        const channel = config.channel !== undefined && config.channel > 0 ? config.channel : 1;
        return { rfBands: rfBandOf(config.hwMode), apChannel: channel, macAddress };
      },
      ssid: () => Buffer.from(this.state.ssid),
      addNfcPasswordToken: async (oob) => (this.wps === undefined ? false : this.wps.addNfcPasswordToken(oob)),
      setApNfcToken: (t) => this.wps?.setApNfcToken(t),
    };
  }

  /**
   * What WPS_NFC_CONFIG_TOKEN carries (wps_get_oob_cred, through
   * wps_build_cred): the BSS's Credential unless skip_cred_build, then
   * extra_cred. An unconfigured AP's Credential carries a new random
   * passphrase and the AP takes it as its own at once, through the same path
   * as new settings from a Registrar: WPS-NEW-AP-SETTINGS, wps_state=2, the
   * file rewritten.
   */
  private configTokenCredentials(): { credential?: Credential; extra?: Buffer } | undefined {
    const conf = this.conf;
    const extra = conf.extraCredData !== undefined ? { extra: conf.extraCredData } : {};
    if (conf.skipCredBuild === 1) return extra;
    const oob = this.credentials.oob();
    if (oob === undefined) return undefined;
    if (oob.newSettings !== undefined) {
      this.log.debug('WPS: Moving to Configured state based on credential token generation');
      this.log.debug(`WPS: Generated random passphrase ${this.log.key(oob.newSettings.networkKey.toString('latin1'))}`);
      this.applyNewSettings(oob.newSettings);
    }
    return { credential: oob.credential, ...extra };
  }

  private wpsOptions(uuid: Buffer): WpsApOptions {
    const { config } = this.opts;
    const conf = this.conf;
    const state = this.state;
    const t = this.opts.tuning ?? {};
    const device = apDeviceInfo(config, conf, uuid, state.ownAddr);
    const rsn = (state.wpa & 2) !== 0;
    const o: WpsApOptions = {
      iface: conf.iface,
      startBss: false,
      ssid: state.ssid,
      channel: config.channel !== undefined && config.channel > 0 ? config.channel : 1,
      baseElements: bssBaseElements(rsn, conf.multiAp),
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
      // skip_cred_build: only extra_cred's Credentials go to Enrollees (hostapd wps_build_cred).
      credentials: (e) => (conf.skipCredBuild === 1 ? [] : this.credentials.for(e)),
      ...(conf.extraCredData !== undefined ? { extraCredentials: () => conf.extraCredData } : {}),
      eapServer: conf.eapServer === 1,
      ieee8021x: conf.ieee8021x === 1,
      hideSsid: conf.ignoreBroadcastSsid === 1,
      admission: bssAdmission(conf),
      ...(conf.fragmentSize !== undefined ? { fragmentSize: conf.fragmentSize } : {}),
      multiApBackhaul: (e) => this.credentials.backhaul(e.macAddress),
      ...(conf.multiAp !== 0 ? { multiAp: conf.multiAp } : {}),
      apEnrollee: {
        device,
        settings: () => state.currentCredential(),
        ...(conf.apSettingsData !== undefined ? { settingsAttributes: conf.apSettingsData } : {}),
        wpsState: () => (state.wpsState === 1 ? WpsState.NotConfigured : WpsState.Configured),
      },
      apPin: { pin: conf.apPin, setupLocked: conf.apSetupLocked },
      nfc: conf.wpsNfc,
      siblings: () => this.wpsSiblings().flatMap((b) => (b.wps !== undefined ? [b.wps] : [])),
      now: this.now,
      logger: this.log,
    };
    if (this.opts.dhKeys !== undefined) o.dhKeys = this.opts.dhKeys;
    if (this.opts.driver !== undefined) o.driver = this.opts.driver;
    for (const k of ['pbcWalkTimeMs', 'm2WaitMs', 'externalTimeoutMs', 'retransmitMs', 'maxRetransmissions'] as const) {
      if (t[k] !== undefined) o[k] = t[k];
    }
    const upnp = this.upnpOptions(uuid);
    if (upnp !== undefined) o.upnp = upnp;
    return o;
  }

  private upnpOptions(uuid: Buffer): WpsApOptions['upnp'] {
    const conf = this.conf;
    if (conf.upnpIface === undefined || this.opts.noUpnp === true) return undefined;
    let iface;
    try {
      iface = resolveInterface(conf.upnpIface);
    } catch (e) {
      throw new Error(`${conf.iface}: upnp_iface=${conf.upnpIface}: ${(e as Error).message}`, { cause: e });
    }
    const u = this.opts.upnp ?? {};
    const t = this.opts.tuning ?? {};
    return {
      device: {
        iface,
        uuid: formatUuid(uuid),
        strings: {
          ...(conf.friendlyName !== undefined ? { friendlyName: conf.friendlyName } : {}),
          ...(conf.manufacturer !== undefined ? { manufacturer: conf.manufacturer } : {}),
          ...(conf.manufacturerUrl !== undefined ? { manufacturerUrl: conf.manufacturerUrl } : {}),
          ...(conf.modelDescription !== undefined ? { modelDescription: conf.modelDescription } : {}),
          ...(conf.modelName !== undefined ? { modelName: conf.modelName } : {}),
          ...(conf.modelNumber !== undefined ? { modelNumber: conf.modelNumber } : {}),
          ...(conf.modelUrl !== undefined ? { modelUrl: conf.modelUrl } : {}),
          ...(conf.serialNumber !== undefined ? { serialNumber: conf.serialNumber } : {}),
          ...(conf.upc !== undefined ? { upc: conf.upc } : {}),
        },
        ...(u.ssdpPort !== undefined ? { ssdpPort: u.ssdpPort } : {}),
        ...(u.httpPort !== undefined ? { httpPort: u.httpPort } : {}),
        ...(u.callbackPolicy !== undefined ? { callbackPolicy: u.callbackPolicy } : {}),
        ...(u.maxSubscribers !== undefined ? { maxSubscribers: u.maxSubscribers } : {}),
      },
      ...(t.selectedRegistrarTimeoutMs !== undefined ? { selectionTimeoutMs: t.selectedRegistrarTimeoutMs } : {}),
      ...(t.probeEventIntervalMs !== undefined ? { probeIntervalMs: t.probeEventIntervalMs } : {}),
    };
  }

  async stop(): Promise<void> {
    this.closeRadio();
    const wps = this.wps;
    this.wps = undefined;
    if (wps) await wps.close();
    await this.pinFile?.flush();
    await this.writes.catch(() => undefined);
    const ctrl = this.ctrl;
    this.ctrl = undefined;
    if (ctrl) await ctrl.close();
  }

  /** A control event to ATTACHed monitors, and the log (a credential in it only with -K). */
  emit(line: string, secretFrom?: number): void {
    this.ctrl?.emit(MSG_INFO, line);
    const shown = secretFrom === undefined ? line : line.slice(0, secretFrom) + this.log.key(line.slice(secretFrom));
    this.log.info(`${this.iface}: ${shown}`);
  }

  /** The one subscriber of this BSS's WPS events: the settings they carry, the PIN request file, and the control lines. */
  private onWpsEvent(e: WpsApEvent): void {
    this.wpsStatus.onWpsApEvent(e);
    // The AP PIN's timeout ended it: hostapd clears it in its configuration, so RELOAD / ENABLE do not bring it back.
    if (e.type === 'ap-pin-disabled') this.conf.apPin = undefined;
    if (e.type === 'wps') {
      const ev = e.event;
      if (ev.type === 'new-ap-settings') {
        // An ER (UPnP) or a station Registrar (wps_reg) configured the AP.
        this.applyNewSettings(ev.settings, ev.attributes);
        return;
      }
      if (ev.type === 'pin-needed') {
        this.log.debug(`WPS: PIN needed for E-UUID ${formatUuid(ev.uuid)}`);
        void this.pinFile?.append(pinRequestFrom(ev), this.now() / 1000);
      } else if (ev.type === 'reg-success') {
        if (ev.macAddress.length === 6) void this.wpa?.enrolled(macFromBytes(ev.macAddress));
        const settings = this.credentials.takeAutoConfig(ev.macAddress);
        if (settings !== undefined) {
          this.log.debug('WPS: Moving to Configured state based on first Enrollee connection');
          this.applyNewSettings(settings);
        }
      }
    } else if (e.type === 'eap-finished') {
      this.credentials.forget(Buffer.from(macToBytes(e.addr)));
      this.log.debug(`${this.iface}: ${e.addr} EAP-WSC ${e.outcome.result}: ${e.outcome.reason}`);
    } else if (e.type === 'associated') {
      if (e.station.wired === true) this.log.info(`${this.iface}: STA ${e.station.addr} IEEE 802.1X: new station on the wired port`);
      else this.log.info(`${this.iface}: STA ${e.station.addr} IEEE 802.11: associated${e.station.wps ? ' (WPS)' : ''}`);
    } else if (e.type === 'bss-restarted') {
      void this.wpa?.restarted().catch((err: Error) => this.log.warn(`WPA: cannot reinstall the group key: ${err.message}`));
    } else if (e.type === 'disassociated') {
      this.log.info(`${this.iface}: STA ${e.addr} IEEE 802.11: disassociated`);
    }
    const line = wpsApEventLine(e, this.conf.wpsCredProcessing);
    if (line === undefined) return;
    // WPS-ENROLLEE-SEEN goes to monitors only, as hostapd's wpa_msg_ctrl.
    if (e.type === 'enrollee-seen') this.ctrl?.emit(MSG_INFO, line);
    else this.emit(line);
  }

  /**
   * The BSSes a WPS change on this one applies to, as hostapd_wps_for_each():
   * this BSS first, then every other WPS BSS of the process, unless this one
   * or that one is wps_independent.
   */
  wpsSiblings(): ApBss[] {
    const all = this.group?.() ?? [this];
    const others = all.filter((b) => b !== this && b.conf.wpsState !== 0 && b.conf.wpsIndependent === 0 && this.conf.wpsIndependent === 0);
    return [this, ...others];
  }

  /** Set by the daemon: every BSS of the process, for wpsSiblings(). */
  setGroup(group: () => readonly ApBss[]): void {
    this.group = group;
  }

  /**
   * New AP settings from a Registrar (M8, with its decrypted attributes as
   * `received`) or wps_config, as hapd_wps_cred_cb run for each WPS sibling:
   * the event first; with wps_cred_processing=1
   * nothing else; otherwise the settings apply, and the configuration file
   * is rewritten atomically once. Returns false when they are refused.
   */
  applyNewSettings(cred: Credential, received?: Buffer): boolean {
    let ok = true;
    let write = false;
    for (const b of this.wpsSiblings()) {
      const r = b.applyNewSettingsHere(cred, received);
      if (r === 'refused') ok = false;
      if (r === 'applied') write = true;
    }
    if (write) {
      const settings = { ssid: cred.ssid, authType: cred.authType, encrType: cred.encrType, networkKey: cred.networkKey };
      const path = this.opts.config.path;
      this.writes = this.writes.then(async () => {
        try {
          await applyNewApSettings(path, settings);
          this.log.debug('WPS: AP configuration updated');
        } catch (e) {
          this.log.warn(`WPS: could not update ${path}: ${(e as Error).message}`);
        }
      });
    }
    return ok;
  }

  private applyNewSettingsHere(cred: Credential, received: Buffer | undefined): 'event-only' | 'refused' | 'applied' {
    const conf = this.conf;
    const line = newApSettingsLine(cred, conf.wpsCredProcessing, received);
    this.emit(line, line.length > WPS_EVENT_NEW_AP_SETTINGS.length ? WPS_EVENT_NEW_AP_SETTINGS.length : undefined);
    this.log.debug(`WPS: Received new AP Settings: SSID ${JSON.stringify(cred.ssid.toString('latin1'))} auth 0x${cred.authType.toString(16)} encr 0x${cred.encrType.toString(16)} key ${this.log.key(cred.networkKey.toString('latin1'))}`);
    if (conf.wpsCredProcessing === 1) return 'event-only';
    const psk = (cred.authType & (AuthType.Wpa2Psk | AuthType.WpaPsk)) !== 0;
    if (psk && (cred.networkKey.length < 8 || cred.networkKey.length > 64)) {
      this.log.info(`WPS: Invalid key length ${cred.networkKey.length} for WPA/WPA2`);
      return 'refused';
    }
    if (wpaVersionFromAuthType(cred.authType) !== 0 && (cred.encrType & EncrType.Aes) === 0) {
      this.log.info('WPS: new AP settings with WPA/WPA2 but without AES (CCMP); wpsd has no TKIP');
      return 'refused';
    }
    this.state.applyCredential(cred);
    const rsn = (this.state.wpa & 2) !== 0;
    this.wps?.settingsApplied({ ssid: this.state.ssid, rsn, baseElements: bssBaseElements(rsn, conf.multiAp) });
    return 'applied';
  }

  /** Resolves once pending config file and PIN request file writes are done (tests, clean stop). */
  async flushWrites(): Promise<void> {
    await this.writes;
    await this.pinFile?.flush();
  }
}
