/**
 * The control socket of a wpsd daemon: a UNIX datagram socket named after
 * the interface in the ctrl_interface directory, speaking the wpa_ctrl
 * protocol (hostapd/ctrl_iface.c) so hostapd_cli and wpa_cli work unchanged.
 * Requests are answered to the sender's address; events go to monitors as
 * "<level>TEXT".
 *
 * A send that would block (a peer that is slow to read: its receive queue,
 * 10 datagrams by default for an unconnected socket, or our send buffer is
 * full) closes the socket and binds the path afresh, as wpa_supplicant does
 * on EAGAIN (ctrl_iface_unix.c, wpas_ctrl_iface_reinit). With
 * node-unix-socket that is a necessity: the addon keeps such a datagram,
 * retries it in a busy loop and never reads from that socket again
 * (dgram.ts trySendTo). The datagram, and what follows for the same peer,
 * wait in a bounded backlog that is retried with backoff, so a monitor that
 * is only busy for a moment still gets every event, in order; what is still
 * there after BACKLOG_MAX_AGE_MS is dropped and counted as failed sends
 * (a monitor is detached after more than 10 in a row, as hostapd).
 *
 * Replacing the socket is the last resort, though: a peer that connect()ed
 * to the old one (every wpa_ctrl client: hostapd_cli, wpa_cli) receives
 * nothing from the new one, so a reopen silently cuts every such monitor,
 * reading or not. And one peer that never reads could cause it for all: its
 * unread datagrams are charged to our socket's send buffer, which all peers
 * share. So sends are accounted per peer and in total, and never allowed to
 * block:
 * - no peer gets more than MAX_UNCONFIRMED_PER_PEER datagrams that it has
 *   not been seen to read; past that, what follows waits in its backlog;
 * - the datagrams not yet read by anyone stay under SEND_BUDGET_SHARE of
 *   our send buffer; past that, everything waits in backlogs.
 * The kernel (sock_diag, peer-queues.ts) tells which peers have read
 * everything. It sees only sockets in our network namespace; a peer in
 * another one (a client in the host's namespace talking to a daemon in its
 * own, through the filesystem) is judged by our socket's send-buffer use,
 * which counts every peer's unread datagrams: what that use still holds is
 * laid to the peers that have waited longest, and the others have read.
 * A reading peer catches up within milliseconds and gets every datagram in
 * order; one that never reads holds a few kilobytes of our buffer, never
 * all of it, and is detached once its backlog ages out (hostapd drops a
 * monitor after 10 failed sends in a row, and reading monitors with it when
 * the shared buffer is full).
 */
import { chmodSync, existsSync, lchownSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, LogLevel, silentLogger } from '../common/log.js';
import { registerBaseCommands } from './base-commands.js';
import { MAX_SOCKET_PATH, parseCtrlInterface, resolveGroup } from './ctrl-interface.js';
import { createDgramSocket, sendErrno, sendTo, trySendTo, type DgramSocket } from './dgram.js';
import { MAX_MONITORS, MonitorList } from './monitors.js';
import { CommandRegistry, REPLY_FAIL, REPLY_UNKNOWN } from './registry.js';
import { CtrlRequestError, parseRequest } from './request.js';
import { PeerQueues, datagramTruesize, type PeerQueueState } from './peer-queues.js';
import { WpsdError } from '../common/errors.js';

/** Requests being handled at once; more are answered FAIL. */
export const MAX_CONCURRENT_REQUESTS = 64;
/**
 * Datagrams waiting for one slow peer; further ones are dropped (failed sends
 * for a monitor). hostapd keeps none (a send that fails is lost); this holds
 * a burst of events for a monitor that reads a little behind.
 */
export const MAX_BACKLOG_PER_PEER = 1024;
/**
 * Datagrams a peer may have unread before the next wait in its backlog until
 * it is seen to read (hostapd: no bound; the kernel's is our whole send
 * buffer for a connected peer, ~280 events). Below net.unix.max_dgram_qlen
 * (10 by default), so an unconnected peer never makes a send block either.
 */
