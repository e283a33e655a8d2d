import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { WpaAuthenticator, type AuthenticatorEvent, DEFAULT_UPDATE_COUNT, EAPOL_KEY_TIMEOUT_FIRST_MS, EAPOL_KEY_TIMEOUT_SUBSEQ_MS, EAPOL_KEY_TIMEOUT_FIRST_GROUP_MS } from './authenticator.js';
import { WpaSupplicant, type SupplicantEvent } from './supplicant.js';
import { GroupKey } from './group-key.js';
import { pmkFromPassphrase } from './crypto.js';
import { parseEapolKey, KeyInfo } from './key-frame.js';
import { ManualTimers } from './events.js';
import { rsnElement, wpa2PersonalRsn, RsnCapability } from '../rsn-ie.js';
import { buildElements } from '../elements.js';
import { ReasonCode } from '../frame.js';

const AA = '02:00:00:00:01:00';
const SPA = '02:00:00:00:02:00';
const SSID = Buffer.from('wpsd-wpa');
const RSN = buildElements([rsnElement(wpa2PersonalRsn())]);


/** A deterministic random source. */
function seeded(seed: string): (n: number) => Uint8Array {
  let i = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let o = 0; o < n; o += 32) createHash('sha256').update(`${seed}:${i++}`).digest().copy(out, o);
    return out;
  };
}

interface Pair {
  auth: WpaAuthenticator;
  supp: WpaSupplicant;
  timers: ManualTimers;
  group: GroupKey;
  ae: AuthenticatorEvent[];
  se: SupplicantEvent[];
  /** Frames the AP sent that the test held back. */
  toSta: Uint8Array[];
  toAp: Uint8Array[];
  deliver: boolean;
  flush(): void;
}

function pair(o: { apPass?: string; staPass?: string; extraPmks?: Uint8Array[]; staRsn?: Uint8Array; assocRsn?: Uint8Array; staSeenApRsn?: Uint8Array } = {}): Pair {
  const timers = new ManualTimers();
  const group = new GroupKey(AA, seeded('gmk'));
  const p = { timers, group, ae: [], se: [], toSta: [], toAp: [], deliver: true } as unknown as Pair;
  p.flush = () => {
    while (p.toSta.length > 0 || p.toAp.length > 0) {
      const s = p.toSta.shift();
      if (s) p.supp.receive(s);
      const a = p.toAp.shift();
      if (a) p.auth.receive(a);
    }
  };
  p.auth = new WpaAuthenticator({
    aa: AA,
    spa: SPA,
    pmks: [...(o.extraPmks ?? []), pmkFromPassphrase(o.apPass ?? 'correct horse', SSID)],
    apRsnElement: RSN,
    staRsnElement: o.assocRsn ?? o.staRsn ?? RSN,
    group: () => ({ ...group.current(), rsc: Uint8Array.of(3, 0, 0, 0, 0, 0) }),
    random: seeded('anonce'),
    timers,
    onEvent: (e) => {
      p.ae.push(e);
      if (e.type === 'send') p.toSta.push(e.eapol);
    },
  });
  p.supp = new WpaSupplicant({
    spa: SPA,
    aa: AA,
    pmk: pmkFromPassphrase(o.staPass ?? 'correct horse', SSID),
    ownRsnElement: o.staRsn ?? RSN,
    apRsnElement: o.staSeenApRsn ?? RSN,
    random: seeded('snonce'),
    onEvent: (e) => {
      p.se.push(e);
      if (e.type === 'send') p.toAp.push(e.eapol);
    },
  });
  return p;
}

const types = (es: { type: string }[]): string[] => es.filter((e) => e.type !== 'dropped' && e.type !== 'send').map((e) => e.type);
const dropped = (es: { type: string; why?: string }[]): string[] => es.filter((e) => e.type === 'dropped').map((e) => e.why as string);

