import { describe, expect, it } from 'vitest';
import { DH_KEY_POOL_SIZE, DhKeyPool, MAX_DH_KEY_POOL_SIZE, dhKeyPoolSizeFor } from './dh-key-pool.js';

function manual(): { pool: DhKeyPool; run: () => number } {
  const tasks: (() => void)[] = [];
  const pool = new DhKeyPool({ defer: (t) => tasks.push(t) });
  return {
    pool,
    run: () => {
      let n = 0;
      while (tasks.length > 0) {
        (tasks.shift() as () => void)();
        n++;
      }
      return n;
    },
  };
}

describe('DhKeyPool', () => {
  it('stocks up to its size one pair per deferred task, never on the caller', () => {
    const { pool, run } = manual();
    pool.fill();
    expect(pool.available).toBe(0);
    expect(run()).toBe(DH_KEY_POOL_SIZE);
    expect(pool.available).toBe(DH_KEY_POOL_SIZE);
  });

  it('hands every pair out once, and the pairs agree on a shared secret', () => {
    const { pool, run } = manual();
    pool.fill();
    run();
    const a = pool.take();
    const b = pool.take();
    expect(pool.available).toBe(DH_KEY_POOL_SIZE - 2);
    expect(a.publicKey.equals(b.publicKey)).toBe(false);
    expect(a.computeSecret(b.publicKey).equals(b.computeSecret(a.publicKey))).toBe(true);
    run();
    expect(pool.available).toBe(DH_KEY_POOL_SIZE);
  });

  it('generates on demand when empty and after close', () => {
    const { pool, run } = manual();
    const keys = new Set<string>();
    for (let i = 0; i < 3; i++) keys.add(pool.take().publicKey.toString('hex'));
    expect(keys.size).toBe(3);
    pool.close();
    expect(run()).toBe(1);
    expect(pool.available).toBe(0);
    expect(pool.take().publicKey.length).toBe(192);
  });

  it('refuses an unbounded size', () => {
    expect(() => new DhKeyPool({ defer: () => undefined, size: 1000 })).toThrow(RangeError);
  });

  it('is stocked for every interface a process serves, within its bound', () => {
    expect(dhKeyPoolSizeFor(1)).toBe(DH_KEY_POOL_SIZE);
    expect(dhKeyPoolSizeFor(0)).toBe(DH_KEY_POOL_SIZE);
    expect(dhKeyPoolSizeFor(8)).toBe(8 * DH_KEY_POOL_SIZE);
    expect(dhKeyPoolSizeFor(32)).toBe(MAX_DH_KEY_POOL_SIZE);
    expect(() => new DhKeyPool({ defer: () => undefined, size: dhKeyPoolSizeFor(1000) })).not.toThrow();
    expect(() => new DhKeyPool({ defer: () => undefined, size: MAX_DH_KEY_POOL_SIZE + 1 })).toThrow(RangeError);
  });
});
