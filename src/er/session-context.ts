/**
 * What a protocol run needs from the External Registrar, and no more: the
 * runs never see the ExternalRegistrar class (nor it their modules at
 * runtime), and can be driven by a small fake in tests.
 */
import type { Logger } from '../common/log.js';
import type { Credential } from '../wps/credential.js';
import type { DhKeyPair } from '../wps/crypto.js';
import type { DeviceInfo } from '../wps/device.js';
import type { NfcPasswordToken } from '../wps/nfc/password-tokens.js';
import type { PbcSessions } from '../wps/pbc.js';
import type { ErAp } from './ap-record.js';
import type { ErEnrollee } from './enrollee-table.js';
import type { ErEventMap, ErRunKind, ErRunView } from './er-events.js';

/** The run events a session reports; the ER publishes them. */
export type SessionEventName = 'run-start' | 'wps-fail' | 'wps-success' | 'run-end';

export interface ErSessionContext {
  readonly device: DeviceInfo;
  readonly log: Logger;
  /** A DH key pair for one Registrar run (from the ER's precomputed stock). */
  dhKeyPair(): DhKeyPair;
  /** The AP's WFAWLANConfig control URL (its description was checked). */
  controlUrl(ap: ErAp): string;
  /** A new run record (its id and start time). */
  newRun(kind: ErRunKind, ap: ErAp, enrollee?: ErEnrollee): ErRunView;
  publish<K extends SessionEventName>(name: K, ev: ErEventMap[K]): void;
}

export interface ApSessionContext extends ErSessionContext {
  /** A learn run received the AP's settings. */
  learned(ap: ErAp, settings: Credential): void;
  /** A config run succeeded: the settings the AP was given, as the local Registrar sees them. */
  configured(cred: Credential): void;
}

export interface EnrollContext extends ErSessionContext {
  readonly pbc: PbcSessions;
  /** The NFC token for an M1's Device Password ID, claimed by it; with our handover key for ID 0x0007. */
  claimNfcToken(passwordId: number): (NfcPasswordToken & { dhPrivateKey?: Buffer }) | undefined;
  /** The PIN held for this Enrollee (its own, else a wildcard one). */
  pinFor(uuid: Uint8Array): string | undefined;
  /** The Registrar invalidated the PIN that served this Enrollee. */
  pinInvalidated(uuid: Uint8Array): void;
  /** A run ended; `success` with the Enrollee enrolled. */
  enrolleeRunEnded(ap: ErAp, e: ErEnrollee, success: boolean): void;
}
