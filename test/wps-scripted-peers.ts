/**
 * Misbehaving peers for the flow tests, composed directly from message.ts
 * builders and crypto.ts primitives (independently of enrollee.ts and
 * registrar.ts). They know the session keys, so they can send messages with a
 * valid Authenticator but a bad Key Wrap Authenticator, or commit to hashes
 * of a password they do not know and never check the other side's proofs.
 */
import { AttributeType, attrBytes, encodeAttributes, parseAttributes } from '../src/wps/attributes.js';
import { credentialAttribute, type Credential } from '../src/wps/credential.js';
import {
  computeAuthenticator,
  computeHash,
  decryptSettings,
  deriveSessionKeys,
  devicePasswordPsks,
  encryptSettings,
  generateDhKeyPair,
  randomNonce,
  type SessionKeys,
} from '../src/wps/crypto.js';
import type { DeviceInfo } from '../src/wps/device.js';
import type { WpsStep } from '../src/wps/events.js';
import {
  buildM1,
  buildM2,
  buildM3,
  buildM4,
  buildM5,
  buildM6,
  buildM7,
  buildM8,
  buildWscDone,
  parseMessage,
  readM1,
  readM2,
  withAuthenticator,
} from '../src/wps/message.js';
import { AuthType, DevicePasswordId, EncrType, MessageType, WpsState } from '../src/wps/values.js';

/** A KWA computed with this key instead of AuthKey cannot verify. */
const WRONG_AUTH_KEY = Buffer.alloc(32, 0x5a);

function inner(type: number, value: Buffer): Buffer {
  return encodeAttributes([attrBytes(type, value)]);
}

class Sealer {
  last: Buffer = Buffer.alloc(0);
  keys: SessionKeys | undefined;
  seal(body: Buffer): Buffer {
    const k = this.keys as SessionKeys;
    const msg = withAuthenticator(body, computeAuthenticator(k.authKey, this.last, body));
    this.last = msg;
    return msg;
  }
  encrypt(tlvs: Buffer, corruptKwa: boolean): Buffer {
    const k = this.keys as SessionKeys;
    return encryptSettings(corruptKwa ? WRONG_AUTH_KEY : k.authKey, k.keyWrapKey, tlvs);
  }
}

/** A Registrar that can corrupt the KWA of M4, M6 or M8. */
export class ScriptedRegistrar {
  private readonly dh = generateDhKeyPair();
  private readonly nonceR = randomNonce();
  private readonly s = new Sealer();
  private nonceE: Buffer = Buffer.alloc(16);
  private pkE: Buffer = Buffer.alloc(0);
  private psks: { psk1: Buffer; psk2: Buffer } | undefined;
  private readonly rs1 = randomNonce();
  private readonly rs2 = randomNonce();

  constructor(
    private readonly opts: { device: DeviceInfo; pin: string; corruptKwaIn?: number; emptySettingsIn?: number; credential: Credential },
  ) {}

  /** Settings TLVs, or none at all for the message named by emptySettingsIn. */
  private settings(type: number, tlvs: Buffer): Buffer {
    return this.opts.emptySettingsIn === type ? Buffer.alloc(0) : tlvs;
  }

  receive(raw: Uint8Array): WpsStep {
    const msg = parseMessage(raw);
    const corrupt = (t: number): boolean => this.opts.corruptKwaIn === t;
    switch (msg.type) {
      case MessageType.M1: {
        const m1 = readM1(msg);
        this.nonceE = m1.enrolleeNonce;
        this.pkE = m1.publicKey;
        this.s.keys = deriveSessionKeys(this.dh.computeSecret(m1.publicKey), m1.enrolleeNonce, m1.macAddress, this.nonceR);
        this.psks = devicePasswordPsks(this.s.keys.authKey, Buffer.from(this.opts.pin));
        this.s.last = msg.raw;
        const d = this.opts.device;
        const body = buildM2({
          enrolleeNonce: this.nonceE,
          registrarNonce: this.nonceR,
          uuidR: d.uuid,
          publicKey: this.dh.publicKey,
          authTypeFlags: AuthType.Wpa2Psk,
          encrTypeFlags: EncrType.Aes,
          configMethods: d.configMethods,
          device: d,
          rfBands: d.rfBands,
          osVersion: d.osVersion,
          devicePasswordId: m1.devicePasswordId,
        });
        return { reply: this.s.seal(body), events: [] };
      }
      case MessageType.M3: {
        this.s.last = msg.raw;
        const k = this.s.keys as SessionKeys;
        const p = this.psks as { psk1: Buffer; psk2: Buffer };
        const body = buildM4({
          enrolleeNonce: this.nonceE,
          rHash1: computeHash(k.authKey, this.rs1, p.psk1, this.pkE, this.dh.publicKey),
          rHash2: computeHash(k.authKey, this.rs2, p.psk2, this.pkE, this.dh.publicKey),
          encryptedSettings: this.s.encrypt(this.settings(MessageType.M4, inner(AttributeType.RSnonce1, this.rs1)), corrupt(MessageType.M4)),
        });
        return { reply: this.s.seal(body), events: [] };
      }
      case MessageType.M5: {
        this.s.last = msg.raw;
        const body = buildM6({ enrolleeNonce: this.nonceE, encryptedSettings: this.s.encrypt(this.settings(MessageType.M6, inner(AttributeType.RSnonce2, this.rs2)), corrupt(MessageType.M6)) });
        return { reply: this.s.seal(body), events: [] };
      }
      case MessageType.M7: {
        this.s.last = msg.raw;
        const tlvs = encodeAttributes([credentialAttribute(this.opts.credential)]);
        const body = buildM8({ enrolleeNonce: this.nonceE, encryptedSettings: this.s.encrypt(this.settings(MessageType.M8, tlvs), corrupt(MessageType.M8)) });
        return { reply: this.s.seal(body), events: [] };
      }
      default:
        return { events: [], result: 'failure' };
    }
  }
}

