/**
 * One BSS of `wpsd ap` with WPS: its state, AP PIN and lockout, control
 * socket and (with upnp_iface) the WFADevice through which External
 * Registrars learn or configure it. The radio side comes later; a BSS here
 * needs no radio (driver=none / wired).
 *
 * API:
 *   ApBss.start(opts): Promise<ApBss>   .stop(): Promise<void>
 *   .state  .apPin  .lockout  .device  .ctrl
 *   .emit(line)                          control event (level INFO) + log
 *   .applyNewSettings(cred)              what hostapd's hapd_wps_cred_cb does
 *   .setWlanResponseHandler(fn) / .onSelectedRegistrarChange(fn) / .onSettingsApplied(fn) / .proxyWlanEvent(type, mac, msg) / .selectedRegistrars
 *                                        the radio side's hooks (PutWLANResponse, SetSelectedRegistrar, WLANEvent)
 */
import { Logger, silentLogger } from '../common/log.js';
import { CtrlServer } from '../ctrl/server.js';
import { MSG_INFO } from '../ctrl/monitors.js';
import { WfaDevice, ApStatus } from '../proxy/wfa-device.js';
import { createWfaActions, type WlanResponse, type WlanResponseResult } from '../proxy/wfa-actions.js';
import type { SelectedRegistrars } from '../proxy/selected-registrar.js';
import { resolveInterface } from '../upnp/net-address.js';
import { ApPinLockout, WPS_EVENT_AP_SETUP_LOCKED, WPS_EVENT_AP_SETUP_UNLOCKED } from '../wps/ap-pin-lockout.js';
import type { Credential } from '../wps/credential.js';
import { formatUuid } from '../wps/device.js';
import { Enrollee } from '../wps/enrollee.js';
import type { WpsStep } from '../wps/events.js';
import { AuthType, WpsState } from '../wps/values.js';
import { ApPin } from './ap-pin.js';
import { BssState } from './bss.js';
import type { HostapdBssConfig, HostapdConfig } from './config.js';
import { applyNewApSettings } from './config-writer.js';
import { newApSettingsLine, wpsEventLine } from './events.js';
import { apDeviceInfo } from './wps-device.js';
import { WpsStatus } from './wps-status.js';

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
  now?: () => number;
}

export class ApBss {
  readonly state: BssState;
  readonly lockout: ApPinLockout;
  readonly apPin: ApPin;
  /** WPS_GET_STATUS: PBC state and the last run's result, fed by the ER runs here and the radio path's. */
  readonly wpsStatus = new WpsStatus();
  ctrl: CtrlServer | undefined;
  device: WfaDevice | undefined;
  private readonly log: Logger;
  private lockTimer: NodeJS.Timeout | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private wlanResponseHandler: ((r: WlanResponse) => WlanResponseResult) | undefined;
  private selectedRegistrarListener: (() => void) | undefined;
  private settingsListener: (() => void) | undefined;
  private group: (() => readonly ApBss[]) | undefined;
  /** SetSelectedRegistrar state of the ERs (undefined without a UPnP device); read by the radio side. */
  selectedRegistrars: SelectedRegistrars | undefined;

