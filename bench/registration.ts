/**
 * One full in-memory PIN registration (M1..M8 and WSC_Done between an
 * Enrollee and a Registrar, no transport): milliseconds per registration and
 * the share of it spent in DH group 5 (key generation and shared secret,
 * both sides), measured by timing the same DH work alone.
 */
import { performance } from 'node:perf_hooks';
import { Enrollee } from '../src/wps/enrollee.js';
import { Registrar } from '../src/wps/registrar.js';
import type { WpsStep } from '../src/wps/events.js';
import { AuthType, EncrType } from '../src/wps/values.js';
import { generateDhKeyPair, type DhKeyPair } from '../src/wps/crypto.js';
import { stats, type BenchRow } from './results.js';
import { benchDevice } from './bench-device.js';

const RUNS = 60;
const PIN = '12345670';
/** M1..M8 + Done is 9 messages; a run that needs more is broken. */
const MAX_MESSAGES = 12;

const STA = benchDevice('bench station', '02:00:00:00:01:00');
const REG = benchDevice('bench registrar', '02:00:00:00:02:00');

/**
 * Runs one PIN registration to the end; throws unless both sides succeed
 * with the same credential. `keys`: precomputed DH pairs (a DhKeyPool's) for
 * the two sides instead of fresh ones.
 */
export function pinRegistration(keys?: { enrollee: DhKeyPair; registrar: DhKeyPair }): void {
  const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN }, ...(keys ? { dhKeyPair: keys.enrollee } : {}) });
  const registrar = new Registrar({
    device: REG,
    ...(keys ? { dhKeyPair: keys.registrar } : {}),
    policy: {
      devicePassword: () => ({ kind: 'pin', pin: PIN }),
      credentials: (e) => [
        {
          networkIndex: 1,
          ssid: Buffer.from('bench-net'),
          authType: AuthType.Wpa2Psk,
          encrType: EncrType.Aes,
          networkKey: Buffer.from('bench-passphrase'),
          macAddress: e.macAddress,
          extra: [],
        },
      ],
    },
  });
  let msg: Buffer | undefined = enrollee.start();
  let toRegistrar = true;
  let got: string | undefined;
  for (let i = 0; i < MAX_MESSAGES && msg; i++) {
    const step: WpsStep = toRegistrar ? registrar.receive(msg) : enrollee.receive(msg);
    if (!toRegistrar && step.credentials?.[0]) got = step.credentials[0].ssid.toString();
    msg = step.reply;
    toRegistrar = !toRegistrar;
  }
  if (enrollee.result !== 'success' || registrar.result !== 'success' || got !== 'bench-net') {
    throw new Error(`bench registration did not succeed (enrollee ${enrollee.result}, registrar ${registrar.result})`);
  }
}

/** The DH part of one registration: a key pair and a shared secret on each side. */
function registrationDh(): void {
  const e = generateDhKeyPair();
  const r = generateDhKeyPair();
  e.computeSecret(r.publicKey);
  r.computeSecret(e.publicKey);
}

const WARMUP = 3;
/** The whole bench stops after this long even when RUNS are not done. */
const MAX_MS = 30_000;

export function benchRegistration(): Promise<BenchRow[]> {
  // Interleaved, so that load from anything else on the machine hits both alike.
  const regSamples: number[] = [];
  const dhSamples: number[] = [];
  const deadline = performance.now() + MAX_MS;
  for (let i = 0; i < WARMUP + RUNS && performance.now() < deadline; i++) {
    const reg = timeOnce(() => pinRegistration());
    const dh = timeOnce(registrationDh);
    if (i < WARMUP) continue;
    regSamples.push(reg);
    dhSamples.push(dh);
  }
  const reg = stats(regSamples);
  const dh = stats(dhSamples);
  return Promise.resolve([
    {
      what: 'In-memory PIN registration M1..M8 + Done, median ms',
      wpsd: reg.median,
      runs: reg.n,
      note: `DH (2 key pairs + 2 secrets) is ${((100 * dh.median) / reg.median).toFixed(0)}% of it: ${dh.median.toFixed(2)} ms`,
    },
  ]);
}

function timeOnce(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}
