/**
 * WPA2-PSK for the stations of one BSS, as hostapd's wpa_auth glue does it
 * (wpa_auth_glue.c, sta_info.c ap_sta_set_authorized): one WpaAuthenticator
 * per station that associated with an RSN element, its keys installed in the
 * driver, its port opened after message 4, and the control events
 *   AP-STA-CONNECTED <mac>[ keyid=<id>]  the port opened (on an open BSS: at association);
 *                                    keyid= names the wpa_psk_file line whose PSK matched
 *   EAPOL-4WAY-HS-COMPLETED <mac>    right after it
 *   AP-STA-POSSIBLE-PSK-MISMATCH <mac>  message 2 matched no PSK
 *   AP-STA-DISCONNECTED <mac>        an authorized station left
 * The BSS's GTK is installed as the default transmit key when the BSS starts
 * and renewed every wpa_group_rekey seconds (or by rekeyGroup()) with the
 * group key handshake to every authorized station.
 *
 * WPS stations (a WPS element and no RSN element) are left to EAP-WSC.
 *
 * API:
 *   new WpaStations(opts) .start() .stop()   .rekeyGroup()   .authorized(addr)
 *   rsnElementBytes(): Uint8Array            the AP's RSN element as advertised
 */
import { CtrlEvent, eventText } from '../ctrl/event-names.js';
import { randomBytes } from 'node:crypto';
import { type Logger, silentLogger } from '../common/log.js';
import { type ApDriver, type DriverEvent, DriverError, KEY_RSC_LEN } from '../radio/driver.js';
import { buildElements } from '../radio/elements.js';
import { EapolType, parseEapol, EapolError } from '../radio/eapol.js';
import type { MacAddress } from '../radio/mac.js';
import { rsnElement, RsnCipher, wpa2PersonalRsn } from '../radio/rsn-ie.js';
import { WpaAuthenticator, type AuthenticatorEvent, type AuthenticatorTuning } from '../radio/wpa/authenticator.js';
import { GroupKey } from '../radio/wpa/group-key.js';
import { realTimers, type WpaRandom, type WpaTimers } from '../radio/wpa/events.js';
import type { ApMlme, MlmeEvent, StationEntry } from './wireless/mlme.js';
import type { PskCandidate } from './wpa-psk-file.js';

export const AP_STA_CONNECTED = eventText(CtrlEvent.ApStaConnected);
export const AP_STA_DISCONNECTED = eventText(CtrlEvent.ApStaDisconnected);
export const EAPOL_4WAY_HS_COMPLETED = eventText(CtrlEvent.Eapol4WayHsCompleted);
export const AP_STA_POSSIBLE_PSK_MISMATCH = eventText(CtrlEvent.ApStaPossiblePskMismatch);
/** hostapd's wpa_group_rekey default (seconds). */
export const DEFAULT_GROUP_REKEY_SEC = 86400;
/** The longest delay a Node.js timer holds (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 0x7fffffff;

/** The RSN element wpsd advertises for wpa=2 WPA-PSK CCMP, whole (ID, Length, data). */
export function rsnElementBytes(): Uint8Array {
  return buildElements([rsnElement(wpa2PersonalRsn())]);
}

export interface WpaStationsOptions {
  driver: ApDriver;
  mlme: ApMlme;
  /** wpa=2 now (the BSS can change with new WPS settings). */
  rsn: () => boolean;
  /** Candidate PMKs for a station: wpa_psk_file entries, then the BSS's PSK. */
  pmks: (addr: MacAddress) => PskCandidate[];
  /** Control event (level INFO). */
  emit: (line: string) => void;
  /** wpa_group_rekey in seconds; 0 disables the timer. */
  groupRekeySec?: number;
  tuning?: AuthenticatorTuning;
  random?: WpaRandom;
  timers?: WpaTimers;
  logger?: Logger;
}

export class WpaStations {
  private readonly sessions = new Map<MacAddress, WpaAuthenticator>();
  private readonly authorizedSet = new Set<MacAddress>();
  private readonly log: Logger;
  private readonly random: WpaRandom;
  private readonly timers: WpaTimers;
  private readonly group: GroupKey;
  private readonly unsubscribe: (() => void)[] = [];
  private cancelRekey: (() => void) | undefined;
  /** Per station, driver calls in the order its state machine asked for them (message 3 out before the key goes in, etc.). */
  private readonly chains = new Map<MacAddress, Promise<unknown>>();
  private stopped = false;
  private groupRsc: Uint8Array = new Uint8Array(KEY_RSC_LEN);

