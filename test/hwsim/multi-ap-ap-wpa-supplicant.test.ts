// README-MULTI-AP over mac80211_hwsim, AP direction: `wpsd ap` (nl80211) runs
// a fronthaul BSS (multi_ap=2, WPS, backhaul credentials) and a backhaul BSS
// (bss=, multi_ap=1, an interface wpsd creates on the same radio) in bridge
// br0 (which holds the AP host's address); Debian wpa_supplicant runs
// `wps_pbc multi_ap=1`: it receives the backhaul credential, connects to the
// backhaul BSS with 4addr on, wpsd makes the AP/VLAN interface
// `<bss ifname>.sta<AID>` (4addr) inside br0, and a ping crosses to br0's
// address; when the station leaves, the AP/VLAN interface goes. A plain
// station with the backhaul passphrase is refused on the backhaul BSS (status
// 12) and admitted on the fronthaul BSS with the fronthaul passphrase. The
// Multi-AP elements of wpsd's Beacons / Probe Responses, as wpa_supplicant saw
// them, have the bytes Debian hostapd sends in its Association Response for
// that BSS (multi-ap-sta-hostapd.test.ts; hostapd 2.10 beacons none).
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { daemonFiles, waitForCtrl, type DaemonInstance } from '../../harness/reference-daemon.js';
import { WPSD_CLI, WpsdApInstance } from '../../harness/wpsd.js';
import type { CtrlSession } from '../../harness/ctrl-session.js';
import { buildElements } from '../../src/radio/elements.js';
import { multiApBssElement } from '../../src/ap/wireless/multi-ap-bss.js';
import { airAddress, pingOverAir, withAir } from './air.js';
import { ENROLL_MS, NODE_START_MS, startAirWpaSupplicant } from '../../harness/air-daemons.js';
import { addBridge, BACK_PASS, BACK_SSID, backhaulIfname, FRONT_PASS, FRONT_SSID, multiApConf, multiApElementHex } from './multi-ap.js';

const LEAVE_MS = 60_000;

const elementHex = (multiAp: number): string => {
  const el = multiApBssElement(multiAp);
  return Buffer.from(buildElements(el === undefined ? [] : [el])).toString('hex');
};

/** Scans before giving up on seeing both BSSes (each scan is one dwell per channel). */
const SCANS_FOR_BOTH_BSSES = 5;

