/**
 * `npm run fuzz`: a seeded, bounded, replayable mutation fuzzer over every
 * parser in bench/fuzz-targets.ts.
 *
 *   npm run fuzz -- [--inputs N] [--seconds S] [--seed X] [--target NAME[,NAME]]
 *                   [--save] [--report FILE [--render]] [--replay FILE --target NAME]
 *
 * Each target first replays its regression corpus (fixtures/fuzz/<target>/),
 * then runs N mutated inputs (default 10^6) or until S seconds pass
 * (default 60), whichever comes first. Input i of a target is a pure function
 * of (seed, target, i), so any input is made again from the seed and its
 * index. A crash is a throw that is not the parser's own typed error; a slow
 * input is one that takes more than SLOW_MS. With --save both go to the
 * corpus (named by their hash) so the tests replay them for ever after.
 * The exit status is 1 when anything crashed or was slow.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FUZZ_TARGETS, isTypedRefusal, type FuzzTarget } from './fuzz-targets.js';
import { repoRoot } from './daemons.js';
import { seededRandom as prng } from '../src/radio/sim/rng.js';

/** An input slower than this is a finding (the quadratic attribute parse took 20-56 ms at 4 KB, seconds at 50 KB). */
export const SLOW_MS = 100;
export const DEFAULT_INPUTS = 1_000_000;
export const DEFAULT_SECONDS = 60;

export function corpusDir(target: string): string {
  return join(repoRoot(), 'fixtures', 'fuzz', target);
}

/** The regression corpus of a target: every file in its directory, by name. */
export function loadCorpus(target: string): Array<{ name: string; data: Buffer }> {
  const dir = corpusDir(target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((name) => ({ name, data: readFileSync(join(dir, name)) }));
}

function hashSeed(...parts: Array<string | number>): number {
  return createHash('sha256').update(parts.join('/')).digest().readUInt32BE(0);
}

/**
 * Share of inputs mutated from a corpus input rather than a seed. The corpus
 * holds the inputs that once hurt (often 50 KB of one pattern); with equal
 * weight they made a third of all inputs maximal and the run about 4x slower
 * without finding more. They are still replayed whole before every run.
 */
export const CORPUS_SHARE = 1 / 16;

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x10, 0x3c, 0x3e, 0x26, 0x0d, 0x0a, 0x20, 0x22];

/**
 * Input `index` of `target` under `seed`: a seed or corpus input with 1..8 mutations.
 * Some mutations build the shapes that cost parsers the most: long runs of
 * one byte (zero TLV headers, spaces, '<'), a chunk repeated many times,
 * lengths set to their extremes.
 */
export function makeInput(target: FuzzTarget, corpus: readonly Buffer[], seed: number, index: number): Buffer {
  const rnd = prng(hashSeed(seed, target.name, index));
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
  const int = (n: number): number => Math.floor(rnd() * n);
  const base = (): Buffer => {
    const from = corpus.length > 0 && (target.seeds.length === 0 || rnd() < CORPUS_SHARE) ? corpus : target.seeds;
    return from.length > 0 ? pick(from) : Buffer.alloc(0);
  };
  let b = Buffer.from(base());
  const rounds = 1 + int(8);
  for (let r = 0; r < rounds; r++) {
    const at = int(b.length + 1);
    switch (int(9)) {
      case 0:
        if (b.length > 0) b[at % b.length] = (b[at % b.length] as number) ^ (1 << int(8));
        break;
      case 1:
        if (b.length > 0) b[at % b.length] = pick(INTERESTING);
        break;
      case 2: {
        const ins = Buffer.alloc(1 + int(16));
        for (let i = 0; i < ins.length; i++) ins[i] = int(256);
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
        break;
      }
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(32)))]);
        break;
      case 4: {
        // A chunk repeated: deep nesting, many attributes, long header lists.
        const len = 1 + int(Math.min(64, Math.max(1, b.length - at)));
        const chunk = b.subarray(at, at + len);
        const times = 1 + int(rnd() < 0.1 ? 2000 : 16);
        b = Buffer.concat([b.subarray(0, at), ...Array<Buffer>(times).fill(chunk), b.subarray(at)]);
        break;
      }
      case 5: {
        // A long run of one byte.
        const run = Buffer.alloc(1 + int(rnd() < 0.1 ? target.maxBytes : 256), pick(INTERESTING));
        b = Buffer.concat([b.subarray(0, at), run, b.subarray(at)]);
        break;
      }
      case 6: {
        // A 16-bit length field at its extremes.
        if (b.length >= 2) {
          const p = at % (b.length - 1);
          b.writeUInt16BE(pick([0, 1, 0xffff, 0x7fff, b.length - p, b.length - p + 1]) & 0xffff, p);
        }
        break;
      }
      case 7:
        b = b.subarray(0, at);
        break;
      default: {
        const other = base();
        const from = int(other.length + 1);
        b = Buffer.concat([b.subarray(0, at), other.subarray(from)]);
      }
    }
    if (b.length > target.maxBytes) b = b.subarray(0, target.maxBytes);
  }
  return b;
}

