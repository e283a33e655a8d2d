/**
 * Push-button sessions (WSC 2.0 section 11.3): the Registrar remembers which
 * Enrollees asked for PBC (Probe Requests and M1 with Device Password ID
 * PushButton) during the monitor time, and refuses PBC when more than one
 * Enrollee UUID was seen: "session overlap". Follows hostapd's
 * wps_registrar_add_pbc_session / wps_registrar_pbc_overlap: sessions are
 * keyed by (MAC address, UUID-E), so the same device probing again refreshes
 * its session and is never an overlap with itself.
 * Pure: the clock is injected.
 */
import { MAC_LEN, UUID_LEN } from './device.js';
import { WpsdError } from '../common/errors.js';

/** PBC mode lasts this long after the button is pressed (WPS_PBC_WALK_TIME). */
export const PBC_WALK_TIME_MS = 120_000;
/** Sessions older than this no longer count (the monitor time equals the walk time). */
export const PBC_MONITOR_TIME_MS = 120_000;
/**
 * After a PBC run completes, Probe Requests from the Enrollee that just
 * finished are not recorded for this long, so its lingering probes do not
 * look like a new PBC session (hostapd WPS_WORKAROUNDS, 5 s).
 */
export const PBC_IGNORE_AFTER_SUCCESS_MS = 5_000;
/** Session table bound; a flood of spoofed Probe Requests evicts the oldest. */
export const MAX_PBC_SESSIONS = 256;

export interface PbcSession {
  macAddress: Buffer;
  uuidE: Buffer;
  /** `now()` when last seen. */
  timestamp: number;
}

export interface PbcSessionsOptions {
  now: () => number;
  walkTimeMs?: number;
  monitorTimeMs?: number;
  maxSessions?: number;
}

export class PbcError extends WpsdError<'BAD_MAC' | 'BAD_UUID'> {}

function checkIds(mac: Uint8Array | undefined, uuid: Uint8Array | undefined): void {
  if (mac !== undefined && mac.length !== MAC_LEN) throw new PbcError('BAD_MAC', `MAC address must be ${MAC_LEN} bytes`);
  if (uuid !== undefined && uuid.length !== UUID_LEN) throw new PbcError('BAD_UUID', `UUID-E must be ${UUID_LEN} bytes`);
}

export type ProbeResult = {
  /** The session was recorded (false inside the post-success ignore window). */
  recorded: boolean;
  /** More than one Enrollee in PBC mode within the monitor time. */
  overlap: boolean;
};

export class PbcSessions {
  private readonly now: () => number;
  readonly walkTimeMs: number;
  readonly monitorTimeMs: number;
  readonly maxSessions: number;
  /** Newest first. */
  private list: PbcSession[] = [];
  private ignoreUuid: Buffer | undefined;
  private ignoreStart = 0;
  private activeUntil: number | undefined;
  private forced = false;

  constructor(opts: PbcSessionsOptions) {
    this.now = opts.now;
    this.walkTimeMs = opts.walkTimeMs ?? PBC_WALK_TIME_MS;
    this.monitorTimeMs = opts.monitorTimeMs ?? PBC_MONITOR_TIME_MS;
    this.maxSessions = opts.maxSessions ?? MAX_PBC_SESSIONS;
  }

  /** hostapd's os_reltime_expired: older than the monitor time, strictly. */
  private expired(s: PbcSession, now: number): boolean {
    return now - s.timestamp > this.monitorTimeMs;
  }

  private prune(now: number): void {
    this.list = this.list.filter((s) => !this.expired(s, now)).slice(0, this.maxSessions);
  }

  /**
   * Records (or refreshes) the PBC session of one Enrollee, as on a PBC Probe
   * Request or a PBC M1. Expired sessions are dropped.
   */
  addSession(macAddress: Uint8Array, uuidE: Uint8Array): void {
    checkIds(macAddress, uuidE);
    const now = this.now();
    this.list = this.list.filter((s) => !(s.macAddress.equals(macAddress) && s.uuidE.equals(uuidE)));
    this.list.unshift({ macAddress: Buffer.from(macAddress), uuidE: Buffer.from(uuidE), timestamp: now });
    this.prune(now);
  }

