/**
 * The wpa_ctrl protocol both ways: Debian's hostapd_cli and wpa_cli against a
 * wpsd control socket, and `wpsd cli` against Debian's hostapd (driver=wired
 * on a veth end inside a network namespace this test creates).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CtrlServer } from '../src/ctrl/server.js';
import { REPLY_OK } from '../src/ctrl/registry.js';
import { KEY_MAX_LEN, decodeWireHex } from '../src/ctrl/wire-hex.js';
import { withTopology } from '../harness/fixture.js';
import { startHostapd } from '../harness/hostapd.js';
import { until } from '../harness/until.js';
import { SSID_MAX_LEN } from '../src/common/ssid.js';

const run = promisify(execFile);
const WPSD = resolve('dist/src/cli.js');

const children: ChildProcess[] = [];
function track(child: ChildProcess): ChildProcess {
  children.push(child);
  return child;
}
function killAll(): void {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Wait (bounded) until cond holds; assertions after it decide pass or fail. */

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

/** An action script that appends its arguments to a file, as `wpa_cli -a` runs it. */
function actionScript(dir: string, name: string): { script: string; out: string } {
  const script = join(dir, `${name}.sh`);
  const out = join(dir, `${name}.out`);
  writeFileSync(script, `#!/bin/sh\necho "$*" >> '${out}'\n`, { mode: 0o755 });
  return { script, out };
}

const readOut = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

