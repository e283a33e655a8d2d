/**
 * The WPS Registrar: one registration protocol run (M1..M8) against one
 * Enrollee, a station to give credentials to or an AP to learn or configure.
 * Transport-agnostic: bytes and events in, bytes and events out; no I/O, no
 * timers; randomness injected, time only through the PbcSessions it is given.
 * Behaviour follows hostapd src/wps/wps_registrar.c (WSC 2.0 section 8).
 *
 *     const r = new Registrar({ device, policy: {
 *       devicePassword: (e) => pins.get(e.uuid) ?? undefined,   // { kind: 'pin', pin } | { kind: 'pbc' }
 *       credentials: (e) => [{ networkIndex: 1, ssid, authType, encrType, networkKey, macAddress: e.macAddress, extra: [] }],
 *     }});
 *     const step = r.receive(m1);   // { reply: M2 (or M2D), events }
 *     ... r.receive(m3) -> M4, m5 -> M6, m7 -> M8, WSC_Done -> { result: 'success', credentials }
 *
 * - `receive(msg): WpsStep` takes M1, M3, M5, M7, WSC_Done, WSC_ACK,
 *   WSC_NACK and returns `{ reply?, events, result?, closing?, credentials? }`
 *   (events.ts). Once `result` is set the run is over; later input gets an
 *   empty step with the same result.
 * - Device password: `policy.devicePassword(enrollee)` after M1. No password
 *   (or a PBC M1 while the policy does not say 'pbc') gives M2D, a
 *   `pin-needed` event for a PIN Enrollee, and the run ends when the Enrollee
 *   acknowledges it.
 * - PBC: with `pbc` (PbcSessions) the M1 of a PushButton Enrollee is checked
 *   for session overlap: overlap gives M2D with config error 12, a
 *   `pbc-overlap` event and WPS-FAIL msg=4 (hostapd). An overlap that appears
 *   later in the run (another Enrollee pushed) NACKs M3/M5/M7 with 12.
 *   Success ends PBC mode (`pbc.completed`).
 * - Station Enrollees get `policy.credentials(enrollee)` in M8 (several
 *   Credentials allowed), followed by the raw attributes of
 *   `policy.extraCredentials(enrollee)` as they are (hostapd's extra_cred;
 *   with skip_cred_build the built list is empty). An M1 with the WFA Multi-AP subelement (Backhaul
 *   STA) gets `policy.multiApBackhaul(enrollee)` instead when that returns
 *   credentials.
 * - AP Enrollees (`apSettings` set): M7's AP settings are reported
 *   (`er-ap-settings`). 'learn' ends the run there with WSC_NACK and
 *   `result: 'success'` (hostapd also reports WPS-FAIL msg=7 config_error=0:
 *   a `fail` event with reason 'learn-complete'); 'configure' sends the new
 *   settings in M8.
 * - Failures answer with WSC_NACK and a `fail` event; a wrong password half
 *   proven by the Enrollee gives `pwd-auth-fail` (part 1 or 2, local
 *   'registrar') with config error 18, so the daemon can invalidate the PIN.
 *   A WSC_NACK from the Enrollee (e.g. 18 when our PIN was wrong) is reported
 *   as a `fail` event for the message it refused. A run that fails after M6
 *   revealed R-S2 emits `invalidate-pin` (hostapd wps_pin_revealed).
 * - Policy hooks are called synchronously inside `receive()`; one that throws
 *   fails the run ('internal-error') instead of the daemon.
 */
