/**
 * driver=none (wpa_supplicant's -D none): a station without a radio, for an
 * External Registrar that only speaks UPnP. Every radio operation is refused.
 */
import { type MacAddress, macAddress } from './mac.js';
import { DriverError, DriverEvents, type StationDriver, type DriverListener, type ScanResult, type ConnectResult } from './driver.js';
import type { ManagementFrame } from './frame.js';

const refuse = (what: string): Promise<never> => Promise.reject(new DriverError('NOT_SUPPORTED', `driver=none has no radio: cannot ${what}`));

export class NoneDriver implements StationDriver {
  readonly driverName = 'none' as const;
  readonly address: MacAddress;
  private readonly events = new DriverEvents();

  constructor(address: MacAddress) {
    this.address = macAddress(address);
  }

  onEvent(listener: DriverListener): () => void {
    return this.events.on(listener);
  }

  sendMgmt(_frame: ManagementFrame | Uint8Array): Promise<void> {
    return refuse('send management frames');
  }

  sendEapol(_dst: MacAddress, _eapol: Uint8Array): Promise<void> {
    return refuse('send EAPOL');
  }

  scan(): Promise<ScanResult[]> {
    return refuse('scan');
  }

  connect(): Promise<ConnectResult> {
    return refuse('connect');
  }

  disconnect(): Promise<void> {
    return refuse('disconnect');
  }

  connection(): undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}
