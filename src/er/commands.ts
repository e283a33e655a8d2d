/**
 * The External Registrar's control commands, spelled and answered as
 * wpa_supplicant's ctrl_iface.c does: WPS_ER_START [IP], WPS_ER_STOP,
 * WPS_ER_LEARN, WPS_ER_SET_CONFIG, WPS_ER_CONFIG (SSID and key in hex, as
 * wpa_cli sends them), WPS_ER_PBC (FAIL-PBC-OVERLAP, FAIL-UNKNOWN-UUID,
 * FAIL-NO-AP-SETTINGS), WPS_ER_PIN, WPS_ER_NFC_CONFIG_TOKEN.
 */
import { parseMac } from '../common/mac.js';
import { decodeWireHex, KEY_MAX_LEN, WireHexError } from '../ctrl/wire-hex.js';
import { REPLY_FAIL, REPLY_OK, type CommandRegistry } from '../ctrl/registry.js';
import type { Credential } from '../wps/credential.js';
import { wrapWscNdef } from '../wps/nfc/ndef.js';
import { AuthType, EncrType } from '../wps/values.js';
import { parseSelector, type ErReply, type ExternalRegistrar } from './external-registrar.js';
import { SSID_MAX_LEN } from '../common/ssid.js';

export interface ErCommandHooks {
  /** The credential for WPS_ER_SET_CONFIG's network id (wpas_wps_network_to_cred), or undefined. */
  networkCredential(id: number): Credential | undefined;
}

const AUTH: Readonly<Record<string, number>> = { OPEN: AuthType.Open, WPAPSK: AuthType.WpaPsk, WPA2PSK: AuthType.Wpa2Psk };
/** WEP only exists in wpa_supplicant's testing builds; Debian's refuses it. */
const ENCR: Readonly<Record<string, number>> = { NONE: EncrType.None, TKIP: EncrType.Tkip, CCMP: EncrType.Aes };

export function reply(r: ErReply): string {
  return `${r}\n`;
}

/** "<a> <rest...>" split at the first space, as wpa_supplicant's strchr(' ') parsing. */
function splitFirst(text: string): [string, string] | undefined {
  const i = text.indexOf(' ');
  return i < 0 ? undefined : [text.slice(0, i), text.slice(i + 1)];
}

/** WPS_ER_CONFIG's arguments to new AP settings, or undefined (FAIL). */
export function parseErConfigArgs(raw: string): { selector: string; pin: string; settings: Credential } | undefined {
  const f = raw.split(' ');
  if (f.length < 6) return undefined;
  const [selector, pin, ssidHex, auth, encr] = f as [string, string, string, string, string];
  const keyHex = f.slice(5).join(' ');
  let ssid: Buffer;
  let key: Buffer;
  try {
    ssid = decodeWireHex(ssidHex, SSID_MAX_LEN);
    key = decodeWireHex(keyHex, KEY_MAX_LEN);
  } catch (e) {
    if (e instanceof WireHexError) return undefined;
    throw e;
  }
  const authType = AUTH[auth];
  const encrType = ENCR[encr];
  if (authType === undefined || encrType === undefined) return undefined;
  return { selector, pin, settings: { networkIndex: 1, ssid, authType, encrType, networkKey: key, macAddress: Buffer.alloc(6), extra: [] } };
}

export function registerErCommands(registry: CommandRegistry, er: ExternalRegistrar, hooks: ErCommandHooks): void {
  registry.register({
    name: 'WPS_ER_START',
    maxArgs: 1,
    help: '[IP address] = start the External Registrar (again: show the known APs and Enrollees)',
    handler: async (args) => {
      try {
        await er.start(args[0]);
        return REPLY_OK;
      } catch (e) {
        er.log.info(`WPS UPnP: ${(e as Error).message}`);
        return REPLY_FAIL;
      }
    },
  });
  registry.register({
    name: 'WPS_ER_STOP',
    maxArgs: 0,
    help: '= stop the External Registrar',
    handler: async () => {
      await er.stop();
      return REPLY_OK;
    },
  });
  registry.register({
    name: 'WPS_ER_LEARN',
    minArgs: 2,
    help: '<UUID|BSSID> <AP PIN> = learn the AP configuration',
    handler: (_args, ctx) => {
      const p = splitFirst(ctx.request.rawArgs);
      return p ? reply(er.startApSession(p[0], p[1], { mode: 'learn' })) : REPLY_FAIL;
    },
  });
  registry.register({
    name: 'WPS_ER_SET_CONFIG',
    minArgs: 2,
    help: '<UUID|BSSID> <network id> = use a local network block as the AP settings for enrollments',
    handler: (args) => {
      const [sel, idText] = args as [string, string];
      if (parseSelector(sel) === undefined || !/^-?\d{1,9}$/.test(idText)) return REPLY_FAIL;
      const cred = hooks.networkCredential(Number(idText));
      return cred === undefined ? REPLY_FAIL : reply(er.setConfig(sel, cred));
    },
  });
  registry.register({
    name: 'WPS_ER_CONFIG',
    minArgs: 6,
    help: '<UUID|BSSID> <AP PIN> <new SSID> <auth> <encr> <new key> = configure the AP',
    handler: (_args, ctx) => {
      const c = parseErConfigArgs(ctx.request.rawArgs);
      return c ? reply(er.startApSession(c.selector, c.pin, { mode: 'configure', settings: c.settings })) : REPLY_FAIL;
    },
  });
  registry.register({
    name: 'WPS_ER_PBC',
    minArgs: 1,
    maxArgs: 1,
    help: '<Enrollee UUID|MAC address> = accept an Enrollee PBC',
    handler: (args) => reply(er.startPbc(args[0] ?? '')),
  });
  registry.register({
    name: 'WPS_ER_PIN',
    minArgs: 2,
    help: '<Enrollee UUID|"any"|MAC address> <PIN> [Enrollee MAC address] = add an Enrollee PIN',
    handler: (args) => {
      const [target, pin, macText] = args as [string, string, string | undefined];
      // wpa_supplicant ignores a third argument that is not a MAC address.
      const mac = macText === undefined ? undefined : parseMac(macText);
      return reply(er.addPin(target, pin, mac));
    },
  });
  registry.register({
    name: 'WPS_ER_NFC_CONFIG_TOKEN',
    minArgs: 2,
    maxArgs: 2,
    help: '<WPS|NDEF> <AP UUID|BSSID> = a learned AP\'s settings as an NFC configuration token',
    handler: (args) => {
      const [format, target] = args as [string, string];
      const sel = parseSelector(target);
      if ((format !== 'WPS' && format !== 'NDEF') || sel === undefined || !er.started) return REPLY_FAIL;
      const token = er.nfcConfigToken(sel);
      if (token === undefined) return REPLY_FAIL;
      return `${(format === 'NDEF' ? wrapWscNdef(token) : token).toString('hex').toUpperCase()}\n`;
    },
  });
}
