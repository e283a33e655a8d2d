/**
 * V8 settings of every long-running wpsd process (daemons, the lab and its
 * channel processes), applied from the process's own code so that they hold
 * however it was started (the installed `wpsd` bin, `npx wpsd`, `node
 * dist/src/cli.js`, a fork): a daemon keeps its resident memory close to
 * Node's own (bench/README.md, "Resident memory").
 *
 * - The young generation does not grow past its initial size (1 MiB
 *   semi-spaces): V8 would double it up to 16 MiB each under load, and
 *   keep it resident, for objects that die young anyway (a SOAP request,
 *   an EAP frame). `--max-semi-space-size` is read only at heap set-up, so
 *   the growth factor is what can be set here.
 * - WebAssembly (undici's HTTP parser) stays on the baseline compiler: the
 *   optimising tier's compile of that parser peaks at ~30 MiB of malloc
 *   that the C heap then keeps, for a parser that sees a few hundred bytes
 *   per request.
 */
import v8 from 'node:v8';

export const V8_MEMORY_FLAGS: readonly string[] = ['--semi-space-growth-factor=1', '--liftoff-only'];

let applied = false;

/** Sets V8_MEMORY_FLAGS once; to be called first thing in a process's entry point. */
export function applyV8MemoryFlags(): void {
  if (applied) return;
  applied = true;
  for (const flag of V8_MEMORY_FLAGS) v8.setFlagsFromString(flag);
}