export type Outcome = { kind: 'ok' | 'refused' } | { kind: 'crash'; error: string };

export function runOne(target: FuzzTarget, input: Buffer): Outcome {
  try {
    target.run(input);
    return { kind: 'ok' };
  } catch (e) {
    if (isTypedRefusal(e)) return { kind: 'refused' };
    return { kind: 'crash', error: e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e) };
  }
}

/**
 * The best of 3 runs of `input`, in CPU time of this process: on a machine
 * shared with other work a run can wait seconds for a core, which wall time
 * counts and CPU time does not.
 */
function bestOf3Cpu(target: FuzzTarget, input: Buffer): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const s = process.cpuUsage();
    runOne(target, input);
    const d = process.cpuUsage(s);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}

/** Inputs re-timed at the end of a run: the slowest by wall time, which on a busy machine are mostly ones that waited for a core. */
const RETIMED = 8;

export interface TargetReport {
  target: string;
  corpus: number;
  inputs: number;
  refused: number;
  crashes: Array<{ index: number; error: string; file?: string }>;
  slow: Array<{ index: number; ms: number; bytes: number; file?: string }>;
  /** Longest single input in wall time (waits for a core included). */
  maxMs: number;
  /** The slowest input re-timed (CPU time, best of 3, among the RETIMED slowest by wall time), and its size: a slow large input is expected, a slow small one is a finding. */
  slowestCpuMs: number;
  slowestBytes: number;
  maxBytes: number;
  seconds: number;
}

function save(target: string, input: Buffer): string {
  const dir = corpusDir(target);
  mkdirSync(dir, { recursive: true });
  const name = `${createHash('sha256').update(input).digest('hex').slice(0, 16)}.bin`;
  writeFileSync(join(dir, name), input);
  return name;
}

export function fuzzTarget(target: FuzzTarget, o: { inputs: number; seconds: number; seed: number; save: boolean }): TargetReport {
  const corpus = loadCorpus(target.name);
  const report: TargetReport = { target: target.name, corpus: corpus.length, inputs: 0, refused: 0, crashes: [], slow: [], maxMs: 0, slowestCpuMs: 0, slowestBytes: 0, maxBytes: 0, seconds: 0 };
  const pool = corpus.map((c) => c.data);
  const t0 = performance.now();
  // The RETIMED slowest by wall time (index -1 and up: corpus inputs are kept by value).
  const slowest: Array<{ ms: number; input: Buffer }> = [];
  const check = (index: number, input: Buffer): void => {
    const s = performance.now();
    const out = runOne(target, input);
    const ms = performance.now() - s;
    report.inputs++;
    report.maxMs = Math.max(report.maxMs, ms);
    if (slowest.length < RETIMED || ms > (slowest[slowest.length - 1] as { ms: number }).ms) {
      slowest.push({ ms, input });
      slowest.sort((a, b) => b.ms - a.ms);
      slowest.length = Math.min(slowest.length, RETIMED);
    }
    report.maxBytes = Math.max(report.maxBytes, input.length);
    if (out.kind === 'refused') report.refused++;
    if (out.kind === 'crash') report.crashes.push({ index, error: out.error, ...(o.save ? { file: save(target.name, input) } : {}) });
    // A pause of the machine (GC, another process) is no finding: slow only if the best of 3 more runs takes that much CPU too.
    else if (ms > SLOW_MS && bestOf3Cpu(target, input) > SLOW_MS) report.slow.push({ index, ms: Math.round(ms), bytes: input.length, ...(o.save ? { file: save(target.name, input) } : {}) });
  };
  for (const c of corpus) check(-1, c.data);
  const deadline = t0 + o.seconds * 1000;
  for (let i = 0; i < o.inputs; i++) {
    // Read before every input: a run of large inputs must not overrun the budget by minutes.
    if (performance.now() > deadline) break;
    check(i, makeInput(target, pool, o.seed, i));
  }
  report.seconds = (performance.now() - t0) / 1000;
  for (const { input } of slowest) {
    const cpu = bestOf3Cpu(target, input);
    if (cpu > report.slowestCpuMs) {
      report.slowestCpuMs = cpu;
      report.slowestBytes = input.length;
    }
  }
  return report;
}

