/**
 * Separate processes as a user runs them: `wpsd medium --socket PATH`, then
 * `wpsd ap -c hostapd.conf` with driver=sim attached to it; the station
 * (src/sta/wireless enroll() on a SimStationDriver) joins the same medium
 * from the test process, and the AP is driven over its control socket by
 * Debian's hostapd_cli.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CtrlClient } from '../src/ctrl/client.js';
import { macToBytes } from '../src/radio/mac.js';
import { SimStationDriver } from '../src/radio/sim/station-driver.js';
import { enroll } from '../src/sta/wireless/enroll.js';
import { formatUuid, parseDeviceType, uuidFromMac } from '../src/wps/device.js';
import { ConfigMethods, RfBand } from '../src/wps/values.js';
import { until, type UntilOptions } from '../harness/until.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/src/cli.js');
const AP = '02:00:00:00:1a:00';
const STA = '02:00:00:00:1b:01';
const CHANNEL = 3;

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  // 'close': the output is read to its end by then.
  const exited = new Promise<number | null>((res) => child.once('close', (code) => res(code)));
  return { child, output: () => out, exited };
}


/** Gives up as soon as the process exits; its output goes with the error. */
function exitedOr(p: Running): UntilOptions {
  return { timeoutMs: 15_000, failIf: () => (p.child.exitCode !== null ? 'process exited' : undefined), detail: () => p.output() };
}

