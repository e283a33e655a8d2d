// wpsd ap (driver=none, UPnP on a veth) driven by Debian wpa_supplicant 2.10
// as External Registrar, each in its own network namespace: the same event
// lines the reference recording shows for Debian hostapd
// (fixtures/reference/README.md).
import { describe, expect, it } from 'vitest';
import { ER_EVENT_MS as EVENT_MS, erLearn, pollUntil, REFERENCE_AP_LINES, utf8Hex as hex } from '../harness/er-runs.js';
import { withApAndEr } from '../harness/fixture.js';
import { REFERENCE_AP } from '../harness/hostapd.js';
import { startWpaSupplicantEr } from '../harness/wpa-supplicant.js';
import { startWpsdAp } from '../harness/wpsd.js';
import { effectiveRsnPairwise, parseHostapdConfig } from '../src/ap/config.js';
import { Cipher } from '../src/conf/values.js';

const UUID = REFERENCE_AP.uuid;

describe('wpsd ap with Debian wpa_supplicant as External Registrar', () => {
  const pair = withApAndEr({
    ap: (host) => startWpsdAp({ host, args: ['-dd'] }),
    er: (host) => startWpaSupplicantEr({ host }),
  });

  it('wps_er_start reports WPS-ER-AP-ADD with wpsd UUID, MAC, device type, WPS state and the description fields', async () => {
    expect(await pair.erCtrl.request('WPS_ER_START')).toBe('OK\n');
    const ev = await pair.erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS);
    expect(ev.text).toBe(REFERENCE_AP_LINES.apAdd(pair.apMac));
  });

  it('wps_er_learn with the AP PIN reports wpsd SSID, auth, encryption and key; both sides see WPS-FAIL msg=11', async () => {
    const learn = await erLearn(pair.erCtrl, UUID, REFERENCE_AP.apPin, { ap: pair.apCtrl, send: () => pair.er.cli('wps_er_learn', UUID, REFERENCE_AP.apPin) });
    expect(learn).toMatchObject({ reply: 'OK\n', settings: REFERENCE_AP_LINES.settings, erFail: 'WPS-FAIL msg=11 config_error=0', apFail: 'WPS-FAIL msg=11 config_error=0' });
  });

  it('a wrong AP PIN fails at M4 with config_error=18 on both sides and reveals no settings', async () => {
    const learn = await erLearn(pair.erCtrl, UUID, '11111115', { ap: pair.apCtrl, settings: false });
    expect(learn).toMatchObject({ reply: 'OK\n', erFail: 'WPS-FAIL msg=8 config_error=18', apFail: 'WPS-FAIL msg=8 config_error=18' });
    expect(learn.erEvents.some((e) => e.startsWith('WPS-ER-AP-SETTINGS'))).toBe(false);
  });

  it('wps_er_config changes wpsd settings: WPS-NEW-AP-SETTINGS, get_config and the file show them', async () => {
    pair.apCtrl.mark();
    pair.erCtrl.mark();
    expect(await pair.erCtrl.requestUntilOk(`WPS_ER_CONFIG ${UUID} ${REFERENCE_AP.apPin} ${hex('new-ssid')} WPA2PSK CCMP ${hex('newpassphrase1')}`)).toBe('OK\n');
    expect((await pair.apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text).toBe('WPS-NEW-AP-SETTINGS ');
    await pair.erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS);
    const conf = await pair.ap.cli('get_config');
    expect(conf).toBe(
      `bssid=${pair.apMac}\nssid=new-ssid\nwps_state=configured\npassphrase=newpassphrase1\n` +
        'psk=de90ee4989786da45b9a51d38a3d2a4ba122d70436705ed3ac92975c960f5361\nwpa=2\nkey_mgmt=WPA-PSK\ngroup_cipher=CCMP\nrsn_pairwise_cipher=CCMP\n',
    );
    // The file is replaced atomically; poll briefly for the write to land.
    const text = await pollUntil(() => pair.ap.currentConf(), (t) => t.includes('ssid=new-ssid'));
    expect(text).toContain('# WPS configuration - START\nwps_state=2\nssid=new-ssid\n');
    expect(text).toContain('wpa_passphrase=newpassphrase1\n');
    expect(text).toContain('#WPS# ssid=test-wps\n');
    // The next learn sees the new settings.
    const learn = await erLearn(pair.erCtrl, UUID, REFERENCE_AP.apPin, { send: (c) => pair.erCtrl.requestUntilOk(c, 20_000, 200) });
    expect(learn).toMatchObject({ reply: 'OK\n', settings: `WPS-ER-AP-SETTINGS uuid=${UUID} ssid=new-ssid auth_type=0x0020 encr_type=0x0008 key=newpassphrase1` });
    expect(learn.erFail).toMatch(/^WPS-FAIL msg=11/);
  });

  it('wps_er_config with WPAPSK/TKIP: wpsd, like a CONFIG_NO_TKIP hostapd, upgrades to mixed mode, drops WPA-PSK and TKIP, and writes wpa=2/CCMP that loads on a radio', async () => {
    pair.apCtrl.mark();
    pair.erCtrl.mark();
    expect(await pair.erCtrl.requestUntilOk(`WPS_ER_CONFIG ${UUID} ${REFERENCE_AP.apPin} ${hex('mixed-ssid')} WPAPSK TKIP ${hex('newpassphrase1')}`)).toBe('OK\n');
    expect((await pair.apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text).toBe('WPS-NEW-AP-SETTINGS ');
    await pair.erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS);
    const conf = await pair.ap.cli('get_config');
    expect(conf).toContain('ssid=mixed-ssid\n');
    expect(conf.endsWith('wpa=2\nkey_mgmt=WPA-PSK\ngroup_cipher=CCMP\nrsn_pairwise_cipher=CCMP\n')).toBe(true);
    const text = await pollUntil(() => pair.ap.currentConf(), (t) => t.includes('ssid=mixed-ssid'));
    const block = text.split('# WPS configuration - END')[0] ?? '';
    expect(block).toContain('wpa=2\nwpa_key_mgmt=WPA-PSK\nwpa_pairwise=CCMP\nwpa_passphrase=newpassphrase1\n');
    expect(block).not.toContain('TKIP');
    // The written file loads again, also where wpsd runs the radio (driver=sim refuses WPA version 1 and TKIP).
    for (const driver of ['none', 'sim']) {
      const { config } = parseHostapdConfig(text.replace(/^driver=.*$/m, `driver=${driver}`), 'hostapd.conf');
      expect(config.bss[0]).toMatchObject({ wpa: 2, wpsState: 2 });
      expect(effectiveRsnPairwise(config.bss[0]!)).toBe(Cipher.CCMP);
    }
    const learn = await erLearn(pair.erCtrl, UUID, REFERENCE_AP.apPin, { send: (c) => pair.erCtrl.requestUntilOk(c, 20_000, 200) });
    expect(learn).toMatchObject({ reply: 'OK\n', settings: `WPS-ER-AP-SETTINGS uuid=${UUID} ssid=mixed-ssid auth_type=0x0020 encr_type=0x0008 key=newpassphrase1` });
  });

  it('three wrong AP PINs lock AP setup: WPS-AP-SETUP-LOCKED, then even the right PIN is refused', async () => {
    pair.apCtrl.mark();
    const send = (c: string): Promise<string> => pair.erCtrl.requestUntilOk(c, 20_000, 200);
    for (let i = 0; i < 3; i++) {
      expect((await erLearn(pair.erCtrl, UUID, '11111115', { send, settings: false })).reply).toBe('OK\n');
    }
    await pair.apCtrl.waitFor(/^WPS-AP-SETUP-LOCKED/, EVENT_MS);
    const locked = await erLearn(pair.erCtrl, UUID, REFERENCE_AP.apPin, { send, settings: false });
    expect(locked.reply).toBe('OK\n');
    // hostapd test_ap_wps_setup_locked: the Registrar sees msg=5 (M2) config_error=15 (setup locked).
    expect(locked.erFail).toBe('WPS-FAIL msg=5 config_error=15');
    expect(locked.erEvents.some((e) => e.startsWith('WPS-ER-AP-SETTINGS'))).toBe(false);
    // A new AP PIN ends the lock (hostapd_wps_ap_pin_enable).
    expect(await pair.apCtrl.request('WPS_AP_PIN set 12345670 0')).toBe('12345670');
    await pair.apCtrl.waitFor(/^WPS-AP-SETUP-UNLOCKED/, EVENT_MS);
  });

  it('stopping wpsd ap makes the ER report WPS-ER-AP-REMOVE', async () => {
    pair.erCtrl.mark();
    await pair.ap.proc.stop('SIGTERM');
    expect(pair.ap.proc.exitCode).toBe(0);
    expect((await pair.erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS)).text).toBe(`WPS-ER-AP-REMOVE ${UUID}`);
  });

  it('the -dd debug output of the whole run never shows a passphrase or PSK', () => {
    const out = pair.ap.log();
    expect(out).toContain('WPS UPnP: PutMessage');
    // The first passphrase, 12345678, is also the start of the UUID: look for it standing alone.
    expect(out).not.toMatch(/(?<![0-9a-f-])12345678(?![0-9a-f-])/);
    for (const secret of [hex('12345678'), 'newpassphrase1', hex('newpassphrase1'), 'de90ee4989786da45b9a51d38a3d2a4b']) {
      expect(out).not.toContain(secret);
    }
  });
});
