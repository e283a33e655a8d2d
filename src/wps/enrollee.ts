/**
 * The WPS Enrollee: one registration protocol run (M1..M8) of a station that
 * wants credentials, or of an AP that an external Registrar learns or
 * configures. Transport-agnostic: bytes and events in, bytes and events out;
 * no I/O, no timers; randomness injected. Behaviour follows hostapd
 * src/wps/wps_enrollee.c (WSC 2.0 section 8).
 *
 *     const e = new Enrollee({ device, password: { kind: 'pin', pin: '12345670' } });
 *     let out = e.start();                  // M1
 *     const step = e.receive(m2);           // { reply: M3, events: [] }
 *     ... until step.result: 'success' | 'failure'
 *
 * - `start(): Buffer` builds M1 (once).
 * - `receive(msg): WpsStep` takes M2, M2D, M4, M6, M8, WSC_ACK or WSC_NACK
 *   and returns `{ reply?, events, result?, closing?, credentials? }`
 *   (events.ts). Once `result` is set the run is over and later input gets an
 *   empty step with the same result.
 * - Station mode (`ap` unset): M8's Credentials end the run; the reply is
 *   WSC_Done and the step has `result: 'success'` and `credentials`
 *   (one `cred-received` event each).
 * - AP mode (`ap` set): M1 carries the AP's WPS State; M7 carries its current
 *   settings. A Registrar that only learns them answers M7 with WSC_NACK
 *   (result 'failure', config error 0 — as in hostapd). One that configures
 *   sends new settings in M8 (`new-ap-settings` event); after WSC_Done the
 *   Registrar's WSC_ACK ends the run with `result: 'success'`.
 *   `setupLocked: true` (AP PIN lockout) refuses M2 with config error 15;
 *   `'learn-only'` lets the run reach M7 and refuses M8 (hostapd's
 *   ap_setup_locked=2).
 * - PBC: `password: { kind: 'pbc' }` uses Device Password ID PushButton and
 *   the PIN "00000000".
 * - Failures answer with WSC_NACK and a `fail` event (msg, configError,
 *   reason); a wrong PIN half also gives `pwd-auth-fail` (part 1 or 2,
 *   local 'enrollee'), which on an AP feeds the AP PIN lockout.
 * - WPS 2.0 messages (WFA Version2) by default; `version2: false` speaks
 *   WPS 1.0. Peers of either version are accepted.
 */
import { AttributeType, attrBytes, encodeAttributes } from './attributes.js';
import { parseApSettings, parseCredential, encodeApSettings, type Credential } from './credential.js';
import { randomNonce, type DhKeyPair, type Rng } from './crypto.js';
import type { DeviceInfo } from './device.js';
import { ErrorIndication, UNKNOWN_MAC, type WpsEvent, type WpsStep } from './events.js';
import {
  buildM1,
  buildM3,
  buildM5,
  buildM7,
  buildWscAck,
  buildWscDone,
  buildWscNack,
  isVersion2,
  messageTypeName,
  readM2,
  readM2D,
  readM4,
  readM6,
  readM8,
  readWscNack,
  withAuthenticator,
  type WscMessage,
} from './message.js';
import { RegistrationRun } from './registration-run.js';
import { checkNonce, failEvent, failureStep, guessMessageType, requireInner, requireMandatory } from './run-common.js';
import { RunFailure, runEnd } from './run-failure.js';
import { AuthType, ConfigError, ConfigMethods, DevicePasswordId, EncrType, MessageType, WpsState } from './values.js';
import { MultiApBits } from './vendor-ext.js';
import { NO_TKIP_AUTH_TYPE_FLAGS, NO_TKIP_ENCR_TYPE_FLAGS, withoutTkip } from './no-tkip.js';
import { publicKeyHashMatches } from './nfc/oob-device-password.js';

/** The PIN every PBC run uses (WSC 2.0 section 10). */
export const PBC_PIN = '00000000';

/** wps_build_auth_type_flags / wps_build_encr_type_flags in a CONFIG_NO_TKIP build: Open, WPA2-PSK / None, AES. */
export const DEFAULT_ENROLLEE_AUTH_TYPES = NO_TKIP_AUTH_TYPE_FLAGS;
export const DEFAULT_ENROLLEE_ENCR_TYPES = NO_TKIP_ENCR_TYPE_FLAGS;

