/**
 * hostapd's control commands on a BSS's socket (hostapd/ctrl_iface.c),
 * replies spelled as hostapd sends them:
 *   WPS_AP_PIN disable|random [timeout]|get|set <PIN> [timeout]
 *   GET_CONFIG, STATUS
 *   WPS_CONFIG <SSID hex> <OPEN|WPAPSK|WPA2PSK> [<NONE|TKIP|CCMP> [<key hex>]]
 * (PING, ATTACH, DETACH, LEVEL and WPS_CHECK_PIN come with every ctrl server.)
 *
 * API:
 *   registerApCommands(bss, group): void
 *   parseWpsConfigArgs(args): Credential | undefined     hostapd_wps_config_ap + wps_registrar_config_ap
 *   statusReply(bsses): string
 */
import { REPLY_FAIL, REPLY_OK } from '../ctrl/registry.js';
import type { Credential } from '../wps/credential.js';
import { AuthType, EncrType } from '../wps/values.js';
import type { ApBss } from './ap-bss.js';
import { ssidText } from './bss.js';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const SSID_MAX = 32;
const KEY_MAX = 64;

function hexBytes(text: string, max: number): Buffer | undefined {
  if (!HEX.test(text) || text.length > 2 * max) return undefined;
  return Buffer.from(text, 'hex');
}

/** WPS_CONFIG arguments as a Credential; undefined when hostapd would answer FAIL. */
export function parseWpsConfigArgs(args: readonly string[]): Credential | undefined {
  const [ssidHex, auth, encr, keyHex] = args;
  if (ssidHex === undefined || auth === undefined || args.length > 4) return undefined;
  const ssid = hexBytes(ssidHex, SSID_MAX);
  if (ssid === undefined) return undefined;
  // hostapd compares prefixes (os_strncmp). WPAPSK and TKIP are FAIL, as in a
  // CONFIG_NO_TKIP hostapd (src/wps/no-tkip.ts).
  let authType: number;
  if (auth.startsWith('OPEN')) authType = AuthType.Open;
  else if (auth.startsWith('WPA2PSK')) authType = AuthType.Wpa2Psk;
  else return undefined;
  let encrType: number = EncrType.None;
  if (encr !== undefined) {
    if (encr.startsWith('NONE')) encrType = EncrType.None;
    else if (encr.startsWith('CCMP')) encrType = EncrType.Aes;
    else return undefined;
  }
  let networkKey: Buffer = Buffer.alloc(0);
  if (keyHex !== undefined) {
    const k = hexBytes(keyHex, KEY_MAX);
    if (k === undefined) return undefined;
    networkKey = k;
  }
  return { networkIndex: 1, ssid, authType, encrType, networkKey, macAddress: Buffer.alloc(6), extra: [] };
}

/**
 * hostapd_ctrl_iface_status as Debian hostapd 2.10 answers it without a
 * radio (driver=wired): no phy, frequency 0, no stations; one block per BSS.
 */
export function statusReply(bsses: readonly ApBss[]): string {
  const conf = bsses[0]?.state.config;
  let r = `state=${bsses[0]?.enabled === false ? 'DISABLED' : 'ENABLED'}\nphy=\nfreq=0\n`;
  r += 'num_sta_non_erp=0\nnum_sta_no_short_slot_time=0\nnum_sta_no_short_preamble=0\nolbc=0\nnum_sta_ht_no_gf=0\n';
  r += 'num_sta_no_ht=0\nnum_sta_ht_20_mhz=0\nnum_sta_ht40_intolerant=0\nolbc_ht=0\nht_op_mode=0x0\n';
  r += 'cac_time_seconds=0\ncac_time_left_seconds=N/A\n';
  r += `channel=${conf?.channel ?? 0}\nedmg_enable=0\nedmg_channel=0\nsecondary_channel=0\n`;
  r += `ieee80211n=${conf?.ieee80211n ?? 0}\nieee80211ac=0\nieee80211ax=0\nbeacon_int=100\ndtim_period=2\n`;
  bsses.forEach((b, i) => {
    r += `bss[${i}]=${b.iface}\nbssid[${i}]=${b.state.bssid}\nssid[${i}]=${ssidText(b.state.ssid)}\nnum_sta[${i}]=${b.wps?.mlme?.stations().length ?? 0}\n`;
  });
  return r;
}

export function registerApCommands(bss: ApBss, group: () => readonly ApBss[]): void {
  const ctrl = bss.ctrl;
  if (ctrl === undefined) return;
  const reg = ctrl.registry;
  reg.register({
    name: 'WPS_AP_PIN',
    minArgs: 1,
    maxArgs: 3,
    help: '<disable|random [timeout]|get|set <PIN> [timeout]> = AP PIN for External Registrars',
    handler: (args) => {
      // The AP PIN belongs to WPS: a BSS with wps_state=0 has none.
      const own = bss.wps?.guard.apPin;
      if (own === undefined) {
        // A disabled BSS (DISABLE) still has its configured AP PIN, as hostapd reads it from its configuration.
        if (args[0] === 'get' && !bss.enabled && bss.conf.wpsState !== 0) return bss.conf.apPin ?? REPLY_FAIL;
        return REPLY_FAIL;
      }
      const reply = own.command(args);
      if (args[0] === 'get' || reply === REPLY_FAIL) return reply;
      // hostapd keeps the AP PIN in its configuration: a RELOAD or ENABLE keeps what was set here.
      bss.conf.apPin = args[0] === 'disable' ? undefined : reply;
      // hostapd_wps_for_each: the AP PIN is the same on every WPS BSS that is not wps_independent.
      for (const other of bss.wpsSiblings().slice(1)) {
        const pin = other.wps?.guard.apPin;
        if (pin === undefined) continue;
        if (args[0] === 'disable') pin.disable();
        else pin.set(reply, own.timeoutSec);
        other.conf.apPin = args[0] === 'disable' ? undefined : reply;
      }
      return reply;
    },
  });
  reg.register({
    name: 'GET_CONFIG',
    maxArgs: 0,
    help: '= current BSS configuration (SSID, WPS state, security)',
    handler: () => bss.state.getConfigReply(),
  });
  reg.register({
    name: 'STATUS',
    maxArgs: 0,
    help: '= AP state and BSSes',
    handler: () => statusReply(group()),
  });
  reg.register({
    name: 'WPS_CONFIG',
    minArgs: 2,
    maxArgs: 4,
    help: '<SSID hex> <auth> [<encr> [<key hex>]] = configure the AP as a Registrar would',
    handler: (args) => {
      if (bss.state.wpsState === 0) return REPLY_FAIL;
      const cred = parseWpsConfigArgs(args);
      if (cred === undefined) return REPLY_FAIL;
      cred.macAddress = Buffer.from(bss.state.ownAddr);
      return bss.applyNewSettings(cred) ? REPLY_OK : REPLY_FAIL;
    },
  });
}
