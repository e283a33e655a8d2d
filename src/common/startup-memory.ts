/**
 * Gives back what a daemon's start-up left resident, once, when the daemon
 * is up: an idle daemon otherwise never collects garbage (its heap is far
 * below any limit), so the bytecode of code that ran only at start-up
 * (configuration parsing, module top levels, the role's set-up) stays, and
 * so do the pages it freed in V8's heap and in the C heap.
 *
 * - Two full collections with code flushing forced (`--stress-flush-code`,
 *   and `--flush-baseline-code` for Sparkplug code) drop the bytecode of
 *   every function not running now: a function that runs again is compiled
 *   again, lazily, as it was the first time. V8 would flush it too, after
 *   five full collections (`--bytecode-old-age`) that an idle daemon never
 *   has.
 * - One more collection with compaction moves what lives onto fewer pages
 *   and returns the others (`--compact-on-every-full-gc`).
 * - glibc's malloc_trim(0) (native/malloc-trim.c, optional) returns the C
 *   heap's free pages.
 *
 * The flags are set for these collections only and put back to V8's
 * defaults after them. `gc` is not exposed to the process (no
 * `--expose-gc` on the command line), but a context created while the flag
 * is set gets it: a throw-away vm context runs the collections.
 * bench/README.md ("Resident memory", fourth session) has the figures.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { findNativeModule, requireNativeModule } from './native-module.js';

/** How long after a daemon is up its start-up memory is settled: what follows start-up at once (SSDP announcements, first events) is over by then. */
export const STARTUP_SETTLE_DELAY_MS = 1_000;

interface MallocTrim {
  trim(): boolean;
}

let mallocTrim: MallocTrim | null | undefined;

function loadMallocTrim(): MallocTrim | null {
  if (process.platform !== 'linux') return null;
  const path = findNativeModule('malloc-trim');
  if (path === undefined) return null;
  try {
    return requireNativeModule<MallocTrim>(path);
  } catch {
    // built for another Node or C library: the C heap keeps its pages
    return null;
  }
}

/** Runs the collections and the trim now (synchronously; a few milliseconds of CPU). */
export function settleStartupMemory(): void {
  v8.setFlagsFromString('--expose-gc');
  try {
    v8.setFlagsFromString('--stress-flush-code');
    v8.setFlagsFromString('--flush-baseline-code');
    vm.runInNewContext('gc(); gc();');
    v8.setFlagsFromString('--no-stress-flush-code');
    v8.setFlagsFromString('--no-flush-baseline-code');
    v8.setFlagsFromString('--compact-on-every-full-gc');
    vm.runInNewContext('gc();');
  } finally {
    v8.setFlagsFromString('--no-stress-flush-code');
    v8.setFlagsFromString('--no-flush-baseline-code');
    v8.setFlagsFromString('--no-compact-on-every-full-gc');
    v8.setFlagsFromString('--no-expose-gc');
  }
  mallocTrim ??= loadMallocTrim();
  mallocTrim?.trim();
}

/** Settles start-up memory STARTUP_SETTLE_DELAY_MS from now, without keeping the process alive for it. */
export function settleStartupMemorySoon(): void {
  setTimeout(settleStartupMemory, STARTUP_SETTLE_DELAY_MS).unref();
}
