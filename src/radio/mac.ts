/**
 * IEEE 802 MAC addresses as the daemons see them: lowercase "aa:bb:cc:dd:ee:ff",
 * the spelling hostapd/wpa_supplicant print (MACSTR), so they can be map keys.
 */
import { randomBytes } from 'node:crypto';
import { colonHex } from '../common/colon-hex.js';
import { MAC_LEN, parseMac } from '../common/mac.js';
import { WpsdError } from '../common/errors.js';

export { MAC_LEN };

export type MacAddress = string;

export const BROADCAST_ADDRESS: MacAddress = 'ff:ff:ff:ff:ff:ff';

const CANONICAL_MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export class MacAddressError extends WpsdError<'BAD_MAC_ADDRESS'> {
  constructor(message: string) {
    super('BAD_MAC_ADDRESS', message);
  }
}

/** Canonical form of a textual address (parseMac's syntax, upper case too); throws MacAddressError. */
export function macAddress(text: string): MacAddress {
  const bytes = parseMac(text);
  if (bytes === undefined) throw new MacAddressError(`invalid MAC address "${text}"`);
  return colonHex(bytes);
}

/** Already in canonical (lower-case) form. */
export function isMac(text: string): boolean {
  return CANONICAL_MAC_RE.test(text);
}

export function macToBytes(mac: MacAddress): Uint8Array {
  const bytes = parseMac(mac);
  if (bytes === undefined) throw new MacAddressError(`invalid MAC address "${mac}"`);
  return Uint8Array.from(bytes);
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

/** Addresses tried for a virtual interface (driver_nl80211's nl80211_vif_addr tries 64). */
export const VIF_ADDRESS_TRIES = 64;

/**
 * The address hostapd gives a bss= interface it creates without bssid=
 * (driver_nl80211 nl80211_vif_addr): the first BSS's address with the locally
 * administered bit set and bits 2..7 of its first octet stepped until it is
 * not in use. Undefined when all are.
 */
export function virtualInterfaceAddress(first: Uint8Array, inUse: readonly Uint8Array[]): Buffer | undefined {
  const out = Buffer.from(first);
  for (let idx = 0; idx < VIF_ADDRESS_TRIES; idx++) {
    out[0] = ((first[0] ?? 0) | 0x02) ^ ((idx << 2) & 0xff);
    if (!inUse.some((a) => Buffer.compare(Buffer.from(a), out) === 0)) return Buffer.from(out);
  }
  return undefined;
}
