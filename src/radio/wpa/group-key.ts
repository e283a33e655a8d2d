/**
 * The GTK of one BSS (IEEE 802.11-2020 12.7.1.4, hostapd's wpa_group): a
 * random GMK, a GNonce counter started at random, and GTK = PRF-128(GMK,
 * "Group key expansion", AA || GNonce). A rekey (wpa_group_rekey, or when
 * the daemon asks) moves to the other of key indexes 1 and 2, as hostapd's
 * GN/GM swap does, so stations keep the old key until they have the new one.
 */
import type { MacAddress } from '../mac.js';
import { deriveGtk, NONCE_LEN, PMK_LEN } from './crypto.js';
import type { WpaRandom } from './events.js';

export interface GroupKeyState {
  keyIndex: number;
  gtk: Uint8Array;
}

export class GroupKey {
  private readonly gmk: Uint8Array;
  private readonly counter: Uint8Array;
  private index = 1;
  private key: Uint8Array;

  constructor(
    private readonly aa: MacAddress,
    random: WpaRandom,
  ) {
    this.gmk = Uint8Array.from(random(PMK_LEN));
    this.counter = Uint8Array.from(random(NONCE_LEN));
    this.key = this.next();
  }

  current(): GroupKeyState {
    return { keyIndex: this.index, gtk: Uint8Array.from(this.key) };
  }

  /** A new GTK under the other key index. */
  rekey(): GroupKeyState {
    this.index = this.index === 1 ? 2 : 1;
    this.key = this.next();
    return this.current();
  }

  private next(): Uint8Array {
    // inc_byte_array: the GNonce is a big-endian counter.
    for (let i = this.counter.length - 1; i >= 0; i--) {
      this.counter[i] = ((this.counter[i] as number) + 1) & 0xff;
      if (this.counter[i] !== 0) break;
    }
    return deriveGtk(this.gmk, this.aa, this.counter);
  }
}