export type EnrolleePassword =
  /** A PIN (4 or 8 digits, or any device password); Device Password ID Default unless given. */
  | { kind: 'pin'; pin: string | Buffer; devicePasswordId?: number }
  | { kind: 'pbc' };

export interface EnrolleeApConfig {
  /** The AP's current settings, sent in M7 (SSID, MAC = BSSID, auth, encr, key). */
  settings: Credential;
  /**
   * Pre-encoded AP Settings sent in M7 byte for byte in place of `settings`
   * (hostapd ap_settings=<file>); `settings` still serves everything else.
   */
  settingsAttributes?: Buffer;
  /** WPS State in M1; default Configured. */
  wpsState?: number;
  /** AP PIN lockout: refuse Registrars at M2 (true) or only at M8 ('learn-only'). */
  setupLocked?: boolean | 'learn-only';
}

export interface EnrolleeConfig {
  /** Our device: uuid is UUID-E, macAddress the Enrollee MAC (a station's address, an AP's BSSID). */
  device: DeviceInfo;
  /** The device password; an AP without an AP PIN leaves it unset and refuses Registrars. */
  password?: EnrolleePassword;
  /** Set for an AP acting as Enrollee. */
  ap?: EnrolleeApConfig;
  authTypeFlags?: number;
  encrTypeFlags?: number;
  connTypeFlags?: number;
  /** Send the WFA Version2 subelement (WPS 2.0); default true. */
  version2?: boolean;
  /** Multi-AP: ask for backhaul credentials (M1's Multi-AP subelement, Backhaul STA). */
  multiApBackhaulSta?: boolean;
  /** The peer's address for events (e.g. the AP's BSSID); all zero when unknown. */
  peerAddress?: Buffer;
  /**
   * A second device password the Registrar may switch to in M2 by its Device
   * Password ID: an AP whose NFC password token is enabled runs with the
   * token and keeps its AP PIN here (hostapd's alt_dev_password).
   */
  altPassword?: { pin: string | Buffer; devicePasswordId: number };
  /** NFC: the DH private value our password token's public key hash commits to (wps_nfc_dh_privkey). */
  dhPrivateKey?: Uint8Array;
  /** A precomputed DH key pair for this run only (a DhKeyPool's); ignored when dhPrivateKey is set. */
  dhKeyPair?: DhKeyPair;
  /** NFC: the Registrar's public key hash, known out of band; M2's key must match it. */
  peerPublicKeyHash?: Uint8Array;
  rng?: Rng;
}

export type EnrolleeState = 'start' | 'recv-m2' | 'recv-m4' | 'recv-m6' | 'recv-m8' | 'recv-ack' | 'over';

/** The Message Type we last sent, by state: the one a WSC_NACK refers to. */
const SENT_BEFORE: Readonly<Record<EnrolleeState, number>> = {
  start: 0,
  'recv-m2': MessageType.M1,
  'recv-m4': MessageType.M3,
  'recv-m6': MessageType.M5,
  'recv-m8': MessageType.M7,
  'recv-ack': MessageType.WscDone,
  over: 0,
};

const EXPECTED: Readonly<Record<number, EnrolleeState>> = {
  [MessageType.M2]: 'recv-m2',
  [MessageType.M2D]: 'recv-m2',
  [MessageType.M4]: 'recv-m4',
  [MessageType.M6]: 'recv-m6',
  [MessageType.M8]: 'recv-m8',
};

const PUSHBUTTON_METHODS = ConfigMethods.PushButton | ConfigMethods.VirtualPushButton | ConfigMethods.PhysicalPushButton;

export class Enrollee extends RegistrationRun<EnrolleeState> {
  private readonly enrolleeNonce: Buffer;
  private registrarNonce: Buffer | undefined;
  private password: Buffer | undefined;
  private devicePasswordId: number;
  private readonly pbc: boolean;
  private m2PublicKey: Buffer | undefined;
  private rHash2: Buffer | undefined;
  private newApSettings: Credential | undefined;
  private peer: { uuid: Buffer; device: DeviceInfo; version2: boolean } | undefined;

