/**
 * One control request as it arrives in a datagram: the wpa_ctrl protocol
 * sends the command text without a terminator, `NAME[ ARGS]`.
 * hostapd reads into a 4096-byte buffer (hostapd/ctrl_iface.c); longer
 * requests are refused here instead of silently truncated.
 */
import { WpsdError } from '../common/errors.js';

/** Largest request accepted, in bytes (hostapd's receive buffer less its NUL). */
export const MAX_REQUEST_LEN = 4095;

export type RequestErrorCode = 'EMPTY' | 'OVERSIZED' | 'BINARY';

export class CtrlRequestError extends WpsdError<RequestErrorCode> {}

export interface CtrlRequest {
  /** The command word as sent (case preserved). */
  name: string;
  /** Everything after the first space, unchanged ('' when absent). */
  rawArgs: string;
  /**
   * Arguments split on single spaces as hostapd's strchr(' ') parsing does, so
   * positions survive an empty field ("WPS_REG bssid pin ssid auth encr " has
   * an empty sixth argument). No arguments gives [].
   */
  args: string[];
}

/** Control characters other than TAB never appear in a command a CLI sends. */
/** One strict decoder for every request: decode() without `stream` starts afresh each time. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/**
 * Decode a request datagram. A single trailing newline is tolerated (people
 * type `echo PING | socat`), anything else binary is refused.
 */
export function parseRequest(data: Uint8Array): CtrlRequest {
  if (data.length > MAX_REQUEST_LEN) {
    throw new CtrlRequestError('OVERSIZED', `request of ${data.length} bytes exceeds ${MAX_REQUEST_LEN}`);
  }
  let text: string;
  try {
    text = UTF8.decode(data);
  } catch {
    throw new CtrlRequestError('BINARY', 'request is not UTF-8 text');
  }
  if (text.endsWith('\n')) text = text.slice(0, -1);
  if (text.length === 0) throw new CtrlRequestError('EMPTY', 'empty request');
  if (hasControlChar(text)) throw new CtrlRequestError('BINARY', 'request contains control characters');
  const space = text.indexOf(' ');
  if (space < 0) return { name: text, rawArgs: '', args: [] };
  // " PING": no command word; hostapd answers it UNKNOWN COMMAND, as an empty request.
  if (space === 0) throw new CtrlRequestError('EMPTY', 'request without a command word');
  const rawArgs = text.slice(space + 1);
  return { name: text.slice(0, space), rawArgs, args: rawArgs.split(' ') };
}
