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
 *   .applyNewSettings(cred)              what hostapd's hapd_wps_cred_cb does
 *   .wpsSiblings()  .setGroup(fn)  .flushWrites()
 */
import { Logger, silentLogger } from '../common/log.js';
import { CtrlServer } from '../ctrl/server.js';
import { MSG_INFO } from '../ctrl/monitors.js';
import type { ApDriver } from '../radio/driver.js';
import { macToBytes } from '../radio/mac.js';
import { rsnElement, wpa2PersonalRsn } from '../radio/rsn-ie.js';
import { resolveInterface } from '../upnp/net-address.js';
import type { Credential } from '../wps/credential.js';
import { formatUuid } from '../wps/device.js';
import { AuthType, WpsState } from '../wps/values.js';
import { BssState } from './bss.js';
import type { HostapdBssConfig, HostapdConfig } from './config.js';
import { applyNewApSettings } from './config-writer.js';
import { newApSettingsLine, WPS_EVENT_NEW_AP_SETTINGS } from './events.js';
import { PinRequestFile, pinRequestFrom } from './pin-requests.js';
import { StationCredentials } from './wps/station-credentials.js';
import { WpsAp, type WpsApEvent, type WpsApOptions } from './wps/wps-ap.js';
import { wpsApEventLine } from './wps/wps-lines.js';
import { registerWpsRadioCommands } from './wps-commands.js';
import { apDeviceInfo } from './wps-device.js';

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
}

export class ApBss {
  readonly state: BssState;
  ctrl: CtrlServer | undefined;
  wps: WpsAp | undefined;
  private readonly log: Logger;
  private writes: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private group: (() => readonly ApBss[]) | undefined;
  private readonly credentials: StationCredentials;
  private pinFile: PinRequestFile | undefined;

  private constructor(private readonly opts: ApBssOptions) {
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.state = new BssState(opts.config, this.conf, opts.ownAddr, opts.uuid);
    this.credentials = new StationCredentials({ state: this.state, conf: () => this.conf, band60GHz: opts.config.hwMode === 'ad', log: this.log });
  }

  get conf(): HostapdBssConfig {
    const c = this.opts.config.bss[this.opts.index];
    if (c === undefined) throw new RangeError(`no BSS ${this.opts.index}`);
    return c;
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
    const uuid = this.state.uuid;
    if (conf.wpsState === 0 || uuid === undefined) return;
    this.pinFile = conf.wpsPinRequests !== undefined ? new PinRequestFile(conf.wpsPinRequests, this.log) : undefined;
    this.wps = new WpsAp(this.wpsOptions(uuid));
    this.wps.onEvent((e) => this.onWpsEvent(e));
    await this.wps.start();
    const loc = this.wps.proxy?.device.location;
    if (loc !== undefined) this.log.info(`${conf.iface}: WPS UPnP device on ${conf.upnpIface} at ${loc}`);
    if (this.opts.driver !== undefined && this.ctrl !== undefined) registerWpsRadioCommands(this.ctrl.registry, this.wps, this.log);
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
      baseElements: rsn ? [rsnElement(wpa2PersonalRsn())] : [],
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
      credentials: (e) => this.credentials.for(e),
      multiApBackhaul: (e) => this.credentials.backhaul(e.macAddress),
      ...(conf.multiAp !== 0 ? { multiAp: conf.multiAp } : {}),
      apEnrollee: {
        device,
        settings: () => state.currentCredential(),
        wpsState: () => (state.wpsState === 1 ? WpsState.NotConfigured : WpsState.Configured),
      },
      apPin: { pin: conf.apPin, setupLocked: conf.apSetupLocked },
      siblings: () => this.wpsSiblings().flatMap((b) => (b.wps !== undefined ? [b.wps] : [])),
      now: this.now,
      logger: this.log,
    };
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
    if (e.type === 'wps') {
      const ev = e.event;
      if (ev.type === 'new-ap-settings') {
        // An ER (UPnP) or a station Registrar (wps_reg) configured the AP.
        this.applyNewSettings(ev.settings);
        return;
      }
      if (ev.type === 'pin-needed') {
        this.log.debug(`WPS: PIN needed for E-UUID ${formatUuid(ev.uuid)}`);
        void this.pinFile?.append(pinRequestFrom(ev), this.now() / 1000);
      } else if (ev.type === 'reg-success') {
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
      this.log.info(`${this.iface}: STA ${e.station.addr} IEEE 802.11: associated${e.station.wps ? ' (WPS)' : ''}`);
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
   * New AP settings from a Registrar (M8) or wps_config, as hapd_wps_cred_cb
   * run for each WPS sibling: the event first; with wps_cred_processing=1
   * nothing else; otherwise the settings apply, and the configuration file
   * is rewritten atomically once. Returns false when they are refused.
   */
  applyNewSettings(cred: Credential): boolean {
    let ok = true;
    let write = false;
    for (const b of this.wpsSiblings()) {
      const r = b.applyNewSettingsHere(cred);
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

  private applyNewSettingsHere(cred: Credential): 'event-only' | 'refused' | 'applied' {
    const conf = this.conf;
    const line = newApSettingsLine(cred, conf.wpsCredProcessing);
    this.emit(line, line.length > WPS_EVENT_NEW_AP_SETTINGS.length ? WPS_EVENT_NEW_AP_SETTINGS.length : undefined);
    this.log.debug(`WPS: Received new AP Settings: SSID ${JSON.stringify(cred.ssid.toString('latin1'))} auth 0x${cred.authType.toString(16)} encr 0x${cred.encrType.toString(16)} key ${this.log.key(cred.networkKey.toString('latin1'))}`);
    if (conf.wpsCredProcessing === 1) return 'event-only';
    const psk = (cred.authType & (AuthType.Wpa2Psk | AuthType.WpaPsk)) !== 0;
    if (psk && (cred.networkKey.length < 8 || cred.networkKey.length > 64)) {
      this.log.info(`WPS: Invalid key length ${cred.networkKey.length} for WPA/WPA2`);
      return 'refused';
    }
    this.state.applyCredential(cred);
    const rsn = (this.state.wpa & 2) !== 0;
    this.wps?.settingsApplied({ ssid: this.state.ssid, rsn, baseElements: rsn ? [rsnElement(wpa2PersonalRsn())] : [] });
    return 'applied';
  }

  /** Resolves once pending config file and PIN request file writes are done (tests, clean stop). */
  async flushWrites(): Promise<void> {
    await this.writes;
    await this.pinFile?.flush();
  }
}
