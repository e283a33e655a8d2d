/**
 * Bounded HTTP requests for control points and event publishers.
 *
 * API:
 *   httpRequest(url, opts?): Promise<HttpResponse>   throws HttpClientError
 *   HttpResponse { status, headers (lower-case names), body: Buffer }
 *   HttpClientError (code: 'INVALID_URL' | 'HOSTNAME_REFUSED' | 'TIMEOUT' | 'TOO_LARGE' | 'NETWORK' | 'REDIRECT' | 'BUSY')
 *   HTTP_CLIENT_* named limits
 *
 * Every request has a total deadline and a response size cap, never follows
 * redirects (a 3xx is an error), and with requireIpLiteral refuses URLs that
 * name a host instead of an address (a device description must not make us
 * resolve names; the caller decides when that applies).
 *
 * Requests go over a new connection each, like hostapd's UPnP client: every
 * one says `Connection: close` (hostapd closes after each answer anyway).
 * These go through node:http, one Agent (no keep-alive, at most
 * HTTP_CLIENT_CONNECTIONS_PER_ORIGIN connections per origin, further
 * requests wait for one within their deadline): under the daemons' V8
 * flags (Sparkplug only) an ER learns Debian hostapd 0.4-0.7 ms sooner
 * (median) than through undici's Pool with its dispatch handler (a round
 * trip in a hot loop: 0.49 against 0.54 ms of CPU), and an ER that never
 * loads undici (WebAssembly parser; node:http's is in the binary) is
 * 3.6 MiB smaller at idle (bench/README.md, "fourth session").
 *
 * `ordered` requests (GENA NOTIFY) to one origin go in the order they were
 * made, one at a time, each the moment the one before is answered, over
 * one kept-alive connection (node:http, its own Agent): a peer that answers
 * `Connection: close` gets a new connection for the next one, and a request
 * that finds its kept connection closed under it before any answer is sent
 * once more, ahead of the ones behind it. node:http does not pipeline;
 * undici's pipelined Pool did, and cost `wpsd ap` ~6 MiB of resident
 * memory for its WebAssembly parser, which no other part of the AP needs
 * (bench/README.md, "Resident memory", fourth session).
 */
import http from 'node:http';
import net from 'node:net';
import { WpsdError } from '../common/errors.js';

/** Whole request, connect to last body byte. */
export const HTTP_CLIENT_TIMEOUT_MS = 10_000;
/** Largest response body accepted. */
export const HTTP_CLIENT_MAX_RESPONSE_BYTES = 64 * 1024;
/**
 * Kept-alive connections of ordered requests, all origins together (one
 * per origin): a 32-AP fleet's event callbacks fit; beyond it an idle one
 * is closed for a newcomer.
 */
export const HTTP_CLIENT_MAX_ORIGINS = 128;
/**
 * An ordered request's kept connection is closed after this long unused,
 * below the 5 s a Node server keeps one (undici's default is 4 s), so that
 * it is not reused just as the peer closes it; a peer's `Keep-Alive:
 * timeout` shortens it.
 */
export const HTTP_CLIENT_ORDERED_IDLE_MS = 4_000;
/** Connections at once to one origin; further requests wait for one (within their deadline). */
export const HTTP_CLIENT_CONNECTIONS_PER_ORIGIN = 4;
/**
 * Connection-per-request connections at once, all origins together: a
 * 32-AP fleet learned at once with its subscriptions fits; beyond it
 * requests wait for a connection (within their deadline).
 */
export const HTTP_CLIENT_MAX_CONNECTIONS = 128;
/**
 * Ordered requests a caller may hand over to one origin at once: they wait
 * in order and go out one after another on its connection, each as soon as
 * the one before is answered, without waiting for the caller between them
 * (six NOTIFYs per proxied enrollment). hostapd sends one NOTIFY at a time,
 * each on a new connection.
 */
export const HTTP_CLIENT_ORDERED_PIPELINE = 4;
/**
 * Ordered requests waiting for one origin's connection, all callers
 * together; beyond it a request fails at once (BUSY). The GENA publisher's
 * subscribers to one ER (at most 32, each with HTTP_CLIENT_ORDERED_PIPELINE
 * handed over) fit.
 */
export const HTTP_CLIENT_ORDERED_QUEUE = 128;

export type HttpClientErrorCode = 'INVALID_URL' | 'HOSTNAME_REFUSED' | 'TIMEOUT' | 'TOO_LARGE' | 'NETWORK' | 'REDIRECT' | 'BUSY';

export class HttpClientError extends WpsdError<HttpClientErrorCode> {}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Refuse URLs whose host is not an IPv4/IPv6 literal. */
  requireIpLiteral?: boolean;
  /** Abandons the request; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Sent over the origin's one kept-alive connection, after the earlier
   * ordered requests to it (see above); the caller keeps requests that must
   * arrive in order on one origin.
   */
  ordered?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Parses and checks an http: URL; throws HttpClientError. */
