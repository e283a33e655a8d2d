/**
 * `wpsd decode HEX|BASE64|EVENT-LINE [--json] [--show-keys]`: a dissector for
 * WSC attributes, e.g. the hexdump in a WPS-CRED-RECEIVED or
 * WPS-NEW-AP-SETTINGS event line, and for 802.11 elements (the Multi-AP and
 * WPS elements of a frame: a stream that parses whole as elements and does
 * not start with a WSC attribute type). `-` reads standard input.
 */
import { CtrlEvent } from '../ctrl/event-names.js';
import type { Command } from 'commander';
import type { DecodeResult } from '../wps/decode.js';
import { NdefError } from '../wps/nfc/ndef.js';
import type { NfcRecordPart } from '../wps/nfc/nfc-envelope.js';
import { WpsdError } from '../common/errors.js';

/** Events whose payload is a hexdump of WSC attributes (hostapd/wpa_supplicant README-WPS). */
export const HEXDUMP_EVENTS = [CtrlEvent.WpsNewApSettings, CtrlEvent.WpsCredReceived] as const;
/** Refuse absurd inputs early: a WSC message is at most a few kilobytes. */
export const MAX_DECODE_INPUT_CHARS = 1 << 20;

export class DecodeInputError extends WpsdError<'EMPTY' | 'NOT_HEX_OR_BASE64' | 'ODD_HEX' | 'NO_HEXDUMP_EVENT' | 'TOO_LONG'> {
  constructor(
    code: 'EMPTY' | 'NOT_HEX_OR_BASE64' | 'ODD_HEX' | 'NO_HEXDUMP_EVENT' | 'TOO_LONG',
    message: string,
    /** Character offset in the input text, when one is to blame. */
    readonly offset?: number,
  ) {
    super(code, message);
  }
}

export interface DecodeInput {
  bytes: Buffer;
  format: 'hex' | 'base64';
  /** Characters of hex or base64 that made `bytes` (separators and padding not counted). */
  chars: number;
  /** The event name when the input was an event line. */
  event?: string;
}

const EVENT_LINE = /^(?:<\d+>)?(WPS-[A-Z0-9-]+)(?:\s+(.*))?$/s;
const HEX_TEXT = /^[0-9a-fA-F\s:]*$/;
// Padding and the whitespace after it in one optional group: `\s` on both sides of `={0,2}` made a failed match quadratic.
const BASE64_TEXT = /^[A-Za-z0-9+/\s]*(?:={1,2}\s*)?$/;

const hexDigits = (text: string): number => text.replace(/[\s:]/g, '').length;

function parseHex(text: string): Buffer {
  const digits = text.replace(/[\s:]/g, '');
  if (digits.length % 2 !== 0) throw new DecodeInputError('ODD_HEX', `odd number of hex digits (${digits.length}): the last byte is incomplete at byte offset ${(digits.length - 1) / 2}`, text.length);
  return Buffer.from(digits, 'hex');
}

/**
 * Reads hex (spaces and colons allowed), base64, or a whole event line
 * "[<N>]WPS-CRED-RECEIVED <hex>" / "WPS-NEW-AP-SETTINGS <hex>". Text made only
 * of hex digits is read as hex.
 */
