/**
 * A registration protocol run failure inside the Enrollee / Registrar state
 * machines, and the Configuration Error each cause puts in the WSC_NACK.
 */
import type { ErrorIndication, FailReason } from './events.js';
import { ConfigError } from './values.js';
import { WpsdError } from '../common/errors.js';

/**
 * Configuration Error sent in our WSC_NACK for each cause. hostapd sends
 * NoError (0) for everything but password, PBC, lock and key-hash failures;
 * we do too, except that a Key Wrap Authenticator / decryption failure is
 * the spec's Decryption CRC Failure (2): peers only display the value.
 */
export const NACK_CONFIG_ERROR: Readonly<Record<FailReason, number>> = {
  'malformed-message': ConfigError.NoError,
  'unexpected-message': ConfigError.NoError,
  'missing-attribute': ConfigError.NoError,
  'bad-attribute': ConfigError.NoError,
  'nonce-mismatch': ConfigError.NoError,
  'authenticator-mismatch': ConfigError.NoError,
  'key-wrap-authenticator-mismatch': ConfigError.DecryptionCrcFailure,
  'decryption-failed': ConfigError.DecryptionCrcFailure,
  'bad-public-key': ConfigError.NoError,
  'password-auth-failure': ConfigError.DevicePasswordAuthFailure,
  'password-id-mismatch': ConfigError.NoError,
  'public-key-hash-mismatch': ConfigError.PublicKeyHashMismatch,
  'pbc-overlap': ConfigError.MultiplePbcSessionsDetected,
  'setup-locked': ConfigError.SetupLocked,
  'no-usable-credential': ConfigError.NoError,
  'no-credential': ConfigError.NoError,
  'nack-received': ConfigError.NoError,
  'no-registrar': ConfigError.NoError,
  'learn-complete': ConfigError.NoError,
  'internal-error': ConfigError.NoError,
};

export interface RunFailureOptions {
  attrType?: number;
  errorIndication?: ErrorIndication;
  /** Overrides NACK_CONFIG_ERROR[reason]. */
  configError?: number;
  /**
   * Whether the run answers with a WSC_NACK. hostapd does not answer a
   * message it cannot attribute to this run (unparsable, wrong nonce).
   */
  nack?: boolean;
}

export type RunFailureCode = Uppercase<FailReason> extends infer U ? (U extends string ? ReplaceDashes<U> : never) : never;
type ReplaceDashes<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${ReplaceDashes<B>}` : S;

function runFailureCode(reason: FailReason): RunFailureCode {
  return reason.toUpperCase().replaceAll('-', '_') as RunFailureCode;
}

const NO_NACK: ReadonlySet<FailReason> = new Set<FailReason>(['malformed-message', 'nonce-mismatch']);

/** What a fail event needs of a run's end: a RunFailure, or (on the normal end of a learn) the same without an Error. */
export interface RunEnd {
  readonly reason: FailReason;
  readonly detail: string;
  readonly configError: number;
  readonly options: RunFailureOptions;
}

/**
 * A run's end that is not a failure of ours (a learn that stops after M7,
 * the peer's WSC_NACK): no Error and no stack is built on that path.
 */
export function runEnd(reason: FailReason, detail: string, options: RunFailureOptions = {}): RunEnd {
  return { reason, detail, configError: options.configError ?? NACK_CONFIG_ERROR[reason], options };
}

/** `code` is the reason in the one error spelling; `reason` keeps the event's spelling. */
export class RunFailure extends WpsdError<RunFailureCode> implements RunEnd {
  readonly configError: number;
  readonly nack: boolean;
  constructor(
    readonly reason: FailReason,
    readonly detail: string,
    readonly options: RunFailureOptions = {},
  ) {
    super(runFailureCode(reason), detail);
    this.configError = options.configError ?? NACK_CONFIG_ERROR[reason];
    this.nack = options.nack ?? !NO_NACK.has(reason);
  }
}
