/** Turns the samples of a wpsd-vs-reference comparison into table rows. */
import { NOT_AVAILABLE } from './daemons.js';
import type { LearnSamples } from './learn.js';
import { stats, type BenchRow } from './results.js';

/** How a side of a comparison came out: measured samples, or why there are none. */
export type Side = { kind: 'measured'; result: LearnSamples } | { kind: 'unavailable' } | { kind: 'failed'; error: string };

function sideNote(side: Side): string | undefined {
  if (side.kind === 'unavailable') return NOT_AVAILABLE;
  if (side.kind === 'failed') return `failed: ${side.error.slice(0, 160)}`;
  if (side.result.samples.length === 0) return `failed: ${(side.result.lastError ?? 'no samples').slice(0, 160)}`;
  return undefined;
}

function samplesOf(side: Side): number[] {
  return side.kind === 'measured' ? side.result.samples : [];
}

function failuresNote(label: string, side: Side): string | undefined {
  if (side.kind !== 'measured') return undefined;
  const parts: string[] = [];
  if (side.result.failures > 0) parts.push(`${side.result.failures} failed`);
  if (side.result.settleMisses > 0) parts.push(`${side.result.settleMisses} ends not reported`);
  return parts.length ? `${label}: ${parts.join(', ')}` : undefined;
}

/**
 * Median and p95 rows ("<what>, median ms" / "<what>, p95 ms") with wpsd
 * beside the reference; a side without samples shows why instead of a number.
 */
export function latencyRows(what: string, wpsd: Side, reference: Side, referenceName: string, note?: string): BenchRow[] {
  const w = samplesOf(wpsd);
  const r = samplesOf(reference);
  const ws = w.length ? stats(w) : undefined;
  const rs = r.length ? stats(r) : undefined;
  const notes = [note, failuresNote('wpsd', wpsd), failuresNote('reference', reference)].filter((x): x is string => !!x).join('; ');
  const row = (pick: 'median' | 'p95'): BenchRow => ({
    what: `${what}, ${pick} ms`,
    wpsd: ws?.[pick],
    wpsdNote: sideNote(wpsd),
    reference: rs?.[pick],
    referenceName,
    referenceNote: sideNote(reference),
    runs: w.length,
    referenceRuns: r.length,
    ...(notes ? { note: notes } : {}),
  });
  return [row('median'), row('p95')];
}
