// wpsd's External Registrar (`wpsd sta -D none`) enrolls a real wireless
// station through Debian hostapd's own proxy: hostapd (nl80211, WPS, UPnP on
// the veth to the ER's namespace) carries the station's Probe Requests and
// EAP-WSC to the ER as WLANEvents; Debian wpa_supplicant (nl80211) is the
// Enrollee, by PIN, PBC, or its NFC password token read by the ER. Each case ends with the station connected with WPA2-PSK and a
// ping across the air.
import { describe, expect, it, beforeAll } from 'vitest';
import { REFERENCE_AP, type HostapdInstance } from '../../harness/hostapd.js';
import { REFERENCE_AP_LINES, erLearn } from '../../harness/er-runs.js';
import type { CtrlSession } from '../../harness/ctrl-session.js';
import type { DaemonInstance } from '../../harness/reference-daemon.js';
import { withAir, pingOverAir, airAddress } from './air.js';
import { readNfcTagHex } from '../../src/wps/nfc/nfc-token.js';
import { ENROLL_MS, NODE_START_MS, STATION_DEVICE, startAirHostapd, startAirWpaSupplicant, startAirWpsdEr } from '../../harness/air-daemons.js';

const ER_MS = 60_000;

describe('wpsd ER through Debian hostapd (nl80211 + upnp_iface) enrolling Debian wpa_supplicant (nl80211)', () => {
  const air = withAir({ radios: ['ap', 'sta'], wired: ['er'] });
  let ap: HostapdInstance;
  let apCtrl: CtrlSession;
  let er: DaemonInstance;
  let erCtrl: CtrlSession;

  beforeAll(async () => {
    ap = air.track(await startAirHostapd({ host: air.host('ap'), upnp: true }));
    apCtrl = air.track(await ap.ctrl());
    er = air.track(await startAirWpsdEr(air.host('er')));
    erCtrl = air.track(await er.ctrl());
    expect(await er.cli('wps_er_start')).toBe('OK\n');
    const add = await erCtrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${REFERENCE_AP.uuid} `), ER_MS);
    expect(add.text).toContain(' wps_state=2 ');
    const learn = await erLearn(erCtrl, REFERENCE_AP.uuid, REFERENCE_AP.apPin, { timeoutMs: ER_MS });
    expect(learn.settings).toBe(REFERENCE_AP_LINES.settings);
  }, NODE_START_MS + 2 * ER_MS);

  async function enrolled(sta: Awaited<ReturnType<typeof startAirWpaSupplicant>>, staCtrl: CtrlSession): Promise<void> {
    await staCtrl.waitFor(/^WPS-CRED-RECEIVED/, ENROLL_MS);
    const connected = await staCtrl.waitFor(/^CTRL-EVENT-CONNECTED /, ENROLL_MS);
    expect(connected.text).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${air.host('ap').radio?.mac} completed`));
    expect((await erCtrl.waitFor(/^WPS-SUCCESS/, ER_MS)).text).toBe('WPS-SUCCESS ');
    await apCtrl.waitFor(new RegExp(`^EAPOL-4WAY-HS-COMPLETED ${air.host('sta').radio?.mac}$`), ER_MS);
    const status = await sta.cli('status');
    expect(status).toContain('wpa_state=COMPLETED');
    expect(status).toContain('key_mgmt=WPA2-PSK');
    expect(status).toContain(`ssid=${REFERENCE_AP.ssid}`);
    expect(await pingOverAir(air.host('sta'), airAddress(0))).toMatch(/[1-3] received/);
  }

  /** A fresh wpa_supplicant on the station host for `run`, which ends with enrolled(); stopped afterwards whatever happens. */
  async function enrolls(run: (sta: DaemonInstance, staCtrl: CtrlSession) => Promise<void>): Promise<void> {
    const sta = await startAirWpaSupplicant({ host: air.host('sta') });
    const staCtrl = await sta.ctrl();
    try {
      erCtrl.mark();
      apCtrl.mark();
      await run(sta, staCtrl);
      await enrolled(sta, staCtrl);
    } finally {
      staCtrl.close();
      await sta.stop();
    }
  }

  it('PIN: wps_pin any on the station, wps_er_pin any on the ER: WPS-ER-ENROLLEE-ADD, the station connects with WPA2-PSK and pings the AP', async () => {
    await enrolls(async (sta) => {
      expect(await er.cli('wps_er_pin', 'any', '12345670')).toBe('OK\n');
      expect(await sta.cli('wps_pin', 'any', '12345670')).toBe('12345670');
      const add = await erCtrl.waitFor(new RegExp(`^WPS-ER-ENROLLEE-ADD ${STATION_DEVICE.uuid} ${air.host('sta').radio?.mac} `), ENROLL_MS);
      expect(add.text).toContain(' dev_passwd_id=0 ');
    });
  }, 2 * ENROLL_MS);

  it('PBC: wps_pbc on the station, wps_er_pbc <its MAC> on the ER: the station connects with WPA2-PSK and pings the AP', async () => {
    const mac = air.host('sta').radio?.mac ?? '';
    await enrolls(async (sta) => {
      expect(await sta.cli('wps_pbc')).toBe('OK\n');
      // The ER takes wps_er_pbc <MAC> once it knows the station: still from the PIN run (a probe after a run keeps
      // the entry 300 s, as in wpa_supplicant's ER) or from this run's first probe; until then it answers FAIL.
      expect((await erCtrl.requestUntilOk(`WPS_ER_PBC ${mac}`, ENROLL_MS)).trim()).toBe('OK');
      // Announced on the PBC probe of a new entry, or on the station's M1 (PBC) for the entry the PIN run left.
      await erCtrl.waitFor(new RegExp(`^WPS-ER-ENROLLEE-ADD ${STATION_DEVICE.uuid} ${mac} .* dev_passwd_id=4 `), ENROLL_MS);
    });
  }, 2 * ENROLL_MS);

  it("NFC password token: the ER reads the station's token (wps_nfc_tag_read), the station runs wps_nfc and enrolls through hostapd's proxy; connects and pings", async () => {
    await enrolls(async (sta) => {
      const token = (await sta.cli('wps_nfc_token', 'NDEF')).trim();
      expect(readNfcTagHex(token)).toMatchObject({ tag: { kind: 'password' } });
      expect(await er.cli('wps_nfc_tag_read', token)).toBe('OK\n');
      expect(await sta.cli('wps_nfc')).toBe('OK\n');
    });
  }, 2 * ENROLL_MS);
});