  constructor(private readonly cfg: EnrolleeConfig) {
    super(cfg.rng, 'start', 'over', {
      ...(cfg.dhPrivateKey !== undefined ? { privateKey: cfg.dhPrivateKey } : {}),
      ...(cfg.dhKeyPair !== undefined ? { keyPair: cfg.dhKeyPair } : {}),
    });
    this.enrolleeNonce = randomNonce(this.rng);
    const pw = cfg.password;
    this.pbc = pw?.kind === 'pbc';
    if (pw === undefined) {
      this.devicePasswordId = DevicePasswordId.Default;
    } else if (pw.kind === 'pbc') {
      this.password = Buffer.from(PBC_PIN);
      this.devicePasswordId = DevicePasswordId.PushButton;
    } else {
      this.password = Buffer.from(pw.pin);
      this.devicePasswordId = pw.devicePasswordId ?? DevicePasswordId.Default;
    }
  }

  /** Where the run is: 'start', 'recv-m2' ... 'recv-m8', 'recv-ack' (AP after WSC_Done), 'over'. */
  get state(): EnrolleeState {
    return this.st;
  }

  /**
   * This run's nonces (copies), e.g. for a UPnP device that keeps several
   * runs and matches each PutMessage to one by its nonces, as hostapd does.
   */
  get nonces(): { enrollee: Buffer; registrar?: Buffer } {
    const n: { enrollee: Buffer; registrar?: Buffer } = { enrollee: Buffer.from(this.enrolleeNonce) };
    if (this.registrarNonce !== undefined) n.registrar = Buffer.from(this.registrarNonce);
    return n;
  }

  /** UUID-R and device data of the Registrar, once M2 has been accepted. */
  get registrar(): { uuid: Buffer; device: DeviceInfo; version2: boolean } | undefined {
    return this.peer;
  }

  /** Builds M1 (WSC 2.0 section 8.3.1). Only once per run. */
  start(): Buffer {
    if (this.st !== 'start') throw new Error('Enrollee.start() called twice');
    const cfg = this.cfg;
    let configMethods = cfg.device.configMethods;
    // hostapd: an AP with a PIN hides PushButton from external Registrars in M1.
    if (cfg.ap !== undefined && !this.pbc && (this.password !== undefined || (configMethods & ConfigMethods.Display) !== 0)) {
      configMethods &= ~PUSHBUTTON_METHODS;
    }
    const m1 = buildM1({
      uuidE: cfg.device.uuid,
      macAddress: cfg.device.macAddress,
      enrolleeNonce: this.enrolleeNonce,
      publicKey: this.crypto.dh.publicKey,
      authTypeFlags: cfg.authTypeFlags ?? DEFAULT_ENROLLEE_AUTH_TYPES,
      encrTypeFlags: cfg.encrTypeFlags ?? DEFAULT_ENROLLEE_ENCR_TYPES,
      connTypeFlags: cfg.connTypeFlags,
      configMethods,
      wpsState: cfg.ap !== undefined ? (cfg.ap.wpsState ?? WpsState.Configured) : WpsState.NotConfigured,
      device: cfg.device,
      rfBands: cfg.device.rfBands,
      devicePasswordId: this.devicePasswordId,
      osVersion: cfg.device.osVersion,
      ...this.common(cfg.multiApBackhaulSta === true ? { multiAp: MultiApBits.BackhaulSta } : undefined),
    });
    this.crypto.lastMessage = m1;
    this.st = 'recv-m2';
    return m1;
  }

  /**
   * Processes one message from the Registrar. Never throws: bad input, and
   * even an internal error, end the run with a `fail` event.
   */
  receive(raw: Uint8Array): WpsStep {
    if (this.st === 'start') return this.fail(new RunFailure('unexpected-message', 'receive() before start()', { nack: false }), guessMessageType(raw));
    return this.step(raw, AttributeType.EnrolleeNonce, this.enrolleeNonce);
  }

  protected dispatch(msg: WscMessage): WpsStep {
    switch (msg.type) {
      case MessageType.WscAck:
        return this.onAck(msg);
      case MessageType.WscNack:
        return this.onNack(msg);
      case MessageType.M2:
      case MessageType.M2D:
      case MessageType.M4:
      case MessageType.M6:
      case MessageType.M8:
        break;
      default:
        throw new RunFailure('unexpected-message', `an Enrollee does not take ${messageTypeName(msg.type)}`, { nack: false });
    }
    // hostapd checks the Enrollee Nonce of every WSC_MSG before anything else.
    checkNonce(msg, AttributeType.EnrolleeNonce, this.enrolleeNonce);
    if (EXPECTED[msg.type] !== this.st) {
      throw new RunFailure('unexpected-message', `${messageTypeName(msg.type)} while waiting for ${this.waitingFor()}`);
    }
    switch (msg.type) {
      case MessageType.M2:
        return this.onM2(msg);
      case MessageType.M2D:
        return this.onM2D(msg);
      case MessageType.M4:
        return this.onM4(msg);
      case MessageType.M6:
        return this.onM6(msg);
      default:
        return this.onM8(msg);
    }
  }

