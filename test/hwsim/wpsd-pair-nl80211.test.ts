// wpsd on both sides of the air: `wpsd ap driver=nl80211` and `wpsd sta -D
// nl80211` over mac80211_hwsim. The AP's first START_AP already carries the
// whole Beacon (RSN and WPS elements, the cipher and AKM attributes), as a
// passive scan right after AP-ENABLED shows; WPS PBC and PIN with the AP's
// internal Registrar and a PIN run of wpsd's External Registrar through the
// AP's UPnP proxy (veth) each end with the real 4-way handshake
// (EAPOL-4WAY-HS-COMPLETED, wpa_state=COMPLETED) and a ping across the air.
import { beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_AP } from '../../harness/hostapd.js';
import { REFERENCE_AP_LINES, erLearn } from '../../harness/er-runs.js';
import type { CtrlSession } from '../../harness/ctrl-session.js';
import type { DaemonInstance } from '../../harness/reference-daemon.js';
import type { WpsdApInstance } from '../../harness/wpsd.js';
import { airAddress, expectWpa2Connected, pingOverAir, withAir } from './air.js';
import { AIR_CHANNEL, ENROLL_MS, NODE_START_MS, STATION_DEVICE, startAirWpsdEr, startAirWpsdSta } from '../../harness/air-daemons.js';
import { startAirWpsdAp } from '../../harness/air-wpsd-ap.js';
import { channelFreq } from '../../src/radio/nl80211/scan.js';

const ER_MS = 60_000;
const PIN = '12345670';
/** Passive scans of the AP's channel before its Beacon must have been seen (one beacon interval is far shorter than a scan's dwell). */
const SCAN_TRIES = 5;

