/**
 * A hardened HTTP/1.1 server for UPnP description, control (SOAP) and
 * eventing (GENA): node:http with a routing table of exact paths, and limits
 * that hostile clients cannot push past.
 *
 * API:
 *   new UpnpHttpServer(opts: UpnpHttpServerOptions)
 *     .route(method, path, handler)        exact path (case-insensitive, query ignored); GET also serves HEAD
 *     .routePrefix(method, prefix, handler) one more path segment after `prefix`, given to the handler as `tail`
 *     .start(): Promise<{ address, port }>
 *     .baseUrl                   "http://address:port" once started
 *     .close(): Promise<void>    stops listening and drops every connection
 *   UpnpRouteHandler (req, res, match: { tail }) => void | Promise<void>   a throw or rejection answers 500
 *   readRequestBody(req, maxBytes): Promise<Buffer>   throws HttpError (413 / 400 / 408)
 *   sendHttpError(res, err)      writes a short text/plain error with the right status
 *   sendBody(res, status, contentType, body, headers?)   a complete answer with its Content-Length, one writeHead
 *   sendEmpty(res, status, headers?)   the same without a body
 *   UpnpServerResponse           every response of the server: carries its Server / Connection headers
 *   HttpError (status, code)
 *   HTTP_* named limits
 *
 * Why not express (which the web console uses): a UPnP device serves four
 * fixed paths, and express's router, request/response prototypes and
 * send() were 34 % of `wpsd ap`'s CPU on the SOAP path and ~12 MiB of its
 * resident memory (bench/README.md, "Levers"). The routing table here is a
 * Map lookup; nothing express did for these paths (content negotiation,
 * ETags, charset rewriting) is wanted by a UPnP peer.
 *
 * Hardening (hostapd's web server for comparison: 10 connections, 8000-byte
 * requests, 30 s per connection):
 *   - HTTP/1.1 requests without Host get 400 (node's requireHostHeader);
 *   - header block larger than maxHeaderBytes gets 431 (node's maxHeaderSize);
 *   - bodies larger than maxBodyBytes get 413, announced or streamed;
 *   - Content-Length together with Transfer-Encoding, or an invalid one, gets 400
 *     (llhttp); a body shorter than its Content-Length runs into the request timeout;
 *   - headers must arrive within headersTimeoutMs, the whole request within
 *     requestTimeoutMs (408), idle keep-alive connections close after idleTimeoutMs;
 *   - at most maxConnectionsPerSource open connections from one address: its
 *     next one gets 503 and is closed, so a slowloris or reconnect flood from
 *     one host only ever competes with itself;
 *   - maxConnections open in all: a new connection replaces one chosen by
 *     pickEviction (of the address holding the most, remote before local,
 *     one that never completed a request before one that did, oldest first);
 *   - at most maxRequestsPerConnection requests per connection; pipelined
 *     requests beyond it get 503 without reaching a handler.
 *
 * The limits sit on node:http's 'connection' and 'request' events.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Logger, silentLogger } from '../common/log.js';
import { normalizeAddress } from './net-address.js';
import { isLocalPeer, pickEviction } from './source-limits.js';
import { WpsdError } from '../common/errors.js';

/** Request bodies (SOAP, NOTIFY) larger than this get 413. hostapd allows 8000 bytes per request. */
export const HTTP_MAX_BODY_BYTES = 64 * 1024;
/** Total size of the request line and headers; node's default is 16 KiB. */
export const HTTP_MAX_HEADER_BYTES = 8 * 1024;
/**
 * Simultaneous connections in all; hostapd allows 10 and refuses the 11th.
 * Ours are bounded per source as well and a full table evicts, so more can
 * be kept without one host filling them.
 */