describe('4-way handshake, authenticator with supplicant', () => {
  it('derives the same keys, installs them and opens the port on both sides', () => {
    const p = pair();
    p.auth.start();
    p.flush();
    expect(types(p.ae)).toEqual(['install-ptk', 'authorized', 'completed']);
    expect(types(p.se)).toEqual(['state', 'install-ptk', 'state', 'install-gtk', 'state', 'completed']);
    expect(p.se.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state)).toEqual(['4WAY_HANDSHAKE', 'GROUP_HANDSHAKE', 'COMPLETED']);
    const apTk = p.ae.find((e) => e.type === 'install-ptk');
    const staTk = p.se.find((e) => e.type === 'install-ptk');
    expect(apTk).toEqual(staTk);
    const gtk = p.se.find((e) => e.type === 'install-gtk');
    expect(gtk).toEqual({ type: 'install-gtk', keyIndex: 1, gtk: p.group.current().gtk, rsc: Uint8Array.of(3, 0, 0, 0, 0, 0) });
    expect(p.auth.ptkState).toBe('ptk-init-done');
    expect(p.supp.state).toBe('COMPLETED');
    expect(p.timers.armed).toEqual([]);
  });

  it('sends the four messages with the key information, lengths and counters hostapd and wpa_supplicant use', () => {
    const p = pair();
    const frames: Uint8Array[] = [];
    p.auth.start();
    while (p.toSta.length > 0 || p.toAp.length > 0) {
      const s = p.toSta.shift();
      if (s) {
        frames.push(s);
        p.supp.receive(s);
      }
      const a = p.toAp.shift();
      if (a) {
        frames.push(a);
        p.auth.receive(a);
      }
    }
    const k = frames.map((f) => parseEapolKey(f));
    expect(k.map((x) => x.keyInfo.toString(16))).toEqual(['8a', '10a', '13ca', '30a']);
    expect(k.map((x) => x.replayCounter)).toEqual([1n, 1n, 2n, 2n]);
    expect(k.map((x) => x.keyLength)).toEqual([16, 0, 16, 0]);
    expect(k.map((x) => x.eapolVersion)).toEqual([2, 1, 2, 1]);
    expect(k[1]?.keyData).toEqual(RSN);
    expect(k[0]?.nonce).toEqual(k[2]?.nonce);
    expect(Buffer.from(k[2]?.rsc ?? []).toString('hex')).toBe('0300000000000000');
  });

  it('a wrong PSK: every message 2 fails its MIC (PSK mismatch), message 1 is retried with hostapd timeouts, then the station is dropped with reason 15', () => {
    const p = pair({ staPass: 'wrong passphrase' });
    p.auth.start();
    p.flush();
    expect(types(p.ae)).toEqual(['psk-mismatch']);
    expect(p.timers.armed).toEqual([EAPOL_KEY_TIMEOUT_FIRST_MS]);
    p.timers.advance(EAPOL_KEY_TIMEOUT_FIRST_MS);
    p.flush();
    for (let i = 2; i < DEFAULT_UPDATE_COUNT; i++) {
      expect(p.timers.armed).toEqual([EAPOL_KEY_TIMEOUT_SUBSEQ_MS]);
      p.timers.advance(EAPOL_KEY_TIMEOUT_SUBSEQ_MS);
      p.flush();
    }
    expect(p.timers.armed).toEqual([EAPOL_KEY_TIMEOUT_SUBSEQ_MS]);
    p.timers.advance(EAPOL_KEY_TIMEOUT_SUBSEQ_MS);
    expect(types(p.ae)).toEqual([...Array<string>(DEFAULT_UPDATE_COUNT).fill('psk-mismatch'), 'failed']);
    expect(p.ae.at(-1)).toMatchObject({ type: 'failed', reason: ReasonCode.FOURWAY_HANDSHAKE_TIMEOUT });
    expect(p.supp.state).toBe('4WAY_HANDSHAKE');
    expect(p.se.some((e) => e.type === 'install-ptk' || e.type === 'completed')).toBe(false);
  });

  it('accepts one of several PMKs (wpa_psk_file entries and the passphrase) and says which', () => {
    const other = Buffer.alloc(32, 0x55);
    const p = pair({ extraPmks: [other], apPass: 'legacy passphrase', staPass: 'legacy passphrase' });
    p.auth.start();
    p.flush();
    expect(p.ae.find((e) => e.type === 'authorized')).toEqual({ type: 'authorized', pmkIndex: 1 });
  });

  it('a lost message 1 is retransmitted with the same ANonce and a higher replay counter; a late reply to the first still counts', () => {
    const p = pair();
    p.auth.start();
    const first = p.toSta.shift() as Uint8Array;
    p.timers.advance(EAPOL_KEY_TIMEOUT_FIRST_MS);
    const second = p.toSta.shift() as Uint8Array;
    const [k1, k2] = [parseEapolKey(first), parseEapolKey(second)];
    expect(k2.replayCounter).toBe(k1.replayCounter + 1n);
    expect(k2.nonce).toEqual(k1.nonce);
    // The station answers the first copy only.
    p.supp.receive(first);
    p.flush();
    expect(types(p.ae)).toEqual(['install-ptk', 'authorized', 'completed']);
    expect(p.supp.state).toBe('COMPLETED');
  });

  it('a lost message 3 is retransmitted; the supplicant drops a replayed old one', () => {
    const p = pair();
    p.auth.start();
    p.supp.receive(p.toSta.shift() as Uint8Array);
    p.auth.receive(p.toAp.shift() as Uint8Array);
    const msg3 = p.toSta.shift() as Uint8Array;
    p.timers.advance(EAPOL_KEY_TIMEOUT_FIRST_MS);
    const msg3b = p.toSta.shift() as Uint8Array;
    expect(parseEapolKey(msg3b).replayCounter).toBe(parseEapolKey(msg3).replayCounter + 1n);
    p.supp.receive(msg3b);
    p.flush();
    expect(p.supp.state).toBe('COMPLETED');
    p.supp.receive(msg3);
    expect(dropped(p.se)).toContain('WPA: EAPOL-Key Replay Counter did not increase - dropping packet');
    expect(p.se.filter((e) => e.type === 'completed')).toHaveLength(1);
  });

  it('drops frames with a bad MIC or a replay counter it never sent, and is not moved by them', () => {
    const p = pair();
    p.auth.start();
    p.supp.receive(p.toSta.shift() as Uint8Array);
    const msg2 = p.toAp.shift() as Uint8Array;
    const forged = Uint8Array.from(msg2);
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    p.auth.receive(forged);
    expect(types(p.ae)).toEqual(['psk-mismatch']);
    const replayed = Uint8Array.from(msg2);
    replayed[12] = 9; // replay counter 9 was never sent
    p.auth.receive(replayed);
    expect(dropped(p.ae).at(-1)).toMatch(/replay counter/);
    p.auth.receive(msg2);
    const msg3 = p.toSta.shift() as Uint8Array;
    const bad3 = Uint8Array.from(msg3);
    bad3[100] = (bad3[100] as number) ^ 0x80;
    p.supp.receive(bad3);
    expect(dropped(p.se).at(-1)).toBe('WPA: Invalid EAPOL-Key MIC - dropping packet');
    expect(p.supp.state).toBe('4WAY_HANDSHAKE');
    p.supp.receive(msg3);
    p.flush();
    expect(p.supp.state).toBe('COMPLETED');
    expect(p.auth.ptkState).toBe('ptk-init-done');
  });

  it('the supplicant refuses message 3 whose RSN element differs from the Beacon (reason 17)', () => {
    const other = buildElements([rsnElement({ ...wpa2PersonalRsn(), capabilities: RsnCapability.MFPC })]);
    const p = pair({ staSeenApRsn: other });
    p.auth.start();
    p.flush();
    expect(p.se.find((e) => e.type === 'failed')).toEqual({ type: 'failed', reason: ReasonCode.IE_IN_4WAY_DIFFERS, why: 'WPA: IE in 3/4 msg does not match with IE in Beacon/ProbeResp' });
    expect(p.supp.state).not.toBe('COMPLETED');
  });

  it('the authenticator refuses message 2 whose RSN element differs from the Association Request', () => {
    // The station's association carried RSN; its message 2 carries an element with MFPC set.
    const p = pair({ staRsn: buildElements([rsnElement({ ...wpa2PersonalRsn(), capabilities: RsnCapability.MFPC })]), assocRsn: RSN });
    p.auth.start();
    p.flush();
    expect(p.ae.find((e) => e.type === 'failed')).toMatchObject({ reason: ReasonCode.PREV_AUTH_NOT_VALID });
    expect(p.auth.ptkState).toBe('failed');
    expect(p.supp.state).toBe('4WAY_HANDSHAKE');
  });
});

