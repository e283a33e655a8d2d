/**
 * Small HTTP helpers for the console's tests: JSON calls with any header
 * (fetch cannot set Host), and a reader of the server-sent event stream.
 */
import { request, type IncomingMessage } from 'node:http';

export interface RawReply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function postJson(base: string, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const r = await rawRequest(new URL(path, base).toString(), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: JSON.parse(r.body) as Record<string, unknown>, text: r.body };
}

export interface SseMessage {
  event: string;
  data: unknown;
}

/** Reads an SSE stream; `next(pred)` resolves with the first message (new or already buffered) matching pred. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  private buf = '';
  private waiters: { pred: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }[] = [];
  private res: IncomingMessage | undefined;
  private readonly req;
  status = 0;
  readonly ready: Promise<number>;

  constructor(url: string) {
    let ready!: (n: number) => void;
    let failed!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      ready = res;
      failed = rej;
    });
    this.req = request(url, { headers: { Accept: 'text/event-stream' } }, (res) => {
      this.res = res;
      this.status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (c: string) => this.feed(c));
      res.on('error', () => undefined);
      ready(this.status);
    });
    this.req.on('error', (e) => failed(e));
    this.req.end();
  }

  private feed(chunk: string): void {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const frame = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      let event = 'message';
      let data = '';
      for (const line of frame.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data === '') continue;
      const m: SseMessage = { event, data: JSON.parse(data) as unknown };
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(m)) return true;
        w.resolve(m);
        return false;
      });
    }
  }

  next(pred: (m: SseMessage) => boolean): Promise<SseMessage> {
    const hit = this.messages.find(pred);
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  close(): void {
    this.res?.destroy();
    this.req.destroy();
  }
}
