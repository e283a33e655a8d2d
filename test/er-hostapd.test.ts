// wpsd sta as External Registrar against Debian hostapd 2.10 (driver=wired,
// UPnP on a veth, AP PIN), in two namespaces. Debian's wpa_cli drives wpsd's
// control socket; the event lines must equal Debian wpa_supplicant's
// (fixtures/reference/README.md, test/interop-reference.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { ER_EVENT_MS as EVENT_MS, erLearn, pollUntil, REFERENCE_AP_LINES, utf8Hex as hex } from '../harness/er-runs.js';
import { withApAndEr, withTopology } from '../harness/fixture.js';
import { REFERENCE_AP, startHostapd } from '../harness/hostapd.js';
import { startWpaSupplicantEr } from '../harness/wpa-supplicant.js';
import { startWpsdSta } from '../harness/wpsd.js';

const UUID = REFERENCE_AP.uuid;

describe('wpsd sta -D none as External Registrar against Debian hostapd', () => {
  const pair = withApAndEr({
    ap: (host) => startHostapd({ host }),
    er: (host) => startWpsdSta({ host, args: ['-d'] }),
  });
  const cli = (...args: string[]): Promise<string> => pair.er.cli(...args);

  it('wps_er_start finds hostapd and reports WPS-ER-AP-ADD with its UUID, MAC and device fields', async () => {
    expect(await cli('wps_er_start')).toBe('OK\n');
    const ev = await pair.erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS);
    expect(ev.level).toBe(3);
    expect(ev.text).toBe(REFERENCE_AP_LINES.apAdd(pair.apMac));
  });

  it('wps_er_start again shows the stored AP again', async () => {
    pair.erCtrl.mark();
    expect(await cli('wps_er_start')).toBe('OK\n');
    expect((await pair.erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS)).text).toContain(`WPS-ER-AP-ADD ${UUID} ${pair.apMac} `);
  });

  it('wps_er_learn reports WPS-ER-AP-SETTINGS equal to hostapd configuration, then WPS-FAIL msg=11 on both sides', async () => {
    const learn = await erLearn(pair.erCtrl, UUID, REFERENCE_AP.apPin, { ap: pair.apCtrl, send: () => cli('wps_er_learn', UUID, REFERENCE_AP.apPin) });
    expect(learn).toMatchObject({ reply: 'OK\n', settings: REFERENCE_AP_LINES.settings, erFail: 'WPS-FAIL msg=11 config_error=0', apFail: 'WPS-FAIL msg=11 config_error=0' });
  });

  it('a wrong AP PIN gives WPS-FAIL msg=8 config_error=18 and no settings; the ER stays usable (learn by BSSID works)', async () => {
    const wrong = await erLearn(pair.erCtrl, UUID, '11111115', { ap: pair.apCtrl, settings: false });
    expect(wrong).toMatchObject({ reply: 'OK\n', erFail: 'WPS-FAIL msg=8 config_error=18', apFail: 'WPS-FAIL msg=8 config_error=18' });
    expect(wrong.erEvents.some((e) => e.startsWith('WPS-ER-AP-SETTINGS'))).toBe(false);
    const byBssid = await erLearn(pair.erCtrl, pair.apMac, REFERENCE_AP.apPin, { fail: false });
    expect(byBssid.reply).toBe('OK\n');
    expect(byBssid.settings).toContain('ssid=test-wps');
  });

  it('unknown APs and malformed requests answer FAIL', async () => {
    expect(await pair.erCtrl.request('WPS_ER_LEARN 00000000-0000-0000-0000-000000000001 12345670')).toBe('FAIL\n');
    expect(await pair.erCtrl.request('WPS_ER_LEARN not-a-uuid 12345670')).toBe('FAIL\n');
    expect(await pair.erCtrl.request(`WPS_ER_CONFIG ${UUID} 12345670 zz WPA2PSK CCMP 00`)).toBe('FAIL\n');
    expect(await pair.erCtrl.request(`WPS_ER_CONFIG ${UUID} 12345670 ${hex('x')} WEP CCMP 00`)).toBe('FAIL\n');
    expect(await pair.erCtrl.request('WPS_ER_PBC 02:00:00:00:00:99')).toBe('FAIL-UNKNOWN-UUID\n');
  });

  it('wps_er_config makes hostapd emit WPS-NEW-AP-SETTINGS and get_config show the new SSID; the ER saves the network', async () => {
    pair.erCtrl.mark();
    pair.apCtrl.mark();
    // Wait until the previous learn's NACK exchange is over, as with wpa_supplicant.
    const out = await pollUntil(() => cli('wps_er_config', UUID, REFERENCE_AP.apPin, 'new-ssid', 'WPA2PSK', 'CCMP', 'newpassphrase1'), (o) => o === 'OK\n');
    expect(out).toBe('OK\n');
    expect((await pair.apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text).toBe('WPS-NEW-AP-SETTINGS ');
    expect((await pair.erCtrl.waitFor(/^WPS-CRED-RECEIVED/, EVENT_MS)).text).toBe('WPS-CRED-RECEIVED ');
    expect((await pair.erCtrl.waitFor(/^CTRL-EVENT-NETWORK-ADDED/, EVENT_MS)).text).toBe('CTRL-EVENT-NETWORK-ADDED 0');
    expect((await pair.erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS)).text).toBe('WPS-SUCCESS ');
    const cfg = await pollUntil(() => pair.ap.cli('get_config'), (c) => /^ssid=new-ssid$/m.test(c));
    expect(cfg).toMatch(/^ssid=new-ssid$/m);
    expect(cfg).toMatch(/^passphrase=newpassphrase1$/m);
    expect(await cli('list_networks')).toBe('network id / ssid / bssid / flags\n0\tnew-ssid\tany\t\n');
    // update_config=1: the network block is in the file.
    const conf = await pollUntil(() => pair.er.currentConf(), (c) => c.includes('ssid="new-ssid"'));
    expect(conf).toContain('network={\n\tssid="new-ssid"\n');
    expect(conf).toContain('\tpsk="newpassphrase1"\n');
  });

  it('wps_er_set_config takes a local network block; add/set/save network commands answer as wpa_supplicant', async () => {
    const id = (await cli('add_network')).trim();
    expect(id).toBe('1');
    expect(await cli('set_network', id, 'ssid', '"other net"')).toBe('OK\n');
    expect(await cli('set_network', id, 'psk', '"otherpassphrase"')).toBe('OK\n');
    expect(await cli('set_network', id, 'nosuchfield', '1')).toBe('FAIL\n');
    expect(await pair.erCtrl.request(`WPS_ER_SET_CONFIG ${UUID} ${id}`)).toBe('OK\n');
    expect(await pair.erCtrl.request(`WPS_ER_SET_CONFIG ${UUID} 42`)).toBe('FAIL\n');
    expect(await cli('save_config')).toBe('OK\n');
    expect(pair.er.currentConf()).toContain('ssid="other net"');
    expect(await cli('remove_network', id)).toBe('OK\n');
    expect(await cli('remove_network', id)).toBe('FAIL\n');
  });

  it('a clean stop of hostapd gives WPS-ER-AP-REMOVE with its UUID; a restarted hostapd is found and subscribed again', async () => {
    pair.erCtrl.mark();
    pair.apCtrl.close();
    await pair.ap.proc.stop('SIGTERM');
    expect((await pair.erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS)).text).toBe(`WPS-ER-AP-REMOVE ${UUID}`);
    expect(await pair.erCtrl.request(`WPS_ER_LEARN ${UUID} 12345670`)).toBe('FAIL\n');
    // startHostapd writes the reference configuration again.
    pair.env.track(await startHostapd({ host: pair.ap.host, dir: pair.ap.dir }));
    expect((await pair.erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS)).text).toContain(`WPS-ER-AP-ADD ${UUID} ${pair.apMac} `);
    const learn = await erLearn(pair.erCtrl, UUID, REFERENCE_AP.apPin, { fail: false });
    expect(learn.reply).toBe('OK\n');
    expect(learn.settings).toContain('ssid=test-wps ');
    pair.erCtrl.mark();
    expect(await cli('wps_er_stop')).toBe('OK\n');
    expect((await pair.erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS)).text).toBe(`WPS-ER-AP-REMOVE ${UUID}`);
  });
});