export const HTTP_MAX_CONNECTIONS = 32;
/**
 * Simultaneous connections from one address (hostapd: no per-source bound).
 * wpa_supplicant's ER opens one per request; wpsd's keeps a few alive and,
 * enrolling many stations through the proxy, sends PutWLANResponses for
 * several at once. Half the table: a flood from one host leaves the other
 * half to everyone else.
 */
export const HTTP_MAX_CONNECTIONS_PER_SOURCE = 16;
/**
 * Requests served on one connection; pipelined ones beyond it get 503
 * (node's maxRequestsPerSocket), and the last answer says Connection: close.
 * hostapd serves one per connection and closes it; 16 keeps a keep-alive
 * client's reconnects rare while 500 pipelined requests cost 16 handler runs.
 */
export const HTTP_MAX_REQUESTS_PER_CONNECTION = 16;
/** Headers must be complete within this time (slowloris). */
export const HTTP_HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included, must arrive within this time; hostapd: 30 s. */
export const HTTP_REQUEST_TIMEOUT_MS = 30_000;
/** An idle keep-alive connection is closed after this time. */
export const HTTP_IDLE_TIMEOUT_MS = 5_000;

export type HttpErrorCode = 'BODY_TOO_LARGE' | 'BAD_REQUEST' | 'TIMEOUT' | 'ABORTED';

export class HttpError extends WpsdError<HttpErrorCode> {
  readonly status: number;
  constructor(status: number, code: HttpErrorCode, message: string) {
    super(code, message);
    this.status = status;
  }
}

export interface UpnpHttpServerOptions {
  /** IP address to listen on; 127.0.0.1 unless the caller names an interface address. */
  host?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  maxBodyBytes?: number;
  maxHeaderBytes?: number;
  maxConnections?: number;
  maxConnectionsPerSource?: number;
  maxRequestsPerConnection?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** SERVER header value, e.g. "Linux/6 UPnP/1.0 wpsd/0.1". */
  serverHeader?: string;
  /** Every answer says `Connection: close`, as hostapd's device does (one request per connection). */
  closeEachConnection?: boolean;
  logger?: Logger;
}

/** What a routed request matched: `tail` is the segment after a prefix route's prefix (empty for exact routes). */
export interface UpnpRouteMatch {
  tail: string;
}

export type UpnpRouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, match: UpnpRouteMatch) => void | Promise<void>;

