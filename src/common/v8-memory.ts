/**
 * V8 settings of wpsd's long-running processes, applied from the process's
 * own code so that they hold however it was started (the installed `wpsd`
 * bin, `npx wpsd`, `node dist/src/cli.js`, a fork): a daemon's resident
 * memory stays close to Node's own (bench/README.md, "Resident memory",
 * has each one's figure).
 *
 * Every process (V8_MEMORY_FLAGS):
 * - The young generation does not grow past its initial size (1 MiB
 *   semi-spaces): V8 would double it up to 16 MiB each under load, and
 *   keep it resident, for objects that die young anyway (a SOAP request,
 *   an EAP frame). `--max-semi-space-size` is read only at heap set-up, so
 *   the growth factor is what can be set here.
 * - WebAssembly stays on the baseline compiler: the optimising tier's
 *   compile of undici's HTTP parser peaked at ~30 MiB of malloc that the C
 *   heap then kept, for a parser that sees a few hundred bytes per request.
 *   No wpsd process loads undici now (node:http's parser is in the binary);
 *   the flag keeps any WebAssembly a package brings from doing the same.
 *
 * The daemons, `wpsd ap` and `wpsd sta` (V8_DAEMON_FLAGS), also keep their
 * JavaScript on the baseline compiler (Sparkplug): their JavaScript is glue
 * around native crypto and sockets, and TurboFan's compiles cost more CPU
 * than its code saves, even over 250 learns, besides ~3 MiB of memory. The
 * lab keeps TurboFan: it runs thousands of registrations in one process.
 *
 * Node documents flags changed after start-up as undefined behaviour in
 * general; these three are read by V8 each time it decides (grow the new
 * space, compile a wasm function, tier a function up), which
 * v8-memory.test.ts checks for the first and bench/rss-probe.ts shows for all.
 */
import v8 from 'node:v8';

export const V8_MEMORY_FLAGS: readonly string[] = ['--semi-space-growth-factor=1', '--liftoff-only'];
export const V8_DAEMON_FLAGS: readonly string[] = [...V8_MEMORY_FLAGS, '--max-opt=1'];

const applied = new Set<string>();

/** Sets `flags` (once each); to be called first thing in a process's entry point or role. */
export function applyV8Flags(flags: readonly string[] = V8_MEMORY_FLAGS): void {
  for (const flag of flags) {
    if (applied.has(flag)) continue;
    applied.add(flag);
    v8.setFlagsFromString(flag);
  }
}
