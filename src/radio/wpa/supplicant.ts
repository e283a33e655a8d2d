/**
 * The PSK supplicant of one association (IEEE 802.11-2020 12.7.6, 12.7.7;
 * wpa_supplicant's rsn_supp/wpa.c): message 1 gives the ANonce and is
 * answered with message 2 (SNonce, own RSN element, MIC); message 3 is
 * checked (replay counter increased, MIC, same ANonce, the AP's RSN element
 * equal to its Beacon's / Probe Response's, a GTK) and answered with
 * message 4, then the PTK and the GTK are installed and the port opens.
 * Group message 1 delivers a new GTK and is answered with group message 2.
 *
 * Pure: EAPOL PDUs in, typed events out; randomness injected. The
 * authenticator owns the timeouts; a wrong PSK shows as MIC failures on the
 * AP and, on this side, as a deauthentication during the 4-way handshake.
 */
import { ReasonCode } from '../frame.js';
import type { MacAddress } from '../mac.js';
import { aesKeyUnwrap, derivePtk, NONCE_LEN, WpaCryptoError, type Ptk } from './crypto.js';
import { parseKeyData, KeyDataError, type KeyData } from './key-data.js';
import { buildEapolKey, emptyEapolKey, KeyInfo, parseEapolKey, verifyEapolKeyMic, EapolKeyError, type EapolKey } from './key-frame.js';
import type { GroupKeyEvent, PairwiseKeyEvent, WpaRandom } from './events.js';
import { KEY_RSC_LEN } from '../driver.js';

/** wpa_supplicant's eapol_version default. */
export const SUPPLICANT_EAPOL_VERSION = 1;

/** wpa_states of the handshake, as `status` prints them. */
export type SupplicantState = 'ASSOCIATED' | '4WAY_HANDSHAKE' | 'GROUP_HANDSHAKE' | 'COMPLETED' | 'DISCONNECTED';

export type SupplicantEvent =
  | { type: 'send'; eapol: Uint8Array }
  | { type: 'state'; state: SupplicantState }
  | PairwiseKeyEvent
  | GroupKeyEvent
  /** Message 3 done and keys installed: open the port ("WPA: Key negotiation completed with ..."). */
  | { type: 'completed' }
  /** Group key handshake done ("WPA: Group rekeying completed with ..."). */
  | { type: 'group-rekeyed'; keyIndex: number }
  /** The owner deauthenticates with `reason` (e.g. 17: the RSN element in message 3 differs). */
  | { type: 'failed'; reason: number; why: string }
  | { type: 'dropped'; why: string };

export interface SupplicantOptions {
  spa: MacAddress;
  aa: MacAddress;
  pmk: Uint8Array;
  /** This station's RSN element, whole, as sent in its Association Request. */
  ownRsnElement: Uint8Array;
  /** The AP's RSN element, whole, from its Beacon or Probe Response. */
  apRsnElement: Uint8Array;
  random: WpaRandom;
  onEvent: (e: SupplicantEvent) => void;
  eapolVersion?: number;
}

export class WpaSupplicant {
  private stateNow: SupplicantState = 'ASSOCIATED';
  private rxReplay: bigint | undefined;
  private snonce: Uint8Array | undefined;
  private anonce: Uint8Array | undefined;
  private tptk: Ptk | undefined;
  private ptk: Ptk | undefined;

  constructor(private readonly o: SupplicantOptions) {}

  get state(): SupplicantState {
    return this.stateNow;
  }

  /** The association ended. */
  stop(): void {
    this.set('DISCONNECTED');
  }

  receive(pdu: Uint8Array): void {
    if (this.stateNow === 'DISCONNECTED') return this.drop('not associated');
    let k: EapolKey;
    try {
      k = parseEapolKey(pdu);
    } catch (e) {
      if (e instanceof EapolKeyError) return this.drop(`WPA: invalid EAPOL-Key frame: ${e.message}`);
      throw e;
    }
    if ((k.keyInfo & KeyInfo.ACK) === 0) return this.drop('WPA: EAPOL-Key frame without Ack from the AP');
    // wpa_sm_rx_eapol: a replay counter not above the last verified one is dropped.
    if (this.rxReplay !== undefined && k.replayCounter <= this.rxReplay) return this.drop('WPA: EAPOL-Key Replay Counter did not increase - dropping packet');
    const pairwise = (k.keyInfo & KeyInfo.PAIRWISE) !== 0;
    if (pairwise && (k.keyInfo & KeyInfo.MIC) === 0) return this.onMsg1(k);
    if (pairwise) return this.onMsg3(pdu, k);
    return this.onGroup1(pdu, k);
  }

  private onMsg1(k: EapolKey): void {
    if (this.stateNow === 'COMPLETED' || this.snonce === undefined) this.snonce = Uint8Array.from(this.o.random(NONCE_LEN));
    this.set('4WAY_HANDSHAKE');
    this.anonce = Uint8Array.from(k.nonce);
    this.tptk = derivePtk(this.o.pmk, this.o.aa, this.o.spa, k.nonce, this.snonce);
    const r = emptyEapolKey(this.eapolVersion, KeyInfo.VERSION_HMAC_SHA1_AES | KeyInfo.PAIRWISE | KeyInfo.MIC, k.replayCounter);
    r.nonce = this.snonce;
    r.keyData = this.o.ownRsnElement;
    this.emit({ type: 'send', eapol: buildEapolKey(r, this.tptk.kck) });
  }

