/**
 * A small stock of precomputed DH group 5 key pairs, so a registration run
 * does not generate its pair on the critical path (one g^x mod p with a
 * 256-bit exponent, ~0.13 ms of the ~0.7 ms of a run's crypto on the bench
 * machine: bench/README.md). Each pair is handed out once and never reused;
 * the stock is refilled one pair per deferred task, after the run that
 * took a pair has had its turn.
 *
 * No I/O here: the owner (a daemon) passes `defer` (setImmediate) to run
 * the refills off the current event.
 *
 * API:
 *   new DhKeyPool({ defer, size?, rng? })
 *     .take(): DhKeyPair      a stocked pair, or a fresh one when the stock is empty
 *     .fill()                 starts stocking up to `size` (e.g. when the daemon starts)
 *     .available              pairs in stock
 *     .close()                drops the stock; take() then generates on demand
 */
import { generateDhKeyPair, systemRng, type DhKeyPair, type Rng } from './crypto.js';

/**
 * Pairs kept in stock. hostapd has no pool (it generates per run); a
 * learn or an enrollment takes one pair per side, and 4 cover a burst of
 * four runs starting before the next refill while costing nothing
 * measurable at rest (4 x 192-byte keys).
 */
export const DH_KEY_POOL_SIZE = 4;
/** Most pairs a pool keeps: ~2 KiB each (the key and OpenSSL's DH object), 128 KiB in all. */
export const MAX_DH_KEY_POOL_SIZE = 64;

/**
 * The stock for a process serving `interfaces` interfaces from one pool
 * (`wpsd ap a.conf b.conf ...`): DH_KEY_POOL_SIZE for each, up to
 * MAX_DH_KEY_POOL_SIZE. An ER that learns a fleet starts a run on every
 * interface at once; with the stock of one AP, all but four of them would
 * generate their pair on the path.
 */
export function dhKeyPoolSizeFor(interfaces: number): number {
  return Math.min(MAX_DH_KEY_POOL_SIZE, DH_KEY_POOL_SIZE * Math.max(1, Math.floor(interfaces)));
}

export interface DhKeyPoolOptions {
  /** Runs a refill step later, off the caller's event (setImmediate). */
  defer: (task: () => void) => void;
  size?: number;
  rng?: Rng;
}

export class DhKeyPool {
  private readonly stock: DhKeyPair[] = [];
  private readonly size: number;
  private readonly rng: Rng;
  private refilling = false;
  private closed = false;

  constructor(private readonly opts: DhKeyPoolOptions) {
    const size = opts.size ?? DH_KEY_POOL_SIZE;
    if (!Number.isInteger(size) || size < 0 || size > MAX_DH_KEY_POOL_SIZE) throw new RangeError(`DH key pool size must be 0..${MAX_DH_KEY_POOL_SIZE}`);
    this.size = size;
    this.rng = opts.rng ?? systemRng;
  }

  get available(): number {
    return this.stock.length;
  }

  /** A pair nobody else gets; generated now when the stock is empty. */
  take(): DhKeyPair {
    const pair = this.stock.shift() ?? generateDhKeyPair(this.rng);
    this.fill();
    return pair;
  }

  fill(): void {
    if (this.refilling || this.closed || this.stock.length >= this.size) return;
    this.refilling = true;
    this.opts.defer(() => this.refillOne());
  }

  close(): void {
    this.closed = true;
    this.stock.length = 0;
  }

  private refillOne(): void {
    this.refilling = false;
    if (this.closed || this.stock.length >= this.size) return;
    this.stock.push(generateDhKeyPair(this.rng));
    this.fill();
  }
}
