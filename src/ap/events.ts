/**
 * src/wps events as hostapd's control-interface event lines
 * (src/ap/wps_hostapd.c, src/common/wpa_ctrl.h), text without the "<3>"
 * level prefix. Lines keep hostapd's trailing spaces ("WPS-SUCCESS ").
 *
 * API:
 *   wpsEventLine(ev, opts): string | undefined    undefined for events that make no line
 *   newApSettingsLine(cred, credProcessing): string
 *   AP_EVENT_* / WPS_EVENT_* text constants
 */
import { encodeAttributes } from '../wps/attributes.js';
import { credentialAttribute, type Credential } from '../wps/credential.js';
import { formatUuid } from '../wps/device.js';
import { wpsFailText, type WpsEvent } from '../wps/events.js';
import { CtrlEvent, eventText } from '../ctrl/event-names.js';
import { formatMac } from '../common/mac.js';

export const WPS_EVENT_SUCCESS = eventText(CtrlEvent.WpsSuccess);
export const WPS_EVENT_NEW_AP_SETTINGS = eventText(CtrlEvent.WpsNewApSettings);
export const WPS_EVENT_M2D = eventText(CtrlEvent.WpsM2d);
export const WPS_EVENT_OVERLAP = eventText(CtrlEvent.WpsOverlapDetected);
export const WPS_EVENT_AP_PIN_DISABLED = eventText(CtrlEvent.WpsApPinDisabled);
export const AP_EVENT_ENABLED = eventText(CtrlEvent.ApEnabled);
export const AP_EVENT_DISABLED = eventText(CtrlEvent.ApDisabled);

/** hostapd_wps_event_fail: the reason is shown only for a known, non-zero Error Indication. */
export function failLine(msg: number, configError: number, errorIndication: number): string {
  return wpsFailText({ msg, configError, errorIndication });
}

/**
 * hapd_wps_cred_cb: with wps_cred_processing 1 or 2 the line carries the new
 * settings as hex: the decrypted attributes of M8 exactly as received (Key
 * Wrap Authenticator included) when there are any, else (WPS_CONFIG) the
 * settings wrapped in a Credential attribute (wps_build_credential_wrap).
 * Otherwise it is the bare event.
 */
export function newApSettingsLine(cred: Credential, credProcessing: number, received?: Buffer): string {
  if (credProcessing !== 1 && credProcessing !== 2) return WPS_EVENT_NEW_AP_SETTINGS;
  const attr = received ?? encodeAttributes([credentialAttribute({ ...cred, extra: [] })]);
  return WPS_EVENT_NEW_AP_SETTINGS + attr.toString('hex');
}

export interface EventLineOptions {
  credProcessing: number;
}

export function wpsEventLine(ev: WpsEvent, opts: EventLineOptions): string | undefined {
  switch (ev.type) {
    case 'fail':
      return failLine(ev.msg, ev.configError, ev.errorIndication);
    case 'success':
      return WPS_EVENT_SUCCESS;
    case 'reg-success':
      return eventText(CtrlEvent.WpsRegSuccess, `${formatMac(ev.macAddress)} ${formatUuid(ev.uuid)}`);
    case 'new-ap-settings':
      return newApSettingsLine(ev.settings, opts.credProcessing, ev.attributes);
    case 'm2d':
      return WPS_EVENT_M2D;
    case 'pbc-overlap':
      return WPS_EVENT_OVERLAP;
    default:
      // pwd-auth-fail / ap-pin-success feed the AP PIN lockout; the rest are not AP events.
      return undefined;
  }
}
