/**
 * Addresses and interfaces for the UPnP layer: everything binds to one named
 * interface's IPv4 address, loopback unless the caller names another.
 *
 * API:
 *   DEFAULT_UPNP_INTERFACE ('lo')
 *   resolveInterface(name?): { name, address, prefixLength }   throws NetAddressError
 *   normalizeAddress(addr): string   drops the ::ffff: prefix of IPv4-mapped addresses
 *   inSubnet(addr, network, prefixLength): boolean (IPv4)
 */
import os from 'node:os';
import net from 'node:net';
import { WpsdError } from '../common/errors.js';

export const DEFAULT_UPNP_INTERFACE = 'lo';

export class NetAddressError extends WpsdError<'NO_INTERFACE_ADDRESS'> {

  constructor(message: string) {
    super('NO_INTERFACE_ADDRESS', message);
  }
}

export interface InterfaceAddress {
  name: string;
  address: string;
  prefixLength: number;
}

/** The first IPv4 address of the named interface (hostapd's upnp_iface works the same way). */
export function resolveInterface(name: string = DEFAULT_UPNP_INTERFACE): InterfaceAddress {
  const list = os.networkInterfaces()[name];
  const v4 = list?.find((a) => a.family === 'IPv4');
  if (v4 === undefined) throw new NetAddressError(`interface ${name} has no IPv4 address (is it up?)`);
  const prefix = v4.cidr !== null ? Number(v4.cidr.split('/')[1]) : 32;
  return { name, address: v4.address, prefixLength: prefix };
}

export function normalizeAddress(a: string | undefined): string {
  if (a === undefined) return '';
  return a.startsWith('::ffff:') && net.isIPv4(a.slice(7)) ? a.slice(7) : a;
}

function ipv4ToInt(a: string): number | undefined {
  if (!net.isIPv4(a)) return undefined;
  return a.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}

/** True when IPv4 `addr` lies in network/prefixLength; for non-IPv4 input, plain equality. */
export function inSubnet(addr: string, network: string, prefixLength: number): boolean {
  const x = ipv4ToInt(addr);
  const y = ipv4ToInt(network);
  if (x === undefined || y === undefined) return addr === network;
  if (prefixLength <= 0) return true;
  const mask = prefixLength >= 32 ? 0xffffffff : (0xffffffff << (32 - prefixLength)) >>> 0;
  return (x & mask) === (y & mask);
}