describe('wpsd sta -D nl80211 and wpsd ap driver=nl80211 over the air', () => {
  const air = withAir({ radios: ['ap', 'sta'], wired: ['er'] });
  let ap: WpsdApInstance;
  let apCtrl: CtrlSession;

  const bssid = (): string => air.host('ap').radio?.mac ?? '';
  const staMac = (): string => air.host('sta').radio?.mac ?? '';

  beforeAll(async () => {
    // The station's radio listens before the AP starts, so its first scan sees the first Beacons.
    await air.host('sta').exec('ip', ['link', 'set', air.host('sta').ifname, 'up']);
    ap = air.track(await startAirWpsdAp({ host: air.host('ap'), upnp: true }));
    apCtrl = air.track(await ap.ctrl());
  }, 2 * NODE_START_MS);

  async function station(): Promise<{ sta: DaemonInstance; ctrl: CtrlSession }> {
    const sta = await startAirWpsdSta({ host: air.host('sta') });
    return { sta, ctrl: await sta.ctrl() };
  }

  it('the first START_AP carries the whole Beacon: a passive scan right after AP-ENABLED shows RSN (PSK, CCMP) and WPS', async () => {
    // START_AP is the only Beacon command between the start and AP-ENABLED: nothing has changed yet to need a SET_BEACON.
    const out = ap.proc.output();
    const start = /nl80211: \S+: START_AP: .*/.exec(out)?.[0] ?? '';
    expect(start).toContain('WPA2 (AKM 0x000fac02, pairwise 0x000fac04, group 0x000fac04)');
    expect(start).toContain('Beacon: RSN element in, WPS element in');
    expect(out.slice(0, out.indexOf('AP-ENABLED'))).not.toMatch(/: SET_BEACON: /);
    const sta = air.host('sta');
    let scan = '';
    for (let i = 0; i < SCAN_TRIES && !scan.includes(`SSID: ${REFERENCE_AP.ssid}`); i++) {
      scan = (await sta.exec('iw', ['dev', sta.ifname, 'scan', 'freq', String(channelFreq(AIR_CHANNEL)), 'passive'], { allowFail: true, timeoutMs: 30_000 })).stdout;
    }
    const bss = scan.slice(scan.indexOf(`BSS ${bssid()}`));
    expect(bss).toContain(`SSID: ${REFERENCE_AP.ssid}`);
    expect(bss).toMatch(/capability: ESS Privacy/);
    expect(bss).toMatch(/RSN:\s+\* Version: 1\s+\* Group cipher: CCMP\s+\* Pairwise ciphers: CCMP\s+\* Authentication suites: PSK/);
    expect(bss).toMatch(/WPS:\s+\* Version: 1\.0/);
  });

  /** The station got the credential, the 4-way handshake with wpsd ap completed on both sides, and data crosses both ways. */
  async function connected(sta: DaemonInstance, ctrl: CtrlSession): Promise<void> {
    await ctrl.waitFor(/^WPS-CRED-RECEIVED/, ENROLL_MS);
    await expectWpa2Connected(air, { sta, staCtrl: ctrl, apCtrl, ssid: REFERENCE_AP.ssid, timeoutMs: ENROLL_MS });
    expect(await pingOverAir(air.host('ap'), airAddress(1))).toMatch(/[1-3] received/);
  }

  it('PBC: wps_pbc on wpsd ap and on wpsd sta: WPS-REG-SUCCESS, the 4-way handshake completes, data crosses', async () => {
    const { sta, ctrl } = await station();
    try {
      apCtrl.mark();
      expect(await ap.cli('wps_pbc')).toBe('OK\n');
      expect(await sta.cli('wps_pbc')).toBe('OK\n');
      expect((await apCtrl.waitFor(/^WPS-REG-SUCCESS /, ENROLL_MS)).text).toBe(`WPS-REG-SUCCESS ${staMac()} ${STATION_DEVICE.uuid}`);
      await connected(sta, ctrl);
    } finally {
      ctrl.close();
      await sta.stop();
    }
  }, 3 * ENROLL_MS);

  it("PIN: the station's PIN to the AP's internal Registrar: the 4-way handshake completes, data crosses", async () => {
    const { sta, ctrl } = await station();
    try {
      apCtrl.mark();
      const pin = (await sta.cli('wps_pin', 'any')).trim();
      expect(pin).toMatch(/^\d{8}$/);
      expect(await ap.cli('wps_pin', 'any', pin)).toBe('OK\n');
      await apCtrl.waitFor(new RegExp(`^WPS-REG-SUCCESS ${staMac()} ${STATION_DEVICE.uuid}$`), ENROLL_MS);
      await connected(sta, ctrl);
    } finally {
      ctrl.close();
      await sta.stop();
    }
  }, 3 * ENROLL_MS);

  it("ER: wpsd's External Registrar enrolls the wpsd station by PIN through wpsd ap's UPnP proxy (veth): the 4-way handshake completes, data crosses", async () => {
    const er = await startAirWpsdEr(air.host('er'));
    const erCtrl = await er.ctrl();
    let s: { sta: DaemonInstance; ctrl: CtrlSession } | undefined;
    try {
      expect(await er.cli('wps_er_start')).toBe('OK\n');
      await erCtrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${REFERENCE_AP.uuid} `), ER_MS);
      const learn = await erLearn(erCtrl, REFERENCE_AP.uuid, REFERENCE_AP.apPin, { timeoutMs: ER_MS });
      expect(learn.settings).toBe(REFERENCE_AP_LINES.settings);
      s = await station();
      apCtrl.mark();
      expect(await er.cli('wps_er_pin', 'any', PIN)).toBe('OK\n');
      expect(await s.sta.cli('wps_pin', 'any', PIN)).toBe(PIN);
      const add = await erCtrl.waitFor(new RegExp(`^WPS-ER-ENROLLEE-ADD ${STATION_DEVICE.uuid} ${staMac()} `), ENROLL_MS);
      expect(add.text).toContain(' dev_passwd_id=0 ');
      await erCtrl.waitFor(/^WPS-SUCCESS/, ENROLL_MS);
      await apCtrl.waitFor(new RegExp(`^WPS-REG-SUCCESS ${staMac()} ${STATION_DEVICE.uuid}$`), ENROLL_MS);
      await connected(s.sta, s.ctrl);
    } finally {
      s?.ctrl.close();
      await s?.sta.stop();
      erCtrl.close();
      await er.stop();
    }
  }, 3 * ENROLL_MS + 2 * NODE_START_MS);
});
