/**
 * WPS_CHECK_PIN interop: the same input must get the same reply bytes from
 * wpsd's checkPinReply as from the real hostapd 2.10 and wpa_supplicant 2.10.
 * Both daemons run with the wired driver inside their own throw-away network
 * namespace (`unshare --net`: hostapd on a veth pair created there,
 * wpa_supplicant on that namespace's loopback), so nothing touches the host's
 * interfaces; the namespaces vanish with the daemons. Their control sockets
 * are plain files in a temp dir, reachable from here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DgramSocket } from 'node-unix-socket';
import { checkPinReply, generatePin } from '../src/wps/pin.js';

const START_TIMEOUT_MS = 8_000;
const REPLY_TIMEOUT_MS = 3_000;

let dir = '';
const daemons: { proc: ChildProcess; stderr: string[] }[] = [];
let client: DgramSocket | undefined;
let pending: ((reply: string) => void) | undefined;
let hostapdCtrl = '';
let wpasCtrl = '';

function startDaemon(script: string): { proc: ChildProcess; stderr: string[] } {
  const proc = spawn('unshare', ['--net', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => stderr.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const d = { proc, stderr };
  daemons.push(d);
  return d;
}

async function waitForSocket(path: string, d: { proc: ChildProcess; stderr: string[] }): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!existsSync(path)) {
    if (d.proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`control socket ${path} did not appear:\n${d.stderr.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function request(dest: string, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending = undefined;
      reject(new Error(`no reply to ${JSON.stringify(cmd)} from ${dest}`));
    }, REPLY_TIMEOUT_MS);
    pending = (reply) => {
      clearTimeout(timer);
      pending = undefined;
      resolve(reply);
    };
    const buf = Buffer.from(cmd, 'latin1');
    client?.sendTo(buf, 0, buf.length, dest, (err) => {
      if (err) {
        clearTimeout(timer);
        pending = undefined;
        reject(err);
      }
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), `wpsd-checkpin-${process.pid}-`));
  writeFileSync(
    join(dir, 'hostapd.conf'),
    ['interface=v0', 'driver=wired', `ctrl_interface=${dir}/hctrl`, 'ieee8021x=1', 'eap_server=1', 'wps_state=2', ''].join('\n'),
  );
  writeFileSync(join(dir, 'wpa.conf'), `ctrl_interface=${dir}/wctrl\n`);
  const h = startDaemon(`ip link set lo up && ip link add v0 type veth peer name v1 && ip link set v0 up && exec hostapd ${dir}/hostapd.conf`);
  const w = startDaemon(`ip link set lo up && exec wpa_supplicant -i lo -D wired -c ${dir}/wpa.conf`);
  hostapdCtrl = join(dir, 'hctrl', 'v0');
  wpasCtrl = join(dir, 'wctrl', 'lo');
  await waitForSocket(hostapdCtrl, h);
  await waitForSocket(wpasCtrl, w);
  client = new DgramSocket();
  client.on('data', (data: Buffer) => pending?.(data.toString('latin1')));
  client.bind(join(dir, 'client'));
}, 20_000);

afterAll(async () => {
  client?.close();
  for (const d of daemons) {
    if (d.proc.exitCode === null && d.proc.pid !== undefined) {
      const exited = new Promise((r) => d.proc.once('exit', r));
      d.proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
      if (d.proc.exitCode === null) d.proc.kill('SIGKILL');
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('WPS_CHECK_PIN against hostapd and wpa_supplicant', () => {
  it.each([
    '12345670',
    '12345678',
    '12345',
    '123456789',
    '1234-5670',
    '1234 5670',
    '1-2.3:4 5670',
    '',
    '0000',
    '00000000',
    ' 1234 ',
    'abcd1234efgh',
  ])('gives the same reply bytes for %j', async (input) => {
    const want = checkPinReply(input);
    expect(await request(hostapdCtrl, `WPS_CHECK_PIN ${input}`)).toBe(want);
    expect(await request(wpasCtrl, `WPS_CHECK_PIN ${input}`)).toBe(want);
  });

  it('gives the same reply bytes for arbitrary inputs', async () => {
    const ch = fc.constantFrom(...'0123456789-. :ax#'.split(''));
    await fc.assert(
      fc.asyncProperty(fc.array(ch, { maxLength: 14 }).map((a) => a.join('')), async (input) => {
        const want = checkPinReply(input);
        expect(await request(hostapdCtrl, `WPS_CHECK_PIN ${input}`)).toBe(want);
        expect(await request(wpasCtrl, `WPS_CHECK_PIN ${input}`)).toBe(want);
      }),
      { numRuns: 150 },
    );
  });

  it('has hostapd accept every PIN that generatePin makes', async () => {
    for (let i = 0; i < 20; i++) {
      const pin = generatePin();
      expect(await request(hostapdCtrl, `WPS_CHECK_PIN ${pin}`)).toBe(pin);
    }
  });
});
