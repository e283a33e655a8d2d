/**
 * Server-sent events to the console pages: a bounded set of clients, a
 * comment line as heartbeat (keeps proxies and the browser's reconnect logic
 * content), and a client that stops reading is dropped rather than buffered
 * without limit.
 */
import type { Request, Response } from 'express';

/** Pages that may watch at once; more get 503 (a console, not a broadcast service). */
export const MAX_SSE_CLIENTS = 16;
/** Heartbeat period. */
export const SSE_HEARTBEAT_MS = 15_000;
/** Unsent bytes a client may accumulate before it is dropped. */
export const SSE_MAX_BUFFERED_BYTES = 1 << 20;
/** EventSource reconnect delay the pages are told to use. */
export const SSE_RETRY_MS = 2_000;

export interface SseHubOptions {
  maxClients?: number;
  heartbeatMs?: number;
  maxBufferedBytes?: number;
}

/** One SSE frame; JSON.stringify output holds no line breaks, so one data line suffices. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class SseHub {
  private readonly clients = new Set<Response>();
  private readonly maxClients: number;
  private readonly maxBuffered: number;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(opts: SseHubOptions = {}) {
    this.maxClients = opts.maxClients ?? MAX_SSE_CLIENTS;
    this.maxBuffered = opts.maxBufferedBytes ?? SSE_MAX_BUFFERED_BYTES;
    this.heartbeat = setInterval(() => this.sendRaw(': ping\n\n'), opts.heartbeatMs ?? SSE_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * Takes over the response as an event stream and writes `first` (already
   * framed) before any broadcast. False, with nothing written, when full.
   */
  add(req: Request, res: Response, first: string): boolean {
    if (this.clients.size >= this.maxClients) return false;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    this.clients.add(res);
    const drop = (): void => {
      this.clients.delete(res);
    };
    res.on('close', drop);
    res.on('error', drop);
    this.write(res, `retry: ${SSE_RETRY_MS}\n\n` + first);
    return true;
  }

  broadcast(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.sendRaw(sseFrame(event, data));
  }

  /** Ends every stream and stops the heartbeat. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private sendRaw(frame: string): void {
    for (const res of this.clients) this.write(res, frame);
  }

  private write(res: Response, frame: string): void {
    if (res.writableLength > this.maxBuffered) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    res.write(frame);
  }
}
