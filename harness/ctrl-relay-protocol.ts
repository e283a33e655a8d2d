// The line protocol between the harness and its ctrl event relay
// (ctrl-relay-main.ts): one JSON object per line on the relay's stdin
// (requests) and stdout (answers and datagrams). A pipe never drops, unlike a
// datagram socket whose queue is full, so a busy harness only delays events.
import { StringDecoder } from 'node:string_decoder';

/** What the relay's namespace sets net.unix.max_dgram_qlen to (the root namespace has 10). */
export const RELAY_MAX_DGRAM_QLEN = 1024;
/** Longest line either side accepts: a wpa_ctrl datagram is at most 4096 bytes, JSON-escaped at most 6 bytes per byte, plus the envelope. */
export const RELAY_MAX_LINE = 64 * 1024;

export type RelayRequest =
  /** Bind a datagram socket at `path` (in the relay's namespace: its queue limit is that namespace's). */
  | { op: 'open'; id: number; path: string }
  /** Send `text` from socket `id` to `to`; answered by `sent` or `failed` with the same `seq`. */
  | { op: 'send'; id: number; seq: number; to: string; text: string }
  | { op: 'close'; id: number };

export type RelayAnswer =
  /** The relay reads requests; `qlen` is max_dgram_qlen as its namespace has it. */
  | { op: 'ready'; qlen: number }
  | { op: 'opened'; id: number }
  | { op: 'sent'; id: number; seq: number }
  | { op: 'failed'; id: number; seq?: number; message: string }
  /** One datagram received on socket `id`. */
  | { op: 'data'; id: number; msg: string }
  /** Datagrams of socket `id` the relay had to drop (its stdout backlog was full). */
  | { op: 'dropped'; id: number; count: number };

/**
 * Splits a byte stream into lines, bounded: a line longer than RELAY_MAX_LINE
 * is a protocol error (`onError`), after which the rest of the stream is ignored.
 */
export function lineReader(onLine: (line: string) => void, onError: (message: string) => void): (chunk: Buffer) => void {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let broken = false;
  const fail = (): void => {
    broken = true;
    pending = '';
    onError(`a line longer than ${RELAY_MAX_LINE} characters`);
  };
  return (chunk) => {
    if (broken) return;
    const lines = (pending + decoder.write(chunk)).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.length > RELAY_MAX_LINE) return fail();
      onLine(line);
      if (broken) return;
    }
    if (pending.length > RELAY_MAX_LINE) fail();
  };
}
