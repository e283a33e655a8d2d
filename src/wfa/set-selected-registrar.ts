/**
 * SetSelectedRegistrar (WFAWLANConfig 1.0): an External Registrar tells the
 * AP it is ready to register Enrollees, with which device password, config
 * methods and Authorized MACs. The message is a bare attribute list, not a
 * WSC message (no Message Type): hostapd's
 * wps_validate_upnp_set_selected_registrar checks it, wpa_supplicant's
 * wps_er_set_sel_reg builds it.
 *
 * API:
 *   buildSetSelectedRegistrar(state, uuidR, authorizedMacs): Buffer     the ER's message
 *   parseSetSelectedRegistrar(raw): SelectedRegistrarMessage          the AP's reading; throws SelectedRegistrarError
 *   BROADCAST_MAC
 */
import { AttributeType, attrBytes, attrU16, attrU8, encodeAttributes } from '../wps/attributes.js';
import { DevicePasswordId, WPS_VERSION, WPS_VERSION2 } from '../wps/values.js';
import { parseWscTlvs, WscProtocolError, type WscTlvs } from '../wps/message.js';
import { buildWfaExtension, MAX_AUTHORIZED_MACS } from '../wps/vendor-ext.js';
import { WpsdError } from '../common/errors.js';

/** Authorizes every Enrollee: what a WPS 1.0 ER means by naming none, and what an ER sends when it holds no MAC. */
export const BROADCAST_MAC = Buffer.alloc(6, 0xff);

export class SelectedRegistrarError extends WpsdError<'MALFORMED' | 'MISSING_ATTRIBUTE' | 'BAD_ATTRIBUTE'> {
  constructor(code: SelectedRegistrarError['code'], message: string) {
    super(code, message);
  }
}

/** What a Registrar says about itself (the ER's side). */
export interface SelectedRegistrarState {
  selected: boolean;
  devicePasswordId: number;
  configMethods: number;
}

/** What the AP read from one SetSelectedRegistrar. */
export interface SelectedRegistrarMessage extends SelectedRegistrarState {
  authorizedMacs: Buffer[];
  version2: boolean;
}

/** wps_er_set_sel_reg: Version, Selected Registrar, Device Password ID, Config Methods, Version2 + Authorized MACs (broadcast when none), UUID-R. */
export function buildSetSelectedRegistrar(s: SelectedRegistrarState, uuidR: Uint8Array, authorizedMacs: readonly Buffer[]): Buffer {
  const macs = authorizedMacs.length > 0 ? [...authorizedMacs] : [BROADCAST_MAC];
  return encodeAttributes([
    attrU8(AttributeType.Version, WPS_VERSION),
    attrU8(AttributeType.SelectedRegistrar, s.selected ? 1 : 0),
    attrU16(AttributeType.DevicePasswordId, s.devicePasswordId),
    attrU16(AttributeType.SelectedRegistrarConfigMethods, s.configMethods),
    buildWfaExtension({ version2: WPS_VERSION2, authorizedMacs: macs }),
    attrBytes(AttributeType.UuidR, uuidR),
  ]);
}

/**
 * Version, Selected Registrar and, when selected, Device Password ID and
 * Selected Registrar Config Methods; the first of each counts, every length
 * is checked. A WPS 1.0 ER without Authorized MACs authorizes everybody.
 */
export function parseSetSelectedRegistrar(raw: Uint8Array): SelectedRegistrarMessage {
  let tlvs: WscTlvs;
  try {
    tlvs = parseWscTlvs(raw, { workarounds: true });
  } catch (e) {
    if (e instanceof WscProtocolError) throw new SelectedRegistrarError('MALFORMED', e.message);
    throw e;
  }
  const first = tlvs.get;
  const wfa = tlvs.wfa;
  if (first(AttributeType.Version) === undefined) throw new SelectedRegistrarError('MALFORMED', 'no Version attribute');
  const sel = first(AttributeType.SelectedRegistrar);
  if (sel === undefined) throw new SelectedRegistrarError('MISSING_ATTRIBUTE', 'no Selected Registrar attribute');
  if (sel.length !== 1) throw new SelectedRegistrarError('BAD_ATTRIBUTE', 'Selected Registrar must be 1 byte');
  const selected = sel[0] !== 0;
  const pw = u16(first(AttributeType.DevicePasswordId), 'Device Password ID');
  const methods = u16(first(AttributeType.SelectedRegistrarConfigMethods), 'Selected Registrar Config Methods');
  const version2 = wfa?.version2 !== undefined;
  if (selected && version2 && (pw === undefined || methods === undefined)) {
    throw new SelectedRegistrarError('MISSING_ATTRIBUTE', 'a selected WPS 2.0 Registrar must give Device Password ID and Config Methods');
  }
  let authorizedMacs = (wfa?.authorizedMacs ?? []).slice(0, MAX_AUTHORIZED_MACS).map((m) => Buffer.from(m));
  if (selected && authorizedMacs.length === 0 && !version2) authorizedMacs = [Buffer.from(BROADCAST_MAC)];
  return {
    selected,
    devicePasswordId: pw ?? DevicePasswordId.Default,
    configMethods: methods ?? 0xffff,
    authorizedMacs: selected ? authorizedMacs : [],
    version2,
  };
}

function u16(v: Buffer | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (v.length !== 2) throw new SelectedRegistrarError('BAD_ATTRIBUTE', `${name} must be 2 bytes, got ${v.length}`);
  return v.readUInt16BE(0);
}
