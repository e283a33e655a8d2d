/**
 * AP PIN brute-force protection, as hostapd's wps_pwd_auth_fail /
 * hostapd_wps_reenable_ap_pin / wps_ap_pin_success do it:
 * - every failed AP PIN proof counts (total and consecutive);
 * - from the 3rd failure on, each failure (re)locks AP setup
 *   (WPS-AP-SETUP-LOCKED) and restarts the lockout timer;
 * - the lockout starts at 60 s (ap_pin_lockout_time) and doubles whenever the
 *   total failure count reaches a multiple of 3 (capped near one year);
 * - 10 consecutive failures lock it indefinitely (until a new AP PIN is set);
 * - a successful proof only clears the consecutive count;
 * - setting a new AP PIN clears both counts and unlocks (but, like hostapd,
 *   keeps the current lockout time).
 * Pure: `now` is injected; the caller schedules a timer for `unlockAt` and
 * calls `tick()` then (or just asks `isLocked()`, which also notices expiry).
 */

/** Failures before AP setup locks (hostapd: 3). */
import { CtrlEvent, eventText } from '../ctrl/event-names.js';

export const AP_PIN_FAILURES_BEFORE_LOCK = 3;
/** The lockout doubles every this many failures. */
export const AP_PIN_DOUBLING_INTERVAL = 3;
/** Consecutive failures that lock AP setup until a new AP PIN is set. */
export const AP_PIN_MAX_CONSECUTIVE_FAILURES = 10;
/** Default first lockout (hostapd ap_pin_lockout_time default 60 s). */
export const AP_PIN_DEFAULT_LOCKOUT_MS = 60_000;
/** Doubling stops once the lockout reaches a year. */
export const AP_PIN_MAX_LOCKOUT_MS = 365 * 24 * 60 * 60 * 1000;

/** Control-interface event texts, as hostapd sends them (note the trailing space). */
export const WPS_EVENT_AP_SETUP_LOCKED = eventText(CtrlEvent.WpsApSetupLocked);
export const WPS_EVENT_AP_SETUP_UNLOCKED = eventText(CtrlEvent.WpsApSetupUnlocked);

export type ApPinLockoutEvent = 'SETUP-LOCKED' | 'SETUP-UNLOCKED';

export interface ApPinLockoutOptions {
  now: () => number;
  /** ap_pin_lockout_time in ms; 0 or absent means the 60 s default. */
  lockoutTimeMs?: number;
  /** ap_setup_locked=1 in the configuration: locked with no automatic unlock. */
  setupLocked?: boolean;
  /** Receives every state change as it happens. */
  onEvent?: (event: ApPinLockoutEvent) => void;
}

export class ApPinLockout {
  private readonly now: () => number;
  private readonly firstLockoutMs: number;
  private readonly onEvent: (event: ApPinLockoutEvent) => void;
  /** Configured lock (ap_setup_locked=1); cleared by a new AP PIN. */
  private configLocked: boolean;
  private locked: boolean;
  private total = 0;
  private consecutive = 0;
  /** Current lockout length; 0 until the first lockout. */
  private lockoutMs = 0;
  private reenableAt: number | undefined;

  constructor(opts: ApPinLockoutOptions) {
    this.now = opts.now;
    this.firstLockoutMs = opts.lockoutTimeMs && opts.lockoutTimeMs > 0 ? opts.lockoutTimeMs : AP_PIN_DEFAULT_LOCKOUT_MS;
    this.onEvent = opts.onEvent ?? (() => undefined);
    this.configLocked = opts.setupLocked ?? false;
    this.locked = this.configLocked;
  }

  /** Total failures since the AP PIN was last set. */
  get failures(): number {
    return this.total;
  }

  get consecutiveFailures(): number {
    return this.consecutive;
  }

  /** The lockout length that applies now (0 before the first lockout). */
  get currentLockoutMs(): number {
    return this.lockoutMs;
  }

  /** When the current lockout ends, or undefined when unlocked or locked indefinitely. */
  get unlockAt(): number | undefined {
    return this.locked ? this.reenableAt : undefined;
  }

  /** True when locked with no automatic end (configured, or 10 consecutive failures). */
  get lockedIndefinitely(): boolean {
    return this.locked && this.reenableAt === undefined;
  }

  /** AP setup locked? Notices an expired lockout (and reports SETUP-UNLOCKED) first. */
  isLocked(): boolean {
    this.tick();
    return this.locked;
  }

  /**
   * Ends an expired lockout (hostapd_wps_reenable_ap_pin). Returns the events
   * it caused; a lockout that became indefinite in the meantime stays.
   */
  tick(): ApPinLockoutEvent[] {
    if (this.reenableAt === undefined || this.now() < this.reenableAt) return [];
    this.reenableAt = undefined;
    if (this.configLocked || this.consecutive >= AP_PIN_MAX_CONSECUTIVE_FAILURES) return [];
    return this.setUnlocked();
  }

  /** A Registrar failed to prove knowledge of the AP PIN. */
  recordFailure(): ApPinLockoutEvent[] {
    const events = this.tick();
    this.total++;
    this.consecutive++;
    if (this.total < AP_PIN_FAILURES_BEFORE_LOCK) return events;
    // hostapd reports the lock on every failure from the third on, even when already locked.
    this.locked = true;
    events.push('SETUP-LOCKED');
    this.onEvent('SETUP-LOCKED');
    if (this.configLocked) return events;
    if (this.consecutive >= AP_PIN_MAX_CONSECUTIVE_FAILURES) {
      this.reenableAt = undefined;
      return events;
    }
    if (this.lockoutMs === 0) {
      this.lockoutMs = this.firstLockoutMs;
    } else if (this.lockoutMs < AP_PIN_MAX_LOCKOUT_MS && this.total % AP_PIN_DOUBLING_INTERVAL === 0) {
      this.lockoutMs *= 2;
    }
    this.reenableAt = this.now() + this.lockoutMs;
    return events;
  }

  /** A Registrar proved the AP PIN: only the consecutive count starts over. */
  recordSuccess(): void {
    this.consecutive = 0;
  }

  /**
   * A new AP PIN was set (WPS_AP_PIN set/random; hostapd_wps_ap_pin_enable):
   * clear both counts and any lock, including a configured one.
   */
  unlock(): ApPinLockoutEvent[] {
    this.total = 0;
    this.consecutive = 0;
    this.configLocked = false;
    this.reenableAt = undefined;
    return this.locked ? this.setUnlocked() : [];
  }

  private setUnlocked(): ApPinLockoutEvent[] {
    this.locked = false;
    this.onEvent('SETUP-UNLOCKED');
    return ['SETUP-UNLOCKED'];
  }
}
