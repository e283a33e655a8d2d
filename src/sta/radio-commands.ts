/**
 * The station's radio commands on its control socket, with wpa_supplicant's
 * replies (ctrl_iface.c): SCAN (OK / FAIL-BUSY), SCAN_RESULTS, BSS, STATUS,
 * WPS_PBC [any|BSSID] [multi_ap=1], WPS_PIN <any|BSSID|get> [PIN] (answers the PIN, no
 * newline), WPS_REG <BSSID> <AP PIN> [<SSID hex> <auth> <encr> <key hex>]
 * (wpa_cli hex-encodes SSID and key) and WPS_CANCEL.
 */
import { SSID_MAX_LEN } from '../common/ssid.js';
import { CtrlEvent } from '../ctrl/event-names.js';
import { REPLY_FAIL, REPLY_OK, type CommandRegistry } from '../ctrl/registry.js';
import { isMac, macAddress, type MacAddress } from '../radio/mac.js';
import type { Credential } from '../wps/credential.js';
import type { Rng } from '../wps/crypto.js';
import { generatePin } from '../wps/pin.js';
import { AuthType, EncrType } from '../wps/values.js';
import { macBytes, RadioStationError, type RadioStation } from './radio-station.js';
import { bssReply, scanResultsReply, selectBss } from './scan-text.js';

/** eap_wsc.c limits: SSID up to SSID_MAX_LEN octets, Network Key up to 64. */
export const NEW_KEY_MAX_LEN = 64;
/** A WPA/WPA2-PSK key: passphrase of 8..63 characters or 64 hex digits. */
const PSK_KEY_MIN_LEN = 8;

const NEW_AUTH: Readonly<Record<string, number>> = { OPEN: AuthType.Open, WPAPSK: AuthType.WpaPsk, WPA2PSK: AuthType.Wpa2Psk };
const NEW_ENCR: Readonly<Record<string, number>> = { NONE: EncrType.None, TKIP: EncrType.Tkip, CCMP: EncrType.Aes };

