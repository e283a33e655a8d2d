// Reference behaviour of Debian hostapd 2.10 (wired, UPnP on a veth) driven by
// Debian wpa_supplicant 2.10 as External Registrar, in two namespaces. wpsd's
// AP and ER are later compared against exactly these event lines
// (fixtures/reference/README.md lists them).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ER_EVENT_MS as EVENT_MS, erLearn, pollUntil, REFERENCE_AP_LINES, utf8Hex as hex } from '../harness/er-runs.js';
import { withApAndEr } from '../harness/fixture.js';
import { REFERENCE_AP, startHostapd } from '../harness/hostapd.js';
import { hostMac } from '../harness/netns.js';
import { soapWscMessage, splitHttp, wscMessageName } from '../harness/pcap-http.js';
import { startWpaSupplicantEr } from '../harness/wpa-supplicant.js';

const UUID = REFERENCE_AP.uuid;

describe('Debian hostapd (wired, UPnP) with Debian wpa_supplicant as External Registrar', () => {
  const pair = withApAndEr({
    ap: (host) => startHostapd({ host }),
    er: (host) => startWpaSupplicantEr({ host }),
  });

  it('wps_er_start finds the AP over SSDP and reports WPS-ER-AP-ADD with its UUID and device fields', async () => {
    expect(await pair.erCtrl.request('WPS_ER_START')).toBe('OK\n');
    const ev = await pair.erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS);
    const mac = await hostMac(pair.ap.host);
    expect(ev.text).toBe(REFERENCE_AP_LINES.apAdd(mac));
  });

  it('wps_er_learn with the AP PIN reports the current settings, then both sides see the ER NACK after M7', async () => {
    const learn = await erLearn(pair.erCtrl, UUID, REFERENCE_AP.apPin, { ap: pair.apCtrl, send: () => pair.er.cli('wps_er_learn', UUID, REFERENCE_AP.apPin) });
    // Learn ends with a WSC_NACK (config error 0) from the ER after M7: both sides log it as a failure at M7 (msg=11).
    expect(learn).toMatchObject({ reply: 'OK\n', settings: REFERENCE_AP_LINES.settings, erFail: 'WPS-FAIL msg=11 config_error=0', apFail: 'WPS-FAIL msg=11 config_error=0' });
  });

  it('wps_er_learn with a wrong AP PIN fails at M4 with config_error=18 on both sides', async () => {
    // The ER answers FAIL until the NACK exchange of the previous learn has finished: erLearn retries (bounded).
    const learn = await erLearn(pair.erCtrl, UUID, '11111115', { ap: pair.apCtrl, settings: false });
    expect(learn).toMatchObject({ reply: 'OK\n', erFail: 'WPS-FAIL msg=8 config_error=18', apFail: 'WPS-FAIL msg=8 config_error=18' });
    expect(learn.erEvents.some((e) => e.startsWith('WPS-ER-AP-SETTINGS'))).toBe(false);
  });

  it('wps_er_config gives WPS-NEW-AP-SETTINGS on the AP and hostapd_cli get_config shows the new network', async () => {
    pair.erCtrl.mark();
    pair.apCtrl.mark();
    // wpa_cli hex-encodes SSID and key itself; the raw ctrl command carries hex.
    expect(await pair.erCtrl.requestUntilOk(`WPS_ER_CONFIG ${UUID} ${REFERENCE_AP.apPin} ${hex('new-ssid')} WPA2PSK CCMP ${hex('newpassphrase1')}`)).toBe('OK\n');
    expect((await pair.apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text).toBe('WPS-NEW-AP-SETTINGS ');
    // The ER also processes the credential it sent (M8) as if received, and counts the run a success.
    expect((await pair.erCtrl.waitFor(/^WPS-CRED-RECEIVED/, EVENT_MS)).text).toBe('WPS-CRED-RECEIVED ');
    expect((await pair.erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS)).text).toBe('WPS-SUCCESS ');
    // hostapd applies the settings from an eloop timeout after the event: poll (bounded) until it has.
    const cfg = await pollUntil(() => pair.ap.cli('get_config'), (c) => /^ssid=new-ssid$/m.test(c));
    expect(cfg).toMatch(/^ssid=new-ssid$/m);
    expect(cfg).toMatch(/^wps_state=configured$/m);
    expect(cfg).toMatch(/^passphrase=newpassphrase1$/m);
    expect(cfg).toMatch(/^key_mgmt=WPA-PSK$/m);
    expect(cfg).toMatch(/^rsn_pairwise_cipher=CCMP$/m);
    // hostapd saved the new settings into its config file too.
    expect(pair.ap.currentConf()).toMatch(/^ssid=new-ssid$/m);
  });

  it('stopping hostapd makes the ER report WPS-ER-AP-REMOVE with its UUID', async () => {
    pair.erCtrl.mark();
    pair.apCtrl.close();
    await pair.ap.proc.stop('SIGTERM');
    expect((await pair.erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS)).text).toBe(`WPS-ER-AP-REMOVE ${UUID}`);
  });
});

