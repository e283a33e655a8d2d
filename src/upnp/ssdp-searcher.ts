/**
 * SSDP control point side (UDA 1.0 sections 1.1-1.2): sends M-SEARCH on one
 * interface, collects the answers and the NOTIFY alive/byebye traffic of that
 * interface, and keeps a table of advertisements that expire after their
 * max-age. Shares port 1900 with other SSDP software (SO_REUSEADDR).
 *
 * Written on node:dgram rather than node-ssdp 4 for the reasons given in
 * ssdp-advertiser.ts (no loopback, no single-interface binding).
 *
 * API:
 *   new SsdpSearcher(opts?: SsdpSearcherOptions)
 *     .start(): Promise<void>
 *     .search(st, mx?): Promise<void>          one M-SEARCH (MX default 3, clamped 1..5)
 *     .advertisements(): SsdpAdvertisement[]   current, unexpired entries
 *     .on('alive', (ad) => ...)   new USN, or a known one whose LOCATION changed
 *     .on('byebye', (ad) => ...)  NOTIFY ssdp:byebye for a known USN
 *     .on('expired', (ad) => ...) max-age ran out without renewal
 *     .stop(): Promise<void>
 *   SsdpAdvertisement { usn, nt, location, maxAgeSec, expiresAt, server, address, via }
 */
import { EventEmitter } from 'node:events';
import { Logger, silentLogger } from '../common/log.js';
import type { InterfaceAddress } from './net-address.js';
import { SsdpMessageError, buildSsdpMessage, parseMaxAge, parseSsdpMessage } from './ssdp-message.js';
import { openGuardedSsdpSockets, type SsdpSockets } from './ssdp-socket.js';
import { pickEviction } from './source-limits.js';

/**
 * Advertisements tracked at once (wpa_supplicant's ER keeps no SSDP table,
 * only its APs). When full, a new USN from a source with room replaces one
 * of the source holding the most, so 600 junk USNs from one host cannot keep
 * a real AP out.
 */
export const SSDP_MAX_TRACKED = 512;
/**
 * Advertisements tracked per source address; a new USN from a source at its
 * share replaces that source's least recently refreshed one. A UPnP device
 * sends 3 + services USNs per device; 32 covers a host with several.
 */
export const SSDP_MAX_TRACKED_PER_SOURCE = 32;
/** UDA 1.1 caps MX at 5 for control points; we never ask for more. */
export const SSDP_SEARCH_MAX_MX_SEC = 5;
export const SSDP_SEARCH_DEFAULT_MX_SEC = 3;
/** Advertisements without a usable CACHE-CONTROL are kept this long. */
export const SSDP_DEFAULT_TRACK_SEC = 1800;
/** Longest max-age honoured (one day), so a bogus value cannot pin an entry. */
export const SSDP_MAX_TRACK_SEC = 86_400;
/** LOCATION longer than this is refused. */
export const SSDP_MAX_LOCATION_LENGTH = 512;

export interface SsdpAdvertisement {
  usn: string;
  /** NT of a NOTIFY or ST of a response. */
  nt: string;
  location: string;
  maxAgeSec: number;
  expiresAt: number;
  server: string;
  address: string;
  via: 'notify' | 'response';
  /** When the USN was first seen (for eviction order). */
  since: number;
}

export interface SsdpSearcherOptions {
  interfaceName?: string;
  iface?: InterfaceAddress;
  port?: number;
  group?: string;
  ttl?: number;
  logger?: Logger;
  now?: () => number;
}

export interface SsdpSearcherEvents {
  alive: [SsdpAdvertisement];
  byebye: [SsdpAdvertisement];
  expired: [SsdpAdvertisement];
}

export class SsdpSearcher extends EventEmitter<SsdpSearcherEvents> {
  private sockets: SsdpSockets | undefined;
  private readonly table = new Map<string, SsdpAdvertisement>();
  private readonly log: Logger;
  private readonly now: () => number;
  /** Armed for the earliest expiry in the table (none while it is empty). */
  private expiryTimer: NodeJS.Timeout | undefined;
  /** When expiryTimer fires (now() clock). */
  private expiryAt = Infinity;
  readonly stats = { ignored: 0 };

