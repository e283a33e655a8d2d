/**
 * Who is the "selected registrar" the AP advertises: the union of the
 * internal Registrar (a PIN was added, or the push button pressed) and every
 * External Registrar that sent SetSelectedRegistrar, as hostapd's
 * wps_registrar_selected_registrar_changed() + wps_registrar_sel_reg_union()
 * compute it:
 *
 * - internal selected: Device Password ID PushButton in PBC mode (else the
 *   default), config methods = AP methods without push button, plus the push
 *   button bits in PBC mode; its Authorized MACs come first.
 * - each selected ER: its Device Password ID wins unless PBC is already
 *   chosen; config methods are OR-ed; its Authorized MACs are appended (5 max).
 *
 * Timeouts (hostapd): a PIN keeps the internal Registrar selected for
 * WPS_PBC_WALK_TIME (120 s, wps_registrar_set_selected_timeout), PBC mode
 * lasts the walk time (120 s, wps_registrar_pbc_timeout), and an ER's
 * SetSelectedRegistrar lasts 120 s too (upnp_er_set_selected_timeout).
 * Pure: time is injected; the daemon calls nextExpiry()/expire() from a timer.
 */
import { ConfigMethods, DevicePasswordId } from '../../wps/values.js';
import { MAX_AUTHORIZED_MACS } from '../../wps/vendor-ext.js';
import type { SelectedRegistrarView } from './wps-ie.js';
import { PUSHBUTTON_METHODS } from './wps-ie.js';

/** WPS_PBC_WALK_TIME: PBC mode, a new PIN, and an ER's selection each last 120 s. */
export const WPS_PBC_WALK_TIME_MS = 120_000;
export const SELECTED_REGISTRAR_TIMEOUT_MS = WPS_PBC_WALK_TIME_MS;
/** Bound on distinct External Registrars remembered (hostapd: one per UPnP subscription, 4 max; some slack). */
export const MAX_EXTERNAL_REGISTRARS = 16;
export const BROADCAST_MAC = Buffer.alloc(6, 0xff);

/** What an ER's SetSelectedRegistrar said (structurally the proxy's SelectedRegistrarMessage). */
export interface ExternalSelection {
  selected: boolean;
  devicePasswordId: number;
  configMethods: number;
  authorizedMacs: Buffer[];
}

export class SelectedRegistrarError extends Error {
  constructor(
    readonly code: 'BAD_MAC' | 'TOO_MANY',
    message: string,
  ) {
    super(message);
    this.name = 'SelectedRegistrarError';
  }
}

interface ExternalEntry extends ExternalSelection {
  expiresAt: number;
}

export interface SelectedRegistrarUnionOptions {
  now: () => number;
  /** The AP's config_methods (hostapd wps->config_methods). */
  configMethods: number;
  timeoutMs?: number;
}

/** hostapd's wps_set_pushbutton(): PushButton plus a virtual or physical flag. */
function withPushButton(methods: number, configured: number): number {
  let m = methods | ConfigMethods.PushButton;
  if ((configured & ConfigMethods.VirtualPushButton) === ConfigMethods.VirtualPushButton) m |= ConfigMethods.VirtualPushButton;
  if ((configured & ConfigMethods.PhysicalPushButton) === ConfigMethods.PhysicalPushButton) m |= ConfigMethods.PhysicalPushButton;
  if ((m & ConfigMethods.VirtualPushButton) !== ConfigMethods.VirtualPushButton && (m & ConfigMethods.PhysicalPushButton) !== ConfigMethods.PhysicalPushButton) {
    m |= ConfigMethods.PhysicalPushButton;
  }
  return m;
}

export class SelectedRegistrarUnion {
  private readonly timeoutMs: number;
  private internal: { pbc: boolean; expiresAt: number; macs: Buffer[] } | undefined;
  private readonly external = new Map<string, ExternalEntry>();

  constructor(private readonly opts: SelectedRegistrarUnionOptions) {
    this.timeoutMs = opts.timeoutMs ?? SELECTED_REGISTRAR_TIMEOUT_MS;
  }

  /** A PIN was added to the internal Registrar (WPS_PIN): selected, PBC off; `enrollee` becomes an Authorized MAC (broadcast for "any"). */
  pinAdded(enrollee?: Uint8Array): void {
    const mac = enrollee === undefined ? BROADCAST_MAC : Buffer.from(enrollee);
    if (mac.length !== 6) throw new SelectedRegistrarError('BAD_MAC', `Authorized MAC must be 6 octets, got ${mac.length}`);
    const macs = [mac, ...(this.internal?.pbc === false ? this.internal.macs.filter((m) => !m.equals(mac)) : [])].slice(0, MAX_AUTHORIZED_MACS);
    this.internal = { pbc: false, expiresAt: this.opts.now() + this.timeoutMs, macs };
  }

