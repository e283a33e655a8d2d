/**
 * hostapd's MAC address access control (macaddr_acl with accept_mac_file /
 * deny_mac_file, hostapd_config_read_maclist and hostapd_allowed_address):
 *   macaddr_acl=0  accept unless in the deny list (the default);
 *   macaddr_acl=1  deny unless in the accept list;
 *   macaddr_acl=2  ask a RADIUS server: refused at load (wpsd has no RADIUS).
 * A list file has one address per line, `#` comments in the first column,
 * `-ADDR` removing an earlier entry, and an optional VLAN ID after the
 * address; a VLAN ID other than 0 is refused, since wpsd assigns no VLANs.
 * As in hostapd (WPS 2.0), a BSS with WPS enabled applies no MAC filter;
 * the configuration loader warns about that. Checked at Authentication
 * (hostapd handle_auth) and for a new wired station.
 *
 * API:
 *   parseMacList(text, file): { macs: Set<MacAddress> } | { error: string }
 *   MacAcl  .allowed(addr): boolean
 *   bssAdmission(conf): { maxStations?, allowed? }   what the BSS's MLME admits
 *   MAC_LIST_MAX_ENTRIES  MAC_LIST_MAX_FILE_LEN
 */
import { parseMac } from '../common/mac.js';
import { colonHex } from '../common/colon-hex.js';
import type { MacAddress } from '../radio/mac.js';
import type { HostapdBssConfig } from './config-model.js';

/** hostapd has no limit; a bound keeps memory fixed (a site's list is hundreds of entries, not millions). */
export const MAC_LIST_MAX_ENTRIES = 65_536;
/** About 20 bytes a line for MAC_LIST_MAX_ENTRIES lines. */
export const MAC_LIST_MAX_FILE_LEN = 2 * 1024 * 1024;
/** hostapd reads lines into 128 bytes. */
export const MAC_LIST_MAX_LINE_LEN = 127;

export function parseMacList(text: string, file: string): { macs: Set<MacAddress> } | { error: string } {
  const macs = new Set<MacAddress>();
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) continue;
    const where = `line ${i + 1} in '${file}'`;
    if (line.length > MAC_LIST_MAX_LINE_LEN) return { error: `line too long at ${where}` };
    const remove = line.startsWith('-');
    const [addrText = '', vlanText, ...rest] = line.slice(remove ? 1 : 0).trim().split(/[ \t]+/);
    const mac = parseMac(addrText);
    if (mac === undefined || rest.length > 0) return { error: `Invalid MAC address '${addrText}' at ${where}` };
    const addr = colonHex(mac);
    if (remove) {
      macs.delete(addr);
      continue;
    }
    if (vlanText !== undefined && !/^0+$/.test(vlanText)) {
      return { error: `VLAN ID '${vlanText}' at ${where}: wpsd assigns no VLANs (dynamic_vlan is not implemented)` };
    }
    if (macs.size >= MAC_LIST_MAX_ENTRIES) return { error: `more than ${MAC_LIST_MAX_ENTRIES} addresses in '${file}'` };
    macs.add(addr);
  }
  return { macs };
}

export class MacAcl {
  constructor(
    private readonly policy: 0 | 1,
    private readonly accept: ReadonlySet<MacAddress>,
    private readonly deny: ReadonlySet<MacAddress>,
  ) {}

  /** hostapd_check_acl: the accept list first, then the deny list, then the policy. */
  allowed(addr: MacAddress): boolean {
    if (this.accept.has(addr)) return true;
    if (this.deny.has(addr)) return false;
    return this.policy === 0;
  }
}

/** max_num_sta and the MAC filter of a BSS, for its MLME; WPS on the BSS turns the filter off (hostapd_check_acl). */
export function bssAdmission(conf: HostapdBssConfig): { maxStations?: number; allowed?: (addr: MacAddress) => boolean } {
  const out: { maxStations?: number; allowed?: (addr: MacAddress) => boolean } = {};
  if (conf.maxNumSta !== undefined) out.maxStations = conf.maxNumSta;
  const filtering = conf.macaddrAcl === 1 || (conf.denyMacs?.size ?? 0) > 0;
  if (filtering && conf.wpsState === 0) {
    const acl = new MacAcl(conf.macaddrAcl === 1 ? 1 : 0, conf.acceptMacs ?? new Set(), conf.denyMacs ?? new Set());
    out.allowed = (addr) => acl.allowed(addr);
  }
  return out;
}