export function checkHttpUrl(url: string, requireIpLiteral: boolean): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new HttpClientError('INVALID_URL', `invalid URL "${url}"`);
  }
  if (u.protocol !== 'http:') throw new HttpClientError('INVALID_URL', `URL "${url}" is not http:`);
  if (u.username !== '' || u.password !== '') throw new HttpClientError('INVALID_URL', 'URL with credentials refused');
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (requireIpLiteral && net.isIP(host) === 0) {
    throw new HttpClientError('HOSTNAME_REFUSED', `URL host "${u.hostname}" is not an IP address`);
  }
  return u;
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** The error a failed request ends with, from the transport's error and whether the deadline fired. */
function requestError(e: unknown, what: () => string, timeoutMs: number, timedOut: boolean): unknown {
  if (e instanceof HttpClientError) return e;
  if (timedOut) return new HttpClientError('TIMEOUT', `${what()}: no complete response within ${timeoutMs} ms`);
  return new HttpClientError('NETWORK', `${what()}: ${(e as Error).message}`);
}

/**
 * One request's limits and outcome, whichever transport carries it: the
 * whole-request deadline (one timer), the caller's signal, the size cap and
 * the body gathered from its chunks (no response stream is read through an
 * async iterator: the SOAP round trip is the ER's hot path); both
 * transports report into it.
 */
class Exchange {
  /** Set once the request is over (answered, failed or abandoned): later callbacks change nothing. */
  settled = false;
  private timedOut = false;
  private status = 0;
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private total = 0;
  private readonly timer: NodeJS.Timeout;
  /** Ends the transport's part (set by the transport once it has one). */
  cancel: ((err: Error) => void) | undefined;

  constructor(
    private readonly url: URL,
    private readonly method: string,
    private readonly timeoutMs: number,
    private readonly maxBytes: number,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (r: HttpResponse) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    this.timer = setTimeout(this.onDeadline, timeoutMs);
    // Like AbortSignal.timeout: a pending deadline alone does not keep the process alive (the socket does).
    this.timer.unref();
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Only an error message needs it. */
  private readonly what = (): string => `${this.method} ${this.url.href}`;

  private readonly onDeadline = (): void => {
    this.timedOut = true;
    this.abandon(requestError(undefined, this.what, this.timeoutMs, true));
  };

  private readonly onAbort = (): void => this.abandon(this.signal?.reason);

  private finish(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  /** Ends the request now; the transport is told to stop. */
  abandon(err: unknown): void {
    if (this.settled) return;
    this.finish();
    this.reject(err);
    this.cancel?.(err instanceof Error ? err : new Error(String(err)));
  }

  /** A (re)started attempt: what an earlier one gathered is dropped. */
  restart(): void {
    this.chunks = [];
    this.total = 0;
  }

  /** The status line and headers; false when the request was abandoned for them. */
  head(status: number, headers: Record<string, string>): boolean {
    this.status = status;
    this.headers = headers;
    this.restart();
    const declared = headers['content-length'];
    if (declared !== undefined && Number(declared) > this.maxBytes) {
      this.abandon(new HttpClientError('TOO_LARGE', `response of ${declared} bytes exceeds the limit of ${this.maxBytes}`));
      return false;
    }
    return true;
  }

  data(chunk: Buffer): void {
    if (this.settled) return;
    this.total += chunk.length;
    if (this.total > this.maxBytes) {
      this.abandon(new HttpClientError('TOO_LARGE', `response exceeds the limit of ${this.maxBytes} bytes`));
      return;
    }
    this.chunks.push(chunk);
  }

  end(): void {
    if (this.settled) return;
    this.finish();
    const { status, chunks } = this;
    if (status >= 300 && status < 400) this.reject(new HttpClientError('REDIRECT', `redirect (${status}) not followed`));
    else this.resolve({ status, headers: this.headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.total) });
  }

  error(e: unknown): void {
    if (this.settled) return;
    this.finish();
    this.reject(requestError(e, this.what, this.timeoutMs, this.timedOut));
  }
}

function requestHeaders(opts: HttpRequestOptions, extra: http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { ...opts.headers, ...extra };
  const body = opts.body;
  if (body !== undefined) headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  return headers;
}

/** Sends the request through `agent`, its answer gathered into `ex`; the caller ends it and takes its errors. */
function sendRequest(agent: http.Agent, u: URL, opts: HttpRequestOptions, ex: Exchange, extra: http.OutgoingHttpHeaders): http.ClientRequest {
  const req = http.request({
    agent,
    host: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
    port: u.port === '' ? 80 : Number(u.port),
    path: `${u.pathname}${u.search}`,
    method: opts.method ?? 'GET',
    headers: requestHeaders(opts, extra),
  });
  ex.cancel = (err) => req.destroy(err);
  req.on('response', (res) => {
    // node:http already lower-cases names and joins repeated fields, all but set-cookie.
    const h = res.headers;
    if (!ex.head(res.statusCode ?? 0, h['set-cookie'] === undefined ? (h as Record<string, string>) : flattenHeaders(h))) return;
    res.on('data', (c: Buffer) => ex.data(c));
    res.on('end', () => ex.end());
    res.on('error', (e) => ex.error(e));
    // A connection closed before the body's end (no 'end'); after an end it is the usual close.
    res.on('close', () => {
      if (!ex.settled) ex.error(new Error('connection closed before the end of the response'));
    });
  });
  return req;
}

let onceAgent: http.Agent | undefined;

/** A request on a connection of its own (`Connection: close`). */
function requestOnce(u: URL, opts: HttpRequestOptions, ex: Exchange): void {
  onceAgent ??= new http.Agent({ keepAlive: false, maxSockets: HTTP_CLIENT_CONNECTIONS_PER_ORIGIN, maxTotalSockets: HTTP_CLIENT_MAX_CONNECTIONS });
  const req = sendRequest(onceAgent, u, opts, ex, { connection: 'close' });
  req.on('error', (e) => ex.error(e));
  req.end(opts.body);
}

/**
 * The ordered requests to one origin, in the order made: one on the
 * connection at a time, at most HTTP_CLIENT_ORDERED_QUEUE waiting; an
 * origin with nothing queued or running has no lane.
 */
class OrderedLane {
  private readonly waiting: Array<() => void> = [];
  private running = false;

