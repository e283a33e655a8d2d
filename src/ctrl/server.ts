/**
 * The control socket of a wpsd daemon: a UNIX datagram socket named after
 * the interface in the ctrl_interface directory, speaking the wpa_ctrl
 * protocol (hostapd/ctrl_iface.c) so hostapd_cli and wpa_cli work unchanged.
 * Requests are answered to the sender's address; events go to monitors as
 * "<level>TEXT".
 *
 * node-unix-socket keeps one FIFO send queue per socket and retries a
 * datagram the kernel refuses (a peer that stopped reading) in a busy loop, so
 * one such peer would stall every reply. wpsd bounds what is queued per peer
 * and, if a send still stalls, binds the path to a fresh socket, dropping the
 * stuck peer's monitor.
 */
import { chmodSync, lchownSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, silentLogger } from '../common/log.js';
import { registerBaseCommands } from './base-commands.js';
import { MAX_SOCKET_PATH, parseCtrlInterface, resolveGroup } from './ctrl-interface.js';
import { createDgramSocket, sendErrno, sendTo, type DgramSocket } from './dgram.js';
import { MonitorList } from './monitors.js';
import { CommandRegistry, REPLY_FAIL, REPLY_UNKNOWN } from './registry.js';
import { CtrlRequestError, parseRequest } from './request.js';

/** Datagrams queued towards one peer before further ones to it are dropped (counted as failures for monitors). */
export const MAX_PENDING_PER_PEER = 64;
/** Requests being handled at once; more are answered FAIL. */
export const MAX_CONCURRENT_REQUESTS = 64;
/** A send not completed after this long means the peer stopped reading. */
export const SEND_STALL_MS = 1000;
const STALL_CHECK_MS = 250;
/** Directory and socket mode: hostapd's S_IRWXU | S_IRWXG. */
const CTRL_MODE = 0o770;

export class CtrlServerError extends Error {
  constructor(
    readonly code: 'in-use' | 'not-socket' | 'path' | 'bind' | 'closed',
    message: string,
  ) {
    super(message);
    this.name = 'CtrlServerError';
  }
}

export interface CtrlServerOptions {
  /** The raw `ctrl_interface` value: "/run/wpsd" or "DIR=/run/wpsd GROUP=netdev". */
  ctrlInterface: string;
  /** Interface name; the socket is `<dir>/<ifname>`. */
  ifname: string;
  /** `ctrl_interface_group`, when given as its own key (GROUP= in the value wins). */
  group?: string;
  logger?: Logger;
}

interface PendingSend {
  dest: string;
  data: Buffer;
  kind: 'reply' | 'event';
  at: number;
}

export class CtrlServer {
  readonly registry = new CommandRegistry();
  readonly monitors = new MonitorList();
  readonly path: string;
  readonly dir: string;
  private readonly gid: number | undefined;
  private readonly log: Logger;
  private sock: DgramSocket;
  private generation = 0;
  private pending: PendingSend[] = [];
  private readonly perPeer = new Map<string, number>();
  private handling = 0;
  private closed = false;
  private readonly watchdog: NodeJS.Timeout;
  private lastCheck = Date.now();
  private suspect: PendingSend | undefined;
  private recycles = 0;

  private constructor(path: string, dir: string, gid: number | undefined, sock: DgramSocket, log: Logger) {
    this.path = path;
    this.dir = dir;
    this.gid = gid;
    this.sock = sock;
    this.log = log;
    registerBaseCommands(this.registry, this.monitors, {
      onMonitor: (what, addr) =>
        what === 'refused'
          ? this.log.warn(`CTRL_IFACE monitor limit reached - ATTACH from ${addr} refused`)
          : this.log.debug(`CTRL_IFACE monitor ${what} ${addr}`),
    });
    this.listen(sock);
    this.watchdog = setInterval(() => this.checkStall(), STALL_CHECK_MS);
    this.watchdog.unref();
  }

