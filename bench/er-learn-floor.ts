/**
 * The floor of ER learn in Node on this machine: what a minimal Node
 * program costs for the same work as `wpsd sta -D none` learning one Debian
 * hostapd (GetDeviceInfo, then PutMessage M2, M4, M6 with real WPS messages
 * from src/wps's Registrar and a DH key pair from a stocked pool, the
 * closing NACK after the settings), under the daemons' V8 flags
 * (V8_DAEMON_FLAGS: Sparkplug only), next to wpa_supplicant's ER and wpsd's
 * on the same hostapd, alternating learn by learn. Not part of `npm run
 * bench`; figures in bench/README.md.
 *
 *   node dist/bench/er-learn-floor.js [learns]        (root; default 100)
 *
 * Floors, each a child process in the wpsd ER's namespace driven over its
 * stdin/stdout (a line each way, like one ctrl request and one event):
 * - raw: one net.Socket per request, the request written as one string, the
 *   answer's argument cut out with indexOf: no HTTP or XML library at all.
 * - node:http: http.request with `agent: false`, the answer through
 *   parseSoapResponse (fast-xml-parser) and decodeBase64.
 * - soap: src/er/wfa-soap.ts of this build (src/upnp/soap-client.ts, http-client.ts):
 *   the ER's own SOAP path without the ER, its ctrl socket and its events.
 * FLOOR_WPSD_BEFORE=path/to/cli.js adds a second wpsd build's ER to the
 * rounds (the before of a lever); FLOOR_WPSD_CLI replaces this build's entry
 * point (e.g. a wrapper that profiles it); FLOOR_V8=defaults leaves the
 * floors on V8's own tiering.
 * Latency is from writing the command line to reading the settings line;
 * CPU is the child's (and each daemon's) utime + stime over all timed learns.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { REFERENCE_AP } from '../harness/hostapd.js';
import type { ManagedProcess } from '../harness/netns.js';
import { apUuid, startAp, startEr } from './daemons.js';
import { alternate, attachCtrl, learnOnce, startErAndDiscover, type Contender, type LearnSamples } from './learn.js';
import { stats } from './results.js';
import { withScope } from './scope.js';

const FLOORS = ['raw', 'node:http', 'soap'] as const;

/** USER_HZ on Linux. */
const CLOCK_TICKS_PER_S = 100;

/** utime and stime of `pid`, ms: user space, and the kernel's work on the process's behalf. */
function cpuSplit(pid: number): { user: number; sys: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from its closing parenthesis.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(f[11]) * 1000) / CLOCK_TICKS_PER_S, sys: (Number(f[12]) * 1000) / CLOCK_TICKS_PER_S };
}

const cpuMs = (pid: number): number => {
  const c = cpuSplit(pid);
  return c.user + c.sys;
};

type Floor = (typeof FLOORS)[number];
const WARMUP = 5;
const SETTLE_TIMEOUT_MS = 3_000;
const LINE_TIMEOUT_MS = 10_000;

// ------------------------------------------------------------------ child