  private onMsg3(pdu: Uint8Array, k: EapolKey): void {
    const tptk = this.tptk;
    if (tptk === undefined || this.anonce === undefined) return this.drop('WPA: message 3/4 before message 1/4');
    const need = KeyInfo.INSTALL | KeyInfo.SECURE | KeyInfo.ENCRYPTED_KEY_DATA;
    if ((k.keyInfo & need) !== need) return this.drop(`WPA: message 3/4 with key info 0x${k.keyInfo.toString(16)}`);
    if (Buffer.compare(k.nonce, this.anonce) !== 0) return this.drop('WPA: ANonce from message 1 of 4-Way Handshake differs from 3 of 4-Way Handshake - drop packet');
    if (!verifyEapolKeyMic(pdu, tptk.kck)) return this.drop('WPA: Invalid EAPOL-Key MIC - dropping packet');
    const kd = this.keyData(k, tptk);
    if (kd === undefined) return;
    this.rxReplay = k.replayCounter;
    if (kd.rsnElement === undefined || Buffer.compare(kd.rsnElement, this.o.apRsnElement) !== 0) {
      return this.fail(ReasonCode.IE_IN_4WAY_DIFFERS, `WPA: IE in 3/4 msg does not match with IE in Beacon/ProbeResp${kd.rsnElement === undefined ? ' (no IE?)' : ''}`);
    }
    if (kd.gtk === undefined) return this.fail(ReasonCode.PREV_AUTH_NOT_VALID, 'WPA: No GTK in message 3/4');
    const r = emptyEapolKey(this.eapolVersion, KeyInfo.VERSION_HMAC_SHA1_AES | KeyInfo.PAIRWISE | KeyInfo.MIC | KeyInfo.SECURE, k.replayCounter);
    this.emit({ type: 'send', eapol: buildEapolKey(r, tptk.kck) });
    this.ptk = tptk;
    this.snonce = undefined;
    this.emit({ type: 'install-ptk', tk: Uint8Array.from(tptk.tk) });
    this.set('GROUP_HANDSHAKE');
    this.emit({ type: 'install-gtk', keyIndex: kd.gtk.keyId, gtk: Uint8Array.from(kd.gtk.gtk), rsc: k.rsc.slice(0, KEY_RSC_LEN) });
    this.set('COMPLETED');
    this.emit({ type: 'completed' });
  }

  private onGroup1(pdu: Uint8Array, k: EapolKey): void {
    const ptk = this.ptk;
    if (ptk === undefined) return this.drop('WPA: group message 1/2 before the 4-Way Handshake completed');
    const need = KeyInfo.MIC | KeyInfo.SECURE | KeyInfo.ENCRYPTED_KEY_DATA;
    if ((k.keyInfo & need) !== need) return this.drop(`WPA: group message 1/2 with key info 0x${k.keyInfo.toString(16)}`);
    if (!verifyEapolKeyMic(pdu, ptk.kck)) return this.drop('WPA: Invalid EAPOL-Key MIC - dropping packet');
    const kd = this.keyData(k, ptk);
    if (kd === undefined) return;
    this.rxReplay = k.replayCounter;
    if (kd.gtk === undefined) return this.drop('WPA: No GTK in group message 1/2');
    const r = emptyEapolKey(this.eapolVersion, KeyInfo.VERSION_HMAC_SHA1_AES | KeyInfo.MIC | KeyInfo.SECURE, k.replayCounter);
    this.emit({ type: 'send', eapol: buildEapolKey(r, ptk.kck) });
    this.emit({ type: 'install-gtk', keyIndex: kd.gtk.keyId, gtk: Uint8Array.from(kd.gtk.gtk), rsc: k.rsc.slice(0, KEY_RSC_LEN) });
    this.emit({ type: 'group-rekeyed', keyIndex: kd.gtk.keyId });
  }

  /** Unwraps and parses the Key Data; drops the frame (undefined) when that fails. */
  private keyData(k: EapolKey, ptk: Ptk): KeyData | undefined {
    try {
      return parseKeyData(aesKeyUnwrap(ptk.kek, k.keyData));
    } catch (e) {
      if (e instanceof WpaCryptoError || e instanceof KeyDataError) {
        this.drop(`WPA: cannot use the Key Data: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  }

  private get eapolVersion(): number {
    return this.o.eapolVersion ?? SUPPLICANT_EAPOL_VERSION;
  }

  private set(state: SupplicantState): void {
    if (this.stateNow === state) return;
    this.stateNow = state;
    this.emit({ type: 'state', state });
  }

  private fail(reason: number, why: string): void {
    this.emit({ type: 'failed', reason, why });
  }

  private drop(why: string): void {
    this.emit({ type: 'dropped', why });
  }

  private emit(e: SupplicantEvent): void {
    this.o.onEvent(e);
  }
}