  private waitingFor(): string {
    switch (this.st) {
      case 'recv-m2':
        return 'M2';
      case 'recv-m4':
        return 'M4';
      case 'recv-m6':
        return 'M6';
      case 'recv-m8':
        return 'M8';
      case 'recv-ack':
        return 'WSC_ACK';
      default:
        return 'nothing';
    }
  }

  private onM2(msg: WscMessage): WpsStep {
    requireMandatory(msg);
    const m2 = readM2(msg);
    this.registrarNonce = m2.registrarNonce;
    const alt = this.cfg.altPassword;
    if (m2.devicePasswordId !== this.devicePasswordId && alt !== undefined && alt.devicePasswordId === m2.devicePasswordId) {
      // hostapd: "Found a matching Device Password" — the Registrar chose the alternative (the AP PIN).
      this.password = Buffer.from(alt.pin);
      this.devicePasswordId = alt.devicePasswordId;
    }
    if (m2.devicePasswordId !== this.devicePasswordId) {
      // hostapd's workaround: a Registrar may answer a PBC M1 with Device Password ID Default.
      const pbcToPin = this.devicePasswordId === DevicePasswordId.PushButton && m2.devicePasswordId === DevicePasswordId.Default;
      if (!pbcToPin) {
        throw new RunFailure('password-id-mismatch', `Registrar changed Device Password ID ${this.devicePasswordId} to ${m2.devicePasswordId}`);
      }
    }
    const pkHash = this.cfg.peerPublicKeyHash;
    if (pkHash !== undefined && !publicKeyHashMatches(pkHash, m2.publicKey)) {
      throw new RunFailure('public-key-hash-mismatch', "the Registrar's public key does not match the hash its NFC record gave");
    }
    const ap = this.cfg.ap;
    if (ap !== undefined && (ap.setupLocked === true || this.password === undefined)) {
      throw new RunFailure('setup-locked', this.password === undefined ? 'no AP PIN: external Registrars refused' : 'AP setup locked');
    }
    this.crypto.deriveKeys(m2.publicKey, this.enrolleeNonce, this.cfg.device.macAddress, m2.registrarNonce);
    this.crypto.checkAuthenticator(msg.raw);
    this.crypto.lastMessage = msg.raw;
    this.m2PublicKey = m2.publicKey;
    this.peer = { uuid: m2.uuidR, device: { ...m2.device, uuid: m2.uuidR }, version2: isVersion2(msg) };

    if (this.devicePasswordId === DevicePasswordId.NfcConnectionHandover && pkHash !== undefined && ap === undefined) {
      return this.abbreviatedFromM2(m2.encryptedSettings);
    }
    if (this.password === undefined) throw new RunFailure('setup-locked', 'no device password');
    this.crypto.setDevicePassword(this.password);
    const pkE = this.crypto.dh.publicKey;
    const m3 = buildM3({
      registrarNonce: m2.registrarNonce,
      eHash1: this.crypto.ownHash(1, pkE, m2.publicKey),
      eHash2: this.crypto.ownHash(2, pkE, m2.publicKey),
      ...this.common(),
    });
    this.st = 'recv-m4';
    return this.continueWith(this.crypto.authenticate(m3, withAuthenticator));
  }

  /**
   * After a connection handover both public keys were proven out of band:
   * the Registrar's M2 already carries the Credentials, and WSC_Done follows
   * at once (hostapd's abbreviated handshake, wps_enrollee.c).
   */
  private abbreviatedFromM2(encryptedSettings: Buffer | undefined): WpsStep {
    if (encryptedSettings === undefined) throw new RunFailure('missing-attribute', 'M2 after a connection handover carries no Encrypted Settings');
    const { attrs } = this.crypto.decrypt(encryptedSettings);
    const credentials = this.takeCredentials(attrs);
    const done = buildWscDone({ enrolleeNonce: this.enrolleeNonce, registrarNonce: this.requireRegistrarNonce(), ...this.common() });
    this.events.push({ type: 'success', peerMac: this.peerMac() });
    this.finish('success');
    return { reply: done, events: this.takeEvents(), result: 'success', credentials };
  }

