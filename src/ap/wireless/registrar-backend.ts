/**
 * What answers a wireless Enrollee's WSC messages on the AP: the internal
 * Registrar (src/wps/registrar.ts), an External Registrar reached through
 * the UPnP proxy (messages out as WLANEvent type 2 payloads, answers in
 * through PutWLANResponse), or both, with hostapd's rules
 * (wps_registrar.c, CONFIG_WPS_UPNP):
 *
 * - M1 goes to the ERs and to the internal Registrar. If the internal one
 *   has a device password it answers M2 and runs the whole exchange.
 * - If it can only answer M2D and an ER is listening, the AP waits up to
 *   `m2WaitMs` for an ER: an ER's M2 arriving in that window is what the
 *   Enrollee gets; otherwise M2D (the ER's, else the internal one) goes
 *   out, and after the Enrollee's WSC_ACK the AP keeps waiting for an ER
 *   answer (hostapd WPS_PENDING, 5 s), so an M2D sent first never makes the
 *   run fail by itself.
 * - Once an ER answered M2, later Enrollee messages (WSC_MSG, WSC_Done,
 *   WSC_NACK; not WSC_ACK) go to the ER and its answers are relayed.
 *   WSC_Done ends the run (hostapd reports it done without waiting).
 *
 * Also the AP-as-Enrollee backend for a station that registers as
 * "WFA-SimpleConfig-Registrar-1-0" (wpa_supplicant wps_reg).
 */
import { type Logger, silentLogger } from '../../common/log.js';
import { wscMessageType, wscOpCodeFor as opCodeFor, WscOpCode } from '../../wps/eap-wsc.js';
import type { Enrollee } from '../../wps/enrollee.js';
import type { WpsEvent, WpsStep } from '../../wps/events.js';
import { parseMessage, type WscMessage } from '../../wps/message.js';
import type { Registrar } from '../../wps/registrar.js';
import { MessageType } from '../../wps/values.js';
import type { MacAddress } from '../../radio/mac.js';
import { WpsdError } from '../../common/errors.js';

/** hostapd's eap_wsc_ext_reg_timeout: 5 s for an External Registrar to answer. */
export const EXTERNAL_REGISTRAR_TIMEOUT_MS = 5_000;
/** How long an internal M2D waits for an ER's M2 before it is sent. */
export const DEFAULT_M2_WAIT_MS = 1_000;
/** ER messages queued for one Enrollee; PutWLANResponse floods beyond this are dropped. */
export const MAX_QUEUED_EXTERNAL_MESSAGES = 8;

export class RegistrarBackendError extends WpsdError<'NO_REGISTRAR'> {}

export type BackendAnswer =
  /** Send EAP-Request WSC_Start (the station is the Enrollee). */
  | { kind: 'start' }
  /** Send this WSC message with this Op-Code. */
  | { kind: 'send'; opCode: WscOpCode; message: Buffer }
  /** The run is over: send EAP-Failure (WPS always ends so) and deauthenticate. */
  | { kind: 'end'; result: 'success' | 'failure'; reason: string };

/** One EAP-WSC run's message source; the EAP server drives it. */
export interface WscBackend {
  /** The first request after the identity exchange. */
  start(): BackendAnswer;
  /** A complete WSC message from the station, with its Op-Code. */
  receive(message: Buffer, opCode: WscOpCode): Promise<BackendAnswer>;
  /** The station left or the EAP server gave up; pending waits end. */
  close(): void;
}

export interface ExternalRegistrarLink {
  /** True while an External Registrar is subscribed (hostapd upnp_wps_subscribers()). */
  available(): boolean;
  /**
   * Hand an Enrollee message to the ERs: a WLANEvent of type 2 (EAP) with
   * `enrollee` as WLANEventMAC; an M1 comes with its parse (done once, here).
   */
  onToExternal(message: Buffer, enrollee: MacAddress, m1?: WscMessage): void;
}

export interface RegistrarBackendOptions {
  /** The Enrollee's MAC address ("aa:bb:..."), as the WLANEvent names it. */
  enrollee: MacAddress;
  /** The internal Registrar for this run; undefined when only ERs register. */
  internal?: Registrar;
  external?: ExternalRegistrarLink;
  /** Events of the internal Registrar, for the daemon's event lines and policy (PIN invalidation, PBC). */
  onEvents?: (events: WpsEvent[]) => void;
  m2WaitMs?: number;
  externalTimeoutMs?: number;
  logger?: Logger;
}

