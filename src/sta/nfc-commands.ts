/**
 * wpa_supplicant's NFC control commands for a station (ctrl_iface.c,
 * wps_supplicant.c):
 *   WPS_NFC [BSSID]                 enroll with this device's password token
 *   WPS_NFC_TOKEN <WPS|NDEF>        that token (the configured one, else a new one each time, kept for WPS_NFC)
 *   WPS_NFC_TAG_READ <hex>          a configuration token: its networks are added (and joined, with a radio)
 *   NFC_GET_HANDOVER_REQ NDEF WPS-CR    the handover request carrier record (NDEF only, as wpa_supplicant)
 *   NFC_REPORT_HANDOVER INIT WPS <req> <sel>   enroll with the Registrar of that handover select
 *   NFC_REPORT_HANDOVER RESP WPS <req> <sel>   as Registrar (External Registrar): enroll the requester
 *   NFC_GET_HANDOVER_SEL NDEF WPS-CR <UUID|BSSID>   the External Registrar's handover select for a learned AP
 *   WPS_NFC_TAG_READ of a password token        the Registrar (External Registrar) takes it
 *   WPS_NFC_CONFIG_TOKEN <WPS|NDEF> <network id>    that network as a configuration token
 * Replies as wpa_supplicant's: uppercase hex and a newline, OK, FAIL.
 */
import { type Logger, silentLogger } from '../common/log.js';
import { REPLY_FAIL, REPLY_OK, type CommandRegistry } from '../ctrl/registry.js';
import { isMac, macAddress, macFromBytes, type MacAddress } from '../radio/mac.js';
import type { Credential } from '../wps/credential.js';
import type { Rng } from '../wps/crypto.js';
import { wrapWscNdef } from '../wps/nfc/ndef.js';
import { parseSelector, type ApSelector } from '../er/external-registrar.js';
import { handoverRequestToken, parseHandoverReport, readHandoverRequest, readHandoverSelect } from '../wps/nfc/handover.js';
import type { NfcPasswordToken } from '../wps/nfc/password-tokens.js';
import { configuredNfcToken, type NfcTokenConfig } from '../wps/nfc/nfc-config.js';
import { buildCredentialToken, buildHandoverRequest, buildPasswordToken, generatePasswordToken, NfcTokenError, readNfcTagHex } from '../wps/nfc/nfc-token.js';

export interface StaNfcControl {
  /** The station's wps_nfc_* values; a generated token is kept here (unsaved), as wpa_supplicant keeps it in its config. */
  readonly nfc: NfcTokenConfig;
  /** The values came from the configuration file (then WPS_NFC_TOKEN always gives that token). */
  fromConfig(): boolean;
  uuid(): Buffer;
  /** WPS_NFC; absent without a radio. */
  startNfc?(t: Required<NfcTokenConfig>, bssid?: MacAddress): void;
  /** NFC_REPORT_HANDOVER INIT: the abbreviated handshake with our handover DH key; absent without a radio. */
  startHandover?(sel: { publicKeyHash: Buffer; ssid: Buffer; bssid?: MacAddress }, dhPrivkey: Buffer): void;
  /** This device's Registrar (its External Registrar): NFC tokens and handover selects for learned APs. */
  registrar: StaNfcRegistrar;
  /** The Credential of a configured network (wpas_wps_network_to_cred), or undefined. */
  networkCredential(id: number): Credential | undefined;
  /** A configuration token's Credentials, as if received in M8. */
  useCredentials(creds: readonly Credential[], bssid?: MacAddress): void;
}

export interface StaNfcRegistrar {
  /** A password token read from a tag, or a handover request (ID 0x0007): false when refused. */
  addNfcPasswordToken(t: NfcPasswordToken): boolean;
  /** The handover select for a learned AP; undefined when the AP or its settings are unknown. */
  handoverSelect(sel: ApSelector, publicKey: Buffer): Buffer | undefined;
  /** From now on runs after a handover use this DH private value (wps->ap_nfc_dh_privkey). */
  useHandoverKey(privateKey: Buffer): void;
}

