import { describe, expect, it } from 'vitest';
import {
  AP_PIN_MAX_LOCKOUT_MS,
  ApPinLockout,
  WPS_EVENT_AP_SETUP_LOCKED,
  WPS_EVENT_AP_SETUP_UNLOCKED,
  type ApPinLockoutEvent,
} from './ap-pin-lockout.js';

const SEC = 1000;
const DAY = 24 * 60 * 60 * SEC;

function setup(opts: { lockoutTimeMs?: number; setupLocked?: boolean } = {}) {
  let t = 5_000_000;
  const events: ApPinLockoutEvent[] = [];
  const l = new ApPinLockout({ now: () => t, onEvent: (e) => events.push(e), ...opts });
  return { l, events, advance: (ms: number) => (t += ms), now: () => t };
}

/** Records one failure and returns the lockout it caused (ms from now), or 'none' / 'forever'. */
function fail(l: ApPinLockout, now: number): number | 'none' | 'forever' {
  l.recordFailure();
  if (!l.isLocked()) return 'none';
  const at = l.unlockAt;
  return at === undefined ? 'forever' : at - now;
}

describe('AP PIN lockout', () => {
  it('locks for 60 s after the third failure and then unlocks', () => {
    const { l, events, advance, now } = setup();
    expect(fail(l, now())).toBe('none');
    expect(fail(l, now())).toBe('none');
    expect(events).toEqual([]);
    expect(fail(l, now())).toBe(60 * SEC);
    expect(events).toEqual(['SETUP-LOCKED']);
    advance(60 * SEC - 1);
    expect(l.isLocked()).toBe(true);
    advance(1);
    expect(l.isLocked()).toBe(false);
    expect(events).toEqual(['SETUP-LOCKED', 'SETUP-UNLOCKED']);
  });

  it('doubles the lockout every three failures and locks indefinitely after ten in a row', () => {
    const { l, now } = setup();
    const seen = [];
    for (let i = 1; i <= 10; i++) seen.push(fail(l, now()));
    // hostapd: 60 s from the 3rd failure, doubled at failures 6 and 9, then forever at 10 consecutive.
    expect(seen).toEqual(['none', 'none', 60, 60, 60, 120, 120, 120, 240, 'forever'].map((v) => (typeof v === 'number' ? v * SEC : v)));
    expect(l.lockedIndefinitely).toBe(true);
  });

  it('stays locked indefinitely whatever time passes, until a new AP PIN is set', () => {
    const { l, events, advance } = setup();
    for (let i = 0; i < 10; i++) l.recordFailure();
    advance(400 * DAY);
    expect(l.tick()).toEqual([]);
    expect(l.isLocked()).toBe(true);
    expect(l.unlock()).toEqual(['SETUP-UNLOCKED']);
    expect(l.isLocked()).toBe(false);
    expect(events.filter((e) => e === 'SETUP-UNLOCKED')).toHaveLength(1);
    expect([l.failures, l.consecutiveFailures]).toEqual([0, 0]);
  });

  it('resets only the consecutive count on success, so total failures keep doubling', () => {
    const { l, now } = setup();
    for (let i = 0; i < 9; i++) l.recordFailure();
    l.recordSuccess();
    expect([l.failures, l.consecutiveFailures]).toEqual([9, 0]);
    expect(fail(l, now())).toBe(240 * SEC); // 10th overall, 1st in a row: not indefinite
    expect(fail(l, now())).toBe(240 * SEC);
    expect(fail(l, now())).toBe(480 * SEC); // 12th overall
  });

  it('reports a lock on every failure from the third on, and restarts the timer each time', () => {
    const { l, events, advance, now } = setup();
    for (let i = 0; i < 3; i++) l.recordFailure();
    advance(30 * SEC);
    expect(l.recordFailure()).toEqual(['SETUP-LOCKED']);
    expect(l.unlockAt).toBe(now() + 60 * SEC);
    expect(events).toEqual(['SETUP-LOCKED', 'SETUP-LOCKED']);
  });

  it('unlocks when a failure arrives after the lockout ended, before locking again', () => {
    const { l, advance } = setup();
    for (let i = 0; i < 3; i++) l.recordFailure();
    advance(61 * SEC);
    expect(l.recordFailure()).toEqual(['SETUP-UNLOCKED', 'SETUP-LOCKED']);
  });

  it('keeps the lockout length across a new AP PIN, as hostapd does', () => {
    const { l, now } = setup();
    for (let i = 0; i < 3; i++) l.recordFailure();
    expect(l.unlock()).toEqual(['SETUP-UNLOCKED']);
    expect(fail(l, now())).toBe('none');
    expect(fail(l, now())).toBe('none');
    expect(fail(l, now())).toBe(120 * SEC);
  });

  it('uses a configured first lockout time', () => {
    const { l, now } = setup({ lockoutTimeMs: 10 * SEC });
    l.recordFailure();
    l.recordFailure();
    expect(fail(l, now())).toBe(10 * SEC);
  });

  it('stops doubling once the lockout reaches a year', () => {
    const { l, now } = setup({ lockoutTimeMs: 200 * DAY });
    const seen = [];
    for (let i = 1; i <= 12; i++) {
      seen.push(fail(l, now()));
      l.recordSuccess(); // keep clear of the indefinite lock
    }
    expect(seen.slice(2, 6)).toEqual([200 * DAY, 200 * DAY, 200 * DAY, 400 * DAY]);
    expect(seen[8]).toBe(400 * DAY);
    expect(seen[11]).toBe(400 * DAY);
    expect(400 * DAY).toBeGreaterThan(AP_PIN_MAX_LOCKOUT_MS);
  });

  it('honours ap_setup_locked=1: locked from the start, no automatic unlock', () => {
    const { l, advance } = setup({ setupLocked: true });
    expect(l.isLocked()).toBe(true);
    for (let i = 0; i < 4; i++) l.recordFailure();
    expect(l.unlockAt).toBeUndefined();
    advance(DAY);
    expect(l.isLocked()).toBe(true);
    l.unlock();
    expect(l.isLocked()).toBe(false);
  });

  it('does nothing when unlocking an unlocked AP', () => {
    const { l, events } = setup();
    expect(l.unlock()).toEqual([]);
    expect(events).toEqual([]);
  });

  it('spells the control-interface events like hostapd', () => {
    expect(WPS_EVENT_AP_SETUP_LOCKED).toBe('WPS-AP-SETUP-LOCKED ');
    expect(WPS_EVENT_AP_SETUP_UNLOCKED).toBe('WPS-AP-SETUP-UNLOCKED ');
  });
});
