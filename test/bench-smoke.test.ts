// One learn of bench 1's reference side (Debian wpa_supplicant ER learning
// Debian hostapd in namespaces), to keep `npm run bench` working: checks that
// the rows are filled in, never how fast anything was.
import { describe, expect, it } from 'vitest';
import { run } from '../harness/netns.js';
import { NOT_AVAILABLE } from '../bench/daemons.js';
import { benchBulkEnroll, BULK_WHAT } from '../bench/bulk-enroll.js';
import { benchErLearn, ER_LEARN_WHAT } from '../bench/er-learn.js';
import { benchErBulkCpu, ER_BULK_WHAT } from '../bench/er-bulk-cpu.js';
import { renderMarkdown } from '../bench/results.js';
import { BENCH_PREFIX } from '../bench/scope.js';

describe('npm run bench, ER learn latency (bench 1), reference side', () => {
  it('one learn by wpa_supplicant of hostapd fills the median and p95 rows, and the wpsd cell says it is not measured', async () => {
    const rows = await benchErLearn({ learns: 1, warmup: 0, maxMs: 20_000, wpsd: false });
    expect(rows.map((r) => r.what)).toEqual([`${ER_LEARN_WHAT}, median ms`, `${ER_LEARN_WHAT}, p95 ms`]);
    for (const r of rows) {
      expect(r.referenceNote).toBeUndefined();
      expect(Number.isFinite(r.reference)).toBe(true);
      expect(r.reference).toBeGreaterThan(0);
      expect(r.referenceName).toMatch(/^wpa_supplicant \d+\.\d+/);
      expect(r.referenceRuns).toBe(1);
      expect(r.wpsd).toBeUndefined();
      expect(r.wpsdNote).toBe(NOT_AVAILABLE);
      expect(r.runs).toBe(0);
    }
    const md = renderMarkdown(rows, new Date());
    expect(md).toContain(`| ${ER_LEARN_WHAT}, median ms | ${NOT_AVAILABLE} | `);
    // The bench's namespaces are gone once it returns.
    const { stdout } = await run('ip', ['netns', 'list']);
    expect(stdout).not.toContain(`${BENCH_PREFIX}${process.pid}-`);
  });
});

describe('npm run bench, bulk enrollment through the proxy (bench 4), tiny N', () => {
  it('N = 2 and 3 fill enrollments/s (total and per channel), median, p99, CPU, peak RSS and RSS growth rows, and one growth row', { timeout: 90_000 }, async () => {
    const rows = await benchBulkEnroll({
      sizes: [
        { n: 2, capMs: 20_000 },
        { n: 3, capMs: 20_000 },
      ],
      memory: false,
    });
    const figures = ['enrollments/s', 'enrollments/s per channel', 'median latency ms', 'p99 latency ms', 'CPU ms per enrollment', 'peak RSS MiB', 'RSS growth under the load, MiB'];
    expect(rows.map((r) => r.what)).toEqual([
      ...figures.map((f) => `${BULK_WHAT}, N = 2: ${f}`),
      ...figures.map((f) => `${BULK_WHAT}, N = 3: ${f}`),
      `${BULK_WHAT}, growth N = 2 -> 3: peak RSS ratio`,
    ]);
    for (const r of rows) {
      expect(r.wpsdNote, r.what).toBeUndefined();
      expect(Number.isFinite(r.wpsd), r.what).toBe(true);
      // VmHWM at the end can equal VmRSS at the start: growth is only non-negative.
      if (r.what.endsWith('RSS growth under the load, MiB')) expect(r.wpsd, r.what).toBeGreaterThanOrEqual(0);
      else expect(r.wpsd, r.what).toBeGreaterThan(0);
    }
    expect(rows[0]?.note).toContain('2 of 2 enrolled');
    expect(rows[figures.length]?.note).toContain('3 of 3 enrolled');
  });
});

describe('npm run bench, ER-driven bulk CPU (bench 4b), tiny blocks', () => {
  it('one block of 2 Enrollees per ER fills the median and p95 rows for wpsd sta and wpa_supplicant, with the AP CPU in the note', { timeout: 120_000 }, async () => {
    const rows = await benchErBulkCpu({ enrolleesPerBlock: 2, blocks: 1, warmup: 0 });
    expect(rows.map((r) => r.what)).toEqual([`${ER_BULK_WHAT}, median of the blocks, ms of CPU per enrollment`, `${ER_BULK_WHAT}, p95 of the blocks, ms of CPU per enrollment`]);
    for (const r of rows) {
      expect(r.wpsdNote, r.what).toBeUndefined();
      expect(r.referenceNote, r.what).toBeUndefined();
      // A block's CPU is counted in 10 ms clock ticks: the reference's can be 0 for 2 Enrollees.
      expect(Number.isFinite(r.wpsd), r.what).toBe(true);
      expect(Number.isFinite(r.reference), r.what).toBe(true);
      expect(r.referenceName).toMatch(/^wpa_supplicant \d+\.\d+/);
      expect([r.runs, r.referenceRuns]).toEqual([1, 1]);
      expect(r.note).toContain('wpsd sta: 2 enrolled');
      expect(r.note).toContain('wpa_supplicant: 2 enrolled');
      expect(r.note).toMatch(/the AP's CPU \d+\.\d\d ms per enrollment/);
    }
    const { stdout } = await run('ip', ['netns', 'list']);
    expect(stdout).not.toContain(`${BENCH_PREFIX}${process.pid}-`);
  });
});