import { AttributeType, attrBytes, encodeAttributes } from './attributes.js';
import { credentialAttribute, encodeApSettings, parseApSettings, parseCredentials, type Credential } from './credential.js';
import { randomNonce, type DhKeyPair, type Rng } from './crypto.js';
import type { DeviceInfo } from './device.js';
import type { WpsEvent, WpsStep } from './events.js';
import {
  buildM2,
  buildM2D,
  buildM4,
  buildM6,
  buildM8,
  buildWscAck,
  buildWscNack,
  isVersion2,
  messageTypeName,
  readM1,
  readM3,
  readM5,
  readM7,
  readWscNack,
  withAuthenticator,
  type WscMessage,
} from './message.js';
import type { PbcSessions } from './pbc.js';
import { RegistrationRun } from './registration-run.js';
import { RunCrypto } from './run-crypto.js';
import { asRunFailure, checkNonce, failEvent, failureStep, requireInner, requireMandatory } from './run-common.js';
import { RunFailure, runEnd } from './run-failure.js';
import { ConfigError, DevicePasswordId, MessageType } from './values.js';
import { MultiApBits } from './vendor-ext.js';
import { NO_TKIP_AUTH_TYPE_FLAGS, NO_TKIP_ENCR_TYPE_FLAGS } from './no-tkip.js';
import { nfcDevicePassword, publicKeyHashMatches } from './nfc/oob-device-password.js';
import { isNfcTokenId } from './nfc/password-tokens.js';
import { PBC_PIN } from './enrollee.js';

/** M2's flags as a CONFIG_NO_TKIP hostapd builds them: Open, WPA2-PSK / None, AES. */
export const DEFAULT_REGISTRAR_AUTH_TYPES = NO_TKIP_AUTH_TYPE_FLAGS;
export const DEFAULT_REGISTRAR_ENCR_TYPES = NO_TKIP_ENCR_TYPE_FLAGS;

/** What M1 told the Registrar about the Enrollee; the input of every policy hook. */
export interface EnrolleeInfo {
  uuid: Buffer;
  macAddress: Buffer;
  device: DeviceInfo;
  devicePasswordId: number;
  authTypeFlags: number;
  encrTypeFlags: number;
  connTypeFlags: number;
  configMethods: number;
  wpsState: number;
  rfBands: number;
  /** WSC 2.0 (Version2 in the WFA extension) or 1.0. */
  version2: boolean;
  /** The WFA Multi-AP subelement (MultiApBits), when present. */
  multiAp?: number;
  requestToEnroll?: boolean;
  /** The M1 as received. */
  m1: Buffer;
}

/** The Credentials among pre-encoded attributes, for the run's result; what does not parse is still sent, only not reported. */
function credentialsIn(attrs: Buffer): Credential[] {
  try {
    return parseCredentials(attrs);
  } catch {
    return [];
  }
}

export type DevicePasswordChoice =
  | { kind: 'pin'; pin: string | Buffer }
  | { kind: 'pbc' }
  /**
   * An NFC password token for M1's Device Password ID: its password octets
   * (none for connection handover, ID 0x0007: the abbreviated handshake),
   * when the token came from the Enrollee the hash its M1 public key must
   * match (required for 0x0007), and the DH private value this Registrar
   * committed to out of band (its handover select or its own password
   * token), used for M2 in place of a fresh key.
   */
  | { kind: 'nfc'; passwordId: number; password: Buffer; publicKeyHash?: Buffer; dhPrivateKey?: Uint8Array };

export interface RegistrarPolicy {
  /**
   * The device password for this Enrollee: a PIN for a PIN Enrollee, 'pbc'
   * for a PushButton Enrollee while PBC mode is on; undefined for none (M2D).
   */
  devicePassword(enrollee: EnrolleeInfo): DevicePasswordChoice | undefined;
  /** Credentials for a station Enrollee's M8 (in order; network indexes as given). */
  credentials?(enrollee: EnrolleeInfo): Credential[];
  /** Backhaul credentials for a Multi-AP backhaul STA; undefined or [] falls back to credentials(). */
  multiApBackhaul?(enrollee: EnrolleeInfo): Credential[] | undefined;
  /**
   * Pre-encoded attributes (normally Credential attributes) sent in a station
   * Enrollee's M8 after the built ones, byte for byte (hostapd extra_cred).
   */
  extraCredentials?(enrollee: EnrolleeInfo): Buffer | undefined;
}

/** Against an AP Enrollee: only read its settings (M7), or configure new ones (M8). */
export type ApSettingsMode = { mode: 'learn' } | { mode: 'configure'; settings: Credential };