interface Waiter {
  resolve: () => void;
  timer: NodeJS.Timeout;
}

/** A state-machine step as the EAP server's next move. `pendingEnd` remembers a result whose last word still has to be sent. */
function stepAnswer(step: WpsStep, pendingEnd: { value?: 'success' | 'failure' }): BackendAnswer {
  if (step.result !== undefined) {
    if (step.reply !== undefined && step.closing !== true) {
      pendingEnd.value = step.result;
      return { kind: 'send', opCode: opCodeFor(step.reply), message: step.reply };
    }
    return { kind: 'end', result: step.result, reason: step.result === 'success' ? 'registration complete' : 'registration failed' };
  }
  if (step.reply === undefined) return { kind: 'end', result: 'failure', reason: 'no message to send' };
  return { kind: 'send', opCode: opCodeFor(step.reply), message: step.reply };
}

/** The M1 parsed once for the proxy's bookkeeping; a malformed one is the Registrars' to judge. */
function parsedM1(message: Buffer): WscMessage | undefined {
  try {
    return parseMessage(message);
  } catch {
    return undefined;
  }
}

export class RegistrarBackend implements WscBackend {
  private mode: 'undecided' | 'internal' | 'external' = 'undecided';
  private readonly queue: Buffer[] = [];
  private waiter: Waiter | undefined;
  private closed = false;
  private readonly pendingEnd: { value?: 'success' | 'failure' } = {};
  private readonly m2WaitMs: number;
  private readonly externalTimeoutMs: number;
  private readonly log: Logger;

  constructor(private readonly opts: RegistrarBackendOptions) {
    if (opts.internal === undefined && opts.external === undefined) throw new RegistrarBackendError('NO_REGISTRAR', 'a RegistrarBackend needs an internal or an external Registrar');
    this.m2WaitMs = opts.m2WaitMs ?? DEFAULT_M2_WAIT_MS;
    this.externalTimeoutMs = opts.externalTimeoutMs ?? EXTERNAL_REGISTRAR_TIMEOUT_MS;
    this.log = opts.logger ?? silentLogger;
  }

  /** Which Registrar answers this run so far. */
  get using(): 'undecided' | 'internal' | 'external' {
    return this.mode;
  }

  start(): BackendAnswer {
    return { kind: 'start' };
  }

