/**
 * The station list on a BSS's control socket, as hostapd answers it
 * (src/ap/ctrl_iface_ap.c):
 *   STA-FIRST            the newest station's block, '' without stations
 *   STA-NEXT <addr>      the block of the station after <addr>, '' after the
 *                        last one, FAIL for an unknown or malformed address
 *   STA <addr>           one station's block, FAIL when unknown
 * hostapd_cli's all_sta, list_sta and its interactive completion walk the
 * list with STA-FIRST / STA-NEXT until a reply is empty or FAIL.
 *
 * A block is hostapd_ctrl_iface_sta_mib's: the address, flags, aid,
 * capability, listen interval, supported rates and timeout_next (always
 * NULLFUNC POLL: hostapd's inactivity timer starts there), then the WPS
 * Enrollee's device lines once the Registrar has seen its M1
 * (wps_registrar_get_info). hostapd adds driver counters only when its driver
 * reports them and IEEE 802.1X / WPA MIB lines for its state machines; the
 * sim driver keeps no counters, so neither appears here.
 *
 * API:
 *   StationView, StationDevice
 *   staFlagsText(sta): string      ap_sta_flags_txt
 *   staBlock(sta, device?): string hostapd_ctrl_iface_sta_mib
 *   registerStaCommands(registry, source): void
 */
import { parseMac } from '../common/mac.js';
import { REPLY_FAIL, type CommandRegistry } from '../ctrl/registry.js';
import { formatMac } from '../common/mac.js';

/** What the AP knows of one station (ApMlme's StationEntry has all of it). */
export interface StationView {
  /** aa:bb:cc:dd:ee:ff */
  addr: string;
  state: 'authenticated' | 'associated';
  aid?: number;
  wps: boolean;
  wps2: boolean;
  maybeWps: boolean;
  fourAddr: boolean;
  capability?: number;
  listenInterval?: number;
  supportedRates?: Uint8Array;
  authorized?: boolean;
}

/** The Enrollee's device attributes from its M1 (hostapd struct wps_registrar_device). */
export interface StationDevice {
  uuid: string;
  primaryDeviceType: string;
  deviceName: string;
  manufacturer: string;
  modelName: string;
  modelNumber: string;
  serialNumber: string;
}

export interface StationSource {
  /** Stations, newest first (hostapd's sta_list order). */
  stations(): StationView[];
  /** The Registrar's record of an Enrollee station, when it has one. */
  device?(addr: string): StationDevice | undefined;
}

const CAPABILITY_SHORT_PREAMBLE = 0x0020;

/** ap_sta_flags_txt, in hostapd's order; flags this AP never sets (HT, WMM, MFP, ...) do not appear. */
export function staFlagsText(sta: StationView): string {
  let f = '[AUTH]';
  if (sta.state === 'associated') f += '[ASSOC]';
  if (sta.authorized === true) f += '[AUTHORIZED]';
  if (sta.state === 'associated' && ((sta.capability ?? 0) & CAPABILITY_SHORT_PREAMBLE) !== 0) f += '[SHORT_PREAMBLE]';
  if (sta.wps) f += '[WPS]';
  if (sta.maybeWps) f += '[MAYBE_WPS]';
  if (sta.fourAddr) f += '[WDS]';
  if (sta.wps2) f += '[WPS2]';
  return f;
}

export function staBlock(sta: StationView, device?: StationDevice): string {
  const rates = [...(sta.supportedRates ?? [])].map((r) => r.toString(16).padStart(2, '0')).join(' ');
  let r = `${sta.addr}\nflags=${staFlagsText(sta)}\naid=${sta.aid ?? 0}\ncapability=0x${(sta.capability ?? 0).toString(16)}\n`;
  r += `listen_interval=${sta.listenInterval ?? 0}\nsupported_rates=${rates}\ntimeout_next=NULLFUNC POLL\n`;
  if (device !== undefined) {
    r += `wpsUuid=${device.uuid}\nwpsPrimaryDeviceType=${device.primaryDeviceType}\nwpsDeviceName=${device.deviceName}\n`;
    r += `wpsManufacturer=${device.manufacturer}\nwpsModelName=${device.modelName}\nwpsModelNumber=${device.modelNumber}\nwpsSerialNumber=${device.serialNumber}\n`;
  }
  return r;
}

/** hwaddr_aton: the address in canonical lower-case form, or undefined. */
function canonicalMac(text: string): string | undefined {
  const mac = parseMac(text);
  return mac === undefined ? undefined : formatMac(mac);
}

export function registerStaCommands(registry: CommandRegistry, source: StationSource): void {
  const block = (sta: StationView): string => staBlock(sta, source.device?.(sta.addr));
  registry.register({
    name: 'STA-FIRST',
    maxArgs: 0,
    help: '= the first station of the list (hostapd_cli all_sta walks it)',
    handler: () => {
      const first = source.stations()[0];
      return first === undefined ? '' : block(first);
    },
  });
  registry.register({
    name: 'STA-NEXT',
    minArgs: 1,
    maxArgs: 1,
    help: '<addr> = the station after <addr>',
    handler: (args) => {
      const addr = canonicalMac(args[0] ?? '');
      const list = source.stations();
      const i = addr === undefined ? -1 : list.findIndex((s) => s.addr === addr);
      if (i < 0) return REPLY_FAIL;
      const next = list[i + 1];
      return next === undefined ? '' : block(next);
    },
  });
  registry.register({
    name: 'STA',
    minArgs: 1,
    maxArgs: 1,
    help: '<addr> = one station\'s state',
    handler: (args) => {
      const addr = canonicalMac(args[0] ?? '');
      if (addr === undefined) return REPLY_FAIL;
      const sta = source.stations().find((s) => s.addr === addr);
      return sta === undefined ? REPLY_FAIL : block(sta);
    },
  });
}