export interface RegistrarConfig {
  /** Our device: uuid is UUID-R; configMethods, rfBands, osVersion go into M2/M2D. */
  device: DeviceInfo;
  policy: RegistrarPolicy;
  /** Set when the Enrollee is an AP (ER learn/config, wpa_supplicant wps_reg). */
  apSettings?: ApSettingsMode;
  /** PBC sessions of this Registrar (shared across runs) for overlap detection. */
  pbc?: PbcSessions;
  /** An AP's internal Registrar while AP setup is locked: M2D says config error 15. */
  setupLocked?: boolean;
  authTypeFlags?: number;
  encrTypeFlags?: number;
  connTypeFlags?: number;
  /** Send the WFA Version2 subelement (WPS 2.0); default true. */
  version2?: boolean;
  /** A precomputed DH key pair for this run only (a DhKeyPool's); else a fresh one. */
  dhKeyPair?: DhKeyPair;
  rng?: Rng;
}

export type RegistrarState = 'recv-m1' | 'recv-m3' | 'recv-m5' | 'recv-m7' | 'recv-done' | 'recv-m2d-ack' | 'over';

/** The Message Type we last sent, by state: the one a WSC_NACK refers to. */
const SENT_BEFORE: Readonly<Record<RegistrarState, number>> = {
  'recv-m1': 0,
  'recv-m3': MessageType.M2,
  'recv-m5': MessageType.M4,
  'recv-m7': MessageType.M6,
  'recv-done': MessageType.M8,
  'recv-m2d-ack': MessageType.M2D,
  over: 0,
};

const EXPECTED: Readonly<Record<number, RegistrarState>> = {
  [MessageType.M1]: 'recv-m1',
  [MessageType.M3]: 'recv-m3',
  [MessageType.M5]: 'recv-m5',
  [MessageType.M7]: 'recv-m7',
};

/** Device Password IDs a PIN may stand for (hostapd wps_process_m1). */
const PIN_PASSWORD_IDS: ReadonlySet<number> = new Set<number>([
  DevicePasswordId.Default,
  DevicePasswordId.UserSpecified,
  DevicePasswordId.MachineSpecified,
  DevicePasswordId.RegistrarSpecified,
  DevicePasswordId.P2psDefault,
]);
/** IDs from 0x10 up are NFC password tokens; without the token a PIN may still do (hostapd). */
const FIRST_OOB_PASSWORD_ID = 0x10;

export class Registrar extends RegistrationRun<RegistrarState> {
  private readonly registrarNonce: Buffer;
  private enrolleeNonce: Buffer | undefined;
  private info: EnrolleeInfo | undefined;
  private password: { value: Buffer; pbc: boolean } | undefined;
  private devicePasswordId = DevicePasswordId.Default as number;
  private pkE: Buffer | undefined;
  private eHash1: Buffer | undefined;
  private eHash2: Buffer | undefined;
  private delivered: Credential[] = [];
  /** M6 sent (R-S2 revealed) and the Enrollee not yet proven (hostapd wps_pin_revealed). */
  private pinRevealed = false;

  constructor(private readonly cfg: RegistrarConfig) {
    super(cfg.rng, 'recv-m1', 'over', cfg.dhKeyPair !== undefined ? { keyPair: cfg.dhKeyPair } : {});
    this.registrarNonce = randomNonce(this.rng);
  }

  /** Where the run is: 'recv-m1', 'recv-m3' ... 'recv-done', 'recv-m2d-ack', 'over'. */
  get state(): RegistrarState {
    return this.st;
  }

  /** This run's nonces (copies), for transports that match messages to runs. */
  get nonces(): { enrollee?: Buffer; registrar: Buffer } {
    const n: { enrollee?: Buffer; registrar: Buffer } = { registrar: Buffer.from(this.registrarNonce) };
    if (this.enrolleeNonce !== undefined) n.enrollee = Buffer.from(this.enrolleeNonce);
    return n;
  }

  /** What M1 said about the Enrollee, once M1 has been accepted. */
  get enrollee(): EnrolleeInfo | undefined {
    return this.info;
  }

