// wpsd ap (driver=none, UPnP on a veth) driven by Debian wpa_supplicant 2.10
// as External Registrar, each in its own network namespace: the same event
// lines the reference recording shows for Debian hostapd
// (fixtures/reference/README.md).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtrlSession, runCli } from './harness/ctrl-session.js';
import { REFERENCE_AP, hostapdConf, waitForCtrl } from './harness/hostapd.js';
import { createTopology, type ManagedProcess, type Topology } from './harness/netns.js';
import { startWpaSupplicantEr, type WpaSupplicantInstance } from './harness/wpa-supplicant.js';

const EVENT_MS = 15_000;
const UUID = REFERENCE_AP.uuid;
const CLI = join(process.cwd(), 'dist/src/cli.js');
const DEVICE_FIELDS = '|WPS Access Point|Company|Wireless Access Point|WAP|http://www.example.com/|http://www.example.com/model/|';

function hex(s: string): string {
  return Buffer.from(s, 'utf8').toString('hex');
}

describe('wpsd ap with Debian wpa_supplicant as External Registrar', () => {
  let topo: Topology;
  let dir: string;
  let confPath: string;
  let ctrlDir: string;
  let wpsd: ManagedProcess;
  let er: WpaSupplicantInstance;
  let apCtrl: CtrlSession;
  let erCtrl: CtrlSession;
  let apMac: string;

  beforeAll(async () => {
    topo = await createTopology({ hosts: ['ap', 'er'] });
    const ap = topo.host('ap');
    dir = mkdtempSync(join(tmpdir(), 'wpsd-ap-'));
    ctrlDir = join(dir, 'ctrl');
    confPath = join(dir, 'hostapd.conf');
    writeFileSync(confPath, hostapdConf({ ifname: ap.ifname, ctrlDir }).replace('driver=wired', 'driver=none'));
    wpsd = ap.spawnNode(CLI, ['ap', '-c', confPath, '-dd'], { label: 'wpsd-ap' });
    await waitForCtrl(join(ctrlDir, ap.ifname), wpsd);
    apMac = (await ap.exec('cat', [`/sys/class/net/${ap.ifname}/address`])).stdout.trim();
    apCtrl = await CtrlSession.open(join(ctrlDir, ap.ifname), { attach: true });
    er = await startWpaSupplicantEr({ host: topo.host('er') });
    erCtrl = await er.ctrl();
  });

  afterAll(async () => {
    apCtrl?.close();
    erCtrl?.close();
    await er?.stop();
    await wpsd?.stop();
    await topo?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('wps_er_start reports WPS-ER-AP-ADD with wpsd UUID, MAC, device type, WPS state and the description fields', async () => {
    expect(await erCtrl.request('WPS_ER_START')).toBe('OK\n');
    const ev = await erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS);
    expect(ev.text).toBe(`WPS-ER-AP-ADD ${UUID} ${apMac} pri_dev_type=6-0050F204-1 wps_state=2 ${DEVICE_FIELDS}`);
  });

  it('wps_er_learn with the AP PIN reports wpsd SSID, auth, encryption and key; both sides see WPS-FAIL msg=11', async () => {
    erCtrl.mark();
    apCtrl.mark();
    expect(await runCli('wpa_cli', topo.host('er'), er.ctrlDir, er.ifname, ['wps_er_learn', UUID, REFERENCE_AP.apPin])).toBe('OK\n');
    const settings = await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, EVENT_MS);
    expect(settings.text).toBe(`WPS-ER-AP-SETTINGS uuid=${UUID} ssid=test-wps auth_type=0x0020 encr_type=0x0008 key=12345678`);
    expect((await erCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=11 config_error=0');
    expect((await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=11 config_error=0');
  });

  it('a wrong AP PIN fails at M4 with config_error=18 on both sides and reveals no settings', async () => {
    const from = erCtrl.mark();
    apCtrl.mark();
    expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${UUID} 11111115`)).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=8 config_error=18');
    expect((await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=8 config_error=18');
    expect(erCtrl.events.slice(from).some((e) => e.text.startsWith('WPS-ER-AP-SETTINGS'))).toBe(false);
  });

  it('wps_er_config changes wpsd settings: WPS-NEW-AP-SETTINGS, get_config and the file show them', async () => {
    apCtrl.mark();
    erCtrl.mark();
    expect(await erCtrl.requestUntilOk(`WPS_ER_CONFIG ${UUID} ${REFERENCE_AP.apPin} ${hex('new-ssid')} WPA2PSK CCMP ${hex('newpassphrase1')}`)).toBe('OK\n');
    expect((await apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text).toBe('WPS-NEW-AP-SETTINGS ');
    await erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS);
    const conf = await runCli('hostapd_cli', topo.host('ap'), ctrlDir, topo.host('ap').ifname, ['get_config']);
    expect(conf).toBe(
      `bssid=${apMac}\nssid=new-ssid\nwps_state=configured\npassphrase=newpassphrase1\n` +
        'psk=de90ee4989786da45b9a51d38a3d2a4ba122d70436705ed3ac92975c960f5361\nwpa=2\nkey_mgmt=WPA-PSK\ngroup_cipher=CCMP\nrsn_pairwise_cipher=CCMP\n',
    );
    // The file is replaced atomically; poll briefly for the write to land.
    let text = '';
    for (let i = 0; i < 50 && !text.includes('ssid=new-ssid'); i++) {
      text = readFileSync(confPath, 'utf8');
      if (!text.includes('ssid=new-ssid')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toContain('# WPS configuration - START\nwps_state=2\nssid=new-ssid\n');
    expect(text).toContain('wpa_passphrase=newpassphrase1\n');
    expect(text).toContain('#WPS# ssid=test-wps\n');
    // The next learn sees the new settings.
    erCtrl.mark();
    expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${UUID} ${REFERENCE_AP.apPin}`, 20_000, 200)).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, EVENT_MS)).text).toBe(
      `WPS-ER-AP-SETTINGS uuid=${UUID} ssid=new-ssid auth_type=0x0020 encr_type=0x0008 key=newpassphrase1`,
    );
    await erCtrl.waitFor(/^WPS-FAIL msg=11/, EVENT_MS);
  });

  it('three wrong AP PINs lock AP setup: WPS-AP-SETUP-LOCKED, then even the right PIN is refused', async () => {
    apCtrl.mark();
    for (let i = 0; i < 3; i++) {
      erCtrl.mark();
      expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${UUID} 11111115`, 20_000, 200)).toBe('OK\n');
      await erCtrl.waitFor(/^WPS-FAIL /, EVENT_MS);
    }
    await apCtrl.waitFor(/^WPS-AP-SETUP-LOCKED/, EVENT_MS);
    const from = erCtrl.mark();
    expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${UUID} ${REFERENCE_AP.apPin}`, 20_000, 200)).toBe('OK\n');
    // hostapd test_ap_wps_setup_locked: the Registrar sees msg=5 (M2) config_error=15 (setup locked).
    expect((await erCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=5 config_error=15');
    expect(erCtrl.events.slice(from).some((e) => e.text.startsWith('WPS-ER-AP-SETTINGS'))).toBe(false);
    // A new AP PIN ends the lock (hostapd_wps_ap_pin_enable).
    expect(await apCtrl.request('WPS_AP_PIN set 12345670 0')).toBe('12345670');
    await apCtrl.waitFor(/^WPS-AP-SETUP-UNLOCKED/, EVENT_MS);
  });

  it('stopping wpsd ap makes the ER report WPS-ER-AP-REMOVE', async () => {
    erCtrl.mark();
    await wpsd.stop('SIGTERM');
    expect(wpsd.exitCode).toBe(0);
    expect((await erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS)).text).toBe(`WPS-ER-AP-REMOVE ${UUID}`);
  });

  it('the -dd debug output of the whole run never shows a passphrase or PSK', () => {
    const out = wpsd.output();
    expect(out).toContain('WPS UPnP: PutMessage');
    // The first passphrase, 12345678, is also the start of the UUID: look for it standing alone.
    expect(out).not.toMatch(/(?<![0-9a-f-])12345678(?![0-9a-f-])/);
    for (const secret of [hex('12345678'), 'newpassphrase1', hex('newpassphrase1'), 'de90ee4989786da45b9a51d38a3d2a4b']) {
      expect(out).not.toContain(secret);
    }
  });
});
