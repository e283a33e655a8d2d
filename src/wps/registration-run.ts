/**
 * What the Enrollee and the Registrar state machines share: the injected
 * randomness and per-run crypto, the state and final result, the events a
 * step collects, and the frame of receive() (a finished run answers with its
 * result; anything thrown while handling a message ends the run through the
 * role's fail()). The protocol itself (WSC 2.0 section 8) stays in
 * enrollee.ts and registrar.ts.
 */
import { systemRng, type Rng } from './crypto.js';
import type { WpsEvent, WpsStep } from './events.js';
import type { WscMessage } from './message.js';
import { RunCrypto, type RunDhKey } from './run-crypto.js';
import { asRunFailure, guessMessageType, parseReceived } from './run-common.js';
import type { RunFailure } from './run-failure.js';

export abstract class RegistrationRun<State extends string> {
  protected readonly rng: Rng;
  /** Replaced only before keys exist, when a Registrar learns from M1 that it runs with its NFC DH key. */
  protected crypto: RunCrypto;
  protected st: State;
  protected outcome: 'success' | 'failure' | undefined;
  protected events: WpsEvent[] = [];

  /** `over` is the state a finished run stays in. */
  protected constructor(
    rng: Rng | undefined,
    initial: State,
    private readonly over: State,
    dh: RunDhKey = {},
  ) {
    this.rng = rng ?? systemRng;
    this.crypto = new RunCrypto(this.rng, dh);
    this.st = initial;
  }

  get result(): 'success' | 'failure' | undefined {
    return this.outcome;
  }

  /** The role's handling of one parsed message; may throw (RunFailure or a parse error). */
  protected abstract dispatch(msg: WscMessage): WpsStep;

  /** Ends the run after `f`, building the role's fail event and WSC_NACK. */
  protected abstract fail(f: RunFailure, msgType: number): WpsStep;

  /**
   * One received message: parsed (with this run's nonce deciding whether a
   * message missing Version or Message Type gets a WSC_NACK) and dispatched.
   * Never throws.
   */
  protected step(raw: Uint8Array, nonceType: number, expectedNonce: Buffer | undefined): WpsStep {
    if (this.outcome !== undefined) return { events: [], result: this.outcome };
    this.events = [];
    let msg: WscMessage | undefined;
    try {
      msg = parseReceived(raw, nonceType, expectedNonce);
      return this.dispatch(msg);
    } catch (e) {
      return this.fail(asRunFailure(e), msg?.type ?? guessMessageType(raw));
    }
  }

  protected continueWith(reply: Buffer): WpsStep {
    return { reply, events: this.takeEvents() };
  }

  protected takeEvents(): WpsEvent[] {
    const ev = this.events;
    this.events = [];
    return ev;
  }

  protected finish(result: 'success' | 'failure'): void {
    this.outcome = result;
    this.st = this.over;
  }
}
