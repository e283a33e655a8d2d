/**
 * One AP the External Registrar found: where it advertised from, what its
 * description and M1 said, its event subscription, its Enrollees and the
 * settings we know for it. Outside src/er it is seen only through
 * {@link ErApView}: the ER is its one owner.
 */
import { setMaxListeners } from 'node:events';
import type { GenaSubscription } from '../upnp/gena-subscriber.js';
import type { Credential } from '../wps/credential.js';
import { formatUuid } from '../wps/device.js';
import type { ApDescription } from './description-check.js';
import { EnrolleeTable, MAX_ENROLLEES_PER_AP, type EnrolleeTableView } from './enrollee-table.js';
import { WlanEventLimiter } from './event-limiter.js';
import type { SelectedRegistrarState } from '../wfa/set-selected-registrar.js';

/**
 * Listeners an AP's abort signal may hold: every request to the AP listens
 * on it while it runs, and Enrollees proxied at once each have their
 * PutWLANResponse (an answer and a NACK may overlap), besides the AP's own
 * exchanges (description, subscription, SetSelectedRegistrar, a learn).
 * Node's default of 10 would print a leak warning once 11 Enrollees enroll
 * through one AP at once; each listener goes when its request ends.
 */
export const AP_SIGNAL_MAX_LISTENERS = 2 * MAX_ENROLLEES_PER_AP + 8;

export type ApStage = 'describing' | 'device-info' | 'subscribing' | 'ready' | 'removed';

/** An AP as the ER's owners-to-be (lab, console, tests) may read it. */
export interface ErApView {
  readonly id: number;
  readonly address: string;
  readonly uuid: Buffer;
  readonly uuidText: string;
  readonly location: string;
  readonly stage: ApStage;
  readonly removed: boolean;
  readonly description: ApDescription | undefined;
  readonly macAddress: Buffer;
  readonly primaryDeviceType: Buffer | undefined;
  readonly wpsState: number;
  /** WPS-ER-AP-ADD was sent and WPS-ER-AP-REMOVE not yet. */
  readonly announced: boolean;
  /** A learn or config run holds the AP. */
  readonly busy: boolean;
  readonly apSettings: Credential | undefined;
  readonly enrollees: EnrolleeTableView;
  /** What the AP last acknowledged (SetSelectedRegistrar answered 200): a Registrar is selected. */
  readonly selectedAtAp: boolean;
  /** No SetSelectedRegistrar to this AP is under way or waiting. */
  readonly selectionSettled: boolean;
}

/** A SetSelectedRegistrar that waits its turn: the message and what it says. */
export interface PendingSelection {
  msg: Buffer;
  state: SelectedRegistrarState;
}

export class ErAp implements ErApView {
  /** Small integer for logs (wps_er's ap->id). */
  readonly id: number;
  readonly address: string;
  /** From the USN; the description's UDN must agree. */
  readonly uuid: Buffer;
  location: string;
  stage: ApStage = 'describing';
  description: ApDescription | undefined;
  macAddress: Buffer = Buffer.alloc(6);
  primaryDeviceType: Buffer | undefined;
  wpsState = 0;
  subscription: GenaSubscription | undefined;
  /** WPS-ER-AP-ADD was sent (so WPS-ER-AP-REMOVE is due when it goes). */
  announced = false;
  /** A learn/config run or another exchange with the AP is under way. */
  busy = false;
  /** Settings learned, configured or set with wps_er_set_config. */
  apSettings: Credential | undefined;
  readonly enrollees: EnrolleeTable;
  /** Set on removal: pending work for this AP stops at its next step, and calls under way are aborted. */
  readonly abort = new AbortController();
  retries = 0;
  retryTimer: NodeJS.Timeout | undefined;
  /** Per-Enrollee budget for probes, M1s and strays (EAP of a run in progress is never counted). */
  readonly eventLimiter: WlanEventLimiter;
  /** A SetSelectedRegistrar to this AP is under way. */
  selRegSending = false;
  /** The newest SetSelectedRegistrar that waits for the one under way (or a learn/config run) to end. */
  selRegPending: PendingSelection | undefined;
  selectedAtAp = false;

  constructor(id: number, address: string, uuid: Buffer, location: string, now: () => number) {
    this.id = id;
    this.address = address;
    this.uuid = Buffer.from(uuid);
    this.location = location;
    this.enrollees = new EnrolleeTable(now);
    this.eventLimiter = new WlanEventLimiter(now);
    setMaxListeners(AP_SIGNAL_MAX_LISTENERS, this.abort.signal);
  }

  get key(): string {
    return apKey(this.address, this.uuid);
  }

  get uuidText(): string {
    return formatUuid(this.uuid);
  }

  get label(): string {
    return `AP ${this.id} ${this.address} (${this.location})`;
  }

  get removed(): boolean {
    return this.stage === 'removed';
  }

  get selectionSettled(): boolean {
    return !this.selRegSending && this.selRegPending === undefined;
  }
}

export function apKey(address: string, uuid: Uint8Array): string {
  return `${address}/${Buffer.from(uuid).toString('hex')}`;
}
