import { describe, expect, it } from 'vitest';
import type { ApDriver, KeyInstall } from '../radio/driver.js';
import { ManualTimers } from '../radio/wpa/events.js';
import type { ApMlme } from './wireless/mlme.js';
import { WpaStations } from './wpa-stations.js';


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
    expect(timers.armed).toEqual([]);
  });
});
