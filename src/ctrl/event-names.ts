/**
 * The control-interface event names, spelled once, exactly as hostapd and
 * wpa_supplicant 2.10 send them (src/common/wpa_ctrl.h: AP_EVENT_*,
 * WPA_EVENT_*, WPS_EVENT_*), with the level each goes out at (wpa_msg's
 * MSG_* of the sending code). Every daemon builds its lines with
 * {@link eventText}; nothing else spells a name.
 *
 * A line is the name, one space, then what follows; an event with nothing
 * to follow keeps the space ("WPS-SUCCESS "), as wpa_ctrl.h's macros end
 * in one.
 */

/** wpa_debug.h message levels, as monitors filter on them (LEVEL). */
export const MsgLevel = {
  MsgDump: 1,
  Debug: 2,
  Info: 3,
  Warning: 4,
  Error: 5,
} as const;
export type MsgLevel = (typeof MsgLevel)[keyof typeof MsgLevel];

/** The level monitors get by default, and most events' level. */
export const MSG_INFO = MsgLevel.Info;

export const CtrlEvent = {
  ApEnabled: 'AP-ENABLED',
  ApDisabled: 'AP-DISABLED',
  ApStaConnected: 'AP-STA-CONNECTED',
  ScanStarted: 'CTRL-EVENT-SCAN-STARTED',
  ScanResults: 'CTRL-EVENT-SCAN-RESULTS',
  ScanFailed: 'CTRL-EVENT-SCAN-FAILED',
  Connected: 'CTRL-EVENT-CONNECTED',
  Disconnected: 'CTRL-EVENT-DISCONNECTED',
  NetworkAdded: 'CTRL-EVENT-NETWORK-ADDED',
  NetworkRemoved: 'CTRL-EVENT-NETWORK-REMOVED',
  WpsSuccess: 'WPS-SUCCESS',
  WpsFail: 'WPS-FAIL',
  WpsRegSuccess: 'WPS-REG-SUCCESS',
  WpsCredReceived: 'WPS-CRED-RECEIVED',
  WpsNewApSettings: 'WPS-NEW-AP-SETTINGS',
  WpsM2d: 'WPS-M2D',
  WpsOverlapDetected: 'WPS-OVERLAP-DETECTED',
  WpsPbcActive: 'WPS-PBC-ACTIVE',
  WpsPbcDisable: 'WPS-PBC-DISABLE',
  WpsPinActive: 'WPS-PIN-ACTIVE',
  WpsPinNeeded: 'WPS-PIN-NEEDED',
  WpsTimeout: 'WPS-TIMEOUT',
  WpsCancel: 'WPS-CANCEL',
  WpsEnrolleeSeen: 'WPS-ENROLLEE-SEEN',
  WpsApPinDisabled: 'WPS-AP-PIN-DISABLED',
  WpsApSetupLocked: 'WPS-AP-SETUP-LOCKED',
  WpsApSetupUnlocked: 'WPS-AP-SETUP-UNLOCKED',
  WpsApAvailable: 'WPS-AP-AVAILABLE',
  WpsApAvailablePbc: 'WPS-AP-AVAILABLE-PBC',
  WpsApAvailableAuth: 'WPS-AP-AVAILABLE-AUTH',
  WpsApAvailablePin: 'WPS-AP-AVAILABLE-PIN',
  WpsErApAdd: 'WPS-ER-AP-ADD',
  WpsErApRemove: 'WPS-ER-AP-REMOVE',
  WpsErEnrolleeAdd: 'WPS-ER-ENROLLEE-ADD',
  WpsErEnrolleeRemove: 'WPS-ER-ENROLLEE-REMOVE',
  WpsErApSettings: 'WPS-ER-AP-SETTINGS',
  WpsErApSetSelReg: 'WPS-ER-AP-SET-SEL-REG',
} as const;
export type CtrlEventName = (typeof CtrlEvent)[keyof typeof CtrlEvent];

/**
 * The level of each event. wpa_supplicant sends WPS-ER-AP-SET-SEL-REG's
 * START and DONE at MSG_DEBUG and only FAILED at MSG_INFO (its
 * wpa_supplicant_wps_event_er_set_sel_reg); that one is given per state.
 */
export const CTRL_EVENT_LEVEL: Readonly<Record<CtrlEventName, MsgLevel>> = Object.fromEntries(
  Object.values(CtrlEvent).map((name) => [name, name === CtrlEvent.WpsErApSetSelReg ? MsgLevel.Debug : MsgLevel.Info]),
) as Record<CtrlEventName, MsgLevel>;

/** An event as monitors get it: level and text (without the "<3>" prefix). */
export interface CtrlEventLine {
  level: number;
  text: string;
}

/** "NAME rest", or "NAME " when nothing follows. */
export function eventText(name: CtrlEventName, rest = ''): string {
  return `${name} ${rest}`;
}

/** The line of an event at its table level (or the level given). */
export function eventLine(name: CtrlEventName, rest = '', level: number = CTRL_EVENT_LEVEL[name]): CtrlEventLine {
  return { level, text: eventText(name, rest) };
}

/** The event a line starts with (its name and a space, or the name alone), else undefined. */
export function eventNameOf(text: string): CtrlEventName | undefined {
  const sp = text.indexOf(' ');
  const head = sp < 0 ? text : text.slice(0, sp);
  return (Object.values(CtrlEvent) as string[]).includes(head) ? (head as CtrlEventName) : undefined;
}
