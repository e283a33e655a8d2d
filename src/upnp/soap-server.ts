/**
 * UPnP control endpoint: a route handler that reads a bounded SOAP
 * request, dispatches to the service's action table and answers with the
 * response or a UPnP fault (HTTP 500, UDA 1.0 3.2.2).
 *
 * API:
 *   soapControlHandler(service: SoapService, opts?): UpnpRouteHandler   add with http.route('POST', controlURL, ...)
 *   SoapService { serviceType, actions: Record<name, SoapActionHandler>, optionalActions?: string[], admit? }
 *   SoapActionHandler (args, ctx) => SoapArgs | Promise<SoapArgs>
 *   SoapContext { remoteAddress, headers, afterReply(task) }   afterReply: work the answer need not wait for
 *   UpnpActionError(upnpErrorCode, description?)   throw from a handler to answer with that fault
 *
 * Mapping: unparsable XML or missing SOAPACTION -> HTTP 400; body action not
 * the SOAPACTION one, SOAPACTION naming another service type (the version
 * is not compared), or unknown action -> 401 Invalid Action; an action
 * listed in optionalActions without a handler -> 602; malformed arguments ->
 * 402; a handler throwing anything but UpnpActionError -> 501 Action Failed
 * (logged, details not sent). A service's `admit` refusing the SOAPACTION's
 * action for the caller -> 501, before the body is read: a flood of refused
 * calls then costs no XML parse (the body must name the same action anyway,
 * or it gets 401).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger, LogLevel, silentLogger } from '../common/log.js';
import { normalizeAddress } from './net-address.js';
import { splitTypeVersion } from './urn-type.js';
import { HttpError, readRequestBody, sendBody, sendHttpError } from './http-server.js';
import { SOAP_MAX_BYTES, SoapError, UpnpErrorCode, buildSoapFault, buildSoapResponse, parseSoapAction, parseSoapRequest, upnpErrorDescription, type SoapArgs } from './soap.js';
import { WpsdError } from '../common/errors.js';

export class UpnpActionError extends WpsdError<'UPNP_ACTION_ERROR'> {
  readonly upnpErrorCode: number;
  constructor(upnpErrorCode: number, description: string = upnpErrorDescription(upnpErrorCode)) {
    super('UPNP_ACTION_ERROR', description);
    this.upnpErrorCode = upnpErrorCode;
  }
}

export interface SoapContext {
  /** Address of the control point (IPv4-mapped prefix removed). */
  remoteAddress: string;
  headers: IncomingMessage['headers'];
  /**
   * Runs `task` once the answer has been handed to the socket, still in
   * the same turn (before any other request is read): work the answer does
   * not wait for (events, logs) then stays off the caller's round trip.
   */
  afterReply(task: () => void): void;
}

export type SoapActionHandler = (args: SoapArgs, ctx: SoapContext) => SoapArgs | Promise<SoapArgs>;

export interface SoapService {
  serviceType: string;
  actions: Record<string, SoapActionHandler>;
  /** Actions the SCPD declares optional and this device does not implement (answered with 602). */
  optionalActions?: string[];
  /**
   * Asked with the SOAPACTION header's action before the body is read; an
   * UpnpActionError returned refuses the call with that fault (the body is
   * discarded and the connection closed). For per-source rate limits.
   */
  admit?: (actionName: string, remoteAddress: string) => UpnpActionError | undefined;
}

export interface SoapControlOptions {
  maxBodyBytes?: number;
  logger?: Logger;
}

/** The answer's Content-Type as wpsd has always sent it (express's send() wrote the charset unquoted). */
const XML_CONTENT_TYPE = 'text/xml; charset=utf-8';

/** SOAPACTION's service type names ours: same type, any version, case-insensitive (as hostapd compares it). */
export function sameServiceType(requested: string, ours: string): boolean {
  const a = splitTypeVersion(requested.toLowerCase());
  const b = splitTypeVersion(ours.toLowerCase());
  if (a === undefined || b === undefined) return requested.toLowerCase() === ours.toLowerCase();
  return a.base === b.base;
}

/** UDA 1.0 3.2.1: every control answer carries EXT. */
const EXT_HEADER: readonly string[] = ['EXT', ''];
const CLOSE_AND_EXT: readonly string[] = ['Connection', 'close', 'EXT', ''];

function sendFault(res: ServerResponse, code: number, description?: string, headers: readonly string[] = EXT_HEADER): void {
  sendBody(res, 500, XML_CONTENT_TYPE, buildSoapFault(code, description), headers);
}

/** The service's verdict on the SOAPACTION header's action; an unparsable header is left to the full parse (400). */
function admission(admit: NonNullable<SoapService['admit']>, header: string | undefined, remote: string): UpnpActionError | undefined {
  let action: string;
  try {
    action = parseSoapAction(header).actionName;
  } catch {
    return undefined;
  }
  return admit(action, remote);
}