export const MAX_UNCONFIRMED_PER_PEER = 8;
/**
 * Unconfirmed datagrams at which the kernel is asked early, while sends go
 * on: a monitor that reads is confirmed before it reaches
 * MAX_UNCONFIRMED_PER_PEER, so none of its events waits a check (one in
 * three learns made the bench's WPS-ER-AP-SETTINGS wait ~2 ms).
 */
const CHECK_EARLY_AT = MAX_UNCONFIRMED_PER_PEER / 2;
/** Peers with datagrams not yet seen read that are remembered; past this, the longest-waiting are forgotten (the total budget still holds). */
const MAX_TRACKED_PEERS = 1024;
/**
 * Share of our send buffer that unread datagrams may fill; the rest is room
 * for replies and for the sends between two checks. hostapd fills it all,
 * and then every send fails for every monitor.
 */
const SEND_BUDGET_SHARE = 0.5;
/**
 * SO_SNDBUF asked for the control socket (the kernel doubles it, capped by
 * net.core.wmem_max; 8 MiB on Debian's defaults): the budget then holds
 * ~680 monitors that never read, 8 short events (768 bytes each) apiece.
 * hostapd keeps the default (wmem_default, 208 KiB: ~280 unread events in
 * all, after which every send fails for every monitor).
 */
const CTRL_SNDBUF = 4 * 1024 * 1024;
/** Waits between sock_diag checks while a backlog is blocked: the first, and the longest (doubling in between). */
const PEER_CHECK_FIRST_MS = 2;
const PEER_CHECK_MAX_MS = 100;
/**
 * A backlog not delivered within this time is dropped. Long enough that a
 * reading monitor starved of CPU on a loaded machine (a 2-core host at load
 * 20 leaves a process unscheduled for over a second) is not taken for one
 * that stopped reading; the backlog stays bounded by MAX_BACKLOG_PER_PEER.
 */
export const BACKLOG_MAX_AGE_MS = 10_000;
/** First retry of a backlog; each retry that would block again doubles the wait. */
const BACKLOG_FIRST_RETRY_MS = 10;
/**
 * Requests held while a daemon registers its commands (holdUntilReady); more
 * are answered FAIL. hostapd registers everything before it binds; a wpsd
 * daemon binds first (to refuse a second instance early) and holds.
 */
export const MAX_HELD_REQUESTS = 64;
/** Directory and socket mode: hostapd's S_IRWXU | S_IRWXG. */
const CTRL_MODE = 0o770;

export class CtrlServerError extends WpsdError<'IN_USE' | 'NOT_SOCKET' | 'PATH' | 'BIND' | 'CLOSED'> {}

export interface CtrlServerOptions {
  /** The raw `ctrl_interface` value: "/run/wpsd" or "DIR=/run/wpsd GROUP=netdev". */
  ctrlInterface: string;
  /** Interface name; the socket is `<dir>/<ifname>`. */
  ifname: string;
  /** `ctrl_interface_group`, when given as its own key (GROUP= in the value wins). */
  group?: string;
  /**
   * Hold every request, PING included, until ready(): the daemon adds its
   * commands after open(), and a client must never see UNKNOWN COMMAND for
   * one that exists a moment later.
   */
  holdUntilReady?: boolean;
  /**
   * false: no sock_diag accounting, as where the kernel lacks it (slow peers
   * are then bounded by the would-block path only). For measuring its cost.
   */
  sockDiag?: boolean;
  logger?: Logger;
}

interface Queued {
  data: Buffer;
  kind: 'reply' | 'event';
}

interface Backlog {
  items: Queued[];
  since: number;
}

/** What a peer has not been seen to read: datagrams, their send-buffer charge, and since when. */
interface Unconfirmed {
  count: number;
  bytes: number;
  since: number;
}

