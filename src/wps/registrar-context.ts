/**
 * What a Registrar holds between runs, for the AP's internal Registrar and
 * the External Registrar alike (hostapd's struct wps_registrar outside a
 * run): the PIN table, PBC mode (its walk time on the PBC session table's
 * clock) and the selected-registrar view, which is what a Beacon says or a
 * SetSelectedRegistrar carries. Pure: time is injected, nothing is sent;
 * the owner arms one timer at nextDeadline() and calls expire().
 *
 * API:
 *   withPushButton(methods, configured)                  hostapd wps_set_pushbutton
 *   selectedRegistrarMode(pbcActive, pinCount) / selectedRegistrarState(ownMethods, mode) / authorizedMacsFor(mode, pinMacs)
 *   selectedRegistrarUnion(internal, externals, configured): SelectedRegistrarView   wps_registrar_sel_reg_union
 *   new RegistrarContext({ now, configMethods, pins?, pbcWalkTimeMs?, selectionTimeoutMs? })
 *     .pins  .pbc  .addPin()  .addNfcPasswordToken()  .pushButton()  .cancel()  .passwordFor()  .registered()  .invalidate()
 *     .expire(): RegistrarContextEvent[]  .nextDeadline()  .view(externals)
 */
import { NfcPasswordTokens, type NfcPasswordToken } from './nfc/password-tokens.js';
import { PbcSessions } from './pbc.js';
import { PinTable, type PinTableOptions } from './pin-table.js';
import { ConfigMethods, DevicePasswordId } from './values.js';
import { MAX_AUTHORIZED_MACS } from './vendor-ext.js';

/** WPS_PBC_WALK_TIME: PBC mode, a new PIN and an ER's selection each keep a Registrar selected this long. */
export const WPS_PBC_WALK_TIME_MS = 120_000;
export const SELECTED_REGISTRAR_TIMEOUT_MS = WPS_PBC_WALK_TIME_MS;
/** The push button bits (hostapd strips them from the AP's advertised Config Methods). */
export const PUSHBUTTON_METHODS = ConfigMethods.PushButton | ConfigMethods.VirtualPushButton | ConfigMethods.PhysicalPushButton;
/** The Authorized MAC that stands for every station. */
export const BROADCAST_MAC = Buffer.alloc(6, 0xff);

/** What the selected-registrar attributes say. */
export interface SelectedRegistrarView {
  selected: boolean;
  devicePasswordId: number;
  configMethods: number;
  /** At most MAX_AUTHORIZED_MACS, 6 bytes each. */
  authorizedMacs: Buffer[];
  /** The internal Registrar is in PBC mode (hostapd reg->pbc). */
  pbc: boolean;
}

/** One External Registrar's selection as the AP keeps it (from its SetSelectedRegistrar). */
export interface ExternalSelection {
  devicePasswordId: number;
  configMethods: number;
  authorizedMacs: readonly Buffer[];
}

export type SelectedRegistrarMode = 'off' | 'pin' | 'pbc';

/** hostapd's wps_set_pushbutton(): PushButton plus the virtual or physical flag configured, physical when neither is. */
export function withPushButton(methods: number, configured: number): number {
  let m = methods | ConfigMethods.PushButton;
  if ((configured & ConfigMethods.VirtualPushButton) === ConfigMethods.VirtualPushButton) m |= ConfigMethods.VirtualPushButton;
  if ((configured & ConfigMethods.PhysicalPushButton) === ConfigMethods.PhysicalPushButton) m |= ConfigMethods.PhysicalPushButton;
  if ((m & ConfigMethods.VirtualPushButton) !== ConfigMethods.VirtualPushButton && (m & ConfigMethods.PhysicalPushButton) !== ConfigMethods.PhysicalPushButton) {
    m |= ConfigMethods.PhysicalPushButton;
  }
  return m;
}

