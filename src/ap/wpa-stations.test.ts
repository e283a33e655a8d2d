import { describe, expect, it } from 'vitest';
import type { ApDriver, KeyInstall } from '../radio/driver.js';
import type { WpaTimers } from '../radio/wpa/events.js';
import type { ApMlme } from './wireless/mlme.js';
import { WpaStations } from './wpa-stations.js';

/** Timers that fire only when the test advances the clock. */
class ManualTimers implements WpaTimers {
  now = 0;
  readonly pending = new Set<{ at: number; fire: () => void }>();
  set(ms: number, fire: () => void): () => void {
    const t = { at: this.now + ms, fire };
    this.pending.add(t);
    return () => this.pending.delete(t);
  }
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
}

describe('WpaStations', () => {
  it('wpa_group_rekey longer than a Node.js timer holds still waits the whole period before renewing the GTK', async () => {
    const installed: KeyInstall[] = [];
    const driver = {
      address: '02:00:00:00:0a:00',
      onEvent: () => () => undefined,
      installKey: async (k: KeyInstall) => void installed.push(k),
      groupKeySequence: async () => new Uint8Array(6),
    } as unknown as ApDriver;
    const mlme = { onEvent: () => () => undefined } as unknown as ApMlme;
    const timers = new ManualTimers();
    const days30 = 30 * 86400;
    const w = new WpaStations({ driver, mlme, rsn: () => true, pmks: () => [], emit: () => undefined, groupRekeySec: days30, timers });
    await w.start();
    expect(installed.map((k) => [k.type, k.keyIndex, k.defaultTx])).toEqual([['group', 1, true]]);
    timers.advance(days30 * 1000 - 1);
    await new Promise((r) => setImmediate(r));
    expect(installed).toHaveLength(1);
    timers.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(installed.map((k) => k.keyIndex)).toEqual([1, 2]);
    expect(installed[1]?.key).not.toEqual(installed[0]?.key);
    w.stop();
    expect(timers.pending.size).toBe(0);
  });
});
