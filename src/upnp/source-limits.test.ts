import { describe, expect, it } from 'vitest';
import { SourceRateLimiter, isLocalPeer, pickEviction, type EvictionView } from './source-limits.js';

const e = (source: string, since: number, o: Partial<EvictionView> = {}): EvictionView => ({ source, since, local: true, established: false, ...o });

describe('pickEviction', () => {
  it('takes from the source holding the most, then remote before local, fresh before established, oldest first', () => {
    const flood = [e('10.0.0.9', 5), e('10.0.0.9', 6), e('10.0.0.9', 7)];
    const legit = e('10.0.0.2', 1);
    expect(pickEviction([legit, ...flood], (x) => x)).toBe(flood[0]);
    const remote = e('192.0.2.1', 9, { local: false });
    const local = e('10.0.0.3', 1);
    expect(pickEviction([local, remote], (x) => x)).toBe(remote);
    const est = e('10.0.0.4', 1, { established: true });
    const fresh = e('10.0.0.5', 8);
    expect(pickEviction([est, fresh], (x) => x)).toBe(fresh);
    expect(pickEviction([], (x: EvictionView) => x)).toBeUndefined();
  });

  it('isLocalPeer: loopback and our subnet', () => {
    expect(isLocalPeer('127.0.0.5', undefined)).toBe(true);
    expect(isLocalPeer('169.254.1.7', '169.254.1.1', 24)).toBe(true);
    expect(isLocalPeer('169.254.2.7', '169.254.1.1', 24)).toBe(false);
  });
});

describe('SourceRateLimiter', () => {
  it('allows a burst per source, then the sustained rate; other sources are unaffected until the total runs out', () => {
    let t = 0;
    const rl = new SourceRateLimiter({ perSecond: 2, burst: 4, totalPerSecond: 10, totalBurst: 10, maxSources: 8, now: () => t });
    const burst = Array.from({ length: 10 }, () => rl.admit('a'));
    expect(burst.filter(Boolean).length).toBe(4);
    expect(rl.admit('b')).toBe(true);
    t += 1000;
    expect([rl.admit('a'), rl.admit('a'), rl.admit('a')]).toEqual([true, true, false]);
    // 1000 spoofed sources in one second get no more than the total allows.
    t += 5000;
    let admitted = 0;
    for (let i = 0; i < 1000; i++) if (rl.admit(`s${i}`)) admitted++;
    expect(admitted).toBe(10);
  });

  it('keeps at most maxSources buckets', () => {
    const rl = new SourceRateLimiter({ perSecond: 1, burst: 1, totalPerSecond: 1e9, totalBurst: 1e9, maxSources: 3, now: () => 0 });
    for (const s of ['a', 'b', 'c', 'd']) expect(rl.admit(s)).toBe(true);
    // 'a' was forgotten (idle longest) and starts again with a full burst; 'd' is still known.
    expect(rl.admit('d')).toBe(false);
    expect(rl.admit('a')).toBe(true);
  });

  it('refund gives a spent token back, never above the burst, and does not recreate a forgotten source', () => {
    let t = 0;
    const rl = new SourceRateLimiter({ perSecond: 1, burst: 2, totalPerSecond: 1e9, totalBurst: 1e9, maxSources: 2, now: () => t });
    // A source whose every request is refunded is never refused, however fast it goes.
    for (let i = 0; i < 100; i++) {
      expect(rl.admit('ok')).toBe(true);
      rl.refund('ok');
    }
    // One that is never refunded gets its burst, then the sustained rate.
    expect([rl.admit('bad'), rl.admit('bad'), rl.admit('bad')]).toEqual([true, true, false]);
    rl.refund('ok');
    rl.refund('ok');
    expect([rl.admit('ok'), rl.admit('ok'), rl.admit('ok')]).toEqual([true, true, false]);
    rl.refund('gone');
    t += 10;
    expect(rl.admit('c')).toBe(true);
    expect(rl.stats.refused).toBe(2);
  });
});
