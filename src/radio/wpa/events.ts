/** What the WPA state machines need from their owner (time, randomness) and what they report. */

/** Timers are injected so the state machines stay pure; the result cancels the timer. */
export interface WpaTimers {
  set(ms: number, fire: () => void): () => void;
}

export const realTimers: WpaTimers = {
  set(ms, fire) {
    const t = setTimeout(fire, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

/** n random octets (node:crypto randomBytes in the daemons, a seeded source in tests). */
export type WpaRandom = (n: number) => Uint8Array;

/** A key the owner installs in the driver. */
export interface PairwiseKeyEvent {
  type: 'install-ptk';
  tk: Uint8Array;
}

export interface GroupKeyEvent {
  type: 'install-gtk';
  keyIndex: number;
  gtk: Uint8Array;
  /** KEY_RSC_LEN octets from the Key RSC field (receive side). */
  rsc: Uint8Array;
}

/** Timers that fire only when advance() moves the clock (tests, deterministic replays). */
export class ManualTimers implements WpaTimers {
  now = 0;
  private readonly pending = new Set<{ at: number; fire: () => void }>();

  set(ms: number, fire: () => void): () => void {
    const t = { at: this.now + ms, fire };
    this.pending.add(t);
    return () => this.pending.delete(t);
  }

  /** Fires every timer due within `ms`, earliest first (timers they set included). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = [...this.pending].sort((a, b) => a.at - b.at)[0];
      if (next === undefined || next.at > end) break;
      this.pending.delete(next);
      this.now = next.at;
      next.fire();
    }
    this.now = end;
  }

  /** The armed timers, as delays from now. */
  get armed(): number[] {
    return [...this.pending].map((t) => t.at - this.now);
  }
}