async function child(floor: Floor, controlUrl: string): Promise<void> {
  const { applyV8Flags, V8_DAEMON_FLAGS } = await import('../src/common/v8-memory.js');
  // FLOOR_V8=defaults: V8's own tiering (TurboFan), for comparison.
  if (process.env.FLOOR_V8 !== 'defaults') applyV8Flags(V8_DAEMON_FLAGS);
  const { Registrar } = await import('../src/wps/registrar.js');
  const { DhKeyPool } = await import('../src/wps/dh-key-pool.js');
  const { base64Lines } = await import('../src/wfa/base64-lines.js');
  const { WFA_SERVICE_TYPE } = await import('../src/wfa/service.js');
  const { parseSoapResponse, buildSoapRequest } = await import('../src/upnp/soap.js');
  const { decodeBase64 } = await import('../src/upnp/base64.js');
  const wfa = await import('../src/er/wfa-soap.js');
  // Exits normally when stopped, so that a --cpu-prof profile (NODE_OPTIONS) gets written.
  process.once('SIGTERM', () => process.exit(0));
  const u = new URL(controlUrl);
  const pool = new DhKeyPool({ defer: setImmediate });
  pool.fill();
  const device = {
    uuid: Buffer.from('2c5e6a4f8d3b4e21a0c7b1d2e3f40516', 'hex'),
    macAddress: Buffer.from('020000000101', 'hex'),
    deviceName: 'floor',
    manufacturer: 'wpsd',
    modelName: 'floor',
    modelNumber: '1',
    serialNumber: '1',
    primaryDeviceType: Buffer.from('00010050f2040001', 'hex'),
    osVersion: 0x01020300,
    configMethods: 0x0080,
    rfBands: 1,
  };

  const rawCall = (action: string, args: Record<string, string>, out: string): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const body = buildSoapRequest(WFA_SERVICE_TYPE, action, args);
      const req =
        `POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: text/xml; charset="utf-8"\r\n` +
        `SOAPACTION: "${WFA_SERVICE_TYPE}#${action}"\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
      const s = net.connect(Number(u.port), u.hostname);
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => {
        const text = Buffer.concat(chunks).toString('latin1');
        const a = text.indexOf(`<${out}>`);
        const b = text.indexOf(`</${out}>`);
        if (a < 0 || b < 0) reject(new Error(`no ${out} in ${text.slice(0, 200)}`));
        else resolve(Buffer.from(text.slice(a + out.length + 2, b), 'base64'));
        s.destroy();
      });
      s.on('error', reject);
      s.write(req);
    });

  const httpCall = (action: string, args: Record<string, string>, out: string): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const body = buildSoapRequest(WFA_SERVICE_TYPE, action, args);
      const r = http.request(
        controlUrl,
        {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${WFA_SERVICE_TYPE}#${action}"`, 'content-length': Buffer.byteLength(body), connection: 'close' },
        },
        (m) => {
          const chunks: Buffer[] = [];
          m.on('data', (c: Buffer) => chunks.push(c));
          m.on('end', () => {
            try {
              const args2 = parseSoapResponse(Buffer.concat(chunks), action);
              resolve(Buffer.from(decodeBase64(args2[out] ?? '')));
            } catch (e) {
              reject(e as Error);
            }
          });
        },
      );
      r.on('error', reject);
      r.end(body);
    });

  const getM1 = (): Promise<Buffer> =>
    floor === 'soap' ? wfa.getDeviceInfo(controlUrl) : (floor === 'raw' ? rawCall : httpCall)('GetDeviceInfo', {}, 'NewDeviceInfo');
  const put = (msg: Uint8Array): Promise<Buffer> =>
    floor === 'soap' ? wfa.putMessage(controlUrl, msg) : (floor === 'raw' ? rawCall : httpCall)('PutMessage', { NewInMessage: base64Lines(msg) }, 'NewOutMessage');

  const learn = async (): Promise<void> => {
    const reg = new Registrar({ device, policy: { devicePassword: () => ({ kind: 'pin', pin: REFERENCE_AP.apPin }) }, apSettings: { mode: 'learn' }, dhKeyPair: pool.take() });
    // The Registrar's own time (synchronous: crypto and messages), reported with the settings.
    let inRegistrar = 0;
    const receive = (m: Buffer): ReturnType<typeof reg.receive> => {
      const t = performance.now();
      const out = reg.receive(m);
      inRegistrar += performance.now() - t;
      return out;
    };
    let step = receive(await getM1());
    for (let i = 0; i < 8; i++) {
      if (step.events.some((e) => e.type === 'er-ap-settings')) {
        const ssid = (step.events.find((e) => e.type === 'er-ap-settings') as { settings: { ssid: Buffer } }).settings.ssid;
        process.stdout.write(`SETTINGS ${inRegistrar.toFixed(3)} ${ssid.toString('utf8')}\n`);
      }
      if (step.result !== undefined || step.reply === undefined) {
        if (step.reply !== undefined && step.closing !== true) await put(step.reply).catch(() => undefined);
        return;
      }
      step = receive(await put(step.reply));
    }
  };

  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'LEARN') {
      try {
        await learn();
      } catch (e) {
        process.stdout.write(`ERROR ${(e as Error).message}\n`);
      }
    }
  }
}

// ------------------------------------------------------------------ parent

