/**
 * The SetSelectedRegistrar message of the External Registrar
 * (wps_er_set_sel_reg): Version, Selected Registrar, Device Password ID,
 * Selected Registrar Config Methods, the WFA extension with Version2 and
 * Authorized MACs (broadcast when none), UUID-R. And which values apply
 * (wps_registrar_selected_registrar_changed): push-button methods only in
 * PBC mode, none when not selected.
 */
import { AttributeType, attrBytes, attrU16, attrU8, encodeAttributes } from '../wps/attributes.js';
import { buildWfaExtension } from '../wps/vendor-ext.js';
import { ConfigMethods, DevicePasswordId, WPS_VERSION, WPS_VERSION2 } from '../wps/values.js';

export const BROADCAST_MAC = Buffer.alloc(6, 0xff);

export interface SelectedRegistrarState {
  selected: boolean;
  devicePasswordId: number;
  configMethods: number;
}

const PUSH_BUTTONS = ConfigMethods.PushButton | ConfigMethods.VirtualPushButton | ConfigMethods.PhysicalPushButton;

export type SelectedRegistrarMode = 'off' | 'pin' | 'pbc';

/** PBC while its walk time runs, else PIN while any PIN is held, else off (and the APs are told to clear it). */
export function selectedRegistrarMode(pbcActive: boolean, pinCount: number): SelectedRegistrarMode {
  return pbcActive ? 'pbc' : pinCount > 0 ? 'pin' : 'off';
}

/** What the AP should advertise, from the Registrar's config methods and mode. */
export function selectedRegistrarState(ownConfigMethods: number, mode: SelectedRegistrarMode): SelectedRegistrarState {
  if (mode === 'off') return { selected: false, devicePasswordId: DevicePasswordId.Default, configMethods: 0 };
  let methods = ownConfigMethods & ~PUSH_BUTTONS;
  if (mode === 'pbc') {
    // wps_set_pushbutton: PushButton, plus the virtual/physical flavour we have.
    methods |= ConfigMethods.PushButton | (ownConfigMethods & (ConfigMethods.VirtualPushButton | ConfigMethods.PhysicalPushButton));
    return { selected: true, devicePasswordId: DevicePasswordId.PushButton, configMethods: methods };
  }
  return { selected: true, devicePasswordId: DevicePasswordId.Default, configMethods: methods };
}

/**
 * The Authorized MACs for a mode, from the PINs' union (newest first): PBC
 * adds broadcast in front (wps_registrar_button_pushed), off has none (the
 * message then says broadcast). At most 5 (WPS_MAX_AUTHORIZED_MACS).
 */
export function authorizedMacsFor(mode: SelectedRegistrarMode, pinMacs: readonly Buffer[]): Buffer[] {
  if (mode === 'off') return [];
  const out: Buffer[] = [];
  for (const m of mode === 'pbc' ? [BROADCAST_MAC, ...pinMacs] : pinMacs) if (!out.some((x) => x.equals(m))) out.push(m);
  return out.slice(0, 5);
}

export function buildSetSelectedRegistrarMessage(s: SelectedRegistrarState, uuidR: Buffer, authorizedMacs: readonly Buffer[]): Buffer {
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
