/**
 * A per-Enrollee budget for the WLANEvents the External Registrar acts on.
 * wpa_supplicant's ER takes every WLANEvent; hostapd throttles only the
 * Probe Request events it sends (MAX_EVENTS_PER_SEC 5, never EAP). We keep a
 * budget only for what an AP could flood us with cheaply (probes, M1s and
 * strays from Enrollees without a run), counted per MAC so one noisy
 * station never starves another, and bounded in memory. EAP messages of a
 * run in progress are never counted (the caller does not ask).
 */

/** Events per second taken from one Enrollee (MAC) per kind; twice hostapd's whole-AP probe budget. */
export const MAX_WLAN_EVENTS_PER_ENROLLEE_PER_SEC = 10;
/** Enrollees (MAC + kind) whose budget is tracked per AP; the oldest is forgotten beyond this. */
export const MAX_TRACKED_EVENT_SOURCES = 256;
const WINDOW_MS = 1_000;

interface Window {
  start: number;
  count: number;
}

/** 'dropped-first' is the first drop in this source's window (the caller logs once per window). */
export type EventAdmission = 'ok' | 'dropped-first' | 'dropped';

export class WlanEventLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly now: () => number,
    private readonly perSecond = MAX_WLAN_EVENTS_PER_ENROLLEE_PER_SEC,
    private readonly maxSources = MAX_TRACKED_EVENT_SOURCES,
  ) {}

  get tracked(): number {
    return this.windows.size;
  }

  /** Counts one event from `source` (e.g. "1/<mac hex>") and says whether to act on it. */
  admit(source: string): EventAdmission {
    const t = this.now();
    let w = this.windows.get(source);
    if (w === undefined || t - w.start >= WINDOW_MS || t < w.start) {
      // New window: re-insert so the map's order stays oldest-first for eviction.
      this.windows.delete(source);
      this.makeRoom(t);
      w = { start: t, count: 0 };
      this.windows.set(source, w);
    }
    w.count++;
    if (w.count <= this.perSecond) return 'ok';
    return w.count === this.perSecond + 1 ? 'dropped-first' : 'dropped';
  }

  private makeRoom(t: number): void {
    if (this.windows.size < this.maxSources) return;
    for (const [k, w] of this.windows) if (t - w.start >= WINDOW_MS) this.windows.delete(k);
    while (this.windows.size >= this.maxSources) {
      const oldest = this.windows.keys().next();
      if (oldest.done === true) break;
      this.windows.delete(oldest.value);
    }
  }

  clear(): void {
    this.windows.clear();
  }
}