// The recorded fixtures (scripts/record-reference.sh) must hang together: the
// crypto helper checks key derivation from the -dd -K log against these messages.
describe('fixtures/reference recorded from the same run', () => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'reference');
  const wsc = (run: string, name: string): Buffer => Buffer.from(readFileSync(join(dir, 'wsc', run, `${name}.hex`), 'utf8').trim(), 'hex');
  const attr = (msg: Buffer, type: number): Buffer | undefined => {
    for (let off = 0; off + 4 <= msg.length; ) {
      const t = msg.readUInt16BE(off);
      const len = msg.readUInt16BE(off + 2);
      if (t === type) return msg.subarray(off + 4, off + 4 + len);
      off += 4 + len;
    }
    return undefined;
  };
  const logHex = (log: string, label: string): string => {
    const m = new RegExp(`WPS: ${label} - hexdump\\(len=\\d+\\): ([0-9a-f ]+)`).exec(log);
    return (m?.[1] ?? '').replace(/ /g, '');
  };

  it('every wsc/<run>/<name>.hex carries the Message Type its name says', () => {
    for (const run of readdirSync(join(dir, 'wsc'))) {
      for (const f of readdirSync(join(dir, 'wsc', run))) {
        const name = f.replace(/\.hex$/, '').replace(/^wlanevent\d-/, '').replace(/-\d+$/, '');
        expect(wscMessageName(wsc(run, f.replace(/\.hex$/, '')))).toBe(name);
      }
    }
  });

  it('learn M1..M7 and the NACK are all present, config M1..M8 and the Done', () => {
    expect(readdirSync(join(dir, 'wsc', 'learn')).sort()).toEqual(['m1.hex', 'm2.hex', 'm3.hex', 'm4.hex', 'm5.hex', 'm6.hex', 'm7.hex', 'nack.hex']);
    expect(readdirSync(join(dir, 'wsc', 'config')).sort()).toEqual(['done.hex', 'm1.hex', 'm2.hex', 'm3.hex', 'm4.hex', 'm5.hex', 'm6.hex', 'm7.hex', 'm8.hex']);
  });

  it("hostapd's -dd -K learn log shows the nonces and public keys of the recorded learn M1 and M2", () => {
    const log = readFileSync(join(dir, 'hostapd-learn-ddK.log'), 'utf8');
    const m1 = wsc('learn', 'm1');
    const m2 = wsc('learn', 'm2');
    expect(attr(m1, 0x1047)?.toString('hex')).toBe(UUID.replace(/-/g, ''));
    expect(logHex(log, 'Enrollee Nonce')).toBe(attr(m1, 0x101a)?.toString('hex'));
    expect(logHex(log, 'DH own Public Key')).toBe(attr(m1, 0x1032)?.toString('hex'));
    expect(logHex(log, 'Registrar Nonce')).toBe(attr(m2, 0x1039)?.toString('hex'));
    expect(logHex(log, 'DH peer Public Key')).toBe(attr(m2, 0x1032)?.toString('hex'));
    for (const k of ['DHKey', 'KDK', 'AuthKey', 'KeyWrapKey', 'EMSK', 'PSK1', 'PSK2']) expect(logHex(log, k)).toMatch(/^[0-9a-f]{32,64}$/);
  });

  it('the learn PutMessage exchanges carry exactly the recorded WSC messages', () => {
    const http = readdirSync(join(dir, 'http'));
    const pairs: Array<[string, string, string]> = [
      ['learn-GetDeviceInfo', '', 'm1'],
      ['learn-PutMessage-m2-m3', 'm2', 'm3'],
      ['learn-PutMessage-m4-m5', 'm4', 'm5'],
      ['learn-PutMessage-m6-m7', 'm6', 'm7'],
    ];
    for (const [stem, inName, outName] of pairs) {
      const f = http.find((x) => x.includes(stem) && x.endsWith('.request.http'));
      expect(f, stem).toBeDefined();
      const req = splitHttp(readFileSync(join(dir, 'http', f ?? '')));
      const res = splitHttp(readFileSync(join(dir, 'http', (f ?? '').replace('.request.', '.response.'))));
      if (inName) expect(soapWscMessage(req.body)?.message.equals(wsc('learn', inName))).toBe(true);
      expect(soapWscMessage(res.body)?.message.equals(wsc('learn', outName))).toBe(true);
    }
  });
});
