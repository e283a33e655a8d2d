// Reads a tshark capture back into SSDP datagrams and HTTP exchanges (raw bytes),
// and pulls the WSC messages out of WFAWLANConfig SOAP bodies.
import { run } from './netns.js';

export interface Datagram {
  time: number;
  src: string;
  dst: string;
  payload: Buffer;
}

export interface TcpExchange {
  stream: number;
  time: number;
  client: string;
  server: string;
  /** Everything the connecting side sent (the HTTP request). */
  request: Buffer;
  /** Everything the accepting side sent (the HTTP response). */
  response: Buffer;
}

async function fields(pcap: string, filter: string, names: readonly string[]): Promise<string[][]> {
  const args = ['-r', pcap, '-Y', filter, '-T', 'fields', '-E', 'separator=\t'];
  for (const n of names) args.push('-e', n);
  const { stdout } = await run('tshark', args, { timeoutMs: 60_000 });
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

export async function readDatagrams(pcap: string): Promise<Datagram[]> {
  const rows = await fields(pcap, 'udp', ['frame.time_epoch', 'ip.src', 'udp.srcport', 'ip.dst', 'udp.dstport', 'udp.payload']);
  return rows.map(([t, s, sp, d, dp, p]) => ({
    time: Number(t),
    src: `${s}:${sp}`,
    dst: `${d}:${dp}`,
    payload: Buffer.from((p ?? '').replace(/:/g, ''), 'hex'),
  }));
}

/** One exchange per TCP connection (hostapd and wpa_supplicant use one request per connection). */
export async function readTcpExchanges(pcap: string): Promise<TcpExchange[]> {
  const rows = await fields(pcap, 'tcp.len > 0', ['tcp.stream', 'frame.time_epoch', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tcp.payload']);
  const byStream = new Map<number, TcpExchange & { parts: { fromClient: boolean; data: Buffer }[] }>();
  for (const [st, t, s, sp, d, dp, p] of rows) {
    const stream = Number(st);
    const src = `${s}:${sp}`;
    let ex = byStream.get(stream);
    if (!ex) {
      ex = { stream, time: Number(t), client: src, server: `${d}:${dp}`, request: Buffer.alloc(0), response: Buffer.alloc(0), parts: [] };
      byStream.set(stream, ex);
    }
    ex.parts.push({ fromClient: src === ex.client, data: Buffer.from((p ?? '').replace(/:/g, ''), 'hex') });
  }
  return [...byStream.values()]
    .sort((a, b) => a.time - b.time)
    .map(({ parts, ...ex }) => ({
      ...ex,
      request: Buffer.concat(parts.filter((x) => x.fromClient).map((x) => x.data)),
      response: Buffer.concat(parts.filter((x) => !x.fromClient).map((x) => x.data)),
    }));
}

/** Splits a raw HTTP message into its start line, header block and body. */
export function splitHttp(raw: Buffer): { startLine: string; headers: string; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  const head = (end < 0 ? raw : raw.subarray(0, end)).toString('latin1');
  const body = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
  const nl = head.indexOf('\r\n');
  return { startLine: nl < 0 ? head : head.slice(0, nl), headers: head, body };
}

export function headerValue(headers: string, name: string): string | undefined {
  const re = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im');
  return re.exec(headers)?.[1]?.trim();
}

/** The base64 content of `<NewDeviceInfo>`, `<NewInMessage>` or `<NewOutMessage>`, decoded. */
export function soapWscMessage(body: Buffer): { element: string; message: Buffer } | undefined {
  const m = /<(NewDeviceInfo|NewInMessage|NewOutMessage)>([\s\S]*?)<\/\1>/.exec(body.toString('latin1'));
  if (!m?.[1] || m[2] === undefined) return undefined;
  return { element: m[1], message: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') };
}

const MESSAGE_TYPE_ATTR = 0x1022;
const MESSAGE_NAMES: Record<number, string> = {
  0x04: 'm1',
  0x05: 'm2',
  0x06: 'm2d',
  0x07: 'm3',
  0x08: 'm4',
  0x09: 'm5',
  0x0a: 'm6',
  0x0b: 'm7',
  0x0c: 'm8',
  0x0d: 'ack',
  0x0e: 'nack',
  0x0f: 'done',
};

/** Name (m1..m8, ack, nack, done, m2d) of a WSC message from its Message Type attribute. */
export function wscMessageName(msg: Buffer): string | undefined {
  let off = 0;
  while (off + 4 <= msg.length) {
    const type = msg.readUInt16BE(off);
    const len = msg.readUInt16BE(off + 2);
    if (off + 4 + len > msg.length) return undefined;
    if (type === MESSAGE_TYPE_ATTR && len === 1) return MESSAGE_NAMES[msg[off + 4] ?? -1] ?? `type${msg[off + 4]}`;
    off += 4 + len;
  }
  return undefined;
}

/**
 * WLANEvent values of a GENA NOTIFY body: base64 of
 * [WLANEventType (1)][WLANEventMAC (17 ASCII)][WSC message] (WFAWLANConfig:1).
 */
export function notifyWlanEvents(body: Buffer): Array<{ type: number; mac: string; message: Buffer }> {
  const out: Array<{ type: number; mac: string; message: Buffer }> = [];
  for (const m of body.toString('latin1').matchAll(/<WLANEvent>([\s\S]*?)<\/WLANEvent>/g)) {
    const raw = Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64');
    if (raw.length < 18) continue;
    out.push({ type: raw[0] ?? 0, mac: raw.subarray(1, 18).toString('latin1'), message: raw.subarray(18) });
  }
  return out;
}
