import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CtrlClient, CtrlClientError } from './client.js';
import { until } from '../../harness/until.js';

let dir: string;
const clients: CtrlClient[] = [];
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(`/tmp/wpsd-ctc-${process.pid}-`);
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const p of children.splice(0)) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Wait (bounded) until cond holds; the test fails on the assertion after, not on time. */

/**
 * A daemon in another process that reads nothing for `stallMs` (its event
 * loop is blocked, so its socket's receive queue fills), then answers PONG
 * to every datagram.
 */
function stalledDaemon(path: string, stallMs: number): { out: () => string } {
  const script = `const { DgramSocket } = require('node-unix-socket');
    const s = new DgramSocket(); s.bind(${JSON.stringify(path)});
    process.stdout.write('ready\\n');
    setTimeout(() => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${stallMs});
      process.stdout.write('reading\\n');
      s.on('data', (_b, from) => { if (from) s.sendTo(Buffer.from('PONG\\n'), 0, 5, from, () => undefined); });
    }, 0);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  return { out: () => out };
}

describe('control socket client', () => {
  it('still gets replies after the daemon stopped reading long enough for a request to be refused', async () => {
    const serverPath = join(dir, 'wlan0');
    const daemon = stalledDaemon(serverPath, 3000);
    await until(() => daemon.out().includes('ready'), 'daemon.out().includes(\'ready\')');
    const c = CtrlClient.open(serverPath, dir);
    clients.push(c);
    // Unanswered requests fill the daemon's receive queue (net.unix.max_dgram_qlen, 10 by default);
    // then a send would block, which node-unix-socket alone would turn into a socket that never reads again.
    const errors: string[] = [];
    for (let i = 0; i < 14 && !daemon.out().includes('reading'); i++) {
      try {
        await c.request('PING', 20);
      } catch (e) {
        expect(e).toBeInstanceOf(CtrlClientError);
        errors.push((e as CtrlClientError).code);
      }
    }
    expect(errors).toContain('UNREACHABLE');
    await until(() => daemon.out().includes('reading'), 'daemon.out().includes(\'reading\')');
    expect(await c.request('PING', 3000)).toBe('PONG\n');
  });
});
