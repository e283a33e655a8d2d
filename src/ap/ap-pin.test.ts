import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApPinLockout } from '../wps/ap-pin-lockout.js';
import { isValidPinChecksum } from '../wps/pin.js';
import { ApPin } from './ap-pin.js';

function setup(pin?: string) {
  const lines: string[] = [];
  let t = 0;
  const lockout = new ApPinLockout({ now: () => t, onEvent: (e) => lines.push(e) });
  const ap = new ApPin({ pin, lockout, emit: (l) => lines.push(l) });
  return { ap, lockout, lines, advance: (ms: number) => (t += ms) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('wps_ap_pin', () => {
  it('get prints the configured PIN without a newline, FAIL when there is none', () => {
    expect(setup('12345670').ap.command(['get'])).toBe('12345670');
    expect(setup().ap.command(['get'])).toBe('FAIL\n');
  });

  it('disable answers OK and removes the PIN', () => {
    const { ap } = setup('12345670');
    expect(ap.command(['disable'])).toBe('OK\n');
    expect(ap.pin).toBeUndefined();
    expect(ap.command(['get'])).toBe('FAIL\n');
  });

  it('random prints a new valid 8-digit PIN and makes it current', () => {
    const { ap } = setup();
    const pin = ap.command(['random']);
    expect(pin).toMatch(/^\d{8}$/);
    expect(isValidPinChecksum(pin)).toBe(true);
    expect(ap.command(['get'])).toBe(pin);
    ap.close();
  });

  it('set prints the PIN; bad PINs and bad timeouts answer FAIL and change nothing', () => {
    const { ap } = setup('12345670');
    expect(ap.command(['set', '87654325', '0'])).toBe('87654325');
    expect(ap.pin).toBe('87654325');
    for (const bad of [['set'], ['set', '12ab5670'], ['set', '123'], ['set', '123456789'], ['set', '12345670', '-5'], ['set', '12345670', 'soon'], ['frobnicate']]) {
      expect(ap.command(bad)).toBe('FAIL\n');
      expect(ap.pin).toBe('87654325');
    }
  });

  it('a new PIN unlocks a locked AP (WPS-AP-SETUP-UNLOCKED) and clears the failure counts', () => {
    const { ap, lockout, lines } = setup('12345670');
    for (let i = 0; i < 3; i++) lockout.recordFailure();
    expect(lockout.isLocked()).toBe(true);
    ap.command(['set', '12345670', '0']);
    expect(lockout.isLocked()).toBe(false);
    expect(lockout.failures).toBe(0);
    expect(lines).toContain('SETUP-UNLOCKED');
  });

  it('the PIN is disabled when its timeout runs out, with WPS-AP-PIN-DISABLED', () => {
    vi.useFakeTimers();
    const { ap, lines } = setup();
    ap.command(['set', '12345670', '10']);
    vi.advanceTimersByTime(9_999);
    expect(ap.pin).toBe('12345670');
    vi.advanceTimersByTime(1);
    expect(ap.pin).toBeUndefined();
    expect(lines).toContain('WPS-AP-PIN-DISABLED ');
  });

  it('random without a timeout argument uses 300 s', () => {
    vi.useFakeTimers();
    const { ap } = setup();
    ap.command(['random']);
    vi.advanceTimersByTime(299_000);
    expect(ap.pin).toBeDefined();
    vi.advanceTimersByTime(1_000);
    expect(ap.pin).toBeUndefined();
  });
});