  /** Create the directory and socket; replaces a stale socket, refuses a live one. */
  static async open(opts: CtrlServerOptions): Promise<CtrlServer> {
    const log = opts.logger ?? silentLogger;
    const spec = parseCtrlInterface(opts.ctrlInterface);
    const group = spec.group ?? opts.group;
    const gid = group === undefined ? undefined : resolveGroup(group);
    if (opts.ifname.length === 0 || opts.ifname.includes('/') || opts.ifname === '.' || opts.ifname === '..') {
      throw new CtrlServerError('path', `invalid interface name "${opts.ifname}"`);
    }
    const path = join(spec.dir, opts.ifname);
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      throw new CtrlServerError('path', `control socket path too long (${Buffer.byteLength(path)} > ${MAX_SOCKET_PATH}): ${path}`);
    }
    try {
      mkdirSync(spec.dir, { mode: CTRL_MODE });
      // Only a directory wpsd created gets its mode set: ctrl_interface=/tmp must not chmod /tmp.
      chmodSync(spec.dir, CTRL_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      log.debug('Using existing control interface directory.');
    }
    if (gid !== undefined) lchownSync(spec.dir, -1, gid);
    await removeStaleSocket(path, log);
    const sock = createDgramSocket();
    try {
      sock.bind(path);
    } catch (err) {
      sock.close();
      throw new CtrlServerError('bind', `cannot bind control socket ${path}: ${(err as Error).message}`);
    }
    setSocketPermissions(path, gid);
    log.debug(`ctrl_iface: listening on ${path}`);
    return new CtrlServer(path, spec.dir, gid, sock, log);
  }

  /** Send an event to every monitor whose level admits it, as "<level>TEXT". */
  emit(level: number, text: string): void {
    if (this.closed) return;
    const data = Buffer.from(`<${level}>${text}`, 'utf8');
    for (const m of this.monitors.recipients(level)) {
      // hostapd sends RX-PROBE-REQUEST only to monitors that asked for it.
      if (text.startsWith('RX-PROBE-REQUEST') && m.events.get('probe_rx_events') !== true) continue;
      if ((this.perPeer.get(m.address) ?? 0) >= MAX_PENDING_PER_PEER) {
        if (this.monitors.recordFailure(m.address, false)) this.log.info(`CTRL_IFACE monitor ${m.address} dropped: not reading`);
        continue;
      }
      this.send(m.address, data, 'event');
    }
  }

  /** Datagrams handed to the socket and not yet accepted by the kernel. */
  get queuedSends(): number {
    return this.pending.length;
  }

