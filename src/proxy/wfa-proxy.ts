/**
 * The AP's side of WFAWLANConfig:1, one per BSS with upnp_iface: it owns
 * the WFADevice (SSDP, description, SOAP, GENA), the AP-as-Enrollee runs of
 * External Registrars (GetDeviceInfo / PutMessage), the WLANEvent proxy of
 * wireless Enrollees and the ERs' selections, and gives the AP a small
 * typed link:
 *
 *   toExternal(mac, msg)   an Enrollee's EAP-WSC message -> WLANEvent type 2
 *   probe(mac, tlvs)       a Probe Request's WPS attributes -> WLANEvent type 1 (rate-limited)
 *   'wlan-response'        an ER's PutWLANResponse for the Enrollee at `mac`
 *   'selection'            the ERs' selections changed (SetSelectedRegistrar,
 *                          its timeout, an ER's subscription ending); read selections()
 *
 * API:
 *   WfaProxy.start(opts): Promise<WfaProxy>   .stop()
 *   .toExternal(mac, msg)  .probe(mac, tlvs): boolean  .subscribed  .selections()
 *   .publishApStatus(bits)  .device (baseUrl, location)
 */
import { EventEmitter } from 'node:events';
import { type Logger, silentLogger } from '../common/log.js';
import type { SelectedRegistrarMessage } from '../wfa/set-selected-registrar.js';
import type { Enrollee } from '../wps/enrollee.js';
import type { WpsStep } from '../wps/events.js';
import { ErSelections, type ErSelection } from './er-selections.js';
import { createWfaActions, type WlanResponse } from './wfa-actions.js';
import { WfaDevice, type WfaDeviceOptions } from './wfa-device.js';
import { WlanEventProxy } from './wlan-proxy.js';

export type { WlanResponse } from './wfa-actions.js';
export type { ErSelection } from './er-selections.js';

export interface WfaProxyEvents {
  'wlan-response': [WlanResponse];
  selection: [];
}

export interface WfaProxyOptions {
  device: Omit<WfaDeviceOptions, 'service' | 'logger' | 'onSubscriptionEnded'>;
  /** The AP as Enrollee for an ER's run: a fresh Enrollee (undefined without an AP PIN), and every step of the run. */
  apEnrollee: { create(): Enrollee | undefined; onStep(step: WpsStep, remote: string): void };
  /** How long an ER's selection lasts (hostapd: the walk time, 120 s). */
  selectionTimeoutMs?: number;
  /** One WLANEvent type 1 per Enrollee per this long. */
  probeIntervalMs?: number;
  now?: () => number;
  logger?: Logger;
}

export class WfaProxy extends EventEmitter<WfaProxyEvents> {
  readonly device: WfaDevice;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly wlan: WlanEventProxy;
  private readonly ers: ErSelections;
  private lapseTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(opts: WfaProxyOptions) {
    super();
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    const { service } = createWfaActions({
      createEnrollee: () => opts.apEnrollee.create(),
      onEnrolleeStep: (step, remote) => opts.apEnrollee.onStep(step, remote),
      isSubscriber: (a) => this.device.isSubscriber(a),
      deliverWlanResponse: (r) => this.emit('wlan-response', r),
      setSelection: (er, msg) => this.setSelection(er, msg),
      now: this.now,
      logger: this.log,
    });
    this.device = new WfaDevice({ ...opts.device, service, logger: this.log, onSubscriptionEnded: (a) => this.subscriptionEnded(a) });
    this.ers = new ErSelections({ now: this.now, maxErs: this.device.maxSubscribers, ...(opts.selectionTimeoutMs !== undefined ? { timeoutMs: opts.selectionTimeoutMs } : {}) });
    this.wlan = new WlanEventProxy({
      publish: (type, mac, msg) => this.device.publishWlanEvent(type, mac, msg),
      now: this.now,
      ...(opts.probeIntervalMs !== undefined ? { probeIntervalMs: opts.probeIntervalMs } : {}),
    });
  }

  static async start(opts: WfaProxyOptions): Promise<WfaProxy> {
    const p = new WfaProxy(opts);
    await p.device.start();
    return p;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.lapseTimer) clearTimeout(this.lapseTimer);
    this.lapseTimer = undefined;
    this.removeAllListeners();
    await this.device.stop();
  }

  /** True while an ER holds an event subscription (hostapd upnp_wps_subscribers). */
  get subscribed(): boolean {
    return this.device.subscriberCount > 0;
  }

  /** An Enrollee's WSC message, to every subscribed ER. */
  toExternal(mac: Uint8Array, message: Uint8Array): void {
    this.wlan.eapMessage(mac, message);
  }

  /** A Probe Request's joined WPS attributes; false when this Enrollee's last one went out too recently. */
  probe(mac: Uint8Array, tlvs: Uint8Array): boolean {
    return this.wlan.probeRequest(mac, tlvs);
  }

  /** The ERs' current selections. */
  selections(): ErSelection[] {
    return this.ers.active();
  }

  publishApStatus(bits: number): void {
    this.device.publishApStatus(bits);
  }

  private setSelection(er: string, msg: SelectedRegistrarMessage): 'changed' | 'full' {
    const r = this.ers.set(er, msg);
    if (r === 'changed') this.selectionChanged();
    return r;
  }

  private subscriptionEnded(address: string): void {
    if (this.device.isSubscriber(address)) return;
    if (this.ers.remove(address)) {
      this.log.debug(`WPS UPnP: ER ${address} unsubscribed: its selection ends`);
      this.selectionChanged();
    }
  }

  private selectionChanged(): void {
    if (this.stopped) return;
    this.armLapse();
    this.emit('selection');
  }

  /** One timer, at the earliest selection's end (hostapd upnp_er_set_selected_timeout). */
  private armLapse(): void {
    if (this.lapseTimer) clearTimeout(this.lapseTimer);
    this.lapseTimer = undefined;
    const next = this.ers.nextExpiry;
    if (next === undefined) return;
    this.lapseTimer = setTimeout(() => {
      this.lapseTimer = undefined;
      if (this.ers.expire()) {
        this.log.debug('WPS UPnP: SetSelectedRegistrar timed out');
        this.selectionChanged();
      } else {
        this.armLapse();
      }
    }, Math.max(0, next - this.now()));
    this.lapseTimer.unref();
  }
}