  /**
   * Processes one message from the Enrollee. Never throws: bad input, and a
   * policy hook that throws ('internal-error'), end the run with a `fail` event.
   */
  receive(raw: Uint8Array): WpsStep {
    return this.step(raw, AttributeType.RegistrarNonce, this.enrolleeNonce === undefined ? undefined : this.registrarNonce);
  }

  protected dispatch(msg: WscMessage): WpsStep {
    switch (msg.type) {
      case MessageType.M1:
        if (this.st !== 'recv-m1') throw new RunFailure('unexpected-message', `M1 while waiting for ${this.waitingFor()}`, { nack: false });
        return this.onM1(msg);
      case MessageType.M3:
      case MessageType.M5:
      case MessageType.M7:
        break;
      case MessageType.WscDone:
        return this.onDone(msg);
      case MessageType.WscAck:
        return this.onAck(msg);
      case MessageType.WscNack:
        return this.onNack(msg);
      default:
        throw new RunFailure('unexpected-message', `a Registrar does not take ${messageTypeName(msg.type)}`, { nack: false });
    }
    // hostapd checks the Registrar Nonce of every WSC_MSG but M1 first.
    checkNonce(msg, AttributeType.RegistrarNonce, this.st === 'recv-m1' ? undefined : this.registrarNonce);
    if (EXPECTED[msg.type] !== this.st) {
      throw new RunFailure('unexpected-message', `${messageTypeName(msg.type)} while waiting for ${this.waitingFor()}`);
    }
    this.checkPbcOverlapLater();
    switch (msg.type) {
      case MessageType.M3:
        return this.onM3(msg);
      case MessageType.M5:
        return this.onM5(msg);
      default:
        return this.onM7(msg);
    }
  }

  private waitingFor(): string {
    const names: Record<RegistrarState, string> = {
      'recv-m1': 'M1',
      'recv-m3': 'M3',
      'recv-m5': 'M5',
      'recv-m7': 'M7',
      'recv-done': 'WSC_Done',
      'recv-m2d-ack': 'WSC_ACK of M2D',
      over: 'nothing',
    };
    return names[this.st];
  }

  // ------------------------------------------------------------------ M1

