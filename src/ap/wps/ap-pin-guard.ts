/**
 * The AP PIN of one BSS and what guards it (hostapd's ap_pin, ap_setup_locked
 * and wps_pwd_auth_fail): the PIN and its `wps_ap_pin` command (ApPin), the
 * brute-force lockout, the timer that ends a lock, and the AP's Enrollee
 * settings that read the lock live. Changes are told once, as they happen.
 *
 * API:
 *   new ApPinGuard({ pin, setupLocked, now, logger, onEvent })
 *     .apPin  .lockout  .locked
 *     .recordFailure() / .recordSuccess()   (hostapd wps_pwd_auth_fail / wps_ap_pin_success)
 *     .enrolleeConfig(settings, wpsState?): EnrolleeApConfig
 *     .close()
 */
import { type Logger, silentLogger } from '../../common/log.js';
import { ApPinLockout } from '../../wps/ap-pin-lockout.js';
import type { Credential } from '../../wps/credential.js';
import type { EnrolleeApConfig } from '../../wps/enrollee.js';
import type { WpsState } from '../../wps/values.js';
import { ApPin } from '../ap-pin.js';

export type ApPinGuardEvent = 'ap-setup-locked' | 'ap-setup-unlocked' | 'ap-pin-disabled';

export interface ApPinGuardOptions {
  pin: string | undefined;
  /** ap_setup_locked: 1 locked for good, 2 Registrars may learn but not configure. */
  setupLocked?: number;
  now: () => number;
  logger?: Logger;
  onEvent: (e: ApPinGuardEvent) => void;
}

export class ApPinGuard {
  readonly lockout: ApPinLockout;
  readonly apPin: ApPin;
  private readonly log: Logger;
  private unlockTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ApPinGuardOptions) {
    this.log = opts.logger ?? silentLogger;
    this.lockout = new ApPinLockout({
      now: opts.now,
      setupLocked: opts.setupLocked === 1,
      onEvent: (ev) => {
        if (ev === 'SETUP-LOCKED') {
          this.armUnlock();
          opts.onEvent('ap-setup-locked');
        } else {
          this.log.debug('WPS: Re-enable AP PIN');
          this.clearUnlock();
          opts.onEvent('ap-setup-unlocked');
        }
      },
    });
    this.apPin = new ApPin({ pin: opts.pin, lockout: this.lockout, emit: () => opts.onEvent('ap-pin-disabled'), logger: this.log });
  }

  get locked(): boolean {
    return this.lockout.isLocked();
  }

  /** A wrong AP PIN counts here when this BSS has an AP PIN; a failure while locked lengthens the lock. */
  recordFailure(): void {
    if (this.apPin.pin === undefined) return;
    const wasLocked = this.lockout.isLocked();
    this.lockout.recordFailure();
    this.log.debug(`WPS: AP PIN authentication failure number ${this.lockout.failures} (${this.lockout.consecutiveFailures} consecutive)`);
    if (wasLocked) this.armUnlock();
  }

  recordSuccess(): void {
    this.lockout.recordSuccess();
  }

  /** The AP's Enrollee settings for one run; the lock is read when M2 / M8 arrive, so one that starts during the run applies. */
  enrolleeConfig(settings: Credential, wpsState?: WpsState): EnrolleeApConfig {
    const lockout = this.lockout;
    const learnOnly = this.opts.setupLocked === 2;
    const ap: EnrolleeApConfig = {
      settings,
      get setupLocked(): boolean | 'learn-only' {
        if (lockout.isLocked()) return true;
        return learnOnly ? 'learn-only' : false;
      },
    };
    if (wpsState !== undefined) ap.wpsState = wpsState;
    return ap;
  }

  close(): void {
    this.clearUnlock();
    this.apPin.close();
  }

  private clearUnlock(): void {
    if (this.unlockTimer) clearTimeout(this.unlockTimer);
    this.unlockTimer = undefined;
  }

  /** One timer, at the lock's end (none for a lock without end). */
  private armUnlock(): void {
    this.clearUnlock();
    const at = this.lockout.unlockAt;
    if (at === undefined) return;
    this.log.debug(`WPS: Disable AP PIN for ${Math.round(this.lockout.currentLockoutMs / 1000)} seconds`);
    this.unlockTimer = setTimeout(() => {
      this.unlockTimer = undefined;
      this.lockout.tick();
    }, Math.max(0, at - this.opts.now()));
    this.unlockTimer.unref();
  }
}
