/**
 * The one abortable sleep: waits `ms` (never less than 0), and ends at once
 * when `signal` aborts. It resolves either way and never rejects, so loops
 * check their signal after it.
 */
import { setTimeout as delay } from 'node:timers/promises';

export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(Math.max(0, ms), undefined, signal === undefined ? undefined : { signal });
  } catch (e) {
    if (signal?.aborted !== true) throw e;
  }
}
