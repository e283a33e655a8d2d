/**
 * IEEE 802 MAC addresses as the daemons see them: lowercase "aa:bb:cc:dd:ee:ff",
 * the spelling hostapd/wpa_supplicant print (MACSTR), so they can be map keys.
 */
import { randomBytes } from 'node:crypto';
import { colonHex } from '../common/colon-hex.js';

export type MacAddress = string;

export const MAC_LEN = 6;
export const BROADCAST_ADDRESS: MacAddress = 'ff:ff:ff:ff:ff:ff';

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export class MacAddressError extends Error {
  readonly code = 'BAD_MAC_ADDRESS';
  constructor(message: string) {
    super(message);
    this.name = 'MacAddressError';
  }
}

/** Canonical form of a textual address (accepts upper case); throws MacAddressError. */
export function parseMac(text: string): MacAddress {
  const lower = text.toLowerCase();
  if (!MAC_RE.test(lower)) throw new MacAddressError(`invalid MAC address "${text}"`);
  return lower;
}

export function isMac(text: string): boolean {
  return MAC_RE.test(text);
}

export function macToBytes(mac: MacAddress): Uint8Array {
  const canon = parseMac(mac);
  return Uint8Array.from(canon.split(':').map((h) => parseInt(h, 16)));
}

/** Six bytes at `offset` as a MacAddress; MacAddressError when they run past the end. */
export function macFromBytes(buf: Uint8Array, offset = 0): MacAddress {
  if (offset < 0 || offset + MAC_LEN > buf.length) throw new MacAddressError('MAC address runs past the end of the buffer');
  return colonHex(buf.subarray(offset, offset + MAC_LEN));
}

/** Individual/group bit (IEEE 802 I/G): set for broadcast and multicast. */
export function isGroupAddress(mac: MacAddress): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0x01) !== 0;
}

/**
 * A random unicast, locally administered address (IEEE 802 U/L bit set, I/G
 * clear): what a simulated radio takes when no interface gives it one.
 */
export function randomLocalMac(rng: (n: number) => Buffer = randomBytes): Buffer {
  const b = Buffer.from(rng(MAC_LEN));
  b[0] = ((b[0] as number) & 0xfc) | 0x02;
  return b;
}
