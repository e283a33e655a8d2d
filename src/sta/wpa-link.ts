/**
 * WPA2-PSK on the station's current association (wpa_supplicant's
 * rsn_supp/wpa.c glue in wpas_glue.c and events.c): a WpaSupplicant fed with
 * the EAPOL-Key frames from the AP, its keys installed in the driver, the
 * port opened when message 3 is done, and the AP's later group key updates.
 * `done` settles once: 'completed', or why the association ended first
 * (the AP's deauthentication during the handshake is how a wrong PSK shows).
 *
 * API:
 *   new StationWpaLink(opts)   .done: Promise<LinkOutcome>   .state   .close()
 */
import { type Logger, silentLogger } from '../common/log.js';
import { type StationDriver, type DriverEvent, DriverError } from '../radio/driver.js';
import { EapolType, parseEapol, EapolError } from '../radio/eapol.js';
import type { MacAddress } from '../radio/mac.js';
import { RsnCipher } from '../radio/rsn-ie.js';
import { WpaSupplicant, type SupplicantEvent, type SupplicantState } from '../radio/wpa/supplicant.js';
import type { WpaRandom } from '../radio/wpa/events.js';
import { realTimers, type WpaTimers } from '../radio/wpa/events.js';

/** wpa_supplicant_req_auth_timeout(wpa_s, 10, 0) after association with a PSK network. */
export const PSK_AUTH_TIMEOUT_MS = 10_000;

export type LinkOutcome =
  | { result: 'completed' }
  /** The association ended during the handshake (reason from the Deauthentication, or ours). */
  | { result: 'disconnected'; reason: number; locallyGenerated: boolean; during: SupplicantState }
  /** No handshake within the timeout; the association is still up. */
  | { result: 'timeout' }
  | { result: 'closed' };

export interface StationWpaLinkOptions {
  driver: StationDriver;
  bssid: MacAddress;
  pmk: Uint8Array;
  ownRsnElement: Uint8Array;
  apRsnElement: Uint8Array;
  random: WpaRandom;
  /** Text lines for monitors ("WPA: Key negotiation completed ...", "WPA: Group rekeying completed ..."). */
  emit: (line: string) => void;
  onState?: (state: SupplicantState) => void;
  timeoutMs?: number;
  timers?: WpaTimers;
  logger?: Logger;
}

export class StationWpaLink {
  readonly done: Promise<LinkOutcome>;
  private settle!: (o: LinkOutcome) => void;
  private settled = false;
  private readonly supp: WpaSupplicant;
  private readonly unsubscribe: () => void;
  private readonly cancelTimeout: () => void;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly o: StationWpaLinkOptions) {
    this.log = o.logger ?? silentLogger;
    this.done = new Promise((resolve) => (this.settle = resolve));
    this.supp = new WpaSupplicant({
      spa: o.driver.address,
      aa: o.bssid,
      pmk: o.pmk,
      ownRsnElement: o.ownRsnElement,
      apRsnElement: o.apRsnElement,
      random: o.random,
      onEvent: (e) => this.onSupplicantEvent(e),
    });
    this.unsubscribe = o.driver.onEvent((e) => this.onDriverEvent(e));
    this.cancelTimeout = (o.timers ?? realTimers).set(o.timeoutMs ?? PSK_AUTH_TIMEOUT_MS, () => {
      // The owner deauthenticates (wpa_supplicant_timeout).
      this.finish({ result: 'timeout' });
    });
  }

  get state(): SupplicantState {
    return this.supp.state;
  }

  /** The association is over (or no longer ours). */
  close(): void {
    this.finish({ result: 'closed' });
    this.cancelTimeout();
    this.unsubscribe();
    this.supp.stop();
  }

  private finish(o: LinkOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.cancelTimeout();
    this.settle(o);
  }

  private queue(what: string, op: () => Promise<unknown>): void {
    this.chain = this.chain.then(op).catch((e: unknown) => {
      if (e instanceof DriverError) this.log.debug(`WPA: ${what}: ${e.message}`);
      else this.log.error(`WPA: ${what}: ${(e as Error).message}`);
    });
  }

  private onSupplicantEvent(e: SupplicantEvent): void {
    const d = this.o.driver;
    switch (e.type) {
      case 'send':
        this.queue('send EAPOL-Key', () => d.sendEapol(this.o.bssid, e.eapol));
        return;
      case 'state':
        this.o.onState?.(e.state);
        return;
      case 'install-ptk':
        this.queue('install PTK', () => d.installKey({ type: 'pairwise', cipher: RsnCipher.CCMP_128, keyIndex: 0, key: e.tk, addr: this.o.bssid }));
        return;
      case 'install-gtk':
        this.queue('install GTK', () => d.installKey({ type: 'group', cipher: RsnCipher.CCMP_128, keyIndex: e.keyIndex, key: e.gtk, rsc: e.rsc }));
        return;
      case 'completed':
        this.queue('authorize the port', async () => {
          await d.setPortAuthorized(true);
          this.o.emit(`WPA: Key negotiation completed with ${this.o.bssid} [PTK=CCMP GTK=CCMP]`);
          this.finish({ result: 'completed' });
        });
        return;
      case 'group-rekeyed':
        this.queue('group rekey', async () => this.o.emit(`WPA: Group rekeying completed with ${this.o.bssid} [GTK=CCMP]`));
        return;
      case 'failed':
        this.log.info(e.why);
        this.queue('deauthenticate', () => d.disconnect(e.reason));
        return;
      case 'dropped':
        this.log.debug(e.why);
        return;
    }
  }

  private onDriverEvent(e: DriverEvent): void {
    if (e.type === 'disconnected' && e.bssid === this.o.bssid) {
      this.finish({ result: 'disconnected', reason: e.reason, locallyGenerated: e.locallyGenerated, during: this.supp.state });
      this.supp.stop();
      return;
    }
    if (e.type !== 'rx-eapol' || e.src !== this.o.bssid) return;
    try {
      if (parseEapol(e.eapol).type !== EapolType.KEY) return;
    } catch (err) {
      if (err instanceof EapolError) return this.log.debug(`WPA: bad EAPOL from ${e.src}: ${err.message}`);
      throw err;
    }
    this.supp.receive(e.eapol);
  }
}