/** One parser's row in the report, kept in FILE.json beside FILE.md so runs of some targets merge with earlier runs of the others. */
export interface ReportRow {
  target: string;
  seed: number;
  date: string;
  corpus: number;
  inputs: number;
  refused: number;
  crashes: number;
  slow: number;
  maxMs: number;
  slowestCpuMs: number;
  slowestBytes: number;
  maxBytes: number;
  seconds: number;
}

export function toRow(r: TargetReport, seed: number): ReportRow {
  return {
    target: r.target,
    seed,
    date: new Date().toISOString(),
    corpus: r.corpus,
    inputs: r.inputs,
    refused: r.refused,
    crashes: r.crashes.length,
    slow: r.slow.length,
    maxMs: Math.round(r.maxMs * 10) / 10,
    slowestCpuMs: Math.round(r.slowestCpuMs * 100) / 100,
    slowestBytes: r.slowestBytes,
    maxBytes: r.maxBytes,
    seconds: Math.round(r.seconds * 10) / 10,
  };
}

/** FILE.json beside FILE.md. */
function rowsFileOf(reportFile: string): string {
  return reportFile.replace(/\.md$/, '') + '.json';
}

function readRows(jsonFile: string): ReportRow[] {
  return existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as ReportRow[]) : [];
}

