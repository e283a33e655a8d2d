import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { applyV8Flags, V8_MEMORY_FLAGS } from './v8-memory.js';

const MIB = 1024 * 1024;

function newSpaceBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? NaN;
}

describe('applyV8Flags', () => {
  it('keeps the young generation from growing while objects survive scavenges (the flag takes effect when set at run time)', () => {
    applyV8Flags(V8_MEMORY_FLAGS);
    // The test runner has grown it already; from here on it must not grow (without the flag: to 32 MiB).
    const before = newSpaceBytes();
    // A ring of live objects: without the flag V8 doubles the semi-spaces up to 16 MiB each.
    const ring: unknown[] = new Array(200_000);
    for (let i = 0; i < 3_000_000; i++) ring[i % ring.length] = { i, a: [i] };
    expect(ring.length).toBe(200_000);
    expect(newSpaceBytes()).toBeLessThanOrEqual(before);
    expect(newSpaceBytes()).toBeLessThan(32 * MIB);
  });
});
