/**
 * What the Enrollee and Registrar state machines tell their daemon.
 *
 * Each `receive()` / `start()` of an Enrollee or Registrar returns a
 * {@link WpsStep}: the message to send back (if any), the typed events of that
 * step, and, once the registration protocol run is over, its result. Events
 * are raw data (Buffers and numbers, never formatted text); the daemons map
 * them to hostapd / wpa_supplicant event lines:
 *
 * | event              | hostapd / wpa_supplicant line                         |
 * |--------------------|--------------------------------------------------------|
 * | `pin-needed`       | WPS-PIN-NEEDED <UUID-E> <MAC> [dev name|...]           |
 * | `m2d`              | WPS-M2D dev_password_id=.. config_error=..             |
 * | `pbc-overlap`      | WPS-OVERLAP-DETECTED                                   |
 * | `fail`             | WPS-FAIL msg=.. config_error=.. [reason=..]            |
 * | `pwd-auth-fail`    | (AP PIN lockout input; WPS-FAIL follows)               |
 * | `ap-pin-success`   | (AP PIN lockout: reset the consecutive count)          |
 * | `invalidate-pin`   | (Registrar PIN store: drop this Enrollee's PIN)        |
 * | `success`          | WPS-SUCCESS                                            |
 * | `reg-success`      | WPS-REG-SUCCESS <Enrollee MAC> <UUID-E>                |
 * | `cred-received`    | WPS-CRED-RECEIVED <Credential attribute hex>           |
 * | `new-ap-settings`  | WPS-NEW-AP-SETTINGS <AP settings hex>                  |
 * | `er-ap-settings`   | WPS-ER-AP-SETTINGS uuid=.. ssid=.. auth_type=.. ...    |
 *
 * The semantics follow hostapd's src/wps (wps_enrollee.c, wps_registrar.c):
 * the same messages produce the same events with the same numbers. We report
 * a few failures hostapd drops silently (a bad M1, a nonce from another run),
 * and say Decryption CRC Failure (2) where hostapd says 0 (run-failure.ts).
 */
import { CtrlEvent, eventText } from '../ctrl/event-names.js';
import type { Credential } from './credential.js';
import type { DeviceInfo } from './device.js';

/** Error Indication of a WPS-FAIL event (hostapd's wps_error_indication). */
export const ErrorIndication = {
  NoError: 0,
  SecurityTkipOnlyProhibited: 1,
  SecurityWepProhibited: 2,
  AuthFailure: 3,
} as const;
export type ErrorIndication = (typeof ErrorIndication)[keyof typeof ErrorIndication];

/** hostapd's text for an Error Indication, as in "WPS-FAIL ... reason=2 (WEP Prohibited)". */
export const ERROR_INDICATION_TEXT: Readonly<Record<number, string>> = {
  [ErrorIndication.NoError]: 'No Error',
  [ErrorIndication.SecurityTkipOnlyProhibited]: 'TKIP Only Prohibited',
  [ErrorIndication.SecurityWepProhibited]: 'WEP Prohibited',
  [ErrorIndication.AuthFailure]: 'Authentication Failure',
};

/**
 * The WPS-FAIL line as hostapd (hostapd_wps_event_fail) and wpa_supplicant
 * (wpa_supplicant_wps_event_fail) both print it: the reason only for a
 * known, non-zero Error Indication.
 */
export function wpsFailText(ev: { msg: number; configError: number; errorIndication: number }): string {
  const text = ERROR_INDICATION_TEXT[ev.errorIndication];
  const head = `msg=${ev.msg} config_error=${ev.configError}`;
  return eventText(CtrlEvent.WpsFail, ev.errorIndication > 0 && text !== undefined ? `${head} reason=${ev.errorIndication} (${text})` : head);
}

/** Why a run failed: one value per distinct cause, for logs, tests and policy. */
export type FailReason =
  /** Not a parsable WSC message (bad TLVs, no Message Type / Version). */
  | 'malformed-message'
  /** A known message at the wrong time (or a message this role never receives). */
  | 'unexpected-message'
  /** A mandatory attribute is absent; `attrType` names it. */
  | 'missing-attribute'
  /** An attribute has the wrong size or a value that cannot be used; `attrType` names it. */
  | 'bad-attribute'
  /** Enrollee Nonce / Registrar Nonce differs from this run's (hostapd: no WSC_NACK). */
  | 'nonce-mismatch'
  /** The Authenticator (HMAC over the previous and this message) does not match. */
  | 'authenticator-mismatch'
  /** The Key Wrap Authenticator inside Encrypted Settings does not match or is missing. */
  | 'key-wrap-authenticator-mismatch'
  /** Encrypted Settings could not be decrypted (length, padding, contents). */
  | 'decryption-failed'
  /** The peer's Diffie-Hellman public key is degenerate. */
  | 'bad-public-key'
  /** E-Hash/R-Hash check failed: the peer does not know the device password. */
  | 'password-auth-failure'
  /** The Registrar changed the Device Password ID of the Enrollee's M1. */
  | 'password-id-mismatch'
  /** The peer's DH public key is not the one its NFC token or handover record committed to. */
  | 'public-key-hash-mismatch'
  /** PBC session overlap: two different Enrollees pushed the button. */
  | 'pbc-overlap'
  /** The AP (as Enrollee) refuses external Registrars: locked, or no AP PIN. */
  | 'setup-locked'
  /** M8 carried no Credential (or AP settings) this Enrollee can use. */
  | 'no-usable-credential'
  /** The Registrar has no credential to give this Enrollee. */
  | 'no-credential'
  /** The peer ended the run with a WSC_NACK (its Configuration Error is in `configError`). */
  | 'nack-received'
  /** The peer answered an M2D with a WSC_ACK: no Registrar had a password for it. */
  | 'no-registrar'
  /** hostapd reports a learn-only run (M7 read, WSC_NACK sent) as WPS-FAIL msg=7 config_error=0. */
  | 'learn-complete'
  /** A bug or a throwing policy hook; `detail` says what. The run fails rather than the daemon. */
  | 'internal-error';

