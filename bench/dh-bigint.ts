/**
 * A pure-JavaScript DH group 5 (BigInt square-and-multiply), kept only as the
 * benchmark's comparison point: it shows why wpsd computes DH with
 * node:crypto (OpenSSL) rather than in JavaScript.
 */
import { randomBytes, createDiffieHellmanGroup } from 'node:crypto';

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

export function bigIntDhPair(): BigIntDhPair {
  const x = BigInt('0x' + randomBytes(192).toString('hex')) % (P - 3n) + 2n;
  return { publicKey: modPow(G, x, P), computeSecret: (peer) => modPow(peer, x, P) };
}
