/**
 * The control-interface lines of a BSS's WPS events, as hostapd sends them
 * (wps_hostapd.c): one subscriber of WpsAp's typed events.
 *
 * API:
 *   wpsApEventLine(e, credProcessing): string | undefined
 *   enrolleeSeenLine(addr, probe): string | undefined
 *   WPS_EVENT_ENROLLEE_SEEN / _PBC_ACTIVE / _PBC_DISABLE / _TIMEOUT / _CANCEL
 */
import { CtrlEvent, eventText } from '../../ctrl/event-names.js';
import { WPS_EVENT_AP_SETUP_LOCKED, WPS_EVENT_AP_SETUP_UNLOCKED } from '../../wps/ap-pin-lockout.js';
import { formatDeviceType, formatUuid } from '../../wps/device.js';
import type { MacAddress } from '../../radio/mac.js';
import { macToBytes } from '../../radio/mac.js';
import { failLine, wpsEventLine, WPS_EVENT_AP_PIN_DISABLED, WPS_EVENT_OVERLAP } from '../events.js';
import { pinNeededLine, pinRequestFrom, printableField } from '../pin-requests.js';
import type { ProbeRequestWps } from '../wireless/probe-request.js';
import type { WpsApEvent } from './wps-ap.js';

export const WPS_EVENT_ENROLLEE_SEEN = eventText(CtrlEvent.WpsEnrolleeSeen);
export const WPS_EVENT_PBC_ACTIVE = eventText(CtrlEvent.WpsPbcActive);
export const WPS_EVENT_PBC_DISABLE = eventText(CtrlEvent.WpsPbcDisable);
export const WPS_EVENT_TIMEOUT = eventText(CtrlEvent.WpsTimeout);
export const WPS_EVENT_CANCEL = eventText(CtrlEvent.WpsCancel);

/** hostapd_wps_enrollee_seen_cb: only Probe Requests with UUID-E, Primary Device Type, Request Type, Config Methods and Device Password ID. */
export function enrolleeSeenLine(addr: MacAddress, p: ProbeRequestWps): string | undefined {
  if (p.uuidE === undefined || p.primaryDeviceType === undefined || p.requestType === undefined || p.configMethods === undefined || p.devicePasswordId === undefined) return undefined;
  return `${WPS_EVENT_ENROLLEE_SEEN}${addr} ${formatUuid(p.uuidE)} ${formatDeviceType(p.primaryDeviceType)} 0x${p.configMethods.toString(16)} ${p.devicePasswordId} ${p.requestType} [${printableField(p.deviceName ?? '')}]`;
}

/**
 * The line of one event, or undefined for events that make none (or whose
 * line the BSS writes itself: new AP settings, which it applies first).
 */
export function wpsApEventLine(e: WpsApEvent, credProcessing: number): string | undefined {
  switch (e.type) {
    case 'wps': {
      const ev = e.event;
      switch (ev.type) {
        case 'pin-needed':
          return pinNeededLine(pinRequestFrom(ev));
        case 'fail':
          return failLine(ev.msg, ev.configError, ev.errorIndication);
        case 'new-ap-settings':
        case 'pbc-overlap':
          // The BSS writes WPS-NEW-AP-SETTINGS when it applies them; the overlap has its own event.
          return undefined;
        default:
          return wpsEventLine(ev, { credProcessing });
      }
    }
    case 'enrollee-seen':
      return e.forOurSsid ? enrolleeSeenLine(e.addr, e.probe) : undefined;
    case 'pbc-overlap':
      return WPS_EVENT_OVERLAP;
    case 'pbc-active':
      return WPS_EVENT_PBC_ACTIVE;
    case 'pbc-disable':
      return WPS_EVENT_PBC_DISABLE;
    case 'pbc-timeout':
      return WPS_EVENT_TIMEOUT;
    case 'cancel':
      return WPS_EVENT_CANCEL;
    case 'proxied-success':
      // The Enrollee's WSC_Done ended a run an External Registrar served. hostapd stays
      // silent here (its registrar never saw the run); wpsd reports it like an internal
      // registration, so the AP's operator sees every enrollment it carried.
      return wpsEventLine({ type: 'reg-success', macAddress: Buffer.from(macToBytes(e.addr)), uuid: e.uuid, password: e.password }, { credProcessing });
    case 'ap-setup-locked':
      return WPS_EVENT_AP_SETUP_LOCKED;
    case 'ap-setup-unlocked':
      return WPS_EVENT_AP_SETUP_UNLOCKED;
    case 'ap-pin-disabled':
      return WPS_EVENT_AP_PIN_DISABLED;
    default:
      return undefined;
  }
}
