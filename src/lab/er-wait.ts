/**
 * Waiting on the External Registrar without polling: a condition over its
 * views, checked now and again after each of the named typed events.
 */
import type { ErEventName, ErEventSource } from '../er/er-events.js';

/** Resolves true once `ready()` holds, false after `ms` or when `signal` aborts. */
export function whenEr(er: ErEventSource, names: readonly ErEventName[], ready: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  if (signal?.aborted === true || ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const offs: Array<() => void> = [];
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const off of offs.splice(0)) off();
      resolve(ok);
    };
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(false), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    for (const name of names) {
      offs.push(
        er.on(name, () => {
          if (ready()) finish(true);
        }),
      );
    }
  });
}
