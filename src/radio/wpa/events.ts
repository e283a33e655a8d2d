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
