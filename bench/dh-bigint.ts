/**
 * A pure-JavaScript DH group 5 (BigInt square-and-multiply), kept only as the
 * benchmark's comparison point: it shows why wpsd computes DH with
 * node:crypto (OpenSSL) rather than in JavaScript.
 */
import { randomBytes, createDiffieHellmanGroup } from 'node:crypto';
import { DH_PRIVATE_KEY_LEN } from '../src/wps/crypto.js';

const group = createDiffieHellmanGroup('modp5');
const P = BigInt('0x' + group.getPrime('hex'));
const G = BigInt('0x' + group.getGenerator('hex'));

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

export interface BigIntDhPair {
  publicKey: bigint;
  computeSecret(peer: bigint): bigint;
}

/** A key pair with a `privateLen`-byte private value, the same length wpsd uses by default. */
export function bigIntDhPair(privateLen = DH_PRIVATE_KEY_LEN): BigIntDhPair {
  const x = (BigInt('0x' + randomBytes(privateLen).toString('hex')) % (P - 3n)) + 2n;
  return { publicKey: modPow(G, x, P), computeSecret: (peer) => modPow(peer, x, P) };
}
