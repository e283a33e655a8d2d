/**
 * GENA subscriber for control points (UDA 1.0 section 4): subscribes to a
 * device's eventSubURL with a callback served by its own small HTTP
 * listener, renews before the subscription runs out, receives NOTIFY,
 * checks SID and SEQ and hands each property set to the caller.
 *
 * API:
 *   new GenaSubscriber({ address, port?, logger?, timeoutSec? })
 *     .start(): Promise<void>                     starts the callback listener on address
 *     .subscribe(eventSubUrl, handlers, opts?): Promise<GenaSubscription>
 *     .unsubscribe(sub): Promise<void>            UNSUBSCRIBE (best effort) and forget it
 *     .close(): Promise<void>                     unsubscribes everything, stops the listener
 *   GenaSubscription { sid, eventSubUrl, callbackUrl, timeoutSec, expiresAt }
 *   GenaEventHandlers { onEvent(props, info), onLost?(reason) }
 *   GenaSubscribeError (code, status?)
 *
 * NOTIFY handling: from an address other than the publisher's (the host of
 * eventSubURL, when it is an IP literal) -> 412 before the body is read, so
 * a host that learnt the callback path and SID cannot inject events (UDA
 * 1.0 does not require the check; wpa_supplicant's ER does not make it);
 * unknown SID or a callback path that is not ours -> 412;
 * wrong NT/NTS -> 400; unparsable body -> 400 and nothing delivered. SEQ must
 * start at 0 and count up; a jump is reported as info.seqGap (the event is
 * still delivered: a lost NOTIFY must not hide the next one).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';
import { Logger, silentLogger } from '../common/log.js';
import { GenaError, parsePropertySet, parseSidHeader, GENA_MAX_PROPERTYSET_BYTES } from './gena-headers.js';
import { httpRequest } from './http-client.js';
import { HTTP_MAX_CONNECTIONS, UpnpHttpServer, readRequestBody, sendHttpError } from './http-server.js';
import { normalizeAddress } from './net-address.js';
import net from 'node:net';
import { WpsdError } from '../common/errors.js';

export const GENA_SUBSCRIBE_TIMEOUT_SEC = 1800;
/** Renew when this fraction of the granted time has passed. */
export const GENA_RENEW_FRACTION = 0.5;
/** Requests to the publisher must complete within this time. */
export const GENA_REQUEST_TIMEOUT_MS = 10_000;
/** At most this many subscriptions per subscriber instance. */
export const GENA_MAX_SUBSCRIPTIONS = 256;
/**
 * NOTIFY answers keep their connection open (so a publisher may pipeline
 * the next events on it) only while fewer connections than this are open:
 * with many publishers (a fleet of APs), idle kept connections would fill
 * the server's table (HTTP_MAX_CONNECTIONS) and evict each other, so past
 * half of it the answers say `Connection: close`, as they always did.
 */
export const GENA_KEEP_ALIVE_CONNECTIONS = HTTP_MAX_CONNECTIONS / 2;

export type GenaSubscribeErrorCode = 'REFUSED' | 'BAD_RESPONSE' | 'LIMIT' | 'NOT_STARTED';

export class GenaSubscribeError extends WpsdError<GenaSubscribeErrorCode> {
  readonly status: number | undefined;
  constructor(code: GenaSubscribeErrorCode, message: string, status?: number) {
    super(code, message);
    this.status = status;
  }
}

export interface GenaEventInfo {
  sid: string;
  seq: number;
  /** True when SEQ was not the expected next value (events were lost or reordered). */
  seqGap: boolean;
  remoteAddress: string;
}

export interface GenaEventHandlers {
  onEvent: (props: Record<string, string>, info: GenaEventInfo) => void;
  /** The subscription could not be renewed and is gone. */
  onLost?: (reason: string) => void;
}

export interface GenaSubscription {
  readonly sid: string;
  readonly eventSubUrl: string;
  readonly callbackUrl: string;
  readonly timeoutSec: number;
  readonly expiresAt: number;
}

interface Entry {
  token: string;
  sid: string;
  eventSubUrl: string;
  /** The publisher's address: NOTIFYs from anywhere else are refused (undefined for a host name). */
  publisher: string | undefined;
  callbackUrl: string;
  timeoutSec: number;
  expiresAt: number;
  expectedSeq: number;
  handlers: GenaEventHandlers;
  renewTimer: NodeJS.Timeout | undefined;
  requestedTimeoutSec: number;
  active: boolean;
}

export interface GenaSubscriberOptions {
  /** Address for the callback listener: the ER's interface address. */
  address: string;
  port?: number;
  timeoutSec?: number;
  requireIpLiteral?: boolean;
  logger?: Logger;
  now?: () => number;
}

function toPublic(e: Entry): GenaSubscription {
  return { sid: e.sid, eventSubUrl: e.eventSubUrl, callbackUrl: e.callbackUrl, timeoutSec: e.timeoutSec, expiresAt: e.expiresAt };
}

