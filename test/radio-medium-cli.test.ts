/**
 * `wpsd medium` as its own process (the built CLI), with radios attached over
 * its UNIX socket exchanging a probe request and response.
 */
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SimApDriver } from '../src/radio/sim/ap-driver.js';
import { SimStationDriver } from '../src/radio/sim/station-driver.js';
import { fragmentWpsIe, joinWpsIe } from '../src/radio/wps-ie.js';
import { CapabilityInfo } from '../src/radio/frame.js';
import type { DriverEvent } from '../src/radio/driver.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/src/cli.js');
const AP = '02:00:00:00:11:00';
const STA = '02:00:00:00:22:00';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startMedium(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, 'medium', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  // 'close': stderr is read to its end by then.
  const exited = new Promise<number | null>((res) => child.once('close', (code) => res(code)));
  return { child, stderr: () => err, exited };
}

async function untilListening(m: Running): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!m.stderr().includes('listening on')) {
    if (m.child.exitCode !== null) throw new Error(`medium exited: ${m.stderr()}`);
    if (Date.now() > deadline) throw new Error(`medium did not start: ${m.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('wpsd medium in its own process', () => {
  let dir: string;
  const running: Running[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/radio/medium-command.js'))) {
      try {
        execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
      } catch {
        // tsc exits non-zero on other areas' type errors but still emits JavaScript
      }
    }
    dir = mkdtempSync(join(tmpdir(), `wpsd-medium-cli-${process.pid}-`));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    for (const m of running.splice(0)) {
      if (m.child.exitCode === null && m.child.signalCode === null) {
        m.child.kill('SIGKILL');
        await m.exited;
      }
    }
  });

  async function radios(sock: string): Promise<{ ap: SimApDriver; sta: SimStationDriver; apEvents: DriverEvent[] }> {
    const ap = await SimApDriver.open({ mediumPath: sock, address: AP, channel: 11 });
    closers.push(() => ap.close());
    const sta = await SimStationDriver.open({ mediumPath: sock, address: STA, channel: 11 });
    closers.push(() => sta.close());
    const apEvents: DriverEvent[] = [];
    ap.onEvent((e) => apEvents.push(e));
    await ap.startAp({
      ssid: enc('cli-medium'),
      channel: 11,
      beaconInterval: 1000,
      capability: CapabilityInfo.ESS,
      beaconElements: [],
      probeResponseElements: fragmentWpsIe(enc('wps-attributes')),
    });
    return { ap, sta, apEvents };
  }

  it('carries a probe request and its response between two radios, and removes its socket on SIGTERM', async () => {
    const sock = join(dir, 'ok.sock');
    const m = startMedium(['--socket', sock, '-d']);
    running.push(m);
    await untilListening(m);
    const { sta, apEvents } = await radios(sock);
    const results = await sta.scan({ ssid: enc('cli-medium'), dwellMs: 500, elements: fragmentWpsIe(enc('enrollee')) });
    expect(results.map((r) => r.bssid)).toEqual([AP]);
    expect(results[0]?.fromProbeResponse).toBe(true);
    expect(joinWpsIe(results[0]?.elements ?? [])).toEqual(enc('wps-attributes'));
    const probe = apEvents.find((e) => e.type === 'rx-mgmt' && e.frame.body.subtype === 'probe-request');
    if (probe?.type !== 'rx-mgmt' || probe.frame.body.subtype !== 'probe-request') throw new Error('the AP saw no probe request');
    expect(joinWpsIe(probe.frame.body.elements)).toEqual(enc('enrollee'));
    expect(m.stderr()).toContain('registered 02:00:00:00:22:00 on channel 11');

    for (const c of closers.splice(0)) await c();
    m.child.kill('SIGTERM');
    expect(await m.exited).toBe(0);
    expect(existsSync(sock)).toBe(false);
  });

  it('with --loss 1 nothing gets through: the scan finds no AP', async () => {
    const sock = join(dir, 'lossy.sock');
    const m = startMedium(['--socket', sock, '--loss', '1', '--seed', '3']);
    running.push(m);
    await untilListening(m);
    const { sta, apEvents } = await radios(sock);
    expect(await sta.scan({ dwellMs: 150 })).toEqual([]);
    expect(apEvents.filter((e) => e.type === 'rx-mgmt')).toEqual([]);
  });

  it('refuses a loss that is not a probability', async () => {
    const m = startMedium(['--socket', join(dir, 'bad.sock'), '--loss', '2']);
    running.push(m);
    expect(await m.exited).not.toBe(0);
    expect(m.stderr()).toContain('a probability between 0 and 1 is expected');
  });
});
