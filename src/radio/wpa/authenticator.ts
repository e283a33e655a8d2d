/**
 * The PSK authenticator of one station (IEEE 802.11-2020 12.7.6 and 12.7.7,
 * hostapd's wpa_auth.c WPA_PTK and WPA_PTK_GROUP machines): message 1 with
 * the ANonce, message 2 checked against every candidate PMK (per-station
 * PSKs from wpa_psk_file, then the passphrase's), message 3 with the AP's
 * RSN element and the GTK wrapped with the KEK, message 4; then the PTK is
 * installed and the port authorized. A new GTK is delivered with the group
 * key handshake. EAPOL-Key frames are retransmitted with hostapd's timeouts
 * and the station is disconnected after wpa_pairwise_update_count /
 * wpa_group_update_count tries.
 *
 * Pure: EAPOL PDUs in, typed events out; time and randomness injected.
 */
import { ReasonCode } from '../frame.js';
import type { MacAddress } from '../mac.js';
import { aesKeyWrap, derivePtk, NONCE_LEN, TK_LEN, type Ptk } from './crypto.js';
import { buildKeyData, padKeyData, parseKeyData, KeyDataError } from './key-data.js';
import { buildEapolKey, emptyEapolKey, KeyInfo, parseEapolKey, verifyEapolKeyMic, EapolKeyError, KEY_RSC_FIELD_LEN, type EapolKey } from './key-frame.js';
import type { PairwiseKeyEvent, WpaRandom, WpaTimers } from './events.js';

/** hostapd 2.10 eapol_key_timeout_first: message 1 (and 3) waits this long the first time, when TX status is known. */
export const EAPOL_KEY_TIMEOUT_FIRST_MS = 100;
/** eapol_key_timeout_subseq: every later try. */
export const EAPOL_KEY_TIMEOUT_SUBSEQ_MS = 1000;
/** eapol_key_timeout_first_group: group message 1 the first time. */
export const EAPOL_KEY_TIMEOUT_FIRST_GROUP_MS = 500;
/** hostapd wpa_pairwise_update_count / wpa_group_update_count default (dot11RSNAConfig*UpdateCount). */
export const DEFAULT_UPDATE_COUNT = 4;
/** hostapd RSNA_MAX_EAPOL_RETRIES: replay counters of earlier tries still accepted in a reply. */
export const MAX_VALID_REPLAY_COUNTERS = 4;
/** hostapd's eapol_version default. */
export const AUTHENTICATOR_EAPOL_VERSION = 2;
/** CCMP-128 key length announced in pairwise messages. */
const PAIRWISE_KEY_LEN = TK_LEN;

export interface GroupKeyView {
  keyIndex: number;
  gtk: Uint8Array;
  /** The GTK's transmit sequence counter (6 octets), announced as Key RSC. */
  rsc: Uint8Array;
}

export interface AuthenticatorTuning {
  pairwiseUpdateCount?: number;
  groupUpdateCount?: number;
  firstTimeoutMs?: number;
  subsequentTimeoutMs?: number;
  firstGroupTimeoutMs?: number;
}

export type AuthenticatorEvent =
  | { type: 'send'; eapol: Uint8Array }
  | PairwiseKeyEvent
  /** Message 4 arrived: the owner opens the port (AP-STA-CONNECTED) ... */
  | { type: 'authorized'; pmkIndex: number }
  /** ... and then reports EAPOL-4WAY-HS-COMPLETED. */
  | { type: 'completed' }
  /** Message 2 matched no PMK: AP-STA-POSSIBLE-PSK-MISMATCH. */
  | { type: 'psk-mismatch' }
  | { type: 'group-completed'; keyIndex: number }
  /** The handshake cannot go on; the owner deauthenticates the station with `reason`. */
  | { type: 'failed'; reason: number; why: string }
  /** A frame was ignored (logged at debug level, as hostapd does). */
  | { type: 'dropped'; why: string };

export type PtkState = 'idle' | 'ptk-start' | 'ptk-init-negotiating' | 'ptk-init-done' | 'failed';

