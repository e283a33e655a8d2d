// The benchmark table: a side that was not measured shows why, never a number.
import { describe, expect, it } from 'vitest';
import { shortError } from '../bench/compare.js';
import { renderMarkdown, type BenchRow } from '../bench/results.js';

function tableRow(md: string, what: string): string[] {
  const line = md.split('\n').find((l) => l.startsWith(`| ${what}`));
  if (!line) throw new Error(`no row ${what}`);
  return line.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, ''));
}

describe('bench/RESULTS.md table', () => {
  it('a row without a wpsd figure shows its note in the wpsd cell and no ratio', () => {
    const rows: BenchRow[] = [{ what: 'learn, median ms', wpsdNote: 'not available yet', reference: 2.5, referenceName: 'wpa_supplicant 2.10 ER', runs: 0, referenceRuns: 50 }];
    expect(tableRow(renderMarkdown(rows, new Date(0)), 'learn').slice(0, 5)).toEqual(['learn, median ms', 'not available yet', '2.50 (wpa_supplicant 2.10 ER)', '—', '0 / 50']);
  });

  it('a row with both figures shows the ratio wpsd / reference and one run count when only one is given', () => {
    const rows: BenchRow[] = [{ what: 'x', wpsd: 5, reference: 2.5, referenceName: 'hostapd 2.10', runs: 40 }];
    expect(tableRow(renderMarkdown(rows, new Date(0)), 'x').slice(0, 5)).toEqual(['x', '5.00', '2.50 (hostapd 2.10)', '2.00', '40']);
  });

  it('a failed reference shows its note, and pipes and newlines in notes do not break the table', () => {
    const rows: BenchRow[] = [{ what: 'y', wpsd: 1, referenceNote: 'failed: a|b\nc', runs: 1, referenceRuns: 0 }];
    const md = renderMarkdown(rows, new Date(0));
    expect(md).toContain('| y | 1.00 | failed: a\\|b c | — | 1 / 0 |');
  });

  it('notes appear under the heading, before the table', () => {
    const md = renderMarkdown([], new Date(0), ['Load average (1 min): 0.10 when the run started']);
    expect(md.indexOf('Load average (1 min): 0.10')).toBeLessThan(md.indexOf('| what |'));
  });

  it('shortError drops the harness label and temp directories and caps the length', () => {
    expect(shortError('wpsd-sta@wpsdb1-abc-er exited (1): wpsd sta: /tmp/wpsd-bench-er-x/wpa_supplicant.conf line 11:\n bad')).toBe(
      'exited (1): wpsd sta: wpa_supplicant.conf line 11: bad',
    );
    expect(shortError('z'.repeat(500)).length).toBeLessThanOrEqual(140);
  });
});
