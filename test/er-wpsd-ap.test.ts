// wpsd sta as External Registrar against wpsd ap (driver=none, UPnP on a
// veth), each in its own namespace: the same event lines as against Debian
// hostapd (test/er-hostapd.test.ts). Debian's wpa_cli and hostapd_cli drive
// both daemons.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtrlSession, runCli } from './harness/ctrl-session.js';
import { REFERENCE_AP, hostapdConf, waitForCtrl } from './harness/hostapd.js';
import { createTopology, type ManagedProcess, type Topology } from './harness/netns.js';
import { erConf } from './harness/wpa-supplicant.js';

const EVENT_MS = 15_000;
const UUID = REFERENCE_AP.uuid;
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

describe('wpsd sta (External Registrar) against wpsd ap', () => {
  let topo: Topology;
  let dir: string;
  let apCtrlDir: string;
  let erCtrlDir: string;
  let ap: ManagedProcess;
  let sta: ManagedProcess;
  let apCtrl: CtrlSession;
  let erCtrl: CtrlSession;
  let apMac = '';
  const cli = (...args: string[]): Promise<string> => runCli('wpa_cli', topo.host('er'), erCtrlDir, 'wp0', args);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wpsd-er-ap-'));
    apCtrlDir = join(dir, 'apctrl');
    erCtrlDir = join(dir, 'erctrl');
    mkdirSync(dir, { recursive: true });
    topo = await createTopology({ hosts: ['ap', 'er'] });
    const apConf = join(dir, 'hostapd.conf');
    writeFileSync(apConf, hostapdConf({ ifname: 'wp0', ctrlDir: apCtrlDir }).replace('driver=wired', 'driver=none'));
    const erConfPath = join(dir, 'er.conf');
    writeFileSync(erConfPath, erConf({ ctrlDir: erCtrlDir }).replace('config_methods="keypad"', 'config_methods=keypad'));
    ap = topo.host('ap').spawnNode(CLI, ['ap', '-c', apConf, '-d'], { label: 'wpsd-ap' });
    await waitForCtrl(join(apCtrlDir, 'wp0'), ap);
    sta = topo.host('er').spawnNode(CLI, ['sta', '-c', erConfPath, '-i', 'wp0', '-D', 'none', '-d'], { label: 'wpsd-sta' });
    await waitForCtrl(join(erCtrlDir, 'wp0'), sta);
    apCtrl = await CtrlSession.open(join(apCtrlDir, 'wp0'));
    erCtrl = await CtrlSession.open(join(erCtrlDir, 'wp0'));
    apMac = (await topo.host('ap').exec('cat', ['/sys/class/net/wp0/address'])).stdout.trim();
  });

  afterAll(async () => {
    apCtrl?.close();
    erCtrl?.close();
    await sta?.stop();
    await ap?.stop();
    await topo?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('WPS-ER-AP-ADD with wpsd ap UUID, MAC and device fields', async () => {
    expect(await cli('wps_er_start')).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS)).text).toBe(
      `WPS-ER-AP-ADD ${UUID} ${apMac} pri_dev_type=6-0050F204-1 wps_state=2 ` +
        '|WPS Access Point|Company|Wireless Access Point|WAP|http://www.example.com/|http://www.example.com/model/|',
    );
  });

  it('wps_er_learn gives the AP settings, and WPS-FAIL msg=11 on both sides', async () => {
    erCtrl.mark();
    apCtrl.mark();
    expect(await cli('wps_er_learn', UUID, REFERENCE_AP.apPin)).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, EVENT_MS)).text).toBe(
      `WPS-ER-AP-SETTINGS uuid=${UUID} ssid=test-wps auth_type=0x0020 encr_type=0x0008 key=12345678`,
    );
    expect((await erCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=11 config_error=0');
    expect((await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=11 config_error=0');
  });

  it('a wrong AP PIN gives WPS-FAIL msg=8 config_error=18 on both sides', async () => {
    erCtrl.mark();
    apCtrl.mark();
    expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${UUID} 11111115`)).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=8 config_error=18');
    expect((await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=8 config_error=18');
  });

  it('wps_er_config: WPS-NEW-AP-SETTINGS on the AP, its get_config shows the new SSID', async () => {
    erCtrl.mark();
    apCtrl.mark();
    let out = '';
    for (let i = 0; i < 50 && out !== 'OK\n'; i++) {
      out = await cli('wps_er_config', UUID, REFERENCE_AP.apPin, 'new-ssid', 'WPA2PSK', 'CCMP', 'newpassphrase1');
      if (out !== 'OK\n') await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toBe('OK\n');
    expect((await apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text).toMatch(/^WPS-NEW-AP-SETTINGS/);
    expect((await erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS)).text).toBe('WPS-SUCCESS ');
    let cfg = '';
    for (let i = 0; i < 50; i++) {
      cfg = await runCli('hostapd_cli', topo.host('ap'), apCtrlDir, 'wp0', ['get_config']);
      if (/^ssid=new-ssid$/m.test(cfg)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(cfg).toMatch(/^ssid=new-ssid$/m);
  });

  it('stopping wpsd ap gives WPS-ER-AP-REMOVE', async () => {
    erCtrl.mark();
    apCtrl.close();
    await ap.stop('SIGTERM');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS)).text).toBe(`WPS-ER-AP-REMOVE ${UUID}`);
  });
});