/**
 * An Enrollee that commits E-Hash1/E-Hash2 to `hashPin` (so a Registrar with
 * another PIN catches it at M5 or M7), never checks R-Hash, and can corrupt
 * the KWA of M5 or M7.
 */
export class ScriptedEnrollee {
  private readonly dh = generateDhKeyPair();
  private readonly nonceE = randomNonce();
  private readonly s = new Sealer();
  private nonceR: Buffer = Buffer.alloc(16);
  private readonly es1 = randomNonce();
  private readonly es2 = randomNonce();

  constructor(private readonly opts: { device: DeviceInfo; hashPin: string; corruptKwaIn?: number; emptySettingsIn?: number }) {}

  /** Settings TLVs, or none at all for the message named by emptySettingsIn. */
  private settings(type: number, tlvs: Buffer): Buffer {
    return this.opts.emptySettingsIn === type ? Buffer.alloc(0) : tlvs;
  }

  start(): Buffer {
    const d = this.opts.device;
    const m1 = buildM1({
      uuidE: d.uuid,
      macAddress: d.macAddress,
      enrolleeNonce: this.nonceE,
      publicKey: this.dh.publicKey,
      authTypeFlags: AuthType.Wpa2Psk | AuthType.Open,
      encrTypeFlags: EncrType.Aes | EncrType.None,
      configMethods: d.configMethods,
      wpsState: WpsState.NotConfigured,
      device: d,
      rfBands: d.rfBands,
      devicePasswordId: DevicePasswordId.Default,
      osVersion: d.osVersion,
    });
    this.s.last = m1;
    return m1;
  }

  receive(raw: Uint8Array): WpsStep {
    const msg = parseMessage(raw);
    const corrupt = (t: number): boolean => this.opts.corruptKwaIn === t;
    switch (msg.type) {
      case MessageType.M2: {
        const m2 = readM2(msg);
        this.nonceR = m2.registrarNonce;
        const k = deriveSessionKeys(this.dh.computeSecret(m2.publicKey), this.nonceE, this.opts.device.macAddress, m2.registrarNonce);
        this.s.keys = k;
        this.s.last = msg.raw;
        const p = devicePasswordPsks(k.authKey, Buffer.from(this.opts.hashPin));
        const body = buildM3({
          registrarNonce: this.nonceR,
          eHash1: computeHash(k.authKey, this.es1, p.psk1, this.dh.publicKey, m2.publicKey),
          eHash2: computeHash(k.authKey, this.es2, p.psk2, this.dh.publicKey, m2.publicKey),
        });
        return { reply: this.s.seal(body), events: [] };
      }
      case MessageType.M4: {
        this.s.last = msg.raw;
        const body = buildM5({ registrarNonce: this.nonceR, encryptedSettings: this.s.encrypt(this.settings(MessageType.M5, inner(AttributeType.ESnonce1, this.es1)), corrupt(MessageType.M5)) });
        return { reply: this.s.seal(body), events: [] };
      }
      case MessageType.M6: {
        this.s.last = msg.raw;
        const body = buildM7({ registrarNonce: this.nonceR, encryptedSettings: this.s.encrypt(this.settings(MessageType.M7, inner(AttributeType.ESnonce2, this.es2)), corrupt(MessageType.M7)) });
        return { reply: this.s.seal(body), events: [] };
      }
      case MessageType.M8: {
        const k = this.s.keys as SessionKeys;
        const creds = parseAttributes(decryptSettings(k.authKey, k.keyWrapKey, msg.get(AttributeType.EncryptedSettings) as Buffer));
        return { reply: buildWscDone({ enrolleeNonce: this.nonceE, registrarNonce: this.nonceR }), events: [], result: creds.length > 0 ? 'success' : 'failure' };
      }
      default:
        return { events: [], result: 'failure' };
    }
  }
}