export class CtrlServer {
  readonly registry = new CommandRegistry();
  readonly monitors = new MonitorList();
  readonly path: string;
  readonly dir: string;
  private readonly gid: number | undefined;
  private readonly log: Logger;
  private sock: DgramSocket;
  private handling = 0;
  private closed = false;
  private recycles = 0;
  private readonly backlogs = new Map<string, Backlog>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = BACKLOG_FIRST_RETRY_MS;
  /** Requests received before ready(), when held; undefined once ready. */
  private held: Array<{ buf: Buffer; from: string }> | undefined;
  /** sock_diag: whether peers read what we sent (undefined where unavailable: then only the would-block path bounds them). */
  private readonly peerQueues: PeerQueues | undefined;
  /** Datagrams sent to a peer since it was last seen to have read everything. */
  private readonly unconfirmed = new Map<string, Unconfirmed>();
  /** Send-buffer charge of everything sent (a running sum), and its value at the last sock_diag check. */
  private bytesSent = 0;
  private bytesSentAtCheck = 0;
  /** Send-buffer charge sent to each peer since the last check (for peers sock_diag cannot see: who read, who did not). */
  private sentInInterval = new Map<string, number>();
  /** What the peers sock_diag cannot see held at the last check, and those of them shown not to read. */
  private unseenHeld = 0;
  private readonly suspects = new Set<string>();
  /** Our socket's unread-datagram charge and SO_SNDBUF at the last check. */
  private wmem = 0;
  private sndbuf = 0;
  private checkTimer: NodeJS.Timeout | undefined;
  private checking = false;
  private checkDelay = PEER_CHECK_FIRST_MS;

  private constructor(path: string, dir: string, gid: number | undefined, sock: DgramSocket, log: Logger, hold: boolean, peerQueues: PeerQueues | undefined) {
    this.held = hold ? [] : undefined;
    this.peerQueues = peerQueues;
    this.path = path;
    this.dir = dir;
    this.gid = gid;
    this.sock = sock;
    this.log = log;
    try {
      this.sndbuf = sock.getSendBufferSize();
    } catch {
      this.sndbuf = 0;
    }
    registerBaseCommands(this.registry, this.monitors, {
      onMonitor: (what, addr) =>
        what === 'evicted'
          ? this.log.warn(`CTRL_IFACE ${MAX_MONITORS} monitors - ${addr} (most failed sends) detached to make room`)
          : this.log.debug(`CTRL_IFACE monitor ${what} ${addr}`),
    });
    this.listen(sock);
  }

  /** Create the directory and socket; replaces a stale socket, refuses a live one. */
  static async open(opts: CtrlServerOptions): Promise<CtrlServer> {
    const log = opts.logger ?? silentLogger;
    const spec = parseCtrlInterface(opts.ctrlInterface);
    const group = spec.group ?? opts.group;
    const gid = group === undefined ? undefined : resolveGroup(group);
    if (opts.ifname.length === 0 || opts.ifname.includes('/') || opts.ifname === '.' || opts.ifname === '..') {
      throw new CtrlServerError('PATH', `invalid interface name "${opts.ifname}"`);
    }
    const path = join(spec.dir, opts.ifname);
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      throw new CtrlServerError('PATH', `control socket path too long (${Buffer.byteLength(path)} > ${MAX_SOCKET_PATH}): ${path}`);
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
    // Before the bind: from the bind on, a datagram that comes before the 'data' listener is lost.
    const peerQueues = opts.sockDiag === false ? undefined : await PeerQueues.open();
    const sock = createDgramSocket();
    try {
      sock.bind(path);
      enlargeSendBuffer(sock);
    } catch (err) {
      sock.close();
      peerQueues?.close();
      throw new CtrlServerError('BIND', `cannot bind control socket ${path}: ${(err as Error).message}`);
    }
    setSocketPermissions(path, gid);
    log.debug(`ctrl_iface: listening on ${path}`);
    if (peerQueues === undefined) log.debug('ctrl_iface: sock_diag unavailable; slow peers are bounded by the would-block path only');
    return new CtrlServer(path, spec.dir, gid, sock, log, opts.holdUntilReady === true, peerQueues);
  }

  /** Every command is registered: held requests are answered, in order, and new ones at once. */
  ready(): void {
    const held = this.held;
    this.held = undefined;
    for (const r of held ?? []) this.onRequest(r.buf, r.from);
  }

