/**
 * What the ER web console needs from the External Registrar (and the lab
 * around it): a snapshot of the APs and Enrollees the ER knows, a stream of
 * event lines spelled as wpa_supplicant prints them (WPS-ER-AP-ADD,
 * WPS-ER-ENROLLEE-ADD, WPS-ER-AP-SETTINGS, WPS-FAIL, ...), and the ER actions
 * behind wps_er_learn / wps_er_config / wps_er_pin / wps_er_pbc.
 *
 * Actions resolve when the ER has accepted or refused the request (the reply
 * a ctrl client would get); the outcome of the protocol run arrives later as
 * event lines and state changes, as it does on the control socket.
 */

/** wps_er_config <auth> names (wpa_supplicant wpas_wps_er_config). */
export const AUTH_NAMES = ['OPEN', 'WPAPSK', 'WPA2PSK'] as const;
export type AuthName = (typeof AUTH_NAMES)[number];

/** wps_er_config <encr> names; WEP exists only in wpa_supplicant's testing builds and is not offered. */
export const ENCR_NAMES = ['NONE', 'TKIP', 'CCMP'] as const;
export type EncrName = (typeof ENCR_NAMES)[number];

/** Network settings of an AP (its Credential), as learned or configured. */
export interface ApSettings {
  ssid: string;
  authType: AuthName;
  encrType: EncrName;
  /** The passphrase or 64-hex PSK; empty for OPEN. The console never sends it to the page unasked. */
  key: string;
}

/** learn / configure: with an AP's Enrollee over SOAP; pin / pbc: with a wireless Enrollee the AP proxies. */
export type ConsoleRunKind = 'learn' | 'configure' | 'pin' | 'pbc';

/** running, or how the run ended (aborted: its AP or Enrollee went away, or a new M1 started over). */
export type ConsoleRunState = 'running' | 'success' | 'failure' | 'aborted';

/** The numbers of the WPS-FAIL that ended a run. */
export interface ConsoleRunFail {
  msg: number;
  configError: number;
  errorIndication: number;
}

/**
 * The last protocol run of an AP (learn / configure) or of an Enrollee (pin /
 * pbc), as the ER reported its start and end: so each outcome is shown where
 * the run that produced it was started.
 */
export interface ConsoleRun {
  /** The ER's run number; a new run has a higher one. */
  id: number;
  kind: ConsoleRunKind;
  state: ConsoleRunState;
  /** The WPS-FAIL that ended a failed run, when there was one. */
  fail?: ConsoleRunFail;
  startedAt: number;
  endedAt?: number;
}

/** An AP the ER found (WPS-ER-AP-ADD data, from its UPnP description and M1). */
export interface ConsoleAp {
  /** UUID as 8-4-4-4-12 lowercase hex. */
  uuid: string;
  /** MAC address aa:bb:cc:dd:ee:ff (from its M1). */
  mac: string;
  /** Where its UPnP device answers (IP address). */
  address: string;
  friendlyName: string;
  manufacturer: string;
  modelDescription: string;
  modelName: string;
  modelNumber: string;
  serialNumber: string;
  /** Primary device type as wpa_supplicant prints it, e.g. "6-0050F204-1". */
  priDevType: string;
  /** WSC Wi-Fi Protected Setup State: 1 not configured, 2 configured. */
  wpsState: number;
  /** Known once learned (WPS-ER-AP-SETTINGS) or configured. */
  settings?: ApSettings;
  /** A learn or configure run is under way. */
  busy?: boolean;
  /** Counts every change of `settings` (a new key included), so a page knows a key it showed is stale. */
  settingsRevision?: number;
  /** The last learn or configure run. */
  run?: ConsoleRun;
  /**
   * AP Setup Locked (WPS-AP-SETUP-LOCKED): the AP refuses its AP PIN after
   * repeated wrong ones; `until` is when it takes it again (wall-clock ms),
   * absent when only a new AP PIN unlocks it.
   */
  setupLocked?: { until?: number };
}

/** Where an Enrollee stands, as the ER sees it: probe seen, M1 seen, enrolled, failed. */
export const ENROLLEE_STATES = ['probe', 'm1', 'enrolled', 'failed'] as const;
export type EnrolleeState = (typeof ENROLLEE_STATES)[number];