  constructor(private readonly o: WpaStationsOptions) {
    this.log = o.logger ?? silentLogger;
    this.random = o.random ?? randomBytes;
    this.timers = o.timers ?? realTimers;
    this.group = new GroupKey(o.driver.address, this.random);
  }

  /** Installs the GTK and starts serving stations. Call again after the AP restarted (keys went with it). */
  async start(): Promise<void> {
    if (this.unsubscribe.length === 0) {
      this.unsubscribe.push(this.o.mlme.onEvent((e) => this.onMlmeEvent(e)));
      this.unsubscribe.push(this.o.driver.onEvent((e) => this.onDriverEvent(e)));
    }
    if (this.o.rsn()) await this.installGroupKey();
    this.armRekey();
  }

  stop(): void {
    this.stopped = true;
    this.cancelRekey?.();
    for (const u of this.unsubscribe.splice(0)) u();
    for (const s of this.sessions.values()) s.stop();
    this.sessions.clear();
    this.authorizedSet.clear();
  }

  authorized(addr: MacAddress): boolean {
    return this.authorizedSet.has(addr);
  }

  /** A new GTK for the BSS: installed, then delivered to every station with the group key handshake. */
  async rekeyGroup(): Promise<void> {
    if (!this.o.rsn()) return;
    this.group.rekey();
    await this.installGroupKey();
    await this.refreshGroupRsc();
    for (const s of this.sessions.values()) s.rekeyGroup();
  }

  /** Arms the wpa_group_rekey timer; a period longer than one timer can hold is waited out in steps. */
  private armRekey(remainingMs?: number): void {
    this.cancelRekey?.();
    this.cancelRekey = undefined;
    const sec = this.o.groupRekeySec ?? DEFAULT_GROUP_REKEY_SEC;
    if (sec <= 0 || this.stopped) return;
    const left = remainingMs ?? sec * 1000;
    const step = Math.min(left, MAX_TIMER_MS);
    this.cancelRekey = this.timers.set(step, () => {
      if (left > step) return this.armRekey(left - step);
      this.log.debug('WPA: group rekeying (wpa_group_rekey)');
      void this.rekeyGroup()
        .catch((e: Error) => this.log.warn(`WPA: group rekey failed: ${e.message}`))
        .finally(() => this.armRekey());
    });
  }

  private async installGroupKey(): Promise<void> {
    const g = this.group.current();
    await this.o.driver.installKey({ type: 'group', cipher: RsnCipher.CCMP_128, keyIndex: g.keyIndex, key: g.gtk, defaultTx: true });
    this.groupRsc = new Uint8Array(KEY_RSC_LEN);
    this.log.debug(`WPA: GTK installed with key index ${g.keyIndex}`);
  }

  private queue(addr: MacAddress, what: string, op: () => Promise<unknown>): void {
    const next = (this.chains.get(addr) ?? Promise.resolve())
      .then(op)
      .catch((e: unknown) => {
        if (e instanceof DriverError) this.log.debug(`WPA: ${addr}: ${what}: ${e.message}`);
        else this.log.error(`WPA: ${addr}: ${what}: ${(e as Error).message}`);
      })
      .finally(() => {
        if (this.chains.get(addr) === next) this.chains.delete(addr);
      });
    this.chains.set(addr, next);
  }

  private onMlmeEvent(e: MlmeEvent): void {
    if (e.type === 'associated') return this.onAssociated(e.station);
    this.drop(e.addr);
  }