  /** How often the socket was replaced because a peer stopped reading. */
  get stallRecoveries(): number {
    return this.recycles;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    this.sock.removeAllListeners('data');
    this.sock.close();
    try {
      if (lstatSync(this.path).isSocket()) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private listen(sock: DgramSocket): void {
    sock.on('data', (buf: Buffer, from: string) => this.onRequest(buf, from));
    sock.on('error', (err: Error) => this.log.error(`ctrl_iface socket error: ${err.message}`));
  }

  private onRequest(buf: Buffer, from: string): void {
    if (this.closed) return;
    if (from !== '' && (this.perPeer.get(from) ?? 0) >= MAX_PENDING_PER_PEER) {
      this.log.debug(`CTRL: ${from} is not reading its replies - request dropped`);
      return;
    }
    if (this.handling >= MAX_CONCURRENT_REQUESTS) {
      this.send(from, Buffer.from(REPLY_FAIL), 'reply');
      return;
    }
    let reply: Promise<string>;
    try {
      const request = parseRequest(buf);
      // Arguments may hold a PIN or a key: the log gets only the command name.
      this.log.debug(`RX ctrl_iface ${request.name}${request.rawArgs ? ' ' + this.log.key(request.rawArgs) : ''}`);
      reply = this.registry.dispatch(request, from, (err, cmd) =>
        this.log.warn(`ctrl_iface ${cmd.name} failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    } catch (err) {
      // parseRequest throws only CtrlRequestError; anything else (a throwing
      // logger) still gets FAIL: this runs in the socket's 'data' listener,
      // where a throw would end the daemon.
      const refused = err instanceof CtrlRequestError ? err : undefined;
      if (refused) this.log.debug(`CTRL: refused request (${buf.length} bytes): ${refused.message}`);
      // hostapd answers an empty request UNKNOWN COMMAND; malformed ones get FAIL.
      this.send(from, Buffer.from(refused?.code === 'empty' ? REPLY_UNKNOWN : REPLY_FAIL), 'reply');
      return;
    }
    this.handling++;
    void reply
      // dispatch() turns a throwing handler into FAIL, but its error report can
      // itself throw (a failing log sink): the peer still gets FAIL, and no
      // rejection is left unhandled (Node would exit on it).
      .catch(() => REPLY_FAIL)
      .then((text) => this.send(from, Buffer.from(text, 'utf8'), 'reply'))
      .finally(() => {
        this.handling--;
      });
  }

  private send(dest: string, data: Buffer, kind: PendingSend['kind']): void {
    if (this.closed || dest === '') return;
    const entry: PendingSend = { dest, data, kind, at: Date.now() };
    const generation = this.generation;
    this.pending.push(entry);
    this.perPeer.set(dest, (this.perPeer.get(dest) ?? 0) + 1);
    void sendTo(this.sock, data, dest).then((err) => {
      if (generation !== this.generation || this.closed) return;
      const i = this.pending.indexOf(entry);
      if (i >= 0) this.pending.splice(i, 1);
      const n = (this.perPeer.get(dest) ?? 1) - 1;
      if (n <= 0) this.perPeer.delete(dest);
      else this.perPeer.set(dest, n);
      if (kind === 'event') {
        if (!err) {
          this.monitors.recordSuccess(dest);
          return;
        }
        const errno = sendErrno(err);
        // hostapd drops at once on ENOENT; a refused socket cannot come back either.
        if (this.monitors.recordFailure(dest, errno === 'ENOENT' || errno === 'ECONNREFUSED')) {
          this.log.info(`CTRL_IFACE monitor ${dest} dropped: ${err.message}`);
        }
      } else if (err) {
        this.log.debug(`CTRL: sendto ${dest} failed: ${err.message}`);
      }
    });
  }

  /**
   * A send still pending after SEND_STALL_MS, seen on two checks that both ran
   * on time (a blocked event loop is not a stalled peer), means the head of
   * the addon's queue goes to a peer that stopped reading.
   */
  private checkStall(): void {
    const now = Date.now();
    const late = now - this.lastCheck > 2 * STALL_CHECK_MS;
    this.lastCheck = now;
    const head = this.pending[0];
    if (late || !head || now - head.at < SEND_STALL_MS) {
      this.suspect = undefined;
      return;
    }
    if (this.suspect !== head) {
      this.suspect = head;
      return;
    }
    this.suspect = undefined;
    this.replaceSocket(head.dest);
  }

  private replaceSocket(stuck: string): void {
    let fresh: DgramSocket;
    try {
      fresh = this.bindFresh();
    } catch (err) {
      this.log.error(`ctrl_iface: cannot replace stalled socket: ${(err as Error).message}`);
      return;
    }
    this.recycles++;
    const old = this.sock;
    const lost = this.pending;
    this.generation++;
    this.pending = [];
    this.perPeer.clear();
    this.sock = fresh;
    this.listen(fresh);
    old.removeAllListeners('data');
    old.close();
    this.log.warn(`CTRL_IFACE ${stuck} stopped reading - control socket replaced`);
    // Monitors with events still queued could not be kept up to date; clients
    // re-attach (wpa_cli and hostapd_cli reconnect when PING fails).
    const dropped = new Set<string>([stuck]);
    for (const p of lost) if (p.kind === 'event') dropped.add(p.dest);
    for (const addr of dropped) this.monitors.detach(addr);
    for (const p of lost) if (p.kind === 'reply' && !dropped.has(p.dest)) this.send(p.dest, p.data, 'reply');
  }

  /**
   * A new socket at the same path. It must be bound to the path itself, since
   * replies carry the bound name as their source and clients check it; the
   * path is missing only between the unlink and the bind.
   */
  private bindFresh(): DgramSocket {
    const sock = createDgramSocket();
    try {
      try {
        unlinkSync(this.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      sock.bind(this.path);
      setSocketPermissions(this.path, this.gid);
    } catch (err) {
      sock.close();
      throw err;
    }
    return sock;
  }
}

function setSocketPermissions(path: string, gid: number | undefined): void {
  if (gid !== undefined) lchownSync(path, -1, gid);
  chmodSync(path, CTRL_MODE);
}

/**
 * A socket file left by a crashed run refuses datagrams (ECONNREFUSED) and is
 * removed; one that accepts them belongs to a running daemon and is kept
 * (hostapd probes with connect() the same way).
 */
async function removeStaleSocket(path: string, log: Logger): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!isSocket) throw new CtrlServerError('not-socket', `${path} exists and is not a socket`);
  const probe = createDgramSocket();
  try {
    // An empty datagram from an unbound socket: a live daemon cannot answer it.
    const err = await sendTo(probe, Buffer.alloc(0), path);
    if (!err) {
      throw new CtrlServerError('in-use', `ctrl_iface exists and seems to be in use - cannot override it; delete ${path} manually if it is not used anymore`);
    }
    if (sendErrno(err) !== 'ECONNREFUSED') throw new CtrlServerError('bind', `cannot probe ${path}: ${err.message}`);
  } finally {
    probe.close();
  }
  unlinkSync(path);
  log.debug(`Successfully replaced leftover ctrl_iface socket '${path}'`);
}