export class GenaSubscriber {
  private readonly http: UpnpHttpServer;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly byToken = new Map<string, Entry>();
  private readonly bySid = new Map<string, Entry>();
  private started = false;

  constructor(private readonly opts: GenaSubscriberOptions) {
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.http = new UpnpHttpServer({ host: opts.address, port: opts.port ?? 0, logger: this.log });
    this.http.routePrefix('NOTIFY', '/event/', (req, res, match) => this.onNotify(req, res, match.tail));
  }

  async start(): Promise<void> {
    await this.http.start();
    this.started = true;
  }

  get subscriptions(): GenaSubscription[] {
    return [...this.bySid.values()].map(toPublic);
  }

  async subscribe(eventSubUrl: string, handlers: GenaEventHandlers, opts: { timeoutSec?: number } = {}): Promise<GenaSubscription> {
    if (!this.started) throw new GenaSubscribeError('NOT_STARTED', 'GenaSubscriber.start() first');
    if (this.byToken.size >= GENA_MAX_SUBSCRIPTIONS) throw new GenaSubscribeError('LIMIT', `more than ${GENA_MAX_SUBSCRIPTIONS} subscriptions`);
    const token = randomBytes(12).toString('hex');
    const callbackUrl = `${this.http.baseUrl}/event/${token}`;
    const requested = opts.timeoutSec ?? this.opts.timeoutSec ?? GENA_SUBSCRIBE_TIMEOUT_SEC;
    const entry: Entry = {
      token,
      sid: '',
      eventSubUrl,
      publisher: publisherAddress(eventSubUrl),
      callbackUrl,
      timeoutSec: requested,
      expiresAt: 0,
      expectedSeq: 0,
      handlers,
      renewTimer: undefined,
      requestedTimeoutSec: requested,
      active: true,
    };
    // Registered before the request: the initial NOTIFY can arrive before our SUBSCRIBE completes.
    this.byToken.set(token, entry);
    try {
      const { sid, timeoutSec } = await this.request(eventSubUrl, {
        callback: `<${callbackUrl}>`,
        nt: 'upnp:event',
        timeout: `Second-${requested}`,
      });
      entry.sid = sid;
      this.bySid.set(sid, entry);
      this.granted(entry, timeoutSec);
      this.log.debug(`gena: subscribed to ${eventSubUrl} as ${sid} for ${timeoutSec} s`);
      return toPublic(entry);
    } catch (e) {
      this.byToken.delete(token);
      entry.active = false;
      throw e;
    }
  }

