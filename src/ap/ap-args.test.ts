import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commanderReads as readsOf } from '../../harness/commander-reads.js';
import { parseApArgs, type ApRoleOptions } from './ap-args.js';
import { register } from './ap-command.js';

const commanderReads = (args: readonly string[]): Promise<ApRoleOptions | 'refused'> => readsOf(register, 'ap', args);

const TOKENS = ['-c', '--config', 'a.conf', 'b.conf', '--config=c.conf', '-ca.conf', '-d', '-dd', '--debug', '-t', '--timestamps', '-K', '--show-keys', '-tK', '-dKc', '--lenient-config',
  '--upnp-callback', 'same-host', 'same-subnet', 'other', '--upnp-callback=same-subnet', '--', '-', '', 'help', '-h', '--help', '-V', '-x', '--debug=2', '--timestamps=yes', '-5'];

const some = fc.array(fc.constantFrom(...TOKENS), { maxLength: 4 });
/** Mostly lines with a configuration file somewhere among other tokens, so that most are lines a daemon starts with. */
const line = fc.oneof(
  fc.tuple(some, fc.constantFrom(['a.conf'], ['-c', 'a.conf'], ['--config=c.conf'], ['-dKc', 'b.conf']), some).map(([a, c, b]) => [...a, ...c, ...b]),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }),
);

describe('wpsd ap read without commander', () => {
  it('reads what commander reads, or leaves the line to it', async () => {
    await fc.assert(
      fc.asyncProperty(line, async (args) => {
        const fast = parseApArgs(args);
        if (fast !== undefined) expect(await commanderReads(args)).toEqual(fast);
      }),
      { numRuns: 800 },
    );
  });

  it('reads the lines daemons are started with', async () => {
    for (const args of [['-c', 'a.conf'], ['a.conf', 'b.conf', 'c.conf'], ['-dd', '-t', '-K', '--lenient-config', '-c', 'a.conf', 'b.conf'], ['--upnp-callback', 'same-subnet', 'a.conf'], ['a.conf', '-d']]) {
      const fast = parseApArgs(args);
      expect(fast).toBeDefined();
      expect(await commanderReads(args)).toEqual(fast);
    }
    expect(parseApArgs(['-dd', 'a.conf'])?.debug).toBe(2);
  });

  it('leaves help, errors and a line without a configuration file to commander', () => {
    for (const args of [[], ['-h'], ['--help', 'a.conf'], ['-d'], ['--upnp-callback', 'other', 'a.conf'], ['-x', 'a.conf'], ['-c'], ['--debug=2', 'a.conf'], ['a.conf', '--upnp-callback', '', '--upnp-callback=same-subnet']]) expect(parseApArgs(args)).toBeUndefined();
  });
});
