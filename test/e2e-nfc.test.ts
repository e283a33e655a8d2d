// WPS with NFC on the sim medium, separate processes: `wpsd ap` (driver=sim,
// UPnP on its veth) and `wpsd sta -D sim` stations. A station's password
// token read by the AP; the AP's configuration token read by a station; a
// station's password token read by Debian wpa_supplicant as External
// Registrar, the station enrolling through the AP's UPnP proxy; and NFC
// connection handover, the station initiating, with wpsd's AP and with
// Debian wpa_supplicant's External Registrar as the selector; and public
// key hashes that do not match (a password token at the AP, a handover
// select at the station) refused by the protocol, changing nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { withTopology } from '../harness/fixture.js';
import { startWpaSupplicantEr, type WpaSupplicantInstance } from '../harness/wpa-supplicant.js';
import type { WpsdApInstance } from '../harness/wpsd.js';
import { wrapWscNdef } from '../src/wps/nfc/ndef.js';
import { buildHandoverSelect, generatePasswordToken, readHandoverCarrier } from '../src/wps/nfc/nfc-token.js';
import { ConfigError } from '../src/wps/values.js';
import { AP_BSSID, AP_PIN, AP_SSID, AP_UUID, ENROLL_MS, ER_MS, forgedPasswordToken, staUuid, startMedium, startRadioAp, startRadioSta, waitStaEnrolled } from './e2e-helpers.js';

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

  // An ER hands Enrollees the AP's settings, so it learns them first (once for the file).
  let erLearned: Promise<void> | undefined;
  const erReady = (): Promise<void> =>
    (erLearned ??= (async () => {
      expect(await erCtrl.request('WPS_ER_START')).toBe('OK\n');
      await erCtrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${AP_UUID} `), ER_MS);
      expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${AP_UUID} ${AP_PIN}`)).toBe('OK\n');
      await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, ER_MS);
    })());

  it(
    "Debian wpa_supplicant's ER reads a station's password token; the station enrolls through the AP proxy",
    async () => {
      await erReady();
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

  it(
    "connection handover with wpsd's AP: the AP takes the station's request, the station the AP's select; the abbreviated run gives the credential",
    async () => {
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 34, medium, args: ['-d'] }));
      const ctrl = env.track(await sta.ctrl());
      const apCtrl = env.track(await ap.ctrl());
      // Before the request: a new password token replaces the station's DH key, as in wpa_supplicant.
      const token = (await sta.cli('wps_nfc_token', 'NDEF')).trim();
      const req = (await sta.cli('nfc_get_handover_req', 'NDEF', 'WPS-CR')).trim();
      const sel = (await ap.cli('nfc_get_handover_sel', 'NDEF', 'WPS-CR')).trim();
      expect(req).toMatch(/^D2[0-9A-F]+$/);
      // A password token is no handover request; the AP refuses it and stays as it was.
      // hostapd_cli has no nfc_report_handover: the command goes to the socket as hostapd's own tests send it.
      const report = (role: string, r: string): Promise<string> => apCtrl.request(`NFC_REPORT_HANDOVER ${role} WPS ${r} ${sel}`);
      // A password token is no handover request; the AP refuses it and stays as it was.
      expect(await report('RESP', token)).toBe('FAIL\n');
      expect(await report('INIT', req)).toBe('FAIL\n');
      expect(await report('RESP', req)).toBe('OK\n');
      expect(await sta.cli('nfc_report_handover', 'INIT', 'WPS', req, sel)).toBe('OK\n');
      const { connected } = await waitStaEnrolled(ctrl);
      expect(connected).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed`));
      expect(ctrl.events.map((e) => e.text)).toContainEqual(expect.stringMatching(/^WPS-SUCCESS/));
      expect((await apCtrl.waitFor(/^WPS-REG-SUCCESS /, ENROLL_MS)).text).toContain(staUuid(34));
      expect(await sta.cli('list_networks')).toContain(`\t${AP_SSID}\t`);
    },
    TEST_MS,
  );

  it(
    "connection handover with Debian wpa_supplicant's ER as selector: the station enrolls through the AP proxy with the ER's DH key",
    async () => {
      await erReady();
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 35, medium, args: ['-d'] }));
      const ctrl = env.track(await sta.ctrl());
      const sel = (await wpas.cli('nfc_get_handover_sel', 'NDEF', 'WPS-CR', AP_UUID)).trim();
      expect(sel).toMatch(/^D2[0-9A-F]+$/);
      const req = (await sta.cli('nfc_get_handover_req', 'NDEF', 'WPS-CR')).trim();
      erCtrl.mark();
      expect(await wpas.cli('nfc_report_handover', 'RESP', 'WPS', req, sel)).toBe('OK\n');
      expect(await sta.cli('nfc_report_handover', 'INIT', 'WPS', req, sel)).toBe('OK\n');
      await erCtrl.waitFor(/^WPS-SUCCESS/, ENROLL_MS);
      const { connected } = await waitStaEnrolled(ctrl);
      expect(connected).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed`));
      expect(ctrl.events.map((e) => e.text)).toContainEqual(expect.stringMatching(/^WPS-SUCCESS/));
      expect(await sta.cli('list_networks')).toContain(`\t${AP_SSID}\t`);
    },
    TEST_MS,
  );

  it(
    "a station reads the AP's password token and, as Registrar, learns the AP with it (wps_reg <BSSID> nfc-pw)",
    async () => {
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 36, medium, args: ['-d'] }));
      const ctrl = env.track(await sta.ctrl());
      const token = (await ap.cli('wps_nfc_token', 'NDEF')).trim();
      expect(await ap.cli('wps_nfc_token', 'enable')).toBe('');
      try {
        // Without the token read first there is no device password for the AP's token ID.
        expect(await sta.cli('wps_nfc_tag_read', token)).toBe('OK\n');
        expect(await sta.cli('wps_reg', AP_BSSID, 'nfc-pw')).toBe('OK\n');
        const { connected } = await waitStaEnrolled(ctrl);
        expect(connected).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed`));
        expect(await sta.cli('list_networks')).toContain(`\t${AP_SSID}\t`);
      } finally {
        expect(await ap.cli('wps_nfc_token', 'disable')).toBe('');
      }
    },
    TEST_MS,
  );

  it(
    "a password token whose hash is for another key: the AP takes it (a tag cannot show that), the station's run is refused with M2D Public Key Hash Mismatch and gets nothing; the AP's Registrar is unchanged and the station's next token enrolls it",
    async () => {
      // Only the AP's Registrar answers: an ER subscribed to the AP would answer the proxied M1 with an M2D of its own.
      if (erLearned !== undefined) {
        expect(await wpas.cli('wps_er_stop')).toBe('OK\n');
        erLearned = undefined;
      }
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 37, medium, args: ['-d'] }));
      const ctrl = env.track(await sta.ctrl());
      const apCtrl = env.track(await ap.ctrl());
      const token = (await sta.cli('wps_nfc_token', 'NDEF')).trim();
      const forged = forgedPasswordToken(token);
      expect(await ap.cli('wps_nfc_tag_read', forged)).toBe('OK\n');
      const from = apCtrl.mark();
      expect(await sta.cli('wps_nfc')).toBe('OK\n');
      // M2D carries no Device Password ID: wpa_supplicant prints 0.
      expect((await ctrl.waitFor(/^WPS-M2D /, ENROLL_MS)).text).toBe(`WPS-M2D dev_password_id=0 config_error=${ConfigError.PublicKeyHashMismatch}`);
      expect(await sta.cli('wps_cancel')).toBe('OK\n');
      expect(ctrl.events.map((e) => e.text)).not.toContainEqual(expect.stringMatching(/^WPS-CRED-RECEIVED/));
      expect(apCtrl.events.slice(from).map((e) => e.text)).not.toContainEqual(expect.stringMatching(/^WPS-REG-SUCCESS/));
      expect(await sta.cli('list_networks')).not.toContain(`\t${AP_SSID}\t`);
      // A new token (new ID, the station's new key): the AP's Registrar still works.
      const next = (await sta.cli('wps_nfc_token', 'NDEF')).trim();
      expect(await ap.cli('wps_nfc_tag_read', next)).toBe('OK\n');
      expect(await sta.cli('wps_nfc')).toBe('OK\n');
      const { connected } = await waitStaEnrolled(ctrl);
      expect(connected).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed`));
    },
    TEST_MS,
  );

  it(
    "a handover select whose hash is for another key: the station refuses the AP's M2 (WSC_NACK, config error 20) and adds no network",
    async () => {
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 38, medium, args: ['-d'] }));
      const ctrl = env.track(await sta.ctrl());
      const apCtrl = env.track(await ap.ctrl());
      const req = (await sta.cli('nfc_get_handover_req', 'NDEF', 'WPS-CR')).trim();
      const sel = (await ap.cli('nfc_get_handover_sel', 'NDEF', 'WPS-CR')).trim();
      const carrier = readHandoverCarrier(Buffer.from(sel, 'hex'));
      const forged = wrapWscNdef(buildHandoverSelect({ publicKey: generatePasswordToken().publicKey, ssid: carrier.ssid ?? Buffer.alloc(0), ...carrier.location })).toString('hex').toUpperCase();
      expect(await apCtrl.request(`NFC_REPORT_HANDOVER RESP WPS ${req} ${sel}`)).toBe('OK\n');
      expect(await sta.cli('nfc_report_handover', 'INIT', 'WPS', req, forged)).toBe('OK\n');
      expect((await ctrl.waitFor(/^WPS-FAIL /, ENROLL_MS)).text).toContain(`config_error=${ConfigError.PublicKeyHashMismatch}`);
      expect(await sta.cli('wps_cancel')).toBe('OK\n');
      expect(ctrl.events.map((e) => e.text)).not.toContainEqual(expect.stringMatching(/^WPS-CRED-RECEIVED/));
      expect(await sta.cli('list_networks')).not.toContain(`\t${AP_SSID}\t`);
    },
    TEST_MS,
  );
});
