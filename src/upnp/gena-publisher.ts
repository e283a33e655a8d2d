/**
 * GENA event publisher for one evented service (UDA 1.0 section 4): accepts
 * SUBSCRIBE / renewal / UNSUBSCRIBE, sends the initial event and later
 * NOTIFYs with SEQ, and drops subscribers that expire or stop answering.
 *
 * API:
 *   new GenaPublisher(opts: GenaPublisherOptions)
 *     .mount(http, eventSubPath)    adds SUBSCRIBE and UNSUBSCRIBE routes to an UpnpHttpServer
 *     .publish(props)               queues one NOTIFY (a property set) to every subscriber
 *     .subscriberCount / .subscribers()   current subscriptions (sid, callbacks, expiry)
 *     .close()                      stops timers, forgets subscribers (no more NOTIFYs)
 *   nextEventSeq(seq)               SEQ successor with the UDA wrap
 *   GENA_* named limits
 *
 * Rules enforced:
 *   - new subscription: CALLBACK (one or several <url>, tried in order) and
 *     NT: upnp:event required, else 412; SID together with CALLBACK/NT -> 400;
 *     renewal: SID only, unknown SID -> 412; UNSUBSCRIBE unknown SID -> 412;
 *   - each callback host must be the subscriber's own source address
 *     (callbackPolicy 'same-subnet' widens that to the subscriber's IPv4
 *     prefix); URLs failing the check are dropped, none left -> 412;
 *   - at most maxSubscribersPerSource from one address: a new one from that
 *     address replaces its own oldest; at most maxSubscribers in all: a new
 *     one replaces one of the address holding the most, remote before local,
 *     fresh before established (renewed or delivered to), oldest first. So a
 *     flood evicts only itself, and an ER arriving after it still subscribes
 *     (hostapd: 4 in all, the oldest replaced, whoever holds it);
 *   - initial event (SEQ 0) with initialState() right after the SUBSCRIBE
 *     response; SEQ then counts up and wraps from 2^32-1 to 1 (UDA 1.0 4.2.1);
 *   - per subscriber at most maxQueuedEvents waiting (oldest dropped), one
 *     NOTIFY in flight, or GENA_NOTIFIES_IN_FLIGHT handed to the HTTP client
 *     at once for one kept connection to a receiver that keeps it (sent one
 *     after another, each as soon as the one before is answered); a delivery fails when no
 *     callback URL answers 2xx;
 *     after maxFailures consecutive failures the subscriber is dropped;
 *   - subscriptions expire after their granted TIMEOUT.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { Logger, silentLogger } from '../common/log.js';
import { GenaError, buildPropertySet, parseCallbackHeader, parseSidHeader, parseTimeoutHeader } from './gena-headers.js';
import { HTTP_CLIENT_ORDERED_PIPELINE, httpRequest } from './http-client.js';
import { sendBody, sendEmpty, type UpnpHttpServer } from './http-server.js';
import { inSubnet, normalizeAddress } from './net-address.js';
import { isLocalPeer, pickEviction } from './source-limits.js';

/**
 * Subscriptions in all. hostapd keeps 4 and replaces the oldest, whoever holds
 * it; ours are bounded per source as well, so more can be kept without one
 * host filling them.
 */
export const GENA_MAX_SUBSCRIBERS = 32;
/**
 * Subscriptions per source address; a new one replaces that address's oldest.
 * hostapd has no per-source bound. An ER holds one per AP; 4 leaves room for
 * a restarted ER whose old subscription has not expired yet.
 */
