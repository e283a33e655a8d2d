import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commanderReads as readsOf } from '../../harness/commander-reads.js';
import { parseStaArgs, type StaRoleOptions } from './sta-args.js';
import { register } from './sta-command.js';

const commanderReads = (args: readonly string[]): Promise<StaRoleOptions | 'refused'> => readsOf(register, 'sta', args);

const TOKENS = ['-c', '--config', 'wpa.conf', '--config=x.conf', '-cwpa.conf', '-i', '--iface', 'wlan0', '-iwp0', '--iface=eth0', '-D', '--driver', 'none', 'sim', 'nl80211', '-Dsim', '-d', '-dd',
  '--debug', '-t', '-K', '-tK', '-dKi', '--show-keys', '--timestamps', '--lenient-config', '--', '-', '', 'extra', '-h', '--help', '-x', '--debug=1', '-5'];

const C_FORMS = [['-c', 'wpa.conf'], ['--config', 'wpa.conf'], ['--config=x.conf'], ['-cwpa.conf']];
const I_FORMS = [['-i', 'wlan0'], ['--iface', 'wp0'], ['--iface=eth0'], ['-iwp0'], ['-dKi', 'wlan0']];
const BENIGN = [['-d'], ['-dd'], ['--debug'], ['-t'], ['-K'], ['-tK'], ['--show-keys'], ['--timestamps'], ['--lenient-config'], ['-D', 'sim'], ['--driver', 'nl80211'], ['-Dsim'], ['--driver=none'], ['-c', 'b.conf'], ['-i', 'wp1']];
const some = fc
  .array(fc.oneof({ arbitrary: fc.constantFrom(...BENIGN), weight: 4 }, { arbitrary: fc.constantFrom(...TOKENS).map((t) => [t]), weight: 1 }), { maxLength: 3 })
  .map((parts) => parts.flat());
/** Mostly lines with -c and -i somewhere among other tokens, so that most are lines a daemon starts with. */
const line = fc.oneof(
  fc.tuple(some, fc.constantFrom(...C_FORMS), some, fc.constantFrom(...I_FORMS), some, fc.boolean()).map(([a, c, b, i, d, swap]) => (swap ? [...a, ...i, ...b, ...c, ...d] : [...a, ...c, ...b, ...i, ...d])),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 9 }),
);

describe('wpsd sta read without commander', () => {
  it('reads what commander reads, or leaves the line to it', async () => {
    await fc.assert(
      fc.asyncProperty(line, async (args) => {
        const fast = parseStaArgs(args);
        if (fast !== undefined) expect(await commanderReads(args)).toEqual(fast);
      }),
      { numRuns: 800 },
    );
  });

  it('reads the lines daemons are started with', async () => {
    for (const args of [['-D', 'none', '-i', 'wp0', '-c', 'er.conf'], ['-c', 'wpa.conf', '-i', 'wlan0', '-D', 'sim', '-dd', '-t'], ['-Dnl80211', '-iwlan0', '-cwpa.conf', '-K', '--lenient-config'], ['-c', 'x', '-i', 'y']]) {
      const fast = parseStaArgs(args);
      expect(fast).toBeDefined();
      expect(await commanderReads(args)).toEqual(fast);
    }
    expect(parseStaArgs(['-c', 'x', '-i', 'y'])?.driver).toBe('none');
  });

  it('leaves help, errors, a missing -c or -i and operands to commander', () => {
    for (const args of [[], ['-h'], ['-c', 'x'], ['-i', 'y'], ['-c', 'x', '-i', 'y', 'extra'], ['-c', 'x', '-i', 'y', '-x'], ['-c', 'x', '-i'], ['--help', '-c', 'x', '-i', 'y']]) expect(parseStaArgs(args)).toBeUndefined();
  });
});
