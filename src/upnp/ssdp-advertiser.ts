/**
 * SSDP for a root device (UDA 1.0 section 1): NOTIFY ssdp:alive at start and
 * again before max-age runs out, ssdp:byebye on a clean stop, and answers to
 * M-SEARCH after a random delay within MX.
 *
 * Written on node:dgram rather than node-ssdp 4, which cannot meet these
 * requirements: it skips internal interfaces (so it cannot run on loopback,
 * our default), binds 0.0.0.0 unless explicitSocketBind (which then misses
 * multicast), answers M-SEARCH immediately instead of within MX, always sends
 * max-age=1800 in NOTIFY whatever its ttl, and rethrows addMembership errors
 * from a socket event handler (a crash).
 *
 * API:
 *   new SsdpAdvertiser(opts: SsdpAdvertiserOptions)
 *     .start(): Promise<void>     opens sockets, announces alive
 *     .stop(): Promise<void>      byebye for every target, closes sockets
 *     .announce(): Promise<void>  alive for every target now (also on a timer)
 *     .notificationTargets(): Array<{ nt, usn }>   root device, uuid, device type, each service type
 *     .matchSearchTarget(st): Array<{ nt, usn }>    what an M-SEARCH for st is answered with
 *   responseDelayMs(mx, random)   the M-SEARCH answer delay, MX clamped to 120 s
 *   SSDP_* named constants
 */
import { sleep } from '../common/sleep.js';
import { Logger, silentLogger } from '../common/log.js';
import type { InterfaceAddress } from './net-address.js';
import { SsdpMessageError, buildSsdpMessage, parseSsdpMessage } from './ssdp-message.js';
import { openGuardedSsdpSockets, type SsdpSockets } from './ssdp-socket.js';
import { SourceRateLimiter, isLocalPeer, pickEviction } from './source-limits.js';
import { splitTypeVersion } from './urn-type.js';

export const SSDP_DEFAULT_MAX_AGE_SEC = 1800;
/** UDA 1.0 1.2.3: MX above 120 is treated as 120 (hostapd does the same). */
export const SSDP_MAX_MX_SEC = 120;
/**
 * Answers waiting for their MX delay, in all (hostapd: 20, later ones
 * dropped). Here a new search from a source with room replaces a pending
 * answer of the source holding the most, so MX=120 searches from one host
 * cannot keep everyone else unanswered for two minutes.
 */
export const SSDP_MAX_PENDING_RESPONSES = 20;
/**
 * Answers pending for one source; its further searches are dropped until one
 * is sent (hostapd: no per-source bound). A control point may search for
 * several types at once (ssdp:all, root device, device, service) and repeat.
 */
export const SSDP_MAX_PENDING_PER_SOURCE = 6;
/**
 * M-SEARCHes answered per second from one source, and the burst allowed.
 * hostapd answers every one (one M-SEARCH of ssdp:all draws 4 answers, a
 * ~13x amplification towards a spoofed source). A control point sends a few
 * searches at start and on refresh; 2/s with a burst of 8 covers that.
 */
export const SSDP_SEARCHES_PER_SOURCE_PER_SEC = 2;
export const SSDP_SEARCH_BURST_PER_SOURCE = 8;
/** M-SEARCHes answered per second over all sources (spoofed sources do not multiply it); hostapd: unbounded. */
export const SSDP_SEARCHES_TOTAL_PER_SEC = 20;
export const SSDP_SEARCH_BURST_TOTAL = 40;
/** Sources whose rate is tracked; the one idle longest is forgotten for a new one. */
export const SSDP_RATE_TRACKED_SOURCES = 1024;
/** UDP is lossy: every announcement is sent this many times (UDA 1.0 1.2.2 recommends more than once). */
export const SSDP_ANNOUNCE_REPEAT = 2;
export const SSDP_ANNOUNCE_REPEAT_GAP_MS = 100;

/** Delay before answering an M-SEARCH: uniform in [0, min(MX, 120) s) (UDA 1.0 1.2.3). */
export function responseDelayMs(mx: number, random: number): number {
  const clamped = Math.min(Math.max(Math.trunc(mx), 0), SSDP_MAX_MX_SEC);
  const r = Math.min(Math.max(random, 0), 0.999999);
  return Math.floor(r * clamped * 1000);
}

export interface SsdpAdvertiserOptions {
  /** Description URL sent in LOCATION. */
  location: string;
  /** "uuid:..." of the root device. */
  udn: string;
  deviceType: string;
  serviceTypes: string[];
  /** e.g. "Linux/6.1 UPnP/1.0 wpsd/0.1" */
  server: string;
  interfaceName?: string;
  iface?: InterfaceAddress;
  maxAgeSec?: number;
  ttl?: number;
  port?: number;
  group?: string;
  logger?: Logger;
  /** In [0, 1); for the M-SEARCH delay. */
  random?: () => number;
  now?: () => number;
}

