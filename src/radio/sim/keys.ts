/**
 * The keys a sim radio holds, as mac80211 keeps them: one pairwise key per
 * peer, group keys by index with one default transmit key, and a transmit
 * sequence counter per group key. The sim medium does not encrypt; the keys
 * are recorded so that the daemons' key installation can be checked, and
 * they go with the peer (station removed, association ended).
 */
import { type KeyInstall, type InstalledKey, checkKeyInstall, KEY_RSC_LEN } from '../driver.js';
import type { MacAddress } from '../mac.js';

/** The ciphers the sim radio accepts (mac80211_hwsim's software crypto has these and more). */
export const SIM_CIPHERS: readonly number[] = [0x000fac04, 0x000fac08, 0x000fac09, 0x000fac0a];
/** The Packet Number is 48 bits. */
const PN_MASK = (1n << 48n) - 1n;

interface HeldKey extends InstalledKey {
  key: Uint8Array;
  /** Next packet number to transmit (group keys on an AP). */
  txPn: bigint;
  /** The RSC given at installation (receive side). */
  rsc: Uint8Array;
}

function copy(k: HeldKey): InstalledKey & { rsc: Uint8Array } {
  const out: InstalledKey & { rsc: Uint8Array } = { type: k.type, cipher: k.cipher, keyIndex: k.keyIndex, defaultTx: k.defaultTx, rsc: Uint8Array.from(k.rsc) };
  if (k.addr !== undefined) out.addr = k.addr;
  return out;
}

export class SimKeyStore {
  private readonly pairwise = new Map<MacAddress, HeldKey>();
  private readonly group = new Map<number, HeldKey>();
  private defaultGroup: number | undefined;

  /** Validates and records a key; the caller has checked that a pairwise peer exists. */
  install(k: KeyInstall, peer?: MacAddress): void {
    checkKeyInstall(k, SIM_CIPHERS);
    const held: HeldKey = {
      type: k.type,
      cipher: k.cipher,
      keyIndex: k.keyIndex,
      defaultTx: k.defaultTx === true,
      key: Uint8Array.from(k.key),
      txPn: 0n,
      rsc: k.rsc !== undefined ? Uint8Array.from(k.rsc) : new Uint8Array(KEY_RSC_LEN),
    };
    if (k.type === 'pairwise') {
      held.addr = peer ?? (k.addr as MacAddress);
      this.pairwise.set(held.addr, held);
      return;
    }
    this.group.set(k.keyIndex, held);
    if (held.defaultTx) {
      const prev = this.defaultGroup !== undefined ? this.group.get(this.defaultGroup) : undefined;
      if (prev !== undefined && prev !== held) prev.defaultTx = false;
      this.defaultGroup = k.keyIndex;
    }
  }

  /** The transmit packet number of a group key, KEY_RSC_LEN octets least significant first (zero when absent). */
  groupSequence(keyIndex: number): Uint8Array {
    const pn = this.group.get(keyIndex)?.txPn ?? 0n;
    const out = new Uint8Array(KEY_RSC_LEN);
    for (let i = 0; i < KEY_RSC_LEN; i++) out[i] = Number((pn >> BigInt(8 * i)) & 0xffn);
    return out;
  }

  /** Counts one group-addressed frame sent under the default group key; false when there is none. */
  countGroupTx(): boolean {
    const k = this.defaultGroup !== undefined ? this.group.get(this.defaultGroup) : undefined;
    if (k === undefined) return false;
    k.txPn = (k.txPn + 1n) & PN_MASK;
    return true;
  }

  hasPairwise(peer: MacAddress): boolean {
    return this.pairwise.has(peer);
  }

  /** Drops the pairwise key of a peer that left. */
  forgetPeer(peer: MacAddress): void {
    this.pairwise.delete(peer);
  }

  clear(): void {
    this.pairwise.clear();
    this.group.clear();
    this.defaultGroup = undefined;
  }

  /** What is installed, without key material: pairwise keys of `peer` (all when absent) and the group keys. */
  list(peer?: MacAddress): (InstalledKey & { rsc: Uint8Array })[] {
    const pw = [...this.pairwise.values()].filter((k) => peer === undefined || k.addr === peer);
    return [...pw, ...[...this.group.values()].sort((a, b) => a.keyIndex - b.keyIndex)].map(copy);
  }

  /** The key material itself, for tests that check what a handshake derived. */
  keyData(type: 'pairwise' | 'group', ref: MacAddress | number): Uint8Array | undefined {
    const k = type === 'pairwise' ? this.pairwise.get(ref as MacAddress) : this.group.get(ref as number);
    return k !== undefined ? Uint8Array.from(k.key) : undefined;
  }
}
