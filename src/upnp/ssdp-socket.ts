/**
 * The two UDP sockets every SSDP participant needs, bound to one interface:
 *   - a listener on the multicast group and port 1900 (SO_REUSEADDR, so that
 *     other SSDP software on the same host keeps working), member of the group
 *     on the interface's address only;
 *   - a unicast socket on the interface address (ephemeral port) for sending
 *     multicast out of that interface only, and for unicast replies.
 * Linux delivers group traffic to a group-bound socket whatever the ingress
 * interface if another socket joined elsewhere, so received datagrams are
 * also filtered by source address: only the interface's own subnet counts.
 *
 * API:
 *   openSsdpSockets(opts): Promise<SsdpSockets>
 *   openGuardedSsdpSockets(endpoint, onMessage, log): Promise<SsdpSockets>   a throwing handler is logged, never rethrown
 *   SsdpSockets { iface, send(buf, address, port), sendMulticast(buf), close() }
 *   SSDP_MULTICAST_TTL
 */
import dgram from 'node:dgram';
import type { Logger } from '../common/log.js';
import { DEFAULT_UPNP_INTERFACE, inSubnet, resolveInterface, type InterfaceAddress } from './net-address.js';
import { SSDP_MULTICAST_ADDRESS, SSDP_PORT } from './ssdp-message.js';

/** UDA 1.0 1.1.2: the IP TTL of multicast SSDP SHOULD default to 4. */
export const SSDP_MULTICAST_TTL = 4;

export interface SsdpSocketOptions {
  /** Interface name; loopback unless named. */
  interfaceName?: string;
  /** Overrides interface lookup (tests, or a caller that already resolved it). */
  iface?: InterfaceAddress;
  /** Multicast port; 1900 unless a test picks another. */
  port?: number;
  group?: string;
  ttl?: number;
  onMessage: (msg: Buffer, from: { address: string; port: number }, via: 'multicast' | 'unicast') => void;
  onError?: (err: Error) => void;
}

export interface SsdpSockets {
  readonly iface: InterfaceAddress;
  readonly group: string;
  readonly port: number;
  /** Local port of the unicast socket (where M-SEARCH responses arrive). */
  readonly unicastPort: number;
  send(buf: Buffer, address: string, port: number): Promise<void>;
  sendMulticast(buf: Buffer): Promise<void>;
  close(): Promise<void>;
}

function bind(sock: dgram.Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    sock.once('error', onError);
    sock.bind({ port, address, exclusive: false }, () => {
      sock.off('error', onError);
      resolve();
    });
  });
}

/** Where an advertiser or searcher listens: the socket options its own options carry. */
export type SsdpEndpoint = Pick<SsdpSocketOptions, 'interfaceName' | 'iface' | 'port' | 'group' | 'ttl'>;

/**
 * openSsdpSockets() for a long-running participant: whatever a datagram makes
 * `onMessage` throw (a malformed message, a throwing listener) is logged and
 * goes no further, so nothing received can take the daemon down.
 */
export function openGuardedSsdpSockets(endpoint: SsdpEndpoint, onMessage: SsdpSocketOptions['onMessage'], log: Logger): Promise<SsdpSockets> {
  return openSsdpSockets({
    interfaceName: endpoint.interfaceName,
    iface: endpoint.iface,
    port: endpoint.port,
    group: endpoint.group,
    ttl: endpoint.ttl,
    onMessage: (msg, from, via) => {
      try {
        onMessage(msg, from, via);
      } catch (e) {
        log.warn(`ssdp: error handling datagram from ${from.address}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    onError: (e) => log.debug(`ssdp: socket error: ${e.message}`),
  });
}

export async function openSsdpSockets(opts: SsdpSocketOptions): Promise<SsdpSockets> {
  const iface = opts.iface ?? resolveInterface(opts.interfaceName ?? DEFAULT_UPNP_INTERFACE);
  const group = opts.group ?? SSDP_MULTICAST_ADDRESS;
  const port = opts.port ?? SSDP_PORT;
  const onError = opts.onError ?? (() => undefined);
  const listener = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const unicast = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  const accept = (via: 'multicast' | 'unicast') => (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    if (!inSubnet(rinfo.address, iface.address, iface.prefixLength)) return;
    opts.onMessage(msg, { address: rinfo.address, port: rinfo.port }, via);
  };
  listener.on('message', accept('multicast'));
  unicast.on('message', accept('unicast'));
  try {
    await bind(listener, port, group);
    listener.addMembership(group, iface.address);
    listener.on('error', onError);
    await bind(unicast, 0, iface.address);
    unicast.setMulticastInterface(iface.address);
    unicast.setMulticastTTL(opts.ttl ?? SSDP_MULTICAST_TTL);
    unicast.setMulticastLoopback(true);
    unicast.on('error', onError);
  } catch (e) {
    listener.close();
    unicast.close();
    throw e;
  }
  const send = (buf: Buffer, address: string, p: number): Promise<void> =>
    new Promise((resolve, reject) => unicast.send(buf, p, address, (err) => (err ? reject(err) : resolve())));
  return {
    iface,
    group,
    port,
    unicastPort: unicast.address().port,
    send,
    sendMulticast: (buf) => send(buf, group, port),
    close: async () => {
      await Promise.all([listener, unicast].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
