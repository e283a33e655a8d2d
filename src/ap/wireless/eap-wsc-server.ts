/**
 * The EAP authenticator of one WPS association on the AP (hostapd
 * ieee802_1x.c + eap_server_wsc.c): EAP-Request/Identity (right away for a
 * WPS 2.0 station, after EAPOL-Start otherwise), the identity picks the role
 * ("WFA-SimpleConfig-Enrollee-1-0": the station is the Enrollee, WSC_Start
 * and a Registrar backend; "WFA-SimpleConfig-Registrar-1-0": the AP is the
 * Enrollee), then WSC messages both ways with fragmentation (FRAG_ACK),
 * retransmission of the current request (hostapd eap_wsc_getTimeout: 5 s,
 * MaxRetrans 2, i.e. three tries) and EAP-Failure at the end: WPS always
 * ends with EAP-Failure. Any other identity gets EAP-Failure (802.1X/EAP
 * methods and the 4-way handshake are not this module's).
 */
import { type Logger, silentLogger } from '../../common/log.js';
import { buildEapol, EAPOL_VERSION_DEFAULT, EapolType } from '../../radio/eapol.js';
import {
  buildEapIdentity,
  buildEapResult,
  buildEapWsc,
  EAP_TYPE_EXPANDED,
  EAP_TYPE_IDENTITY,
  EapCode,
  EapWscError,
  Fragmenter,
  parseEapHeader,
  parseEapWsc,
  Reassembler,
  WSC_FRAGMENT_SIZE,
  WSC_ID_ENROLLEE,
  WSC_ID_REGISTRAR,
  WscOpCode,
} from '../../wps/eap-wsc.js';
import type { BackendAnswer, WscBackend } from './registrar-backend.js';

/** hostapd eap_wsc_getTimeout(): retransmit after 5 s. */
export const EAP_WSC_RETRANSMIT_MS = 5_000;
/** hostapd: MaxRetrans 2, three tries in all. */
export const EAP_WSC_MAX_RETRANSMISSIONS = 2;
/** A bound on requests of one run, like hostapd's EAP_MAX_AUTH_ROUNDS. */
export const EAP_MAX_ROUNDS = 100;

export type PeerRole = 'enrollee' | 'registrar';

export interface EapWscServerOptions {
  /** The station's address (for logs). */
  peer: string;
  /** Sends one EAPOL PDU to the station. */
  sendEapol: (eapol: Uint8Array) => Promise<void> | void;
  /** The backend for the role the identity asked for; undefined refuses the role (EAP-Failure). */
  backendFor: (role: PeerRole) => WscBackend | undefined;
  /** Called once when the run ends (after EAP-Failure was sent). */
  onFinished: (outcome: EapWscOutcome) => void;
  retransmitMs?: number;
  maxRetransmissions?: number;
  fragmentSize?: number;
  eapolVersion?: number;
  logger?: Logger;
}

export interface EapWscOutcome {
  result: 'success' | 'failure';
  reason: string;
  role?: PeerRole;
}

type State = 'idle' | 'identity' | 'wsc' | 'frag-out' | 'frag-in' | 'busy' | 'done';

export class EapWscServer {
  private state: State = 'idle';
  private identifier: number;
  private lastRequest: Buffer | undefined;
  private retries = 0;
  private rounds = 0;
  /** Counts restarts, so that a backend answer of an abandoned run is ignored. */
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private backend: WscBackend | undefined;
  private role: PeerRole | undefined;
  private fragmenter: Fragmenter | undefined;
  private readonly reassembler = new Reassembler();
  private readonly log: Logger;
  private readonly retransmitMs: number;
  private readonly maxRetransmissions: number;
  private readonly fragmentSize: number;

  constructor(private readonly opts: EapWscServerOptions) {
    this.log = opts.logger ?? silentLogger;
    this.retransmitMs = opts.retransmitMs ?? EAP_WSC_RETRANSMIT_MS;
    this.maxRetransmissions = opts.maxRetransmissions ?? EAP_WSC_MAX_RETRANSMISSIONS;
    this.fragmentSize = opts.fragmentSize ?? WSC_FRAGMENT_SIZE;
    // hostapd picks a random first identifier.
    this.identifier = Math.floor(Math.random() * 256);
  }

