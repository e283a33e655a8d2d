/**
 * Glue of the AP's WPS radio path: one EapWscServer per WPS (or maybe-WPS)
 * station that ApMlme associated, fed with the EAPOL PDUs the driver
 * receives, and the station deauthenticated shortly after the EAP-Failure
 * that ends every WPS run (hostapd ap_sta_delayed_1x_auth_fail_disconnect,
 * 10 ms). A WPS 2.0 station gets EAP-Request/Identity at once; others must
 * send EAPOL-Start first (hostapd EAPOL_SM_WAIT_START).
 */
import { type Logger, silentLogger } from '../../common/log.js';
import type { ApDriver, DriverEvent } from '../../radio/driver.js';
import { EapolError, EapolType, parseEapol } from '../../radio/eapol.js';
import { ReasonCode } from '../../radio/frame.js';
import type { MacAddress } from '../../radio/mac.js';
import { EapWscServer, type EapWscOutcome, type PeerRole } from './eap-wsc-server.js';
import type { ApMlme, StationEntry } from './mlme.js';
import type { WscBackend } from './registrar-backend.js';

export const DEAUTH_AFTER_FAILURE_MS = 10;

export interface WpsAuthenticatorOptions {
  driver: ApDriver;
  mlme: ApMlme;
  /** A backend for this station and role (a fresh Registrar run, or the AP's Enrollee); undefined refuses. */
  backendFor: (station: StationEntry, role: PeerRole) => WscBackend | undefined;
  /** Each finished run (after EAP-Failure). */
  onFinished?: (addr: MacAddress, outcome: EapWscOutcome) => void;
  retransmitMs?: number;
  maxRetransmissions?: number;
  fragmentSize?: number;
  deauthDelayMs?: number;
  /**
   * False as with hostapd's eap_server=0: no internal EAP server, so WPS
   * stations associate but no EAP-WSC runs (hostapd would hand their EAP to
   * a RADIUS server; wpsd has none). Default true.
   */
  eapServer?: boolean;
  /**
   * hostapd's ieee8021x=1: every associated station gets an EAPOL
   * authenticator, also one without WPS flags (a wired station). EAP-WSC is
   * the only method behind it; another identity gets EAP-Failure. Without it
   * only WPS and maybe-WPS stations do (hostapd force_1x for WPS).
   */
  ieee8021x?: boolean;
  logger?: Logger;
}

export class WpsAuthenticator {
  private readonly sessions = new Map<MacAddress, EapWscServer>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly log: Logger;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: WpsAuthenticatorOptions) {
    this.log = opts.logger ?? silentLogger;
    this.unsubscribe.push(opts.driver.onEvent((e) => this.onDriverEvent(e)));
    this.unsubscribe.push(
      opts.mlme.onEvent((e) => {
        if (e.type === 'associated') this.onAssociated(e.station);
        else this.drop(e.addr);
      }),
    );
  }

  /** The EAP server of a station, e.g. to reach its backend. */
  session(addr: MacAddress): EapWscServer | undefined {
    return this.sessions.get(addr);
  }

  close(): void {
    for (const u of this.unsubscribe) u();
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private onAssociated(station: StationEntry): void {
    this.drop(station.addr);
    if (!this.wantsEapol(station)) {
      if (station.wired === true) this.log.debug(`wps: ${station.addr}: IEEE 802.1X: Ignore STA - 802.1X not enabled or forced for WPS (set ieee8021x=1)`);
      return;
    }
    if (this.opts.eapServer === false) {
      this.log.debug(`wps: ${station.addr}: no internal EAP server (eap_server=0); no EAP-WSC`);
      return;
    }
    const s = this.create(station);
    // hostapd starts EAP at once only for a WPS 2.0 station; others wait for EAPOL-Start.
    if (station.wps2) s.start();
  }

  private wantsEapol(station: StationEntry): boolean {
    return station.wps || station.maybeWps || this.opts.ieee8021x === true;
  }

  private create(station: StationEntry): EapWscServer {
    const addr = station.addr;
    const server = new EapWscServer({
      peer: addr,
      sendEapol: (eapol) => this.opts.driver.sendEapol(addr, eapol),
      backendFor: (role) => this.opts.backendFor(station, role),
      onFinished: (outcome) => this.finished(addr, server, outcome),
      retransmitMs: this.opts.retransmitMs,
      maxRetransmissions: this.opts.maxRetransmissions,
      fragmentSize: this.opts.fragmentSize,
      logger: this.log,
    });
    this.sessions.set(addr, server);
    return server;
  }

  private finished(addr: MacAddress, server: EapWscServer, outcome: EapWscOutcome): void {
    try {
      this.opts.onFinished?.(addr, outcome);
    } catch (e) {
      this.log.error(`wps: onFinished failed: ${(e as Error).message}`);
    }
    if (outcome.reason === 'station left') return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.sessions.get(addr) !== server) return;
      this.sessions.delete(addr);
      void this.opts.mlme.deauthenticate(addr, ReasonCode.IEEE_802_1X_AUTH_FAILED).catch((e: unknown) => this.log.warn(`wps: deauth failed: ${(e as Error).message}`));
    }, this.opts.deauthDelayMs ?? DEAUTH_AFTER_FAILURE_MS);
    this.timers.add(t);
  }

  private drop(addr: MacAddress): void {
    const s = this.sessions.get(addr);
    if (s === undefined) return;
    this.sessions.delete(addr);
    s.close();
  }

  private onDriverEvent(e: DriverEvent): void {
    if (e.type !== 'rx-eapol' || this.opts.eapServer === false) return;
    let pdu;
    try {
      pdu = parseEapol(e.eapol);
    } catch (err) {
      if (err instanceof EapolError) return this.log.debug(`wps: bad EAPOL from ${e.src}: ${err.message}`);
      throw err;
    }
    let s = this.sessions.get(e.src);
    if (s === undefined || s.finished) {
      const station = this.opts.mlme.station(e.src);
      // A new EAPOL-Start after a finished run starts a new run (hostapd restarts the EAP state machine).
      if (station?.state !== 'associated' || !this.wantsEapol(station) || pdu.type !== EapolType.START) return;
      s = this.create(station);
    }
    s.receiveEapol(pdu.type, pdu.body);
  }
}
