// A typo in a configuration key: Debian's hostapd and wpa_supplicant refuse
// to start and name the key; `wpsd ap` and `wpsd sta` must do the same (and
// start only with --lenient-config). The real daemons fail while parsing,
// before they touch an interface; they still run under `unshare --net` so
// nothing they could open reaches the machine's network.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../harness/netns.js';
import { WPSD_CLI } from '../harness/wpsd.js';

const RUN_MS = 20_000;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wpsd-typo-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Runs a command in a network namespace of its own; stdout and stderr together. */
async function isolated(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  const r = await run('unshare', ['--net', cmd, ...args], { allowFail: true, timeoutMs: RUN_MS });
  return { code: r.code, out: r.stdout + r.stderr };
}

const HOSTAPD_CONF = ['driver=wired', 'interface=wtypo0', `ctrl_interface=CTRL`, 'eap_server=1', 'ssid=typo', 'wps_sate=2', ''].join('\n');

describe('a typo in hostapd.conf', () => {
  it('hostapd and wpsd ap both refuse to start, exit 1, and name the key and its line', async () => {
    const path = file('hostapd.conf', HOSTAPD_CONF.replace('CTRL', join(dir, 'ctrl-h')));
    const real = await isolated('hostapd', [path]);
    const ours = await isolated(process.execPath, [WPSD_CLI, 'ap', '-c', path]);
    expect(real.code).toBe(1);
    expect(real.out).toContain("Line 6: unknown configuration item 'wps_sate'");
    expect(real.out).toContain(`1 errors found in configuration file '${path}'`);
    expect(ours.code).toBe(real.code);
    expect(ours.out).toContain(`${path} line 6: unknown configuration item 'wps_sate'`);
    expect(ours.out).toContain(`1 errors found in configuration file '${path}'`);
    expect(ours.out).toContain(`Failed to set up interface with ${path}`);
    expect(ours.out).not.toContain('AP-ENABLED');
  });
});

describe('a typo in wpa_supplicant.conf', () => {
  it.each([
    ['a global key', 'update_confg=1\n', /Line 2: unknown global field 'update_confg=1'\./, "line 2: unknown global field 'update_confg'"],
    ['a network field', 'network={\n\tssid="x"\n\tpsk_x="y"\n}\n', /Line 4: unknown network field 'psk_x'\./, "line 4: unknown network field 'psk_x'"],
  ])('%s: wpa_supplicant and wpsd sta both refuse to start, exit non-zero, and name it', async (_what, body, realText, ourText) => {
    const path = file(`wpas-${body.length}.conf`, `ctrl_interface=${join(dir, 'ctrl-w')}\n${body}`);
    const real = await isolated('wpa_supplicant', ['-Dnone', '-i', 'lo', '-c', path]);
    const ours = await isolated(process.execPath, [WPSD_CLI, 'sta', '-D', 'none', '-i', 'lo', '-c', path]);
    expect(real.code).not.toBe(0);
    expect(real.out).toMatch(realText);
    expect(real.out).toContain(`Failed to read or parse configuration '${path}'.`);
    expect(ours.code).not.toBe(0);
    expect(ours.out).toContain(`${path} ${ourText}`);
    expect(ours.out).toContain(`Failed to read or parse configuration '${path}'.`);
  });
});
