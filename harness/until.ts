/**
 * The one wait of the tests: `probe` is asked now and every `intervalMs`
 * until it gives a value (anything but undefined, null or false), which is
 * returned; after `timeoutMs` it throws "timed out waiting for <what>".
 * Tests wait on output or state this way, never on a fixed sleep.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface UntilOptions {
  /** Default 10 s: generous, the machine is shared. */
  timeoutMs?: number;
  /** Default 20 ms. */
  intervalMs?: number;
  /** Appended to the error (a process's output, say). */
  detail?: () => string;
  /** A reason to give up at once (a process exited), or undefined to go on. */
  failIf?: () => string | undefined;
}

export const UNTIL_TIMEOUT_MS = 10_000;
export const UNTIL_INTERVAL_MS = 20;

type Probe<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

export async function until<T>(probe: Probe<T>, what: string, opts: UntilOptions = {}): Promise<T> {
  const end = Date.now() + (opts.timeoutMs ?? UNTIL_TIMEOUT_MS);
  const detail = (): string => (opts.detail === undefined ? '' : `: ${opts.detail()}`);
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    const failed = opts.failIf?.();
    if (failed !== undefined) throw new Error(`${what}: ${failed}${detail()}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${detail()}`);
    await delay(opts.intervalMs ?? UNTIL_INTERVAL_MS);
  }
}