export const GENA_MAX_SUBSCRIBERS_PER_SOURCE = 4;
/** hostapd: 20 queued events per subscriber. */
export const GENA_MAX_QUEUED_EVENTS = 64;
/** Consecutive delivery failures before a subscriber is dropped (hostapd: 10). */
export const GENA_MAX_FAILURES = 10;
export const GENA_DEFAULT_TIMEOUT_SEC = 1800;
export const GENA_MIN_TIMEOUT_SEC = 60;
export const GENA_MAX_TIMEOUT_SEC = 86_400;
/** Each NOTIFY attempt to one callback URL must complete within this time. */
export const GENA_NOTIFY_TIMEOUT_MS = 5_000;
/** How often expired subscriptions are swept. */
export const GENA_SWEEP_INTERVAL_MS = 1_000;
/**
 * NOTIFYs in flight to one subscriber whose receiver keeps its connection
 * open, queued in the HTTP client for that one connection so they arrive in
 * SEQ order (HTTP_CLIENT_ORDERED_PIPELINE). hostapd sends one at a time; so
 * does this publisher to a receiver that closes after each answer (as
 * wpa_supplicant's ER does), and to a subscriber with several callback URLs
 * (a failed URL is retried on the next, which could overtake).
 */
export const GENA_NOTIFIES_IN_FLIGHT = HTTP_CLIENT_ORDERED_PIPELINE;
const SEQ_MAX = 0xffffffff;

/** The SEQ after `seq`: counts up and wraps from 2^32-1 to 1, never back to 0 (UDA 1.0 4.2.1). */
export function nextEventSeq(seq: number): number {
  return seq >= SEQ_MAX ? 1 : seq + 1;
}

export type CallbackPolicy = 'same-host' | 'same-subnet';

export interface GenaPublisherOptions {
  /** The service's evented variables now; sent in the initial event. */
  initialState: () => Record<string, string>;
  maxSubscribers?: number;
  maxSubscribersPerSource?: number;
  maxQueuedEvents?: number;
  maxFailures?: number;
  defaultTimeoutSec?: number;
  minTimeoutSec?: number;
  maxTimeoutSec?: number;
  notifyTimeoutMs?: number;
  callbackPolicy?: CallbackPolicy;
  /** Prefix length for 'same-subnet' (IPv4); default 24. */
  subnetPrefixLength?: number;
  serverHeader?: string;
  /** Told when a subscription ends (unsubscribed, expired, or dropped after failures); not on close(). */
  onDropped?: (s: { sid: string; remoteAddress: string }) => void;
  logger?: Logger;
  now?: () => number;
}

export interface SubscriberInfo {
  sid: string;
  callbacks: string[];
  remoteAddress: string;
  expiresAt: number;
  nextSeq: number;
  queued: number;
  failures: number;
}

interface Subscriber {
  sid: string;
  callbacks: URL[];
  remoteAddress: string;
  /** Loopback or on our subnet (kept before remote subscribers when the table is full). */
  local: boolean;
  /** Renewed, or a NOTIFY after the initial one delivered (kept before fresh subscribers). */
  established: boolean;
  since: number;
  expiresAt: number;
  nextSeq: number;
  queue: Array<{ body: string; seq: number }>;
  /** NOTIFYs sent and not yet answered. */
  inFlight: number;
  /** The receiver's last answer left the connection open: the next NOTIFYs may be pipelined. */
  keepsAlive: boolean;
  failures: number;
  dropped: boolean;
}