export interface AuthenticatorOptions {
  /** The AP's address (AA) and the station's (SPA). */
  aa: MacAddress;
  spa: MacAddress;
  /** Candidate PMKs, tried in order on message 2 (hostapd wpa_auth_get_psk iterates the same way). */
  pmks: readonly Uint8Array[];
  /** The AP's RSN element, whole, as in its Beacons: sent in message 3. */
  apRsnElement: Uint8Array;
  /** The station's RSN element from its (Re)Association Request: message 2 must carry the same. */
  staRsnElement: Uint8Array;
  group: () => GroupKeyView;
  random: WpaRandom;
  timers: WpaTimers;
  onEvent: (e: AuthenticatorEvent) => void;
  tuning?: AuthenticatorTuning;
  eapolVersion?: number;
}

type Expect = 'msg2' | 'msg4' | 'group2' | undefined;

export class WpaAuthenticator {
  private state: PtkState = 'idle';
  private replay = 0n;
  private readonly validReplay: bigint[] = [];
  private anonce: Uint8Array = new Uint8Array(NONCE_LEN);
  private ptk: Ptk | undefined;
  private tptk: Ptk | undefined;
  private pmkIndex = -1;
  private expect: Expect;
  private tries = 0;
  private cancelTimer: (() => void) | undefined;
  private pendingGroup = false;
  private groupKeyIndex: number | undefined;
  private readonly t: Required<AuthenticatorTuning>;

  constructor(private readonly o: AuthenticatorOptions) {
    this.t = {
      pairwiseUpdateCount: o.tuning?.pairwiseUpdateCount ?? DEFAULT_UPDATE_COUNT,
      groupUpdateCount: o.tuning?.groupUpdateCount ?? DEFAULT_UPDATE_COUNT,
      firstTimeoutMs: o.tuning?.firstTimeoutMs ?? EAPOL_KEY_TIMEOUT_FIRST_MS,
      subsequentTimeoutMs: o.tuning?.subsequentTimeoutMs ?? EAPOL_KEY_TIMEOUT_SUBSEQ_MS,
      firstGroupTimeoutMs: o.tuning?.firstGroupTimeoutMs ?? EAPOL_KEY_TIMEOUT_FIRST_GROUP_MS,
    };
  }

  get ptkState(): PtkState {
    return this.state;
  }

  /** Which candidate PMK message 2 matched (-1 before). */
  get matchedPmk(): number {
    return this.pmkIndex;
  }

  /** Starts (or restarts) the 4-way handshake after (re)association: message 1 with a fresh ANonce. */
  start(): void {
    if (this.o.pmks.length === 0) return this.fail(ReasonCode.PREV_AUTH_NOT_VALID, 'no PSK for this station');
    this.stopTimer();
    this.state = 'ptk-start';
    this.ptk = undefined;
    this.tptk = undefined;
    this.pendingGroup = false;
    this.anonce = Uint8Array.from(this.o.random(NONCE_LEN));
    this.tries = 0;
    this.sendMsg1();
  }

  /** A new GTK was set for the BSS: run the group key handshake (now, or after the 4-way handshake). */
  rekeyGroup(): void {
    if (this.state === 'ptk-init-done' && this.expect === undefined) {
      this.tries = 0;
      this.sendGroup1();
    } else if (this.state !== 'idle' && this.state !== 'failed') {
      this.pendingGroup = true;
    }
  }

  stop(): void {
    this.stopTimer();
    this.expect = undefined;
    this.state = 'idle';
  }

  /** An EAPOL-Key PDU from the station. */
  receive(pdu: Uint8Array): void {
    if (this.state === 'idle' || this.state === 'failed') return this.drop('no handshake with this station');
    let k: EapolKey;
    try {
      k = parseEapolKey(pdu);
    } catch (e) {
      if (e instanceof EapolKeyError) return this.drop(`bad EAPOL-Key frame: ${e.message}`);
      throw e;
    }
    if ((k.keyInfo & KeyInfo.ACK) !== 0) return this.drop('EAPOL-Key frame with Ack from the station');
    if ((k.keyInfo & KeyInfo.REQUEST) !== 0) return this.drop('EAPOL-Key request frames are not supported');
    if ((k.keyInfo & KeyInfo.MIC) === 0) return this.drop('EAPOL-Key frame without MIC');
    if (!this.validReplay.includes(k.replayCounter)) return this.drop(`EAPOL-Key replay counter ${k.replayCounter} not one this authenticator sent`);
    const pairwise = (k.keyInfo & KeyInfo.PAIRWISE) !== 0;
    if (pairwise && this.expect === 'msg2' && (k.keyInfo & KeyInfo.SECURE) === 0) return this.onMsg2(pdu, k);
    if (pairwise && this.expect === 'msg4' && (k.keyInfo & KeyInfo.SECURE) !== 0) return this.onMsg4(pdu);
    if (!pairwise && this.expect === 'group2') return this.onGroup2(pdu);
    return this.drop(`unexpected EAPOL-Key frame (key info 0x${k.keyInfo.toString(16)}) in state ${this.state}`);
  }