describe('wpsd ap (fronthaul + backhaul BSS on one radio, in br0) + Debian wpa_supplicant: wps_pbc multi_ap=1', () => {
  const air = withAir({ radios: ['ap', 'sta'] });
  let ap: WpsdApInstance;
  let backhaulIf = '';

  beforeAll(async () => {
    const host = air.host('ap');
    backhaulIf = backhaulIfname(host);
    // br0 carries the AP host's address; wpsd adds both BSSes' interfaces and the AP/VLAN interfaces to it.
    await addBridge(host);
    const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(undefined, 'wpsd-hw-multiap-ap-', 'hostapd.conf');
    // No bssid= for the backhaul BSS: wpsd derives the new interface's address from the radio's, as hostapd does.
    const conf = multiApConf({ host, ctrlDir });
    writeFileSync(confPath, conf);
    const proc = host.spawnNode(WPSD_CLI, ['ap', '-c', confPath, '-d'], { label: `wpsd-ap-multiap@${host.name}`, cwd: dir });
    ap = air.track(new WpsdApInstance(host, proc, dir, confPath, ctrlDir, ownsDir));
    await waitForCtrl(ap.socketPath, proc, NODE_START_MS);
    await proc.waitForOutput(new RegExp(`${host.ifname}: AP-ENABLED`), NODE_START_MS);
    await proc.waitForOutput(new RegExp(`${backhaulIf}: AP-ENABLED`), NODE_START_MS);
  }, NODE_START_MS + 30_000);

  /** The backhaul BSS's address, as the kernel gave the interface wpsd created. */
  async function backhaulBssid(): Promise<string> {
    return (await air.host('ap').exec('cat', [`/sys/class/net/${backhaulIf}/address`])).stdout.trim();
  }

  async function bridgePorts(): Promise<string> {
    return (await air.host('ap').exec('ip', ['-o', 'link', 'show', 'master', 'br0'])).stdout;
  }

  it('both BSSes beacon on one radio, inside br0, with their Multi-AP elements (the bytes of Debian hostapd\'s Association Response)', async () => {
    const apHost = air.host('ap');
    const ports = await bridgePorts();
    expect(ports).toContain(`${apHost.ifname}:`);
    expect(ports).toContain(`${backhaulIf}:`);
    const iw = (await apHost.exec('iw', ['dev'])).stdout;
    expect(iw).toMatch(new RegExp(`Interface ${backhaulIf.replace('.', '\\.')}[\\s\\S]*?type AP`));
    const sta = air.track(await startAirWpaSupplicant({ host: air.host('sta') }));
    try {
      const ctrl = air.track(await sta.ctrl());
      const backBssid = await backhaulBssid();
      // One scan can miss a Beacon on a loaded host (a short dwell): scan again until both BSSes are in the results.
      let front = '';
      let back = '';
      for (let attempt = 0; attempt < SCANS_FOR_BOTH_BSSES && (front === '' || back === ''); attempt++) {
        await sta.cli('scan');
        await ctrl.waitFor(/^CTRL-EVENT-SCAN-RESULTS/, ENROLL_MS);
        front = await sta.cli('bss', apHost.radio?.mac ?? '');
        back = await sta.cli('bss', backBssid);
      }
      expect(front).toContain(`ssid=${FRONT_SSID}`);
      expect(back).toContain(`ssid=${BACK_SSID}`);
      const ie = (text: string): string => /^ie=([0-9a-f]*)$/m.exec(text)?.[1] ?? '';
      // hostapd 2.10 in this VM answers a backhaul STA on the backhaul BSS with dd07506f9a1b060140.
      expect(multiApElementHex(ie(front))).toBe('dd07506f9a1b060120');
      expect(multiApElementHex(ie(back))).toBe('dd07506f9a1b060140');
      expect(elementHex(2)).toBe('dd07506f9a1b060120');
      expect(elementHex(1)).toBe('dd07506f9a1b060140');
    } finally {
      await sta.stop();
    }
  }, NODE_START_MS);

  it('the station receives the backhaul credential, connects to the backhaul BSS in 4addr mode, gets an AP/VLAN interface in br0, pings br0; the interface goes when it leaves', async () => {
    const apHost = air.host('ap');
    const staHost = air.host('sta');
    const bssid = await backhaulBssid();
    const apCtrl = air.track(await ap.ctrl());
    let sta: DaemonInstance | undefined = air.track(await startAirWpaSupplicant({ host: staHost }));
    try {
      const ctrl: CtrlSession = air.track(await sta.ctrl());
      expect(await ap.cli('wps_pbc')).toBe('OK\n');
      expect(await sta.cli('wps_pbc', 'multi_ap=1')).toBe('OK\n');
      await ctrl.waitFor(/^WPS-CRED-RECEIVED/, ENROLL_MS);
      await apCtrl.waitFor(/^WPS-REG-SUCCESS /, ENROLL_MS);
      const connected = await ctrl.waitFor(/^CTRL-EVENT-CONNECTED /, ENROLL_MS);
      expect(connected.text).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${bssid} completed`));
      const status = await sta.cli('status');
      expect(status).toContain(`ssid=${BACK_SSID}`);
      expect(status).toContain('wpa_state=COMPLETED');
      expect(sta.currentConf()).toContain('multi_ap_backhaul_sta=1');
      expect((await staHost.exec('iw', ['dev'])).stdout).toMatch(/4addr: on/);
      // The AP/VLAN interface, named as hostapd names it, 4addr, inside br0.
      const vlan = `${backhaulIf}.sta1`;
      await ap.proc.waitForOutput(new RegExp(`backhaul STA ${staHost.radio?.mac ?? ''} on AP/VLAN interface ${vlan.replace('.', '\\.')}`), ENROLL_MS);
      const info = (await apHost.exec('iw', ['dev', vlan, 'info'])).stdout;
      expect(info).toContain('type AP/VLAN');
      expect(info).toContain('4addr: on');
      expect(await bridgePorts()).toContain(`${vlan}: `);
      expect((await apHost.exec('bridge', ['link', 'show', 'dev', vlan])).stdout).toContain('master br0');
      expect((await apHost.exec('ip', ['-d', 'link', 'show', vlan])).stdout).toContain('bridge_slave');
      expect(await pingOverAir(staHost, airAddress(0))).toMatch(/[1-3] received/);
      // The station leaves (wpa_supplicant deauthenticates on exit): the AP/VLAN interface goes.
      await sta.stop();
      sta = undefined;
      await ap.proc.waitForOutput(new RegExp(`AP/VLAN interface ${vlan.replace('.', '\\.')} of ${staHost.radio?.mac ?? ''} removed`), LEAVE_MS);
      expect((await apHost.exec('ip', ['-o', 'link', 'show'])).stdout).not.toContain(vlan);
      expect(await bridgePorts()).not.toContain(vlan);
    } finally {
      await sta?.stop();
    }
  }, 3 * ENROLL_MS);

  it('a plain station with the backhaul passphrase is refused on the backhaul BSS (status 12) and admitted on the fronthaul BSS with the fronthaul passphrase', async () => {
    const staHost = air.host('sta');
    const bssid = await backhaulBssid();
    const networks = [
      `network={\n\tssid="${BACK_SSID}"\n\tpsk="${BACK_PASS}"\n\tkey_mgmt=WPA-PSK\n\tbssid=${bssid}\n\tdisabled=1\n}\n`,
      `network={\n\tssid="${FRONT_SSID}"\n\tpsk="${FRONT_PASS}"\n\tkey_mgmt=WPA-PSK\n\tdisabled=1\n}\n`,
    ].join('');
    const sta = air.track(await startAirWpaSupplicant({ host: staHost, networks }));
    try {
      const ctrl = air.track(await sta.ctrl());
      expect(await sta.cli('select_network', '0')).toBe('OK\n');
      const reject = await ctrl.waitFor(/^CTRL-EVENT-ASSOC-REJECT /, ENROLL_MS);
      expect(reject.text).toContain(`bssid=${bssid}`);
      expect(reject.text).toContain('status_code=12');
      expect(await sta.cli('select_network', '1')).toBe('OK\n');
      const connected = await ctrl.waitFor(/^CTRL-EVENT-CONNECTED /, ENROLL_MS);
      expect(connected.text).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${air.host('ap').radio?.mac ?? ''} completed`));
      expect(await pingOverAir(staHost, airAddress(0))).toMatch(/[1-3] received/);
      // A plain station on the fronthaul BSS gets no AP/VLAN interface.
      expect(await bridgePorts()).not.toContain('.sta');
    } finally {
      await sta.stop();
    }
  }, 3 * ENROLL_MS);
});
