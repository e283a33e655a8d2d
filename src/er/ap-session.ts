/**
 * One learn or configure run against an AP's Enrollee over SOAP
 * (wps_er_ap_learn / wps_er_ap_config): GetDeviceInfo gives M1, each
 * PutMessage carries M2, M4, M6 (M8) and returns M3, M5, M7 (WSC_Done).
 * Learn ends after M7 with WSC_NACK (config error 0), which hostapd answers
 * with HTTP 500; both sides then report WPS-FAIL msg=11 config_error=0.
 */
import { describeError } from '../common/errors.js';
import { eventsOf, type WpsStep } from '../wps/events.js';
import { Registrar, type ApSettingsMode } from '../wps/registrar.js';
import { AuthType, EncrType } from '../wps/values.js';
import type { Credential } from '../wps/credential.js';
import type { ErAp } from './ap-record.js';
import type { ErFail, ErRunResult, ErRunView } from './er-events.js';
import type { ApSessionContext } from './session-context.js';
import { getDeviceInfo, putLastMessage, putMessage } from './wfa-soap.js';

export type ApSessionMode = ApSettingsMode;

/** M1..M8 and the last word: a run never needs more round trips than this. */
export const MAX_AP_SESSION_STEPS = 8;

/** wps_sta_cred_cb: one auth and one encr type, the strongest offered. */
export function singleTypes(c: Credential): Credential {
  const out = { ...c };
  if (c.authType & AuthType.Wpa2Psk) out.authType = AuthType.Wpa2Psk;
  else if (c.authType & AuthType.WpaPsk) out.authType = AuthType.WpaPsk;
  if (c.encrType & EncrType.Aes) out.encrType = EncrType.Aes;
  else if (c.encrType & EncrType.Tkip) out.encrType = EncrType.Tkip;
  return out;
}

export interface ApSessionOutcome {
  result: ErRunResult;
  fail?: ErFail;
}

function report(ctx: ApSessionContext, run: ErRunView, ap: ErAp, step: WpsStep, mode: ApSessionMode, out: ApSessionOutcome): void {
  for (const ev of step.events) {
    switch (ev.type) {
      case 'er-ap-settings':
        // Only a learn reports the settings (wps_er_ap_settings_cb is not set for config).
        if (mode.mode === 'learn') {
          ctx.log.debug('WPS ER: AP Settings received');
          ctx.learned(ap, ev.settings);
        }
        break;
      case 'fail': {
        ctx.log.debug(`WPS ER: ${ap.label}: run failed: ${ev.detail}`);
        const fail = { msg: ev.msg, configError: ev.configError, errorIndication: ev.errorIndication };
        out.fail = fail;
        ctx.publish('wps-fail', { run, fail });
        break;
      }
      case 'pin-needed':
        ctx.log.debug(`WPS ER: ${ap.label}: the AP did not take the AP PIN (M2D sent)`);
        break;
      default:
        break;
    }
  }
}

/** Runs to the end; never throws. `signal` is the AP's: removing the AP aborts the SOAP call under way. */
export async function runApSession(ctx: ApSessionContext, run: ErRunView, ap: ErAp, pin: string, mode: ApSessionMode): Promise<ApSessionOutcome> {
  const signal = ap.abort.signal;
  const out: ApSessionOutcome = { result: 'failure' };
  const registrar = new Registrar({ device: ctx.device, policy: { devicePassword: () => ({ kind: 'pin', pin }) }, apSettings: mode, dhKeyPair: ctx.dhKeyPair() });
  try {
    const url = ctx.controlUrl(ap);
    const m1 = await getDeviceInfo(url, signal);
    ctx.log.debug('WPS ER: Received GetDeviceInfo response (M1) from the AP');
    if (signal.aborted) return { result: 'aborted' };
    let step = registrar.receive(m1);
    for (let i = 0; i < MAX_AP_SESSION_STEPS; i++) {
      report(ctx, run, ap, step, mode, out);
      const reply = step.reply;
      if (step.result !== undefined) {
        // The last word (learn's NACK, a failure NACK) still goes to the AP; its answer does not matter.
        if (reply !== undefined && step.closing !== true) {
          await putLastMessage(url, reply, signal).catch((e: unknown) => ctx.log.debug(`WPS ER: PutMessage of the last message: ${describeError(e)}`));
        }
        if (step.result === 'success' && mode.mode === 'configure') {
          const sent = step.credentials?.[0];
          if (sent !== undefined) ctx.configured(singleTypes(sent));
        }
        if (eventsOf(step.events, 'success').length > 0) ctx.publish('wps-success', { run });
        ctx.log.debug(`WPS ER: Protocol run ${step.result === 'success' ? 'done' : 'failed'} with ${ap.label}`);
        out.result = step.result;
        return out;
      }
      if (reply === undefined) {
        ctx.log.debug('WPS ER: Failed to build message');
        return out;
      }
      const answer = await putMessage(url, reply, signal);
      if (signal.aborted) return { result: 'aborted' };
      step = registrar.receive(answer);
    }
    ctx.log.debug(`WPS ER: ${ap.label}: run did not end within ${MAX_AP_SESSION_STEPS} steps`);
  } catch (e) {
    if (signal.aborted) out.result = 'aborted';
    else ctx.log.debug(`WPS ER: ${mode.mode} with ${ap.label} failed: ${describeError(e)}`);
  }
  return out;
}
