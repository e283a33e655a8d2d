/** Turns the samples of a wpsd-vs-reference comparison into table rows. */
import { NOT_AVAILABLE } from './daemons.js';
import type { LearnSamples } from './learn.js';
import { stats, type BenchRow } from './results.js';

/** How a side of a comparison came out: measured samples, or why there are none. */
export type Side = { kind: 'measured'; result: LearnSamples } | { kind: 'unavailable' } | { kind: 'failed'; error: string };

/** Longest error text kept in a table cell. */
const MAX_ERROR_CHARS = 140;

/**
 * An error as a short table cell: the harness's "<label>@<namespace> exited (1): <output>"
 * becomes "exited (1): <output>", temp paths lose their directory, whitespace collapses.
 */
export function shortError(message: string): string {
  const s = message
    .replace(/\S+@\S+ exited \(([^)]*)\): /g, 'exited ($1): ')
    .replace(/\/tmp\/[^\s:]*\/([^\s/:]+)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS - 1)}…` : s;
}

function sideNote(side: Side): string | undefined {
  if (side.kind === 'unavailable') return NOT_AVAILABLE;
  if (side.kind === 'failed') return `failed: ${shortError(side.error)}`;
  if (side.result.samples.length === 0) return `failed: ${shortError(side.result.lastError ?? 'no samples')}`;
  return undefined;
}

function samplesOf(side: Side): number[] {
  return side.kind === 'measured' ? side.result.samples : [];
}

function failuresNote(label: string, side: Side): string | undefined {
  if (side.kind !== 'measured') return undefined;
  const parts: string[] = [];
  if (side.result.failures > 0) parts.push(`${side.result.failures} failed${side.result.lastError ? ` (last: ${shortError(side.result.lastError)})` : ''}`);
  if (side.result.settleMisses > 0) parts.push(`${side.result.settleMisses} ends not reported`);
  return parts.length ? `${label}: ${parts.join(', ')}` : undefined;
}

export type Pick = 'median' | 'p95';

/**
 * One row per statistic ("<what>, median ms" / "<what>, p95 ms") with wpsd
 * beside the reference; a side without samples shows why instead of a number.
 */
export function latencyRows(what: string, wpsd: Side, reference: Side, referenceName: string, note?: string, picks: readonly Pick[] = ['median', 'p95']): BenchRow[] {
  const w = samplesOf(wpsd);
  const r = samplesOf(reference);
  const ws = w.length ? stats(w) : undefined;
  const rs = r.length ? stats(r) : undefined;
  const notes = [note, failuresNote('wpsd', wpsd), failuresNote('reference', reference)].filter((x): x is string => !!x).join('; ');
  const row = (pick: Pick): BenchRow => ({
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
  return picks.map(row);
}

/** The Side of a contender from alternate()'s results, or why it has none. */
export function sideOf(results: ReadonlyMap<string, LearnSamples>, label: string, unavailable: Side): Side {
  const r = results.get(label);
  return r ? { kind: 'measured', result: r } : unavailable;
}
