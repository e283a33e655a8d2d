/**
 * STATUS on a station without a radio (`wpsd sta -D none`, an External
 * Registrar): wpa_supplicant -Dnone answers with its state, the interface's
 * IPv4 address when it has one, its own address and WPS UUID;
 * `wpa_cli status verbose` (STATUS-VERBOSE) gets the same.
 *
 *   wpa_state=DISCONNECTED
 *   ip_address=<IPv4>          (only with an address)
 *   address=<MAC>
 *   uuid=<UUID>
 *
 * API:
 *   noRadioStatusReply(address, uuid, ipv4?): string
 *   registerNoRadioStatus(registry, ifname, address, uuid): void
 */
import { networkInterfaces } from 'node:os';
import type { CommandRegistry } from '../ctrl/registry.js';

import { formatUuid } from '../wps/device.js';
import { formatMac } from '../common/mac.js';

export function noRadioStatusReply(address: Uint8Array, uuid: Uint8Array, ipv4?: string): string {
  const ip = ipv4 === undefined ? '' : `ip_address=${ipv4}\n`;
  return `wpa_state=DISCONNECTED\n${ip}address=${formatMac(address)}\nuuid=${formatUuid(uuid)}\n`;
}

/** The interface's first IPv4 address now (it may change while the daemon runs). */
function interfaceIpv4(ifname: string): string | undefined {
  return networkInterfaces()[ifname]?.find((a) => a.family === 'IPv4')?.address;
}

export function registerNoRadioStatus(registry: CommandRegistry, ifname: string, address: Uint8Array, uuid: Uint8Array): void {
  for (const name of ['STATUS', 'STATUS-VERBOSE']) {
    registry.register({
      name,
      maxArgs: 0,
      help: '= wpa_state, own address and WPS UUID',
      handler: () => noRadioStatusReply(address, uuid, interfaceIpv4(ifname)),
    });
  }
}