/** Rows in the order of FUZZ_TARGETS (targets added later come in their place), then rows of targets no longer listed. */
export function renderReport(rows: ReportRow[], targets: readonly FuzzTarget[]): string {
  const byName = new Map(rows.map((r) => [r.target, r]));
  const ordered = [...targets.map((t) => byName.get(t.name) ?? t.name), ...rows.filter((r) => !targets.some((t) => t.name === r.target))];
  const lines = [
    '# Fuzz run',
    '',
    'Written by `npm run fuzz -- --report bench/FUZZ-RESULTS.md` from the rows in bench/FUZZ-RESULTS.json: a run of some targets replaces their rows and keeps the others.',
    `An input is made again with \`npm run fuzz -- --seed SEED --target NAME --replay-index I\`. Slow means over ${SLOW_MS} ms, and still over ${SLOW_MS} ms of CPU in the best of 3 more runs.`,
    `"longest wall ms" is the longest single input in wall time: these runs are niced on 2 cores shared with other work, so it is mostly a wait for a core. "slowest input" re-times the ${RETIMED} longest in CPU time (best of 3) and gives the slowest and its size.`,
    '',
    '| parser | seed | corpus | inputs | refused | crashes | slow | seconds | inputs/s | longest wall ms | slowest input CPU ms | its size | largest input |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of ordered) {
    if (typeof r === 'string') {
      lines.push(`| ${r} | | | not run yet | | | | | | | | | |`);
      continue;
    }
    const rate = Math.round(r.inputs / Math.max(r.seconds, 1e-9));
    lines.push(
      `| ${r.target} | ${r.seed} | ${r.corpus} | ${r.inputs} | ${r.refused} | ${r.crashes} | ${r.slow} | ${r.seconds.toFixed(1)} | ${rate} | ${r.maxMs.toFixed(1)} | ${r.slowestCpuMs.toFixed(2)} | ${r.slowestBytes} | ${r.maxBytes} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Replaces `row`'s target in FILE.json and rewrites FILE.md; called after every target, so a stopped run keeps what it finished. */
function recordRow(reportFile: string, row: ReportRow): void {
  const jsonFile = rowsFileOf(reportFile);
  const rows = [...readRows(jsonFile).filter((r) => r.target !== row.target), row];
  writeFileSync(`${jsonFile}.${process.pid}.tmp`, JSON.stringify(rows, null, 1) + '\n');
  renameSync(`${jsonFile}.${process.pid}.tmp`, jsonFile);
  writeFileSync(reportFile, renderReport(rows, FUZZ_TARGETS));
}

const USAGE =
  'usage: node dist/bench/fuzz.js [--target a,b] [--inputs N] [--seconds S] [--seed X] [--save] [--report FILE.md] [--render]\n' +
  '                               [--replay FILE | --replay-index I] [--dump] [--help]\n';

/** The options; an unknown one is an error (a typo must not start a run over every target). */
function options(argv: string[]): ReturnType<typeof parseOptions> | string {
  try {
    return parseOptions(argv);
  } catch (e) {
    return (e as Error).message;
  }
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      seed: { type: 'string' },
      inputs: { type: 'string' },
      seconds: { type: 'string' },
      target: { type: 'string' },
      replay: { type: 'string' },
      'replay-index': { type: 'string' },
      report: { type: 'string' },
      dump: { type: 'boolean' },
      render: { type: 'boolean' },
      save: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  }).values;
}

function main(argv: string[]): number {
  const o = options(argv);
  if (typeof o === 'string') {
    process.stderr.write(`${o}\n${USAGE}`);
    return 2;
  }
  if (o.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const seed = Number(o.seed ?? 1);
  const inputs = Number(o.inputs ?? DEFAULT_INPUTS);
  const seconds = Number(o.seconds ?? DEFAULT_SECONDS);
  for (const [name, v] of [['--seed', seed], ['--inputs', inputs], ['--seconds', seconds]] as const) {
    if (!Number.isFinite(v) || v < 0) {
      process.stderr.write(`${name} must be a number >= 0\n${USAGE}`);
      return 2;
    }
  }
  const names = o.target?.split(',');
  const targets = names === undefined ? FUZZ_TARGETS : FUZZ_TARGETS.filter((t) => names.includes(t.name));
  if (names !== undefined && targets.length !== names.length) {
    process.stderr.write(`unknown target in ${names.join(',')}; targets: ${FUZZ_TARGETS.map((t) => t.name).join(' ')}\n`);
    return 2;
  }
  const replayFile = o.replay;
  const replayIndex = o['replay-index'];
  if (replayFile !== undefined || replayIndex !== undefined) {
    for (const t of targets) {
      const pool = loadCorpus(t.name).map((c) => c.data);
      const input = replayFile !== undefined ? readFileSync(replayFile) : makeInput(t, pool, seed, Number(replayIndex));
      const s = performance.now();
      const out = runOne(t, input);
      process.stdout.write(`${t.name}: ${input.length} bytes, ${out.kind}${out.kind === 'crash' ? ` (${out.error})` : ''}, ${(performance.now() - s).toFixed(1)} ms\n`);
      if (o.dump === true) process.stdout.write(`${input.toString('hex')}\n`);
    }
    return 0;
  }
  const reportFile = o.report;
  if (o.render === true) {
    // Only rewrite the table from the rows kept beside it.
    if (reportFile === undefined) return 2;
    writeFileSync(reportFile, renderReport(readRows(rowsFileOf(reportFile)), FUZZ_TARGETS));
    return 0;
  }
  let bad = 0;
  for (const t of targets) {
    const r = fuzzTarget(t, { inputs, seconds, seed, save: o.save === true });
    if (reportFile !== undefined) recordRow(reportFile, toRow(r, seed));
    bad += r.crashes.length + r.slow.length;
    process.stdout.write(
      `fuzz ${t.name}: ${r.inputs} inputs (${r.corpus} corpus) in ${r.seconds.toFixed(1)} s, ${r.refused} refused, ` +
        `${r.crashes.length} crashes, ${r.slow.length} slow, longest ${r.maxMs.toFixed(1)} ms wall, slowest ${r.slowestCpuMs.toFixed(1)} ms CPU (${r.slowestBytes} bytes)\n`,
    );
    for (const c of r.crashes.slice(0, 5)) process.stdout.write(`  crash #${c.index}: ${c.error}${c.file ? ` -> ${c.file}` : ''}\n`);
    for (const c of r.slow.slice(0, 5)) process.stdout.write(`  slow #${c.index}: ${c.ms} ms for ${c.bytes} bytes${c.file ? ` -> ${c.file}` : ''}\n`);
  }
  return bad > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
