/**
 * SetSelectedRegistrar (WFAWLANConfig 1.0): an External Registrar tells the
 * AP that it is ready to register Enrollees, with which device password and
 * config methods. The state is kept per ER with a walk-time timeout and read
 * by the radio side (beacon / probe-response WPS IE), as hostapd's
 * upnp_er_set_selected_registrar() keeps it.
 *
 * API:
 *   parseSetSelectedRegistrar(raw): SelectedRegistrarMessage   throws SelectedRegistrarError
 *   new SelectedRegistrars({ now, timeoutMs? })
 *     .set(er, msg) / .remove(er) / .active(): SelectedRegistrarState[] / .union()
 *   SELECTED_REGISTRAR_TIMEOUT_MS (hostapd: WPS_PBC_WALK_TIME, 120 s)
 */
import { AttributeType } from '../wps/attributes.js';
import { parseMessage, WscProtocolError } from '../wps/message.js';
import { DevicePasswordId } from '../wps/values.js';
import { MAX_AUTHORIZED_MACS } from '../wps/vendor-ext.js';

export const SELECTED_REGISTRAR_TIMEOUT_MS = 120_000;
/** A WPS 1.0 ER that names no Authorized MACs authorizes everybody (hostapd adds the broadcast address). */
export const BROADCAST_MAC = Buffer.alloc(6, 0xff);

export class SelectedRegistrarError extends Error {
  readonly code: 'malformed' | 'missing-attribute' | 'bad-attribute';
  constructor(code: SelectedRegistrarError['code'], message: string) {
    super(message);
    this.name = 'SelectedRegistrarError';
    this.code = code;
  }
}

export interface SelectedRegistrarMessage {
  selected: boolean;
  devicePasswordId: number;
  configMethods: number;
  authorizedMacs: Buffer[];
  version2: boolean;
}

function u16(v: Buffer | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (v.length !== 2) throw new SelectedRegistrarError('bad-attribute', `${name} must be 2 bytes, got ${v.length}`);
  return v.readUInt16BE(0);
}

/**
 * The NewMessage of SetSelectedRegistrar: Version, Selected Registrar and,
 * when selected, Device Password ID and Selected Registrar Config Methods
 * (hostapd wps_validate_upnp_set_selected_registrar; it has no Message Type).
 */
export function parseSetSelectedRegistrar(raw: Uint8Array): SelectedRegistrarMessage {
  let msg;
  try {
    // parseMessage needs a Message Type; this message has none, so parse through a wrapper that adds one.
    msg = parseMessage(Buffer.concat([Buffer.from(raw), Buffer.from([0x10, 0x22, 0x00, 0x01, 0x01])]));
  } catch (e) {
    if (e instanceof WscProtocolError) throw new SelectedRegistrarError('malformed', e.message);
    throw e;
  }
  const sel = msg.get(AttributeType.SelectedRegistrar);
  if (sel === undefined) throw new SelectedRegistrarError('missing-attribute', 'no Selected Registrar attribute');
  if (sel.length !== 1) throw new SelectedRegistrarError('bad-attribute', 'Selected Registrar must be 1 byte');
  const selected = sel[0] !== 0;
  const pw = u16(msg.get(AttributeType.DevicePasswordId), 'Device Password ID');
  const methods = u16(msg.get(AttributeType.SelectedRegistrarConfigMethods), 'Selected Registrar Config Methods');
  const version2 = msg.wfa?.version2 !== undefined;
  if (selected && version2 && (pw === undefined || methods === undefined)) {
    throw new SelectedRegistrarError('missing-attribute', 'a selected WPS 2.0 Registrar must give Device Password ID and Config Methods');
  }
  let authorizedMacs = (msg.wfa?.authorizedMacs ?? []).slice(0, MAX_AUTHORIZED_MACS).map((m) => Buffer.from(m));
  if (selected && authorizedMacs.length === 0 && !version2) authorizedMacs = [Buffer.from(BROADCAST_MAC)];
  return {
    selected,
    devicePasswordId: pw ?? DevicePasswordId.Default,
    configMethods: methods ?? 0xffff,
    authorizedMacs: selected ? authorizedMacs : [],
    version2,
  };
}

export interface SelectedRegistrarState extends SelectedRegistrarMessage {
  /** The ER's address (the subscriber it came from). */
  er: string;
  expiresAt: number;
}

export interface SelectedRegistrarsOptions {
  now: () => number;
  timeoutMs?: number;
  onChange?: () => void;
  /** Whether the ER still holds a subscription; a selection ends with it (hostapd upnp_er_remove_notification). */
  isCurrent?: (er: string) => boolean;
}

export class SelectedRegistrars {
  private readonly byEr = new Map<string, SelectedRegistrarState>();
  private readonly timeoutMs: number;

  constructor(private readonly opts: SelectedRegistrarsOptions) {
    this.timeoutMs = opts.timeoutMs ?? SELECTED_REGISTRAR_TIMEOUT_MS;
  }

  set(er: string, msg: SelectedRegistrarMessage): void {
    if (!msg.selected) this.byEr.delete(er);
    else this.byEr.set(er, { ...msg, er, expiresAt: this.opts.now() + this.timeoutMs });
    this.opts.onChange?.();
  }

  remove(er: string): void {
    if (this.byEr.delete(er)) this.opts.onChange?.();
  }

  /** The selections that have not timed out yet and whose ER is still subscribed. */
  active(): SelectedRegistrarState[] {
    const t = this.opts.now();
    let changed = false;
    for (const [er, s] of this.byEr) {
      if (s.expiresAt <= t || this.opts.isCurrent?.(er) === false) {
        this.byEr.delete(er);
        changed = true;
      }
    }
    if (changed) this.opts.onChange?.();
    return [...this.byEr.values()];
  }
}