  constructor(private readonly opts: SsdpSearcherOptions = {}) {
    super();
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.sockets) return;
    this.sockets = await openGuardedSsdpSockets(this.opts, (msg, from, via) => this.onMessage(msg, from, via), this.log);
  }

  async stop(): Promise<void> {
    this.disarmExpiry();
    const s = this.sockets;
    this.sockets = undefined;
    this.table.clear();
    if (s) await s.close();
  }

  async search(st: string, mx: number = SSDP_SEARCH_DEFAULT_MX_SEC): Promise<void> {
    const s = this.sockets;
    if (!s) throw new Error('SsdpSearcher: start() first');
    const clamped = Math.min(Math.max(Math.trunc(mx), 1), SSDP_SEARCH_MAX_MX_SEC);
    await s.sendMulticast(
      buildSsdpMessage('M-SEARCH * HTTP/1.1', [
        ['HOST', `${s.group}:${s.port}`],
        ['MAN', '"ssdp:discover"'],
        ['MX', String(clamped)],
        ['ST', st],
      ]),
    );
  }

  advertisements(): SsdpAdvertisement[] {
    this.expire();
    return [...this.table.values()].map((a) => ({ ...a }));
  }

  private expire(): void {
    const t = this.now();
    for (const [usn, ad] of this.table) {
      if (ad.expiresAt <= t) {
        this.table.delete(usn);
        this.emit('expired', { ...ad });
      }
    }
  }

  /**
   * The expiry timer fires at the earliest expiresAt of the table, not on a
   * period: an entry's expiry only moves later when it is refreshed, so a
   * new entry can only bring the time forward (armExpiry), and a timer that
   * finds its entry refreshed re-arms for the next earliest (one scan of the
   * bounded table per firing).
   */
  private armExpiry(at: number): void {
    if (at >= this.expiryAt) return;
    this.disarmExpiry();
    this.expiryAt = at;
    // setTimeout's longest delay is 2^31 - 1 ms; SSDP_MAX_TRACK_SEC is far below it.
    this.expiryTimer = setTimeout(() => this.onExpiryTimer(), Math.max(0, at - this.now()));
    this.expiryTimer.unref();
  }

  private disarmExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryAt = Infinity;
  }

  private onExpiryTimer(): void {
    this.expiryTimer = undefined;
    this.expiryAt = Infinity;
    try {
      this.expire();
    } catch (e) {
      this.log.warn(`ssdp: expiry listener failed: ${(e as Error).message}`);
    }
    let next = Infinity;
    for (const ad of this.table.values()) if (ad.expiresAt < next) next = ad.expiresAt;
    if (next !== Infinity) this.armExpiry(next);
  }

  private onMessage(buf: Buffer, from: { address: string; port: number }, via: 'multicast' | 'unicast'): void {
    let msg;
    try {
      msg = parseSsdpMessage(buf);
    } catch (e) {
      if (e instanceof SsdpMessageError) {
        this.stats.ignored++;
        return;
      }
      throw e;
    }
    if (msg.kind === 'm-search') return;
    const h = msg.headers;
    const usn = h.get('usn');
    if (usn === undefined || usn === '') return this.ignore(from, 'no USN');
    if (msg.kind === 'notify') {
      const nts = h.get('nts');
      const nt = h.get('nt');
      if (nt === undefined) return this.ignore(from, 'NOTIFY without NT');
      if (nts === 'ssdp:byebye') {
        const known = this.table.get(usn);
        // Only the host that advertised a USN may withdraw it (a spoofed byebye would drop an AP).
        if (known && known.address === from.address) {
          this.table.delete(usn);
          this.emit('byebye', { ...known });
        }
        return;
      }
      if (nts !== 'ssdp:alive') return this.ignore(from, `NTS ${nts ?? '(none)'}`);
      this.track(usn, nt, h, from.address, 'notify');
      return;
    }
    if (msg.status !== 200 || via !== 'unicast') return this.ignore(from, 'not a 200 answer to our search');
    const st = h.get('st');
    if (st === undefined) return this.ignore(from, 'response without ST');
    this.track(usn, st, h, from.address, 'response');
  }

  /**
   * Room for a new USN from `address`: its own least recently refreshed one
   * goes when it holds its share; a full table gives up one of the source
   * holding the most. Evicted entries go silently: they are not gone from
   * the network, only from our memory, and come back with their next
   * announcement.
   */
  private makeRoom(address: string): boolean {
    let own: SsdpAdvertisement | undefined;
    let count = 0;
    for (const ad of this.table.values()) {
      if (ad.address !== address) continue;
      own ??= ad;
      count++;
    }
    if (own !== undefined && count >= SSDP_MAX_TRACKED_PER_SOURCE) {
      this.table.delete(own.usn);
      return true;
    }
    if (this.table.size < SSDP_MAX_TRACKED) return true;
    const victim = pickEviction(this.table.values(), (ad) => ({ source: ad.address, local: true, established: ad.via === 'response', since: ad.since }));
    if (victim === undefined) return false;
    this.table.delete(victim.usn);
    return true;
  }

  private ignore(from: { address: string }, why: string): void {
    this.stats.ignored++;
    this.log.excessive(`ssdp: ignoring message from ${from.address}: ${why}`);
  }

  private track(usn: string, nt: string, h: Map<string, string>, address: string, via: 'notify' | 'response'): void {
    const location = h.get('location');
    if (location === undefined || location.length > SSDP_MAX_LOCATION_LENGTH || !/^http:\/\/\S+$/i.test(location)) {
      return this.ignore({ address }, 'missing or invalid LOCATION');
    }
    const maxAge = Math.min(parseMaxAge(h.get('cache-control')) ?? SSDP_DEFAULT_TRACK_SEC, SSDP_MAX_TRACK_SEC);
    const known = this.table.get(usn);
    if (!known && !this.makeRoom(address)) return this.ignore({ address }, 'table full');
    const ad: SsdpAdvertisement = {
      usn,
      nt,
      location,
      maxAgeSec: maxAge,
      expiresAt: this.now() + maxAge * 1000,
      server: h.get('server') ?? '',
      address,
      via,
      since: known?.since ?? this.now(),
    };
    // Re-inserted, so the table's order is least recently refreshed first.
    this.table.delete(usn);
    this.table.set(usn, ad);
    this.armExpiry(ad.expiresAt);
    if (!known || known.location !== location) this.emit('alive', { ...ad });
  }
}
