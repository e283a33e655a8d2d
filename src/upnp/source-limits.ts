/**
 * Per-source accounting shared by the UPnP listeners (HTTP connections, GENA
 * subscriptions, SSDP answers): which entry to evict when a table is full,
 * and a token-bucket rate limit per source address and in total.
 *
 * API:
 *   pickEviction(entries, view)   the entry to drop: from the source holding the
 *                                 most, non-local before local, the least
 *                                 established, then the oldest
 *   isLocalPeer(remote, local, prefixLength)   loopback or on our own subnet
 *   new SourceRateLimiter({ perSecond, burst, totalPerSecond, totalBurst, maxSources, now })
 *     .admit(source): boolean
 *     .refund(source)   gives back one token the source spent (it proved to be legitimate)
 *     .stats { admitted, refused }
 */
import { inSubnet } from './net-address.js';

export interface EvictionView {
  source: string;
  /** Loopback or on our own subnet: kept before remote peers. */
  local: boolean;
  /** Has done what a legitimate peer does (a request answered, a renewal): kept before fresh ones. */
  established: boolean;
  /** When the entry was made (smaller is older). */
  since: number;
}

/**
 * The entry to evict so a newcomer fits: one of the source that holds the
 * most entries (a flood from few addresses only ever evicts itself), a
 * non-local one before a local one, a fresh one before an established one,
 * the oldest first. Linear in the number of entries.
 */
export function pickEviction<T>(entries: Iterable<T>, view: (t: T) => EvictionView): T | undefined {
  const perSource = new Map<string, number>();
  const list: Array<{ t: T; v: EvictionView }> = [];
  for (const t of entries) {
    const v = view(t);
    list.push({ t, v });
    perSource.set(v.source, (perSource.get(v.source) ?? 0) + 1);
  }
  let best: { t: T; v: EvictionView; n: number } | undefined;
  for (const { t, v } of list) {
    const n = perSource.get(v.source) ?? 0;
    if (best === undefined || evictsBefore({ v, n }, best)) best = { t, v, n };
  }
  return best?.t;
}

function evictsBefore(a: { v: EvictionView; n: number }, b: { v: EvictionView; n: number }): boolean {
  if (a.n !== b.n) return a.n > b.n;
  if (a.v.local !== b.v.local) return !a.v.local;
  if (a.v.established !== b.v.established) return !a.v.established;
  return a.v.since < b.v.since;
}

/** Loopback, or the same IPv4 subnet as our own address. */
export function isLocalPeer(remote: string, local: string | undefined, prefixLength = 24): boolean {
  if (remote.startsWith('127.') || remote === '::1') return true;
  return local !== undefined && local !== '' && inSubnet(remote, local, prefixLength);
}

export interface SourceRateLimiterOptions {
  /** Sustained rate per source address. */
  perSecond: number;
  /** Burst per source address. */
  burst: number;
  /** Sustained rate over all sources (what spoofed source addresses cannot get past). */
  totalPerSecond: number;
  totalBurst: number;
  /** Sources tracked; the one idle longest is forgotten for a new one (it starts again with a full burst). */
  maxSources: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets per source and in total; bounded in memory by maxSources. */
export class SourceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly total: Bucket;
  private readonly now: () => number;
  readonly stats = { admitted: 0, refused: 0 };

  constructor(private readonly o: SourceRateLimiterOptions) {
    this.now = o.now ?? Date.now;
    this.total = { tokens: o.totalBurst, at: this.now() };
  }

  admit(source: string): boolean {
    const t = this.now();
    let b = this.buckets.get(source);
    if (b === undefined) {
      if (this.buckets.size >= this.o.maxSources) {
        // Map order is insertion order and refills re-insert: the first key is the one idle longest.
        const idle = this.buckets.keys().next().value;
        if (idle !== undefined) this.buckets.delete(idle);
      }
      b = { tokens: this.o.burst, at: t };
    } else {
      this.buckets.delete(source);
    }
    this.buckets.set(source, b);
    refill(b, t, this.o.perSecond, this.o.burst);
    refill(this.total, t, this.o.totalPerSecond, this.o.totalBurst);
    if (b.tokens < 1 || this.total.tokens < 1) {
      this.stats.refused++;
      return false;
    }
    b.tokens -= 1;
    this.total.tokens -= 1;
    this.stats.admitted++;
    return true;
  }

  /**
   * Gives back one token `source` spent, up to its burst (and the total's):
   * for a request that turned out to be legitimate, so a peer that proves
   * itself is never limited while one that does not keeps the sustained rate.
   * A source no longer tracked is not recreated.
   */
  refund(source: string): void {
    const b = this.buckets.get(source);
    if (b === undefined) return;
    b.tokens = Math.min(this.o.burst, b.tokens + 1);
    this.total.tokens = Math.min(this.o.totalBurst, this.total.tokens + 1);
  }
}

function refill(b: Bucket, t: number, perSecond: number, burst: number): void {
  if (t > b.at) b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
  b.at = t;
}