describe('Debian hostapd_cli and wpa_cli against a wpsd control socket', () => {
  let dir: string;
  let server: CtrlServer;
  const seen: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(`/tmp/wpsd-ctli-${process.pid}-`);
    server = await CtrlServer.open({ ctrlInterface: `DIR=${join(dir, 'run')} GROUP=0`, ifname: 'wlan0' });
    // A daemon's WPS_CONFIG as the wire carries it: SSID and key hex-encoded.
    server.registry.register({
      name: 'WPS_CONFIG',
      minArgs: 2,
      maxArgs: 4,
      help: '<SSID-hex> <auth> [<encr>] [<key-hex>] = configure AP',
      handler: (args, ctx) => {
        seen.push(ctx.request.name + ' ' + ctx.request.rawArgs);
        decodeWireHex(args[0] ?? '', SSID_MAX_LEN);
        decodeWireHex(args[3] ?? '', KEY_MAX_LEN);
        return REPLY_OK;
      },
    });
  });

  afterEach(killAll);

  afterAll(async () => {
    killAll();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const hapd = (...args: string[]) => run('hostapd_cli', ['-p', server.dir, '-i', 'wlan0', ...args]).then((r) => r.stdout);
  const wpa = (...args: string[]) => run('wpa_cli', ['-p', server.dir, '-i', 'wlan0', ...args]).then((r) => r.stdout);
  const wpsd = (...args: string[]) => run('node', [WPSD, 'cli', '-p', server.dir, '-i', 'wlan0', ...args]).then((r) => r.stdout);

  it('answers ping from both tools', async () => {
    expect(await hapd('ping')).toBe('PONG\n');
    expect(await wpa('ping')).toBe('PONG\n');
  });

  it('answers wps_check_pin with the PIN, FAIL for an invalid PIN and FAIL-CHECKSUM for a bad checksum', async () => {
    for (const tool of [hapd, wpa]) {
      expect(await tool('wps_check_pin', '1234-5670')).toMatch(/^12345670\n?$/);
      expect(await tool('wps_check_pin', '12345')).toBe('FAIL\n');
      expect(await tool('wps_check_pin', '12345678')).toBe('FAIL-CHECKSUM\n');
    }
  });

  it('answers UNKNOWN COMMAND to a command it does not know', async () => {
    expect(await hapd('raw', 'NO_SUCH_COMMAND')).toBe('UNKNOWN COMMAND\n');
    expect(await wpa('raw', 'NO_SUCH_COMMAND')).toBe('UNKNOWN COMMAND\n');
  });

  it('receives WPS_CONFIG with SSID and key hex-encoded, the same from hostapd_cli and wpsd cli', async () => {
    seen.length = 0;
    expect(await hapd('wps_config', 'my net', 'WPA2PSK', 'CCMP', 'pass phrase')).toBe('OK\n');
    expect(await wpsd('wps_config', 'my net', 'WPA2PSK', 'CCMP', 'pass phrase')).toBe('OK\n');
    expect(seen).toEqual(['WPS_CONFIG 6d79206e6574 WPA2PSK CCMP 7061737320706872617365', 'WPS_CONFIG 6d79206e6574 WPA2PSK CCMP 7061737320706872617365']);
  });

  it('delivers an event to the program given to wpa_cli -a', async () => {
    const { script, out } = actionScript(dir, 'wpa-action');
    const cli = track(spawn('wpa_cli', ['-p', server.dir, '-i', 'wlan0', '-a', script], { stdio: 'ignore' }));
    await until(() => server.monitors.size === 1, 'server.monitors.size === 1');
    expect(server.monitors.size).toBe(1);
    // wpa_cli passes only some events to its action program; WPS-PBC-ACTIVE is one (spelled with hostapd's trailing space).
    server.emit(3, 'WPS-PBC-ACTIVE ');
    await until(() => readOut(out).length > 0, 'readOut(out).length > 0');
    expect(readOut(out)).toBe('wlan0 WPS-PBC-ACTIVE\n');
    cli.kill('SIGTERM');
    await exited(cli);
  });

  it('delivers an event to the program given to wpsd cli -a', async () => {
    const { script, out } = actionScript(dir, 'wpsd-action');
    const cli = track(spawn('node', [WPSD, 'cli', '-p', server.dir, '-i', 'wlan0', '-a', script], { stdio: 'ignore' }));
    await until(() => server.monitors.size === 1, 'server.monitors.size === 1');
    server.emit(3, 'AP-STA-CONNECTED 02:00:00:00:00:01');
    await until(() => readOut(out).length > 0, 'readOut(out).length > 0');
    expect(readOut(out)).toBe('wlan0 AP-STA-CONNECTED 02:00:00:00:00:01\n');
    cli.kill('SIGTERM');
    expect(await exited(cli)).toBe(0);
    expect(server.monitors.size).toBe(0);
  });

  it('keeps answering when a monitor stops reading (a wpa_cli -a whose action program hangs)', async () => {
    const pidFile = join(dir, 'hang.pid');
    const script = join(dir, 'hang.sh');
    writeFileSync(script, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 60\n`, { mode: 0o755 });
    const cli = track(spawn('wpa_cli', ['-p', server.dir, '-i', 'wlan0', '-a', script], { stdio: 'ignore' }));
    try {
      await until(() => server.monitors.size === 1, 'server.monitors.size === 1');
      server.emit(3, 'WPS-PBC-ACTIVE ');
      await until(() => existsSync(pidFile), 'existsSync(pidFile)');
      // wpa_cli now waits for its action program and reads nothing more.
      for (let i = 0; i < 2000; i++) {
        server.emit(3, 'WPS-PBC-ACTIVE ');
        if (i % 50 === 0) await new Promise((r) => setImmediate(r));
      }
      // The stuck datagram is given up (the socket path is rebound) before new requests are served;
      // a request caught in the stalled queue itself may go unanswered, as with a blocked hostapd.
      await until(() => server.queuedSends === 0, 'server.queuedSends === 0');
      expect(await wpa('ping')).toBe('PONG\n');
      expect(await wpsd('ping')).toBe('PONG\n');
      expect(server.monitors.size).toBe(0);
    } finally {
      // Free wpa_cli from its action program first so that it can exit cleanly and remove its socket.
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      cli.kill('SIGTERM');
      await Promise.race([exited(cli), new Promise((r) => setTimeout(r, 3000))]);
      cli.kill('SIGKILL');
      rmSync(`/tmp/wpa_ctrl_${cli.pid}-1`, { force: true });
    }
  });

  it('wpsd cli exits 1 and names the socket when the daemon cannot be reached', async () => {
    const missing = join(server.dir, 'nothere');
    const err = await run('node', [WPSD, 'cli', '-p', server.dir, '-i', 'nothere', 'ping']).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain(missing);
  });
});

describe('wpsd cli against Debian hostapd (driver=wired in a namespace)', () => {
  const env = withTopology({ hosts: ['ap', 'peer'] });
  let dir: string;
  let ctrlDir: string;
  let ifname: string;

  const wpsd = (...args: string[]) => run('node', [WPSD, 'cli', '-p', ctrlDir, '-i', ifname, ...args]).then((r) => r.stdout);

  beforeAll(async () => {
    dir = env.tempDir(`wpsd-ctlh-${process.pid}-`);
    const hostapd = env.track(await startHostapd({ host: env.host('ap'), ssid: 'wpsd-ctl-test' }));
    ctrlDir = hostapd.ctrlDir;
    ifname = hostapd.ifname;
  });

  it('gets PONG, a checked PIN and the configuration', async () => {
    expect(await wpsd('ping')).toBe('PONG\n');
    expect(await wpsd('wps_check_pin', '1234-5670')).toBe('12345670\n');
    expect(await wpsd('wps_check_pin', '12345678')).toBe('FAIL-CHECKSUM\n');
    const config = await wpsd('get_config');
    expect(config).toContain('ssid=wpsd-ctl-test\n');
    expect(config).toContain('wps_state=configured\n');
  });

  it('shows an event in interactive mode as it arrives', async () => {
    const home = join(dir, 'home');
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home);
    const cli = track(spawn('node', [WPSD, 'cli', '-p', ctrlDir, '-i', ifname], { env: { ...process.env, HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] }));
    let out = '';
    cli.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('> '), 'out.includes(\'> \')');
    expect(await wpsd('wps_pbc')).toBe('OK\n');
    await until(() => out.includes('WPS-PBC-ACTIVE'), 'out.includes(\'WPS-PBC-ACTIVE\')');
    expect(out).toContain('<3>WPS-PBC-ACTIVE');
    cli.stdin?.write('ping\n');
    await until(() => out.includes('PONG'), 'out.includes(\'PONG\')');
    cli.stdin?.write('wps_cancel\n');
    await until(() => /PONG\n[^]*OK\n/.test(out), '/PONG\n[^]*OK\n/.test(out)');
    cli.stdin?.write('quit\n');
    expect(await exited(cli)).toBe(0);
    expect(out).toMatch(/PONG\n[^]*OK\n/);
    // History survives the session, in ~/.wpsd_cli_history.
    expect(readFileSync(join(home, '.wpsd_cli_history'), 'utf8')).toBe('ping\nwps_cancel\nquit\n');
  });

  it('runs the -a program for hostapd events', async () => {
    const { script, out } = actionScript(dir, 'hapd-action');
    const cli = track(spawn('node', [WPSD, 'cli', '-p', ctrlDir, '-i', ifname, '-a', script], { stdio: 'ignore' }));
    // The PBC walk starts only after the monitor is attached; retry the trigger until the program ran.
    const started = () => readOut(out).includes('WPS-PBC-ACTIVE');
    for (let i = 0; i < 20 && !started(); i++) {
      await wpsd('wps_pbc');
      await until(started, 'the action program', { timeoutMs: 250 }).catch(() => undefined);
      await wpsd('wps_cancel');
    }
    expect(readOut(out)).toContain(`${ifname} WPS-PBC-ACTIVE\n`);
    cli.kill('SIGTERM');
    expect(await exited(cli)).toBe(0);
  });
});