function hexBytes(text: string, maxLen: number): Buffer | undefined {
  if (text.length % 2 !== 0 || text.length > 2 * maxLen || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  return Buffer.from(text, 'hex');
}

function macArg(text: string | undefined): string | undefined {
  return text !== undefined && isMac(text.toLowerCase()) ? macAddress(text) : undefined;
}

/** WPS_REG's new AP settings, or undefined when one of them is invalid (the command then FAILs). */
export function parseNewApSettings(bssid: string, ssidHex: string, auth: string, encr: string, keyHex: string): Credential | undefined {
  const ssid = hexBytes(ssidHex, SSID_MAX_LEN);
  const key = hexBytes(keyHex, NEW_KEY_MAX_LEN);
  const authType = NEW_AUTH[auth];
  const encrType = NEW_ENCR[encr];
  if (ssid === undefined || ssid.length === 0 || key === undefined || authType === undefined || encrType === undefined) return undefined;
  if (authType === AuthType.Open ? encrType !== EncrType.None || key.length !== 0 : encrType === EncrType.None || key.length < PSK_KEY_MIN_LEN) return undefined;
  return { networkIndex: 1, ssid, authType, encrType, networkKey: key, macAddress: macBytes(bssid), extra: [] };
}

/**
 * WPS_PBC's arguments as wpa_supplicant 2.10 reads them: nothing, "any" or a
 * BSSID, or "multi_ap=N" alone, and " multi_ap=N" after the first; N is read
 * with atoi (non-zero asks for a backhaul link).
 */
export function parseWpsPbcArgs(args: readonly string[]): { bssid?: MacAddress; multiAp: boolean } | undefined {
  const [first, second] = args;
  let multiAp = false;
  let bssid: MacAddress | undefined;
  if (first !== undefined && first !== 'any') {
    if (first.startsWith(MULTI_AP_ARG)) multiAp = atoiNonZero(first.slice(MULTI_AP_ARG.length));
    else {
      bssid = macArg(first);
      if (bssid === undefined) return undefined;
    }
  }
  // Anything else after the first word is ignored, as wpa_supplicant does.
  if (second?.startsWith(MULTI_AP_ARG) === true) multiAp = atoiNonZero(second.slice(MULTI_AP_ARG.length));
  return bssid === undefined ? { multiAp } : { bssid, multiAp };
}

const MULTI_AP_ARG = 'multi_ap=';

/** C atoi(): leading digits (after an optional sign), 0 when there are none. */
function atoiNonZero(text: string): boolean {
  const m = /^\s*[+-]?(\d+)/.exec(text);
  return m !== null && Number(m[1]) !== 0;
}

export function registerRadioCommands(registry: CommandRegistry, sta: RadioStation, o: { rng?: Rng } = {}): void {
  const pin = (): string => (o.rng === undefined ? generatePin() : generatePin(o.rng));
  registry.register({
    name: 'SCAN',
    help: `= request a scan (${CtrlEvent.ScanResults} when done)`,
    handler: () => `${sta.scan()}\n`,
  });
  registry.register({
    name: 'SCAN_RESULTS',
    maxArgs: 0,
    help: '= the latest scan results',
    handler: () => scanResultsReply(sta.bss, sta.address),
  });
  registry.register({
    name: 'BSS',
    minArgs: 1,
    help: '<id|bssid|FIRST|LAST|NEXT-id|PREV-id> = one BSS of the scan results',
    handler: (args) => {
      const e = selectBss(sta.bss, args[0] ?? '');
      return e === undefined ? '' : bssReply(sta.bss, e, sta.address);
    },
  });
  registry.register({
    name: 'STATUS',
    maxArgs: 1,
    help: '= connection state (wpa_state, bssid, ssid, ...)',
    handler: () => sta.status(),
  });
  registry.register({
    name: 'WPS_PBC',
    maxArgs: 2,
    help: '[any|BSSID] [multi_ap=<0|1>] = start push button enrollment (multi_ap=1: as a Multi-AP backhaul STA)',
    handler: (args) => {
      const p = parseWpsPbcArgs(args);
      if (p === undefined) return REPLY_FAIL;
      sta.startPbc(p.bssid, p.multiAp);
      return REPLY_OK;
    },
  });
  registry.register({
    name: 'WPS_PIN',
    minArgs: 1,
    maxArgs: 2,
    help: '<any|BSSID|get> [PIN] = start PIN enrollment (answers the PIN; get: a new PIN only)',
    handler: (args) => {
      const [target, given] = args as [string, string | undefined];
      if (target === 'get') return pin();
      const bssid = target === 'any' ? undefined : macArg(target);
      if (target !== 'any' && bssid === undefined) return REPLY_FAIL;
      const p = given ?? pin();
      try {
        sta.startPin(p, bssid);
      } catch (e) {
        if (e instanceof RadioStationError) return REPLY_FAIL;
        throw e;
      }
      // wpa_supplicant answers with the PIN and no newline.
      return p;
    },
  });
  registry.register({
    name: 'WPS_REG',
    minArgs: 2,
    maxArgs: 6,
    help: '<BSSID> <AP PIN> [<SSID hex> <OPEN|WPAPSK|WPA2PSK> <NONE|TKIP|CCMP> <key hex>] = learn or configure the AP',
    handler: (args) => {
      const bssid = macArg(args[0]);
      const apPin = args[1] ?? '';
      if (bssid === undefined || (args.length !== 2 && args.length !== 6)) return REPLY_FAIL;
      let settings: Credential | undefined;
      if (args.length === 6) {
        const [, , ssid, auth, encr, key] = args as [string, string, string, string, string, string];
        settings = parseNewApSettings(bssid, ssid, auth, encr, key);
        if (settings === undefined) return REPLY_FAIL;
      }
      try {
        sta.startReg(bssid, apPin, settings);
      } catch (e) {
        if (e instanceof RadioStationError) return REPLY_FAIL;
        throw e;
      }
      return REPLY_OK;
    },
  });
  registry.register({
    name: 'WPS_CANCEL',
    maxArgs: 0,
    help: '= stop the WPS operation',
    handler: async () => {
      await sta.cancel();
      return REPLY_OK;
    },
  });
}
