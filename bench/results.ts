/**
 * The benchmark table: one row per measurement, wpsd beside the reference
 * (hostapd / wpa_supplicant, or another implementation) where both do the
 * same job, written to bench/RESULTS.md by bench/run.ts.
 */
import { cpus, totalmem } from 'node:os';

export interface BenchRow {
  /** What was measured, with its unit: "DH group 5 key pair (ms)". */
  what: string;
  /** wpsd's figure; undefined when wpsd could not be measured (then `wpsdNote` says why). */
  wpsd?: number;
  /** Shown in the wpsd cell instead of a number when `wpsd` is undefined, e.g. "not available yet". */
  wpsdNote?: string;
  /** The reference figure, or undefined where there is no reference for this job. */
  reference?: number;
  /** Who the reference is: "hostapd 2.10", "BigInt modPow". */
  referenceName?: string;
  /** Shown in the reference cell when `reference` is undefined although the row has one (e.g. it failed). */
  referenceNote?: string;
  runs: number;
  /** Runs of the reference side when they differ from wpsd's (rendered "wpsd / reference"). */
  referenceRuns?: number;
  note?: string;
}

export interface Stats {
  median: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
  n: number;
}

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new RangeError('no samples');
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
  return {
    median: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    min: s[0] as number,
    max: s[s.length - 1] as number,
    n: s.length,
  };
}

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

function fmt(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '—';
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

/** Keeps a table cell on one line and its pipes literal. */
function cell(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

/** `notes` are extra lines under the heading (e.g. the machine's load while the run went). */
export function renderMarkdown(rows: readonly BenchRow[], when: Date, notes: readonly string[] = []): string {
  const lines = [
    '# wpsd benchmark results',
    '',
    `Written by \`npm run bench\` on ${when.toISOString()}. Ratio is wpsd / reference (below 1: wpsd is faster or smaller). Two run counts are wpsd / reference.`,
    ...notes.map((n) => `\n${n}`),
    '',
    renderTable(rows),
  ];
  return lines.join('\n');
}

/** The rows as a Markdown table (ending in a newline). */
export function renderTable(rows: readonly BenchRow[]): string {
  const machine = machineLine();
  const lines = ['| what | wpsd | reference | ratio | runs | machine |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const ref = r.reference === undefined ? (r.referenceNote ?? '—') : `${fmt(r.reference)} (${r.referenceName ?? 'reference'})`;
    const ratio = r.wpsd === undefined || r.reference === undefined || r.reference === 0 ? '—' : fmt(r.wpsd / r.reference);
    const wpsd = r.wpsd === undefined ? (r.wpsdNote ?? '—') : fmt(r.wpsd);
    const runs = r.referenceRuns === undefined ? `${r.runs}` : `${r.runs} / ${r.referenceRuns}`;
    lines.push(`| ${cell(r.what)}${r.note ? ` — ${cell(r.note)}` : ''} | ${cell(wpsd)} | ${cell(ref)} | ${ratio} | ${runs} | ${machine} |`);
  }
  return lines.join('\n') + '\n';
}

/**
 * bench/hwsim-radio.ts runs in the hwsim VM, apart from `npm run bench`: its
 * section of RESULTS.md sits between these markers and survives the other's
 * rewrite of the file.
 */
export const HWSIM_SECTION_BEGIN = '<!-- hwsim-radio: written by npm run bench:hwsim -->';
export const HWSIM_SECTION_END = '<!-- /hwsim-radio -->';

/** The hwsim section of `text` (markers included), or '' when it has none. */
export function hwsimSection(text: string): string {
  const a = text.indexOf(HWSIM_SECTION_BEGIN);
  const b = text.indexOf(HWSIM_SECTION_END);
  return a < 0 || b < a ? '' : text.slice(a, b + HWSIM_SECTION_END.length) + '\n';
}

/** `text` with its hwsim section replaced by `section` (appended when it had none). */
export function withHwsimSection(text: string, section: string): string {
  const old = hwsimSection(text);
  if (old === '') return `${text.trimEnd()}\n\n${section}`;
  return text.replace(old, section);
}
