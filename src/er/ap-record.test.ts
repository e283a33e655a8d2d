import { describe, expect, it } from 'vitest';
import { AP_SIGNAL_MAX_LISTENERS, ErAp } from './ap-record.js';
import { MAX_ENROLLEES_PER_AP } from './enrollee-table.js';

describe('ErAp abort signal', () => {
  it('takes a request per Enrollee proxied at once without a leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const ap = new ErAp(1, '169.254.0.2', Buffer.alloc(16, 1), 'http://169.254.0.2:49152/desc.xml', () => 0);
      const listeners = Array.from({ length: MAX_ENROLLEES_PER_AP + 2 }, () => (): void => undefined);
      for (const l of listeners) ap.abort.signal.addEventListener('abort', l);
      // process 'warning' is emitted on the next tick.
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
      for (const l of listeners) ap.abort.signal.removeEventListener('abort', l);
    } finally {
      process.off('warning', onWarning);
    }
    expect(AP_SIGNAL_MAX_LISTENERS).toBeGreaterThan(MAX_ENROLLEES_PER_AP);
  });
});