  /**
   * Overlap check. Overlap means at least two different UUIDs among the
   * sessions within the monitor time (plus `uuidE` when given).
   *
   * With `uuidE` (a PBC Probe Request or M1 being processed, which counts even
   * if not yet in the table) a detected overlap also sets `overlapForced`, and
   * a forced overlap answers true from then on, until the button is pressed
   * again: hostapd's force_pbc_overlap, which keeps denying PBC (also the
   * second Enrollee's M1, and M3/M5/M7 of a run already under way).
   * Without `uuidE` (the button being pressed) only the table decides.
   * `macAddress` is accepted for parity with hostapd and not used: overlap
   * is about distinct devices, i.e. UUIDs.
   */
  isOverlap(_macAddress?: Uint8Array, uuidE?: Uint8Array): boolean {
    checkIds(_macAddress, uuidE);
    if (uuidE === undefined) return this.tableOverlap(undefined);
    if (this.forced) return true;
    if (this.tableOverlap(uuidE)) this.forced = true;
    return this.forced;
  }

  /** An overlap was seen for a Probe Request or M1 since the button was last pressed. */
  get overlapForced(): boolean {
    return this.forced;
  }

  private tableOverlap(uuidE: Uint8Array | undefined): boolean {
    const now = this.now();
    const seen = new Set<string>();
    if (uuidE !== undefined) seen.add(Buffer.from(uuidE).toString('hex'));
    for (const s of this.list) {
      if (this.expired(s, now)) continue;
      seen.add(s.uuidE.toString('hex'));
      if (seen.size > 1) return true;
    }
    return false;
  }

  /**
   * A Probe Request with Device Password ID PushButton from `macAddress`
   * (hostapd wps_registrar_probe_req_rx): record the session unless this is
   * the Enrollee that completed PBC less than 5 s ago, then check overlap.
   */
  probeRequest(macAddress: Uint8Array, uuidE: Uint8Array): ProbeResult {
    checkIds(macAddress, uuidE);
    let recorded = true;
    if (this.ignoreUuid !== undefined && this.ignoreUuid.equals(uuidE)) {
      const age = this.now() - this.ignoreStart;
      if (age >= 0 && age < PBC_IGNORE_AFTER_SUCCESS_MS) recorded = false;
      else this.ignoreUuid = undefined;
    }
    if (recorded) this.addSession(macAddress, uuidE);
    return { recorded, overlap: this.isOverlap(macAddress, uuidE) };
  }

  /** Forgets every session of this UUID-E (after it completed provisioning). */
  removeSession(uuidE: Uint8Array): void {
    checkIds(undefined, uuidE);
    this.list = this.list.filter((s) => !s.uuidE.equals(uuidE));
  }

  /**
   * The button was pressed (WPS_PBC): PBC mode starts for the walk time
   * unless two Enrollees are already in PBC mode. Returns false on overlap
   * (hostapd: "PBC overlap - do not start PBC mode", WPS-OVERLAP-DETECTED);
   * otherwise a forced overlap from an earlier run is cleared.
   */
  buttonPushed(): boolean {
    if (this.isOverlap()) return false;
    this.forced = false;
    this.activeUntil = this.now() + this.walkTimeMs;
    return true;
  }

  /** True while PBC mode is on: pressed and the walk time not yet over. */
  get active(): boolean {
    return this.activeUntil !== undefined && this.now() < this.activeUntil;
  }

  /** When PBC mode ends (ms on the injected clock), or undefined when off. */
  get expiresAt(): number | undefined {
    return this.active ? this.activeUntil : undefined;
  }

  /** Ends PBC mode (timeout, WPS_CANCEL). */
  stop(): void {
    this.activeUntil = undefined;
  }

  /**
   * A PBC registration of `uuidE` succeeded: drop its sessions, end PBC mode,
   * and ignore its own Probe Requests for PBC_IGNORE_AFTER_SUCCESS_MS.
   */
  completed(uuidE: Uint8Array): void {
    this.removeSession(uuidE);
    this.stop();
    this.ignoreUuid = Buffer.from(uuidE);
    this.ignoreStart = this.now();
  }

  /** Sessions within the monitor time, newest first (copies). */
  sessions(): PbcSession[] {
    const now = this.now();
    return this.list
      .filter((s) => !this.expired(s, now))
      .map((s) => ({ macAddress: Buffer.from(s.macAddress), uuidE: Buffer.from(s.uuidE), timestamp: s.timestamp }));
  }

  clear(): void {
    this.list = [];
    this.ignoreUuid = undefined;
    this.activeUntil = undefined;
    this.forced = false;
  }
}
