/**
 * The in-memory M1..M8 + WSC_Done run of registration.ts under the daemons'
 * V8 settings (V8_DAEMON_FLAGS: Sparkplug only, as `wpsd ap` and `wpsd sta`
 * run), cold and warm, for one or more builds side by side. Each sample is
 * a fresh child process that applies its build's V8_DAEMON_FLAGS first
 * thing (as a daemon does), imports that build's src/wps, and runs
 * registrations one after the other; builds alternate child by child, so a
 * before/after comes from one run on the same machine load. Both DH key
 * pairs of a run are generated before it is timed (a daemon takes them from
 * its DhKeyPool); the shared secrets stay inside the run, as on the path.
 * Not part of `npm run bench`; figures in bench/README.md.
 *
 *   node dist/bench/registration-daemon.js [--children N] [label=distRoot ...]
 *   (default: this build, 8 children per build)
 *
 * Per build, medians over the children: wall ms of run 1, of runs 1-10 and
 * 1-50 together (cold: the first calls run in the interpreter and compile
 * lazily), and per run of WARM_RUNS runs after WARM_AFTER (warm); and the
 * process CPU (process.cpuUsage, all threads) per warm run. Beside them, in
 * the same children, the floor: the node:crypto calls one registration
 * makes on both sides (cryptoFloor: two DH shared secrets, the key
 * derivations, PSKs, hashes, seven Authenticators computed and checked,
 * five Encrypted Settings sealed and opened), called directly with no
 * message code, the same for every build.
 */
import { fork } from 'node:child_process';
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { DeviceInfo } from '../src/wps/device.js';
import type { DhKeyPair } from '../src/wps/crypto.js';
import type { WpsStep } from '../src/wps/events.js';
import { benchDevice } from './bench-device.js';
import { stats } from './results.js';

const COLD_MARKS = [1, 10, 50] as const;
/** Runs before the warm window: the daemons' own code has long been compiled by then. */
const WARM_AFTER = 200;
const WARM_RUNS = 200;
const PIN = '12345670';
/** M1..M8 + Done is 9 messages; a run that needs more is broken. */
const MAX_MESSAGES = 12;
const DEFAULT_CHILDREN = 8;
/** One child (WARM_AFTER + WARM_RUNS registrations) is given this long. */
const CHILD_TIMEOUT_MS = 120_000;

interface ChildResult {
  cold: Record<number, number>;
  warmMs: number;
  warmCpuMs: number;
  floorMs: number;
}

/** Sizes of one PIN registration's messages (M1..M8 as this bench's devices build them), for the floor's HMAC inputs. */
const MESSAGE_LEN = 400;
const SETTINGS_LEN = 48;

