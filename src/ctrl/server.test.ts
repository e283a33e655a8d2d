import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CtrlServer, CtrlServerError } from './server.js';
import { CtrlClient } from './client.js';
import { createDgramSocket, sendTo, type DgramSocket } from './dgram.js';
import { MAX_MONITORS } from './monitors.js';
import { MAX_REQUEST_LEN } from './request.js';
import { REPLY_OK } from './registry.js';
import { Logger, LogLevel } from '../common/log.js';
import { until } from '../../harness/until.js';

/** Short temp dirs: socket paths must stay under 108 bytes. */
let dir: string;
const servers: CtrlServer[] = [];
const clients: CtrlClient[] = [];
const raws: DgramSocket[] = [];

beforeEach(() => {
  dir = mkdtempSync(`/tmp/wpsd-ctl-${process.pid}-`);
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const r of raws.splice(0)) r.close();
  for (const s of servers.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(ctrlInterface = join(dir, 'run'), ifname = 'wlan0'): Promise<CtrlServer> {
  const s = await CtrlServer.open({ ctrlInterface, ifname });
  servers.push(s);
  return s;
}

function client(s: CtrlServer): CtrlClient {
  const c = CtrlClient.open(s.path, dir);
  clients.push(c);
  return c;
}

/** A raw socket that records every datagram it gets. */
function raw(name: string): { sock: DgramSocket; path: string; got: string[] } {
  const path = join(dir, name);
  const sock = createDgramSocket();
  sock.bind(path);
  raws.push(sock);
  const got: string[] = [];
  sock.on('data', (b: Buffer) => got.push(b.toString('utf8')));
  return { sock, path, got };
}

/** Wait (bounded) until cond holds; the test fails on the assertion after, not on time. */

describe('control socket server', () => {
  it('answers PING with PONG, case-insensitively, and unknown commands with UNKNOWN COMMAND', async () => {
    const s = await open();
    const c = client(s);
    expect(await c.request('PING')).toBe('PONG\n');
    expect(await c.request('ping')).toBe('PONG\n');
    expect(await c.request('NO_SUCH_COMMAND')).toBe('UNKNOWN COMMAND\n');
  });

  it('wps_check_pin answers the PIN, FAIL for an invalid PIN and FAIL-CHECKSUM for a bad checksum', async () => {
    const s = await open();
    const c = client(s);
    expect(await c.request('WPS_CHECK_PIN 1234-5670')).toBe('12345670');
    expect(await c.request('WPS_CHECK_PIN 12345')).toBe('FAIL\n');
    expect(await c.request('WPS_CHECK_PIN 12345678')).toBe('FAIL-CHECKSUM\n');
  });

  it('sends events to attached monitors as <level>TEXT, filtered by LEVEL, until DETACH', async () => {
    const s = await open();
    const mon = client(s);
    const events: string[] = [];
    mon.onEvent((e) => events.push(e.raw));
    expect(await mon.request('LEVEL 2')).toBe('FAIL\n'); // not attached yet
    await mon.attach();
    s.emit(3, 'WPS-PBC-ACTIVE ');
    s.emit(2, 'debug only');
    // Replies and events share one FIFO socket: once PONG is here, earlier events are too.
    expect(await mon.request('PING')).toBe('PONG\n');
    expect(events).toEqual(['<3>WPS-PBC-ACTIVE ']);
    expect(await mon.request('LEVEL 2')).toBe(REPLY_OK);
    s.emit(2, 'debug now');
    expect(await mon.request('LEVEL x')).toBe('FAIL\n');
    await mon.detach();
    s.emit(3, 'WPS-CANCEL ');
    expect(await mon.request('PING')).toBe('PONG\n');
    expect(events).toEqual(['<3>WPS-PBC-ACTIVE ', '<2>debug now']);
    expect(await mon.request('DETACH')).toBe('FAIL\n');
  });

  it('accepts ctrl_interface=DIR=... GROUP=... and sets group and mode 0770 on directory and socket', async () => {
    const s = await open(`DIR=${join(dir, 'grp')} GROUP=4242`);
    for (const p of [join(dir, 'grp'), s.path]) {
      const st = statSync(p);
      expect(st.gid).toBe(4242);
      expect(st.mode & 0o777).toBe(0o770);
    }
    expect(await client(s).request('PING')).toBe('PONG\n');
  });

  it('replaces a stale socket left by a crashed run', async () => {
    const runDir = join(dir, 'run');
    const first = await open(runDir);
    const path = first.path;
    // Simulate a crash: the socket closes but its file stays.
    (first as unknown as { sock: DgramSocket }).sock.close();
    servers.splice(servers.indexOf(first), 1);
    expect(existsSync(path)).toBe(true);
    const s = await open(runDir);
    expect(await client(s).request('PING')).toBe('PONG\n');
  });

  it('does not steal the socket of a running daemon', async () => {
    const s = await open();
    await expect(CtrlServer.open({ ctrlInterface: s.dir, ifname: 'wlan0' })).rejects.toMatchObject({ code: 'IN_USE' });
    await expect(CtrlServer.open({ ctrlInterface: s.dir, ifname: 'wlan0' })).rejects.toBeInstanceOf(CtrlServerError);
    expect(await client(s).request('PING')).toBe('PONG\n');
  });

  it('refuses an interface name that is not a plain file name', async () => {
    await expect(CtrlServer.open({ ctrlInterface: join(dir, 'run'), ifname: '../x' })).rejects.toMatchObject({ code: 'PATH' });
  });
});

describe('control socket under hostile input', () => {
  it('answers empty, oversized and binary requests and keeps answering the legitimate client', async () => {
    const s = await open();
    const legit = client(s);
    const bad = raw('bad');
    await sendTo(bad.sock, Buffer.alloc(0), s.path);
    await sendTo(bad.sock, Buffer.alloc(MAX_REQUEST_LEN + 1, 0x41), s.path);
    await sendTo(bad.sock, Buffer.alloc(60000, 0x41), s.path);
    await sendTo(bad.sock, Buffer.from([0x50, 0x00, 0xff, 0x01, 0x02]), s.path);
    await until(() => bad.got.length === 4, 'bad.got.length === 4');
    expect(bad.got).toEqual(['UNKNOWN COMMAND\n', 'FAIL\n', 'FAIL\n', 'FAIL\n']);
    expect(await legit.request('PING')).toBe('PONG\n');
  });

  it('takes every ATTACH of a flood from many client sockets (as hostapd), and a monitor attached afterwards gets events', async () => {
    const s = await open();
    const flood = Array.from({ length: 40 }, (_, i) => raw(`f${i}`));
    for (const f of flood) expect(await sendTo(f.sock, Buffer.from('ATTACH'), s.path)).toBeUndefined();
    // Requests are handled in order: once the legitimate PING is answered, every ATTACH was.
    // (Replies to the flood sockets are not counted: node-unix-socket drops datagrams when
    // many sockets of one process receive at once, which is a test artefact, not the server.)
    const c = client(s);
    expect(await c.request('PING')).toBe('PONG\n');
    expect(s.monitors.size).toBe(40);
    expect(await c.request('ATTACH')).toBe('OK\n');
    expect(s.monitors.size).toBe(41);
    expect(MAX_MONITORS).toBeGreaterThan(41);
  });

  it('with holdUntilReady, holds every request until ready(): a command registered late is never UNKNOWN COMMAND', async () => {
    const s = await CtrlServer.open({ ctrlInterface: join(dir, 'run'), ifname: 'wlan0', holdUntilReady: true });
    servers.push(s);
    const c = client(s);
    const pending = Promise.all([c.request('PING'), c.request('STATUS')]);
    await new Promise((r) => setTimeout(r, 100));
    s.registry.register({ name: 'STATUS', help: '', handler: () => 'state=ENABLED\n' });
    s.ready();
    expect(await pending).toEqual(['PONG\n', 'state=ENABLED\n']);
  });

  it('drops a monitor whose socket vanished and keeps serving the others', async () => {
    const s = await open();
    const gone = raw('gone');
    const stays = raw('stays');
    await sendTo(gone.sock, Buffer.from('ATTACH'), s.path);
    await sendTo(stays.sock, Buffer.from('ATTACH'), s.path);
    await until(() => s.monitors.size === 2, 's.monitors.size === 2');
    gone.sock.close();
    unlinkSync(gone.path);
    s.emit(3, 'WPS-PBC-ACTIVE ');
    await until(() => s.monitors.size === 1, 's.monitors.size === 1');
    expect(s.monitors.get(gone.path)).toBeUndefined();
    await until(() => stays.got.length === 2, 'stays.got.length === 2');
    expect(stays.got).toEqual(['OK\n', '<3>WPS-PBC-ACTIVE ']);
    expect(await client(s).request('PING')).toBe('PONG\n');
  });

  it('drops a monitor whose socket is closed but whose file is left (connection refused)', async () => {
    const s = await open();
    const dead = raw('dead');
    await sendTo(dead.sock, Buffer.from('ATTACH'), s.path);
    await until(() => s.monitors.size === 1, 's.monitors.size === 1');
    dead.sock.close();
    s.emit(3, 'WPS-TIMEOUT ');
    await until(() => s.monitors.size === 0, 's.monitors.size === 0');
    expect(s.monitors.size).toBe(0);
  });

  it('a monitor that never reads (hostapd_cli stopped, connected as wpa_ctrl is) costs a reading monitor nothing: 1000 events all arrive, the socket is never reopened', async () => {
    const s = await open();
    // hostapd_cli in interactive mode connects to the socket and ATTACHes; SIGSTOP keeps it from ever reading.
    const stuck = spawn('hostapd_cli', ['-p', join(dir, 'run'), '-i', 'wlan0'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await until(() => s.monitors.size === 1, 's.monitors.size === 1');
      expect(s.monitors.size).toBe(1);
      stuck.kill('SIGSTOP');
      const reader = client(s);
      const got: string[] = [];
      reader.onEvent((e) => got.push(e.text));
      await reader.attach();
      const sent = Array.from({ length: 1000 }, (_, i) => `WPS-EVENT-${i}`);
      for (const [i, text] of sent.entries()) {
        s.emit(3, text);
        // The daemon's event loop turns between bursts, as it does between real events.
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
      await until(() => got.length >= 1000, 'got.length >= 1000', { timeoutMs: 20_000 });
      expect(got).toEqual(sent);
      expect(s.stallRecoveries).toBe(0);
      // The stopped one is detached once its backlog ages out (more than 10 failed sends, as hostapd).
      await until(() => s.monitors.size === 1, 's.monitors.size === 1');
      expect(s.monitors.get(join(dir, 'run', 'wlan0'))).toBeUndefined();
      expect(s.monitors.size).toBe(1);
      expect(await reader.request('PING', 2000)).toBe('PONG\n');
    } finally {
      stuck.kill('SIGKILL');
    }
  });

  it('20 clients that send requests and never read the replies cause no reopen, and a legitimate client is answered', async () => {
    const s = await open();
    // 20 sockets in another process send 30 PINGs each, then its event loop blocks: nothing is read.
    const script = `const { DgramSocket } = require('node-unix-socket');
      const socks = Array.from({ length: 20 }, (_, i) => { const m = new DgramSocket(); m.bind(${JSON.stringify(dir)} + '/mute' + i); return m; });
      let n = 0;
      for (let r = 0; r < 30; r++) for (const m of socks) m.sendTo(Buffer.from('PING'), 0, 4, ${JSON.stringify(s.path)}, () => { if (++n === 600) { process.stdout.write('sent\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5000); process.exit(0); } });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      await until(() => out.includes('sent'), "out.includes('sent')");
      const legit = client(s);
      for (let i = 0; i < 20; i++) expect(await legit.request('PING', 2000)).toBe('PONG\n');
      expect(s.stallRecoveries).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('gives a monitor that is busy for a moment every event, in order, and keeps answering meanwhile', async () => {
    const s = await open();
    const monitorPath = join(dir, 'busy');
    // Attaches, blocks its event loop for 300 ms, then prints every event it reads.
    const script = `const { DgramSocket } = require('node-unix-socket');
      const m = new DgramSocket(); m.bind(${JSON.stringify(monitorPath)});
      let attached = false;
      m.on('data', (b) => {
        if (!attached) { attached = true; process.stdout.write('attached\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300); return; }
        process.stdout.write(b.toString() + '\\n');
      });
      m.sendTo(Buffer.from('ATTACH'), 0, 6, ${JSON.stringify(s.path)}, () => undefined);
      setTimeout(() => process.exit(0), 10000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      await until(() => out.includes('attached'), 'out.includes(\'attached\')');
      const sent = Array.from({ length: 30 }, (_, i) => `<3>WPS-EVENT-${i}`);
      for (let i = 0; i < 30; i++) s.emit(3, `WPS-EVENT-${i}`);
      expect(await client(s).request('PING', 2000)).toBe('PONG\n');
      await until(() => out.includes('WPS-EVENT-29'), 'out.includes(\'WPS-EVENT-29\')');
      expect(out.split('\n').filter((l) => l.startsWith('<3>'))).toEqual(sent);
      expect(s.monitors.size).toBe(1);
      expect(s.queuedSends).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('answers FAIL to a failing command even when reporting the failure throws, and keeps serving', async () => {
    // A log sink that throws (e.g. a closed stderr) must not turn a failed command into a crash.
    const logger = new Logger({ level: LogLevel.WARNING, sink: () => { throw new Error('sink broken'); } });
    const s = await CtrlServer.open({ ctrlInterface: join(dir, 'run'), ifname: 'wlan0', logger });
    servers.push(s);
    s.registry.register({ name: 'BOOM', help: 'always fails', handler: () => { throw new Error('handler failed'); } });
    const c = client(s);
    expect(await c.request('BOOM')).toBe('FAIL\n');
    expect(await c.request('PING')).toBe('PONG\n');
  });
});
