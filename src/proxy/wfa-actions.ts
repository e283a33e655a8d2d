/**
 * The SOAP actions of the AP's WFAWLANConfig:1 service, as hostapd's
 * wps_upnp_web.c answers them:
 *   GetDeviceInfo        starts a registration run with the AP's Enrollee; M1 out
 *   PutMessage           M2..M8 in, M3..M7 / WSC_NACK / WSC_Done out; a run that
 *                        ends on the ER's word (its WSC_NACK) answers HTTP 500,
 *                        UPnPError 500 "Error", as hostapd
 *   PutWLANResponse      checked and handed to the AP (hook)
 *   SetSelectedRegistrar only from a current event subscriber (hostapd find_er);
 *                        a selection the table cannot hold is refused (501)
 *   the optional actions (GetAPSettings, ...) get 602 from the SOAP layer.
 *
 * API:
 *   createWfaActions(hooks: WfaActionHooks): { service: SoapService; sessions: ErSessions }
 *   MAX_UPNP_WSC_MESSAGE_BYTES
 */
import { Logger, LogLevel, silentLogger } from '../common/log.js';
import { Base64Error, decodeBase64 } from '../upnp/base64.js';
import { UpnpActionError, type SoapContext, type SoapService } from '../upnp/soap-server.js';
import { UpnpErrorCode, type SoapArgs } from '../upnp/soap.js';
import type { Enrollee } from '../wps/enrollee.js';
import type { WpsStep } from '../wps/events.js';
import { base64Lines } from '../wfa/base64-lines.js';
import { WFA_OPTIONAL_ACTIONS, WFA_SERVICE_TYPE, WfaAction, WfaArgument } from '../wfa/service.js';
import { parseSetSelectedRegistrar, SelectedRegistrarError, type SelectedRegistrarMessage } from '../wfa/set-selected-registrar.js';
import { formatWlanEventMac, parseWlanEventMac, parseWlanEventType } from '../wfa/wlan-event-mac.js';
import { WlanEventType } from '../wfa/wlan-event.js';
import { ErSessions } from './er-sessions.js';
import { SourceRateLimiter } from '../upnp/source-limits.js';

/** Largest WSC message taken from a SOAP argument (M1..M8 are well under 1 KiB; hostapd's whole request limit is 8000 bytes). */
export const MAX_UPNP_WSC_MESSAGE_BYTES = 4096;

/**
 * GetDeviceInfo calls per second from one address, and the burst allowed:
 * each starts a run with a fresh DH key (~0.5 ms). hostapd has no limit (a
 * flood of ~670/s kept it busy and evicted every legitimate run). An ER
 * calls it once on discovery and once per learn/config; a run in which the
 * ER proves the whole AP PIN (M6 checked) gives its GetDeviceInfo back, so
 * an ER holding the PIN is never limited however fast it learns (the bench
 * learns back to back at 50/s and more), while a flooding address that
 * cannot finish a run keeps 10/s (about 0.5 % of a core), and the runs it
 * starts are bounded per source anyway.
 */
export const GET_DEVICE_INFO_PER_SOURCE_PER_SEC = 10;
export const GET_DEVICE_INFO_BURST_PER_SOURCE = 32;
/** Addresses whose GetDeviceInfo rate is tracked (the one idle longest is forgotten). */
export const GET_DEVICE_INFO_TRACKED_SOURCES = 256;

/** hostapd answers HTTP_INTERNAL_SERVER_ERROR as UPnPError 500 "Error" (fixtures/reference/http/11-*). */
export const HOSTAPD_ERROR_CODE = 500;
export const HOSTAPD_ERROR_TEXT = 'Error';

/** A PutWLANResponse for a wireless Enrollee (always an EAP message). */
export interface WlanResponse {
  mac: Buffer;
  message: Buffer;
  /** The ER's address. */
  from: string;
}

export interface WfaActionHooks {
  /** A fresh Enrollee for a new ER run; undefined when the AP has no AP PIN (hostapd refuses GetDeviceInfo). */
  createEnrollee(): Enrollee | undefined;
  /** Every step of an ER run, for events, the AP PIN lockout and new settings. */
  onEnrolleeStep(step: WpsStep, remote: string): void;
  /** Whether `address` holds an event subscription (SetSelectedRegistrar is taken only from subscribers). */
  isSubscriber(address: string): boolean;
  /** A PutWLANResponse to deliver (hostapd answers OK whether or not a station matches). */
  deliverWlanResponse?: (r: WlanResponse) => void;
  /** An ER's SetSelectedRegistrar; 'full' when it cannot be kept (then refused). */
  setSelection?: (er: string, msg: SelectedRegistrarMessage) => 'changed' | 'full';
  now?: () => number;
  logger?: Logger;
}