  private onAssociated(sta: StationEntry): void {
    this.drop(sta.addr);
    const addr = sta.addr;
    if (!this.o.rsn()) {
      // hostapd_new_assoc_sta: without WPA or IEEE 802.1X the station is authorized at association.
      this.queue(addr, 'authorize', async () => {
        await this.o.driver.setStationAuthorized(addr, true);
        this.setAuthorized(addr);
      });
      return;
    }
    if (sta.rsnIe === undefined) return; // WPS (or maybe-WPS) association: EAP-WSC, never the port.
    const candidates = this.o.pmks(addr);
    const auth = new WpaAuthenticator({
      aa: this.o.driver.address,
      spa: addr,
      pmks: candidates.map((c) => c.pmk),
      apRsnElement: rsnElementBytes(),
      staRsnElement: sta.rsnIe,
      group: () => ({ ...this.group.current(), rsc: this.groupRsc }),
      random: this.random,
      timers: this.timers,
      onEvent: (ev) => this.onAuthEvent(addr, auth, ev, candidates),
      ...(this.o.tuning !== undefined ? { tuning: this.o.tuning } : {}),
    });
    this.sessions.set(addr, auth);
    // The Key RSC of the GTK is the driver's transmit counter, read before message 3 needs it.
    this.queue(addr, 'start the 4-way handshake', async () => {
      await this.refreshGroupRsc();
      if (this.sessions.get(addr) === auth) auth.start();
    });
  }

  private async refreshGroupRsc(): Promise<void> {
    const index = this.group.current().keyIndex;
    const rsc = await this.o.driver.groupKeySequence(index);
    if (this.group.current().keyIndex === index) this.groupRsc = rsc;
  }

  private onAuthEvent(addr: MacAddress, auth: WpaAuthenticator, e: AuthenticatorEvent, candidates: readonly PskCandidate[]): void {
    if (this.sessions.get(addr) !== auth) return;
    switch (e.type) {
      case 'send':
        this.queue(addr, 'send EAPOL-Key', () => this.o.driver.sendEapol(addr, e.eapol));
        return;
      case 'install-ptk':
        this.queue(addr, 'install PTK', () => this.o.driver.installKey({ type: 'pairwise', cipher: RsnCipher.CCMP_128, keyIndex: 0, key: e.tk, addr }));
        return;
      case 'authorized':
        this.queue(addr, 'authorize', async () => {
          await this.o.driver.setStationAuthorized(addr, true);
          this.setAuthorized(addr, candidates[e.pmkIndex]?.keyid);
        });
        return;
      case 'completed':
        this.queue(addr, '4-way done', async () => this.o.emit(`${EAPOL_4WAY_HS_COMPLETED}${addr}`));
        return;
      case 'psk-mismatch':
        this.log.debug(`${addr}: invalid MIC in msg 2/4 of 4-Way Handshake`);
        this.o.emit(`${AP_STA_POSSIBLE_PSK_MISMATCH}${addr}`);
        return;
      case 'group-completed':
        this.log.debug(`${addr}: group key handshake completed (key index ${e.keyIndex})`);
        return;
      case 'failed':
        this.log.info(`${addr}: WPA: ${e.why}`);
        this.queue(addr, 'deauthenticate', () => this.o.mlme.deauthenticate(addr, e.reason));
        return;
      case 'dropped':
        this.log.debug(`${addr}: WPA: ${e.why}`);
        return;
    }
  }

  private setAuthorized(addr: MacAddress, keyid?: string): void {
    if (this.authorizedSet.has(addr)) return;
    this.authorizedSet.add(addr);
    this.o.mlme.setAuthorized(addr, true);
    this.o.emit(`${AP_STA_CONNECTED}${addr}${keyid !== undefined ? ` keyid=${keyid}` : ''}`);
  }

  private drop(addr: MacAddress): void {
    const s = this.sessions.get(addr);
    this.sessions.delete(addr);
    s?.stop();
    if (this.authorizedSet.delete(addr)) this.o.emit(`${AP_STA_DISCONNECTED}${addr}`);
  }

  private onDriverEvent(e: DriverEvent): void {
    if (e.type !== 'rx-eapol') return;
    const s = this.sessions.get(e.src);
    if (s === undefined) return;
    let type: number;
    try {
      type = parseEapol(e.eapol).type;
    } catch (err) {
      if (err instanceof EapolError) return this.log.debug(`WPA: bad EAPOL from ${e.src}: ${err.message}`);
      throw err;
    }
    if (type === EapolType.KEY) s.receive(e.eapol);
    else if (type === EapolType.START) this.log.debug(`WPA: EAPOL-Start from ${e.src} ignored (PSK)`);
  }
}