/** A request target's path without query or one trailing slash (routes compare it case-insensitively). */
function targetPath(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function routePath(url: string): string {
  return targetPath(url).toLowerCase();
}

/**
 * Every response of a UpnpHttpServer: it carries the server's own headers
 * (Server, Connection: close) as a flat [name, value, ...] list on its
 * class's prototype, so that a complete answer (`sendBody`) is one
 * writeHead with a flat header list: no per-request header object, and a
 * string body goes out with the head in one write. Anything answering
 * another way (setHeader, writeHead, end) still gets the server's headers
 * through writeHead, which end() calls too.
 */
export class UpnpServerResponse extends http.ServerResponse<http.IncomingMessage> {
  declare readonly serverHeaders: readonly string[];

  override writeHead(statusCode: number, reasonOrHeaders?: string | http.OutgoingHttpHeaders | http.OutgoingHttpHeader[], headers?: http.OutgoingHttpHeaders | http.OutgoingHttpHeader[]): this {
    const own = this.serverHeaders;
    for (let i = 0; i < own.length; i += 2) {
      const name = own[i] as string;
      if (!this.hasHeader(name)) this.setHeader(name, own[i + 1] as string);
    }
    return writeHeadAsNode(this, statusCode, reasonOrHeaders, headers);
  }
}

const nodeWriteHead = http.ServerResponse.prototype.writeHead as (
  this: http.ServerResponse,
  statusCode: number,
  reasonOrHeaders?: string | http.OutgoingHttpHeaders | http.OutgoingHttpHeader[],
  headers?: http.OutgoingHttpHeaders | http.OutgoingHttpHeader[],
) => http.ServerResponse;

function writeHeadAsNode<R extends http.ServerResponse>(res: R, statusCode: number, a?: string | http.OutgoingHttpHeaders | http.OutgoingHttpHeader[], b?: http.OutgoingHttpHeaders | http.OutgoingHttpHeader[]): R {
  nodeWriteHead.call(res, statusCode, a, b);
  return res;
}

/** A response class for one server, its headers on the prototype (nothing per request). */
function responseClass(serverHeaders: readonly string[]): typeof UpnpServerResponse {
  const cls = class extends UpnpServerResponse {};
  Object.defineProperty(cls.prototype, 'serverHeaders', { value: Object.freeze([...serverHeaders]) });
  return cls;
}

/**
 * The head of a complete answer as a flat list: the server's headers first
 * (one the caller also names takes its place, with the caller's spelling
 * and value), then the caller's, in order.
 */
function headList(res: http.ServerResponse, extra: readonly string[]): string[] {
  const own = res instanceof UpnpServerResponse ? res.serverHeaders : [];
  if (own.length === 0) return extra as string[];
  const out: string[] = [];
  const taken: number[] = [];
  for (let i = 0; i < own.length; i += 2) {
    const name = (own[i] as string).toLowerCase();
    let at = -1;
    for (let j = 0; j < extra.length; j += 2) if ((extra[j] as string).toLowerCase() === name) at = j;
    if (at === -1) out.push(own[i] as string, own[i + 1] as string);
    else {
      out.push(extra[at] as string, extra[at + 1] as string);
      taken.push(at);
    }
  }
  for (let j = 0; j < extra.length; j += 2) if (!taken.includes(j)) out.push(extra[j] as string, extra[j + 1] as string);
  return out;
}

/**
 * A complete answer: status, the server's headers, `headers` (a flat
 * [name, value, ...] list), Content-Type and Content-Length, then the body.
 * A string body is written with the head in one write (node:http joins
 * them), a Buffer in a second chunk.
 */
export function sendBody(res: http.ServerResponse, status: number, contentType: string, body: string | Buffer, headers: readonly string[] = []): void {
  const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  writeHeadAsNode(res, status, headList(res, [...headers, 'Content-Type', contentType, 'Content-Length', String(length)]));
  res.end(body);
}

/** A complete answer without a body (Content-Length: 0). */
export function sendEmpty(res: http.ServerResponse, status: number, headers: readonly string[] = []): void {
  writeHeadAsNode(res, status, headList(res, [...headers, 'Content-Length', '0']));
  res.end();
}

const BUSY_RESPONSE = 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n\r\ntoo many connections';

/** Reads the whole body, refusing more than maxBytes; never buffers past the limit. */
export function readRequestBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) {
      reject(new HttpError(413, 'BODY_TOO_LARGE', `body of ${declared} bytes exceeds the limit of ${maxBytes}`));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (err: Error | null, body?: Buffer): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) {
        // Stop reading; the connection is closed after the error response.
        req.resume();
        reject(err);
      } else resolve(body ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) finish(new HttpError(413, 'BODY_TOO_LARGE', `body exceeds the limit of ${maxBytes} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(null, Buffer.concat(chunks, total));
    const onError = (e: Error): void => finish(new HttpError(400, 'BAD_REQUEST', `request body: ${e.message}`));
    const onAborted = (): void => finish(new HttpError(400, 'ABORTED', 'request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** Writes an HttpError (or a 500 for anything else) and closes the connection. */
export function sendHttpError(res: http.ServerResponse, err: unknown): void {
  const status = err instanceof HttpError ? err.status : 500;
  const text = err instanceof HttpError ? err.message : 'internal error';
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendBody(res, status, 'text/plain; charset="utf-8"', text + '\n', ['Connection', 'close']);
}

export class UpnpHttpServer {
  private readonly server: http.Server<typeof http.IncomingMessage, typeof UpnpServerResponse>;
  /** "METHOD path" -> handler, and "METHOD prefix/" -> handler for prefix routes. */
  private readonly routes = new Map<string, UpnpRouteHandler>();
  private readonly prefixRoutes = new Map<string, UpnpRouteHandler>();
  private readonly sockets = new Map<Socket, { source: string; since: number; requests: number }>();
  /** Connections refused (per-source limit) and evicted (table full), for tests and the bench. */
  readonly stats = { refused: 0, evicted: 0 };
  private readonly log: Logger;
  private readonly opts: Required<Omit<UpnpHttpServerOptions, 'logger' | 'serverHeader'>> & { serverHeader?: string };
  private bound: AddressInfo | undefined;

  constructor(opts: UpnpHttpServerOptions = {}) {
    this.log = opts.logger ?? silentLogger;
    this.opts = {
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 0,
      maxBodyBytes: opts.maxBodyBytes ?? HTTP_MAX_BODY_BYTES,
      maxHeaderBytes: opts.maxHeaderBytes ?? HTTP_MAX_HEADER_BYTES,
      maxConnections: opts.maxConnections ?? HTTP_MAX_CONNECTIONS,
      maxConnectionsPerSource: opts.maxConnectionsPerSource ?? HTTP_MAX_CONNECTIONS_PER_SOURCE,
      maxRequestsPerConnection: opts.maxRequestsPerConnection ?? HTTP_MAX_REQUESTS_PER_CONNECTION,
      headersTimeoutMs: opts.headersTimeoutMs ?? HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: opts.requestTimeoutMs ?? HTTP_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: opts.idleTimeoutMs ?? HTTP_IDLE_TIMEOUT_MS,
      closeEachConnection: opts.closeEachConnection ?? false,
      ...(opts.serverHeader !== undefined ? { serverHeader: opts.serverHeader } : {}),
    };
    const serverHeaders: string[] = [];
    if (this.opts.serverHeader !== undefined) serverHeaders.push('Server', this.opts.serverHeader);
    if (this.opts.closeEachConnection) serverHeaders.push('Connection', 'close');
    this.server = http.createServer(
      {
        ServerResponse: responseClass(serverHeaders),
        maxHeaderSize: this.opts.maxHeaderBytes,
        requireHostHeader: true,
        headersTimeout: this.opts.headersTimeoutMs,
        requestTimeout: this.opts.requestTimeoutMs,
        keepAliveTimeout: this.opts.idleTimeoutMs,
        // node checks header/request deadlines on this period (30 s by default, too coarse for slowloris).
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(this.opts.headersTimeoutMs / 2))),
        // Chunk extensions and pipelined junk are bounded by llhttp; lenient parsing stays off.
        insecureHTTPParser: false,
      },
      (req, res) => {
        const info = this.sockets.get(req.socket);
        if (info) info.requests++;
        this.dispatch(req, res);
      },
    );
    this.server.maxRequestsPerSocket = this.opts.maxRequestsPerConnection;
    this.server.on('connection', (socket: Socket) => this.onConnection(socket));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket));
    // headersTimeout/requestTimeout answer 408 first; a socket still silent a second later is destroyed.
    this.server.setTimeout(this.opts.requestTimeoutMs + 1000, (socket: Socket) => socket.destroy());
  }

  /** Serves `method` on `path` exactly (case-insensitive, query and one trailing slash ignored). */
  route(method: string, path: string, handler: UpnpRouteHandler): void {
    this.routes.set(`${method.toUpperCase()} ${routePath(path)}`, handler);
  }

  /** Serves `method` on `prefix` followed by one more path segment (e.g. an event callback's token). */
  routePrefix(method: string, prefix: string, handler: UpnpRouteHandler): void {
    const p = routePath(prefix);
    this.prefixRoutes.set(`${method.toUpperCase()} ${p.endsWith('/') ? p : p + '/'}`, handler);
  }

  private lookup(method: string, raw: string): { handler: UpnpRouteHandler; tail: string } | undefined {
    const path = raw.toLowerCase();
    const exact = this.routes.get(`${method} ${path}`) ?? (method === 'HEAD' ? this.routes.get(`GET ${path}`) : undefined);
    if (exact !== undefined) return { handler: exact, tail: '' };
    const slash = path.lastIndexOf('/');
    if (slash <= 0 || slash === path.length - 1) return undefined;
    const handler = this.prefixRoutes.get(`${method} ${path.slice(0, slash + 1)}`);
    return handler === undefined ? undefined : { handler, tail: raw.slice(slash + 1) };
  }

  private dispatch(req: http.IncomingMessage, res: http.ServerResponse): void {
    const found = this.lookup(req.method ?? '', targetPath(req.url ?? '/'));
    if (found === undefined) {
      req.resume();
      sendBody(res, 404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }
    const failed = (err: unknown): void => {
      if (!(err instanceof HttpError)) this.log.warn(`http: handler failed: ${(err as Error)?.message ?? String(err)}`);
      sendHttpError(res, err);
    };
    try {
      const out = found.handler(req, res, { tail: found.tail });
      if (out instanceof Promise) out.catch(failed);
    } catch (e) {
      failed(e);
    }
  }

  private onConnection(socket: Socket): void {
    const source = normalizeAddress(socket.remoteAddress);
    let own = 0;
    for (const c of this.sockets.values()) if (c.source === source) own++;
    if (own >= this.opts.maxConnectionsPerSource) {
      this.stats.refused++;
      this.log.debug(`http: refusing connection from ${source}: ${own} open from there`);
      this.refuse(socket);
      return;
    }
    if (this.sockets.size >= this.opts.maxConnections) {
      const local = normalizeAddress(socket.localAddress);
      const victim = pickEviction(this.sockets.keys(), (s) => {
        const c = this.sockets.get(s) as { source: string; since: number; requests: number };
        return { source: c.source, local: isLocalPeer(c.source, local), established: c.requests > 0, since: c.since };
      });
      if (victim === undefined) {
        this.stats.refused++;
        this.refuse(socket);
        return;
      }
      this.stats.evicted++;
      this.log.debug(`http: ${this.sockets.size} connections open; closing one from ${this.sockets.get(victim)?.source ?? '?'} for ${source}`);
      this.sockets.delete(victim);
      victim.destroy();
    }
    this.sockets.set(socket, { source, since: performance.now(), requests: 0 });
    socket.on('close', () => this.sockets.delete(socket));
  }

  private refuse(socket: Socket): void {
    socket.on('error', () => undefined);
    socket.end(BUSY_RESPONSE);
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    this.log.debug(`http: client error from ${socket.remoteAddress}: ${err.code ?? ''} ${err.message}`);
    // Like node's default: answer unless a response has already started on this socket.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    let status = '400 Bad Request';
    if (err.code === 'HPE_HEADER_OVERFLOW') status = '431 Request Header Fields Too Large';
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') status = '408 Request Timeout';
    const text = status.slice(4).toLowerCase();
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
  }

  /** The configured body limit, for handlers that call readRequestBody. */
  get maxBodyBytes(): number {
    return this.opts.maxBodyBytes;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Listens; add every route before calling this. */
  start(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => this.log.warn(`http: server error: ${e.message}`));
        this.bound = this.server.address() as AddressInfo;
        this.log.debug(`http: listening on ${this.bound.address}:${this.bound.port}`);
        resolve(this.bound);
      });
    });
  }

  get baseUrl(): string {
    if (!this.bound) throw new Error('UpnpHttpServer: not started');
    const host = this.bound.family === 'IPv6' ? `[${this.bound.address}]` : this.bound.address;
    return `http://${host}:${this.bound.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        for (const s of this.sockets.keys()) s.destroy();
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.sockets.keys()) s.destroy();
    });
  }
}
