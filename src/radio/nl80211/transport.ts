/** A generic netlink socket from the `netlink` package, used as a plain datagram transport. */
import type { NetlinkTransport } from './family.js';
import { DriverError } from '../driver.js';

export const NETLINK_REPLY_TIMEOUT_MS = 2_000;

interface RawSocket {
  on(event: 'message', cb: (msg: Buffer) => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  off(event: 'message', cb: (msg: Buffer) => void): unknown;
  send(msg: Uint8Array | Uint8Array[], options?: { port?: number }, callback?: (error?: Error) => void): void;
  close(): void;
}

interface NetlinkModule {
  RawNetlinkSocket: new (protocol: number, options?: object) => RawSocket;
  Protocol: { GENERIC: number };
}

/** Opens a NETLINK_GENERIC socket. The native addon is loaded only here, when nl80211 is asked for. */
export async function openGenericNetlink(): Promise<NetlinkTransport> {
  let mod: NetlinkModule;
  try {
    const imported = (await import('netlink')) as unknown as NetlinkModule & { default?: NetlinkModule };
    mod = imported.RawNetlinkSocket ? imported : (imported.default as NetlinkModule);
  } catch (err) {
    throw new DriverError('NOT_AVAILABLE', `cannot load the netlink module: ${(err as Error).message}`);
  }
  let socket: RawSocket;
  try {
    socket = new mod.RawNetlinkSocket(mod.Protocol.GENERIC, {});
  } catch (err) {
    throw new DriverError('NOT_AVAILABLE', `cannot open a generic netlink socket: ${(err as Error).message}`);
  }
  socket.on('error', () => undefined);
  return {
    request(datagram, _seq, done) {
      return new Promise((resolve, reject) => {
        const finish = (err?: Error): void => {
          clearTimeout(timer);
          socket.off('message', onMessage);
          if (err) reject(err);
          else resolve();
        };
        const onMessage = (msg: Buffer): void => {
          try {
            if (done(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength))) finish();
          } catch (err) {
            finish(err as Error);
          }
        };
        const timer = setTimeout(() => finish(new DriverError('NOT_AVAILABLE', 'no answer from the kernel on generic netlink')), NETLINK_REPLY_TIMEOUT_MS);
        socket.on('message', onMessage);
        socket.send(datagram, { port: 0 }, (err) => {
          if (err) finish(new DriverError('NOT_AVAILABLE', `generic netlink send failed: ${err.message}`));
        });
      });
    },
    close() {
      socket.close();
    },
  };
}
