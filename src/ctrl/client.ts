/**
 * Client side of the wpa_ctrl protocol (src/common/wpa_ctrl.c): bind a socket
 * of our own under /tmp, send a request to the daemon's socket, take the next
 * datagram that is not an event as the reply. Works against hostapd,
 * wpa_supplicant and wpsd.
 */
import { sleep } from '../common/sleep.js';
import { lstatSync, realpathSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createDgramSocket, sendErrno, trySendTo, type DgramSocket } from './dgram.js';
import { MAX_SOCKET_PATH } from './ctrl-interface.js';
import { WpsdError } from '../common/errors.js';

/** wpa_ctrl_request waits 10 s for a reply. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Where wpa_ctrl binds its client sockets (CONFIG_CTRL_IFACE_CLIENT_DIR). */
export const CLIENT_DIR = '/tmp';

export class CtrlClientError extends WpsdError<'UNREACHABLE' | 'TIMEOUT' | 'CLOSED' | 'BIND' | 'REFUSED'> {}

/** An unsolicited message: "<level>TEXT", or "IFNAME=<if> <level>TEXT" from a global socket. */
export function isEventMessage(text: string): boolean {
  return text.startsWith('<') || text.startsWith('IFNAME=');
}

export interface CtrlEvent {
  /** The level from "<n>", or undefined when missing. */
  level: number | undefined;
  /** Interface from an IFNAME= prefix. */
  ifname: string | undefined;
  /** Event text without prefix and level. */
  text: string;
  /** The datagram as received. */
  raw: string;
}

/** Split an event datagram into its parts, as wpa_cli's action processing does. */
export function parseEvent(raw: string): CtrlEvent {
  let rest = raw;
  let ifname: string | undefined;
  if (rest.startsWith('IFNAME=')) {
    const sp = rest.indexOf(' ');
    if (sp > 7) {
      ifname = rest.slice(7, sp);
      rest = rest.slice(sp + 1);
    }
  }
  let level: number | undefined;
  const m = /^<(-?[0-9]+)>/.exec(rest);
  if (m && m[1] !== undefined) {
    level = Number(m[1]);
    rest = rest.slice(m[0].length);
  }
  return { level, ifname, text: rest, raw };
}

/** The socket path with its directory resolved through symlinks (/var/run -> /run). */
function canonicalSocketPath(path: string): string {
  if (path === '') return '';
  try {
    return join(realpathSync(dirname(resolve(path))), basename(path));
  } catch {
    return resolve(path);
  }
}

/**
 * A request the daemon's socket cannot take now (its receive queue is full)
 * is retried this many times, this far apart, on a fresh socket (wpa_ctrl_request
 * retries EAGAIN the same way, with a longer pause).
 */
export const SEND_RETRIES = 5;
export const SEND_RETRY_MS = 100;

let counter = 0;
const openPaths = new Set<string>();
let exitHookInstalled = false;

function removeOnExit(path: string): void {
  openPaths.add(path);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of openPaths) {
      try {
        unlinkSync(p);
      } catch {
        // gone already
      }
    }
  });
}

