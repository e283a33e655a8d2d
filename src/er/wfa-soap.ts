/**
 * The four WFAWLANConfig actions the External Registrar calls, with request
 * bodies shaped as wpa_supplicant's (wps_er.c wps_er_soap_hdr): `s:`/`u:`
 * prefixes, base64 arguments broken into 72-character lines with a final
 * line break, one request per connection (the UPnP HTTP client). Each
 * takes the AP's AbortSignal: an AP that goes away ends its calls at once.
 */
import { decodeBase64 } from '../upnp/base64.js';
import { soapCall } from '../upnp/soap-client.js';
import { base64Lines } from '../wfa/base64-lines.js';
import { WFA_SERVICE_TYPE, WfaAction, WfaArgument } from '../wfa/service.js';
import { formatWlanEventMac } from '../wfa/wlan-event-mac.js';
import { WlanEventType } from '../wfa/wlan-event.js';
import { WpsdError } from '../common/errors.js';

/** wpa_supplicant waits 10 s for GetDeviceInfo / PutMessage and the description. */
export const ER_SOAP_TIMEOUT_MS = 10_000;
/** ... and 1 s for SetSelectedRegistrar / PutWLANResponse; we allow a little more. */
export const ER_SHORT_SOAP_TIMEOUT_MS = 3_000;
/** Largest WSC message accepted from an AP. */
export const ER_MAX_WSC_MESSAGE_BYTES = 4096;

export class WfaSoapError extends WpsdError<'MISSING_ARGUMENT' | 'BAD_ARGUMENT'> {}

function binArg(args: Record<string, string>, name: string): Buffer {
  const v = args[name];
  if (v === undefined) throw new WfaSoapError('MISSING_ARGUMENT', `response without ${name}`);
  try {
    return Buffer.from(decodeBase64(v, ER_MAX_WSC_MESSAGE_BYTES));
  } catch (e) {
    throw new WfaSoapError('BAD_ARGUMENT', `${name}: ${(e as Error).message}`);
  }
}

/**
 * `read`: 'args' parses the answer's out arguments; 'status' takes a 200 as
 * done without parsing it (the action answers no arguments:
 * wps_er_http_put_wlan_response_cb reads the status only), a 500's fault
 * still parsed; 'nothing' reads no body at all (an answer that changes
 * nothing).
 */
const call = (url: string, action: string, args: Record<string, string>, timeoutMs: number, signal: AbortSignal | undefined, read: 'args' | 'status' | 'nothing' = 'args'): Promise<Record<string, string>> =>
  soapCall(url, WFA_SERVICE_TYPE, action, args, { timeoutMs, requireIpLiteral: true, noOutArguments: read === 'status', statusOnly: read === 'nothing', ...(signal === undefined ? {} : { signal }) });

/** GetDeviceInfo: the AP's M1. */
export async function getDeviceInfo(controlUrl: string, signal?: AbortSignal): Promise<Buffer> {
  return binArg(await call(controlUrl, WfaAction.GetDeviceInfo, {}, ER_SOAP_TIMEOUT_MS, signal), WfaArgument.NewDeviceInfo);
}

/** PutMessage: one message to the AP's Enrollee, its answer back. */
export async function putMessage(controlUrl: string, msg: Uint8Array, signal?: AbortSignal): Promise<Buffer> {
  return binArg(await call(controlUrl, WfaAction.PutMessage, { [WfaArgument.NewInMessage]: base64Lines(msg) }, ER_SOAP_TIMEOUT_MS, signal), WfaArgument.NewOutMessage);
}

/**
 * PutMessage of a run's last word (learn's WSC_NACK, a failure's NACK),
 * whose answer changes nothing: only its status is read (hostapd answers a
 * learn's NACK with a 500 fault; wpa_supplicant reads only that status and
 * logs "PutMessage failed").
 */
export async function putLastMessage(controlUrl: string, msg: Uint8Array, signal?: AbortSignal): Promise<void> {
  await call(controlUrl, WfaAction.PutMessage, { [WfaArgument.NewInMessage]: base64Lines(msg) }, ER_SOAP_TIMEOUT_MS, signal, 'nothing');
}

/** PutWLANResponse: a message for a wireless Enrollee the AP proxies (always an EAP event). */
export async function putWlanResponse(controlUrl: string, msg: Uint8Array, enrolleeMac: Uint8Array, signal?: AbortSignal): Promise<void> {
  await call(
    controlUrl,
    WfaAction.PutWLANResponse,
    { [WfaArgument.NewMessage]: base64Lines(msg), [WfaArgument.NewWLANEventType]: String(WlanEventType.Eap), [WfaArgument.NewWLANEventMAC]: formatWlanEventMac(enrolleeMac) },
    ER_SHORT_SOAP_TIMEOUT_MS,
    signal,
    'status',
  );
}

/** SetSelectedRegistrar: the TLVs of wps_er_set_sel_reg. */
export async function setSelectedRegistrar(controlUrl: string, msg: Uint8Array, signal?: AbortSignal): Promise<void> {
  await call(controlUrl, WfaAction.SetSelectedRegistrar, { [WfaArgument.NewMessage]: base64Lines(msg) }, ER_SHORT_SOAP_TIMEOUT_MS, signal, 'status');
}