  private constructor(private readonly opts: ApBssOptions) {
    const conf = this.conf;
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.state = new BssState(opts.config, conf, opts.ownAddr, opts.uuid);
    this.lockout = new ApPinLockout({
      now: this.now,
      setupLocked: conf.apSetupLocked === 1,
      onEvent: (ev) => {
        if (ev === 'SETUP-LOCKED') {
          this.emit(WPS_EVENT_AP_SETUP_LOCKED);
          this.device?.publishApStatus(ApStatus.ConfigurationChanged | ApStatus.SetupLocked);
        } else {
          this.log.debug('WPS: Re-enable AP PIN');
          this.emit(WPS_EVENT_AP_SETUP_UNLOCKED);
          this.device?.publishApStatus(ApStatus.ConfigurationChanged);
        }
      },
    });
    this.apPin = new ApPin({ pin: conf.apPin, lockout: this.lockout, emit: (l) => this.emit(l), logger: this.log });
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
        logger: this.log,
      });
    }
    if (conf.wpsState !== 0 && conf.upnpIface !== undefined && this.opts.noUpnp !== true && this.state.uuid !== undefined) {
      const uuid = this.state.uuid;
      const { service, selectedRegistrars } = createWfaActions({
        createEnrollee: () => this.createEnrollee(),
        onEnrolleeStep: (step) => this.onEnrolleeStep(step),
        isSubscriber: (a) => this.device?.isSubscriber(a) ?? false,
        deliverWlanResponse: (r) => this.wlanResponseHandler?.(r) ?? 'no-station',
        onSelectedRegistrarChange: () => this.selectedRegistrarListener?.(),
        now: this.now,
        logger: this.log,
      });
      this.selectedRegistrars = selectedRegistrars;
      const u = this.opts.upnp ?? {};
      let iface;
      try {
        iface = resolveInterface(conf.upnpIface);
      } catch (e) {
        throw new Error(`${conf.iface}: upnp_iface=${conf.upnpIface}: ${(e as Error).message}`, { cause: e });
      }
      this.device = new WfaDevice({
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
        service,
        logger: this.log,
        ...(u.ssdpPort !== undefined ? { ssdpPort: u.ssdpPort } : {}),
        ...(u.httpPort !== undefined ? { httpPort: u.httpPort } : {}),
        ...(u.callbackPolicy !== undefined ? { callbackPolicy: u.callbackPolicy } : {}),
        ...(u.maxSubscribers !== undefined ? { maxSubscribers: u.maxSubscribers } : {}),
      });
      await this.device.start();
      this.log.info(`${conf.iface}: WPS UPnP device on ${conf.upnpIface} at ${this.device.location}`);
    }
  }

  async stop(): Promise<void> {
    if (this.lockTimer) clearTimeout(this.lockTimer);
    this.lockTimer = undefined;
    this.apPin.close();
    const dev = this.device;
    this.device = undefined;
    if (dev) await dev.stop();
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

  /** The AP's Enrollee for one External Registrar run; none without an AP PIN (hostapd). */
  private createEnrollee(): Enrollee | undefined {
    const pin = this.apPin.pin;
    if (pin === undefined || this.state.uuid === undefined) return undefined;
    const lockout = this.lockout;
    const learnOnly = this.conf.apSetupLocked === 2;
    return new Enrollee({
      device: apDeviceInfo(this.opts.config, this.conf, this.state.uuid, this.state.ownAddr),
      password: { kind: 'pin', pin },
      ap: {
        settings: this.state.currentCredential(),
        ...(this.conf.apSettingsData !== undefined ? { settingsAttributes: this.conf.apSettingsData } : {}),
        wpsState: this.state.wpsState === 1 ? WpsState.NotConfigured : WpsState.Configured,
        // Read when M2 / M8 arrive, so a lock that starts during the run applies.
        get setupLocked(): boolean | 'learn-only' {
          if (lockout.isLocked()) return true;
          return learnOnly ? 'learn-only' : false;
        },
      },
    });
  }

  private onEnrolleeStep(step: WpsStep): void {
    for (const ev of step.events) {
      this.wpsStatus.onEvent(ev);
      switch (ev.type) {
        case 'pwd-auth-fail':
          // hostapd_pwd_auth_fail runs wps_pwd_auth_fail for each WPS BSS that has an AP PIN.
          if (ev.local !== 'enrollee') break;
          for (const b of this.wpsSiblings()) {
            if (b.apPin.pin === undefined) continue;
            b.lockout.recordFailure();
            b.log.debug(`WPS: AP PIN authentication failure number ${b.lockout.failures} (${b.lockout.consecutiveFailures} consecutive)`);
            b.scheduleUnlock();
          }
          break;
        case 'ap-pin-success':
          for (const b of this.wpsSiblings()) b.lockout.recordSuccess();
          break;
        case 'new-ap-settings':
          this.applyNewSettings(ev.settings, ev.attributes);
          break;
        case 'fail': {
          const line = wpsEventLine(ev, { credProcessing: this.conf.wpsCredProcessing });
          if (line !== undefined) this.emit(line);
          break;
        }
        default: {
          const line = wpsEventLine(ev, { credProcessing: this.conf.wpsCredProcessing });
          if (line !== undefined) this.emit(line);
        }
      }
    }
  }

  private scheduleUnlock(): void {
    if (this.lockTimer) clearTimeout(this.lockTimer);
    this.lockTimer = undefined;
    const at = this.lockout.unlockAt;
    if (at === undefined) return;
    this.log.debug(`WPS: Disable AP PIN for ${Math.round(this.lockout.currentLockoutMs / 1000)} seconds`);
    this.lockTimer = setTimeout(() => {
      this.lockTimer = undefined;
      this.lockout.tick();
    }, Math.max(0, at - this.now()));
    this.lockTimer.unref();
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
    this.emit(line, line.length > 'WPS-NEW-AP-SETTINGS '.length ? 'WPS-NEW-AP-SETTINGS '.length : undefined);
    this.log.debug(`WPS: Received new AP Settings: SSID ${JSON.stringify(cred.ssid.toString('latin1'))} auth 0x${cred.authType.toString(16)} encr 0x${cred.encrType.toString(16)} key ${this.log.key(cred.networkKey.toString('latin1'))}`);
    if (conf.wpsCredProcessing === 1) return 'event-only';
    const psk = (cred.authType & (AuthType.Wpa2Psk | AuthType.WpaPsk)) !== 0;
    if (psk && (cred.networkKey.length < 8 || cred.networkKey.length > 64)) {
      this.log.info(`WPS: Invalid key length ${cred.networkKey.length} for WPA/WPA2`);
      return 'refused';
    }
    this.state.applyCredential(cred);
    this.settingsListener?.();
    return 'applied';
  }

  /**
   * Hooks for the radio side (a later issue): PutWLANResponse delivery to a
   * station, and changes of the ERs' SetSelectedRegistrar state.
   */
  setWlanResponseHandler(handler: ((r: WlanResponse) => WlanResponseResult) | undefined): void {
    this.wlanResponseHandler = handler;
  }

  onSelectedRegistrarChange(listener: (() => void) | undefined): void {
    this.selectedRegistrarListener = listener;
  }

  /** Called once this BSS's state has taken new AP settings (the radio side restarts the BSS with them). */
  onSettingsApplied(listener: (() => void) | undefined): void {
    this.settingsListener = listener;
  }

  /** Proxies a station's probe request (type 1) or EAP message (type 2) to the subscribed ERs. */
  proxyWlanEvent(type: number, mac: Uint8Array, message: Uint8Array): void {
    this.device?.publishWlanEvent(type, mac, message);
  }

  /** Resolves once pending config file writes are done (tests, clean stop). */
  flushWrites(): Promise<void> {
    return this.writes;
  }
}
