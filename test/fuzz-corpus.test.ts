// The fuzz harness's regression corpus, replayed on every test run, and a
// short seeded run per parser: no input may crash a parser (a throw that is
// not its typed error). Slowness is measured by `npm run fuzz`, never here;
// the linear-time properties are counted in the parsers' own tests.
import { describe, expect, it } from 'vitest';
import { fuzzTarget, loadCorpus, makeInput, runOne } from '../bench/fuzz.js';
import { FUZZ_TARGETS } from '../bench/fuzz-targets.js';

// CPU-bound: a target whose inputs hold many fragment cuts (eap-wsc-reassembly)
// takes 10-30 s niced on a loaded 2-core machine. The bound only stops a hang.
const SEEDED_RUN_TIMEOUT_MS = 300_000;

describe('fuzz corpus and a short seeded run of every parser', () => {
  it('covers the parsers with a seed input each that parses or is refused', () => {
    expect(FUZZ_TARGETS.length).toBeGreaterThanOrEqual(35);
    for (const t of FUZZ_TARGETS) for (const s of t.seeds) expect(runOne(t, s).kind, t.name).not.toBe('crash');
  });

  it('the same seed and index always make the same input (replayable)', () => {
    const t = FUZZ_TARGETS[0];
    if (t === undefined) throw new Error('no targets');
    const corpus = loadCorpus(t.name).map((c) => c.data);
    expect(makeInput(t, corpus, 7, 12345).equals(makeInput(t, corpus, 7, 12345))).toBe(true);
    expect(makeInput(t, corpus, 7, 12345).equals(makeInput(t, corpus, 8, 12345))).toBe(false);
  });

  for (const t of FUZZ_TARGETS) {
    it(`${t.name}: every corpus input and 300 seeded inputs are parsed or refused, none crashes`, () => {
      for (const c of loadCorpus(t.name)) expect(runOne(t, c.data), `${t.name}/${c.name}`).not.toMatchObject({ kind: 'crash' });
      const r = fuzzTarget(t, { inputs: 300, seconds: 60, seed: 42, save: false });
      expect(r.crashes).toEqual([]);
    }, SEEDED_RUN_TIMEOUT_MS);
  }
});
