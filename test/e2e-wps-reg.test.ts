// wpsd sta -D sim as Registrar of wpsd ap (AP PIN over EAP-WSC on the radio,
// no UPnP), separate processes on one `wpsd medium`: wps_reg with the AP PIN
// learns the AP's settings; with new settings it configures the AP, which
// restarts its BSS with them. The same restart follows an ER's
// WPS_ER_CONFIG over UPnP.
import { describe, expect, it } from 'vitest';
import { withTopology } from '../harness/fixture.js';
import { pollUntil, utf8Hex } from '../harness/er-runs.js';
import { startWpsdSta } from '../harness/wpsd.js';
import { AP_BSSID, AP_PIN, AP_SSID, AP_UUID, ENROLL_MS, ER_MS, startMedium, startRadioAp, startRadioSta, waitStaEnrolled, withRadioAp } from './e2e-helpers.js';

const TEST_MS = 90_000;

describe('wpsd sta wps_reg <BSSID> <AP PIN> against wpsd ap, separate processes', () => {
  const lab = withRadioAp({ apArgs: ['-d'] });
  const { env } = lab;

  it(
    'wps_reg with only the AP PIN learns the AP settings: the station gets them as a network and connects',
    async () => {
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 11, medium: lab.medium, args: ['-d'] }));
      const ctrl = env.track(await sta.ctrl());
      const apFrom = lab.apCtrl.mark();
      expect(await sta.cli('wps_reg', AP_BSSID, AP_PIN)).toBe('OK\n');
      const { connected } = await waitStaEnrolled(ctrl);
      expect(connected).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed \\[id=0 `));
      expect(await sta.cli('list_networks')).toContain(`0\t${AP_SSID}\tany\t`);
      // Learning changes nothing on the AP: the run ends with a NACK (msg=11), no new settings.
      expect(await lab.ap.cli('get_config')).toMatch(new RegExp(`^ssid=${AP_SSID}$`, 'm'));
      expect((await lab.apCtrl.waitFor(/^WPS-FAIL /, ENROLL_MS)).text).toBe('WPS-FAIL msg=11 config_error=0');
      expect(lab.apCtrl.events.slice(apFrom).filter((e) => e.text.startsWith('WPS-NEW-AP-SETTINGS'))).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'wps_reg with new settings configures the AP: WPS-NEW-AP-SETTINGS, get_config shows the new SSID, and the station joins it',
    async () => {
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 12, medium: lab.medium, args: ['-d'] }));
      const ctrl = env.track(await sta.ctrl());
      lab.apCtrl.mark();
      expect(await sta.cli('wps_reg', AP_BSSID, AP_PIN, 'e2e-new-ssid', 'WPA2PSK', 'CCMP', 'e2e new passphrase')).toBe('OK\n');
      // wps_cred_processing=0: the bare event, then the run's success.
      expect((await lab.apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, ENROLL_MS)).text).toBe('WPS-NEW-AP-SETTINGS ');
      expect((await lab.apCtrl.waitFor(/^WPS-SUCCESS/, ENROLL_MS)).text).toBe('WPS-SUCCESS ');
      const cfg = await lab.ap.cli('get_config');
      expect(cfg).toMatch(/^ssid=e2e-new-ssid$/m);
      expect(cfg).toMatch(/^passphrase=e2e new passphrase$/m);
      expect(cfg).toMatch(/^key_mgmt=WPA-PSK$/m);
      // The AP restarts its BSS with the new SSID, and the station connects to it with the settings it gave.
      const { connected } = await waitStaEnrolled(ctrl);
      expect(connected).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed \\[id=0 `));
      expect(ctrl.events.map((e) => e.text)).toContain(`Trying to associate with ${AP_BSSID} (SSID='e2e-new-ssid' freq=2412 MHz)`);
      expect(await sta.cli('list_networks')).toContain('0\te2e-new-ssid\tany\t');
      expect(lab.ap.currentConf()).toContain('\nssid=e2e-new-ssid\n');
    },
    TEST_MS,
  );
});

describe('wps_er_config from an External Registrar over UPnP reaches the radio of wpsd ap', () => {
  const env = withTopology({ hosts: ['ap', 'er', 'sta'], link: 'bridge' });

  it(
    'after WPS-NEW-AP-SETTINGS the AP beacons the new SSID: a station scanning sees it',
    async () => {
      const m = await startMedium(env.host('ap'), env.tempDir('wpsd-e2e-medium-'));
      env.track(m.proc);
      const ap = env.track(await startRadioAp({ host: env.host('ap'), medium: m.socket, args: ['-d'] }));
      const apCtrl = env.track(await ap.ctrl());
      const er = env.track(await startWpsdSta({ host: env.host('er'), args: ['-d'] }));
      const erCtrl = env.track(await er.ctrl());
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 13, medium: m.socket, args: ['-d'] }));
      const staCtrl = env.track(await sta.ctrl());
      expect(await er.cli('wps_er_start')).toBe('OK\n');
      await erCtrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${AP_UUID} `), ER_MS);
      expect(await erCtrl.requestUntilOk(`WPS_ER_CONFIG ${AP_UUID} ${AP_PIN} ${utf8Hex('e2e-er-ssid')} WPA2PSK CCMP ${utf8Hex('e2e er passphrase')}`)).toBe('OK\n');
      expect((await apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, ER_MS)).text).toBe('WPS-NEW-AP-SETTINGS ');
      expect(await ap.cli('get_config')).toMatch(/^ssid=e2e-er-ssid$/m);
      const line = await pollUntil(
        async () => {
          staCtrl.mark();
          expect(await sta.cli('scan')).toBe('OK\n');
          await staCtrl.waitFor(/^CTRL-EVENT-SCAN-RESULTS/, ENROLL_MS);
          return (await sta.cli('scan_results')).split('\n').find((l) => l.startsWith(AP_BSSID)) ?? '';
        },
        (l) => l.endsWith('\te2e-er-ssid'),
        20,
        200,
      );
      expect(line).toBe(`${AP_BSSID}\t2412\t-30\t[WPA2-PSK-CCMP][WPS][ESS]\te2e-er-ssid`);
    },
    TEST_MS,
  );
});
