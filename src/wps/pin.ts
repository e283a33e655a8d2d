/**
 * WPS device PIN rules: the checksum digit of 8-digit PINs (WSC 2.0 section
 * 7.4.1 / hostapd wps_pin_checksum), the WPS_CHECK_PIN control command, and
 * random PIN generation.
 */
import { randomBytes } from 'node:crypto';
import type { Rng } from './crypto.js';
import { WpsdError } from '../common/errors.js';

/** Largest 7-digit value plus one; the PIN body is drawn from [0, PIN_BODY_RANGE). */
const PIN_BODY_RANGE = 10_000_000;
/** Values of a u32 at or above this would bias `% PIN_BODY_RANGE`; they are redrawn. */
const PIN_DRAW_LIMIT = Math.floor(0x1_0000_0000 / PIN_BODY_RANGE) * PIN_BODY_RANGE;
/** Redraws allowed before giving up; each draw is rejected with p < 0.1 %. */
const PIN_MAX_DRAWS = 64;
/** hostapd stops collecting digits at the ninth and answers FAIL. */
const CHECK_PIN_MAX_DIGITS = 8;

/**
 * A PIN body out of range (a caller's bug) or a random source that fails.
 * Typed so a daemon can tell it apart from the other errors.
 */
export class WpsPinError extends WpsdError<'BAD_PIN_BODY' | 'RNG_FAILURE'> {}

/**
 * Checksum digit for a 7-digit PIN body: digits weighted 3,1,3,1,... from the
 * least significant one, checksum makes the weighted sum a multiple of 10.
 */
export function pinChecksum(sevenDigits: number): number {
  if (!Number.isInteger(sevenDigits) || sevenDigits < 0 || sevenDigits >= PIN_BODY_RANGE) {
    throw new WpsPinError('BAD_PIN_BODY', `PIN body must be an integer in [0, ${PIN_BODY_RANGE - 1}]`);
  }
  let pin = sevenDigits;
  let accum = 0;
  while (pin > 0) {
    accum += 3 * (pin % 10);
    pin = Math.floor(pin / 10);
    accum += pin % 10;
    pin = Math.floor(pin / 10);
  }
  return (10 - (accum % 10)) % 10;
}

/** True for exactly eight ASCII digits whose last digit is the checksum of the first seven. */
export function isValidPinChecksum(pin: string): boolean {
  if (!/^[0-9]{8}$/.test(pin)) return false;
  const value = Number(pin);
  return pinChecksum(Math.floor(value / 10)) === value % 10;
}

/** hostapd wps_pin_str_valid: only digits, and 4 or 8 of them. */
export function isValidPinString(pin: string): boolean {
  return /^(?:[0-9]{4}|[0-9]{8})$/.test(pin);
}

/**
 * WPS_CHECK_PIN as hostapd and wpa_supplicant answer it: every non-digit
 * character is skipped (so "1234-5670" and "1234 5670" work), then
 * 'FAIL' unless 4 or 8 digits remain, 'FAIL-CHECKSUM' for an 8-digit PIN with a
 * bad checksum digit, else the digits. Returns the reply text without the
 * line ending; see `checkPinReply` for the exact bytes on the wire.
 */
export function checkPinCommand(input: string): string {
  let digits = '';
  for (const ch of input) {
    if (ch < '0' || ch > '9') continue;
    digits += ch;
    if (digits.length > CHECK_PIN_MAX_DIGITS) return 'FAIL';
  }
  if (digits.length !== 4 && digits.length !== 8) return 'FAIL';
  if (digits.length === 8 && !isValidPinChecksum(digits)) return 'FAIL-CHECKSUM';
  return digits;
}

/**
 * The exact control-socket reply hostapd sends for WPS_CHECK_PIN: "FAIL\n"
 * and "FAIL-CHECKSUM\n" end in a newline, the accepted PIN does not.
 */
export function checkPinReply(input: string): string {
  const reply = checkPinCommand(input);
  return reply === 'FAIL' || reply === 'FAIL-CHECKSUM' ? reply + '\n' : reply;
}

/**
 * A random 8-digit PIN with a valid checksum, zero-padded like hostapd's
 * "%08d". Unlike hostapd's plain `% 10^7`, out-of-range draws are redrawn so
 * every PIN is equally likely.
 */
export function generatePin(rng: Rng = randomBytes): string {
  for (let i = 0; i < PIN_MAX_DRAWS; i++) {
    const bytes = rng(4);
    if (bytes.length < 4) throw new WpsPinError('RNG_FAILURE', 'random source returned too few bytes');
    const draw = bytes.readUInt32LE(0);
    if (draw >= PIN_DRAW_LIMIT) continue;
    const body = draw % PIN_BODY_RANGE;
    return String(body * 10 + pinChecksum(body)).padStart(8, '0');
  }
  throw new WpsPinError('RNG_FAILURE', 'random source kept returning out-of-range values');
}