export class GenaPublisher {
  private readonly subs = new Map<string, Subscriber>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly o: Required<Omit<GenaPublisherOptions, 'logger' | 'now' | 'serverHeader' | 'initialState' | 'onDropped'>>;
  private readonly initialState: () => Record<string, string>;
  private readonly serverHeader: string | undefined;
  private readonly onDropped: GenaPublisherOptions['onDropped'];
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(opts: GenaPublisherOptions) {
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.initialState = opts.initialState;
    this.serverHeader = opts.serverHeader;
    this.onDropped = opts.onDropped;
    this.o = {
      maxSubscribers: opts.maxSubscribers ?? GENA_MAX_SUBSCRIBERS,
      maxSubscribersPerSource: opts.maxSubscribersPerSource ?? GENA_MAX_SUBSCRIBERS_PER_SOURCE,
      maxQueuedEvents: opts.maxQueuedEvents ?? GENA_MAX_QUEUED_EVENTS,
      maxFailures: opts.maxFailures ?? GENA_MAX_FAILURES,
      defaultTimeoutSec: opts.defaultTimeoutSec ?? GENA_DEFAULT_TIMEOUT_SEC,
      minTimeoutSec: opts.minTimeoutSec ?? GENA_MIN_TIMEOUT_SEC,
      maxTimeoutSec: opts.maxTimeoutSec ?? GENA_MAX_TIMEOUT_SEC,
      notifyTimeoutMs: opts.notifyTimeoutMs ?? GENA_NOTIFY_TIMEOUT_MS,
      callbackPolicy: opts.callbackPolicy ?? 'same-host',
      subnetPrefixLength: opts.subnetPrefixLength ?? 24,
    };
    this.sweepTimer = setInterval(() => this.sweep(), GENA_SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  mount(http: UpnpHttpServer, path: string): void {
    http.route('SUBSCRIBE', path, (req, res) => this.onSubscribe(req, res));
    http.route('UNSUBSCRIBE', path, (req, res) => this.onUnsubscribe(req, res));
  }

  get subscriberCount(): number {
    this.sweep();
    return this.subs.size;
  }

  subscribers(): SubscriberInfo[] {
    this.sweep();
    return [...this.subs.values()].map((s) => ({
      sid: s.sid,
      callbacks: s.callbacks.map((u) => u.href),
      remoteAddress: s.remoteAddress,
      expiresAt: s.expiresAt,
      nextSeq: s.nextSeq,
      queued: s.queue.length,
      failures: s.failures,
    }));
  }

  /** Queues a property set for every subscriber. Throws GenaError if props cannot be encoded. */
  publish(props: Record<string, string>): void {
    if (this.closed) return;
    const body = buildPropertySet(props);
    this.sweep();
    for (const s of this.subs.values()) this.enqueue(s, body);
  }

  close(): void {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const s of this.subs.values()) s.dropped = true;
    this.subs.clear();
  }

  private sweep(): void {
    const t = this.now();
    for (const [sid, s] of this.subs) {
      if (s.expiresAt <= t) {
        this.log.debug(`gena: subscription ${sid} expired`);
        this.drop(s);
      }
    }
  }

  private drop(s: Subscriber): void {
    s.dropped = true;
    s.queue.length = 0;
    if (!this.subs.delete(s.sid)) return;
    try {
      this.onDropped?.({ sid: s.sid, remoteAddress: s.remoteAddress });
    } catch (e) {
      this.log.warn(`gena: subscription-end listener failed: ${(e as Error).message}`);
    }
  }

  /** A complete answer; `headers` (flat name, value list) come before Connection and SERVER. */
  private reply(res: Response, status: number, text?: string, headers: readonly string[] = []): void {
    const head = [...headers, 'Connection', 'close'];
    if (this.serverHeader !== undefined) head.push('SERVER', this.serverHeader);
    if (text === undefined) sendEmpty(res, status, head);
    else sendBody(res, status, 'text/plain; charset=utf-8', text + '\n', head);
  }

  private callbackAllowed(u: URL, remote: string): boolean {
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    if (net.isIP(host) === 0) return false; // names would need resolving: refused
    if (host === remote) return true;
    return this.o.callbackPolicy === 'same-subnet' && inSubnet(host, remote, this.o.subnetPrefixLength);
  }

  private onSubscribe(req: Request, res: Response): void {
    if (this.closed) return this.reply(res, 503, 'service stopped');
    const remote = normalizeAddress(req.socket.remoteAddress);
    const sidHeader = req.headers['sid'] as string | undefined;
    const callback = req.headers['callback'] as string | undefined;
    const nt = req.headers['nt'] as string | undefined;
    let timeoutSec: number;
    try {
      timeoutSec = parseTimeoutHeader(req.headers['timeout'] as string | undefined, this.o.minTimeoutSec, this.o.maxTimeoutSec, this.o.defaultTimeoutSec);
    } catch (e) {
      return this.reply(res, 400, (e as Error).message);
    }
    this.sweep();
    if (sidHeader !== undefined) {
      // Renewal (UDA 1.0 4.1.2): SID only.
      if (callback !== undefined || nt !== undefined) return this.reply(res, 400, 'SID with CALLBACK or NT');
      let sid: string;
      try {
        sid = parseSidHeader(sidHeader);
      } catch (e) {
        return this.reply(res, 412, (e as GenaError).message);
      }
      const s = this.subs.get(sid);
      if (s === undefined) return this.reply(res, 412, 'unknown SID');
      s.expiresAt = this.now() + timeoutSec * 1000;
      s.established = true;
      this.log.debug(`gena: renewed ${sid} from ${remote} for ${timeoutSec} s`);
      this.acceptHeaders(res, sid, timeoutSec);
      return;
    }
    if (nt === undefined || nt.trim() !== 'upnp:event') return this.reply(res, 412, 'NT must be upnp:event');
    let urls: URL[];
    try {
      urls = parseCallbackHeader(callback);
    } catch (e) {
      return this.reply(res, 412, (e as GenaError).message);
    }
    const allowed = urls.filter((u) => this.callbackAllowed(u, remote));
    if (allowed.length === 0) {
      this.log.info(`gena: refused subscription from ${remote}: callback not on the subscriber's address`);
      return this.reply(res, 412, 'callback host must be the subscriber address');
    }
    if (!this.makeRoom(remote)) {
      this.log.info(`gena: refused subscription from ${remote}: ${this.subs.size} subscribers`);
      return this.reply(res, 503, 'too many subscribers');
    }
    const sid = `uuid:${randomUUID()}`;
    const s: Subscriber = {
      sid,
      callbacks: allowed,
      remoteAddress: remote,
      local: isLocalPeer(remote, normalizeAddress(req.socket.localAddress), this.o.subnetPrefixLength),
      established: false,
      since: this.now(),
      expiresAt: this.now() + timeoutSec * 1000,
      nextSeq: 0,
      queue: [],
      inFlight: 0,
      keepsAlive: false,
      failures: 0,
      dropped: false,
    };
    this.subs.set(sid, s);
    this.log.debug(`gena: new subscription ${sid} from ${remote} -> ${allowed.map((u) => u.href).join(' ')}`);
    let initial: string | undefined;
    try {
      initial = buildPropertySet(this.initialState());
    } catch (e) {
      this.log.warn(`gena: cannot build initial event: ${(e as Error).message}`);
    }
    // The initial event must follow the SUBSCRIBE response (UDA 1.0 4.2.1).
    res.on('finish', () => {
      if (initial !== undefined && !s.dropped) this.enqueue(s, initial);
    });
    this.acceptHeaders(res, sid, timeoutSec);
  }

  /**
   * Frees a slot for a new subscription from `remote`: its own oldest when it
   * holds its share, else, when the table is full, the one pickEviction
   * chooses. False only when nothing may go (a limit of 0).
   */
  private makeRoom(remote: string): boolean {
    const own = [...this.subs.values()].filter((s) => s.remoteAddress === remote);
    if (own.length >= this.o.maxSubscribersPerSource) {
      const oldest = own.reduce((a, b) => (b.since < a.since ? b : a));
      this.log.info(`gena: ${remote} holds ${own.length} subscriptions; dropping its oldest ${oldest.sid}`);
      this.drop(oldest);
    }
    if (this.subs.size < this.o.maxSubscribers) return true;
    const victim = pickEviction(this.subs.values(), (s) => ({ source: s.remoteAddress, local: s.local, established: s.established, since: s.since }));
    if (victim === undefined) return false;
    this.log.info(`gena: ${this.subs.size} subscriptions; dropping ${victim.sid} of ${victim.remoteAddress} for ${remote}`);
    this.drop(victim);
    return this.subs.size < this.o.maxSubscribers;
  }

  private acceptHeaders(res: Response, sid: string, timeoutSec: number): void {
    this.reply(res, 200, undefined, ['DATE', new Date(this.now()).toUTCString(), 'SID', sid, 'TIMEOUT', `Second-${timeoutSec}`]);
  }

  private onUnsubscribe(req: Request, res: Response): void {
    const sidHeader = req.headers['sid'] as string | undefined;
    if (req.headers['callback'] !== undefined || req.headers['nt'] !== undefined) return this.reply(res, 400, 'SID with CALLBACK or NT');
    let sid: string;
    try {
      sid = parseSidHeader(sidHeader);
    } catch (e) {
      return this.reply(res, 412, (e as GenaError).message);
    }
    this.sweep();
    const s = this.subs.get(sid);
    if (s === undefined) return this.reply(res, 412, 'unknown SID');
    this.drop(s);
    this.log.debug(`gena: unsubscribed ${sid}`);
    this.reply(res, 200);
  }

  private enqueue(s: Subscriber, body: string): void {
    if (s.queue.length >= this.o.maxQueuedEvents) {
      s.queue.shift();
      this.log.debug(`gena: ${s.sid}: event queue full, oldest event dropped`);
    }
    // SEQ is taken when queued, so an event dropped from a full queue leaves a gap the subscriber sees.
    const seq = s.nextSeq;
    s.nextSeq = nextEventSeq(seq);
    s.queue.push({ body, seq });
    this.pump(s);
  }

  /**
   * Sends queued events, SEQ order, as many at once as the receiver allows
   * (GENA_NOTIFIES_IN_FLIGHT on a kept connection, else one). Answers come
   * back in the order sent: they share one connection.
   */
  private pump(s: Subscriber): void {
    while (!s.dropped && s.queue.length > 0) {
      const window = s.keepsAlive && s.callbacks.length === 1 ? GENA_NOTIFIES_IN_FLIGHT : 1;
      if (s.inFlight >= window) return;
      const { body, seq } = s.queue.shift() as { body: string; seq: number };
      s.inFlight++;
      void this.deliver(s, body, seq).then((ok) => {
        s.inFlight--;
        if (ok) {
          s.failures = 0;
          if (seq > 0) s.established = true;
        } else if (!s.dropped && ++s.failures >= this.o.maxFailures) {
          this.log.info(`gena: dropping ${s.sid} after ${s.failures} failed deliveries`);
          this.drop(s);
        }
        this.pump(s);
      });
    }
  }

  private async deliver(s: Subscriber, body: string, seq: number): Promise<boolean> {
    for (const u of s.callbacks) {
      if (s.dropped) return false;
      try {
        const res = await httpRequest(u.href, {
          method: 'NOTIFY',
          headers: {
            host: u.host,
            'content-type': 'text/xml; charset="utf-8"',
            nt: 'upnp:event',
            nts: 'upnp:propchange',
            sid: s.sid,
            seq: String(seq),
          },
          body,
          timeoutMs: this.o.notifyTimeoutMs,
          maxResponseBytes: 4096,
          requireIpLiteral: true,
          // One subscriber's events on one connection, in SEQ order.
          ordered: s.callbacks.length === 1,
        });
        s.keepsAlive = !/\bclose\b/i.test(res.headers['connection'] ?? '');
        if (res.status >= 200 && res.status < 300) return true;
        this.log.debug(`gena: ${s.sid}: NOTIFY to ${u.href} answered ${res.status}`);
      } catch (e) {
        this.log.debug(`gena: ${s.sid}: NOTIFY to ${u.href} failed: ${(e as Error).message}`);
      }
    }
    return false;
  }
}