  private onM1(msg: WscMessage): WpsStep {
    const nonce = msg.get(AttributeType.EnrolleeNonce);
    if (nonce !== undefined) this.enrolleeNonce = nonce;
    requireMandatory(msg);
    const m1 = readM1(msg);
    const info: EnrolleeInfo = {
      uuid: m1.uuidE,
      macAddress: m1.macAddress,
      device: { ...m1.device, uuid: m1.uuidE, macAddress: m1.macAddress },
      devicePasswordId: m1.devicePasswordId,
      authTypeFlags: m1.authTypeFlags,
      encrTypeFlags: m1.encrTypeFlags,
      connTypeFlags: m1.connTypeFlags ?? 0,
      configMethods: m1.configMethods,
      wpsState: m1.wpsState,
      rfBands: m1.rfBands,
      version2: isVersion2(msg),
      m1: msg.raw,
    };
    if (msg.wfa?.multiAp !== undefined) info.multiAp = msg.wfa.multiAp;
    if (msg.wfa?.requestToEnroll !== undefined) info.requestToEnroll = msg.wfa.requestToEnroll;
    this.info = info;
    this.pkE = m1.publicKey;
    this.crypto.lastMessage = msg.raw;
    this.devicePasswordId = m1.devicePasswordId;

    const choice = this.cfg.policy.devicePassword(info);
    const id = m1.devicePasswordId;
    let handover = false;
    if (id === DevicePasswordId.PushButton) {
      if (choice?.kind !== 'pbc') {
        // hostapd: "Unsupported Device Password ID" while PBC mode is off; no PIN-needed for a PBC Enrollee.
        return this.sendM2D(ConfigError.NoError);
      }
      const pbc = this.cfg.pbc;
      if (pbc !== undefined && pbc.isOverlap(info.macAddress, info.uuid)) {
        this.events.push({ type: 'pbc-overlap', uuid: info.uuid, macAddress: info.macAddress });
        const f = new RunFailure('pbc-overlap', 'PBC session overlap: more than one Enrollee in PBC mode');
        this.events.push(failEvent(f, MessageType.M1, info.macAddress));
        return this.sendM2D(ConfigError.MultiplePbcSessionsDetected);
      }
      pbc?.addSession(info.macAddress, info.uuid);
      this.password = { value: Buffer.from(PBC_PIN), pbc: true };
    } else if (choice?.kind === 'nfc' && choice.passwordId === id && isNfcTokenId(id)) {
      handover = id === DevicePasswordId.NfcConnectionHandover;
      if ((handover && (choice.publicKeyHash === undefined || this.cfg.apSettings !== undefined)) || (choice.publicKeyHash !== undefined && !publicKeyHashMatches(choice.publicKeyHash, m1.publicKey))) {
        // hostapd answers with M2D and Public Key Hash Mismatch, without a WPS-FAIL.
        return this.sendM2D(ConfigError.PublicKeyHashMismatch);
      }
      // Connection handover proves both keys out of band: no device password (hostapd's abbreviated handshake).
      this.password = { value: handover ? Buffer.alloc(0) : nfcDevicePassword(choice.password), pbc: false };
      if (choice.dhPrivateKey !== undefined) this.crypto = new RunCrypto(this.rng, { privateKey: choice.dhPrivateKey });
      this.crypto.lastMessage = msg.raw;
    } else if (PIN_PASSWORD_IDS.has(id) || id >= FIRST_OOB_PASSWORD_ID) {
      if (choice?.kind !== 'pin') {
        this.events.push({ type: 'pin-needed', uuid: info.uuid, macAddress: info.macAddress, devicePasswordId: id, device: info.device });
        return this.sendM2D(ConfigError.NoError);
      }
      // No NFC password tokens here: a PIN answers an OOB ID as Default (hostapd).
      if (id >= FIRST_OOB_PASSWORD_ID) this.devicePasswordId = DevicePasswordId.Default;
      this.password = { value: Buffer.from(choice.pin), pbc: false };
    } else {
      return this.sendM2D(ConfigError.NoError);
    }

    this.crypto.deriveKeys(m1.publicKey, m1.enrolleeNonce, m1.macAddress, this.registrarNonce);
    const fields: Parameters<typeof buildM2>[0] = {
      enrolleeNonce: m1.enrolleeNonce,
      registrarNonce: this.registrarNonce,
      uuidR: this.cfg.device.uuid,
      publicKey: this.crypto.dh.publicKey,
      devicePasswordId: this.devicePasswordId,
      ...this.deviceFields(ConfigError.NoError),
    };
    if (handover) {
      // The abbreviated handshake (hostapd wps_build_m2): both public keys were
      // proven out of band, so M2 carries the Credentials and M3..M8 are skipped.
      const plain = this.stationCredentials(info);
      fields.encryptedSettings = this.crypto.encrypt(plain);
      plain.fill(0);
    }
    this.st = handover ? 'recv-done' : 'recv-m3';
    return this.continueWith(this.crypto.authenticate(buildM2(fields), withAuthenticator));
  }

  private deviceFields(configError: number) {
    const d = this.cfg.device;
    return {
      authTypeFlags: this.cfg.authTypeFlags ?? DEFAULT_REGISTRAR_AUTH_TYPES,
      encrTypeFlags: this.cfg.encrTypeFlags ?? DEFAULT_REGISTRAR_ENCR_TYPES,
      connTypeFlags: this.cfg.connTypeFlags,
      configMethods: d.configMethods,
      device: d,
      rfBands: d.rfBands,
      configError,
      osVersion: d.osVersion,
      version2: this.cfg.version2 ?? true,
    };
  }

  private sendM2D(configError: number): WpsStep {
    const err = configError === ConfigError.NoError && this.cfg.setupLocked === true ? ConfigError.SetupLocked : configError;
    const m2d = buildM2D({
      enrolleeNonce: this.requireEnrolleeNonce(),
      registrarNonce: this.registrarNonce,
      uuidR: this.cfg.device.uuid,
      ...this.deviceFields(err),
    });
    this.st = 'recv-m2d-ack';
    return this.continueWith(m2d);
  }

