/**
 * The station's EAP-WSC peer (wpa_supplicant eap_peer/eap_wsc.c): answers
 * EAP-Request/Identity with "WFA-SimpleConfig-Enrollee-1-0" (or
 * "-Registrar-1-0" for wps_reg), waits for WSC_Start as Enrollee, then
 * carries WSC messages both ways with fragmentation (FRAG_ACK), driving an
 * Enrollee (src/wps/enrollee.ts) or a Registrar in learn/configure mode
 * against the AP's Enrollee (src/wps/registrar.ts). A repeated Request (same
 * Identifier) is answered with the same Response without processing it again
 * (RFC 3748 4.1), which is what makes the AP's retransmissions work.
 * The run ends with EAP-Failure (WPS always ends so) or when the daemon
 * sees the deauthentication.
 */
import { type Logger, silentLogger } from '../../common/log.js';
import {
  buildEapIdentity,
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
  wscMessageType,
  wscOpCodeFor as opCodeFor,
  WscOpCode,
} from '../../wps/eap-wsc.js';
import type { Enrollee } from '../../wps/enrollee.js';
import type { Credential } from '../../wps/credential.js';
import type { WpsEvent, WpsStep } from '../../wps/events.js';
import type { Registrar } from '../../wps/registrar.js';
import { MessageType } from '../../wps/values.js';

export type PeerMachine = { role: 'enrollee'; enrollee: Enrollee } | { role: 'registrar'; registrar: Registrar };

export interface EapWscPeerOptions {
  machine: PeerMachine;
  /** Sends one EAP packet (the caller wraps it in EAPOL). */
  sendEap: (eap: Buffer) => void;
  /** Events of the state machine, as they happen. */
  onEvents?: (events: WpsEvent[]) => void;
  fragmentSize?: number;
  logger?: Logger;
}

export interface PeerOutcome {
  /** The WPS result of the state machine; undefined when the run stopped before one. */
  result?: 'success' | 'failure';
  credentials: Credential[];
  /** An M2D arrived (and no M2 followed). */
  m2dOnly: boolean;
  /** How the EAP exchange ended. */
  ended: 'eap-failure' | 'eap-success' | 'aborted';
}

export class EapWscPeer {
  private state: 'wait-start' | 'mesg' | 'frag-out' | 'done' = 'wait-start';
  private lastId: number | undefined;
  private lastResponse: Buffer | undefined;
  private fragmenter: Fragmenter | undefined;
  private readonly reassembler = new Reassembler();
  private readonly log: Logger;
  private result: 'success' | 'failure' | undefined;
  private credentials: Credential[] = [];
  private m2d = false;
  private m2 = false;
  private readonly waiters: ((o: PeerOutcome) => void)[] = [];
  private outcome: PeerOutcome | undefined;

  constructor(private readonly opts: EapWscPeerOptions) {
    this.log = opts.logger ?? silentLogger;
    // A Registrar peer gets M1 straight away (no WSC_Start: hostapd's server starts in MESG).
    if (opts.machine.role === 'registrar') this.state = 'mesg';
  }

  get identity(): string {
    return this.opts.machine.role === 'enrollee' ? WSC_ID_ENROLLEE : WSC_ID_REGISTRAR;
  }

  /** True once a Request was seen (the EAPOL-Start retries can stop). */
  get started(): boolean {
    return this.lastId !== undefined;
  }

  get finished(): PeerOutcome | undefined {
    return this.outcome;
  }