  get finished(): boolean {
    return this.state === 'done';
  }

  /** (Re)starts authentication: EAP-Request/Identity. Called on association of a WPS 2.0 station and on EAPOL-Start. */
  start(): void {
    if (this.state === 'done') return;
    if (this.state !== 'idle' && this.state !== 'identity') {
      // hostapd restarts on EAPOL-Start; a station that restarts has given up the old exchange.
      this.log.debug(`${this.opts.peer}: EAPOL-Start during the exchange: restarting`);
      this.resetRun();
    }
    this.state = 'identity';
    this.sendRequest(buildEapIdentity(EapCode.Request, this.nextId(), ''));
  }

  /** An EAPOL PDU from the station. Never throws. */
  receiveEapol(type: number, body: Uint8Array): void {
    try {
      if (type === EapolType.START) return this.start();
      if (type === EapolType.LOGOFF) return this.finish({ result: 'failure', reason: 'EAPOL-Logoff' }, false);
      if (type !== EapolType.EAP_PACKET) return;
      this.receiveEap(body);
    } catch (e) {
      this.log.error(`${this.opts.peer}: EAP processing failed: ${(e as Error).message}`);
      this.finish({ result: 'failure', reason: `internal error: ${(e as Error).message}` }, true);
    }
  }

  /** The station left: stop timers and the backend, no EAP-Failure. */
  close(): void {
    if (this.state === 'done') return;
    this.finish({ result: 'failure', reason: 'station left' }, false);
  }

  private nextId(): number {
    this.identifier = (this.identifier + 1) & 0xff;
    return this.identifier;
  }

  private async sendEap(eap: Buffer): Promise<void> {
    const eapol = buildEapol({ version: this.opts.eapolVersion ?? EAPOL_VERSION_DEFAULT, type: EapolType.EAP_PACKET, body: eap });
    try {
      await this.opts.sendEapol(eapol);
    } catch (e) {
      this.log.warn(`${this.opts.peer}: EAPOL not sent: ${(e as Error).message}`);
    }
  }