  private onMsg2(pdu: Uint8Array, k: EapolKey): void {
    let found: Ptk | undefined;
    for (let i = 0; i < this.o.pmks.length && found === undefined; i++) {
      const ptk = derivePtk(this.o.pmks[i] as Uint8Array, this.o.aa, this.o.spa, this.anonce, k.nonce);
      if (verifyEapolKeyMic(pdu, ptk.kck)) {
        found = ptk;
        this.pmkIndex = i;
      }
    }
    if (found === undefined) {
      // hostapd: "invalid MIC in msg 2/4 of 4-Way Handshake"; the retransmission timer keeps running.
      this.emit({ type: 'psk-mismatch' });
      return this.drop('invalid MIC in msg 2/4 of 4-Way Handshake');
    }
    let rsn: Uint8Array | undefined;
    try {
      rsn = parseKeyData(k.keyData).rsnElement;
    } catch (e) {
      if (e instanceof KeyDataError) return this.drop(`msg 2/4 with invalid Key Data: ${e.message}`);
      throw e;
    }
    if (rsn === undefined || Buffer.compare(rsn, this.o.staRsnElement) !== 0) {
      return this.fail(ReasonCode.PREV_AUTH_NOT_VALID, 'RSN element from (Re)AssocReq did not match with msg 2/4');
    }
    this.stopTimer();
    this.tptk = found;
    this.state = 'ptk-init-negotiating';
    this.tries = 0;
    this.sendMsg3();
  }

  private onMsg4(pdu: Uint8Array): void {
    const ptk = this.tptk;
    if (ptk === undefined || !verifyEapolKeyMic(pdu, ptk.kck)) return this.drop('invalid MIC in msg 4/4 of 4-Way Handshake');
    this.stopTimer();
    this.expect = undefined;
    this.ptk = ptk;
    this.state = 'ptk-init-done';
    this.emit({ type: 'install-ptk', tk: Uint8Array.from(ptk.tk) });
    this.emit({ type: 'authorized', pmkIndex: this.pmkIndex });
    this.emit({ type: 'completed' });
    if (this.pendingGroup) {
      this.pendingGroup = false;
      this.rekeyGroup();
    }
  }

  private onGroup2(pdu: Uint8Array): void {
    if (this.ptk === undefined || !verifyEapolKeyMic(pdu, this.ptk.kck)) return this.drop('invalid MIC in group msg 2/2');
    this.stopTimer();
    this.expect = undefined;
    this.emit({ type: 'group-completed', keyIndex: this.groupKeyIndex ?? 0 });
    if (this.pendingGroup) {
      this.pendingGroup = false;
      this.rekeyGroup();
    }
  }

  private nextReplay(): bigint {
    this.replay += 1n;
    this.validReplay.unshift(this.replay);
    this.validReplay.length = Math.min(this.validReplay.length, MAX_VALID_REPLAY_COUNTERS);
    return this.replay;
  }

  private sendMsg1(): void {
    if (!this.countTry(this.t.pairwiseUpdateCount, ReasonCode.FOURWAY_HANDSHAKE_TIMEOUT, '4-Way Handshake')) return;
    const k = emptyEapolKey(this.eapolVersion, KeyInfo.VERSION_HMAC_SHA1_AES | KeyInfo.PAIRWISE | KeyInfo.ACK, this.nextReplay());
    k.keyLength = PAIRWISE_KEY_LEN;
    k.nonce = this.anonce;
    this.expect = 'msg2';
    this.emit({ type: 'send', eapol: buildEapolKey(k) });
    this.arm(this.tries === 1 ? this.t.firstTimeoutMs : this.t.subsequentTimeoutMs, () => this.sendMsg1());
  }