export function parseDecodeInput(input: string): DecodeInput {
  if (input.length > MAX_DECODE_INPUT_CHARS) throw new DecodeInputError('TOO_LONG', `input of ${input.length} characters exceeds ${MAX_DECODE_INPUT_CHARS}`);
  let text = input.trim();
  if (text.length === 0) throw new DecodeInputError('EMPTY', 'nothing to decode');
  let event: string | undefined;
  const ev = EVENT_LINE.exec(text);
  if (ev !== null) {
    event = ev[1] ?? '';
    if (!(HEXDUMP_EVENTS as readonly string[]).includes(event)) {
      throw new DecodeInputError('NO_HEXDUMP_EVENT', `${event} carries no attribute hexdump; decode takes ${HEXDUMP_EVENTS.join(' or ')} lines`);
    }
    text = (ev[2] ?? '').trim();
    if (text.length === 0) throw new DecodeInputError('EMPTY', `${event} line without a hexdump`);
    if (!HEX_TEXT.test(text)) {
      const at = text.search(/[^0-9a-fA-F\s:]/);
      throw new DecodeInputError('NOT_HEX_OR_BASE64', `${event} hexdump has a non-hex character '${text[at] ?? ''}' at character ${at}`, at);
    }
    return { bytes: parseHex(text), format: 'hex', chars: hexDigits(text), event };
  }
  text = text.replace(/^0x/i, '');
  if (HEX_TEXT.test(text)) return { bytes: parseHex(text), format: 'hex', chars: hexDigits(text) };
  if (BASE64_TEXT.test(text)) {
    const compact = text.replace(/\s/g, '');
    if (compact.length % 4 === 1) throw new DecodeInputError('NOT_HEX_OR_BASE64', `base64 input of ${compact.length} characters cannot be complete`, compact.length);
    return { bytes: Buffer.from(compact, 'base64'), format: 'base64', chars: compact.replace(/=+$/, '').length };
  }
  const at = text.search(/[^0-9a-fA-F\s:]/);
  const badB64 = text.search(/[^A-Za-z0-9+/=\s]/);
  const where = badB64 >= 0 ? badB64 : at;
  throw new DecodeInputError('NOT_HEX_OR_BASE64', `input is neither hex nor base64: unexpected '${text[where] ?? ''}' at character ${where}`, where);
}

export interface DecodeCommandOptions {
  json?: boolean;
  showKeys?: boolean;
}

export interface DecodeIo {
  out: (line: string) => void;
  err: (line: string) => void;
  readStdin: () => Promise<string>;
}

/** The JSON form: the decode tree, plus the event name when the input was an event line. */
export interface DecodeJson extends DecodeResult {
  event?: string;
  /** How the input text was read. */
  input?: { format: DecodeInput['format']; chars: number; bytes: number };
  /** The input was a handover carrier: the declared length of its attributes. */
  carrierLength?: number;
  error?: string;
}

/**
 * Runs `wpsd decode` and returns the exit status: 0 when everything decoded,
 * 1 for unreadable input or a stream that was cut (what decoded is printed first).
 */
export async function runDecode(args: readonly string[], opts: DecodeCommandOptions, io: DecodeIo): Promise<number> {
  const { decodeAttributes, formatDecodeText, allTruncations } = await import('../wps/decode.js');
  let input: DecodeInput;
  try {
    const text = args.length === 1 && args[0] === '-' ? await io.readStdin() : args.join(' ');
    input = parseDecodeInput(text);
  } catch (e) {
    if (!(e instanceof DecodeInputError)) throw e;
    if (opts.json === true) io.out(JSON.stringify({ error: e.message, ...(e.offset !== undefined ? { offset: e.offset } : {}) }, null, 2));
    io.err(`wpsd decode: ${e.message}`);
    return 1;
  }
  if (input.event === undefined) {
    // 802.11 elements (a Multi-AP or WPS element as captured from a frame) rather than WSC attributes.
    const { looksLikeElements, decodeElements, formatElementsText } = await import('../radio/decode-elements.js');
    if (looksLikeElements(input.bytes)) {
      const r = decodeElements(input.bytes, { showKeys: opts.showKeys === true });
      if (opts.json === true) io.out(JSON.stringify(r, null, 2));
      else for (const l of formatElementsText(r)) io.out(l);
      return 0;
    }
  }
  const { ndefParts, splitCarrier } = await import('../wps/nfc/nfc-envelope.js');
  const decodeOpts = { showKeys: opts.showKeys === true };
  let records: NfcRecordPart[] | undefined;
  try {
    records = input.event === undefined ? ndefParts(input.bytes) : undefined;
  } catch (e) {
    if (!(e instanceof NdefError)) throw e;
    const message = `${input.format} input read as an NDEF message (its first byte has Message Begin set): ${e.message}`;
    if (opts.json === true) io.out(JSON.stringify({ error: message, offset: e.offset }, null, 2));
    io.err(`wpsd decode: ${message}`);
    return 1;
  }
  if (records !== undefined) return printNdef(records, input.bytes.length, opts, io);
  const carrier = input.event === undefined ? splitCarrier(input.bytes) : { bytes: input.bytes };
  const result = decodeAttributes(carrier.bytes, decodeOpts);
  const cuts = allTruncations(result);
  if (opts.json === true) {
    const json: DecodeJson = {
      ...(input.event !== undefined ? { event: input.event } : {}),
      input: { format: input.format, chars: input.chars, bytes: input.bytes.length },
      ...(carrier.carrierLength !== undefined ? { carrierLength: carrier.carrierLength } : {}),
      ...result,
    };
    io.out(JSON.stringify(json, null, 2));
  } else {
    if (input.event !== undefined) io.out(`${input.event} (${input.bytes.length} bytes)`);
    if (carrier.carrierLength !== undefined) io.out(`handover carrier: ${carrier.carrierLength} bytes of attributes`);
    const indent = input.event !== undefined ? '  ' : '';
    for (const l of formatDecodeText(result, false)) io.out(indent + l);
  }
  // Each cut also goes to stderr, after everything that decoded before it.
  for (const c of cuts) io.err(`wpsd decode: error: ${c.message}`);
  // Letters-only text such as "zzzz" is valid base64: say so, or "truncated" makes no sense.
  if (cuts.length > 0 && input.event === undefined) io.err(`wpsd decode: ${readAs(input)}`);
  return cuts.length > 0 ? 1 : 0;
}

