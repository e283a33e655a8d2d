import { describe, expect, it } from 'vitest';
import { RadioSlots } from './radio-slots.js';

describe('RadioSlots', () => {
  it('grants at most `size` slots, then serves waiters in order as slots are released', async () => {
    const slots = new RadioSlots(2);
    const never = new AbortController().signal;
    const a = await slots.acquire(never);
    const b = await slots.acquire(never);
    const order: string[] = [];
    const c = slots.acquire(never).then((r) => (order.push('c'), r));
    const d = slots.acquire(never).then((r) => (order.push('d'), r));
    await Promise.resolve();
    expect(slots.inUse).toBe(2);
    expect(order).toEqual([]);
    a();
    a();
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(slots.inUse).toBe(0);
  });

  it('an aborted wait leaves the queue and takes no slot', async () => {
    const slots = new RadioSlots(1);
    const release = await slots.acquire(new AbortController().signal);
    const ac = new AbortController();
    const waiting = slots.acquire(ac.signal);
    ac.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    release();
    expect(slots.inUse).toBe(0);
    await expect(slots.acquire(AbortSignal.abort(new Error('x')))).rejects.toThrow('x');
  });
});