  async unsubscribe(sub: GenaSubscription): Promise<void> {
    const e = this.bySid.get(sub.sid);
    if (e === undefined) return;
    this.forget(e);
    try {
      const res = await httpRequest(e.eventSubUrl, {
        method: 'UNSUBSCRIBE',
        headers: { sid: e.sid },
        timeoutMs: GENA_REQUEST_TIMEOUT_MS,
        maxResponseBytes: 4096,
        requireIpLiteral: this.opts.requireIpLiteral ?? false,
      });
      if (res.status !== 200) this.log.debug(`gena: UNSUBSCRIBE ${e.sid} answered ${res.status}`);
    } catch (err) {
      this.log.debug(`gena: UNSUBSCRIBE ${e.sid} failed: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.bySid.values()].map((e) => this.unsubscribe(toPublic(e))));
    for (const e of this.byToken.values()) this.forget(e);
    await this.http.close();
    this.started = false;
  }

  private forget(e: Entry): void {
    e.active = false;
    if (e.renewTimer) clearTimeout(e.renewTimer);
    e.renewTimer = undefined;
    this.byToken.delete(e.token);
    if (e.sid !== '') this.bySid.delete(e.sid);
  }

  private granted(e: Entry, timeoutSec: number): void {
    e.timeoutSec = timeoutSec;
    e.expiresAt = this.now() + timeoutSec * 1000;
    if (e.renewTimer) clearTimeout(e.renewTimer);
    e.renewTimer = setTimeout(() => void this.renew(e), Math.max(1, timeoutSec * 1000 * GENA_RENEW_FRACTION));
    e.renewTimer.unref();
  }

  /** Renews with SID only; if the publisher forgot us (412), subscribes afresh once. */
  private async renew(e: Entry): Promise<void> {
    if (!e.active) return;
    try {
      const { timeoutSec } = await this.request(e.eventSubUrl, { sid: e.sid, timeout: `Second-${e.requestedTimeoutSec}` }, e.sid);
      if (!e.active) return;
      this.granted(e, timeoutSec);
      this.log.debug(`gena: renewed ${e.sid} for ${timeoutSec} s`);
      return;
    } catch (err) {
      this.log.debug(`gena: renewal of ${e.sid} failed: ${(err as Error).message}`);
    }
    if (!e.active) return;
    try {
      const { sid, timeoutSec } = await this.request(e.eventSubUrl, {
        callback: `<${e.callbackUrl}>`,
        nt: 'upnp:event',
        timeout: `Second-${e.requestedTimeoutSec}`,
      });
      if (!e.active) return;
      this.bySid.delete(e.sid);
      e.sid = sid;
      e.expectedSeq = 0;
      this.bySid.set(sid, e);
      this.granted(e, timeoutSec);
    } catch (err) {
      this.forget(e);
      const onLost = e.handlers.onLost;
      if (onLost !== undefined) this.callHandler('onLost', () => onLost(`cannot renew subscription: ${(err as Error).message}`));
    }
  }

  private async request(url: string, headers: Record<string, string>, expectSid?: string): Promise<{ sid: string; timeoutSec: number }> {
    const res = await httpRequest(url, {
      method: 'SUBSCRIBE',
      headers,
      timeoutMs: GENA_REQUEST_TIMEOUT_MS,
      maxResponseBytes: 4096,
      requireIpLiteral: this.opts.requireIpLiteral ?? false,
    });
    if (res.status !== 200) throw new GenaSubscribeError('REFUSED', `SUBSCRIBE ${url}: HTTP ${res.status}`, res.status);
    let sid: string;
    try {
      sid = parseSidHeader(res.headers['sid']);
    } catch (e) {
      throw new GenaSubscribeError('BAD_RESPONSE', `SUBSCRIBE ${url}: ${(e as GenaError).message}`);
    }
    if (expectSid !== undefined && sid !== expectSid) throw new GenaSubscribeError('BAD_RESPONSE', `SUBSCRIBE ${url}: renewal returned another SID`);
    const m = /^second-(\d{1,10})$/i.exec(res.headers['timeout']?.trim() ?? '');
    // A missing or "infinite" TIMEOUT: renew on our own schedule anyway.
    const timeoutSec = m && m[1] !== undefined && Number(m[1]) > 0 ? Number(m[1]) : GENA_SUBSCRIBE_TIMEOUT_SEC;
    return { sid, timeoutSec };
  }

  private async onNotify(req: Request, res: Response, token: string): Promise<void> {
    const e = this.byToken.get(token);
    const from = normalizeAddress(req.socket.remoteAddress);
    if (e !== undefined && e.publisher !== undefined && from !== e.publisher) {
      this.log.info(`gena: NOTIFY for ${e.eventSubUrl} from ${from}, not the publisher ${e.publisher}: refused`);
      res.writeHead(412, { Connection: 'close' }).end();
      return;
    }
    let body: Buffer;
    try {
      body = await readRequestBody(req, GENA_MAX_PROPERTYSET_BYTES);
    } catch (err) {
      sendHttpError(res, err);
      return;
    }
    const sid = (req.headers['sid'] as string | undefined)?.trim();
    if (e === undefined || !e.active || sid === undefined || (e.sid !== '' && e.sid !== sid)) {
      res.writeHead(412, { Connection: 'close' }).end();
      return;
    }
    if (req.headers['nt'] !== 'upnp:event' || req.headers['nts'] !== 'upnp:propchange') {
      res.writeHead(400, { Connection: 'close' }).end();
      return;
    }
    const seqText = (req.headers['seq'] as string | undefined)?.trim() ?? '';
    if (!/^\d{1,10}$/.test(seqText) || Number(seqText) > 0xffffffff) {
      res.writeHead(400, { Connection: 'close' }).end();
      return;
    }
    let props: Record<string, string>;
    try {
      props = parsePropertySet(body);
    } catch (err) {
      this.log.debug(`gena: bad NOTIFY body for ${sid}: ${(err as Error).message}`);
      res.writeHead(400, { Connection: 'close' }).end();
      return;
    }
    // The initial NOTIFY can arrive before the SUBSCRIBE response told us the SID.
    if (e.sid === '') {
      e.sid = sid;
      this.bySid.set(sid, e);
    }
    const seq = Number(seqText);
    const seqGap = seq !== e.expectedSeq;
    e.expectedSeq = seq === 0xffffffff ? 1 : seq + 1;
    // The connection stays open, table permitting: a publisher may send the next NOTIFYs on it, pipelined in SEQ order.
    if (this.http.connectionCount <= GENA_KEEP_ALIVE_CONNECTIONS) res.writeHead(200, { 'Content-Length': '0' }).end();
    else res.writeHead(200, { Connection: 'close' }).end();
    this.callHandler('event', () => e.handlers.onEvent(props, { sid, seq, seqGap, remoteAddress: req.socket.remoteAddress ?? '' }));
  }

  /**
   * Runs a caller's handler from a NOTIFY or a renewal timer: a throw, or a
   * rejected promise from an async handler, is logged and goes no further
   * (an unhandled rejection would end the process).
   */
  private callHandler(what: string, run: () => unknown): void {
    const report = (err: unknown): void => this.log.warn(`gena: ${what} handler failed: ${err instanceof Error ? err.message : String(err)}`);
    try {
      const r = run();
      if (r instanceof Promise) r.catch(report);
    } catch (err) {
      report(err);
    }
  }
}

/** The IP address in a URL's host, or undefined for a host name or a bad URL. */
function publisherAddress(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  return net.isIP(bare) === 0 ? undefined : normalizeAddress(bare);
}
