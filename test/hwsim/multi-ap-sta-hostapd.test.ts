// README-MULTI-AP over mac80211_hwsim, station direction: Debian hostapd
// (nl80211) runs a fronthaul BSS (multi_ap=2, WPS, backhaul credentials) and
// a backhaul BSS (bss=, multi_ap=1) on one radio, both in bridge br0 (which
// holds the AP host's address); `wpsd sta -D nl80211` runs
// `wps_pbc multi_ap=1`: it receives the backhaul credential, saves it with
// multi_ap_backhaul_sta=1, connects to the backhaul BSS with 4addr on
// (`iw dev`), hostapd puts the station's AP/VLAN interface into br0, and a
// ping crosses to br0's address. The Multi-AP element hostapd sends in its
// Association Response is recorded from the station's log and compared with
// the one wpsd's AP builds for the same BSS; its Beacons and Probe Responses
// carry none (hostapd 2.10 adds the element to association responses only).
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { HostapdInstance, REFERENCE_AP } from '../../harness/hostapd.js';
import { daemonFiles, waitForCtrl } from '../../harness/reference-daemon.js';
import { buildElements } from '../../src/radio/elements.js';
import { multiApBssElement } from '../../src/ap/wireless/multi-ap-bss.js';
import { airAddress, pingOverAir, withAir } from './air.js';
import { C_START_MS, ENROLL_MS, NODE_START_MS, startAirWpsdSta } from '../../harness/air-daemons.js';
import { addBridge, BACK_SSID, backhaulIfname, multiApConf, multiApElementHex } from './multi-ap.js';


/** A second BSSID on the radio: the locally administered bit pattern hostapd would derive, made explicit. */
function secondBssid(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  b[5] = ((b[5] ?? 0) + 1) & 0xff;
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

describe('Debian hostapd (fronthaul + backhaul BSS in br0) + wpsd sta -D nl80211: wps_pbc multi_ap=1', () => {
  const air = withAir({ radios: ['ap', 'sta'] });
  let ap: HostapdInstance;
  let backhaulIf = '';

  beforeAll(async () => {
    const host = air.host('ap');
    backhaulIf = backhaulIfname(host);
    // br0 carries the AP host's address; hostapd adds both BSSes' interfaces and the AP/VLAN interfaces to it.
    await addBridge(host);
    const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(undefined, 'wpsd-hw-multiap-', 'hostapd.conf');
    const conf = multiApConf({ host, ctrlDir, backhaulBssid: secondBssid(host.radio?.mac ?? '') });
    writeFileSync(confPath, conf);
    const proc = host.spawn('hostapd', ['-d', '-t', confPath], { label: `hostapd-multiap@${host.name}`, cwd: dir });
    ap = air.track(new HostapdInstance(host, proc, dir, confPath, ctrlDir, REFERENCE_AP.uuid, ownsDir));
    await waitForCtrl(ap.socketPath, proc, C_START_MS);
    await proc.waitForOutput(/AP-ENABLED/, C_START_MS);
  }, NODE_START_MS);

  it('the station receives the backhaul credential, saves multi_ap_backhaul_sta=1, connects to the backhaul BSS in 4addr mode, and data crosses to br0', async () => {
    const apHost = air.host('ap');
    const staHost = air.host('sta');
    const backhaulBssid = secondBssid(apHost.radio?.mac ?? '');
    const sta = air.track(await startAirWpsdSta({ host: staHost }));
    const ctrl = air.track(await sta.ctrl());
    try {
      expect(await ap.cli('wps_pbc')).toBe('OK\n');
      expect(await sta.cli('wps_pbc', 'multi_ap=1')).toBe('OK\n');
      await ctrl.waitFor(/^WPS-CRED-RECEIVED/, ENROLL_MS);
      const connected = await ctrl.waitFor(/^CTRL-EVENT-CONNECTED /, ENROLL_MS);
      expect(connected.text).toBe(`CTRL-EVENT-CONNECTED - Connection to ${backhaulBssid} completed [id=0 id_str=]`);
      const saved = sta.currentConf();
      expect(saved).toContain(`ssid="${BACK_SSID}"`);
      expect(saved).toContain('multi_ap_backhaul_sta=1');
      // 4addr on the station's interface, as iw shows it.
      const iwSta = (await staHost.exec('iw', ['dev'])).stdout;
      expect(iwSta).toMatch(/4addr: on/);
      // hostapd's AP/VLAN interface for the backhaul STA, inside br0.
      const links = (await apHost.exec('ip', ['-o', 'link', 'show', 'master', 'br0'])).stdout;
      expect(links).toContain(`${backhaulIf}.sta`);
      expect(await pingOverAir(staHost, airAddress(0))).toMatch(/[1-3] received/);
      // The element hostapd sent in its Association Response, against what wpsd's AP sends for multi_ap=1.
      const m = /Multi-AP: \(Re\)Association Response element ([0-9a-f]+)/.exec(sta.log());
      const ours = multiApBssElement(1);
      expect(ours).toBeDefined();
      expect(m?.[1]).toBe(Buffer.from(buildElements(ours === undefined ? [] : [ours])).toString('hex'));
      process.stdout.write(`hostapd's Multi-AP element in the Association Response: ${m?.[1] ?? 'none'}\n`);
      // hostapd 2.10 sends the element only in (Re)Association Responses to Multi-AP stations:
      // its Beacons and Probe Responses of both BSSes, as the station's scan table holds them, have none.
      for (const bssid of [apHost.radio?.mac ?? '', backhaulBssid]) {
        const text = await sta.cli('bss', bssid);
        expect(text).toContain(`bssid=${bssid}`);
        const seen = multiApElementHex(/^ie=([0-9a-f]*)$/m.exec(text)?.[1] ?? '');
        process.stdout.write(`hostapd's Multi-AP element in the Beacon / Probe Response of ${bssid}: ${seen ?? 'none'}\n`);
        expect(seen, text).toBeUndefined();
      }
    } finally {
      await sta.stop();
    }
  }, 3 * ENROLL_MS);
});
