// WPS with NFC on the sim medium, separate processes: `wpsd ap` (driver=sim,
// UPnP on its veth) and `wpsd sta -D sim` stations. A station's password
// token read by the AP; the AP's configuration token read by a station; and
// a station's password token read by Debian wpa_supplicant as External
// Registrar, the station enrolling through the AP's UPnP proxy.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { withTopology } from '../harness/fixture.js';
import { startWpaSupplicantEr, type WpaSupplicantInstance } from '../harness/wpa-supplicant.js';
import type { WpsdApInstance } from '../harness/wpsd.js';
import { AP_BSSID, AP_PIN, AP_SSID, AP_UUID, ENROLL_MS, ER_MS, startMedium, startRadioAp, startRadioSta, waitStaEnrolled } from './e2e-helpers.js';

const TEST_MS = 120_000;

describe('NFC tokens on the sim medium: wpsd ap, wpsd sta and Debian wpa_supplicant as ER', () => {
  const env = withTopology({ hosts: ['ap', 'sta', 'er'], link: 'bridge' });
  let medium = '';
  let ap: WpsdApInstance;
  let wpas: WpaSupplicantInstance;
  let erCtrl: CtrlSession;

  beforeAll(async () => {
    const m = await startMedium(env.host('ap'), env.tempDir('wpsd-e2e-nfc-medium-'));
    env.track(m.proc);
    medium = m.socket;
    ap = env.track(await startRadioAp({ host: env.host('ap'), medium, args: ['-d'] }));
    wpas = env.track(await startWpaSupplicantEr({ host: env.host('er') }));
    erCtrl = env.track(await wpas.ctrl());
  }, 60_000);

  it(
    "the AP reads a station's password token; the station enrolls with WPS_NFC and connects",
    async () => {
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 31, medium, args: ['-d'] }));
      const ctrl = env.track(await sta.ctrl());
      const token = (await sta.cli('wps_nfc_token', 'NDEF')).trim();
      expect(token).toMatch(/^D217[0-9A-F]+$/);
      expect(await ap.cli('wps_nfc_tag_read', token)).toBe('OK\n');
      expect(await sta.cli('wps_nfc')).toBe('OK\n');
      const { connected } = await waitStaEnrolled(ctrl);
      expect(connected).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed`));
      expect(await sta.cli('list_networks')).toContain(`\t${AP_SSID}\t`);
    },
    TEST_MS,
  );

  it(
    "a station reads the AP's configuration token, adds the network and connects",
    async () => {
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 32, medium, args: ['-d'] }));
      const ctrl = env.track(await sta.ctrl());
      const token = (await ap.cli('wps_nfc_config_token', 'NDEF')).trim();
      expect(await sta.cli('wps_nfc_tag_read', token)).toBe('OK\n');
      await ctrl.waitFor(/^WPS-CRED-RECEIVED/, ENROLL_MS);
      const connected = (await ctrl.waitFor(/^CTRL-EVENT-CONNECTED /, ENROLL_MS)).text;
      expect(connected).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed`));
    },
    TEST_MS,
  );

  it(
    "Debian wpa_supplicant's ER reads a station's password token; the station enrolls through the AP proxy",
    async () => {
      expect(await erCtrl.request('WPS_ER_START')).toBe('OK\n');
      await erCtrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${AP_UUID} `), ER_MS);
      // An ER hands Enrollees the AP's settings, so it learns them first.
      expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${AP_UUID} ${AP_PIN}`)).toBe('OK\n');
      await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, ER_MS);
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 33, medium, args: ['-d'] }));
      const ctrl = env.track(await sta.ctrl());
      const token = (await sta.cli('wps_nfc_token', 'NDEF')).trim();
      erCtrl.mark();
      expect(await wpas.cli('wps_nfc_tag_read', token)).toBe('OK\n');
      expect(await sta.cli('wps_nfc')).toBe('OK\n');
      await erCtrl.waitFor(/^WPS-SUCCESS/, ENROLL_MS);
      await waitStaEnrolled(ctrl);
    },
    TEST_MS,
  );
});
