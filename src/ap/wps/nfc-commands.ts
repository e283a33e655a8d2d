/**
 * hostapd's NFC control commands (hostapd/ctrl_iface.c, src/ap/wps_hostapd.c):
 *   WPS_NFC_TAG_READ <hex>              an Enrollee's password token: the internal Registrar takes it
 *   WPS_NFC_CONFIG_TOKEN <WPS|NDEF>     this BSS's settings as a configuration token
 *   WPS_NFC_TOKEN <WPS|NDEF>            this AP's password token (the configured one, else a new one each time)
 *   WPS_NFC_TOKEN enable|disable        use that token (and its DH key) as the AP's device password
 *   NFC_GET_HANDOVER_SEL <NDEF|WPS> WPS-CR   the handover select carrier record
 *   NFC_REPORT_HANDOVER RESP WPS <req> <sel>  a station's handover request: the Registrar is selected for it
 * Replies as hostapd's: uppercase hex and a newline, FAIL, and an empty
 * reply for a successful enable/disable (hostapd returns length 0 there).
 * A bad tag changes nothing and is logged without its secrets.
 */
import { type Logger, silentLogger } from '../../common/log.js';
import { REPLY_FAIL, REPLY_OK, type CommandRegistry } from '../../ctrl/registry.js';
import type { Credential } from '../../wps/credential.js';
import { wrapWscNdef } from '../../wps/nfc/ndef.js';
import { configuredNfcToken, type NfcTokenConfig } from '../../wps/nfc/nfc-config.js';
import { buildConfigToken, buildHandoverSelect, buildPasswordToken, generatePasswordToken, NfcTokenError, readNfcTagHex, type ApLocation } from '../../wps/nfc/nfc-token.js';
import { handoverRequestToken, parseHandoverReport, readHandoverRequest } from '../../wps/nfc/handover.js';
import type { OobDevicePassword } from '../../wps/nfc/oob-device-password.js';
import type { Rng } from '../../wps/crypto.js';

export interface ApNfcControl {
  /** WPS runs on this BSS (hostapd answers FAIL to every NFC command otherwise). */
  enabled(): boolean;
  /** The BSS's wps_nfc_* values; a token generated here is kept in it, as hostapd keeps it in its config. */
  readonly nfc: NfcTokenConfig;
  /**
   * What a configuration token carries (wps_get_oob_cred): the network's
   * Credential (absent with skip_cred_build) and extra_cred's attributes;
   * undefined when WPS cannot build one. On an unconfigured AP this
   * configures it with the token's new passphrase.
   */
  configTokenCredentials(): { credential?: Credential; extra?: Buffer } | undefined;
  /** RF band, channel and BSSID for a configuration token. */
  location(): ApLocation;
  /** Where a handover select says the AP is: band and channel only while it operates on one (hostapd uses its frequency). */
  handoverLocation(): ApLocation;
  ssid(): Buffer;
  /** A read password token, or a handover request's public key hash with ID 0x0007 and no password. */
  addNfcPasswordToken(oob: OobDevicePassword): Promise<boolean>;
  /** The AP runs as Enrollee with this token (and keeps its AP PIN as the alternative); undefined: back to the AP PIN. */
  setApNfcToken(t: Required<NfcTokenConfig> | undefined): void;
}

function hexReply(b: Buffer): string {
  return `${b.toString('hex').toUpperCase()}\n`;
}

/** WPS or NDEF, as hostapd spells the format argument; undefined for anything else. */
function formatArg(a: string | undefined): 'WPS' | 'NDEF' | undefined {
  return a === 'WPS' || a === 'NDEF' ? a : undefined;
}