describe('wpsd ap driver=sim against wpsd medium, in separate processes', () => {
  let dir: string;
  const procs: Running[] = [];
  const closers: (() => Promise<void> | void)[] = [];

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/ap/wps/wps-ap.js'))) {
      try {
        execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
      } catch {
        // tsc exits non-zero on other areas' type errors but still emits JavaScript
      }
    }
    dir = mkdtempSync(join(tmpdir(), `wpsd-apr-cli-${process.pid}-`));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    for (const p of procs.splice(0).reverse()) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGTERM');
        const t = setTimeout(() => p.child.kill('SIGKILL'), 5_000);
        await p.exited;
        clearTimeout(t);
      }
    }
  });

  /** `wpsd medium` and `wpsd ap` (driver=sim) as separate processes, the AP's socket ready. */
  async function startMediumAndAp(): Promise<{ sock: string; ap: Running }> {
    const sock = join(dir, 'medium.sock');
    const medium = run(['medium', '--socket', sock]);
    procs.push(medium);
    await until(() => medium.output().includes('listening on'), 'the medium', exitedOr(medium));
    const conf = join(dir, 'hostapd.conf');
    writeFileSync(
      conf,
      [
        'driver=sim',
        `sim_medium=${sock}`,
        'interface=wapc0',
        `bssid=${AP}`,
        `channel=${CHANNEL}`,
        `ctrl_interface=${join(dir, 'ctrl')}`,
        'ssid=wpsd-cli',
        'wpa=2',
        'wpa_key_mgmt=WPA-PSK',
        'rsn_pairwise=CCMP',
        'wpa_passphrase=cli passphrase 1',
        'eap_server=1',
        'wps_state=2',
        '',
      ].join('\n'),
    );
    const ap = run(['ap', '-c', conf]);
    procs.push(ap);
    await until(() => existsSync(join(dir, 'ctrl', 'wapc0')), 'the AP control socket', exitedOr(ap));
    return { sock, ap };
  }

  function hostapdCli(...args: string[]): string {
    return execFileSync('hostapd_cli', ['-p', join(dir, 'ctrl'), '-i', 'wapc0', ...args], { encoding: 'utf8', timeout: 10_000 });
  }

  it('hostapd_cli wps_pin any 12345670, and a station on the shared medium gets the credential', async () => {
    const { sock, ap } = await startMediumAndAp();
    const ctrl = CtrlClient.open(join(dir, 'ctrl', 'wapc0'));
    closers.push(() => ctrl.close());
    const events: string[] = [];
    ctrl.onEvent((e) => events.push(e.text));
    await ctrl.attach();
    // Debian's hostapd_cli drives it unchanged.
    expect(hostapdCli('wps_pin', 'any', '12345670').trim()).toBe('OK');

    const sta = await SimStationDriver.open({ mediumPath: sock, address: STA, channel: CHANNEL, mlmeTimeoutMs: 200, mlmeTries: 4 });
    closers.push(() => sta.close());
    const macAddress = Buffer.from(macToBytes(STA));
    const res = await enroll({
      driver: sta,
      device: {
        uuid: uuidFromMac(macAddress),
        macAddress,
        deviceName: 'cli sta',
        manufacturer: 'wpsd',
        modelName: 'sim',
        modelNumber: '1',
        serialNumber: '1',
        primaryDeviceType: parseDeviceType('1-0050F204-1'),
        osVersion: 0,
        configMethods: ConfigMethods.Keypad | ConfigMethods.VirtualDisplay,
        rfBands: RfBand.Band24GHz,
      },
      method: { kind: 'pin', pin: '12345670' },
      channels: [CHANNEL],
      walkTimeMs: 20_000,
      scanDwellMs: 100,
      retryDelayMs: 200,
      eapolStartIntervalMs: 300,
    });
    expect(res).toMatchObject({ ok: true, bssid: AP });
    if (!res.ok) return;
    expect(res.credentials[0]?.ssid.toString()).toBe('wpsd-cli');
    expect(res.credentials[0]?.networkKey.toString()).toBe('cli passphrase 1');
    await until(() => events.includes('WPS-SUCCESS '), 'WPS-SUCCESS', exitedOr(ap));
    expect(events).toContain(`WPS-REG-SUCCESS ${STA} ${formatUuid(uuidFromMac(macAddress))}`);
    // SIGTERM stops the AP cleanly.
    ap.child.kill('SIGTERM');
    expect(await ap.exited).toBe(0);
  });

  it('hostapd_cli all_sta / list_sta / sta list the associated stations and end; interactive mode answers ping; wps_get_status follows PBC', async () => {
    const { sock } = await startMediumAndAp();
    const addrs = ['02:00:00:00:1b:11', '02:00:00:00:1b:12'];
    for (const address of addrs) {
      const sta = await SimStationDriver.open({ mediumPath: sock, address, channel: CHANNEL, mlmeTimeoutMs: 200, mlmeTries: 4 });
      closers.push(() => sta.close());
      // Neither WPS nor RSN element: hostapd's "maybe WPS" station, which a WPS AP lets associate.
      const res = await sta.connect({ bssid: AP, ssid: Buffer.from('wpsd-cli'), channel: CHANNEL, capability: 0x0021, listenInterval: 5 });
      expect(res).toMatchObject({ ok: true });
    }
    // hostapd_cli walks STA-FIRST / STA-NEXT until an empty or FAIL reply: it must end, newest station first.
    const all = hostapdCli('all_sta');
    const [newest, oldest] = [addrs[1], addrs[0]];
    expect(all).toBe(
      `${newest}\nflags=[AUTH][ASSOC][SHORT_PREAMBLE][MAYBE_WPS]\naid=2\ncapability=0x21\nlisten_interval=5\nsupported_rates=82 84 8b 96 0c 12 18 24 30 48 60 6c\ntimeout_next=NULLFUNC POLL\n` +
        `${oldest}\nflags=[AUTH][ASSOC][SHORT_PREAMBLE][MAYBE_WPS]\naid=1\ncapability=0x21\nlisten_interval=5\nsupported_rates=82 84 8b 96 0c 12 18 24 30 48 60 6c\ntimeout_next=NULLFUNC POLL\n`,
    );
    expect(hostapdCli('list_sta')).toBe(`${newest}\n${oldest}\n`);
    expect(hostapdCli('status')).toMatch(/^num_sta\[0\]=2$/m);
    expect(hostapdCli('sta', oldest ?? '')).toMatch(new RegExp(`^${oldest}\nflags=\\[AUTH\\]\\[ASSOC\\]`));
    expect(hostapdCli('sta', '02:00:00:00:99:99')).toBe('FAIL\n');
    expect(hostapdCli('raw', 'STA-NEXT', oldest ?? '')).toBe('');
    // Interactive mode lists the stations for completion at start, then answers.
    const interactive = execFileSync('hostapd_cli', ['-p', join(dir, 'ctrl'), '-i', 'wapc0'], { encoding: 'utf8', timeout: 10_000, input: 'ping\nquit\n' });
    expect(interactive).toContain('PONG');
    expect(hostapdCli('wps_get_status')).toBe('PBC Status: Disabled\nLast WPS result: None\n');
    expect(hostapdCli('wps_pbc').trim()).toBe('OK');
    expect(hostapdCli('wps_get_status')).toBe('PBC Status: Active\nLast WPS result: None\n');
    expect(hostapdCli('wps_cancel').trim()).toBe('OK');
    expect(hostapdCli('wps_get_status')).toBe('PBC Status: Timed-out\nLast WPS result: None\n');
  });
});
