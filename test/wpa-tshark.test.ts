/**
 * An independent check of wpsd's 4-way handshake: Debian's tshark
 * (Wireshark's dot11decrypt) reads a capture of the four EAPOL-Key frames
 * that WpaAuthenticator and WpaSupplicant exchanged, derives the PTK from the
 * passphrase and SSID, accepts message 2's MIC and decrypts message 3's Key
 * Data: it must show the GTK the authenticator sent and the KCK/KEK wpsd
 * derived. With a wrong passphrase it must decrypt nothing.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { WpaAuthenticator } from '../src/radio/wpa/authenticator.js';
import { WpaSupplicant } from '../src/radio/wpa/supplicant.js';
import { GroupKey } from '../src/radio/wpa/group-key.js';
import { derivePtk, pmkFromPassphrase } from '../src/radio/wpa/crypto.js';
import { parseEapolKey } from '../src/radio/wpa/key-frame.js';
import { rsnElement, wpa2PersonalRsn } from '../src/radio/rsn-ie.js';
import { buildElements } from '../src/radio/elements.js';
import { eapolDataFrame, buildFrame } from '../src/radio/frame.js';

const run = promisify(execFile);
const TSHARK = '/usr/bin/tshark';
const AA = '02:00:00:00:01:00';
const SPA = '02:00:00:00:02:00';
const SSID = 'wpsd-wpa';
const PASSPHRASE = 'correct horse';
const LINKTYPE_IEEE802_11 = 105;

/** A pcap file of 802.11 frames. */
function pcap(frames: Uint8Array[]): Buffer {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(65535, 16);
  hdr.writeUInt32LE(LINKTYPE_IEEE802_11, 20);
  const parts = [hdr];
  frames.forEach((f, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    parts.push(rec, Buffer.from(f));
  });
  return Buffer.concat(parts);
}

describe.skipIf(!existsSync(TSHARK))('the 4-way handshake as tshark decrypts it', () => {
  it('tshark accepts the MICs with the passphrase and shows the GTK of message 3; a wrong passphrase decrypts nothing', async () => {
    const rsn = buildElements([rsnElement(wpa2PersonalRsn())]);
    const pmk = pmkFromPassphrase(PASSPHRASE, Buffer.from(SSID));
    const group = new GroupKey(AA, randomBytes);
    const queue: { toSta: boolean; pdu: Uint8Array }[] = [];
    const frames: Uint8Array[] = [];
    const auth = new WpaAuthenticator({
      aa: AA,
      spa: SPA,
      pmks: [pmk],
      apRsnElement: rsn,
      staRsnElement: rsn,
      group: () => ({ ...group.current(), rsc: new Uint8Array(6) }),
      random: randomBytes,
      timers: { set: () => () => undefined },
      onEvent: (e) => e.type === 'send' && queue.push({ toSta: true, pdu: e.eapol }),
    });
    const supp = new WpaSupplicant({ spa: SPA, aa: AA, pmk, ownRsnElement: rsn, apRsnElement: rsn, random: randomBytes, onEvent: (e) => e.type === 'send' && queue.push({ toSta: false, pdu: e.eapol }) });
    auth.start();
    for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
      frames.push(buildFrame(eapolDataFrame({ direction: m.toSta ? 'from-ap' : 'to-ap', bssid: AA, station: SPA, fourAddr: false, eapol: m.pdu })));
      if (m.toSta) supp.receive(m.pdu);
      else auth.receive(m.pdu);
    }
    expect(frames).toHaveLength(4);
    expect(supp.state).toBe('COMPLETED');
    const [m1, m2] = frames.map((f) => parseEapolKey(f.subarray(24 + 8)));
    const ptk = derivePtk(pmk, AA, SPA, m1?.nonce ?? new Uint8Array(), m2?.nonce ?? new Uint8Array());

    const dir = mkdtempSync(join(tmpdir(), 'wpsd-tshark-'));
    try {
      const file = join(dir, 'hs.pcap');
      writeFileSync(file, pcap(frames));
      const dissect = async (pass: string): Promise<string> =>
        (await run(TSHARK, ['-r', file, '-o', 'wlan.enable_decryption:TRUE', '-o', `uat:80211_keys:"wpa-pwd","${pass}:${SSID}"`, '-V'], { maxBuffer: 8 << 20 })).stdout;
      const good = await dissect(PASSPHRASE);
      expect(good).toContain(`GTK: ${Buffer.from(group.current().gtk).toString('hex')}`);
      expect(good).toContain(`[KCK: ${ptk.kck.toString('hex')}]`);
      expect(good).toContain(`[KEK: ${ptk.kek.toString('hex')}]`);
      const bad = await dissect('wrong horse');
      expect(bad).not.toContain('GTK: ');
      expect(bad).not.toContain('[KCK: ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