describe('wpsd sta and Debian wpa_supplicant as two External Registrars on one interface', () => {
  const env = withTopology({ hosts: ['ap', 'er'] });
  let wpsdCtrl: CtrlSession;
  let wpasCtrl: CtrlSession;

  beforeAll(async () => {
    env.track(await startHostapd({ host: env.host('ap') }));
    // wpa_supplicant's ER first: it holds port 1900 too, and keeps working while wpsd runs.
    const wpas = env.track(await startWpaSupplicantEr({ host: env.host('er') }));
    wpasCtrl = env.track(await wpas.ctrl());
    expect(await wpasCtrl.request('WPS_ER_START')).toBe('OK\n');
    const sta = env.track(await startWpsdSta({ host: env.host('er'), uuid: '27ea801a-9e5c-4e73-bd82-f89cbcd10d7f' }));
    wpsdCtrl = env.track(await sta.ctrl());
  });

  it('both find hostapd, and wpsd learns its settings while the other ER stays subscribed', async () => {
    expect(await wpsdCtrl.request('WPS_ER_START')).toBe('OK\n');
    expect((await wpsdCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS)).text).toContain(`WPS-ER-AP-ADD ${UUID} `);
    expect((await wpasCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS)).text).toContain(`WPS-ER-AP-ADD ${UUID} `);
    const byWpsd = await erLearn(wpsdCtrl, UUID, REFERENCE_AP.apPin, { send: (c) => wpsdCtrl.request(c), fail: false });
    expect(byWpsd).toMatchObject({ reply: 'OK\n', settings: REFERENCE_AP_LINES.settings });
    const byWpas = await erLearn(wpasCtrl, UUID, REFERENCE_AP.apPin, { fail: false });
    expect(byWpas.reply).toBe('OK\n');
    expect(byWpas.settings).toContain('ssid=test-wps');
  });
});