/** Lines of a child's stdout, one waiter at a time. */
function lineReader(p: ManagedProcess): () => Promise<string> {
  const lines: string[] = [];
  let waiter: (() => void) | undefined;
  createInterface({ input: p.child.stdout as NodeJS.ReadableStream }).on('line', (l) => {
    lines.push(l);
    waiter?.();
  });
  return async () => {
    if (lines.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer from ${p.label} within ${LINE_TIMEOUT_MS} ms: ${p.output().slice(-500)}`)), LINE_TIMEOUT_MS);
        waiter = () => {
          clearTimeout(timer);
          waiter = undefined;
          resolve();
        };
      });
    }
    return lines.shift() as string;
  };
}

async function main(learns: number): Promise<void> {
  await withScope(async (scope) => {
    const uuid = apUuid(0);
    const topo = await scope.topology({ hosts: ['ap', 'erref', 'erwpsd'], link: 'bridge' });
    const apHost = topo.host('ap');
    const ap = scope.daemon(await startAp('hostapd', apHost, { uuid }));
    const apCtrl = scope.session(await attachCtrl(ap));
    const erHost = topo.host('erwpsd');
    const ref = scope.daemon(await startEr('wpa_supplicant', topo.host('erref')));
    const refCtrl = scope.session(await attachCtrl(ref));
    await startErAndDiscover(refCtrl, [uuid]);
    // FLOOR_WPSD_CLI: another entry point for wpsd's ER (e.g. a wrapper that profiles it).
    const wpsd = scope.daemon(await startEr('wpsd', erHost, process.env.FLOOR_WPSD_CLI === undefined ? {} : { cli: process.env.FLOOR_WPSD_CLI }));
    const wpsdCtrl = scope.session(await attachCtrl(wpsd));
    await startErAndDiscover(wpsdCtrl, [uuid]);
    // FLOOR_WPSD_BEFORE: a second wpsd build's cli.js, learning in the same rounds (a lever's before/after).
    const before = process.env.FLOOR_WPSD_BEFORE;
    const wpsdBefore = before === undefined ? undefined : scope.daemon(await startEr('wpsd', topo.host('erref'), { cli: before }));
    const beforeCtrl = wpsdBefore === undefined ? undefined : scope.session(await attachCtrl(wpsdBefore));
    if (beforeCtrl !== undefined) await startErAndDiscover(beforeCtrl, [uuid]);
    // hostapd's UPnP web server: the one TCP listener in its namespace.
    const ss = await apHost.exec('ss', ['-Hltn']);
    const port = /:(\d+)\s/.exec(ss.stdout)?.[1];
    if (port === undefined) throw new Error(`no hostapd listener: ${ss.stdout}`);
    const controlUrl = `http://${apHost.address}:${port}/wps_control`;

    const pids = new Map<string, number>([
      ['wpa_supplicant', ref.pid],
      ['wpsd sta', wpsd.pid],
    ]);
    const contenders: Contender[] = [
      { label: 'wpa_supplicant', run: (res) => learnOnce({ label: 'reference', er: refCtrl, ap: apCtrl, uuid }, res) },
      { label: 'wpsd sta', run: (res) => learnOnce({ label: 'wpsd', er: wpsdCtrl, ap: apCtrl, uuid }, res) },
    ];
    const registrarMs = new Map<string, number[]>(FLOORS.map((f) => [f, []]));
    if (wpsdBefore !== undefined && beforeCtrl !== undefined) {
      pids.set('wpsd before', wpsdBefore.pid);
      contenders.push({ label: 'wpsd before', run: (res) => learnOnce({ label: 'before', er: beforeCtrl, ap: apCtrl, uuid }, res) });
    }
    for (const floor of FLOORS) {
      const p = erHost.spawnNode(fileURLToPath(import.meta.url), ['--child', floor, controlUrl], { label: `floor-${floor}`, stdio: 'piped' });
      const next = lineReader(p);
      pids.set(`floor ${floor}`, p.pid as number);
      contenders.push({
        label: `floor ${floor}`,
        run: async (res: LearnSamples) => {
          apCtrl.mark();
          const t0 = performance.now();
          p.child.stdin?.write('LEARN\n');
          const line = await next();
          const t1 = performance.now();
          if (!line.startsWith('SETTINGS ')) throw new Error(line);
          registrarMs.get(floor)?.push(Number(line.split(' ')[1]));
          try {
            await apCtrl.waitFor(/^WPS-FAIL /, SETTLE_TIMEOUT_MS);
          } catch {
            res.settleMisses++;
          }
          return t1 - t0;
        },
      });
    }
    // Warm-up: every contender learns WARMUP times; then CPU is counted over the timed learns.
    await alternate(contenders, { runs: WARMUP, warmup: 0, maxMs: 60_000 });
    const cpu0 = new Map([...pids].map(([k, pid]) => [k, cpuMs(pid)]));
    const split0 = new Map([...pids].map(([k, pid]) => [k, cpuSplit(pid)]));
    const apCpu0 = cpuMs(ap.pid);
    const load0 = loadavg()[0] ?? 0;
    console.log(`timed learns start; pids: ${[...pids].map(([k, pid]) => `${k}=${pid}`).join(' ')}`);
    const res = await alternate(contenders, { runs: learns, warmup: 0, maxMs: 300_000 });
    const load1 = loadavg()[0] ?? 0;
    const apCpu = cpuMs(ap.pid) - apCpu0;
    console.log(`load average ${load0.toFixed(2)} -> ${load1.toFixed(2)}, ${learns} learns each after ${WARMUP} warm-up, alternating`);
    for (const [label, r] of res) {
      const s = stats(r.samples);
      const n = Math.max(1, r.samples.length);
      const cpu = (cpuMs(pids.get(label) as number) - (cpu0.get(label) as number)) / n;
      const s1 = cpuSplit(pids.get(label) as number);
      const s0 = split0.get(label) as { user: number; sys: number };
      const split = `user ${((s1.user - s0.user) / n).toFixed(2)} + sys ${((s1.sys - s0.sys) / n).toFixed(2)}`;
      console.log(
        `${label.padEnd(16)} median ${s.median.toFixed(2)} ms  p95 ${s.p95.toFixed(2)} ms  CPU ${cpu.toFixed(2)} ms/learn (${split})  (${r.samples.length} ok, ${r.failures} failed${r.lastError ? `: ${r.lastError.slice(0, 120)}` : ''})`,
      );
    }
    const all = [...res.values()].reduce((n, r) => n + r.samples.length, 0);
    console.log(`hostapd: CPU ${(apCpu / Math.max(1, all)).toFixed(2)} ms per learn (over every ER's learns)`);
    for (const [floor, xs] of registrarMs) console.log(`floor ${floor}: Registrar.receive per learn, median ${stats(xs).median.toFixed(3)} ms (warm-up included)`);
  });
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] as Floor, process.argv[4] as string);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 100);
  await main(Number.isInteger(n) && n > 0 ? n : 100);
}