  private sendRequest(eap: Buffer): void {
    if (++this.rounds > EAP_MAX_ROUNDS) return this.finish({ result: 'failure', reason: 'too many EAP rounds' }, true);
    this.lastRequest = eap;
    this.retries = 0;
    this.armTimer();
    void this.sendEap(eap);
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onTimeout(), this.retransmitMs);
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.state === 'done' || this.state === 'busy' || this.lastRequest === undefined) return;
    if (this.retries >= this.maxRetransmissions) {
      this.finish({ result: 'failure', reason: 'no response from the station' }, true);
      return;
    }
    this.retries++;
    this.log.debug(`${this.opts.peer}: EAP retransmit ${this.retries}/${this.maxRetransmissions}`);
    this.armTimer();
    void this.sendEap(this.lastRequest);
  }

  private receiveEap(body: Uint8Array): void {
    let h;
    try {
      h = parseEapHeader(body);
    } catch (e) {
      if (e instanceof EapWscError) return this.log.debug(`${this.opts.peer}: bad EAP packet dropped: ${e.message}`);
      throw e;
    }
    // Only a Response to the current request counts; duplicates and stale ones are dropped (RFC 3748 4.1).
    if (h.code !== EapCode.Response || h.identifier !== this.identifier || this.lastRequest === undefined) return;
    if (this.state === 'busy' || this.state === 'done' || this.state === 'idle') return;
    if (this.state === 'identity') {
      if (h.type !== EAP_TYPE_IDENTITY) return;
      return this.onIdentity(h.identity ?? Buffer.alloc(0));
    }
    if (h.type !== EAP_TYPE_EXPANDED) {
      // A NAK or another method: WSC is the only one here.
      return this.finish({ result: 'failure', reason: `EAP type ${h.type ?? 0} instead of WSC` }, true);
    }
    let pkt;
    try {
      pkt = parseEapWsc(body);
    } catch (e) {
      if (e instanceof EapWscError) return this.finish({ result: 'failure', reason: `bad EAP-WSC: ${e.message}` }, true);
      throw e;
    }
    this.stopTimer();
    if (this.state === 'frag-out') {
      if (pkt.opCode !== WscOpCode.FragAck) return this.finish({ result: 'failure', reason: `Op-Code ${pkt.opCode} while waiting for FRAG_ACK` }, true);
      return this.sendNextFragment();
    }
    if (pkt.opCode !== WscOpCode.Ack && pkt.opCode !== WscOpCode.Nack && pkt.opCode !== WscOpCode.Msg && pkt.opCode !== WscOpCode.Done) {
      return this.finish({ result: 'failure', reason: `unexpected Op-Code ${pkt.opCode}` }, true);
    }
    let r;
    try {
      r = this.reassembler.push(pkt);
    } catch (e) {
      if (e instanceof EapWscError) return this.finish({ result: 'failure', reason: `fragment refused: ${e.message}` }, true);
      throw e;
    }
    if (!r.complete) {
      this.state = 'frag-in';
      return this.sendRequest(buildEapWsc({ code: EapCode.Request, identifier: this.nextId(), opCode: WscOpCode.FragAck, flags: 0, data: Buffer.alloc(0) }));
    }
    const backend = this.backend;
    if (backend === undefined) return this.finish({ result: 'failure', reason: 'no backend' }, true);
    this.state = 'busy';
    // An EAPOL-Start while the backend works restarts the run; the old run's answer is then dropped.
    const run = this.generation;
    backend.receive(r.message, r.opCode).then(
      (answer) => {
        if (run === this.generation) this.act(answer);
      },
      (err: unknown) => {
        if (run === this.generation) this.finish({ result: 'failure', reason: `backend failed: ${(err as Error).message}` }, true);
      },
    );
  }

  private onIdentity(identity: Buffer): void {
    const text = identity.toString('utf8');
    const role: PeerRole | undefined = text === WSC_ID_ENROLLEE ? 'enrollee' : text === WSC_ID_REGISTRAR ? 'registrar' : undefined;
    if (role === undefined) return this.finish({ result: 'failure', reason: 'identity is not a WSC identity' }, true);
    this.stopTimer();
    this.role = role;
    this.backend = this.opts.backendFor(role);
    if (this.backend === undefined) return this.finish({ result: 'failure', reason: `no ${role === 'enrollee' ? 'Registrar' : 'Enrollee'} for this station`, role }, true);
    this.state = 'wsc';
    this.act(this.backend.start());
  }

  private act(answer: BackendAnswer): void {
    if (this.state === 'done') return;
    switch (answer.kind) {
      case 'start':
        this.state = 'wsc';
        return this.sendRequest(buildEapWsc({ code: EapCode.Request, identifier: this.nextId(), opCode: WscOpCode.Start, flags: 0, data: Buffer.alloc(0) }));
      case 'send':
        this.fragmenter = new Fragmenter(answer.opCode, answer.message, this.fragmentSize);
        return this.sendNextFragment();
      case 'end':
        return this.finish({ result: answer.result, reason: answer.reason }, true);
    }
  }

  private sendNextFragment(): void {
    const f = this.fragmenter;
    if (f === undefined || f.done) return this.finish({ result: 'failure', reason: 'FRAG_ACK with nothing left to send' }, true);
    const frag = f.next();
    this.state = f.done ? 'wsc' : 'frag-out';
    if (f.done) this.fragmenter = undefined;
    const pkt: Parameters<typeof buildEapWsc>[0] = { code: EapCode.Request, identifier: this.nextId(), opCode: frag.opCode, flags: frag.flags, data: frag.data };
    if (frag.messageLength !== undefined) pkt.messageLength = frag.messageLength;
    this.sendRequest(buildEapWsc(pkt));
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private resetRun(): void {
    this.generation++;
    this.stopTimer();
    this.backend?.close();
    this.backend = undefined;
    this.role = undefined;
    this.fragmenter = undefined;
    this.reassembler.reset();
    this.rounds = 0;
  }

  private finish(outcome: EapWscOutcome, sendFailure: boolean): void {
    if (this.state === 'done') return;
    const role = this.role;
    this.resetRun();
    this.state = 'done';
    this.lastRequest = undefined;
    if (sendFailure) void this.sendEap(buildEapResult(EapCode.Failure, this.identifier));
    this.log.debug(`${this.opts.peer}: EAP-WSC ${outcome.result}: ${outcome.reason}`);
    this.opts.onFinished(role !== undefined && outcome.role === undefined ? { ...outcome, role } : outcome);
  }
}