/** Tasks queued by a handler through SoapContext.afterReply, run once its answer is out. */
function runAfterReply(tasks: readonly (() => void)[], log: Logger): void {
  for (const task of tasks) {
    try {
      task();
    } catch (e) {
      log.warn(`soap: after the answer: ${(e as Error)?.message ?? String(e)}`);
    }
  }
}

export function soapControlHandler(service: SoapService, opts: SoapControlOptions = {}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const log = opts.logger ?? silentLogger;
  const maxBytes = opts.maxBodyBytes ?? SOAP_MAX_BYTES;
  const optional = new Set(service.optionalActions ?? []);

  /** Everything after the body is read, up to and including the answer (synchronous unless the action handler is not). */
  const answer = (req: IncomingMessage, res: ServerResponse, remote: string, body: Buffer, later: (() => void)[]): Promise<void> | undefined => {
    let parsed;
    try {
      parsed = parseSoapRequest(body, req.headers['soapaction'] as string | undefined, maxBytes);
    } catch (e) {
      const err = e as SoapError;
      log.debug(`soap: refused request from ${remote}: ${err.message}`);
      if (err.code === 'ACTION_MISMATCH') sendFault(res, UpnpErrorCode.InvalidAction);
      else if (err.code === 'INVALID_ARGS') sendFault(res, UpnpErrorCode.InvalidArgs);
      else if (err.code === 'TOO_LARGE') sendHttpError(res, new HttpError(413, 'BODY_TOO_LARGE', err.message));
      else sendHttpError(res, new HttpError(400, 'BAD_REQUEST', err.message));
      return;
    }
    if (!sameServiceType(parsed.serviceType, service.serviceType)) {
      log.debug(`soap: ${remote} addressed service ${parsed.serviceType}, not ${service.serviceType}`);
      sendFault(res, UpnpErrorCode.InvalidAction);
      return;
    }
    const handler = Object.prototype.hasOwnProperty.call(service.actions, parsed.actionName) ? service.actions[parsed.actionName] : undefined;
    if (handler === undefined) {
      log.debug(`soap: ${remote} called unknown action ${parsed.actionName}`);
      sendFault(res, optional.has(parsed.actionName) ? UpnpErrorCode.OptionalActionNotImplemented : UpnpErrorCode.InvalidAction);
      return;
    }
    const ctx: SoapContext = { remoteAddress: remote, headers: req.headers, afterReply: (task) => void later.push(task) };
    let out: SoapArgs | Promise<SoapArgs>;
    try {
      out = handler(parsed.args, ctx);
    } catch (e) {
      actionFailed(res, parsed.actionName, remote, e);
      return;
    }
    const name = parsed.actionName;
    // The WFA actions answer synchronously: no promise (and no extra turn) for them.
    if (out instanceof Promise) return out.then((o) => sendResult(res, name, o), (e: unknown) => actionFailed(res, name, remote, e));
    sendResult(res, name, out);
  };

  const actionFailed = (res: ServerResponse, actionName: string, remote: string, e: unknown): void => {
    if (e instanceof UpnpActionError) {
      log.debug(`soap: ${actionName} from ${remote}: UPnP error ${e.upnpErrorCode} ${e.message}`);
      sendFault(res, e.upnpErrorCode, e.message);
    } else {
      log.warn(`soap: ${actionName} handler failed: ${(e as Error)?.message ?? String(e)}`);
      sendFault(res, UpnpErrorCode.ActionFailed);
    }
  };

  const sendResult = (res: ServerResponse, actionName: string, out: SoapArgs): void => {
    let xml: string;
    try {
      xml = buildSoapResponse(service.serviceType, actionName, out);
    } catch (e) {
      log.warn(`soap: cannot build ${actionName} response: ${(e as Error).message}`);
      sendFault(res, UpnpErrorCode.ActionFailed);
      return;
    }
    sendBody(res, 200, XML_CONTENT_TYPE, xml, EXT_HEADER);
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const remote = normalizeAddress(req.socket.remoteAddress);
    const refusal = service.admit === undefined ? undefined : admission(service.admit, req.headers['soapaction'] as string | undefined, remote);
    if (refusal !== undefined) {
      if (log.enabled(LogLevel.DEBUG)) log.debug(`soap: refused request from ${remote} before its body: UPnP error ${refusal.upnpErrorCode} ${refusal.message}`);
      req.resume();
      sendFault(res, refusal.upnpErrorCode, refusal.message, CLOSE_AND_EXT);
      return;
    }
    let body: Buffer;
    try {
      body = await readRequestBody(req, maxBytes);
    } catch (e) {
      sendHttpError(res, e);
      return;
    }
    const later: (() => void)[] = [];
    try {
      const pending = answer(req, res, remote, body, later);
      if (pending !== undefined) await pending;
    } finally {
      runAfterReply(later, log);
    }
  };
}