  private onM2D(msg: WscMessage): WpsStep {
    requireMandatory(msg);
    const m2d = readM2D(msg);
    const ev: WpsEvent = { type: 'm2d', device: { ...m2d.device, uuid: m2d.uuidR }, configError: m2d.configError ?? ConfigError.NoError };
    const pwId = msg.get(AttributeType.DevicePasswordId);
    if (pwId?.length === 2) ev.devicePasswordId = pwId.readUInt16BE(0);
    this.events.push(ev);
    // M2D is not authenticated and is not the "previous message" of a later M2 (hostapd).
    if (this.cfg.ap !== undefined) {
      // An AP has nothing to wait for: it answers WSC_NACK and the run ends (hostapd, no WPS-FAIL).
      this.registrarNonce = m2d.registrarNonce;
      const reply = this.buildNack(ConfigError.NoError);
      this.finish('failure');
      return { reply, events: this.takeEvents(), result: 'failure' };
    }
    // A station acknowledges and waits: another Registrar may still send M2.
    const ack = buildWscAck({ enrolleeNonce: this.enrolleeNonce, registrarNonce: m2d.registrarNonce, ...this.common() });
    return { reply: ack, events: this.takeEvents() };
  }

  private onM4(msg: WscMessage): WpsStep {
    requireMandatory(msg);
    this.crypto.checkAuthenticator(msg.raw);
    const m4 = readM4(msg);
    this.rHash2 = m4.rHash2;
    const { attrs } = this.crypto.decrypt(m4.encryptedSettings);
    const rS1 = requireInner(attrs, AttributeType.RSnonce1, 'M4');
    this.checkRegistrarHash(1, m4.rHash1, rS1);
    this.crypto.lastMessage = msg.raw;
    const m5 = buildM5({
      registrarNonce: this.requireRegistrarNonce(),
      encryptedSettings: this.crypto.encrypt(encodeAttributes([attrBytes(AttributeType.ESnonce1, this.crypto.secretNonce1)])),
      ...this.common(),
    });
    this.st = 'recv-m6';
    return this.continueWith(this.crypto.authenticate(m5, withAuthenticator));
  }

  private onM6(msg: WscMessage): WpsStep {
    requireMandatory(msg);
    this.crypto.checkAuthenticator(msg.raw);
    const { attrs } = this.crypto.decrypt(readM6(msg).encryptedSettings);
    const rS2 = requireInner(attrs, AttributeType.RSnonce2, 'M6');
    if (this.rHash2 === undefined) throw new RunFailure('unexpected-message', 'M6 before R-Hash2 was received');
    this.checkRegistrarHash(2, this.rHash2, rS2);
    this.crypto.lastMessage = msg.raw;
    if (this.cfg.ap !== undefined) this.events.push({ type: 'ap-pin-success', peerMac: this.peerMac() });
    const settings: Buffer[] = [encodeAttributes([attrBytes(AttributeType.ESnonce2, this.crypto.secretNonce2)])];
    if (this.cfg.ap !== undefined) settings.push(this.cfg.ap.settingsAttributes ?? encodeApSettings(narrowForM7(this.cfg.ap.settings), 'enrollee'));
    const m7 = buildM7({
      registrarNonce: this.requireRegistrarNonce(),
      encryptedSettings: this.crypto.encrypt(Buffer.concat(settings)),
      ...this.common(),
    });
    this.st = 'recv-m8';
    return this.continueWith(this.crypto.authenticate(m7, withAuthenticator));
  }