  // ------------------------------------------------------------------ M3..M7

  /** hostapd's force_pbc_overlap: a PBC run stops once a second Enrollee shows up. */
  private checkPbcOverlapLater(): void {
    const info = this.info;
    if (this.password?.pbc !== true || info === undefined || this.cfg.pbc === undefined) return;
    if (this.cfg.pbc.isOverlap(info.macAddress, info.uuid)) {
      this.events.push({ type: 'pbc-overlap', uuid: info.uuid, macAddress: info.macAddress });
      throw new RunFailure('pbc-overlap', 'PBC session overlap detected during the run');
    }
  }

  private onM3(msg: WscMessage): WpsStep {
    requireMandatory(msg);
    this.crypto.checkAuthenticator(msg.raw);
    const m3 = readM3(msg);
    this.eHash1 = m3.eHash1;
    this.eHash2 = m3.eHash2;
    this.crypto.lastMessage = msg.raw;
    this.crypto.setDevicePassword(this.requirePassword().value);
    const pkE = this.requirePkE();
    const pkR = this.crypto.dh.publicKey;
    const m4 = buildM4({
      enrolleeNonce: this.requireEnrolleeNonce(),
      rHash1: this.crypto.ownHash(1, pkE, pkR),
      rHash2: this.crypto.ownHash(2, pkE, pkR),
      encryptedSettings: this.crypto.encrypt(encodeAttributes([attrBytes(AttributeType.RSnonce1, this.crypto.secretNonce1)])),
      version2: this.cfg.version2 ?? true,
    });
    this.st = 'recv-m5';
    return this.continueWith(this.crypto.authenticate(m4, withAuthenticator));
  }

  private onM5(msg: WscMessage): WpsStep {
    requireMandatory(msg);
    this.crypto.checkAuthenticator(msg.raw);
    const { attrs } = this.crypto.decrypt(readM5(msg).encryptedSettings);
    this.checkEnrolleeHash(1, this.eHash1, requireInner(attrs, AttributeType.ESnonce1, 'M5'));
    this.crypto.lastMessage = msg.raw;
    const m6 = buildM6({
      enrolleeNonce: this.requireEnrolleeNonce(),
      encryptedSettings: this.crypto.encrypt(encodeAttributes([attrBytes(AttributeType.RSnonce2, this.crypto.secretNonce2)])),
      version2: this.cfg.version2 ?? true,
    });
    this.st = 'recv-m7';
    this.pinRevealed = !this.requirePassword().pbc;
    return this.continueWith(this.crypto.authenticate(m6, withAuthenticator));
  }

  private onM7(msg: WscMessage): WpsStep {
    requireMandatory(msg);
    this.crypto.checkAuthenticator(msg.raw);
    const { tlvs, attrs } = this.crypto.decrypt(readM7(msg).encryptedSettings);
    this.checkEnrolleeHash(2, this.eHash2, requireInner(attrs, AttributeType.ESnonce2, 'M7'));
    this.pinRevealed = false;
    this.crypto.lastMessage = msg.raw;
    const info = this.requireInfo();

    let plain: Buffer;
    const apMode = this.cfg.apSettings;
    if (apMode !== undefined) {
      const current = this.readApSettings(tlvs);
      const currentTlvs = encodeAttributes(attrs.filter((a) => a.type !== AttributeType.ESnonce2));
      this.events.push({ type: 'er-ap-settings', uuid: info.uuid, macAddress: info.macAddress, settings: current, attributes: currentTlvs });
      if (apMode.mode === 'learn') {
        // hostapd: learn-only stops here with WSC_NACK and reports WPS-FAIL msg=7 config_error=0.
        this.events.push(failEvent(runEnd('learn-complete', 'AP settings learned; run ended with WSC_NACK'), MessageType.M7, info.macAddress));
        const nack = this.buildNack(ConfigError.NoError);
        this.finish('success');
        return { reply: nack, events: this.takeEvents(), result: 'success', credentials: [current] };
      }
      const n = apMode.settings;
      const updated: Credential = {
        networkIndex: 1,
        ssid: n.ssid,
        authType: n.authType,
        encrType: n.encrType,
        networkKey: n.networkKey,
        macAddress: current.macAddress,
        extra: [],
      };
      if (n.networkKeyIndex !== undefined) updated.networkKeyIndex = n.networkKeyIndex;
      this.delivered = [updated];
      plain = encodeApSettings(updated);
    } else {
      plain = this.stationCredentials(info);
    }
    const m8 = buildM8({
      enrolleeNonce: this.requireEnrolleeNonce(),
      encryptedSettings: this.crypto.encrypt(plain),
      version2: this.cfg.version2 ?? true,
    });
    plain.fill(0);
    this.st = 'recv-done';
    return this.continueWith(this.crypto.authenticate(m8, withAuthenticator));
  }