  /** Send an event to every monitor whose level admits it, as "<level>TEXT". */
  emit(level: number, text: string): void {
    if (this.closed || this.monitors.size === 0) return;
    // hostapd sends RX-PROBE-REQUEST only to monitors that asked for it.
    const probe = text.startsWith('RX-PROBE-REQUEST');
    let data: Buffer | undefined;
    for (const m of this.monitors.recipients(level)) {
      if (probe && m.events.get('probe_rx_events') !== true) continue;
      // Formatted once for every monitor, and only when one takes it.
      data ??= Buffer.from(`<${level}>${text}`, 'utf8');
      this.send(m.address, data, 'event');
    }
  }

  /** Datagrams waiting in backlogs for slow peers (the addon itself never holds one). */
  get queuedSends(): number {
    let n = 0;
    for (const b of this.backlogs.values()) n += b.items.length;
    return n;
  }

  /** How often the socket was closed and bound afresh because a send would have blocked. */
  get stallRecoveries(): number {
    return this.recycles;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.peerQueues?.close();
    this.backlogs.clear();
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
    if (this.held !== undefined) {
      if (this.held.length < MAX_HELD_REQUESTS) this.held.push({ buf, from });
      else this.send(from, Buffer.from(REPLY_FAIL), 'reply');
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
      if (this.log.enabled(LogLevel.DEBUG)) this.log.debug(`RX ctrl_iface ${request.name}${request.rawArgs ? ' ' + this.log.key(request.rawArgs) : ''}`);
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
      this.send(from, Buffer.from(refused?.code === 'EMPTY' ? REPLY_UNKNOWN : REPLY_FAIL), 'reply');
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

  private send(dest: string, data: Buffer, kind: 'reply' | 'event'): void {
    if (this.closed || dest === '') return;
    const backlog = this.backlogs.get(dest);
    if (backlog !== undefined) {
      // Keep the order: behind what already waits for this peer.
      if (backlog.items.length < MAX_BACKLOG_PER_PEER) backlog.items.push({ data, kind });
      else this.given(dest, kind, 'backlog full');
      return;
    }
    const tracked = this.isTracked(dest);
    if (tracked && !this.mayAccept(dest, data.length)) {
      this.backlogs.set(dest, { items: [{ data, kind }], since: Date.now() });
      this.scheduleCheck(true);
      return;
    }
    const out = this.sendNow(dest, { data, kind });
    if (out === 'done' && tracked) this.account(dest, data.length);
    if (out === 'would-block') {
      this.backlogs.set(dest, { items: [{ data, kind }], since: Date.now() });
      if (tracked) this.scheduleCheck(true);
      else this.scheduleRetry(true);
    }
  }

  /** Whether one more datagram of `length` may go to `dest` now: its own count and the total budget. */
  private mayAccept(dest: string, length: number): boolean {
    if ((this.unconfirmed.get(dest)?.count ?? 0) >= MAX_UNCONFIRMED_PER_PEER) return false;
    const outstanding = this.wmem + (this.bytesSent - this.bytesSentAtCheck);
    return this.sndbuf <= 0 || outstanding + datagramTruesize(length) <= this.sndbuf * SEND_BUDGET_SHARE;
  }

  private account(dest: string, length: number): void {
    const t = datagramTruesize(length);
    this.bytesSent += t;
    this.sentInInterval.set(dest, (this.sentInInterval.get(dest) ?? 0) + t);
    const u = this.unconfirmed.get(dest);
    if (u === undefined) this.unconfirmed.set(dest, { count: 1, bytes: t, since: Date.now() });
    else {
      u.count++;
      u.bytes += t;
      if (u.count === CHECK_EARLY_AT) this.scheduleCheck(true);
    }
    if (this.unconfirmed.size > MAX_TRACKED_PEERS) this.scheduleCheck(true);
  }

  /** Only peers bound to a path are looked up by name (an abstract name's spelling is the addon's). */
  private isTracked(dest: string): boolean {
    return this.peerQueues !== undefined && dest.startsWith('/');
  }

  private scheduleCheck(fresh: boolean): void {
    if (this.closed || this.checking) return;
    if (fresh && this.checkTimer !== undefined) return;
    if (fresh) this.checkDelay = PEER_CHECK_FIRST_MS;
    if (this.checkTimer !== undefined) clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => {
      this.checkTimer = undefined;
      void this.checkPeers();
    }, this.checkDelay);
  }

  /**
   * Asks the kernel which peers have read everything (confirmedPeers): those
   * get their backlog, up to MAX_UNCONFIRMED_PER_PEER more datagrams and
   * within the total budget; a backlog with no progress for
   * BACKLOG_MAX_AGE_MS is dropped. One dump of the namespace's UNIX sockets
   * per check, at most one check per PEER_CHECK_FIRST_MS, only while some
   * peer waits.
   */
  private async checkPeers(): Promise<void> {
    const pq = this.peerQueues;
    if (this.closed || pq === undefined || this.checking) return;
    this.checking = true;
    let progress = false;
    try {
      const dests = [...new Set([...this.backlogs.keys(), ...this.unconfirmed.keys()])].filter((d) => this.isTracked(d));
      // What was sent before the dump is what it can show read; later sends stay unconfirmed.
      const asked = new Map(dests.map((d) => [d, { ...(this.unconfirmed.get(d) ?? { count: 0, bytes: 0, since: 0 }) }]));
      const sentBefore = this.bytesSent;
      const interval = this.sentInInterval;
      this.sentInInterval = new Map();
      let result: Awaited<ReturnType<PeerQueues['check']>>;
      try {
        result = await pq.check(dests, this.path);
      } catch (err) {
        this.log.debug(`ctrl_iface: sock_diag failed: ${(err as Error).message}`);
        result = { peers: new Map() };
      }
      if (this.closed) return;
      if (result.own !== undefined) {
        this.wmem = result.own.wmem;
        this.sndbuf = result.own.sndbuf;
        this.bytesSentAtCheck = sentBefore;
      }
      for (const dest of this.confirmedPeers(asked, result.peers, result.own?.wmem, interval)) {
        const u = this.unconfirmed.get(dest);
        const a = asked.get(dest);
        if (u === undefined || a === undefined) continue;
        u.count -= a.count;
        u.bytes -= a.bytes;
        if (u.count <= 0) this.unconfirmed.delete(dest);
        else u.since = Date.now();
      }
      if (result.own === undefined) {
        // No figure for our own socket: what is still unconfirmed stands for it.
        let held = 0;
        for (const u of this.unconfirmed.values()) held += u.bytes;
        this.wmem = held;
        this.bytesSentAtCheck = this.bytesSent;
      }
      this.forgetExcessPeers();
      const now = Date.now();
      for (const dest of dests) {
        const b = this.backlogs.get(dest);
        if (b === undefined) continue;
        if (this.monitors.get(dest) === undefined) b.items = b.items.filter((q) => q.kind !== 'event');
        while (b.items.length > 0) {
          const head = b.items[0] as Queued;
          if (!this.mayAccept(dest, head.data.length)) break;
          const out = this.sendNow(dest, head);
          if (out === 'would-block') break;
          b.items.shift();
          b.since = now;
          progress = true;
          if (out === 'gone') b.items = [];
          else this.account(dest, head.data.length);
        }
        if (b.items.length === 0) this.backlogs.delete(dest);
        else if (now - b.since >= BACKLOG_MAX_AGE_MS) {
          this.backlogs.delete(dest);
          for (const q of b.items) this.given(dest, q.kind, `nothing read for ${BACKLOG_MAX_AGE_MS} ms`);
        }
      }
    } finally {
      this.checking = false;
    }
    if (![...this.backlogs.keys()].some((d) => this.isTracked(d))) return;
    this.checkDelay = progress ? PEER_CHECK_FIRST_MS : Math.min(this.checkDelay * 2, PEER_CHECK_MAX_MS);
    this.scheduleCheck(false);
  }

  /**
   * The peers that have read everything `asked` counts. A peer the dump
   * shows is judged by its receive queue. The others (another namespace, or
   * gone) share what our send buffer still holds beyond the charge of the
   * visible peers that have not read. When that grew by all that was sent
   * to them since the last check, those sent to did not read (suspects);
   * when it did not grow, they did; when it fell by what the suspects hold,
   * they may have been slow only. The amount held is laid to suspects
   * first, then to the longest waiting; those it does not reach have read.
   * Without our own socket's figure none of them is.
   */
  private confirmedPeers(
    asked: ReadonlyMap<string, Unconfirmed>,
    states: ReadonlyMap<string, PeerQueueState>,
    wmem: number | undefined,
    interval: ReadonlyMap<string, number>,
  ): string[] {
    const confirmed: string[] = [];
    const unseen: string[] = [];
    let visibleHeld = 0;
    for (const [dest, a] of asked) {
      const st = states.get(dest) ?? 'queued';
      if (st === 'empty') confirmed.push(dest);
      else if (st === 'queued') visibleHeld += a.bytes;
      else if (a.count === 0 || !existsSync(dest)) {
        // Nothing unread, or the peer's socket file is gone (with its queue).
        confirmed.push(dest);
        this.suspects.delete(dest);
      } else unseen.push(dest);
    }
    if (wmem === undefined) return confirmed;
    const held = Math.max(0, wmem - visibleHeld);
    let sentToUnseen = 0;
    for (const d of unseen) sentToUnseen += interval.get(d) ?? 0;
    const grown = held - this.unseenHeld;
    this.unseenHeld = held;
    if (sentToUnseen > 0) {
      for (const d of unseen) {
        if (!interval.has(d)) continue;
        if (grown >= sentToUnseen) this.suspects.add(d);
        else if (grown <= 0) this.suspects.delete(d);
      }
    }
    // A suspect may only have been slow: when at least what all suspects hold was read meanwhile, none stays one.
    let suspectBytes = 0;
    for (const d of unseen) if (this.suspects.has(d)) suspectBytes += asked.get(d)?.bytes ?? 0;
    if (suspectBytes > 0 && -grown >= suspectBytes) for (const d of unseen) this.suspects.delete(d);
    if (this.suspects.size > MAX_TRACKED_PEERS) this.suspects.clear();
    const rank = (d: string): number => (this.suspects.has(d) ? 0 : 1);
    unseen.sort((x, y) => rank(x) - rank(y) || (asked.get(x)?.since ?? 0) - (asked.get(y)?.since ?? 0));
    let left = held;
    for (const dest of unseen) {
      if (left > 0) left -= asked.get(dest)?.bytes ?? 0;
      else confirmed.push(dest);
    }
    return confirmed;
  }

  /** Past MAX_TRACKED_PEERS, the longest-waiting peers without a backlog are forgotten. */
  private forgetExcessPeers(): void {
    if (this.unconfirmed.size <= MAX_TRACKED_PEERS) return;
    const idle = [...this.unconfirmed].filter(([d]) => !this.backlogs.has(d)).sort((x, y) => x[1].since - y[1].since);
    for (const [d] of idle.slice(0, this.unconfirmed.size - MAX_TRACKED_PEERS)) {
      this.unconfirmed.delete(d);
      this.suspects.delete(d);
    }
  }

  /** One datagram on the current socket; a send that would block replaces the socket. */
  private sendNow(dest: string, q: Queued): 'done' | 'gone' | 'would-block' {
    const out = trySendTo(this.sock, q.data, dest);
    if (out.kind === 'sent') {
      if (q.kind === 'event') this.monitors.recordSuccess(dest);
      return 'done';
    }
    if (out.kind === 'failed') {
      const errno = sendErrno(out.error);
      // ENOENT / ECONNREFUSED: the socket is gone; EPERM: it is connected to a socket we replaced.
      const gone = errno === 'ENOENT' || errno === 'ECONNREFUSED' || errno === 'EPERM';
      if (q.kind === 'event') {
        // hostapd drops at once on ENOENT, wpa_supplicant also on EPERM.
        if (this.monitors.recordFailure(dest, gone)) this.log.info(`CTRL_IFACE monitor ${dest} dropped: ${out.error.message}`);
      } else {
        this.log.debug(`CTRL: sendto ${dest} failed: ${out.error.message}`);
      }
      if (gone) {
        // Its queue went with it: nothing of ours is held there any more.
        this.unconfirmed.delete(dest);
        this.suspects.delete(dest);
        return 'gone';
      }
      return 'done';
    }
    this.replaceSocket(dest);
    return 'would-block';
  }

  /** A datagram given up: a failed send for a monitor. */
  private given(dest: string, kind: Queued['kind'], why: string): void {
    if (kind === 'event') {
      if (this.monitors.recordFailure(dest, false)) this.log.info(`CTRL_IFACE monitor ${dest} dropped: not reading (${why})`);
    } else {
      this.log.debug(`CTRL: reply to ${dest} dropped: ${why}`);
    }
  }

  private scheduleRetry(fresh: boolean): void {
    if (this.closed || this.backlogs.size === 0) return;
    if (fresh && this.retryTimer !== undefined) return;
    if (fresh) this.retryDelay = BACKLOG_FIRST_RETRY_MS;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryBacklogs();
    }, this.retryDelay);
  }

  private retryBacklogs(): void {
    if (this.closed) return;
    const now = Date.now();
    let blocked = false;
    let left = 0;
    for (const [dest, b] of [...this.backlogs]) {
      // Backlogs of tracked peers wait for checkPeers instead.
      if (this.isTracked(dest)) continue;
      // Events for a monitor that has been detached meanwhile are not sent.
      if (this.monitors.get(dest) === undefined) b.items = b.items.filter((q) => q.kind !== 'event');
      while (b.items.length > 0) {
        const head = b.items[0] as Queued;
        const out = this.sendNow(dest, head);
        if (out === 'would-block') break;
        // The peer reads again: its backlog gets a new lease of life.
        b.since = now;
        b.items.shift();
        if (out === 'gone') {
          b.items = [];
          if (this.monitors.get(dest) !== undefined) this.monitors.detach(dest);
        }
      }
      if (b.items.length === 0) {
        this.backlogs.delete(dest);
      } else if (now - b.since >= BACKLOG_MAX_AGE_MS) {
        this.backlogs.delete(dest);
        for (const q of b.items) this.given(dest, q.kind, `nothing read for ${BACKLOG_MAX_AGE_MS} ms`);
      } else {
        blocked = true;
        left++;
      }
    }
    if (left === 0) return;
    // Each round that still would block waits twice as long: few socket replacements for one slow peer.
    if (blocked) this.retryDelay = Math.min(this.retryDelay * 2, BACKLOG_MAX_AGE_MS);
    this.scheduleRetry(false);
  }

  private replaceSocket(stuck: string): void {
    let fresh: DgramSocket;
    try {
      fresh = this.bindFresh();
    } catch (err) {
      // The old socket stays: it can still send, only not receive.
      this.log.error(`ctrl_iface: cannot replace the control socket: ${(err as Error).message}`);
      return;
    }
    this.recycles++;
    const old = this.sock;
    this.sock = fresh;
    this.listen(fresh);
    old.removeAllListeners('data');
    // Closing drops the datagram the addon holds; its callback is never called.
    old.close();
    this.log.warn(`CTRL_IFACE sendto ${stuck} would block - control socket reopened`);
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
      enlargeSendBuffer(sock);
      setSocketPermissions(this.path, this.gid);
    } catch (err) {
      sock.close();
      throw err;
    }
    return sock;
  }
}

function enlargeSendBuffer(sock: DgramSocket): void {
  try {
    sock.setSendBufferSize(CTRL_SNDBUF);
  } catch {
    // the default stays: the budget is taken from what the kernel reports
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
  if (!isSocket) throw new CtrlServerError('NOT_SOCKET', `${path} exists and is not a socket`);
  const probe = createDgramSocket();
  try {
    // An empty datagram from an unbound socket: a live daemon cannot answer it.
    const err = await sendTo(probe, Buffer.alloc(0), path);
    if (!err) {
      throw new CtrlServerError('IN_USE', `ctrl_iface exists and seems to be in use - cannot override it; delete ${path} manually if it is not used anymore`);
    }
    if (sendErrno(err) !== 'ECONNREFUSED') throw new CtrlServerError('BIND', `cannot probe ${path}: ${err.message}`);
  } finally {
    probe.close();
  }
  unlinkSync(path);
  log.debug(`Successfully replaced leftover ctrl_iface socket '${path}'`);
}
