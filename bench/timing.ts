/** Small timing helpers for the benchmarks: bounded in count and time. */
import { performance } from 'node:perf_hooks';

/** Runs `fn` `warmup` times untimed, then up to `runs` times (and at most `maxMs` in all); returns each run's milliseconds. */
export async function timeRuns(fn: () => unknown | Promise<unknown>, runs: number, opts: { warmup?: number; maxMs?: number } = {}): Promise<number[]> {
  for (let i = 0; i < (opts.warmup ?? 2); i++) await fn();
  const samples: number[] = [];
  const deadline = performance.now() + (opts.maxMs ?? 60_000);
  for (let i = 0; i < runs && performance.now() < deadline; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}