  /** A PutWLANResponse for this Enrollee: an ER's M2, M2D, M4 ... or WSC_ACK/NACK. */
  deliverFromExternal(message: Uint8Array): void {
    if (this.closed || this.mode === 'internal') {
      this.log.debug('ER message ignored: the internal Registrar runs this exchange');
      return;
    }
    if (this.queue.length >= MAX_QUEUED_EXTERNAL_MESSAGES) {
      this.log.warn('ER message dropped: too many queued');
      return;
    }
    this.queue.push(Buffer.from(message));
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  async receive(message: Buffer, opCode: WscOpCode): Promise<BackendAnswer> {
    if (this.pendingEnd.value !== undefined) {
      return { kind: 'end', result: this.pendingEnd.value, reason: 'peer answered our last message' };
    }
    if (this.mode === 'undecided') return this.first(message);
    if (this.mode === 'internal') return this.internalStep(message);
    return this.externalStep(message, opCode);
  }

  private externalAvailable(): boolean {
    return this.opts.external !== undefined && this.opts.external.available();
  }

  private internalStep(message: Buffer): BackendAnswer {
    const reg = this.opts.internal as Registrar;
    const step = reg.receive(message);
    if (step.events.length > 0) this.opts.onEvents?.(step.events);
    return stepAnswer(step, this.pendingEnd);
  }

  /** M1 (or whatever came first). */
  private async first(message: Buffer): Promise<BackendAnswer> {
    const ext = this.externalAvailable() ? this.opts.external : undefined;
    if (ext !== undefined) {
      // Parsed once for the proxy; a malformed M1 still goes to the ERs, whose Registrars judge it.
      const m1 = parsedM1(message);
      if ((m1?.type ?? wscMessageType(message)) === MessageType.M1) ext.onToExternal(message, this.opts.enrollee, m1);
    }
    const reg = this.opts.internal;
    if (reg === undefined) {
      if (ext === undefined) return { kind: 'end', result: 'failure', reason: 'no Registrar available' };
      this.mode = 'external';
      return this.nextExternal(this.externalTimeoutMs);
    }
    const step = reg.receive(message);
    if (step.events.length > 0) this.opts.onEvents?.(step.events);
    const replyType = step.reply === undefined ? undefined : wscMessageType(step.reply);
    if (ext === undefined || replyType !== MessageType.M2D || step.result !== undefined) {
      this.mode = 'internal';
      return stepAnswer(step, this.pendingEnd);
    }
    // Internal M2D with an ER listening: give the ER the wait window to answer M2.
    this.mode = 'external';
    const m2 = await this.waitFor(() => this.queue.some((m) => wscMessageType(m) === MessageType.M2), this.m2WaitMs);
    if (this.closed) return { kind: 'end', result: 'failure', reason: 'closed' };
    if (m2) {
      const i = this.queue.findIndex((m) => wscMessageType(m) === MessageType.M2);
      const [msg] = this.queue.splice(0, i + 1).slice(-1);
      this.log.debug('using the External Registrar\'s M2 instead of the internal M2D');
      return { kind: 'send', opCode: WscOpCode.Msg, message: msg as Buffer };
    }
    const queued = this.queue.shift();
    const m2d = queued ?? (step.reply as Buffer);
    return { kind: 'send', opCode: opCodeFor(m2d), message: m2d };
  }

  private async externalStep(message: Buffer, opCode: WscOpCode): Promise<BackendAnswer> {
    const ext = this.opts.external;
    // hostapd relays WSC_MSG, WSC_Done and WSC_NACK to the ER, not the WSC_ACK of an M2D.
    if (ext !== undefined && opCode !== WscOpCode.Ack) ext.onToExternal(message, this.opts.enrollee);
    if (opCode === WscOpCode.Done) return { kind: 'end', result: 'success', reason: 'registration with the External Registrar complete' };
    if (opCode === WscOpCode.Nack) return { kind: 'end', result: 'failure', reason: 'the Enrollee sent WSC_NACK' };
    return this.nextExternal(this.externalTimeoutMs);
  }

  private async nextExternal(timeoutMs: number): Promise<BackendAnswer> {
    await this.waitFor(() => this.queue.length > 0, timeoutMs);
    const msg = this.queue.shift();
    if (msg === undefined) return { kind: 'end', result: 'failure', reason: this.closed ? 'closed' : 'timeout waiting for the External Registrar' };
    const op = opCodeFor(msg);
    // An ER's WSC_NACK is its last word: relay it, then end on the Enrollee's answer.
    if (op === WscOpCode.Nack) this.pendingEnd.value = 'failure';
    return { kind: 'send', opCode: op, message: msg };
  }

  private waitFor(ready: () => boolean, ms: number): Promise<boolean> {
    if (ready() || this.closed) return Promise.resolve(ready());
    return new Promise((resolve) => {
      const check = (): void => {
        if (ready() || this.closed) finish();
      };
      const finish = (): void => {
        clearTimeout(w.timer);
        if (this.waiter === w) this.waiter = undefined;
        resolve(ready());
      };
      const w: Waiter = { resolve: check, timer: setTimeout(finish, ms) };
      this.waiter = w;
    });
  }

  private wake(): void {
    this.waiter?.resolve();
  }
}

/**
 * The AP as Enrollee for a station that registers as Registrar (wps_reg):
 * the first request is M1, the station's Registrar answers M2 ... and the
 * AP's settings are learned (M7) or replaced (M8).
 */
export class ApEnrolleeBackend implements WscBackend {
  private readonly pendingEnd: { value?: 'success' | 'failure' } = {};
  private m1: Buffer | undefined;

  constructor(
    private readonly enrollee: Enrollee,
    private readonly onEvents?: (events: WpsEvent[]) => void,
  ) {}

  start(): BackendAnswer {
    this.m1 ??= this.enrollee.start();
    return { kind: 'send', opCode: WscOpCode.Msg, message: this.m1 };
  }

  async receive(message: Buffer): Promise<BackendAnswer> {
    if (this.pendingEnd.value !== undefined) return { kind: 'end', result: this.pendingEnd.value, reason: 'peer answered our last message' };
    const step = this.enrollee.receive(message);
    if (step.events.length > 0) this.onEvents?.(step.events);
    return stepAnswer(step, this.pendingEnd);
  }

  close(): void {
    // Nothing pending: the Enrollee answers synchronously.
  }
}
