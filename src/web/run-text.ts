/**
 * What a run's outcome and a few event lines mean, in sentences for the
 * console: a wrong AP PIN, AP Setup Locked with when it ends, a wrong
 * Enrollee PIN, the NACK that ends every learn. The numbers are WSC's:
 * `msg` is the message the run failed at (enum wps_msg_type, as WPS-FAIL
 * prints it), `configError` the Configuration Error attribute.
 */
import { wpsFailText } from '../wps/events.js';
import { ConfigError } from '../wps/values.js';
import type { ConsoleRun, ConsoleRunFail } from './model.js';

/** WPS-FAIL's msg= numbers (hostapd enum wps_msg_type). */
const WPS_MSG_NAMES: Readonly<Record<number, string>> = {
  4: 'M1',
  5: 'M2',
  6: 'M2D',
  7: 'M3',
  8: 'M4',
  9: 'M5',
  10: 'M6',
  11: 'M7',
  12: 'M8',
  13: 'WSC_ACK',
  14: 'WSC_NACK',
  15: 'WSC_Done',
};

/** Configuration Error values (WSC 2.0 table 34), as a person would say them. */
const CONFIG_ERROR_TEXT: Readonly<Record<number, string>> = {
  [ConfigError.NoError]: 'no error',
  [ConfigError.DecryptionCrcFailure]: 'decryption CRC failure',
  [ConfigError.SignalTooWeak]: 'signal too weak',
  [ConfigError.NetworkAuthFailure]: 'network authentication failure',
  [ConfigError.NetworkAssociationFailure]: 'network association failure',
  [ConfigError.NoConnectionToRegistrar]: 'no connection to the Registrar',
  [ConfigError.MultiplePbcSessionsDetected]: 'multiple PBC sessions detected',
  [ConfigError.RogueActivitySuspected]: 'rogue activity suspected',
  [ConfigError.DeviceBusy]: 'device busy',
  [ConfigError.SetupLocked]: 'setup locked',
  [ConfigError.MessageTimeout]: 'message timeout',
  [ConfigError.RegistrationSessionTimeout]: 'registration session timeout',
  [ConfigError.DevicePasswordAuthFailure]: 'device password authentication failure',
  [ConfigError.PublicKeyHashMismatch]: 'public key hash mismatch',
};

/** "WPS-FAIL msg=8 config_error=18", as the ER printed it. */
export function failLine(f: ConsoleRunFail): string {
  return wpsFailText(f);
}

function failedAt(f: ConsoleRunFail): string {
  const at = WPS_MSG_NAMES[f.msg] ?? `message ${f.msg}`;
  return `at ${at} (${CONFIG_ERROR_TEXT[f.configError] ?? `configuration error ${f.configError}`})`;
}

/** Clock time for a sentence: 14:05:09 (the console's own clock). */
export type TimeText = (ms: number) => string;

/**
 * The sentence for a finished run that did not succeed; undefined while it
 * runs or when it succeeded (the caller says what it achieved).
 * `locked`: the AP's setup lock, for AP runs.
 */
export function runFailureText(run: ConsoleRun, time: TimeText, locked?: { until?: number }): string | undefined {
  if (run.state === 'running' || run.state === 'success') return undefined;
  const ap = run.kind === 'learn' || run.kind === 'configure';
  if (run.state === 'aborted') return ap ? 'The run was cut short: the AP went away.' : 'The run was cut short: the Enrollee went away or started over.';
  const f = run.fail;
  if (f === undefined) return ap ? 'The AP stopped answering during the run (no WPS message ended it; see the log).' : 'The run ended without a result from the Enrollee.';
  const line = failLine(f);
  if (ap && f.configError === ConfigError.SetupLocked) {
    const until = locked === undefined ? '' : locked.until === undefined ? ' It stays locked until a new AP PIN is set at the AP.' : ` It takes the AP PIN again at ${time(locked.until)}.`;
    return `AP Setup Locked: after repeated wrong AP PINs the AP refuses its PIN for a while (${line}).${until}`;
  }
  if (f.configError === ConfigError.DevicePasswordAuthFailure) {
    return ap
      ? `Wrong AP PIN: the AP did not accept it (${line}). Check the PIN on the AP's label; after 3 wrong PINs the AP locks its setup.`
      : `Wrong PIN: this Enrollee's PIN did not match (${line}). Check the PIN on its label or display and try again.`;
  }
  if (f.configError === ConfigError.MultiplePbcSessionsDetected) return `PBC session overlap: more than one Enrollee pushed its button (${line}). Use a PIN, or try again later.`;
  return `The run failed ${failedAt(f)} (${line}).`;
}

/** The NACK without an error that ends every learn (the ER stops after M7 once it has the AP's settings). */
const LEARN_END_TEXT = wpsFailText({ msg: 11, configError: ConfigError.NoError, errorIndication: 0 });

/** What an event line means, when it is not what it looks like. */
export function eventNote(text: string): string | undefined {
  if (text.trimEnd() === LEARN_END_TEXT) return 'not an error: the WSC_NACK that ends a learn after M7, once the ER has the AP settings';
  return undefined;
}
