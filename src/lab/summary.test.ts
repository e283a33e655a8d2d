import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, percentile, summaryLines } from './summary.js';

describe('enroll-all summary', () => {
  it('median of an odd and an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('p99 by nearest rank: of 100 values the 99th smallest, of 50 values the largest', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(Array.from({ length: 50 }, (_, i) => i + 1), 99)).toBe(50);
    expect(percentile([], 99)).toBeUndefined();
  });

  it('a percentile is one of the values, grows with p, and p100 is the largest', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 99 }), (xs, p) => {
        const v = percentile(xs, p) as number;
        expect(xs).toContain(v);
        expect(percentile(xs, p + 1) as number).toBeGreaterThanOrEqual(v);
        expect(percentile(xs, 100)).toBe(Math.max(...xs));
      }),
    );
  });

  it('prints enrolled, failed, total time, median and p99, and each failure with its reason', () => {
    const lines = summaryLines({ total: 3, durationsMs: [1000, 3000], failures: [{ mac: '02:00:5e:00:02:03', detail: 'WPS-FAIL msg=8 config_error=18' }], totalMs: 4500 });
    expect(lines).toEqual([
      'enrolled: 2/3',
      'failed:   1',
      'total time: 4.50 s',
      'per enrollment: median 2.00 s, p99 3.00 s',
      '  02:00:5e:00:02:03: WPS-FAIL msg=8 config_error=18',
    ]);
  });
});
