/**
 * The External Registrars' selections, as hostapd's upnp_er_set_selected_registrar
 * keeps them: one per ER (its address), from its SetSelectedRegistrar, ending
 * after the walk time (upnp_er_set_selected_timeout), on "not selected", or
 * when the ER's last event subscription ends (upnp_er_remove_notification).
 * This is the only copy; the AP's Beacon reads it through the proxy.
 *
 * The table holds at most one entry per subscribed address, so it never
 * exceeds the subscription limit (GENA maxSubscribers): every selection
 * accepted is one the Beacon's union shows. A new ER past `maxErs` is
 * refused rather than taken and never shown.
 *
 * API:
 *   new ErSelections({ now, maxErs, timeoutMs? })
 *     .set(er, msg): 'changed' | 'full'
 *     .remove(er): boolean   .expire(): boolean   .nextExpiry   .active(): ErSelection[]   .size
 */
import type { SelectedRegistrarMessage } from '../wfa/set-selected-registrar.js';
import { SELECTED_REGISTRAR_TIMEOUT_MS, type ExternalSelection } from '../wps/registrar-context.js';

export interface ErSelection extends ExternalSelection {
  /** The ER's address (the subscriber it came from). */
  er: string;
  expiresAt: number;
  authorizedMacs: Buffer[];
}

export interface ErSelectionsOptions {
  now: () => number;
  /** The subscription limit of the device: no more ERs than may subscribe. */
  maxErs: number;
  timeoutMs?: number;
}

export class ErSelections {
  private readonly byEr = new Map<string, ErSelection>();
  private readonly timeoutMs: number;

  constructor(private readonly opts: ErSelectionsOptions) {
    this.timeoutMs = opts.timeoutMs ?? SELECTED_REGISTRAR_TIMEOUT_MS;
  }

  get size(): number {
    return this.byEr.size;
  }

  /** An ER's SetSelectedRegistrar; 'full' (nothing changes) for a new ER past the limit. */
  set(er: string, msg: SelectedRegistrarMessage): 'changed' | 'full' {
    if (!msg.selected) {
      this.byEr.delete(er);
      return 'changed';
    }
    this.expire();
    if (!this.byEr.has(er) && this.byEr.size >= this.opts.maxErs) return 'full';
    this.byEr.set(er, {
      er,
      devicePasswordId: msg.devicePasswordId,
      configMethods: msg.configMethods,
      authorizedMacs: msg.authorizedMacs.map((m) => Buffer.from(m)),
      expiresAt: this.opts.now() + this.timeoutMs,
    });
    return 'changed';
  }

  remove(er: string): boolean {
    return this.byEr.delete(er);
  }

  /** Drops the selections whose time is over; true when any went. */
  expire(): boolean {
    const t = this.opts.now();
    let changed = false;
    for (const [er, s] of this.byEr) {
      if (s.expiresAt <= t) {
        this.byEr.delete(er);
        changed = true;
      }
    }
    return changed;
  }

  get nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const s of this.byEr.values()) if (next === undefined || s.expiresAt < next) next = s.expiresAt;
    return next;
  }

  /** The selections that have not timed out (copies). */
  active(): ErSelection[] {
    const t = this.opts.now();
    return [...this.byEr.values()].filter((s) => s.expiresAt > t).map((s) => ({ ...s, authorizedMacs: s.authorizedMacs.map((m) => Buffer.from(m)) }));
  }
}