/** An Enrollee an AP proxied to the ER (WPS-ER-ENROLLEE-ADD data). */
export interface ConsoleEnrollee {
  uuid: string;
  mac: string;
  deviceName: string;
  manufacturer: string;
  modelName: string;
  modelNumber: string;
  serialNumber: string;
  priDevType: string;
  /** Config Methods attribute (e.g. 0x148c). */
  configMethods: number;
  /** Device Password ID from its probe/M1 (0 PIN, 4 PBC). */
  devPasswdId: number;
  state: EnrolleeState;
  /** The AP that proxied it. */
  apUuid?: string;
  /** Why it failed (e.g. "WPS-FAIL msg=8 config_error=18"), when state is 'failed'. */
  detail?: string;
  /** Its last registration run at the ER. */
  run?: ConsoleRun;
}

/** The ER itself. */
export interface ConsoleEr {
  uuid: string;
  deviceName: string;
  /** wps_er_start has run and the ER is discovering APs. */
  started: boolean;
}

/** One event line as a ctrl monitor would print it, without the "<3>" level prefix. */
export interface ConsoleEvent {
  /** Increasing sequence number, so a page can drop duplicates. */
  seq: number;
  /** Wall-clock time in ms. */
  time: number;
  /** Who printed it: the ER (WPS-ER-*, WPS-FAIL, ...) or the AP (WPS-NEW-AP-SETTINGS, AP-STA-CONNECTED, ...). */
  source: 'er' | 'ap';
  text: string;
  /** What the line means when it is not what it looks like (the NACK that ends a learn is no failure). */
  note?: string;
}

export interface ConsoleSnapshot {
  er: ConsoleEr;
  aps: ConsoleAp[];
  enrollees: ConsoleEnrollee[];
  /** The most recent event lines, oldest first. */
  events: ConsoleEvent[];
  /** Enrollees known to exist that do not probe yet (the lab's stations waiting their turn). */
  queued?: number;
}

/**
 * The reply to an action: `reply` is what the ctrl socket would answer
 * ('OK', 'FAIL', 'FAIL-UNKNOWN-UUID', 'FAIL-NO-AP-SETTINGS', 'FAIL-PBC-OVERLAP'),
 * `message` an optional sentence for people.
 */
export interface ConsoleResult {
  ok: boolean;
  reply: string;
  message?: string;
}

/** wps_er_config arguments, in plain text (the backend hex-encodes as the ctrl command wants). */
export interface NewApSettings {
  ssid: string;
  auth: AuthName;
  encr: EncrName;
  key: string;
}

/** wps_er_pin <Enrollee UUID|"any"|MAC address> <PIN> [Enrollee MAC address]. */
export interface EnrolleePinRequest {
  enrollee: string;
  pin: string;
  mac?: string;
}

export type EnrollAllMethod = 'pin' | 'pbc';

export interface EnrollAllRequest {
  method: EnrollAllMethod;
  /**
   * PIN mode: one PIN for every waiting Enrollee; when absent, the backend
   * uses each Enrollee's own PIN if it knows it (the lab knows its
   * stations'), else that Enrollee is counted as failed.
   */
  pin?: string;
}

/** Progress of an "enroll all" run; the last one yielded has `finished` set. */
export interface EnrollAllProgress {
  total: number;
  enrolled: number;
  failed: number;
  /** The Enrollee being worked on, by MAC. */
  current?: string;
  finished: boolean;
  /** A sentence about the last step ("02:..:27 enrolled", "PBC overlap"). */
  message?: string;
}

export type ConsoleChangeListener = () => void;
export type ConsoleEventListener = (ev: ConsoleEvent) => void;

/** What the console calls; the lab implements it over the real ER. */
export interface ConsoleBackend {
  snapshot(): ConsoleSnapshot;
  /** 'change': the snapshot changed (coalesced by the console); 'event': a new event line. */
  on(event: 'change', listener: ConsoleChangeListener): void;
  on(event: 'event', listener: ConsoleEventListener): void;
  off(event: 'change', listener: ConsoleChangeListener): void;
  off(event: 'event', listener: ConsoleEventListener): void;
  /** wps_er_learn <UUID|BSSID> <AP PIN>. */
  learn(ap: string, apPin: string): Promise<ConsoleResult>;
  /** wps_er_config <UUID|BSSID> <AP PIN> <new SSID> <auth> <encr> <new key>. */
  configure(ap: string, apPin: string, settings: NewApSettings): Promise<ConsoleResult>;
  /** wps_er_pin. */
  authorizePin(req: EnrolleePinRequest): Promise<ConsoleResult>;
  /** wps_er_pbc <Enrollee UUID|MAC address>. */
  authorizePbc(enrollee: string): Promise<ConsoleResult>;
  /** Authorises every waiting Enrollee in turn, yielding progress; stops early when `signal` aborts. */
  enrollAll(req: EnrollAllRequest, signal: AbortSignal): AsyncIterable<EnrollAllProgress>;
}
