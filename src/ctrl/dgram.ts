/**
 * UNIX datagram sockets through node-unix-socket (Node has none). The addon
 * reports send errors only as messages, so errno names are recovered here.
 */
import { createRequire } from 'node:module';
import type { DgramSocket as DgramSocketType } from 'node-unix-socket';

const require = createRequire(import.meta.url);
const addon = require('node-unix-socket') as { DgramSocket: new () => DgramSocketType };

export type DgramSocket = DgramSocketType;

export function createDgramSocket(): DgramSocket {
  return new addon.DgramSocket();
}

export type SendErrno = 'ENOENT' | 'ECONNREFUSED' | 'EPERM' | 'EACCES' | 'OTHER';

/** The errno behind one of the addon's error messages (strerror text). */
export function sendErrno(err: Error): SendErrno {
  const msg = err.message;
  if (/No such file or directory/i.test(msg)) return 'ENOENT';
  if (/Connection refused/i.test(msg)) return 'ECONNREFUSED';
  if (/Operation not permitted/i.test(msg)) return 'EPERM';
  if (/Permission denied/i.test(msg)) return 'EACCES';
  return 'OTHER';
}

/** Send one datagram; resolves with the error (or undefined) instead of rejecting. */
export function sendTo(sock: DgramSocket, data: Buffer, dest: string): Promise<Error | undefined> {
  return new Promise((resolve) => {
    try {
      sock.sendTo(data, 0, data.length, dest, (err) => resolve(err ?? undefined));
    } catch (err) {
      resolve(err as Error);
    }
  });
}