  private readApSettings(tlvs: Buffer): Credential {
    let current: Credential;
    try {
      current = parseApSettings(tlvs);
    } catch (e) {
      throw asRunFailure(e);
    }
    current.extra = current.extra.filter((a) => a.type !== AttributeType.ESnonce2 && a.type !== AttributeType.KeyWrapAuthenticator);
    return current;
  }

  /** A station Enrollee's Credential attributes (plain text for M8, or M2 after a handover); kept as what was delivered. */
  private stationCredentials(info: EnrolleeInfo): Buffer {
    const creds = this.credentialsFor(info);
    const extra = this.cfg.policy.extraCredentials?.(info) ?? Buffer.alloc(0);
    if (creds.length === 0 && extra.length === 0) throw new RunFailure('no-credential', 'the policy gave no Credential for this Enrollee');
    this.delivered = [...creds, ...credentialsIn(extra)];
    return Buffer.concat([encodeAttributes(creds.map(credentialAttribute)), extra]);
  }

  private credentialsFor(info: EnrolleeInfo): Credential[] {
    const policy = this.cfg.policy;
    if (info.multiAp !== undefined && (info.multiAp & MultiApBits.BackhaulSta) !== 0 && policy.multiApBackhaul !== undefined) {
      const backhaul = policy.multiApBackhaul(info);
      if (backhaul !== undefined && backhaul.length > 0) return backhaul;
    }
    return policy.credentials?.(info) ?? [];
  }

  private checkEnrolleeHash(part: 1 | 2, committed: Buffer | undefined, revealed: Buffer): void {
    if (committed === undefined) throw new RunFailure('unexpected-message', `E-SNonce${part} before M3`);
    const pkE = this.requirePkE();
    if (!this.crypto.peerHashMatches(part, committed, revealed, pkE, this.crypto.dh.publicKey)) {
      this.events.push({ type: 'pwd-auth-fail', part, local: 'registrar', peerMac: this.requireInfo().macAddress });
      throw new RunFailure(
        'password-auth-failure',
        // No Error Indication, as wps_registrar.c: the event line is "WPS-FAIL msg=N config_error=18".
        `E-Hash${part} does not match E-SNonce${part}: the Enrollee does not know the ${part === 1 ? 'first' : 'second'} half of the device password`,
      );
    }
  }

  // ------------------------------------------------------------------ Done / ACK / NACK

  private onDone(msg: WscMessage): WpsStep {
    checkNonce(msg, AttributeType.RegistrarNonce, this.registrarNonce);
    checkNonce(msg, AttributeType.EnrolleeNonce, this.enrolleeNonce);
    requireMandatory(msg);
    if (this.st !== 'recv-done') throw new RunFailure('unexpected-message', `WSC_Done while waiting for ${this.waitingFor()}`);
    const info = this.requireInfo();
    const pbc = this.password?.pbc === true;
    if (pbc) this.cfg.pbc?.completed(info.uuid);
    this.events.push({ type: 'reg-success', macAddress: info.macAddress, uuid: info.uuid, password: pbc ? 'pbc' : 'pin' });
    this.events.push({ type: 'success', peerMac: info.macAddress });
    this.finish('success');
    // An EAP-peer Registrar (wpa_supplicant wps_reg) answers WSC_Done with WSC_ACK.
    const ack = buildWscAck({ enrolleeNonce: this.requireEnrolleeNonce(), registrarNonce: this.registrarNonce, version2: this.cfg.version2 ?? true });
    return { reply: ack, events: this.takeEvents(), result: 'success', closing: true, credentials: this.delivered };
  }