interface PendingAnswer {
  timer: NodeJS.Timeout;
  source: string;
  since: number;
}

export interface NotificationTarget {
  nt: string;
  usn: string;
}

export class SsdpAdvertiser {
  private sockets: SsdpSockets | undefined;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly maxAge: number;
  private readonly pending = new Set<PendingAnswer>();
  private readonly rate: SourceRateLimiter;
  private readonly now: () => number;
  private announceTimer: NodeJS.Timeout | undefined;
  /** Counts of M-SEARCH requests seen, answered and ignored (rate-limited and pending-dropped among them). */
  readonly stats = { searches: 0, responses: 0, ignored: 0, rateLimited: 0, pendingDropped: 0 };

  constructor(private readonly opts: SsdpAdvertiserOptions) {
    this.log = opts.logger ?? silentLogger;
    this.random = opts.random ?? Math.random;
    this.maxAge = opts.maxAgeSec ?? SSDP_DEFAULT_MAX_AGE_SEC;
    this.now = opts.now ?? Date.now;
    this.rate = new SourceRateLimiter({
      perSecond: SSDP_SEARCHES_PER_SOURCE_PER_SEC,
      burst: SSDP_SEARCH_BURST_PER_SOURCE,
      totalPerSecond: SSDP_SEARCHES_TOTAL_PER_SEC,
      totalBurst: SSDP_SEARCH_BURST_TOTAL,
      maxSources: SSDP_RATE_TRACKED_SOURCES,
      now: this.now,
    });
    if (!/^uuid:\S+$/.test(opts.udn)) throw new Error(`SsdpAdvertiser: udn "${opts.udn}" is not uuid:...`);
  }

  /** UDA 1.0 1.1.2: 3 + k messages for a root device without embedded devices. */
  notificationTargets(): NotificationTarget[] {
    const { udn, deviceType, serviceTypes } = this.opts;
    return [
      { nt: 'upnp:rootdevice', usn: `${udn}::upnp:rootdevice` },
      { nt: udn, usn: udn },
      { nt: deviceType, usn: `${udn}::${deviceType}` },
      ...serviceTypes.map((st) => ({ nt: st, usn: `${udn}::${st}` })),
    ];
  }

  async start(): Promise<void> {
    if (this.sockets) return;
    this.sockets = await openGuardedSsdpSockets(this.opts, (msg, from) => this.onMessage(msg, from), this.log);
    this.log.debug(`ssdp: advertising ${this.opts.udn} on ${this.sockets.iface.name} (${this.sockets.iface.address})`);
    await this.announce();
    // Re-announce well before max-age runs out (UDA 1.0 1.1.2: less than half of it).
    const interval = Math.max(1000, (this.maxAge * 1000) / 3);
    this.announceTimer = setInterval(() => void this.announce().catch(() => undefined), interval);
    this.announceTimer.unref();
  }

  private notify(nts: 'ssdp:alive' | 'ssdp:byebye', t: NotificationTarget, s: SsdpSockets): Buffer {
    const headers: Array<[string, string]> = [['HOST', `${s.group}:${s.port}`]];
    if (nts === 'ssdp:alive') {
      headers.push(['CACHE-CONTROL', `max-age=${this.maxAge}`], ['LOCATION', this.opts.location]);
    }
    headers.push(['NT', t.nt], ['NTS', nts]);
    if (nts === 'ssdp:alive') headers.push(['SERVER', this.opts.server]);
    headers.push(['USN', t.usn]);
    return buildSsdpMessage('NOTIFY * HTTP/1.1', headers);
  }

  private async sendAll(nts: 'ssdp:alive' | 'ssdp:byebye'): Promise<void> {
    const s = this.sockets;
    if (!s) return;
    for (let i = 0; i < SSDP_ANNOUNCE_REPEAT; i++) {
      if (i > 0) await sleep(SSDP_ANNOUNCE_REPEAT_GAP_MS);
      for (const t of this.notificationTargets()) {
        try {
          await s.sendMulticast(this.notify(nts, t, s));
        } catch (e) {
          this.log.debug(`ssdp: sending ${nts} failed: ${(e as Error).message}`);
        }
      }
    }
  }

  async announce(): Promise<void> {
    await this.sendAll('ssdp:alive');
  }

