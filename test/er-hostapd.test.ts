// wpsd sta as External Registrar against Debian hostapd 2.10 (driver=wired,
// UPnP on a veth, AP PIN), in two namespaces. Debian's wpa_cli drives wpsd's
// control socket; the event lines must equal Debian wpa_supplicant's
// (fixtures/reference/README.md, test/interop-reference.test.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtrlSession, runCli } from './harness/ctrl-session.js';
import { REFERENCE_AP, startHostapd, waitForCtrl, type HostapdInstance } from './harness/hostapd.js';
import { createTopology, type ManagedProcess, type Topology } from './harness/netns.js';
import { erConf, startWpaSupplicantEr, type WpaSupplicantInstance } from './harness/wpa-supplicant.js';

const EVENT_MS = 15_000;
const UUID = REFERENCE_AP.uuid;
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

function hex(s: string): string {
  return Buffer.from(s, 'utf8').toString('hex');
}

describe('wpsd sta -D none as External Registrar against Debian hostapd', () => {
  let topo: Topology;
  let ap: HostapdInstance;
  let sta: ManagedProcess;
  let dir: string;
  let ctrlDir: string;
  let confPath: string;
  let apCtrl: CtrlSession;
  let erCtrl: CtrlSession;
  let apMac = '';
  const cli = (...args: string[]): Promise<string> => runCli('wpa_cli', topo.host('er'), ctrlDir, 'wp0', args);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wpsd-er-test-'));
    ctrlDir = join(dir, 'ctrl');
    confPath = join(dir, 'er.conf');
    mkdirSync(dir, { recursive: true });
    // src/sta/config.ts refuses config_methods="keypad" (wpa_supplicant takes it): write it unquoted.
    writeFileSync(confPath, erConf({ ctrlDir }).replace('config_methods="keypad"', 'config_methods=keypad'));
    topo = await createTopology({ hosts: ['ap', 'er'] });
    ap = await startHostapd({ host: topo.host('ap') });
    sta = topo.host('er').spawnNode(CLI, ['sta', '-c', confPath, '-i', 'wp0', '-D', 'none', '-d'], { label: 'wpsd-sta' });
    await waitForCtrl(join(ctrlDir, 'wp0'), sta);
    apCtrl = await ap.ctrl();
    erCtrl = await CtrlSession.open(join(ctrlDir, 'wp0'));
    apMac = (await topo.host('ap').exec('cat', [`/sys/class/net/${ap.ifname}/address`])).stdout.trim();
  });

  afterAll(async () => {
    apCtrl?.close();
    erCtrl?.close();
    await sta?.stop();
    await ap?.stop();
    await topo?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('wps_er_start finds hostapd and reports WPS-ER-AP-ADD with its UUID, MAC and device fields', async () => {
    expect(await cli('wps_er_start')).toBe('OK\n');
    const ev = await erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS);
    expect(ev.level).toBe(3);
    expect(ev.text).toBe(
      `WPS-ER-AP-ADD ${UUID} ${apMac} pri_dev_type=6-0050F204-1 wps_state=2 ` +
        '|WPS Access Point|Company|Wireless Access Point|WAP|http://www.example.com/|http://www.example.com/model/|',
    );
  });

  it('wps_er_start again shows the stored AP again', async () => {
    erCtrl.mark();
    expect(await cli('wps_er_start')).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS)).text).toContain(`WPS-ER-AP-ADD ${UUID} ${apMac} `);
  });

  it('wps_er_learn reports WPS-ER-AP-SETTINGS equal to hostapd configuration, then WPS-FAIL msg=11 on both sides', async () => {
    erCtrl.mark();
    apCtrl.mark();
    expect(await cli('wps_er_learn', UUID, REFERENCE_AP.apPin)).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, EVENT_MS)).text).toBe(
      `WPS-ER-AP-SETTINGS uuid=${UUID} ssid=test-wps auth_type=0x0020 encr_type=0x0008 key=12345678`,
    );
    expect((await erCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=11 config_error=0');
    expect((await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=11 config_error=0');
  });

  it('a wrong AP PIN gives WPS-FAIL msg=8 config_error=18 and no settings; the ER stays usable (learn by BSSID works)', async () => {
    const from = erCtrl.mark();
    apCtrl.mark();
    expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${UUID} 11111115`)).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=8 config_error=18');
    expect((await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=8 config_error=18');
    expect(erCtrl.events.slice(from).some((e) => e.text.startsWith('WPS-ER-AP-SETTINGS'))).toBe(false);
    erCtrl.mark();
    expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${apMac} ${REFERENCE_AP.apPin}`)).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, EVENT_MS)).text).toContain('ssid=test-wps');
  });

  it('unknown APs and malformed requests answer FAIL', async () => {
    expect(await erCtrl.request('WPS_ER_LEARN 00000000-0000-0000-0000-000000000001 12345670')).toBe('FAIL\n');
    expect(await erCtrl.request('WPS_ER_LEARN not-a-uuid 12345670')).toBe('FAIL\n');
    expect(await erCtrl.request(`WPS_ER_CONFIG ${UUID} 12345670 zz WPA2PSK CCMP 00`)).toBe('FAIL\n');
    expect(await erCtrl.request(`WPS_ER_CONFIG ${UUID} 12345670 ${hex('x')} WEP CCMP 00`)).toBe('FAIL\n');
    expect(await erCtrl.request('WPS_ER_PBC 02:00:00:00:00:99')).toBe('FAIL-UNKNOWN-UUID\n');
  });

  it('wps_er_config makes hostapd emit WPS-NEW-AP-SETTINGS and get_config show the new SSID; the ER saves the network', async () => {
    erCtrl.mark();
    apCtrl.mark();
    // Wait until the previous learn's NACK exchange is over, as with wpa_supplicant.
    let out = '';
    for (let i = 0; i < 50; i++) {
      out = await cli('wps_er_config', UUID, REFERENCE_AP.apPin, 'new-ssid', 'WPA2PSK', 'CCMP', 'newpassphrase1');
      if (out === 'OK\n') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toBe('OK\n');
    expect((await apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text).toBe('WPS-NEW-AP-SETTINGS ');
    expect((await erCtrl.waitFor(/^WPS-CRED-RECEIVED/, EVENT_MS)).text).toBe('WPS-CRED-RECEIVED ');
    expect((await erCtrl.waitFor(/^CTRL-EVENT-NETWORK-ADDED/, EVENT_MS)).text).toBe('CTRL-EVENT-NETWORK-ADDED 0');
    expect((await erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS)).text).toBe('WPS-SUCCESS ');
    let cfg = '';
    for (let i = 0; i < 50; i++) {
      cfg = await runCli('hostapd_cli', topo.host('ap'), ap.ctrlDir, ap.ifname, ['get_config']);
      if (/^ssid=new-ssid$/m.test(cfg)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(cfg).toMatch(/^ssid=new-ssid$/m);
    expect(cfg).toMatch(/^passphrase=newpassphrase1$/m);
    expect(await cli('list_networks')).toBe('network id / ssid / bssid / flags\n0\tnew-ssid\tany\t\n');
    // update_config=1: the network block is in the file.
    let conf = '';
    for (let i = 0; i < 50 && !conf.includes('ssid="new-ssid"'); i++) {
      conf = readFileSync(confPath, 'utf8');
      if (!conf.includes('ssid="new-ssid"')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(conf).toContain('network={\n\tssid="new-ssid"\n');
    expect(conf).toContain('\tpsk="newpassphrase1"\n');
  });

  it('wps_er_set_config takes a local network block; add/set/save network commands answer as wpa_supplicant', async () => {
    const id = (await cli('add_network')).trim();
    expect(id).toBe('1');
    expect(await cli('set_network', id, 'ssid', '"other net"')).toBe('OK\n');
    expect(await cli('set_network', id, 'psk', '"otherpassphrase"')).toBe('OK\n');
    expect(await cli('set_network', id, 'nosuchfield', '1')).toBe('FAIL\n');
    expect(await erCtrl.request(`WPS_ER_SET_CONFIG ${UUID} ${id}`)).toBe('OK\n');
    expect(await erCtrl.request(`WPS_ER_SET_CONFIG ${UUID} 42`)).toBe('FAIL\n');
    expect(await cli('save_config')).toBe('OK\n');
    expect(readFileSync(confPath, 'utf8')).toContain('ssid="other net"');
    expect(await cli('remove_network', id)).toBe('OK\n');
    expect(await cli('remove_network', id)).toBe('FAIL\n');
  });

  it('a clean stop of hostapd gives WPS-ER-AP-REMOVE with its UUID; a restarted hostapd is found and subscribed again', async () => {
    erCtrl.mark();
    apCtrl.close();
    await ap.proc.stop('SIGTERM');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS)).text).toBe(`WPS-ER-AP-REMOVE ${UUID}`);
    expect(await erCtrl.request(`WPS_ER_LEARN ${UUID} 12345670`)).toBe('FAIL\n');
    // startHostapd writes the reference configuration again.
    ap = await startHostapd({ host: topo.host('ap'), dir: ap.dir });
    expect((await erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS)).text).toContain(`WPS-ER-AP-ADD ${UUID} ${apMac} `);
    expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${UUID} ${REFERENCE_AP.apPin}`)).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, EVENT_MS)).text).toContain('ssid=test-wps ');
    erCtrl.mark();
    expect(await cli('wps_er_stop')).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS)).text).toBe(`WPS-ER-AP-REMOVE ${UUID}`);
  });
});

describe('wpsd sta and Debian wpa_supplicant as two External Registrars on one interface', () => {
  let topo: Topology;
  let ap: HostapdInstance;
  let wpas: WpaSupplicantInstance;
  let sta: ManagedProcess;
  let dir: string;
  let wpsdCtrl: CtrlSession;
  let wpasCtrl: CtrlSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wpsd-er-two-'));
    const ctrlDir = join(dir, 'ctrl');
    const confPath = join(dir, 'er.conf');
    writeFileSync(confPath, erConf({ ctrlDir, uuid: '27ea801a-9e5c-4e73-bd82-f89cbcd10d7f' }).replace('config_methods="keypad"', 'config_methods=keypad'));
    topo = await createTopology({ hosts: ['ap', 'er'] });
    ap = await startHostapd({ host: topo.host('ap') });
    // wpa_supplicant's ER first: it holds port 1900 too, and keeps working while wpsd runs.
    wpas = await startWpaSupplicantEr({ host: topo.host('er') });
    wpasCtrl = await wpas.ctrl();
    expect(await wpasCtrl.request('WPS_ER_START')).toBe('OK\n');
    sta = topo.host('er').spawnNode(CLI, ['sta', '-c', confPath, '-i', 'wp0', '-D', 'none'], { label: 'wpsd-sta' });
    await waitForCtrl(join(ctrlDir, 'wp0'), sta);
    wpsdCtrl = await CtrlSession.open(join(ctrlDir, 'wp0'));
  });

  afterAll(async () => {
    wpsdCtrl?.close();
    wpasCtrl?.close();
    await sta?.stop();
    await wpas?.stop();
    await ap?.stop();
    await topo?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('both find hostapd, and wpsd learns its settings while the other ER stays subscribed', async () => {
    expect(await wpsdCtrl.request('WPS_ER_START')).toBe('OK\n');
    expect((await wpsdCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS)).text).toContain(`WPS-ER-AP-ADD ${UUID} `);
    expect((await wpasCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS)).text).toContain(`WPS-ER-AP-ADD ${UUID} `);
    expect(await wpsdCtrl.request(`WPS_ER_LEARN ${UUID} ${REFERENCE_AP.apPin}`)).toBe('OK\n');
    expect((await wpsdCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, EVENT_MS)).text).toBe(
      `WPS-ER-AP-SETTINGS uuid=${UUID} ssid=test-wps auth_type=0x0020 encr_type=0x0008 key=12345678`,
    );
    expect(await wpasCtrl.requestUntilOk(`WPS_ER_LEARN ${UUID} ${REFERENCE_AP.apPin}`)).toBe('OK\n');
    expect((await wpasCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, EVENT_MS)).text).toContain('ssid=test-wps');
  });
});