  /** Resolves when the run ends (EAP-Failure/Success, or abort()). */
  done(): Promise<PeerOutcome> {
    if (this.outcome) return Promise.resolve(this.outcome);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the run from outside (deauthentication, timeout). */
  abort(): void {
    this.end('aborted');
  }

  /** One EAP packet from the AP. Never throws. */
  receiveEap(eap: Uint8Array): void {
    if (this.state === 'done') return;
    try {
      this.handle(eap);
    } catch (e) {
      this.log.error(`EAP-WSC peer: ${(e as Error).message}`);
      this.end('aborted');
    }
  }

  private handle(eap: Uint8Array): void {
    let h;
    try {
      h = parseEapHeader(eap);
    } catch (e) {
      if (e instanceof EapWscError) return this.log.debug(`bad EAP packet dropped: ${e.message}`);
      throw e;
    }
    if (h.code === EapCode.Failure) return this.end('eap-failure');
    if (h.code === EapCode.Success) return this.end('eap-success');
    if (h.code !== EapCode.Request) return;
    if (h.identifier === this.lastId && this.lastResponse !== undefined) {
      // The AP retransmitted: our Response was lost. Same answer, no new processing.
      this.opts.sendEap(this.lastResponse);
      return;
    }
    if (h.type === EAP_TYPE_IDENTITY) {
      return this.respond(h.identifier, buildEapIdentity(EapCode.Response, h.identifier, this.identity));
    }
    if (h.type !== EAP_TYPE_EXPANDED) return this.log.debug(`EAP type ${h.type ?? 0} ignored: only WSC here`);
    let pkt;
    try {
      pkt = parseEapWsc(eap);
    } catch (e) {
      if (e instanceof EapWscError) return this.log.debug(`bad EAP-WSC request ignored: ${e.message}`);
      throw e;
    }
    const id = h.identifier;
    if (this.state === 'frag-out') {
      if (pkt.opCode !== WscOpCode.FragAck) return this.log.debug(`Op-Code ${pkt.opCode} while waiting for FRAG_ACK ignored`);
      return this.sendFragment(id);
    }
    if (this.state === 'wait-start') {
      if (pkt.opCode !== WscOpCode.Start) return this.log.debug(`Op-Code ${pkt.opCode} before WSC_Start ignored`);
      const m = this.opts.machine;
      if (m.role !== 'enrollee') return;
      this.state = 'mesg';
      return this.sendMessage(id, m.enrollee.start());
    }
    if (pkt.opCode === WscOpCode.Start || pkt.opCode === WscOpCode.FragAck) return this.log.debug(`unexpected Op-Code ${pkt.opCode} ignored`);
    let r;
    try {
      r = this.reassembler.push(pkt);
    } catch (e) {
      if (!(e instanceof EapWscError)) throw e;
      this.log.debug(`fragment refused: ${e.message}`);
      this.reassembler.reset();
      return;
    }
    if (!r.complete) {
      return this.respond(id, buildEapWsc({ code: EapCode.Response, identifier: id, opCode: WscOpCode.FragAck, flags: 0, data: Buffer.alloc(0) }));
    }
    const step = this.process(r.message);
    if (step.reply === undefined) {
      this.log.debug('no answer to this message: the run is over');
      return;
    }
    this.sendMessage(id, step.reply);
  }

  private process(message: Buffer): WpsStep {
    const m = this.opts.machine;
    const type = wscMessageType(message);
    if (type === MessageType.M2) this.m2 = true;
    if (type === MessageType.M2D) this.m2d = true;
    const step = m.role === 'enrollee' ? m.enrollee.receive(message) : m.registrar.receive(message);
    if (step.result !== undefined) this.result = step.result;
    if (step.credentials !== undefined) this.credentials = step.credentials;
    if (step.events.length > 0) {
      try {
        this.opts.onEvents?.(step.events);
      } catch (e) {
        this.log.error(`event listener failed: ${(e as Error).message}`);
      }
    }
    return step;
  }

  private sendMessage(id: number, message: Buffer): void {
    this.fragmenter = new Fragmenter(opCodeFor(message), message, this.opts.fragmentSize ?? WSC_FRAGMENT_SIZE);
    this.sendFragment(id);
  }

  private sendFragment(id: number): void {
    const f = this.fragmenter;
    if (f === undefined || f.done) return;
    const frag = f.next();
    this.state = f.done ? 'mesg' : 'frag-out';
    const pkt: Parameters<typeof buildEapWsc>[0] = { code: EapCode.Response, identifier: id, opCode: frag.opCode, flags: frag.flags, data: frag.data };
    if (frag.messageLength !== undefined) pkt.messageLength = frag.messageLength;
    this.respond(id, buildEapWsc(pkt));
  }

  private respond(id: number, eap: Buffer): void {
    this.lastId = id;
    this.lastResponse = eap;
    this.opts.sendEap(eap);
  }

  private end(how: PeerOutcome['ended']): void {
    if (this.state === 'done') return;
    this.state = 'done';
    const o: PeerOutcome = { credentials: this.credentials, m2dOnly: this.m2d && !this.m2, ended: how };
    if (this.result !== undefined) o.result = this.result;
    this.outcome = o;
    for (const w of this.waiters.splice(0)) w(o);
  }
}
