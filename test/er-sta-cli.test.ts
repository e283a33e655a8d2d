// `wpsd sta` as a user starts it: configuration errors name the file and the
// line, an unusable driver says why, and the process exits 1. Nothing here
// opens a network socket (it stops before).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'wpsd-sta-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sta(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [CLI, 'sta', ...args], { timeout: 20_000 });
    return { code: 0, stderr: '' };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: err.code ?? -1, stderr: err.stderr ?? '' };
  }
}

describe('wpsd sta start-up errors', () => {
  it('names the file and line of every configuration error and exits 1', async () => {
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, `ctrl_interface=${join(dir, 'ctrl')}\nbogus line\nnetwork={\n\tssid="a"\n\tpsk="short"\n}\n`);
    const r = await sta(['-c', conf, '-i', 'lo', '-Dnone', '-dd', '-t', '-K']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${conf} line 2: `);
    expect(r.stderr).toContain(`${conf} line 5: psk: `);
  });

  it('refuses -D nl80211 here with the reason, and an unknown driver', async () => {
    const conf = join(dir, 'ok.conf');
    writeFileSync(conf, `ctrl_interface=${join(dir, 'ctrl')}\n`);
    const nl = await sta(['-c', conf, '-i', 'lo', '-D', 'nl80211']);
    expect(nl.code).toBe(1);
    expect(nl.stderr).toMatch(/^wpsd sta: driver nl80211: .*nl80211/m);
    const other = await sta(['-c', conf, '-i', 'lo', '-D', 'wext']);
    expect(other.stderr).toContain('unknown driver "wext" (use none, sim or nl80211)');
  });
});