interface Waiter {
  resolve: (reply: string) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class CtrlClient {
  readonly serverPath: string;
  readonly localPath: string;
  private sock: DgramSocket;
  private waiter: Waiter | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private eventHandlers: ((event: CtrlEvent) => void)[] = [];
  private closed = false;

  private constructor(serverPath: string, localPath: string, sock: DgramSocket) {
    this.serverPath = serverPath;
    this.localPath = localPath;
    this.sock = sock;
    this.listen(sock);
  }

  private listen(sock: DgramSocket): void {
    sock.on('data', (buf: Buffer, from: string) => this.onData(buf, from));
    sock.on('error', () => undefined);
  }

  /**
   * A send that would block leaves node-unix-socket's socket deaf for good
   * (dgram.ts trySendTo): it is closed and the same path bound again, so the
   * daemon's replies and events still find us.
   */
  private reopen(): void {
    const old = this.sock;
    old.removeAllListeners('data');
    old.close();
    try {
      unlinkSync(this.localPath);
    } catch {
      // gone already
    }
    const sock = createDgramSocket();
    try {
      sock.bind(this.localPath);
    } catch (err) {
      sock.close();
      throw new CtrlClientError('BIND', `cannot bind ${this.localPath} again: ${(err as Error).message}`);
    }
    this.sock = sock;
    this.listen(sock);
  }

  /** Bind `<clientDir>/wpa_ctrl_<pid>-<n>` (as wpa_ctrl_open2 does) for talking to `serverPath`. */
  static open(serverPath: string, clientDir = CLIENT_DIR): CtrlClient {
    counter++;
    const localPath = join(clientDir, `wpa_ctrl_${process.pid}-${counter}`);
    if (Buffer.byteLength(localPath) > MAX_SOCKET_PATH) throw new CtrlClientError('BIND', `client socket path too long: ${localPath}`);
    const sock = createDgramSocket();
    try {
      try {
        sock.bind(localPath);
      } catch {
        // Our pid is unique, so a file of that name is left from an earlier crash.
        if (lstatSync(localPath, { throwIfNoEntry: false })?.isSocket()) unlinkSync(localPath);
        sock.bind(localPath);
      }
    } catch (err) {
      sock.close();
      throw new CtrlClientError('BIND', `cannot bind ${localPath}: ${(err as Error).message}`);
    }
    removeOnExit(localPath);
    return new CtrlClient(serverPath, localPath, sock);
  }

  /** Called for every event datagram that arrives on this socket. */
  onEvent(handler: (event: CtrlEvent) => void): void {
    this.eventHandlers.push(handler);
  }

  /**
   * Send one request and resolve with the reply text. Requests on one client
   * go one at a time, since replies carry no tag.
   */
  request(command: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<string> {
    const run = this.queue.then(() => this.requestNow(command, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** ATTACH; the daemon must answer exactly "OK\n" (wpa_ctrl_attach). */
  async attach(): Promise<void> {
    const reply = await this.request('ATTACH');
    if (reply !== 'OK\n') throw new CtrlClientError('REFUSED', `ATTACH refused: ${reply.trim()}`);
  }

  async detach(): Promise<void> {
    const reply = await this.request('DETACH');
    if (reply !== 'OK\n') throw new CtrlClientError('REFUSED', `DETACH refused: ${reply.trim()}`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waiter) {
      clearTimeout(this.waiter.timer);
      this.waiter.reject(new CtrlClientError('CLOSED', 'connection closed'));
      this.waiter = undefined;
    }
    this.sock.removeAllListeners('data');
    this.sock.close();
    try {
      unlinkSync(this.localPath);
    } catch {
      // gone already
    }
    openPaths.delete(this.localPath);
  }

  private async requestNow(command: string, timeoutMs: number): Promise<string> {
    if (this.closed) throw new CtrlClientError('CLOSED', 'connection closed');
    const reply = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new CtrlClientError('TIMEOUT', `'${command}' command timed out.`));
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
    });
    // The caller gets the rejection; this keeps a timeout during send retries from going unhandled.
    reply.catch(() => undefined);
    const data = Buffer.from(command, 'utf8');
    let err: Error | undefined;
    for (let attempt = 0; ; attempt++) {
      const out = trySendTo(this.sock, data, this.serverPath);
      if (out.kind === 'sent') break;
      if (out.kind === 'failed') {
        err = out.error;
        break;
      }
      try {
        this.reopen();
      } catch (e) {
        err = e as Error;
        break;
      }
      if (attempt + 1 >= SEND_RETRIES) {
        err = new Error('the daemon is not reading its control socket (send would block)');
        break;
      }
      await sleep(SEND_RETRY_MS);
      if (this.closed) throw new CtrlClientError('CLOSED', 'connection closed');
    }
    if (err) {
      const w = this.waiter;
      if (w) {
        clearTimeout(w.timer);
        this.waiter = undefined;
      }
      const errno = sendErrno(err);
      throw new CtrlClientError(
        'UNREACHABLE',
        `Failed to connect to ${this.serverPath}: ${err.message}${errno === 'ENOENT' ? ' (is the daemon running, and are -p/-i right?)' : ''}`,
      );
    }
    return reply;
  }

  private onData(buf: Buffer, from: string): void {
    // Unconnected socket: anyone may write to it; only the daemon is heard.
    if (from !== this.serverPath && canonicalSocketPath(from) !== canonicalSocketPath(this.serverPath)) return;
    const text = buf.toString('utf8');
    if (isEventMessage(text)) {
      const event = parseEvent(text);
      for (const h of this.eventHandlers) h(event);
      return;
    }
    const w = this.waiter;
    if (!w) return; // a late reply after a timeout
    clearTimeout(w.timer);
    this.waiter = undefined;
    w.resolve(text);
  }
}