export function registerStaNfcCommands(registry: CommandRegistry, sta: StaNfcControl, o: { log?: Logger; rng?: Rng } = {}): void {
  const log = o.log ?? silentLogger;
  const generate = (): ReturnType<typeof generatePasswordToken> => (o.rng === undefined ? generatePasswordToken() : generatePasswordToken(o.rng));
  const hexReply = (b: Buffer): string => `${b.toString('hex').toUpperCase()}\n`;

  // wps_nfc_gen_dh: the configured (or last generated) key pair, else a new one kept for later.
  const handoverKeyPair = (): { publicKey: Buffer; privateKey: Buffer } => {
    if (sta.nfc.dhPubkey === undefined || sta.nfc.dhPrivkey === undefined) {
      const g = generate();
      sta.nfc.dhPubkey = g.publicKey;
      sta.nfc.dhPrivkey = g.privateKey;
    }
    return { publicKey: sta.nfc.dhPubkey, privateKey: sta.nfc.dhPrivkey };
  };

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
    help: "<hex> = an NFC configuration token (NDEF or raw WSC): add its networks; a password token: for this device's Registrar",
    handler: (args) => {
      const read = readNfcTagHex(args[0] ?? '');
      if ('invalid' in read) {
        log.debug(`WPS: Ignore invalid data from NFC tag: ${read.invalid}`);
        return REPLY_FAIL;
      }
      if (read.tag.kind === 'password') return sta.registrar.addNfcPasswordToken(read.tag.oob) ? REPLY_OK : REPLY_FAIL;
      const bssid = read.tag.location.macAddress;
      sta.useCredentials(read.tag.credentials, bssid === undefined || bssid.every((b) => b === 0) ? undefined : macFromBytes(bssid));
      return REPLY_OK;
    },
  });
  registry.register({
    name: 'WPS_NFC_CONFIG_TOKEN',
    minArgs: 1,
    maxArgs: 2,
    help: '<WPS|NDEF> <network id> = a configured network as an NFC configuration token',
    handler: (args) => {
      const [f, idText] = args;
      // Without a network id wpa_supplicant answers only in AP mode, which a station here never is.
      if ((f !== 'WPS' && f !== 'NDEF') || idText === undefined || !/^\d+$/.test(idText)) return REPLY_FAIL;
      const cred = sta.networkCredential(Number(idText));
      if (cred === undefined) return REPLY_FAIL;
      const token = buildCredentialToken({ ...cred, networkIndex: 1 });
      return hexReply(f === 'NDEF' ? wrapWscNdef(token) : token);
    },
  });
  registry.register({
    name: 'NFC_REPORT_HANDOVER',
    minArgs: 4,
    maxArgs: 4,
    help: '<INIT|RESP> WPS <req> <sel> = a completed connection handover: INIT enrolls with the selector',
    handler: (args) => {
      try {
        const report = parseHandoverReport(args);
        if (report.type !== 'WPS') {
          log.debug(`NFC: Unsupported connection handover reported: role=${report.role} type=${report.type}`);
          return REPLY_FAIL;
        }
        if (report.role === 'RESP') {
          // The Enrollee always initiates: its request carries the public key hash M1 must match.
          return sta.registrar.addNfcPasswordToken(handoverRequestToken(readHandoverRequest(report.request))) ? REPLY_OK : REPLY_FAIL;
        }
        const sel = readHandoverSelect(report.select);
        const key = sta.nfc.dhPrivkey;
        if (sta.nfc.dhPubkey === undefined || key === undefined) {
          log.debug('WPS: Missing DH params - cannot start NFC-triggered connection');
          return REPLY_FAIL;
        }
        if (sta.startHandover === undefined) return REPLY_FAIL;
        const target: { publicKeyHash: Buffer; ssid: Buffer; bssid?: MacAddress } = { publicKeyHash: sel.publicKeyHash, ssid: sel.ssid };
        if (sel.bssid !== undefined) target.bssid = macFromBytes(sel.bssid);
        sta.startHandover(target, key);
        return REPLY_OK;
      } catch (e) {
        if (!(e instanceof NfcTokenError)) throw e;
        log.debug(`NFC: Failed to process reported handover messages: ${e.message}`);
        return REPLY_FAIL;
      }
    },
  });
  registry.register({
    name: 'NFC_GET_HANDOVER_SEL',
    minArgs: 2,
    maxArgs: 3,
    help: 'NDEF WPS-CR <UUID|BSSID> = the External Registrar\'s connection handover select for a learned AP',
    handler: (args) => {
      // wpa_supplicant: only NDEF, only the carrier record (WPS-CR), and only for an AP its ER knows.
      const target = args[2] === undefined ? undefined : parseSelector(args[2]);
      if (args[0] !== 'NDEF' || args[1] !== 'WPS-CR' || target === undefined) return REPLY_FAIL;
      const key = handoverKeyPair();
      const sel = sta.registrar.handoverSelect(target, key.publicKey);
      if (sel === undefined) return REPLY_FAIL;
      sta.registrar.useHandoverKey(key.privateKey);
      return hexReply(wrapWscNdef(sel));
    },
  });
  registry.register({
    name: 'NFC_GET_HANDOVER_REQ',
    minArgs: 2,
    maxArgs: 2,
    help: 'NDEF WPS-CR = the connection handover request carrier record',
    handler: (args) => {
      if (args[0] !== 'NDEF' || (args[1] !== 'WPS-CR' && args[1] !== 'WPS')) return REPLY_FAIL;
      return hexReply(wrapWscNdef(buildHandoverRequest({ publicKey: handoverKeyPair().publicKey, uuidE: sta.uuid() })));
    },
  });
}