export function registerNfcCommands(registry: CommandRegistry, ap: ApNfcControl, o: { log?: Logger; rng?: Rng } = {}): void {
  const log = o.log ?? silentLogger;
  const out = (wsc: Buffer, f: 'WPS' | 'NDEF'): string => hexReply(f === 'NDEF' ? wrapWscNdef(wsc) : wsc);

  const generate = (): ReturnType<typeof generatePasswordToken> => (o.rng === undefined ? generatePasswordToken() : generatePasswordToken(o.rng));
  // hostapd_wps_nfc_token_gen: the token of the config file, else a new one at every request, kept for `enable`.
  const fromConfig = configuredNfcToken(ap.nfc);
  const passwordToken = (): Required<NfcTokenConfig> => {
    if (fromConfig !== undefined) return fromConfig;
    const t = generate();
    const made = { devPwId: t.passwordId, dhPubkey: t.publicKey, dhPrivkey: t.privateKey, devPw: t.password };
    Object.assign(ap.nfc, made);
    return made;
  };
  // hostapd_wps_nfc_hs_cr: the configured (or last generated) DH key, else a new key pair kept for later.
  const handoverKey = (): Buffer => {
    if (ap.nfc.dhPubkey !== undefined && ap.nfc.dhPrivkey !== undefined) return ap.nfc.dhPubkey;
    const t = generate();
    ap.nfc.dhPubkey = t.publicKey;
    ap.nfc.dhPrivkey = t.privateKey;
    return t.publicKey;
  };

  registry.register({
    name: 'WPS_NFC_TAG_READ',
    minArgs: 1,
    maxArgs: 1,
    help: "<hex> = an Enrollee's NFC password token (NDEF or raw WSC) for the internal Registrar",
    handler: async (args) => {
      if (!ap.enabled()) return REPLY_FAIL;
      const read = readNfcTagHex(args[0] ?? '');
      if ('invalid' in read) {
        log.debug(`WPS: Ignore invalid data from NFC tag: ${read.invalid}`);
        return REPLY_FAIL;
      }
      if (read.tag.kind !== 'password') {
        log.debug('WPS: Ignore unrecognized NFC tag');
        return REPLY_FAIL;
      }
      return (await ap.addNfcPasswordToken(read.tag.oob)) ? REPLY_OK : REPLY_FAIL;
    },
  });
  registry.register({
    name: 'WPS_NFC_CONFIG_TOKEN',
    minArgs: 1,
    maxArgs: 1,
    help: '<WPS|NDEF> = this network as an NFC configuration token',
    handler: (args) => {
      const f = formatArg(args[0]);
      // The format first: a refused request must not configure an unconfigured AP.
      if (f === undefined || !ap.enabled()) return REPLY_FAIL;
      const c = ap.configTokenCredentials();
      if (c === undefined) return REPLY_FAIL;
      const cred = c.credential === undefined ? undefined : { ...c.credential, macAddress: Buffer.alloc(6) };
      return out(buildConfigToken(cred, ap.location(), c.extra), f);
    },
  });
  registry.register({
    name: 'WPS_NFC_TOKEN',
    minArgs: 1,
    maxArgs: 1,
    help: "<WPS|NDEF|enable|disable> = this AP's NFC password token, or use it as the AP's device password",
    handler: (args) => {
      if (!ap.enabled()) return REPLY_FAIL;
      const a = args[0];
      const f = formatArg(a);
      if (f !== undefined) {
        const t = passwordToken();
        return out(buildPasswordToken({ passwordId: t.devPwId, publicKey: t.dhPubkey, password: t.devPw }), f);
      }
      if (a === 'enable') {
        const t = configuredNfcToken(ap.nfc);
        if (t === undefined) return REPLY_FAIL;
        ap.setApNfcToken(t);
        return '';
      }
      if (a === 'disable') {
        ap.setApNfcToken(undefined);
        return '';
      }
      return REPLY_FAIL;
    },
  });
  registry.register({
    name: 'NFC_REPORT_HANDOVER',
    minArgs: 4,
    maxArgs: 4,
    help: "RESP WPS <req> <sel> = a station's connection handover: enroll it with its public key and this AP's handover key",
    handler: async (args) => {
      if (!ap.enabled()) return REPLY_FAIL;
      try {
        const report = parseHandoverReport(args);
        if (report.role !== 'RESP' || report.type !== 'WPS') {
          log.debug(`NFC: Unsupported connection handover reported: role=${report.role} type=${report.type}`);
          return REPLY_FAIL;
        }
        // The Enrollee always initiates: its request carries the public key hash M1 must match.
        const req = readHandoverRequest(report.request);
        if (ap.nfc.dhPubkey === undefined || ap.nfc.dhPrivkey === undefined) {
          // hostapd would run with a fresh key that the station's check then refuses.
          log.info('NFC: connection handover refused: this AP has given no handover select (no NFC DH key)');
          return REPLY_FAIL;
        }
        return (await ap.addNfcPasswordToken(handoverRequestToken(req))) ? REPLY_OK : REPLY_FAIL;
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
    maxArgs: 2,
    help: '<NDEF|WPS> WPS-CR = the connection handover select carrier record',
    handler: (args) => {
      const f = formatArg(args[0]);
      if (!ap.enabled() || f === undefined || args[1] !== 'WPS-CR') return REPLY_FAIL;
      return out(buildHandoverSelect({ publicKey: handoverKey(), ssid: ap.ssid(), ...ap.handoverLocation() }), f);
    },
  });
}
