/**
 * UPnP control point side of SOAP: invoke an action on a device's controlURL.
 *
 * API:
 *   soapCall(controlUrl, serviceType, actionName, args, opts?): Promise<SoapArgs>
 *     (opts.noOutArguments: a 200 answer is success unparsed; opts.statusOnly: no answer's body is parsed)
 *     throws SoapFaultError (device answered with a UPnP error), SoapError
 *     (unusable response), HttpClientError (network, timeout, size, refused host)
 */
import { httpRequest, type HttpRequestOptions } from './http-client.js';
import { SOAP_MAX_BYTES, SoapError, buildSoapRequest, parseSoapResponse, type SoapArgs } from './soap.js';

export interface SoapCallOptions {
  timeoutMs?: number;
  maxResponseBytes?: number;
  requireIpLiteral?: boolean;
  /** Ends the call at once (HttpClientError 'aborted'); the timeout still applies. */
  signal?: AbortSignal;
  /**
   * The action has no out arguments: an HTTP 200 answer is success without
   * parsing its body, as wpa_supplicant's ER reads only the status of
   * PutWLANResponse / SetSelectedRegistrar; a 500 is still parsed for its fault.
   */
  noOutArguments?: boolean;
  /**
   * Only the answer's status is looked at, its body never parsed: 200 is
   * success, anything else an error naming the status (SoapError
   * 'MALFORMED'). For a message whose answer changes nothing, as
   * wpa_supplicant's ER reads only the status of a non-200 answer.
   */
  statusOnly?: boolean;
}

export async function soapCall(controlUrl: string, serviceType: string, actionName: string, args: SoapArgs, opts: SoapCallOptions = {}): Promise<SoapArgs> {
  const body = buildSoapRequest(serviceType, actionName, args);
  const maxBytes = opts.maxResponseBytes ?? SOAP_MAX_BYTES;
  const req: HttpRequestOptions = {
    method: 'POST',
    headers: {
      'content-type': 'text/xml; charset="utf-8"',
      soapaction: `"${serviceType}#${actionName}"`,
    },
    body,
    maxResponseBytes: maxBytes,
  };
  if (opts.timeoutMs !== undefined) req.timeoutMs = opts.timeoutMs;
  if (opts.requireIpLiteral !== undefined) req.requireIpLiteral = opts.requireIpLiteral;
  if (opts.signal !== undefined) req.signal = opts.signal;
  const res = await httpRequest(controlUrl, req);
  if (res.status !== 200 && (res.status !== 500 || opts.statusOnly === true)) {
    throw new SoapError('MALFORMED', `${actionName}: HTTP ${res.status}`);
  }
  if (res.status === 200 && (opts.noOutArguments === true || opts.statusOnly === true)) return {};
  // A 500 carries a fault (thrown by parseSoapResponse); a 500 without one is still an error.
  const out = parseSoapResponse(res.body, actionName, maxBytes);
  if (res.status === 500) throw new SoapError('MALFORMED', `${actionName}: HTTP 500 without a UPnP fault`);
  return out;
}