describe('group key handshake', () => {
  it('a rekey delivers the new GTK under the other index, the station installs it with the RSC', () => {
    const p = pair();
    p.auth.start();
    p.flush();
    const next = p.group.rekey();
    expect(next.keyIndex).toBe(2);
    p.auth.rekeyGroup();
    const g1 = parseEapolKey(p.toSta[0] as Uint8Array);
    expect(g1.keyInfo & (KeyInfo.PAIRWISE | KeyInfo.ACK | KeyInfo.MIC | KeyInfo.SECURE | KeyInfo.ENCRYPTED_KEY_DATA)).toBe(KeyInfo.ACK | KeyInfo.MIC | KeyInfo.SECURE | KeyInfo.ENCRYPTED_KEY_DATA);
    expect(g1.keyLength).toBe(0);
    p.flush();
    expect(p.se.filter((e) => e.type === 'install-gtk').at(-1)).toEqual({ type: 'install-gtk', keyIndex: 2, gtk: next.gtk, rsc: Uint8Array.of(3, 0, 0, 0, 0, 0) });
    expect(types(p.se).at(-1)).toBe('group-rekeyed');
    expect(types(p.ae).at(-1)).toBe('group-completed');
    expect(p.supp.state).toBe('COMPLETED');
  });

  it('a rekey during the 4-way handshake waits for it', () => {
    const p = pair();
    p.auth.start();
    p.group.rekey();
    p.auth.rekeyGroup();
    p.flush();
    expect(types(p.ae)).toEqual(['install-ptk', 'authorized', 'completed', 'group-completed']);
  });

  it('an unanswered group message 1 is retried (500 ms, then 1 s) and the station dropped with reason 16', () => {
    const p = pair();
    p.auth.start();
    p.flush();
    p.group.rekey();
    p.auth.rekeyGroup();
    p.toSta.length = 0;
    expect(p.timers.armed).toEqual([EAPOL_KEY_TIMEOUT_FIRST_GROUP_MS]);
    p.timers.advance(EAPOL_KEY_TIMEOUT_FIRST_GROUP_MS + (DEFAULT_UPDATE_COUNT - 1) * EAPOL_KEY_TIMEOUT_SUBSEQ_MS);
    expect(p.ae.at(-1)).toMatchObject({ type: 'failed', reason: ReasonCode.GROUP_KEY_UPDATE_TIMEOUT });
    expect(p.toSta).toHaveLength(DEFAULT_UPDATE_COUNT - 1);
  });
});
