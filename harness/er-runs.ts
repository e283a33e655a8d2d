// The steps External Registrar interop tests repeat: one WPS_ER_LEARN run
// watched on the ER's (and the AP's) control session, and bounded polling
// for a state that a daemon reaches a little after its event.
import type { CtrlSession } from './ctrl-session.js';
import { REFERENCE_AP } from './hostapd.js';

/** How long an ER run's events may take (UPnP round trips inside namespaces). */
export const ER_EVENT_MS = 15_000;

/** `s` as hex, the way the wpa_ctrl wire carries SSIDs and keys (WPS_ER_CONFIG). */
export function utf8Hex(s: string): string {
  return Buffer.from(s, 'utf8').toString('hex');
}

/** What an ER shows for the reference AP of hostapd.ts, as recorded from Debian wpa_supplicant (fixtures/reference/README.md). */
export const REFERENCE_AP_LINES = {
  /** WPS-ER-AP-ADD for the reference AP whose veth has `mac`. */
  apAdd: (mac: string): string =>
    `WPS-ER-AP-ADD ${REFERENCE_AP.uuid} ${mac} pri_dev_type=6-0050F204-1 wps_state=2 ` +
    '|WPS Access Point|Company|Wireless Access Point|WAP|http://www.example.com/|http://www.example.com/model/|',
  /** WPS-ER-AP-SETTINGS learnt with the AP PIN. */
  settings: `WPS-ER-AP-SETTINGS uuid=${REFERENCE_AP.uuid} ssid=test-wps auth_type=0x0020 encr_type=0x0008 key=12345678`,
} as const;

export interface ErLearnOptions {
  /** The AP's attached session: its WPS-FAIL line is awaited and returned too. */
  ap?: CtrlSession;
  /** Sends the command (e.g. through wpa_cli). Default: the ER session, repeated while it answers FAIL (pending operation). */
  send?: (command: string) => Promise<string>;
  /** Wait for WPS-ER-AP-SETTINGS first (the right AP PIN). Default true. */
  settings?: boolean;
  /** Wait for the ER's WPS-FAIL (learn ends with a NACK; a wrong PIN fails). Default true. */
  fail?: boolean;
  timeoutMs?: number;
}

/** What one learn run showed; the test asserts on it. */
export interface ErLearnRun {
  /** The reply to WPS_ER_LEARN; nothing else is awaited unless it is "OK\n". */
  reply: string;
  /** The WPS-ER-AP-SETTINGS line (when awaited). */
  settings?: string;
  /** The ER's first WPS-FAIL line after the settings (when awaited). */
  erFail?: string;
  /** The AP's first WPS-FAIL line (when an AP session was given). */
  apFail?: string;
  /** Every ER event line from the command on (to check what did not happen). */
  erEvents: string[];
}

/** Marks both sessions, sends `WPS_ER_LEARN uuid pin`, and collects the events of the run in order. */
export async function erLearn(er: CtrlSession, uuid: string, pin: string, o: ErLearnOptions = {}): Promise<ErLearnRun> {
  const timeoutMs = o.timeoutMs ?? ER_EVENT_MS;
  const from = er.mark();
  o.ap?.mark();
  const command = `WPS_ER_LEARN ${uuid} ${pin}`;
  const run: ErLearnRun = { reply: await (o.send ?? ((c) => er.requestUntilOk(c)))(command), erEvents: [] };
  if (run.reply !== 'OK\n') return run;
  if (o.settings ?? true) run.settings = (await er.waitFor(/^WPS-ER-AP-SETTINGS /, timeoutMs)).text;
  if (o.fail ?? true) run.erFail = (await er.waitFor(/^WPS-FAIL /, timeoutMs)).text;
  if (o.ap) run.apFail = (await o.ap.waitFor(/^WPS-FAIL /, timeoutMs)).text;
  run.erEvents = er.events.slice(from).map((e) => e.text);
  return run;
}

/**
 * Calls `read` until `done` holds for what it returned, at most `tries` times
 * `intervalMs` apart, and returns the last value: the test's assertions on it
 * decide pass or fail.
 */
export async function pollUntil<T>(read: () => T | Promise<T>, done: (value: T) => boolean, tries = 50, intervalMs = 100): Promise<T> {
  let value = await read();
  for (let i = 1; i < tries && !done(value); i++) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await read();
  }
  return value;
}