function hmac(key: Buffer, ...parts: Buffer[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * The cryptography of one registration, both sides, straight on node:crypto
 * (see the header). The DH pairs come in as in runOnce.
 */
function cryptoFloor(keys: { e: DhKeyPair; r: DhKeyPair }): void {
  const msg = randomBytes(MESSAGE_LEN);
  const settings = randomBytes(SETTINGS_LEN);
  const nonces = randomBytes(16 * 8);
  const label = Buffer.from('\0\0\0\x01Wi-Fi Easy and Secure Key Derivation\0\0\x02\x80');
  const sealed: Buffer[] = [];
  for (const [own, peer] of [[keys.e, keys.r], [keys.r, keys.e]] as const) {
    const dhKey = createHash('sha256').update(own.computeSecret(peer.publicKey)).digest();
    const kdk = hmac(dhKey, nonces.subarray(0, 16), nonces.subarray(16, 22), nonces.subarray(32, 48));
    const authKey = hmac(kdk, label);
    const kwk = hmac(kdk, label).subarray(0, 16);
    hmac(kdk, label);
    const psk1 = hmac(authKey, Buffer.from('1234')).subarray(0, 16);
    const psk2 = hmac(authKey, Buffer.from('5670')).subarray(0, 16);
    // Own hashes and the peer's checked.
    for (const psk of [psk1, psk2, psk1, psk2]) hmac(authKey, nonces.subarray(64, 80), psk, keys.e.publicKey, keys.r.publicKey);
    // The seven Authenticators (M2..M8): each side computes or checks every one.
    for (let i = 0; i < 7; i++) hmac(authKey, msg, msg).subarray(0, 8);
    sealed.push(kwk, authKey);
  }
  // Five Encrypted Settings (M4..M8), each sealed by one side and opened by the other, KWA included.
  const [kwk, authKey] = sealed as [Buffer, Buffer];
  for (let i = 0; i < 5; i++) {
    const iv = randomBytes(16);
    hmac(authKey, settings);
    const c = createCipheriv('aes-128-cbc', kwk, iv).setAutoPadding(false);
    const ciphertext = c.update(settings);
    c.final();
    const d = createDecipheriv('aes-128-cbc', kwk, iv).setAutoPadding(false);
    d.update(ciphertext);
    d.final();
    hmac(authKey, settings);
  }
}

interface WpsModules {
  Enrollee: typeof import('../src/wps/enrollee.js').Enrollee;
  Registrar: typeof import('../src/wps/registrar.js').Registrar;
  generateDhKeyPair: () => DhKeyPair;
  AuthType: typeof import('../src/wps/values.js').AuthType;
  EncrType: typeof import('../src/wps/values.js').EncrType;
}

/** One PIN registration with the given key pairs; throws unless both sides succeed. */
function runOnce(m: WpsModules, sta: DeviceInfo, reg: DeviceInfo, keys: { e: DhKeyPair; r: DhKeyPair }): void {
  const enrollee = new m.Enrollee({ device: sta, password: { kind: 'pin', pin: PIN }, dhKeyPair: keys.e });
  const registrar = new m.Registrar({
    device: reg,
    dhKeyPair: keys.r,
    policy: {
      devicePassword: () => ({ kind: 'pin', pin: PIN }),
      credentials: (e) => [
        { networkIndex: 1, ssid: Buffer.from('bench-net'), authType: m.AuthType.Wpa2Psk, encrType: m.EncrType.Aes, networkKey: Buffer.from('bench-passphrase'), macAddress: e.macAddress, extra: [] },
      ],
    },
  });
  let msg: Buffer | undefined = enrollee.start();
  let toRegistrar = true;
  for (let i = 0; i < MAX_MESSAGES && msg; i++) {
    const step: WpsStep = toRegistrar ? registrar.receive(msg) : enrollee.receive(msg);
    msg = step.reply;
    toRegistrar = !toRegistrar;
  }
  if (enrollee.result !== 'success' || registrar.result !== 'success') {
    throw new Error(`registration did not succeed (enrollee ${enrollee.result}, registrar ${registrar.result})`);
  }
}

async function child(distRoot: string): Promise<void> {
  const mod = (p: string): Promise<Record<string, unknown>> => import(pathToFileURL(path.join(distRoot, p)).href) as Promise<Record<string, unknown>>;
  const v8m = (await mod('src/common/v8-memory.js')) as typeof import('../src/common/v8-memory.js');
  v8m.applyV8Flags(v8m.V8_DAEMON_FLAGS);
  const [enr, reg, cry, val] = await Promise.all([mod('src/wps/enrollee.js'), mod('src/wps/registrar.js'), mod('src/wps/crypto.js'), mod('src/wps/values.js')]);
  const m = { ...enr, ...reg, ...cry, ...val } as unknown as WpsModules;
  // Plain data: the same for every build.
  const sta = benchDevice('bench station', '02:00:00:00:01:00');
  const regDev = benchDevice('bench registrar', '02:00:00:00:02:00');
  const cold: Record<number, number> = {};
  let sum = 0;
  const last = COLD_MARKS[COLD_MARKS.length - 1] ?? 1;
  for (let i = 1; i <= WARM_AFTER; i++) {
    const keys = { e: m.generateDhKeyPair(), r: m.generateDhKeyPair() };
    const t0 = performance.now();
    runOnce(m, sta, regDev, keys);
    if (i <= last) {
      sum += performance.now() - t0;
      if ((COLD_MARKS as readonly number[]).includes(i)) cold[i] = sum;
    }
  }
  const warm: number[] = [];
  let cpuUs = 0;
  for (let i = 0; i < WARM_RUNS; i++) {
    const keys = { e: m.generateDhKeyPair(), r: m.generateDhKeyPair() };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    runOnce(m, sta, regDev, keys);
    warm.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
  }
  const floor: number[] = [];
  for (let i = 0; i < WARM_AFTER + WARM_RUNS; i++) {
    const keys = { e: m.generateDhKeyPair(), r: m.generateDhKeyPair() };
    const t0 = performance.now();
    cryptoFloor(keys);
    if (i >= WARM_AFTER) floor.push(performance.now() - t0);
  }
  const result: ChildResult = { cold, warmMs: stats(warm).median, warmCpuMs: cpuUs / 1000 / WARM_RUNS, floorMs: stats(floor).median };
  process.send?.(result);
}

function runChild(distRoot: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const c = fork(fileURLToPath(import.meta.url), ['--child', distRoot], { execArgv: [], timeout: CHILD_TIMEOUT_MS });
    let got: ChildResult | undefined;
    c.once('message', (r) => (got = r as ChildResult));
    c.once('error', reject);
    c.once('exit', (code) => (got !== undefined ? resolve(got) : reject(new Error(`child for ${distRoot} exited with ${code} and no result`))));
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: { child: { type: 'string' }, children: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help === true) {
    process.stdout.write('node dist/bench/registration-daemon.js [--children N] [label=distRoot ...]\n');
    return;
  }
  if (values.child !== undefined) return child(values.child);
  const n = values.children === undefined ? DEFAULT_CHILDREN : Number(values.children);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new RangeError('--children must be 1..100');
  const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const builds = (positionals.length > 0 ? positionals : [`this=${here}`]).map((p) => {
    const eq = p.indexOf('=');
    if (eq < 1) throw new RangeError(`expected label=distRoot, got ${p}`);
    return { label: p.slice(0, eq), root: path.resolve(p.slice(eq + 1)) };
  });
  const load0 = loadavg()[0] ?? 0;
  const results = new Map<string, ChildResult[]>(builds.map((b) => [b.label, []]));
  for (let i = 0; i < n; i++) {
    for (const b of builds) results.get(b.label)?.push(await runChild(b.root));
  }
  const fmt = (x: number): string => x.toFixed(3);
  process.stdout.write(`load ${load0.toFixed(2)} -> ${(loadavg()[0] ?? 0).toFixed(2)}; ${n} children per build; V8_DAEMON_FLAGS of each build\n`);
  process.stdout.write(`build\trun 1 ms\truns 1-10 ms\truns 1-50 ms\twarm ms/run (median)\twarm CPU ms/run\tcrypto floor ms/run\n`);
  for (const b of builds) {
    const rs = results.get(b.label) ?? [];
    const med = (f: (r: ChildResult) => number): string => fmt(stats(rs.map(f)).median);
    process.stdout.write(`${b.label}\t${COLD_MARKS.map((k) => med((r) => r.cold[k] ?? NaN)).join('\t')}\t${med((r) => r.warmMs)}\t${med((r) => r.warmCpuMs)}\t${med((r) => r.floorMs)}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
