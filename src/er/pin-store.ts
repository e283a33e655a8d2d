/**
 * Enrollee PINs given to the External Registrar (WPS_ER_PIN), as
 * wps_registrar_add_pin keeps them: for one UUID-E or for any Enrollee
 * ("any"), optionally bound to the Enrollee's MAC address (which the AP then
 * advertises in Authorized MACs), each valid 300 s. A PIN for a UUID wins
 * over a wildcard one; a wildcard PIN serves one Enrollee and is gone.
 */

/** wpas_wps_er_add_pin gives every PIN 300 s. */
export const ER_PIN_TIMEOUT_MS = 300_000;
/** PINs held at once. */
export const MAX_ER_PINS = 64;
/** WPS_MAX_AUTHORIZED_MACS: Authorized MACs carried in SetSelectedRegistrar. */
export const MAX_AUTHORIZED_MACS = 5;
const BROADCAST = Buffer.alloc(6, 0xff);

export interface ErPin {
  /** undefined = any Enrollee. */
  uuid: Buffer | undefined;
  pin: string;
  macAddress: Buffer | undefined;
  expiresAt: number;
}

export class PinStore {
  private pins: ErPin[] = [];
  private changes = 0;

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.pins.length;
  }

  /** Counts every change of the set of PINs (SetSelectedRegistrar goes again after one). */
  get version(): number {
    return this.changes;
  }

  /** Adds (or replaces the PIN for the same UUID / wildcard); false when full. */
  add(uuid: Buffer | undefined, pin: string, macAddress: Buffer | undefined): boolean {
    this.pins = this.pins.filter((p) => !(uuid === undefined ? p.uuid === undefined : p.uuid?.equals(uuid) === true));
    this.changes++;
    if (this.pins.length >= MAX_ER_PINS) return false;
    this.pins.push({ uuid: uuid && Buffer.from(uuid), pin, macAddress: macAddress && Buffer.from(macAddress), expiresAt: this.now() + ER_PIN_TIMEOUT_MS });
    return true;
  }

  /** The PIN for this Enrollee: its own first, else a wildcard one. */
  lookup(uuid: Uint8Array): ErPin | undefined {
    const t = this.now();
    const live = this.pins.filter((p) => p.expiresAt > t);
    return live.find((p) => p.uuid?.equals(uuid) === true) ?? live.find((p) => p.uuid === undefined);
  }

  remove(p: ErPin): void {
    const before = this.pins.length;
    this.pins = this.pins.filter((x) => x !== p);
    if (this.pins.length !== before) this.changes++;
  }

  /** Drops the PIN that served (or would serve) this Enrollee. */
  removeFor(uuid: Uint8Array): boolean {
    const p = this.lookup(uuid);
    if (p === undefined) return false;
    this.remove(p);
    return true;
  }

  /** Removes expired PINs; true when any went. */
  expire(): boolean {
    const t = this.now();
    const before = this.pins.length;
    this.pins = this.pins.filter((p) => p.expiresAt > t);
    if (this.pins.length === before) return false;
    this.changes++;
    return true;
  }

  /**
   * Authorized MACs for SetSelectedRegistrar, the union over all PINs held
   * as wps_registrar_add_authorized_mac builds it: newest first, a PIN
   * without a MAC authorizes broadcast, no repeats, at most 5.
   */
  authorizedMacs(): Buffer[] {
    const out: Buffer[] = [];
    for (let i = this.pins.length - 1; i >= 0 && out.length < MAX_AUTHORIZED_MACS; i--) {
      const m = this.pins[i]?.macAddress ?? BROADCAST;
      if (!out.some((x) => x.equals(m))) out.push(Buffer.from(m));
    }
    return out;
  }

  clear(): void {
    if (this.pins.length > 0) this.changes++;
    this.pins = [];
  }
}