/** PBC while its walk time runs, else PIN while any PIN is held, else off. */
export function selectedRegistrarMode(pbcActive: boolean, pinCount: number): SelectedRegistrarMode {
  return pbcActive ? 'pbc' : pinCount > 0 ? 'pin' : 'off';
}

/**
 * One Registrar's own selection (wps_registrar_selected_registrar_changed):
 * push-button methods only in PBC mode; in PIN mode an NFC password token
 * just added puts its Device Password ID in place of Default.
 */
export function selectedRegistrarState(
  ownConfigMethods: number,
  mode: SelectedRegistrarMode,
  pinModePasswordId: number = DevicePasswordId.Default,
): { selected: boolean; devicePasswordId: number; configMethods: number } {
  if (mode === 'off') return { selected: false, devicePasswordId: DevicePasswordId.Default, configMethods: 0 };
  const methods = ownConfigMethods & ~PUSHBUTTON_METHODS & 0xffff;
  if (mode === 'pbc') return { selected: true, devicePasswordId: DevicePasswordId.PushButton, configMethods: withPushButton(methods, ownConfigMethods) };
  return { selected: true, devicePasswordId: pinModePasswordId, configMethods: methods };
}

/**
 * The Authorized MACs for a mode, from the PINs' (newest first): PBC puts
 * broadcast in front (wps_registrar_button_pushed), off has none. At most
 * MAX_AUTHORIZED_MACS.
 */
export function authorizedMacsFor(mode: SelectedRegistrarMode, pinMacs: readonly Buffer[]): Buffer[] {
  if (mode === 'off') return [];
  const out: Buffer[] = [];
  for (const m of mode === 'pbc' ? [BROADCAST_MAC, ...pinMacs] : pinMacs) if (!out.some((x) => x.equals(m))) out.push(Buffer.from(m));
  return out.slice(0, MAX_AUTHORIZED_MACS);
}

/**
 * hostapd's wps_registrar_sel_reg_union over the internal Registrar and the
 * selected External Registrars: an ER's Device Password ID wins unless PBC
 * is already chosen, config methods are OR-ed, Authorized MACs appended (the
 * internal Registrar's first) up to MAX_AUTHORIZED_MACS.
 */
export function selectedRegistrarUnion(
  internal: { mode: SelectedRegistrarMode; authorizedMacs: readonly Buffer[]; pinModePasswordId?: number },
  externals: Iterable<ExternalSelection>,
  configured: number,
): SelectedRegistrarView {
  const own = selectedRegistrarState(configured, internal.mode, internal.pinModePasswordId);
  let selected = own.selected;
  let pwId: number | undefined = own.selected ? own.devicePasswordId : undefined;
  let methods: number | undefined = own.selected ? own.configMethods : undefined;
  const macs: Buffer[] = own.selected ? authorizedMacsFor(internal.mode, internal.authorizedMacs) : [];
  for (const e of externals) {
    selected = true;
    if (pwId !== DevicePasswordId.PushButton) pwId = e.devicePasswordId;
    methods = (methods ?? 0) | e.configMethods;
    for (const m of e.authorizedMacs) if (macs.length < MAX_AUTHORIZED_MACS) macs.push(Buffer.from(m));
  }
  if (!selected) return { selected: false, devicePasswordId: 0, configMethods: 0, authorizedMacs: [], pbc: false };
  return { selected: true, devicePasswordId: pwId ?? DevicePasswordId.Default, configMethods: methods ?? 0, authorizedMacs: macs, pbc: internal.mode === 'pbc' };
}

/** What changed on its own when the clock moved on (expire()). */
export type RegistrarContextEvent =
  /** The walk time ended PBC mode (WPS-TIMEOUT). */
  | { type: 'pbc-timeout' }
  /** A PIN's own timeout ended it. */
  | { type: 'pin-expired' }
  /** The internal Registrar is no longer selected (its selection lapsed). */
  | { type: 'selection-lapsed' };

