// The control socket with monitors in other network namespaces (a client in
// the host's namespace talking to a daemon in its own, through the
// filesystem): sock_diag cannot see them, so whether they read is judged
// from our socket's send-buffer use. A monitor there that never reads must
// cost the reading ones, there and here, nothing: every event, in order,
// and the socket never reopened (which would cut every connected monitor).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CtrlClient } from '../src/ctrl/client.js';
import { CtrlServer } from '../src/ctrl/server.js';
import { until } from '../harness/until.js';

const EVENTS = 1000;
let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(`/tmp/wpsd-ctlns-${process.pid}-`);
});

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A command in a network namespace of its own (unshare -n execs it: the pid is the command's); gone with the process. */
function inOwnNetns(cmd: string, args: string[], stdio: 'pipe' | 'ignore'): ChildProcess {
  const c = spawn('unshare', ['-n', cmd, ...args], { stdio: ['pipe', stdio, 'inherit'] });
  children.push(c);
  return c;
}

/** A monitor connected to the socket, as wpa_ctrl is, that prints every event it reads. */
function readerScript(serverPath: string, own: string): string {
  return `const { DgramSocket } = require('node-unix-socket');
    const m = new DgramSocket(); m.bind(${JSON.stringify(own)});
    m.on('data', (b) => process.stdout.write(b.toString() + '\\n'));
    m.sendTo(Buffer.from('ATTACH'), 0, 6, ${JSON.stringify(serverPath)}, () => undefined);
    setTimeout(() => process.exit(0), 60000);`;
}

describe('control socket monitors in other network namespaces', { timeout: 120_000 }, () => {
  it('a monitor in another namespace that never reads costs the reading monitors (one here, one in another namespace) nothing: every event arrives, the socket is never reopened, the stuck one is detached', async () => {
    const s = await CtrlServer.open({ ctrlInterface: join(dir, 'run'), ifname: 'wlan0' });
    const here = CtrlClient.open(s.path, dir);
    try {
      // hostapd_cli connects and ATTACHes; SIGSTOP keeps it from ever reading.
      const stuck = inOwnNetns('hostapd_cli', ['-p', join(dir, 'run'), '-i', 'wlan0'], 'ignore');
      await until(() => s.monitors.size === 1, 's.monitors.size === 1');
      const stuckAddress = s.monitors.all()[0]?.address;
      stuck.kill('SIGSTOP');
      const away = inOwnNetns(process.execPath, ['-e', readerScript(s.path, join(dir, 'away'))], 'pipe');
      let awayOut = '';
      away.stdout?.on('data', (b: Buffer) => (awayOut += b.toString()));
      await until(() => awayOut.includes('OK'), "awayOut.includes('OK')");
      const got: string[] = [];
      here.onEvent((e) => got.push(e.text));
      await here.attach();
      expect(s.monitors.size).toBe(3);

      const sent = Array.from({ length: EVENTS }, (_, i) => `WPS-EVENT-${i}`);
      for (const [i, text] of sent.entries()) {
        s.emit(3, text);
        // The daemon's event loop turns between bursts, as it does between real events.
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
      await until(() => got.length >= EVENTS, 'got.length >= EVENTS', { timeoutMs: 30_000 });
      await until(() => awayOut.includes(`WPS-EVENT-${EVENTS - 1}\n`), 'the other namespace got the last event', { timeoutMs: 30_000 });
      expect(got).toEqual(sent);
      expect(awayOut.split('\n').filter((l) => l.startsWith('<3>'))).toEqual(sent.map((t) => `<3>${t}`));
      expect(s.stallRecoveries).toBe(0);
      // The stopped one is detached once its backlog ages out (more than 10 failed sends, as hostapd); the readers stay.
      await until(() => s.monitors.size === 2, 's.monitors.size === 2', { timeoutMs: 30_000 });
      expect(stuckAddress === undefined ? undefined : s.monitors.get(stuckAddress)).toBeUndefined();
      expect(s.monitors.get(join(dir, 'away'))).toBeDefined();
      expect(await here.request('PING', 2000)).toBe('PONG\n');
      // Events after the flood still reach both.
      s.emit(3, 'WPS-AFTER');
      await until(() => got.includes('WPS-AFTER') && awayOut.includes('<3>WPS-AFTER'), 'both got WPS-AFTER');
    } finally {
      here.close();
      await s.close();
    }
  });
});