  private onM8(msg: WscMessage): WpsStep {
    requireMandatory(msg);
    this.crypto.checkAuthenticator(msg.raw);
    const ap = this.cfg.ap;
    if (ap !== undefined && ap.setupLocked !== undefined && ap.setupLocked !== false) {
      // ap_setup_locked=2: the Registrar may learn the settings (M7) but not change them.
      throw new RunFailure('setup-locked', 'AP setup locked: new settings refused');
    }
    const { tlvs, attrs, withKwa } = this.crypto.decrypt(readM8(msg).encryptedSettings);
    let credentials: Credential[];
    if (ap === undefined) {
      credentials = this.takeCredentials(attrs);
    } else {
      const settings = this.takeApSettings(tlvs, attrs);
      this.newApSettings = settings;
      credentials = [settings];
      this.events.push({ type: 'new-ap-settings', settings, attributes: withKwa });
    }
    const done = buildWscDone({ enrolleeNonce: this.enrolleeNonce, registrarNonce: this.requireRegistrarNonce(), ...this.common() });
    if (ap !== undefined) {
      // An AP waits for the Registrar's WSC_ACK before reporting success (hostapd RECV_ACK).
      this.st = 'recv-ack';
      return { reply: done, events: this.takeEvents() };
    }
    this.events.push({ type: 'success', peerMac: this.peerMac() });
    this.finish('success');
    return { reply: done, events: this.takeEvents(), result: 'success', credentials };
  }

  private onAck(msg: WscMessage): WpsStep {
    checkNonce(msg, AttributeType.RegistrarNonce, this.registrarNonce);
    checkNonce(msg, AttributeType.EnrolleeNonce, this.enrolleeNonce);
    requireMandatory(msg);
    if (this.st !== 'recv-ack') throw new RunFailure('unexpected-message', `WSC_ACK while waiting for ${this.waitingFor()}`, { nack: false });
    this.events.push({ type: 'success', peerMac: this.peerMac() });
    this.finish('success');
    const step: WpsStep = { events: this.takeEvents(), result: 'success' };
    if (this.newApSettings !== undefined) step.credentials = [this.newApSettings];
    return step;
  }

  private onNack(msg: WscMessage): WpsStep {
    // Before M2 the Registrar Nonce is not known yet; afterwards it must match.
    if (this.registrarNonce !== undefined) checkNonce(msg, AttributeType.RegistrarNonce, this.registrarNonce);
    checkNonce(msg, AttributeType.EnrolleeNonce, this.enrolleeNonce);
    requireMandatory(msg);
    const nack = readWscNack(msg);
    this.registrarNonce ??= nack.registrarNonce;
    const f = runEnd('nack-received', `Registrar sent WSC_NACK (config error ${nack.configError})`, { configError: nack.configError });
    const ev = failEvent(f, SENT_BEFORE[this.st], this.peerMac());
    // An EAP peer answers a WSC_NACK with its own (hostapd SEND_WSC_NACK).
    const reply = this.buildNack(ConfigError.NoError);
    this.finish('failure');
    return { reply, events: [...this.takeEvents(), ev], result: 'failure', closing: true };
  }

  private checkRegistrarHash(part: 1 | 2, committed: Buffer, revealed: Buffer): void {
    const pkR = this.m2PublicKey;
    if (pkR === undefined) throw new RunFailure('unexpected-message', `R-SNonce${part} before M2`);
    if (!this.crypto.peerHashMatches(part, committed, revealed, this.crypto.dh.publicKey, pkR)) {
      this.events.push({ type: 'pwd-auth-fail', part, local: 'enrollee', peerMac: this.peerMac() });
      // No Error Indication here: hostapd and wpa_supplicant report a wrong PIN half
      // as plain "WPS-FAIL msg=N config_error=18" (wps_enrollee.c leaves it 0).
      throw new RunFailure('password-auth-failure', `R-Hash${part} does not match R-SNonce${part}: the Registrar does not know the ${part === 1 ? 'first' : 'second'} half of the device password`);
    }
  }

  /** M8 Credentials of a station: WEP ones are skipped (WSC 2.0), at least one must remain. */
  private takeCredentials(attrs: readonly { type: number; value: Buffer }[]): Credential[] {
    const creds: Credential[] = [];
    let wepSkipped = false;
    for (const a of attrs) {
      if (a.type !== AttributeType.Credential) continue;
      const cred = parseCredential(a.value);
      if ((cred.encrType & (EncrType.None | EncrType.Tkip | EncrType.Aes)) === 0) {
        if ((cred.encrType & EncrType.Wep) !== 0) {
          wepSkipped = true;
          continue;
        }
        throw new RunFailure('bad-attribute', `Credential with invalid encryption type 0x${cred.encrType.toString(16)}`, { attrType: AttributeType.EncryptionType });
      }
      creds.push(cred);
      const header = Buffer.alloc(4);
      header.writeUInt16BE(AttributeType.Credential, 0);
      header.writeUInt16BE(a.value.length, 2);
      this.events.push({ type: 'cred-received', credential: cred, attribute: Buffer.concat([header, a.value]) });
    }
    if (creds.length === 0) {
      throw new RunFailure('no-usable-credential', wepSkipped ? 'only WEP credentials in M8' : 'M8 without Credential', {
        attrType: AttributeType.Credential,
        errorIndication: wepSkipped ? ErrorIndication.SecurityWepProhibited : ErrorIndication.NoError,
      });
    }
    return creds;
  }