export interface RegistrarContextOptions {
  now: () => number;
  /** The Registrar's own config_methods. */
  configMethods: number;
  pins?: PinTableOptions;
  pbcWalkTimeMs?: number;
  /** How long a new PIN keeps the Registrar selected (hostapd: the walk time). */
  selectionTimeoutMs?: number;
}

export class RegistrarContext {
  readonly pins: PinTable;
  readonly pbc: PbcSessions;
  private readonly now: () => number;
  private readonly selectionTimeoutMs: number;
  /** PIN mode: selected until then (wps_registrar_set_selected_timeout). */
  private pinSelectedUntil: number | undefined;
  /** PBC mode was started and has not ended yet (its end is reported once). */
  private pbcMode = false;
  /** Enrollees' NFC password tokens and handover requests, each claimed by one M1. */
  private readonly nfcTokens = new NfcPasswordTokens();
  /** The ID of the token that made this Registrar selected, advertised in place of Default. */
  private nfcSelectedId: number | undefined;

  constructor(private readonly opts: RegistrarContextOptions) {
    this.now = opts.now;
    this.pins = new PinTable(opts.now, opts.pins);
    this.pbc = new PbcSessions({ now: opts.now, ...(opts.pbcWalkTimeMs !== undefined ? { walkTimeMs: opts.pbcWalkTimeMs } : {}) });
    this.selectionTimeoutMs = opts.selectionTimeoutMs ?? SELECTED_REGISTRAR_TIMEOUT_MS;
  }

  /** WPS_PIN: selected for the walk time, PBC mode off; false when the table refused it. */
  addPin(pin: string, o: { uuid?: Uint8Array; macAddress?: Uint8Array; timeoutMs?: number } = {}): boolean {
    if (!this.pins.add(o.uuid, pin, o.macAddress, o.timeoutMs)) return false;
    this.nfcSelectedId = undefined;
    this.pbcMode = false;
    this.pbc.stop();
    this.pinSelectedUntil = this.now() + this.selectionTimeoutMs;
    return true;
  }

  /**
   * wps_nfc_tag_read of an Enrollee's password token: the Registrar is
   * selected for the walk time with the token's Device Password ID and any
   * MAC authorized, PBC mode off; a token with the same ID is replaced.
   * A connection handover (ID 0x0007, no password) is the Enrollee's public
   * key hash from its handover request. False for what hostapd refuses (an
   * ID below 0x10 other than a handover with its hash, an over-long password).
   */
  addNfcPasswordToken(t: NfcPasswordToken): boolean {
    if (!this.nfcTokens.add(t)) return false;
    this.pbcMode = false;
    this.pbc.stop();
    this.nfcSelectedId = t.passwordId;
    this.pinSelectedUntil = this.now() + this.selectionTimeoutMs;
    return true;
  }

  /** NFC password tokens held, for status displays (passwords not included). */
  get nfcTokenIds(): number[] {
    return this.nfcTokens.ids;
  }

  /** WPS_PBC: false on a PBC session overlap (nothing changes then). */
  pushButton(): boolean {
    if (!this.pbc.buttonPushed()) return false;
    this.nfcSelectedId = undefined;
    this.pbcMode = true;
    this.pinSelectedUntil = undefined;
    return true;
  }

  /** True while PBC mode runs. */
  get pbcActive(): boolean {
    return this.pbcMode && this.pbc.active;
  }

  /** True while the internal Registrar is selected. */
  get selected(): boolean {
    return this.mode() !== 'off';
  }

  /** WPS_CANCEL: PBC mode ends, PINs are dropped; tells whether PBC mode was on. */
  cancel(): { pbcWasActive: boolean } {
    const pbcWasActive = this.pbcActive;
    this.pbcMode = false;
    this.pbc.stop();
    this.pins.clear();
    this.nfcTokens.clear();
    this.nfcSelectedId = undefined;
    this.pinSelectedUntil = undefined;
    return { pbcWasActive };
  }