/** "the input was read as base64: 4 characters, 3 bytes" */
export function readAs(input: DecodeInput): string {
  const how = input.format === 'base64' ? 'base64 (it is not all hex digits)' : 'hex';
  return `the input was read as ${how}: ${input.chars} characters, ${input.bytes.length} bytes`;
}

/** One NDEF record as the dissector shows it: its WSC attributes decoded when it is a WSC record. */
interface DecodedNdefRecord {
  index: number;
  tnf: number;
  type: string;
  length: number;
  carrierLength?: number;
  wsc?: DecodeResult;
}

async function printNdef(records: NfcRecordPart[], total: number, opts: DecodeCommandOptions, io: DecodeIo): Promise<number> {
  const { decodeAttributes, formatDecodeText, allTruncations } = await import('../wps/decode.js');
  const { tnfName } = await import('../wps/nfc/nfc-envelope.js');
  const decoded = records.map((r): DecodedNdefRecord => {
    const d: DecodedNdefRecord = { index: r.index, tnf: r.tnf, type: r.type, length: r.length };
    if (r.wsc !== undefined) {
      if (r.wsc.carrierLength !== undefined) d.carrierLength = r.wsc.carrierLength;
      d.wsc = decodeAttributes(r.wsc.bytes, { showKeys: opts.showKeys === true });
    }
    return d;
  });
  if (opts.json === true) {
    io.out(JSON.stringify({ ndef: decoded }, null, 2));
  } else {
    io.out(`NDEF message (${total} bytes, ${decoded.length} record${decoded.length === 1 ? '' : 's'})`);
    for (const r of decoded) {
      io.out(`  record ${r.index + 1}: ${r.type === '' ? '(no type)' : r.type} (${tnfName(r.tnf)}), ${r.length} bytes`);
      if (r.carrierLength !== undefined) io.out(`    handover carrier: ${r.carrierLength} bytes of attributes`);
      if (r.wsc !== undefined) for (const l of formatDecodeText(r.wsc, false)) io.out('    ' + l);
    }
  }
  const cuts = decoded.flatMap((r) => (r.wsc !== undefined ? allTruncations(r.wsc) : []));
  for (const c of cuts) io.err(`wpsd decode: error: ${c.message}`);
  return cuts.length > 0 ? 1 : 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : Buffer.from(c);
    size += b.length;
    if (size > MAX_DECODE_INPUT_CHARS) throw new DecodeInputError('TOO_LONG', `standard input exceeds ${MAX_DECODE_INPUT_CHARS} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function register(program: Command): void {
  program
    .command('decode')
    .description(`decode WSC attributes, 802.11 elements (Multi-AP, WPS): hex, base64, a ${CtrlEvent.WpsCredReceived} / ${CtrlEvent.WpsNewApSettings} event line, or an NFC token / NDEF message ("-" reads stdin)`)
    .argument('<input...>', 'hex (spaces/colons allowed), base64, or an event line; - for standard input')
    .option('--json', 'print the decoded tree as JSON')
    .option('--show-keys', 'show network keys and secret nonces instead of hiding them')
    .action(async (input: string[], opts: DecodeCommandOptions) => {
      const status = await runDecode(input, opts, {
        out: (l) => process.stdout.write(l + '\n'),
        err: (l) => process.stderr.write(l + '\n'),
        readStdin: () => readAll(process.stdin),
      });
      process.exitCode = status;
    });
}
