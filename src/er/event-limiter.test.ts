import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TRACKED_EVENT_SOURCES, MAX_WLAN_EVENTS_PER_ENROLLEE_PER_SEC, WlanEventLimiter } from './event-limiter.js';

describe('WLANEvent budget per Enrollee', () => {
  it('takes the per-second budget from one MAC, says once that it drops, and takes it again in the next second', () => {
    let now = 5_000;
    const l = new WlanEventLimiter(() => now);
    const got = Array.from({ length: MAX_WLAN_EVENTS_PER_ENROLLEE_PER_SEC + 3 }, () => l.admit('1/020000000001'));
    expect(got.filter((g) => g === 'ok')).toHaveLength(MAX_WLAN_EVENTS_PER_ENROLLEE_PER_SEC);
    expect(got.slice(MAX_WLAN_EVENTS_PER_ENROLLEE_PER_SEC)).toEqual(['dropped-first', 'dropped', 'dropped']);
    now += 1_000;
    expect(l.admit('1/020000000001')).toBe('ok');
  });

  it('one noisy MAC does not use up the budget of 60 others at the same moment', () => {
    const l = new WlanEventLimiter(() => 0);
    for (let i = 0; i < 100; i++) l.admit('1/02000000ffff');
    for (let i = 0; i < 60; i++) expect(l.admit(`1/0200000000${i.toString(16).padStart(2, '0')}`)).toBe('ok');
  });

  it('tracks at most MAX_TRACKED_EVENT_SOURCES sources, whatever the flood of distinct MACs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 1_000 })), { maxLength: 1_500 }), (events) => {
        let now = 0;
        const l = new WlanEventLimiter(() => now);
        for (const [mac, dt] of events) {
          now += dt % 7;
          l.admit(`2/${mac}`);
          if (l.tracked > MAX_TRACKED_EVENT_SOURCES) return false;
        }
        return true;
      }),
      { numRuns: 30 },
    );
  });
});