  constructor(private readonly origin: string) {}

  /** False (nothing queued) when HTTP_CLIENT_ORDERED_QUEUE requests already wait. */
  push(send: () => void): boolean {
    if (this.waiting.length >= HTTP_CLIENT_ORDERED_QUEUE) return false;
    this.waiting.push(send);
    if (!this.running) this.next();
    return true;
  }

  /** The running request is over: the next one goes. */
  next(): void {
    const send = this.waiting.shift();
    if (send === undefined) {
      this.running = false;
      lanes.delete(this.origin);
      return;
    }
    this.running = true;
    send();
  }
}

const lanes = new Map<string, OrderedLane>();
let orderedAgent: http.Agent | undefined;

/** A kept connection the peer closed as this request went out: nothing was answered, it is sent again. */
function closedUnder(req: http.ClientRequest, e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE');
}

/** An ordered request: queued on its origin's lane, sent on the kept connection when its turn comes. */
function requestOrdered(u: URL, opts: HttpRequestOptions, ex: Exchange): void {
  let lane = lanes.get(u.origin);
  if (lane === undefined) {
    lane = new OrderedLane(u.origin);
    lanes.set(u.origin, lane);
  }
  const owner = lane;
  if (!owner.push(() => sendOrdered(u, opts, ex, owner, true))) ex.abandon(new HttpClientError('BUSY', `${u.origin}: ${HTTP_CLIENT_ORDERED_QUEUE} ordered requests already wait`));
}

function sendOrdered(u: URL, opts: HttpRequestOptions, ex: Exchange, lane: OrderedLane, mayResend: boolean): void {
  // Abandoned (deadline, caller's signal) while it waited its turn.
  if (ex.settled) return lane.next();
  orderedAgent ??= new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, maxTotalSockets: HTTP_CLIENT_MAX_ORIGINS, timeout: HTTP_CLIENT_ORDERED_IDLE_MS });
  let over = false;
  const done = (): void => {
    if (over) return;
    over = true;
    lane.next();
  };
  let answered = false;
  const req = sendRequest(orderedAgent, u, opts, ex, {});
  req.on('response', (res) => {
    answered = true;
    res.on('end', done);
  });
  req.on('error', (e) => {
    if (!answered && mayResend && !ex.settled && closedUnder(req, e)) {
      // Ahead of the requests behind it: this attempt hands its turn to the next.
      over = true;
      ex.restart();
      sendOrdered(u, opts, ex, lane, false);
      return;
    }
    ex.error(e);
  });
  // However it ended (answered, failed, abandoned), the lane moves on once.
  req.on('close', done);
  req.end(opts.body);
}

export function httpRequest(url: string, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
  let u: URL;
  try {
    u = checkHttpUrl(url, opts.requireIpLiteral ?? false);
    opts.signal?.throwIfAborted();
  } catch (e) {
    return Promise.reject(e);
  }
  const timeoutMs = opts.timeoutMs ?? HTTP_CLIENT_TIMEOUT_MS;
  return new Promise<HttpResponse>((resolve, reject) => {
    const ex = new Exchange(u, opts.method ?? 'GET', timeoutMs, opts.maxResponseBytes ?? HTTP_CLIENT_MAX_RESPONSE_BYTES, opts.signal, resolve, reject);
    try {
      if (opts.ordered === true) requestOrdered(u, opts, ex);
      else requestOnce(u, opts, ex);
    } catch (e) {
      ex.error(e);
    }
  });
}
