/**
 * UNIX datagram sockets through node-unix-socket (Node has none; its native
 * module is loaded by unix-dgram.ts). The addon reports send errors only as
 * messages, so errno names are recovered here.
 */
import { newUnixDgramSocket, type DgramSocket } from './unix-dgram.js';

export type { DgramSocket };

export function createDgramSocket(): DgramSocket {
  return newUnixDgramSocket();
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

/**
 * What became of a datagram handed to the addon: sent (or refused) at once,
 * or queued because the kernel answered EAGAIN / ENOBUFS (the peer's receive
 * queue or our send buffer is full).
 */
export type SendOutcome = { kind: 'sent' } | { kind: 'failed'; error: Error } | { kind: 'queued' };

/**
 * Sends one datagram and says synchronously what happened. The addon calls
 * back inside sendTo() unless sendmsg() would block; then it keeps the
 * datagram, retries it on every writable event (a busy loop, since an
 * unconnected datagram socket always polls writable) and, as it re-arms its
 * poll for writing only, never reads from the socket again, even once the
 * queue has drained (node-unix-socket 0.2.7, src/dgram.rs flush()). A
 * 'queued' socket is therefore lost: the caller must close it.
 */
export function trySendTo(sock: DgramSocket, data: Buffer, dest: string): SendOutcome {
  let outcome: SendOutcome | undefined;
  try {
    sock.sendTo(data, 0, data.length, dest, (err) => {
      outcome ??= err ? { kind: 'failed', error: err } : { kind: 'sent' };
    });
  } catch (err) {
    return { kind: 'failed', error: err as Error };
  }
  return outcome ?? { kind: 'queued' };
}
