/**
 * One AP the External Registrar found: where it advertised from, what its
 * description and M1 said, its event subscription, its Enrollees and the
 * settings we know for it.
 */
import type { GenaSubscription } from '../upnp/gena-subscriber.js';
import type { Credential } from '../wps/credential.js';
import { formatUuid } from '../wps/device.js';
import type { ApDescription } from './description-check.js';
import { EnrolleeTable } from './enrollee-table.js';
import { WlanEventLimiter } from './event-limiter.js';

export type ApStage = 'describing' | 'device-info' | 'subscribing' | 'ready' | 'removed';

export class ErAp {
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
  /** Set on removal: pending work for this AP stops at its next step. */
  readonly abort = new AbortController();
  retries = 0;
  retryTimer: NodeJS.Timeout | undefined;
  /** Per-Enrollee budget for probes, M1s and strays (EAP of a run in progress is never counted). */
  readonly eventLimiter: WlanEventLimiter;
  /** A SetSelectedRegistrar to this AP is under way. */
  selRegSending = false;
  /** The newest SetSelectedRegistrar that waits for the one under way (or a learn/config run) to end. */
  selRegPending: Buffer | undefined;

  constructor(id: number, address: string, uuid: Buffer, location: string, now: () => number) {
    this.id = id;
    this.address = address;
    this.uuid = Buffer.from(uuid);
    this.location = location;
    this.enrollees = new EnrolleeTable(now);
    this.eventLimiter = new WlanEventLimiter(now);
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
}

export function apKey(address: string, uuid: Uint8Array): string {
  return `${address}/${Buffer.from(uuid).toString('hex')}`;
}
