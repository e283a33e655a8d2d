/**
 * The AP PIN of one BSS and the `wps_ap_pin` control command, as hostapd's
 * hostapd_ctrl_iface_wps_ap_pin / hostapd_wps_ap_pin_* do it:
 *   wps_ap_pin disable               -> OK (no AP PIN: external Registrars refused)
 *   wps_ap_pin random [timeout]      -> the new 8-digit PIN (no newline)
 *   wps_ap_pin get                   -> the PIN, or FAIL when there is none
 *   wps_ap_pin set <PIN> [timeout]   -> the PIN
 * A new PIN clears the lockout counters and unlocks (WPS-AP-SETUP-UNLOCKED);
 * when its timeout (default 300 s, 0 = none) runs out the PIN is disabled
 * and WPS-AP-PIN-DISABLED is sent.
 *
 * API:
 *   new ApPin({ pin?, lockout, emit, logger?, rng?, setTimer? })
 *     .pin / .disable() / .set(pin, timeoutSec) / .random(timeoutSec) / .command(args) / .close()
 *   AP_PIN_DEFAULT_TIMEOUT_SEC, AP_PIN_MAX_TIMEOUT_SEC
 */
import { randomBytes } from 'node:crypto';
import { Logger, silentLogger } from '../common/log.js';
import type { ApPinLockout } from '../wps/ap-pin-lockout.js';
import type { Rng } from '../wps/crypto.js';
import { generatePin } from '../wps/pin.js';
import { REPLY_FAIL, REPLY_OK } from '../ctrl/registry.js';
import { WPS_EVENT_AP_PIN_DISABLED } from './events.js';

/** hostapd_ctrl_iface_wps_ap_pin's default timeout. */
export const AP_PIN_DEFAULT_TIMEOUT_SEC = 300;
/** Longer timeouts are refused (node timers; a day is plenty for a temporary PIN). */
export const AP_PIN_MAX_TIMEOUT_SEC = 86_400;
/** An AP PIN is 4..8 digits (the config's ap_pin rule). */
const AP_PIN_RE = /^[0-9]{4,8}$/;

export interface ApPinOptions {
  pin?: string | undefined;
  lockout: ApPinLockout;
  /** Sends a control event line. */
  emit: (line: string) => void;
  logger?: Logger;
  rng?: Rng;
}

function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return AP_PIN_DEFAULT_TIMEOUT_SEC;
  if (!/^[0-9]{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= AP_PIN_MAX_TIMEOUT_SEC ? n : undefined;
}

export class ApPin {
  private current: string | undefined;
  private lastTimeout = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  private readonly rng: Rng;

  constructor(private readonly opts: ApPinOptions) {
    this.current = opts.pin;
    this.log = opts.logger ?? silentLogger;
    this.rng = opts.rng ?? randomBytes;
  }

  get pin(): string | undefined {
    return this.current;
  }

  /** The timeout of the last set / random (seconds, 0 = none), for copying the PIN to sibling BSSes. */
  get timeoutSec(): number {
    return this.lastTimeout;
  }

  disable(): void {
    this.log.debug('WPS: Disabling AP PIN');
    this.current = undefined;
    this.clearTimer();
  }

  /** Sets the PIN (hostapd_wps_ap_pin_set + _enable); false for a PIN that is not 4..8 digits. */
  set(pin: string, timeoutSec: number): boolean {
    if (!AP_PIN_RE.test(pin)) return false;
    this.current = pin;
    this.lastTimeout = timeoutSec;
    this.log.debug(`WPS: Enabling AP PIN (timeout=${timeoutSec})`);
    this.opts.lockout.unlock();
    this.clearTimer();
    if (timeoutSec > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.log.debug('WPS: AP PIN timed out');
        this.disable();
        this.opts.emit(WPS_EVENT_AP_PIN_DISABLED);
      }, timeoutSec * 1000);
      this.timer.unref();
    }
    return true;
  }

  random(timeoutSec: number): string {
    const pin = generatePin(this.rng);
    this.set(pin, timeoutSec);
    return pin;
  }

  /** The wps_ap_pin control command (arguments already split). */
  command(args: readonly string[]): string {
    const [sub, a1, a2] = args;
    switch (sub) {
      case 'disable':
        if (args.length !== 1) return REPLY_FAIL;
        this.disable();
        return REPLY_OK;
      case 'random': {
        if (args.length > 2) return REPLY_FAIL;
        const t = parseTimeout(a1);
        if (t === undefined) return REPLY_FAIL;
        return this.random(t);
      }
      case 'get':
        if (args.length !== 1) return REPLY_FAIL;
        return this.current ?? REPLY_FAIL;
      case 'set': {
        if (a1 === undefined || args.length > 3) return REPLY_FAIL;
        const t = parseTimeout(a2);
        if (t === undefined || !this.set(a1, t)) return REPLY_FAIL;
        return a1;
      }
      default:
        return REPLY_FAIL;
    }
  }

  close(): void {
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