  private sendMsg3(): void {
    const ptk = this.tptk as Ptk;
    if (!this.countTry(this.t.pairwiseUpdateCount, ReasonCode.FOURWAY_HANDSHAKE_TIMEOUT, '4-Way Handshake')) return;
    const g = this.o.group();
    this.groupKeyIndex = g.keyIndex;
    const plain = buildKeyData({ rsnElement: this.o.apRsnElement, gtk: { keyId: g.keyIndex, tx: false, gtk: g.gtk } });
    const k = emptyEapolKey(
      this.eapolVersion,
      KeyInfo.VERSION_HMAC_SHA1_AES | KeyInfo.PAIRWISE | KeyInfo.INSTALL | KeyInfo.ACK | KeyInfo.MIC | KeyInfo.SECURE | KeyInfo.ENCRYPTED_KEY_DATA,
      this.nextReplay(),
    );
    k.keyLength = PAIRWISE_KEY_LEN;
    k.nonce = this.anonce;
    k.rsc = rscField(g.rsc);
    k.keyData = aesKeyWrap(ptk.kek, padKeyData(plain));
    this.expect = 'msg4';
    this.emit({ type: 'send', eapol: buildEapolKey(k, ptk.kck) });
    this.arm(this.tries === 1 ? this.t.firstTimeoutMs : this.t.subsequentTimeoutMs, () => this.sendMsg3());
  }

  private sendGroup1(): void {
    const ptk = this.ptk as Ptk;
    if (!this.countTry(this.t.groupUpdateCount, ReasonCode.GROUP_KEY_UPDATE_TIMEOUT, 'group key handshake')) return;
    const g = this.o.group();
    this.groupKeyIndex = g.keyIndex;
    const plain = buildKeyData({ gtk: { keyId: g.keyIndex, tx: false, gtk: g.gtk } });
    const k = emptyEapolKey(this.eapolVersion, KeyInfo.VERSION_HMAC_SHA1_AES | KeyInfo.ACK | KeyInfo.MIC | KeyInfo.SECURE | KeyInfo.ENCRYPTED_KEY_DATA, this.nextReplay());
    k.rsc = rscField(g.rsc);
    k.keyData = aesKeyWrap(ptk.kek, padKeyData(plain));
    this.expect = 'group2';
    this.emit({ type: 'send', eapol: buildEapolKey(k, ptk.kck) });
    this.arm(this.tries === 1 ? this.t.firstGroupTimeoutMs : this.t.subsequentTimeoutMs, () => this.sendGroup1());
  }

  /** Counts a transmission; past the update count the handshake fails (hostapd: TimeoutCtr > update count). */
  private countTry(limit: number, reason: number, what: string): boolean {
    this.tries += 1;
    if (this.tries > limit) {
      this.fail(reason, `${what} timed out after ${limit} tries`);
      return false;
    }
    return true;
  }

  private get eapolVersion(): number {
    return this.o.eapolVersion ?? AUTHENTICATOR_EAPOL_VERSION;
  }

  private arm(ms: number, fire: () => void): void {
    this.stopTimer();
    this.cancelTimer = this.o.timers.set(ms, () => {
      this.cancelTimer = undefined;
      fire();
    });
  }

  private stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private fail(reason: number, why: string): void {
    this.stopTimer();
    this.state = 'failed';
    this.expect = undefined;
    this.emit({ type: 'failed', reason, why });
  }

  private drop(why: string): void {
    this.emit({ type: 'dropped', why });
  }

  private emit(e: AuthenticatorEvent): void {
    this.o.onEvent(e);
  }
}

/** The 8-octet Key RSC field from a 6-octet sequence counter. */
function rscField(rsc: Uint8Array): Uint8Array {
  const out = new Uint8Array(KEY_RSC_FIELD_LEN);
  out.set(rsc.subarray(0, KEY_RSC_FIELD_LEN));
  return out;
}