  /**
   * The device password for an Enrollee's M1: PBC, the NFC password token
   * with M1's Device Password ID (claimed by this M1, as hostapd takes it off
   * its list), else a PIN (a wildcard PIN is claimed by it).
   */
  passwordFor(e: { uuid: Uint8Array; devicePasswordId: number }): { kind: 'pbc' } | { kind: 'pin'; pin: string } | ({ kind: 'nfc' } & NfcPasswordToken) | undefined {
    if (e.devicePasswordId === DevicePasswordId.PushButton) return this.pbcActive ? { kind: 'pbc' } : undefined;
    const token = this.nfcTokens.claim(e.devicePasswordId);
    if (token !== undefined) return { kind: 'nfc', ...token };
    const p = this.pins.claim(e.uuid);
    return p === undefined ? undefined : { kind: 'pin', pin: p.pin };
  }

  /**
   * A registration succeeded (wps_registrar_pin_completed /
   * wps_registrar_pbc_completed): the PIN used is gone, the Registrar no
   * longer selected; tells whether this ended PBC mode.
   */
  registered(uuid: Uint8Array, password: 'pin' | 'pbc'): { pbcEnded: boolean } {
    if (password === 'pin') this.pins.removeUuid(uuid);
    const pbcEnded = password === 'pbc' && this.pbcMode;
    this.pbcMode = false;
    this.nfcSelectedId = undefined;
    this.pinSelectedUntil = undefined;
    return { pbcEnded };
  }

  /** The Registrar invalidated the PIN of this UUID-E (a wrong PIN half). */
  invalidate(uuid: Uint8Array): void {
    this.pins.removeUuid(uuid);
  }

  /** When expire() next has something to do, or undefined. */
  nextDeadline(): number | undefined {
    // PBC mode whose walk time has already run out is due now: its end has not been reported yet.
    const pbcEnd = this.pbcMode ? (this.pbc.expiresAt ?? this.now()) : undefined;
    const times = [this.pinSelectedUntil, this.pins.nextExpiry, pbcEnd].filter((t): t is number => t !== undefined);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /** Applies what the clock ended, and says what. */
  expire(): RegistrarContextEvent[] {
    const out: RegistrarContextEvent[] = [];
    if (this.pbcMode && !this.pbc.active) {
      this.pbcMode = false;
      out.push({ type: 'pbc-timeout' });
    }
    if (this.pins.expire()) out.push({ type: 'pin-expired' });
    if (this.pinSelectedUntil !== undefined && this.pinSelectedUntil <= this.now()) {
      // hostapd unselects the Registrar; PINs stay until their own timeout.
      this.pinSelectedUntil = undefined;
      this.nfcSelectedId = undefined;
      out.push({ type: 'selection-lapsed' });
    }
    return out;
  }

  private mode(): SelectedRegistrarMode {
    if (this.pbcActive) return 'pbc';
    return this.pinSelectedUntil !== undefined && this.pinSelectedUntil > this.now() ? 'pin' : 'off';
  }

  /** The Beacon's selected-registrar attributes: this Registrar united with the ERs' selections. */
  view(externals: Iterable<ExternalSelection> = []): SelectedRegistrarView {
    const pinMacs = this.pins.authorizedMacs();
    // wps_registrar_add_nfc_pw_token authorizes any MAC, ahead of the PINs'.
    const authorizedMacs = this.nfcSelectedId !== undefined ? [BROADCAST_MAC, ...pinMacs] : pinMacs;
    const internal: { mode: SelectedRegistrarMode; authorizedMacs: readonly Buffer[]; pinModePasswordId?: number } = { mode: this.mode(), authorizedMacs };
    if (this.nfcSelectedId !== undefined) internal.pinModePasswordId = this.nfcSelectedId;
    return selectedRegistrarUnion(internal, externals, this.opts.configMethods);
  }
}
