/**
 * Checks of the console's form input, before anything reaches the ER. Every
 * refusal is a WebInputError whose message a person can act on; the server
 * answers it as HTTP 400 with that message.
 */
import { isMacText } from '../common/mac.js';
import { checkPinCommand } from '../wps/pin.js';
import {
  AUTH_NAMES,
  ENCR_NAMES,
  type AuthName,
  type EncrName,
  type EnrollAllRequest,
  type EnrolleePinRequest,
  type NewApSettings,
} from './model.js';
import { WpsdError } from '../common/errors.js';

/** IEEE 802.11 SSID element: at most 32 octets. */
export const SSID_MAX_BYTES = 32;
/** WPA passphrase: 8..63 printable ASCII characters (IEEE 802.11i H.4.1) ... */
export const PASSPHRASE_MIN = 8;
export const PASSPHRASE_MAX = 63;
/** ... or the PSK itself as 64 hex digits. */
export const PSK_HEX_LENGTH = 64;
/** Longest string field we look at; anything longer is refused before any other check. */
export const FIELD_MAX_CHARS = 256;

export type WebInputErrorCode = 'BAD_BODY' | 'BAD_FIELD' | 'UNKNOWN_FIELD';

export class WebInputError extends WpsdError<WebInputErrorCode> {
  constructor(
    code: WebInputErrorCode,
    message: string,
    /** The form field at fault, so the page can point at it. */
    readonly field?: string,
  ) {
    super(code, message);
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

export function isMac(s: string): boolean {
  return isMacText(s);
}

type Body = Record<string, unknown>;

function asBody(body: unknown, allowed: readonly string[]): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WebInputError('BAD_BODY', 'The request body must be a JSON object.');
  }
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) throw new WebInputError('UNKNOWN_FIELD', `Unknown field "${k.slice(0, 40)}".`, k);
  }
  return body as Body;
}

function text(body: Body, field: string, label: string, required = true): string | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') {
    if (required) throw new WebInputError('BAD_FIELD', `${label} is required.`, field);
    return undefined;
  }
  if (typeof v !== 'string') throw new WebInputError('BAD_FIELD', `${label} must be text.`, field);
  if (v.length > FIELD_MAX_CHARS) throw new WebInputError('BAD_FIELD', `${label} is too long.`, field);
  return v;
}

/** An AP as wps_er_learn/wps_er_config name it: UUID or BSSID, normalised to lower case. */
export function parseApSelector(v: string, field = 'ap'): string {
  const s = v.trim();
  if (isUuid(s) || isMac(s)) return s.toLowerCase();
  throw new WebInputError('BAD_FIELD', 'AP must be a UUID (8-4-4-4-12 hex digits) or a MAC address (aa:bb:cc:dd:ee:ff).', field);
}

/** A PIN by WPS_CHECK_PIN rules: separators dropped, 4 or 8 digits, checksum digit right for 8. */
export function parsePin(v: string, label: string, field: string): string {
  const r = checkPinCommand(v);
  if (r === 'FAIL') throw new WebInputError('BAD_FIELD', `${label} must have 4 or 8 digits (spaces and dashes are ignored).`, field);
  if (r === 'FAIL-CHECKSUM') {
    throw new WebInputError('BAD_FIELD', `${label} has a wrong checksum: the last of its 8 digits does not match the first 7.`, field);
  }
  return r;
}

function oneOf<T extends string>(v: string, names: readonly T[], label: string, field: string): T {
  const up = v.trim().toUpperCase();
  const hit = names.find((n) => n === up);
  if (hit === undefined) throw new WebInputError('BAD_FIELD', `${label} must be one of ${names.join(', ')}.`, field);
  return hit;
}

/** Any C0 control character or DEL: never part of an SSID or key typed in a form. */
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\x00-\x1f\x7f]/;

export function parseSsid(v: string): string {
  const bytes = Buffer.byteLength(v, 'utf8');
  if (bytes < 1 || bytes > SSID_MAX_BYTES) {
    throw new WebInputError('BAD_FIELD', `SSID must be 1 to ${SSID_MAX_BYTES} bytes long; this one is ${bytes} bytes (UTF-8).`, 'ssid');
  }
  if (CONTROL_RE.test(v)) throw new WebInputError('BAD_FIELD', 'SSID must not contain control characters.', 'ssid');
  return v;
}

/** A WPA key: 8..63 printable ASCII characters (passphrase) or 64 hex digits (PSK). */
export function parseWpaKey(v: string): string {
  if (v.length === PSK_HEX_LENGTH && /^[0-9a-fA-F]+$/.test(v)) return v;
  if (v.length >= PASSPHRASE_MIN && v.length <= PASSPHRASE_MAX && /^[\x20-\x7e]+$/.test(v)) return v;
  throw new WebInputError(
    'BAD_FIELD',
    `Key must be a passphrase of ${PASSPHRASE_MIN} to ${PASSPHRASE_MAX} printable ASCII characters or ${PSK_HEX_LENGTH} hex digits.`,
    'key',
  );
}

