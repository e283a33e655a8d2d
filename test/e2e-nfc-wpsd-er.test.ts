// NFC with wpsd's own External Registrar (`wpsd sta -D none`) through wpsd
// ap's UPnP proxy on the sim medium, wpsd sta -D sim stations enrolling: the
// ER takes a station's password token (wps_nfc_tag_read while started) and a
// station's connection handover (its nfc_get_handover_sel for the learned
// AP, nfc_report_handover RESP), and writes the learned AP's settings as a
// configuration token (wps_er_nfc_config_token) that a station reads; and
// refuses a station whose key is not the one its token committed to.
import { describe, expect, it } from 'vitest';
import { startWpsdSta } from '../harness/wpsd.js';
import { AP_BSSID, AP_SSID, AP_UUID, ENROLL_MS, forgedPasswordToken, waitStaEnrolled } from './e2e-helpers.js';
import { withProxyLab } from './e2e-proxy-suite.js';
import { ConfigError } from '../src/wps/values.js';

const TEST_MS = 90_000;
const connectedTo = new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed`);

describe("wpsd's External Registrar with NFC, through wpsd ap's proxy", () => {
  const lab = withProxyLab((host) => startWpsdSta({ host, args: ['-d'] }));

  it(
    "reads a station's password token while started; the station enrolls with WPS_NFC",
    async () => {
      const { sta, ctrl } = await lab.station(41);
      const token = (await sta.cli('wps_nfc_token', 'NDEF')).trim();
      lab.erCtrl.mark();
      expect(await lab.er.cli('wps_nfc_tag_read', token)).toBe('OK\n');
      expect(await sta.cli('wps_nfc')).toBe('OK\n');
      await lab.erCtrl.waitFor(/^WPS-SUCCESS/, ENROLL_MS);
      const { connected } = await waitStaEnrolled(ctrl);
      expect(connected).toMatch(connectedTo);
    },
    TEST_MS,
  );

  it(
    "is the selector of a station's connection handover: its select for the learned AP, the station's request, the abbreviated run",
    async () => {
      const { sta, ctrl } = await lab.station(42);
      // Only NDEF and only the carrier record, for an AP the ER knows, as wpa_supplicant.
      expect(await lab.er.cli('nfc_get_handover_sel', 'WPS', 'WPS-CR', AP_UUID)).toBe('FAIL\n');
      expect(await lab.er.cli('nfc_get_handover_sel', 'NDEF', 'WPS-CR', '12345678-0000-0000-0000-000000000000')).toBe('FAIL\n');
      const sel = (await lab.er.cli('nfc_get_handover_sel', 'NDEF', 'WPS-CR', AP_UUID)).trim();
      expect(sel).toMatch(/^D2[0-9A-F]+$/);
      const req = (await sta.cli('nfc_get_handover_req', 'NDEF', 'WPS-CR')).trim();
      lab.erCtrl.mark();
      expect(await lab.er.cli('nfc_report_handover', 'RESP', 'WPS', req, sel)).toBe('OK\n');
      expect(await sta.cli('nfc_report_handover', 'INIT', 'WPS', req, sel)).toBe('OK\n');
      await lab.erCtrl.waitFor(/^WPS-SUCCESS/, ENROLL_MS);
      const { connected } = await waitStaEnrolled(ctrl);
      expect(connected).toMatch(connectedTo);
      expect(await sta.cli('list_networks')).toContain(`\t${AP_SSID}\t`);
    },
    TEST_MS,
  );

  it(
    "writes the learned AP's settings as a configuration token that a station reads and joins with",
    async () => {
      expect(await lab.er.cli('wps_er_nfc_config_token', 'NDEF', '12345678-0000-0000-0000-000000000000')).toBe('FAIL\n');
      const token = (await lab.er.cli('wps_er_nfc_config_token', 'NDEF', AP_UUID)).trim();
      expect(token).toMatch(/^D2[0-9A-F]+$/);
      const { sta, ctrl } = await lab.station(43);
      expect(await sta.cli('wps_nfc_tag_read', token)).toBe('OK\n');
      await ctrl.waitFor(/^WPS-CRED-RECEIVED/, ENROLL_MS);
      expect((await ctrl.waitFor(/^CTRL-EVENT-CONNECTED /, ENROLL_MS)).text).toMatch(connectedTo);
    },
    TEST_MS,
  );

  it(
    "refuses a station whose M1 key is not the one its read token committed to (M2D, Public Key Hash Mismatch); the station's next token enrolls it",
    async () => {
      const { sta, ctrl } = await lab.station(44);
      const token = (await sta.cli('wps_nfc_token', 'NDEF')).trim();
      const forged = forgedPasswordToken(token);
      expect(await lab.er.cli('wps_nfc_tag_read', forged)).toBe('OK\n');
      const from = lab.erCtrl.mark();
      expect(await sta.cli('wps_nfc')).toBe('OK\n');
      // M2D carries no Device Password ID: wpa_supplicant prints 0.
      expect((await ctrl.waitFor(/^WPS-M2D /, ENROLL_MS)).text).toBe(`WPS-M2D dev_password_id=0 config_error=${ConfigError.PublicKeyHashMismatch}`);
      expect(await sta.cli('wps_cancel')).toBe('OK\n');
      expect(ctrl.events.map((e) => e.text)).not.toContainEqual(expect.stringMatching(/^WPS-CRED-RECEIVED/));
      expect(lab.erCtrl.events.slice(from).map((e) => e.text)).not.toContainEqual(expect.stringMatching(/^WPS-SUCCESS/));
      const next = (await sta.cli('wps_nfc_token', 'NDEF')).trim();
      expect(await lab.er.cli('wps_nfc_tag_read', next)).toBe('OK\n');
      expect(await sta.cli('wps_nfc')).toBe('OK\n');
      await lab.erCtrl.waitFor(/^WPS-SUCCESS/, ENROLL_MS);
      const { connected } = await waitStaEnrolled(ctrl);
      expect(connected).toMatch(connectedTo);
    },
    TEST_MS,
  );
});