function requireArg(args: SoapArgs, name: string): string {
  const v = args[name];
  if (v === undefined) throw new UpnpActionError(UpnpErrorCode.InvalidArgs, `missing ${name}`);
  return v;
}

function base64Arg(args: SoapArgs, name: string): Buffer {
  const text = requireArg(args, name);
  try {
    const bytes = decodeBase64(text, MAX_UPNP_WSC_MESSAGE_BYTES);
    if (bytes.length === 0) throw new UpnpActionError(UpnpErrorCode.ArgumentValueInvalid, `${name} is empty`);
    return Buffer.from(bytes);
  } catch (e) {
    if (e instanceof Base64Error) {
      if (e.code === 'TOO_LARGE') throw new UpnpActionError(UpnpErrorCode.StringArgumentTooLong, `${name}: ${e.message}`);
      throw new UpnpActionError(UpnpErrorCode.ArgumentValueInvalid, `${name}: ${e.message}`);
    }
    throw e;
  }
}

export function createWfaActions(hooks: WfaActionHooks): { service: SoapService; sessions: ErSessions } {
  const log = hooks.logger ?? silentLogger;
  const now = hooks.now ?? Date.now;
  const sessions = new ErSessions({
    now,
    onDrop: (s, why) => log.debug(`WPS UPnP: ${why === 'oldest' ? 'Drop oldest active session' : 'Drop idle session'} (${s.remote})`),
  });

  const deviceInfoRate = new SourceRateLimiter({
    perSecond: GET_DEVICE_INFO_PER_SOURCE_PER_SEC,
    burst: GET_DEVICE_INFO_BURST_PER_SOURCE,
    // Per source only: a total bound would let a flood from many addresses lock every ER out.
    totalPerSecond: Infinity,
    totalBurst: Infinity,
    maxSources: GET_DEVICE_INFO_TRACKED_SOURCES,
    now,
  });

  /** Before the body is read (a refused flood costs no XML parse); the token is spent here, the handler runs only when admitted. */
  const refusal = new UpnpActionError(UpnpErrorCode.ActionFailed, 'too many GetDeviceInfo requests');
  const admit = (action: string, remote: string): UpnpActionError | undefined => {
    if (action !== WfaAction.GetDeviceInfo || deviceInfoRate.admit(remote)) return undefined;
    // Guarded: a flood gets here thousands of times a second, with the debug level usually off.
    if (log.enabled(LogLevel.DEBUG)) log.debug(`WPS UPnP: GetDeviceInfo from ${remote} over ${GET_DEVICE_INFO_PER_SOURCE_PER_SEC}/s; refused`);
    return refusal;
  };

  const getDeviceInfo = (_args: SoapArgs, ctx: SoapContext): SoapArgs => {
    log.debug('WPS UPnP: GetDeviceInfo');
    const enrollee = hooks.createEnrollee();
    if (enrollee === undefined) {
      log.debug('WPS UPnP: no AP PIN: external Registrars are not accepted');
      throw new UpnpActionError(HOSTAPD_ERROR_CODE, HOSTAPD_ERROR_TEXT);
    }
    const m1 = enrollee.start();
    sessions.add(enrollee, m1, ctx.remoteAddress);
    log.hexdump(LogLevel.MSGDUMP, 'WPS UPnP: M1', m1);
    return { [WfaArgument.NewDeviceInfo]: base64Lines(m1) };
  };

  const putMessage = (args: SoapArgs, ctx: SoapContext): SoapArgs => {
    log.debug('WPS UPnP: PutMessage');
    const msg = base64Arg(args, WfaArgument.NewInMessage);
    log.hexdump(LogLevel.MSGDUMP, 'WPS UPnP: PutMessage NewInMessage', msg);
    const session = sessions.match(msg, ctx.remoteAddress);
    if (session === undefined) {
      log.debug(`WPS UPnP: No active peer entry found for the PutMessage from ${ctx.remoteAddress}`);
      throw new UpnpActionError(UpnpErrorCode.ActionFailed, 'no registration run matches this message');
    }
    sessions.touch(session, msg);
    const step = session.enrollee.receive(msg);
    if (step.result !== undefined) sessions.remove(session);
    if (step.events.some((e) => e.type === 'ap-pin-success')) deviceInfoRate.refund(session.remote);
    // The run's events (control-interface lines, the AP PIN lockout, new settings) follow the answer, in the same turn.
    const remote = ctx.remoteAddress;
    ctx.afterReply(() => {
      try {
        hooks.onEnrolleeStep(step, remote);
      } catch (e) {
        log.warn(`WPS UPnP: event handling failed: ${(e as Error).message}`);
      }
    });
    if (step.reply === undefined || step.closing === true) {
      // hostapd: wps_process_msg() == WPS_FAILURE -> no reply -> HTTP 500.
      log.debug('WPS UPnP: Drop active peer session');
      throw new UpnpActionError(HOSTAPD_ERROR_CODE, HOSTAPD_ERROR_TEXT);
    }
    log.hexdump(LogLevel.MSGDUMP, 'WPS UPnP: PutMessage NewOutMessage', step.reply);
    return { [WfaArgument.NewOutMessage]: base64Lines(step.reply) };
  };

  const putWlanResponse = (args: SoapArgs, ctx: SoapContext): SoapArgs => {
    const message = base64Arg(args, WfaArgument.NewMessage);
    const eventType = parseWlanEventType(requireArg(args, WfaArgument.NewWLANEventType));
    if (eventType === undefined) throw new UpnpActionError(UpnpErrorCode.ArgumentValueInvalid, 'NewWLANEventType is not a number');
    const mac = parseWlanEventMac(requireArg(args, WfaArgument.NewWLANEventMAC));
    if (mac === undefined) throw new UpnpActionError(UpnpErrorCode.ArgumentValueInvalid, 'NewWLANEventMAC is not a MAC address');
    log.debug(`WPS UPnP: PutWLANResponse ev_type=${eventType} mac_addr=${formatWlanEventMac(mac)}`);
    if (eventType !== WlanEventType.Eap) {
      log.debug(`WPS UPnP: Ignored unexpected PutWLANResponse WLANEventType ${eventType}`);
      throw new UpnpActionError(HOSTAPD_ERROR_CODE, HOSTAPD_ERROR_TEXT);
    }
    if (hooks.deliverWlanResponse === undefined) log.debug('WPS UPnP: No matching STA found');
    else hooks.deliverWlanResponse({ mac, message, from: ctx.remoteAddress });
    return {};
  };

  const setSelectedRegistrar = (args: SoapArgs, ctx: SoapContext): SoapArgs => {
    log.debug('WPS UPnP: SetSelectedRegistrar');
    if (!hooks.isSubscriber(ctx.remoteAddress)) {
      log.debug('WPS UPnP: Ignore SetSelectedRegistrar from unknown ER');
      throw new UpnpActionError(UpnpErrorCode.ActionFailed);
    }
    const raw = base64Arg(args, WfaArgument.NewMessage);
    let parsed: SelectedRegistrarMessage;
    try {
      parsed = parseSetSelectedRegistrar(raw);
    } catch (e) {
      if (e instanceof SelectedRegistrarError) throw new UpnpActionError(UpnpErrorCode.ArgumentValueInvalid, e.message);
      throw e;
    }
    if (hooks.setSelection?.(ctx.remoteAddress, parsed) === 'full') {
      log.debug(`WPS UPnP: SetSelectedRegistrar from ${ctx.remoteAddress} refused: as many ERs selected as may subscribe`);
      throw new UpnpActionError(UpnpErrorCode.ActionFailed, 'too many selected External Registrars');
    }
    log.debug(`WPS UPnP: SetSelectedRegistrar from ${ctx.remoteAddress}: selected=${parsed.selected ? 1 : 0} dev_pw_id=${parsed.devicePasswordId} config_methods=0x${parsed.configMethods.toString(16)}`);
    return {};
  };

  const service: SoapService = {
    serviceType: WFA_SERVICE_TYPE,
    actions: {
      [WfaAction.GetDeviceInfo]: getDeviceInfo,
      [WfaAction.PutMessage]: putMessage,
      [WfaAction.PutWLANResponse]: putWlanResponse,
      [WfaAction.SetSelectedRegistrar]: setSelectedRegistrar,
    },
    optionalActions: [...WFA_OPTIONAL_ACTIONS],
    admit,
  };
  return { service, sessions };
}
