/**
 * The per-run secrets shared by the Enrollee and Registrar state machines:
 * the DH key pair, nonces, session keys, the previous message for the
 * Authenticator, the device password halves and the secret nonces.
 * WSC 2.0 sections 7.3 (keys), 7.4 (Authenticator, Encrypted Settings) and
 * 7.4.1 (E-Hash / R-Hash proofs); hostapd wps_common.c / wps_attr_process.c.
 */
import type { Attribute } from './attributes.js';
import {
  computeAuthenticator,
  computeHash,
  constantTimeEqual,
  deriveSessionKeys,
  devicePasswordPsks,
  encryptSettings,
  generateDhKeyPair,
  openSettings,
  randomNonce,
  verifyAuthenticator,
  WscCryptoError,
  type DhKeyPair,
  type Rng,
  type SessionKeys,
} from './crypto.js';
import { RunFailure } from './run-failure.js';

/** Where a run's DH key pair comes from (see RunCrypto's constructor). */
export interface RunDhKey {
  privateKey?: Uint8Array;
  keyPair?: DhKeyPair;
}

export class RunCrypto {
  readonly dh: DhKeyPair;
  private keys: SessionKeys | undefined;
  private psk1: Buffer | undefined;
  private psk2: Buffer | undefined;
  /** Our E-S1/E-S2 or R-S1/R-S2. */
  readonly secretNonce1: Buffer;
  readonly secretNonce2: Buffer;
  /** The last authenticated message sent or received (hostapd's last_msg). */
  lastMessage: Buffer | undefined;

  /**
   * `dh.privateKey`: a fixed DH private value (an NFC token's
   * wps_nfc_dh_privkey); else `dh.keyPair`: a precomputed pair used by this
   * run only (a DhKeyPool's); else a fresh one.
   */
  constructor(
    private readonly rng: Rng,
    dh: RunDhKey = {},
  ) {
    if (dh.privateKey !== undefined) {
      const fixed = dh.privateKey;
      this.dh = generateDhKeyPair(() => Buffer.from(fixed), fixed.length);
    } else {
      this.dh = dh.keyPair ?? generateDhKeyPair(rng);
    }
    this.secretNonce1 = randomNonce(rng);
    this.secretNonce2 = randomNonce(rng);
  }

  get hasKeys(): boolean {
    return this.keys !== undefined;
  }

  /** Derives AuthKey/KeyWrapKey/EMSK; a degenerate peer key is 'bad-public-key'. */
  deriveKeys(peerPublicKey: Buffer, enrolleeNonce: Buffer, enrolleeMac: Buffer, registrarNonce: Buffer): void {
    let shared: Buffer;
    try {
      shared = this.dh.computeSecret(peerPublicKey);
    } catch (e) {
      if (e instanceof WscCryptoError) throw new RunFailure('bad-public-key', e.message);
      throw e;
    }
    this.keys = deriveSessionKeys(shared, enrolleeNonce, enrolleeMac, registrarNonce);
    shared.fill(0);
  }

  /** The EMSK of this run (UPnP and other key uses); undefined before M2. */
  get emsk(): Buffer | undefined {
    return this.keys?.emsk;
  }

  private requireKeys(): SessionKeys {
    if (this.keys === undefined) throw new RunFailure('unexpected-message', 'no session keys yet');
    return this.keys;
  }

  /** PSK1/PSK2 from the device password (hostapd wps_derive_psk). */
  setDevicePassword(password: Buffer): void {
    const { psk1, psk2 } = devicePasswordPsks(this.requireKeys().authKey, password);
    this.psk1 = psk1;
    this.psk2 = psk2;
  }

  private psk(part: 1 | 2): Buffer {
    const p = part === 1 ? this.psk1 : this.psk2;
    if (p === undefined) throw new RunFailure('unexpected-message', 'no device password yet');
    return p;
  }

  /** Our Hash1/Hash2 commitment (E-Hash for an Enrollee, R-Hash for a Registrar). */
  ownHash(part: 1 | 2, pkE: Buffer, pkR: Buffer): Buffer {
    const s = part === 1 ? this.secretNonce1 : this.secretNonce2;
    return computeHash(this.requireKeys().authKey, s, this.psk(part), pkE, pkR);
  }

  /** True when the peer's revealed secret nonce opens its committed hash. */
  peerHashMatches(part: 1 | 2, committed: Buffer, revealed: Buffer, pkE: Buffer, pkR: Buffer): boolean {
    return constantTimeEqual(computeHash(this.requireKeys().authKey, revealed, this.psk(part), pkE, pkR), committed);
  }

  /** Appends the Authenticator over lastMessage || body, and records the result as lastMessage. */
  authenticate(body: Buffer, withAuthenticator: (body: Buffer, authenticator: Buffer) => Buffer): Buffer {
    if (this.lastMessage === undefined) throw new RunFailure('unexpected-message', 'no previous message for the Authenticator');
    const msg = withAuthenticator(body, computeAuthenticator(this.requireKeys().authKey, this.lastMessage, body));
    this.lastMessage = msg;
    return msg;
  }

  /** Checks a received message's Authenticator against lastMessage. */
  checkAuthenticator(raw: Buffer): void {
    if (this.lastMessage === undefined || !verifyAuthenticator(this.requireKeys().authKey, this.lastMessage, raw)) {
      throw new RunFailure('authenticator-mismatch', 'Authenticator does not match');
    }
  }

  /** Encrypted Settings value for settings TLVs (KWA appended, random IV). */
  encrypt(settings: Buffer): Buffer {
    const k = this.requireKeys();
    return encryptSettings(k.authKey, k.keyWrapKey, settings, this.rng);
  }

  /**
   * Decrypts an Encrypted Settings value into its attributes (KWA checked and
   * removed). `withKwa` is the decrypted plaintext as hostapd keeps it (the
   * settings followed by their KWA attribute), the bytes of its
   * WPS-NEW-AP-SETTINGS event.
   */
  decrypt(encrypted: Buffer): { tlvs: Buffer; attrs: Attribute[]; withKwa: Buffer } {
    const k = this.requireKeys();
    try {
      const { settings, attrs, withKwa } = openSettings(k.authKey, k.keyWrapKey, encrypted);
      return { tlvs: settings, attrs, withKwa };
    } catch (e) {
      if (e instanceof WscCryptoError) {
        const kwa = e.code === 'KWA_MISSING' || e.code === 'KWA_MISMATCH';
        throw new RunFailure(kwa ? 'key-wrap-authenticator-mismatch' : 'decryption-failed', e.message);
      }
      throw e;
    }
  }
}
