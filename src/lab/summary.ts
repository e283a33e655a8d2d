/**
 * The summary of a headless "enroll all" run: how many enrolled and failed,
 * the total time, and the median and 99th percentile of the time each
 * enrollment took (from the station starting WPS to its credential).
 */

export interface EnrollSummaryInput {
  total: number;
  /** Milliseconds of each successful enrollment. */
  durationsMs: readonly number[];
  failures: readonly { mac: string; detail: string }[];
  totalMs: number;
}

/**
 * The p-th percentile (0 < p <= 100) by the nearest-rank method: the
 * smallest value with at least p % of the values at or below it. Undefined
 * for no values.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0 || !(p > 0 && p <= 100)) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The median: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const hi = sorted[mid] as number;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] as number) + hi) / 2;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

/** The lines printed after the run. */
export function summaryLines(s: EnrollSummaryInput): string[] {
  const enrolled = s.durationsMs.length;
  const lines = [
    `enrolled: ${enrolled}/${s.total}`,
    `failed:   ${s.failures.length}`,
    `total time: ${seconds(s.totalMs)}`,
    `per enrollment: median ${seconds(median(s.durationsMs))}, p99 ${seconds(percentile(s.durationsMs, 99))}`,
  ];
  for (const f of s.failures) lines.push(`  ${f.mac}: ${f.detail}`);
  return lines;
}
