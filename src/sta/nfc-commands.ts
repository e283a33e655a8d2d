/**
 * wpa_supplicant's NFC control commands for a station (ctrl_iface.c,
 * wps_supplicant.c):
 *   WPS_NFC [BSSID]                 enroll with this device's password token
 *   WPS_NFC_TOKEN <WPS|NDEF>        that token (the configured one, else a new one each time, kept for WPS_NFC)
 *   WPS_NFC_TAG_READ <hex>          a configuration token: its networks are added (and joined, with a radio)
 *   NFC_GET_HANDOVER_REQ NDEF WPS-CR    the handover request carrier record (NDEF only, as wpa_supplicant)
 * Replies as wpa_supplicant's: uppercase hex and a newline, OK, FAIL.
 */
import { type Logger, silentLogger } from '../common/log.js';
import { REPLY_FAIL, REPLY_OK, type CommandRegistry } from '../ctrl/registry.js';
import { isMac, macAddress, macFromBytes, type MacAddress } from '../radio/mac.js';
import type { Credential } from '../wps/credential.js';
import type { Rng } from '../wps/crypto.js';
import { wrapWscNdef } from '../wps/nfc/ndef.js';
import { configuredNfcToken, type NfcTokenConfig } from '../wps/nfc/nfc-config.js';
import { buildHandoverRequest, buildPasswordToken, generatePasswordToken, readNfcTagHex } from '../wps/nfc/nfc-token.js';

export interface StaNfcControl {
  /** The station's wps_nfc_* values; a generated token is kept here (unsaved), as wpa_supplicant keeps it in its config. */
  readonly nfc: NfcTokenConfig;
  /** The values came from the configuration file (then WPS_NFC_TOKEN always gives that token). */
  fromConfig(): boolean;
  uuid(): Buffer;
  /** WPS_NFC; absent without a radio. */
  startNfc?(t: Required<NfcTokenConfig>, bssid?: MacAddress): void;
  /** A configuration token's Credentials, as if received in M8. */
  useCredentials(creds: readonly Credential[], bssid?: MacAddress): void;
}

export function registerStaNfcCommands(registry: CommandRegistry, sta: StaNfcControl, o: { log?: Logger; rng?: Rng } = {}): void {
  const log = o.log ?? silentLogger;
  const generate = (): ReturnType<typeof generatePasswordToken> => (o.rng === undefined ? generatePasswordToken() : generatePasswordToken(o.rng));
  const hexReply = (b: Buffer): string => `${b.toString('hex').toUpperCase()}\n`;

  const startNfc = sta.startNfc?.bind(sta);
  if (startNfc !== undefined) {
    registry.register({
      name: 'WPS_NFC',
      maxArgs: 1,
      help: '[BSSID] = enroll with this device\'s NFC password token',
      handler: (args) => {
        const a = args[0];
        const bssid = a === undefined || a === 'any' ? undefined : isMac(a.toLowerCase()) ? macAddress(a) : null;
        const t = configuredNfcToken(sta.nfc);
        if (bssid === null || t === undefined) return REPLY_FAIL;
        startNfc(t, bssid);
        return REPLY_OK;
      },
    });
  }
  registry.register({
    name: 'WPS_NFC_TOKEN',
    minArgs: 1,
    maxArgs: 1,
    help: '<WPS|NDEF> = this device\'s NFC password token',
    handler: (args) => {
      const f = args[0];
      if (f !== 'WPS' && f !== 'NDEF') return REPLY_FAIL;
      let t = sta.fromConfig() ? configuredNfcToken(sta.nfc) : undefined;
      if (t === undefined) {
        const g = generate();
        t = { devPwId: g.passwordId, dhPubkey: g.publicKey, dhPrivkey: g.privateKey, devPw: g.password };
        Object.assign(sta.nfc, t);
      }
      const token = buildPasswordToken({ passwordId: t.devPwId, publicKey: t.dhPubkey, password: t.devPw });
      return hexReply(f === 'NDEF' ? wrapWscNdef(token) : token);
    },
  });
  registry.register({
    name: 'WPS_NFC_TAG_READ',
    minArgs: 1,
    maxArgs: 1,
    help: '<hex> = an NFC configuration token (NDEF or raw WSC): add its networks',
    handler: (args) => {
      const read = readNfcTagHex(args[0] ?? '');
      if ('invalid' in read) {
        log.debug(`WPS: Ignore invalid data from NFC tag: ${read.invalid}`);
        return REPLY_FAIL;
      }
      if (read.tag.kind !== 'config') {
        log.info('WPS: NFC password tokens are taken by an AP or an External Registrar, not by this station');
        return REPLY_FAIL;
      }
      const bssid = read.tag.location.macAddress;
      sta.useCredentials(read.tag.credentials, bssid === undefined || bssid.every((b) => b === 0) ? undefined : macFromBytes(bssid));
      return REPLY_OK;
    },
  });
  registry.register({
    name: 'NFC_GET_HANDOVER_REQ',
    minArgs: 2,
    maxArgs: 2,
    help: 'NDEF WPS-CR = the connection handover request carrier record',
    handler: (args) => {
      if (args[0] !== 'NDEF' || (args[1] !== 'WPS-CR' && args[1] !== 'WPS')) return REPLY_FAIL;
      if (sta.nfc.dhPubkey === undefined || sta.nfc.dhPrivkey === undefined) {
        const g = generate();
        sta.nfc.dhPubkey = g.publicKey;
        sta.nfc.dhPrivkey = g.privateKey;
      }
      return hexReply(wrapWscNdef(buildHandoverRequest({ publicKey: sta.nfc.dhPubkey, uuidE: sta.uuid() })));
    },
  });
}