  async stop(): Promise<void> {
    const s = this.sockets;
    if (!s) return;
    if (this.announceTimer) clearInterval(this.announceTimer);
    this.announceTimer = undefined;
    for (const p of this.pending) clearTimeout(p.timer);
    this.pending.clear();
    await this.sendAll('ssdp:byebye');
    this.sockets = undefined;
    await s.close();
  }

  /** Targets answering search target `st` (UDA 1.0 1.2.3), with the ST to echo. */
  matchSearchTarget(st: string): NotificationTarget[] {
    const targets = this.notificationTargets();
    if (st === 'ssdp:all') return targets;
    if (st === 'upnp:rootdevice' || st === this.opts.udn) return targets.filter((t) => t.nt === st);
    const want = splitTypeVersion(st);
    if (want === undefined) return [];
    // A search for an older version of our type is answered with the version asked for.
    return targets
      .filter((t) => {
        const have = splitTypeVersion(t.nt);
        return have !== undefined && have.base === want.base && have.version >= want.version;
      })
      .map(() => ({ nt: st, usn: `${this.opts.udn}::${st}` }));
  }

  private onMessage(buf: Buffer, from: { address: string; port: number }): void {
    let msg;
    try {
      msg = parseSsdpMessage(buf);
    } catch (e) {
      if (e instanceof SsdpMessageError) {
        this.stats.ignored++;
        this.log.excessive(`ssdp: ignoring datagram from ${from.address}: ${e.message}`);
        return;
      }
      throw e;
    }
    if (msg.kind !== 'm-search') return;
    this.stats.searches++;
    const h = msg.headers;
    const man = h.get('man');
    const mxText = h.get('mx');
    const st = h.get('st');
    if (h.get('host') === undefined || man !== '"ssdp:discover"' || st === undefined || mxText === undefined || !/^\d{1,9}$/.test(mxText)) {
      this.stats.ignored++;
      this.log.debug(`ssdp: ignoring malformed M-SEARCH from ${from.address}`);
      return;
    }
    const targets = this.matchSearchTarget(st);
    if (targets.length === 0) return;
    if (!this.rate.admit(from.address)) {
      this.stats.ignored++;
      this.stats.rateLimited++;
      this.log.excessive(`ssdp: M-SEARCH from ${from.address} over the rate limit; not answered`);
      return;
    }
    if (!this.makeRoom(from.address)) {
      this.stats.ignored++;
      this.stats.pendingDropped++;
      this.log.debug(`ssdp: ${SSDP_MAX_PENDING_PER_SOURCE} answers already pending for ${from.address}; dropping this search`);
      return;
    }
    const delay = responseDelayMs(Number(mxText), this.random());
    const p: PendingAnswer = {
      source: from.address,
      since: this.now(),
      timer: setTimeout(() => {
        this.pending.delete(p);
        void this.respond(targets, from);
      }, delay),
    };
    p.timer.unref();
    this.pending.add(p);
  }

  /** Room for one more pending answer to `source`: false when it has its share; a full table gives up the answer pickEviction picks. */
  private makeRoom(source: string): boolean {
    let own = 0;
    for (const p of this.pending) if (p.source === source) own++;
    if (own >= SSDP_MAX_PENDING_PER_SOURCE) return false;
    if (this.pending.size < SSDP_MAX_PENDING_RESPONSES) return true;
    const local = this.sockets?.iface.address;
    const victim = pickEviction(this.pending, (p) => ({ source: p.source, local: isLocalPeer(p.source, local, this.sockets?.iface.prefixLength), established: false, since: p.since }));
    if (victim === undefined) return false;
    clearTimeout(victim.timer);
    this.pending.delete(victim);
    this.stats.pendingDropped++;
    this.log.debug(`ssdp: pending answers full; dropping one for ${victim.source} to answer ${source}`);
    return true;
  }

  private async respond(targets: NotificationTarget[], to: { address: string; port: number }): Promise<void> {
    const s = this.sockets;
    if (!s) return;
    for (const t of targets) {
      const buf = buildSsdpMessage('HTTP/1.1 200 OK', [
        ['CACHE-CONTROL', `max-age=${this.maxAge}`],
        ['DATE', new Date().toUTCString()],
        ['EXT', ''],
        ['LOCATION', this.opts.location],
        ['SERVER', this.opts.server],
        ['ST', t.nt],
        ['USN', t.usn],
      ]);
      try {
        await s.send(buf, to.address, to.port);
        this.stats.responses++;
      } catch (e) {
        this.log.debug(`ssdp: answer to ${to.address}:${to.port} failed: ${(e as Error).message}`);
      }
    }
  }
}