  /** M8 AP settings: top-level attributes (hostapd), or the first Credential from a lenient Registrar. */
  private takeApSettings(tlvs: Buffer, attrs: readonly { type: number; value: Buffer }[]): Credential {
    const wrapped = attrs.find((a) => a.type === AttributeType.Credential);
    const hasTopLevel = attrs.some((a) => a.type === AttributeType.Ssid);
    const settings = !hasTopLevel && wrapped !== undefined ? parseCredential(wrapped.value) : parseApSettings(tlvs);
    settings.extra = settings.extra.filter((a) => a.type !== AttributeType.KeyWrapAuthenticator);
    if ((settings.encrType & (EncrType.None | EncrType.Tkip | EncrType.Aes)) === 0) {
      const wep = (settings.encrType & EncrType.Wep) !== 0;
      throw new RunFailure('no-usable-credential', wep ? 'new AP settings use WEP' : `new AP settings with invalid encryption type 0x${settings.encrType.toString(16)}`, {
        attrType: AttributeType.EncryptionType,
        errorIndication: wep ? ErrorIndication.SecurityWepProhibited : ErrorIndication.NoError,
      });
    }
    // hostapd upgrades TKIP-only to TKIP+AES and WPA-PSK-only to WPA+WPA2-PSK (mixed mode).
    if ((settings.encrType & (EncrType.Tkip | EncrType.Aes)) === EncrType.Tkip) settings.encrType |= EncrType.Aes;
    if ((settings.authType & (AuthType.WpaPsk | AuthType.Wpa2Psk)) === AuthType.WpaPsk) settings.authType |= AuthType.Wpa2Psk;
    return withoutTkip(settings);
  }

  private requireRegistrarNonce(): Buffer {
    if (this.registrarNonce === undefined) throw new RunFailure('unexpected-message', 'no Registrar Nonce yet');
    return this.registrarNonce;
  }

  private peerMac(): Buffer {
    return this.cfg.peerAddress ?? UNKNOWN_MAC;
  }

  private common(wfa?: { multiAp: number }): { version2: boolean; wfa?: { multiAp: number } } {
    const c: { version2: boolean; wfa?: { multiAp: number } } = { version2: this.cfg.version2 ?? true };
    if (wfa !== undefined) c.wfa = wfa;
    return c;
  }

  /** A WSC_NACK for this run (needs the Registrar Nonce; all zero before M2, as hostapd sends). */
  buildNack(configError: number): Buffer {
    return buildWscNack({
      enrolleeNonce: this.enrolleeNonce,
      registrarNonce: this.registrarNonce ?? Buffer.alloc(16),
      configError,
      ...this.common(),
    });
  }

  protected fail(f: RunFailure, msgType: number): WpsStep {
    const events = this.takeEvents();
    const ev = failEvent(f, msgType, this.peerMac());
    const nack = f.nack && this.st !== 'start' ? this.buildNack(f.configError) : undefined;
    this.finish('failure');
    return failureStep(events, ev, nack);
  }
}

/**
 * hostapd shows only the strongest of several auth/encr types in M7 (a
 * Windows 7 Registrar rejects mixed values): WPA2-PSK > WPA-PSK > Open, AES > TKIP.
 */
function narrowForM7(c: Credential): Credential {
  let authType = c.authType;
  if (authType & AuthType.Wpa2Psk) authType = AuthType.Wpa2Psk;
  else if (authType & AuthType.WpaPsk) authType = AuthType.WpaPsk;
  else if (authType & AuthType.Open) authType = AuthType.Open;
  let encrType = c.encrType;
  if (c.authType & (AuthType.Wpa2Psk | AuthType.WpaPsk)) {
    if (encrType & EncrType.Aes) encrType = EncrType.Aes;
    else if (encrType & EncrType.Tkip) encrType = EncrType.Tkip;
  }
  return { ...c, authType, encrType, extra: [] };
}
