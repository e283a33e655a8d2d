/**
 * One learn or configure run against an AP's Enrollee over SOAP
 * (wps_er_ap_learn / wps_er_ap_config): GetDeviceInfo gives M1, each
 * PutMessage carries M2, M4, M6 (M8) and returns M3, M5, M7 (WSC_Done).
 * Learn ends after M7 with WSC_NACK (config error 0), which hostapd answers
 * with HTTP 500; both sides then report WPS-FAIL msg=11 config_error=0.
 */
import { eventsOf, type WpsStep } from '../wps/events.js';
import { Registrar, type ApSettingsMode } from '../wps/registrar.js';
import { AuthType, EncrType } from '../wps/values.js';
import type { Credential } from '../wps/credential.js';
import type { ErAp } from './ap-record.js';
import { apSettingsLine, wpsFailLine, WPS_SUCCESS_LINE } from './events.js';
import type { ExternalRegistrar } from './external-registrar.js';
import { describeError } from './external-registrar.js';
import { getDeviceInfo, putMessage } from './wfa-soap.js';

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

function report(er: ExternalRegistrar, ap: ErAp, step: WpsStep, mode: ApSessionMode): void {
  for (const ev of step.events) {
    switch (ev.type) {
      case 'er-ap-settings':
        // Only a learn reports the settings (wps_er_ap_settings_cb is not set for config).
        if (mode.mode === 'learn') {
          ap.apSettings = { ...ev.settings, extra: [] };
          er.log.debug('WPS ER: AP Settings received');
          er.emit(apSettingsLine(ap.uuid, ev.settings));
        }
        break;
      case 'fail':
        er.log.debug(`WPS ER: ${ap.label}: run failed: ${ev.detail}`);
        er.emit(wpsFailLine(ev));
        break;
      case 'pin-needed':
        er.log.debug(`WPS ER: ${ap.label}: the AP did not take the AP PIN (M2D sent)`);
        break;
      default:
        break;
    }
  }
}

export async function runApSession(er: ExternalRegistrar, ap: ErAp, pin: string, mode: ApSessionMode): Promise<void> {
  const signal = ap.abort.signal;
  const registrar = new Registrar({ device: er.device, policy: { devicePassword: () => ({ kind: 'pin', pin }) }, apSettings: mode });
  try {
    const url = er.controlUrl(ap);
    const m1 = await getDeviceInfo(url);
    er.log.debug('WPS ER: Received GetDeviceInfo response (M1) from the AP');
    if (signal.aborted) return;
    let step = registrar.receive(m1);
    for (let i = 0; i < MAX_AP_SESSION_STEPS; i++) {
      report(er, ap, step, mode);
      const reply = step.reply;
      if (step.result !== undefined) {
        // The last word (learn's NACK, a failure NACK) still goes to the AP; its answer does not matter.
        if (reply !== undefined && step.closing !== true) {
          await putMessage(url, reply).catch((e: unknown) => er.log.debug(`WPS ER: PutMessage of the last message: ${describeError(e)}`));
        }
        if (step.result === 'success' && mode.mode === 'configure') {
          const sent = step.credentials?.[0];
          if (sent !== undefined) er.opts.onConfigured?.(singleTypes(sent));
        }
        if (eventsOf(step.events, 'success').length > 0) er.emit(WPS_SUCCESS_LINE);
        er.log.debug(`WPS ER: Protocol run ${step.result === 'success' ? 'done' : 'failed'} with ${ap.label}`);
        return;
      }
      if (reply === undefined) {
        er.log.debug('WPS ER: Failed to build message');
        return;
      }
      const answer = await putMessage(url, reply);
      if (signal.aborted) return;
      step = registrar.receive(answer);
    }
    er.log.debug(`WPS ER: ${ap.label}: run did not end within ${MAX_AP_SESSION_STEPS} steps`);
  } catch (e) {
    er.log.debug(`WPS ER: ${mode.mode} with ${ap.label} failed: ${describeError(e)}`);
  }
}
