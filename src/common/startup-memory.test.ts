import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { findNativeModule } from './native-module.js';
import { settleStartupMemory } from './startup-memory.js';

function bytecodeBytes(): number {
  return v8.getHeapCodeStatistics().bytecode_and_metadata_size;
}

/** 400 functions, each run once (so each has bytecode), kept reachable and not running. */
function startupOnlyCode(): Array<() => number> {
  const fns: Array<() => number> = [];
  for (let i = 0; i < 400; i++) {
    const f = new Function(`let s = ${i}; for (let k = 0; k < 3; k++) { s += k * ${i % 7} + [${i}, k].length; } return s;`) as () => number;
    f();
    fns.push(f);
  }
  return fns;
}

describe('settleStartupMemory', () => {
  it('drops the bytecode of code that is not running; that code still runs, compiled again', () => {
    const fns = startupOnlyCode();
    const before = bytecodeBytes();
    settleStartupMemory();
    const after = bytecodeBytes();
    // 400 small functions hold well over 100 KB of bytecode and metadata; all of it goes.
    expect(before - after).toBeGreaterThan(100_000);
    expect(fns.map((f) => f())).toEqual(startupOnlyCode().map((f) => f()));
  });

  it('leaves no collection flag set: gc stays unexposed to new contexts', () => {
    settleStartupMemory();
    expect(vm.runInNewContext('typeof gc')).toBe('undefined');
  });

  it('finds the malloc-trim module that npm run build makes on Linux', () => {
    if (process.platform === 'linux') expect(findNativeModule('malloc-trim')).toMatch(/native\/build\/malloc-trim\.node$/);
  });
});
