/**
 * The floor: what the cryptography alone costs for one registration (DH key
 * generation and shared secret on both sides, KDF, PIN hashes), so that the
 * end-to-end figures can be read as a multiple of it; and DH group 5 with
 * node:crypto against a pure-JavaScript BigInt version.
 */
import { DH_GROUP5_LEN, generateDhKeyPair, deriveSessionKeys, devicePasswordPsks, computeHash, randomNonce } from '../src/wps/crypto.js';
import { bigIntDhPair } from './dh-bigint.js';
import { stats, type BenchRow } from './results.js';
import { timeRuns } from './timing.js';

const RUNS = 40;
const BIGINT_RUNS = 10;

/** One registration's cryptography, both sides, without message building. */
export function registrationCrypto(): void {
  const e = generateDhKeyPair();
  const r = generateDhKeyPair();
  const n1 = randomNonce();
  const n2 = randomNonce();
  const mac = Buffer.from('020000000001', 'hex');
  const sharedE = e.computeSecret(r.publicKey);
  const sharedR = r.computeSecret(e.publicKey);
  for (const shared of [sharedE, sharedR]) {
    const keys = deriveSessionKeys(shared, n1, mac, n2);
    const { psk1, psk2 } = devicePasswordPsks(keys.authKey, Buffer.from('12345670'));
    for (const psk of [psk1, psk2, psk1, psk2]) computeHash(keys.authKey, randomNonce(), psk, e.publicKey, r.publicKey);
  }
}

export async function benchCryptoFloor(): Promise<BenchRow[]> {
  const nodeDh = stats(await timeRuns(() => {
    const a = generateDhKeyPair();
    const b = generateDhKeyPair();
    a.computeSecret(b.publicKey);
  }, RUNS));
  const bigDh = stats(await timeRuns(() => {
    const a = bigIntDhPair();
    const b = bigIntDhPair();
    a.computeSecret(b.publicKey);
  }, BIGINT_RUNS, { warmup: 1 }));
  const fullDh = stats(await timeRuns(() => {
    const a = generateDhKeyPair(undefined, DH_GROUP5_LEN);
    const b = generateDhKeyPair(undefined, DH_GROUP5_LEN);
    a.computeSecret(b.publicKey);
  }, RUNS));
  const floor = stats(await timeRuns(registrationCrypto, RUNS));
  return [
    {
      what: 'DH group 5: two key pairs + one shared secret, median ms',
      wpsd: nodeDh.median,
      reference: bigDh.median,
      referenceName: 'pure-JS BigInt modPow, same 256-bit exponent',
      runs: nodeDh.n,
    },
    {
      what: 'DH group 5 private exponent: 256 bits (wpsd, as OpenSSL in hostapd uses ~200) vs full 1536 bits, two key pairs + one secret, median ms',
      wpsd: nodeDh.median,
      reference: fullDh.median,
      referenceName: 'node:crypto, 1536-bit exponent',
      runs: fullDh.n,
    },
    {
      what: 'Crypto floor of one registration (both sides: 2 DH pairs, 2 secrets, KDF, PSKs, 8 hashes), median ms',
      wpsd: floor.median,
      runs: floor.n,
    },
  ];
}