  /** The push button was pressed (WPS_PBC): PBC mode for the walk time, everybody authorized. */
  pbcStarted(): void {
    this.internal = { pbc: true, expiresAt: this.opts.now() + this.timeoutMs, macs: [Buffer.from(BROADCAST_MAC)] };
  }

  /** The internal Registrar is no longer selected (WPS_CANCEL, PBC completed, PIN used). */
  internalStopped(): void {
    this.internal = undefined;
  }

  /** An ER's SetSelectedRegistrar (`selected: false` removes it). */
  setExternal(er: string, sel: ExternalSelection): void {
    if (!sel.selected) {
      this.external.delete(er);
      return;
    }
    for (const m of sel.authorizedMacs) if (m.length !== 6) throw new SelectedRegistrarError('BAD_MAC', `Authorized MAC must be 6 octets, got ${m.length}`);
    this.expire();
    if (!this.external.has(er) && this.external.size >= MAX_EXTERNAL_REGISTRARS) {
      throw new SelectedRegistrarError('TOO_MANY', `more than ${MAX_EXTERNAL_REGISTRARS} External Registrars selected`);
    }
    this.external.set(er, {
      selected: true,
      devicePasswordId: sel.devicePasswordId,
      configMethods: sel.configMethods,
      authorizedMacs: sel.authorizedMacs.slice(0, MAX_AUTHORIZED_MACS).map((m) => Buffer.from(m)),
      expiresAt: this.opts.now() + this.timeoutMs,
    });
  }

  /** The ER unsubscribed or went away. */
  removeExternal(er: string): void {
    this.external.delete(er);
  }

  /** Drops what timed out; true when anything changed (then rebuild the beacon). */
  expire(): boolean {
    const now = this.opts.now();
    let changed = false;
    if (this.internal !== undefined && this.internal.expiresAt <= now) {
      this.internal = undefined;
      changed = true;
    }
    for (const [er, e] of this.external) {
      if (e.expiresAt <= now) {
        this.external.delete(er);
        changed = true;
      }
    }
    return changed;
  }

  /** When the next selection times out (injected clock), or undefined. */
  nextExpiry(): number | undefined {
    const times = [...this.external.values()].map((e) => e.expiresAt);
    if (this.internal !== undefined) times.push(this.internal.expiresAt);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /** True while the internal Registrar is selected in PBC mode. */
  get internalPbc(): boolean {
    this.expire();
    return this.internal?.pbc === true;
  }

  get internalSelected(): boolean {
    this.expire();
    return this.internal !== undefined;
  }

  /** The union, as the Beacon/Probe Response attributes show it. */
  view(): SelectedRegistrarView {
    this.expire();
    const configured = this.opts.configMethods;
    const int = this.internal;
    let selected = int !== undefined;
    let pwIdOverride: number | undefined;
    let methodsOverride: number | undefined;
    const macs: Buffer[] = int ? int.macs.map((m) => Buffer.from(m)) : [];
    if (int) {
      let methods = configured & ~PUSHBUTTON_METHODS & 0xffff;
      if (int.pbc) {
        pwIdOverride = DevicePasswordId.PushButton;
        methods = withPushButton(methods, configured);
      }
      methodsOverride = methods;
    }
    for (const e of this.external.values()) {
      selected = true;
      if (pwIdOverride !== DevicePasswordId.PushButton) pwIdOverride = e.devicePasswordId;
      methodsOverride = (methodsOverride ?? 0) | e.configMethods;
      for (const m of e.authorizedMacs) if (macs.length < MAX_AUTHORIZED_MACS) macs.push(Buffer.from(m));
    }
    if (!selected) return { selected: false, devicePasswordId: 0, configMethods: 0, authorizedMacs: [], pbc: false };
    const pbc = int?.pbc === true;
    let methods = configured & ~PUSHBUTTON_METHODS & 0xffff;
    if (pbc) methods = withPushButton(methods, configured);
    return {
      selected: true,
      devicePasswordId: pwIdOverride ?? (pbc ? DevicePasswordId.PushButton : DevicePasswordId.Default),
      configMethods: methodsOverride ?? methods,
      authorizedMacs: macs,
      pbc,
    };
  }
}
