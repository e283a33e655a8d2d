/**
 * The device passwords a Registrar holds for Enrollees (hostapd's
 * wps_registrar_add_pin / wps_registrar_get_pin), for the AP's internal
 * Registrar and for the External Registrar alike: a PIN for one UUID-E or
 * for any Enrollee ("any", a wildcard), optionally bound to the Enrollee's
 * MAC address (which becomes an Authorized MAC), optionally expiring.
 * An Enrollee's own PIN wins over a wildcard one; a wildcard PIN is claimed
 * by the first UUID-E that uses it. Pure: the clock is injected.
 *
 * API:
 *   new PinTable(now, { maxPins?, whenFull?, timeoutMs?, replaceSameUuid? })
 *     .add(uuid | undefined, pin, mac | undefined, timeoutMs?): boolean   false when full and refusing
 *     .lookup(uuid) / .claim(uuid): PinEntry | undefined
 *     .remove(entry) / .removeFor(uuid) / .removeUuid(uuid) / .expire() / .clear()
 *     .authorizedMacs(): Buffer[]   .nextExpiry   .size   .version
 */
import { MAX_AUTHORIZED_MACS } from './vendor-ext.js';

/** What a PIN without a MAC authorizes in Authorized MACs (wps_registrar_add_pin with addr NULL). */
const BROADCAST = Buffer.alloc(6, 0xff);
/** PINs held at once unless the owner says otherwise (hostapd has no limit; a bound keeps memory fixed). */
export const DEFAULT_MAX_PINS = 64;

/** wpas_wps_er_add_pin gives every PIN 300 s. */
export const ER_PIN_TIMEOUT_MS = 300_000;
/** PINs the External Registrar holds at once. */
export const MAX_ER_PINS = 64;
/** The External Registrar's table: a PIN per UUID (the newest replaces), each for 300 s, new ones refused when full. */
export const ER_PIN_TABLE: PinTableOptions = { maxPins: MAX_ER_PINS, whenFull: 'refuse', timeoutMs: ER_PIN_TIMEOUT_MS, replaceSameUuid: true };

export interface PinEntry {
  /** undefined = any Enrollee (until claimed). */
  uuid: Buffer | undefined;
  pin: string;
  macAddress: Buffer | undefined;
  /** undefined = no expiry. */
  expiresAt: number | undefined;
}

export interface PinTableOptions {
  maxPins?: number;
  /** Full table: refuse the new PIN, or drop the oldest one. */
  whenFull?: 'refuse' | 'drop-oldest';
  /** Lifetime of every PIN unless add() names one; undefined = none. */
  timeoutMs?: number;
  /** A new PIN for the same UUID (or a new wildcard) replaces the old one. */
  replaceSameUuid?: boolean;
}

export class PinTable {
  private pins: PinEntry[] = [];
  private changes = 0;
  private readonly max: number;

  constructor(
    private readonly now: () => number,
    private readonly opts: PinTableOptions = {},
  ) {
    this.max = Math.max(1, opts.maxPins ?? DEFAULT_MAX_PINS);
  }

  get size(): number {
    return this.pins.length;
  }

  /** Counts every change of the set of PINs (a Registrar's selection is due again after one). */
  get version(): number {
    return this.changes;
  }

  add(uuid: Uint8Array | undefined, pin: string, macAddress: Uint8Array | undefined, timeoutMs?: number): boolean {
    if (this.opts.replaceSameUuid === true) this.pins = this.pins.filter((p) => !sameUuid(p.uuid, uuid));
    this.changes++;
    if (this.pins.length >= this.max) {
      if (this.opts.whenFull !== 'drop-oldest') return false;
      this.pins.shift();
    }
    const life = timeoutMs ?? this.opts.timeoutMs;
    this.pins.push({
      uuid: uuid && Buffer.from(uuid),
      pin,
      macAddress: macAddress && Buffer.from(macAddress),
      expiresAt: life !== undefined && life > 0 ? this.now() + life : undefined,
    });
    return true;
  }

  /** The PIN for this Enrollee: its own first (the newest), else a wildcard one. */
  lookup(uuid: Uint8Array): PinEntry | undefined {
    const t = this.now();
    const live = this.pins.filter((p) => p.expiresAt === undefined || p.expiresAt > t);
    return findLast(live, (p) => p.uuid?.equals(uuid) === true) ?? live.find((p) => p.uuid === undefined);
  }

  /** lookup(), and a wildcard PIN found is assigned to this UUID-E from now on (hostapd wps_registrar_get_pin). */
  claim(uuid: Uint8Array): PinEntry | undefined {
    const p = this.lookup(uuid);
    if (p !== undefined && p.uuid === undefined) p.uuid = Buffer.from(uuid);
    return p;
  }

  remove(p: PinEntry): void {
    const before = this.pins.length;
    this.pins = this.pins.filter((x) => x !== p);
    if (this.pins.length !== before) this.changes++;
  }

  /** Drops the PIN that served (or would serve) this Enrollee. */
  removeFor(uuid: Uint8Array): boolean {
    const p = this.lookup(uuid);
    if (p === undefined) return false;
    this.remove(p);
    return true;
  }

  /** Drops the PINs assigned to exactly this UUID-E (used or invalidated; wildcards stay). */
  removeUuid(uuid: Uint8Array): boolean {
    const before = this.pins.length;
    this.pins = this.pins.filter((p) => p.uuid?.equals(uuid) !== true);
    if (this.pins.length === before) return false;
    this.changes++;
    return true;
  }

  /** Removes expired PINs; true when any went. */
  expire(): boolean {
    const t = this.now();
    const before = this.pins.length;
    this.pins = this.pins.filter((p) => p.expiresAt === undefined || p.expiresAt > t);
    if (this.pins.length === before) return false;
    this.changes++;
    return true;
  }

  /** When the next PIN expires, or undefined. */
  get nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const p of this.pins) if (p.expiresAt !== undefined && (next === undefined || p.expiresAt < next)) next = p.expiresAt;
    return next;
  }

  /**
   * Authorized MACs of the PINs held, as wps_registrar_add_authorized_mac
   * builds them: newest first, a PIN without a MAC authorizes broadcast, no
   * repeats, at most MAX_AUTHORIZED_MACS.
   */
  authorizedMacs(): Buffer[] {
    const out: Buffer[] = [];
    for (let i = this.pins.length - 1; i >= 0 && out.length < MAX_AUTHORIZED_MACS; i--) {
      const m = this.pins[i]?.macAddress ?? BROADCAST;
      if (!out.some((x) => x.equals(m))) out.push(Buffer.from(m));
    }
    return out;
  }

  clear(): void {
    if (this.pins.length > 0) this.changes++;
    this.pins = [];
  }
}

function sameUuid(a: Buffer | undefined, b: Uint8Array | undefined): boolean {
  return a === undefined ? b === undefined : b !== undefined && a.equals(b);
}

function findLast<T>(list: readonly T[], f: (x: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (f(list[i] as T)) return list[i];
  return undefined;
}