export interface LearnInput {
  ap: string;
  pin: string;
}

export function parseLearn(body: unknown): LearnInput {
  const b = asBody(body, ['ap', 'pin']);
  return {
    ap: parseApSelector(text(b, 'ap', 'AP') ?? ''),
    pin: parsePin(text(b, 'pin', 'AP PIN') ?? '', 'AP PIN', 'pin'),
  };
}

export interface ConfigureInput {
  ap: string;
  pin: string;
  settings: NewApSettings;
}

export function parseConfigure(body: unknown): ConfigureInput {
  const b = asBody(body, ['ap', 'pin', 'ssid', 'auth', 'encr', 'key']);
  const ap = parseApSelector(text(b, 'ap', 'AP') ?? '');
  const pin = parsePin(text(b, 'pin', 'AP PIN') ?? '', 'AP PIN', 'pin');
  const ssid = parseSsid(text(b, 'ssid', 'SSID') ?? '');
  const auth: AuthName = oneOf(text(b, 'auth', 'Authentication') ?? '', AUTH_NAMES, 'Authentication', 'auth');
  const encr: EncrName = oneOf(text(b, 'encr', 'Encryption') ?? '', ENCR_NAMES, 'Encryption', 'encr');
  const rawKey = text(b, 'key', 'Key', false) ?? '';
  if (auth === 'OPEN') {
    if (encr !== 'NONE') throw new WebInputError('BAD_FIELD', 'An OPEN network takes encryption NONE.', 'encr');
    if (rawKey !== '') throw new WebInputError('BAD_FIELD', 'An OPEN network has no key; leave Key empty.', 'key');
    return { ap, pin, settings: { ssid, auth, encr, key: '' } };
  }
  if (encr === 'NONE') throw new WebInputError('BAD_FIELD', `${auth} needs encryption CCMP or TKIP.`, 'encr');
  if (rawKey === '') throw new WebInputError('BAD_FIELD', `${auth} needs a key.`, 'key');
  return { ap, pin, settings: { ssid, auth, encr, key: parseWpaKey(rawKey) } };
}

/** wps_er_pin: Enrollee UUID, "any" or MAC; optional Enrollee MAC for AuthorizedMACs. */
export function parsePinRequest(body: unknown): EnrolleePinRequest {
  const b = asBody(body, ['enrollee', 'pin', 'mac']);
  const who = (text(b, 'enrollee', 'Enrollee') ?? '').trim();
  let enrollee: string;
  if (who.toLowerCase() === 'any') enrollee = 'any';
  else if (isUuid(who) || isMac(who)) enrollee = who.toLowerCase();
  else throw new WebInputError('BAD_FIELD', 'Enrollee must be a UUID, a MAC address or "any".', 'enrollee');
  const pin = parsePin(text(b, 'pin', 'PIN') ?? '', 'PIN', 'pin');
  const mac = text(b, 'mac', 'Enrollee MAC', false)?.trim();
  if (mac === undefined) return { enrollee, pin };
  if (!isMac(mac)) throw new WebInputError('BAD_FIELD', 'Enrollee MAC must look like aa:bb:cc:dd:ee:ff.', 'mac');
  return { enrollee, pin, mac: mac.toLowerCase() };
}

/** wps_er_pbc: Enrollee UUID or MAC. */
export function parsePbcRequest(body: unknown): string {
  const b = asBody(body, ['enrollee']);
  const who = (text(b, 'enrollee', 'Enrollee') ?? '').trim();
  if (isUuid(who) || isMac(who)) return who.toLowerCase();
  throw new WebInputError('BAD_FIELD', 'Enrollee must be a UUID or a MAC address.', 'enrollee');
}

export function parseEnrollAll(body: unknown): EnrollAllRequest {
  const b = asBody(body, ['method', 'pin']);
  const method = (text(b, 'method', 'Method') ?? '').trim().toLowerCase();
  const pinText = text(b, 'pin', 'PIN', false);
  if (method === 'pbc') {
    if (pinText !== undefined) throw new WebInputError('BAD_FIELD', 'PBC takes no PIN; leave PIN empty.', 'pin');
    return { method: 'pbc' };
  }
  if (method !== 'pin') throw new WebInputError('BAD_FIELD', 'Method must be "pin" or "pbc".', 'method');
  if (pinText === undefined) return { method: 'pin' };
  return { method: 'pin', pin: parsePin(pinText, 'PIN', 'pin') };
}

/** The AP whose key the page asked to reveal. */
export function parseRevealKey(body: unknown): string {
  const b = asBody(body, ['ap']);
  return parseApSelector(text(b, 'ap', 'AP') ?? '');
}