/** A registration protocol run failed (hostapd WPS_EV_FAIL). */
export interface FailEvent {
  type: 'fail';
  /** The Message Type the failure is about (hostapd's msg=): the message received, or the one the peer NACKed. */
  msg: number;
  /** Configuration Error (values.ts ConfigError): sent in our WSC_NACK, or received in the peer's. */
  configError: number;
  errorIndication: ErrorIndication;
  /** MAC address of the peer (the Enrollee's for a Registrar), all zero when unknown. */
  peerMac: Buffer;
  reason: FailReason;
  /** The attribute concerned, for missing-attribute / bad-attribute. */
  attrType?: number;
  /** One line for a debug log; never contains key material. */
  detail: string;
}

export type WpsEvent =
  /** Registrar: no device password for this Enrollee; M2D was sent. */
  | { type: 'pin-needed'; uuid: Buffer; macAddress: Buffer; devicePasswordId: number; device: DeviceInfo }
  /** Enrollee: a Registrar without a password for us answered M2D. */
  | { type: 'm2d'; device: DeviceInfo; configError: number; devicePasswordId?: number }
  /** Registrar: PBC session overlap detected (M2D with config error 12 follows). */
  | { type: 'pbc-overlap'; uuid: Buffer; macAddress: Buffer }
  | FailEvent
  /**
   * The peer failed to prove the first or second half of the device
   * password. `local` is the role that detected it; on an AP as Enrollee
   * (`local: 'enrollee'`) this is the AP PIN lockout's recordFailure() input.
   */
  | { type: 'pwd-auth-fail'; part: 1 | 2; local: 'enrollee' | 'registrar'; peerMac: Buffer }
  /** AP as Enrollee: the Registrar proved the whole AP PIN (lockout: recordSuccess()). */
  | { type: 'ap-pin-success'; peerMac: Buffer }
  /** The run completed (hostapd WPS_EV_SUCCESS). */
  | { type: 'success'; peerMac: Buffer }
  /**
   * Registrar: forget this Enrollee's PIN (hostapd wps_registrar_invalidate_pin):
   * the run failed after M6 revealed R-S2, so the second half could now be
   * brute-forced offline, or the Enrollee got the second half wrong.
   */
  | { type: 'invalidate-pin'; uuid: Buffer; macAddress: Buffer }
  /** Registrar: an Enrollee was registered (WPS-REG-SUCCESS); `password` says how. */
  | { type: 'reg-success'; macAddress: Buffer; uuid: Buffer; password: 'pin' | 'pbc' }
  /** Enrollee (station): one Credential from M8; `attribute` is the whole Credential TLV. */
  | { type: 'cred-received'; credential: Credential; attribute: Buffer }
  /**
   * Enrollee (AP): new AP settings from M8; `attributes` are the decrypted
   * settings as hostapd prints them in WPS-NEW-AP-SETTINGS (Key Wrap Authenticator last).
   */
  | { type: 'new-ap-settings'; settings: Credential; attributes: Buffer }
  /** Registrar against an AP: the AP's current settings from M7 (learn, and before configure). */
  | { type: 'er-ap-settings'; uuid: Buffer; macAddress: Buffer; settings: Credential; attributes: Buffer };

export type WpsEventType = WpsEvent['type'];

/**
 * The outcome of one input to a state machine.
 *
 * - `reply`: the WSC message to send to the peer now.
 * - `result`: set once the run is over; later input is refused.
 * - `closing`: set when `reply` answers the peer's last word (its WSC_NACK or
 *   WSC_Done). As in hostapd, an EAP-WSC peer sends it (it must answer every
 *   request); an EAP server or a UPnP side ends the run instead.
 * - `credentials`: on success, what was delivered: the Credentials of M8 (or
 *   the AP settings configured / learned).
 */
export interface WpsStep {
  reply?: Buffer;
  events: WpsEvent[];
  result?: 'success' | 'failure';
  closing?: true;
  credentials?: Credential[];
}

/** An all-zero MAC address for events about an unknown peer. */
export const UNKNOWN_MAC: Buffer = Buffer.alloc(6);

/** Events of one type, narrowed: `eventsOf(step.events, 'fail')`. */
export function eventsOf<T extends WpsEventType>(events: readonly WpsEvent[], type: T): Extract<WpsEvent, { type: T }>[] {
  return events.filter((e): e is Extract<WpsEvent, { type: T }> => e.type === type);
}