  private onAck(msg: WscMessage): WpsStep {
    this.checkClosingNonces(msg);
    requireMandatory(msg);
    if (this.st !== 'recv-m2d-ack') throw new RunFailure('unexpected-message', `WSC_ACK while waiting for ${this.waitingFor()}`, { nack: false });
    // The Enrollee took our M2D: no password here, the run ends (hostapd "No more registrars available").
    this.finish('failure');
    return { events: this.takeEvents(), result: 'failure' };
  }

  private onNack(msg: WscMessage): WpsStep {
    this.checkClosingNonces(msg);
    requireMandatory(msg);
    const nack = readWscNack(msg);
    const f = runEnd('nack-received', `Enrollee sent WSC_NACK (config error ${nack.configError})`, { configError: nack.configError });
    const ev = failEvent(f, SENT_BEFORE[this.st], this.info?.macAddress);
    const reply = this.buildNack(ConfigError.NoError);
    this.finish('failure');
    return { reply, events: [...this.takeEvents(), ev, ...this.pinInvalidation()], result: 'failure', closing: true };
  }

  /**
   * WSC_ACK / WSC_NACK carry both nonces. hostapd's Enrollee never stores the
   * Registrar Nonce of an M2D and answers it with zeros there, so after M2D
   * only the Enrollee Nonce identifies the run.
   */
  private checkClosingNonces(msg: WscMessage): void {
    if (this.st !== 'recv-m2d-ack') checkNonce(msg, AttributeType.RegistrarNonce, this.registrarNonce);
    checkNonce(msg, AttributeType.EnrolleeNonce, this.enrolleeNonce);
  }

  // ------------------------------------------------------------------ helpers

  private requireEnrolleeNonce(): Buffer {
    if (this.enrolleeNonce === undefined) throw new RunFailure('unexpected-message', 'no Enrollee Nonce yet', { nack: false });
    return this.enrolleeNonce;
  }

  private requireInfo(): EnrolleeInfo {
    if (this.info === undefined) throw new RunFailure('unexpected-message', 'no M1 yet');
    return this.info;
  }

  private requirePkE(): Buffer {
    if (this.pkE === undefined) throw new RunFailure('unexpected-message', 'no M1 yet');
    return this.pkE;
  }

  private requirePassword(): { value: Buffer; pbc: boolean } {
    if (this.password === undefined) throw new RunFailure('unexpected-message', 'no device password');
    return this.password;
  }

  /** A WSC_NACK for this run with the given Configuration Error. */
  buildNack(configError: number): Buffer {
    return buildWscNack({
      enrolleeNonce: this.requireEnrolleeNonce(),
      registrarNonce: this.registrarNonce,
      configError,
      version2: this.cfg.version2 ?? true,
    });
  }

  protected fail(f: RunFailure, msgType: number): WpsStep {
    const events = this.takeEvents();
    const ev = failEvent(f, msgType, this.info?.macAddress);
    const nack = f.nack && this.enrolleeNonce !== undefined ? this.buildNack(f.configError) : undefined;
    this.finish('failure');
    const step = failureStep(events, ev, nack);
    step.events.push(...this.pinInvalidation());
    return step;
  }

  /** After a failure: hostapd invalidates a PIN whose second half the run exposed. */
  private pinInvalidation(): WpsEvent[] {
    if (!this.pinRevealed || this.info === undefined) return [];
    this.pinRevealed = false;
    return [{ type: 'invalidate-pin', uuid: this.info.uuid, macAddress: this.info.macAddress }];
  }
}
