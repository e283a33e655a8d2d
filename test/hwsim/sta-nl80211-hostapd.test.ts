// `wpsd sta -D nl80211` against Debian hostapd (nl80211, WPA2-PSK, WPS) over
// mac80211_hwsim: PBC then PIN on one station, a network block connecting
// at start, PIN with hostapd's internal Registrar, wps_reg
// with the AP PIN, and NFC (connection handover, the station's password
// token read by hostapd, hostapd's configuration token read by the station,
// hostapd's password token with wps_reg nfc-pw). Each case: the credential arrives, the network is saved
// (update_config=1), the station connects with WPA2-PSK after the 4-way
// handshake (hostapd says EAPOL-4WAY-HS-COMPLETED) and pings the AP.
import { beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_AP, type HostapdInstance } from '../../harness/hostapd.js';
import type { CtrlSession } from '../../harness/ctrl-session.js';
import type { DaemonInstance } from '../../harness/reference-daemon.js';
import { airAddress, expectWpa2Connected, pingOverAir, withAir } from './air.js';
import { ENROLL_MS, NODE_START_MS, STATION_DEVICE, startAirHostapd, startAirWpsdSta } from '../../harness/air-daemons.js';

describe('wpsd sta -D nl80211 enrolls with Debian hostapd (nl80211) and connects with WPA2-PSK', () => {
  const air = withAir({ radios: ['ap', 'sta'] });
  let ap: HostapdInstance;
  let apCtrl: CtrlSession;

  beforeAll(async () => {
    ap = air.track(await startAirHostapd({ host: air.host('ap') }));
    apCtrl = air.track(await ap.ctrl());
  }, NODE_START_MS);

  const bssid = (): string => air.host('ap').radio?.mac ?? '';
  const staMac = (): string => air.host('sta').radio?.mac ?? '';

  async function station(): Promise<{ sta: DaemonInstance; ctrl: CtrlSession }> {
    const sta = air.track(await startAirWpsdSta({ host: air.host('sta') }));
    return { sta, ctrl: air.track(await sta.ctrl()) };
  }

  /** What every case ends with: credential, saved network, WPA2-PSK connection after the 4-way handshake, data across the air. */
  async function connectedWithPsk(sta: DaemonInstance, ctrl: CtrlSession): Promise<void> {
    await ctrl.waitFor(/^WPS-CRED-RECEIVED/, ENROLL_MS);
    await expectWpa2Connected(air, { sta, staCtrl: ctrl, apCtrl, ssid: REFERENCE_AP.ssid, timeoutMs: ENROLL_MS, networkId: 0 });
    const saved = sta.currentConf();
    expect(saved).toContain(`ssid="${REFERENCE_AP.ssid}"`);
    expect(saved).toMatch(/psk=("12345678"|[0-9a-f]{64})/);
  }

  /**
   * A fresh wpsd sta for `run`, which ends with the connection (connectedWithPsk), stopped afterwards; with
   * `registrar`, hostapd's internal Registrar ran the enrollment (WPS-REG-SUCCESS naming the station, looked up
   * since it comes before the connection).
   */
  async function enrolls(run: (sta: DaemonInstance, ctrl: CtrlSession) => Promise<void>, o: { registrar?: boolean } = {}): Promise<void> {
    const from = apCtrl.mark();
    const { sta, ctrl } = await station();
    try {
      await run(sta, ctrl);
      await connectedWithPsk(sta, ctrl);
      if (o.registrar === true) expect(apCtrl.events.slice(from).map((e) => e.text)).toContainEqual(`WPS-REG-SUCCESS ${staMac()} ${STATION_DEVICE.uuid}`);
    } finally {
      await sta.stop();
    }
  }

  it("PBC, then PIN on the same station after remove_network all: each run's credential, connection and WPS-REG-SUCCESS", async () => {
    const { sta, ctrl } = await station();
    try {
      let from = apCtrl.mark();
      expect(await ap.cli('wps_pbc')).toBe('OK\n');
      expect(await sta.cli('wps_pbc')).toBe('OK\n');
      await connectedWithPsk(sta, ctrl);
      // hostapd's internal Registrar ran the registration (it comes before the connection, so it is looked up, not awaited).
      expect(apCtrl.events.slice(from).map((e) => e.text)).toContainEqual(`WPS-REG-SUCCESS ${staMac()} ${STATION_DEVICE.uuid}`);

      // The network goes (the station leaves the AP), and a PIN run follows on the same daemon.
      ctrl.mark();
      expect(await sta.cli('remove_network', 'all')).toBe('OK\n');
      await ctrl.waitFor(/^CTRL-EVENT-DISCONNECTED /, ENROLL_MS);
      from = apCtrl.mark();
      const pin = (await sta.cli('wps_pin', 'any')).trim();
      expect(pin).toMatch(/^\d{8}$/);
      expect(await ap.cli('wps_pin', 'any', pin)).toBe('OK\n');
      await connectedWithPsk(sta, ctrl);
      expect(apCtrl.events.slice(from).map((e) => e.text)).toContainEqual(`WPS-REG-SUCCESS ${staMac()} ${STATION_DEVICE.uuid}`);
    } finally {
      await sta.stop();
    }
  }, 4 * ENROLL_MS);

  it('a network block in the file: wpsd sta connects at start with no command, as wpa_supplicant does', async () => {
    apCtrl.mark();
    const networks = `\nnetwork={\n\tssid="${REFERENCE_AP.ssid}"\n\tpsk="${REFERENCE_AP.passphrase}"\n\tkey_mgmt=WPA-PSK\n}\n`;
    const sta = air.track(await startAirWpsdSta({ host: air.host('sta'), networks }));
    try {
      // The connection may come before a monitor could attach: the daemon's log has the event either way.
      const [connected] = await sta.proc.waitForOutput(/CTRL-EVENT-CONNECTED - Connection to \S+ completed \[id=\d+ id_str=\]/, ENROLL_MS);
      expect(connected).toBe(`CTRL-EVENT-CONNECTED - Connection to ${bssid()} completed [id=0 id_str=]`);
      await apCtrl.waitFor(new RegExp(`^EAPOL-4WAY-HS-COMPLETED ${staMac()}$`), ENROLL_MS);
      const status = await sta.cli('status');
      for (const line of [`bssid=${bssid()}`, `ssid=${REFERENCE_AP.ssid}`, 'wpa_state=COMPLETED', 'key_mgmt=WPA2-PSK']) expect(status).toContain(`${line}\n`);
      expect(await pingOverAir(air.host('sta'), airAddress(0))).toMatch(/[1-3] received/);
    } finally {
      await sta.stop();
    }
  }, 2 * ENROLL_MS);

  it("NFC connection handover: the station's request and hostapd's select, the abbreviated run", async () => {
    await enrolls(async (sta) => {
      const sel = (await ap.cli('nfc_get_handover_sel', 'NDEF', 'WPS-CR')).trim();
      const req = (await sta.cli('nfc_get_handover_req', 'NDEF', 'WPS-CR')).trim();
      // hostapd_cli has no nfc_report_handover: the command goes to the socket as hostapd's own tests send it.
      expect(await apCtrl.request(`NFC_REPORT_HANDOVER RESP WPS ${req} ${sel}`)).toBe('OK\n');
      expect(await sta.cli('nfc_report_handover', 'INIT', 'WPS', req, sel)).toBe('OK\n');
    }, { registrar: true });
  }, 2 * ENROLL_MS);

  it("NFC password token: hostapd reads the station's token, the station runs wps_nfc", async () => {
    await enrolls(async (sta) => {
      const token = (await sta.cli('wps_nfc_token', 'NDEF')).trim();
      expect(await ap.cli('wps_nfc_tag_read', token)).toBe('OK\n');
      expect(await sta.cli('wps_nfc')).toBe('OK\n');
    }, { registrar: true });
  }, 2 * ENROLL_MS);

  it("NFC configuration token: the station reads hostapd's token (hostapd_cli wps_nfc_config_token NDEF), adds the network and connects", async () => {
    await enrolls(async (sta) => {
      const token = (await ap.cli('wps_nfc_config_token', 'NDEF')).trim();
      expect(token).toMatch(/^D2[0-9A-F]+$/);
      expect(await sta.cli('wps_nfc_tag_read', token)).toBe('OK\n');
    });
  }, 2 * ENROLL_MS);

  it("wps_reg <bssid> nfc-pw: the station reads hostapd's password token and learns the AP with it", async () => {
    try {
      await enrolls(async (sta) => {
        const token = (await ap.cli('wps_nfc_token', 'NDEF')).trim();
        expect(await ap.cli('wps_nfc_token', 'enable')).toBe('');
        expect(await sta.cli('wps_nfc_tag_read', token)).toBe('OK\n');
        expect(await sta.cli('wps_reg', bssid(), 'nfc-pw')).toBe('OK\n');
      });
    } finally {
      await ap.cli('wps_nfc_token', 'disable');
    }
  }, 2 * ENROLL_MS);

  it('wps_reg <bssid> <AP PIN>: the station learns the AP settings as Registrar and connects with them', async () => {
    await enrolls(async (sta) => {
      expect(await sta.cli('wps_reg', bssid(), REFERENCE_AP.apPin)).toBe('OK\n');
    });
  }, 2 * ENROLL_MS);
});
