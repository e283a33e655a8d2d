// `wpsd ap` with driver=nl80211 serving Debian wpa_supplicant (nl80211) over
// mac80211_hwsim: the internal Registrar (PBC, PIN), a PIN Enrollee proxied
// over UPnP to an External Registrar (Debian `wpa_supplicant -Dnone` and
// wpsd's own) in another namespace, plain WPA2-PSK with the right and a
// wrong passphrase, NFC (connection handover, the station's password token,
// wpsd's configuration token, the AP's password token with wps_reg nfc-pw,
// and an unconfigured AP's configuration token that configures it),
// and the interface's life cycle (refusals naming the
// interface, kill -9 leaves it clean). Each enrollment ends with a ping
// across the air.
import { describe, expect, it, beforeAll } from 'vitest';
import { REFERENCE_AP } from '../../harness/hostapd.js';
import { REFERENCE_AP_LINES, erLearn } from '../../harness/er-runs.js';
import type { CtrlSession } from '../../harness/ctrl-session.js';
import type { DaemonInstance } from '../../harness/reference-daemon.js';
import { startWpaSupplicantEr } from '../../harness/wpa-supplicant.js';
import type { WpsdApInstance } from '../../harness/wpsd.js';
import { Nl80211ApDriver } from '../../src/radio/nl80211/ap-driver.js';
import { readNfcTagHex } from '../../src/wps/nfc/nfc-token.js';
import { withAir, expectWpa2Connected, type AirFixture } from './air.js';
import { C_START_MS, ENROLL_MS, NODE_START_MS, STATION_DEVICE, startAirHostapd, startAirWpaSupplicant, startAirWpsdEr } from '../../harness/air-daemons.js';
import { spawnAirWpsdAp, startAirWpsdAp } from '../../harness/air-wpsd-ap.js';

const ER_MS = 60_000;
const PIN = '12345670';

interface Station {
  sta: DaemonInstance;
  ctrl: CtrlSession;
}

async function station(air: AirFixture, networks?: string): Promise<Station> {
  const sta = await startAirWpaSupplicant({ host: air.host('sta'), ...(networks !== undefined ? { networks } : {}) });
  return { sta, ctrl: await sta.ctrl() };
}

async function stopStation(s: Station | undefined): Promise<void> {
  s?.ctrl.close();
  await s?.sta.stop();
}

/** A fresh wpa_supplicant on the station host for `run` (the AP's events marked first), stopped afterwards whatever happens. */
async function withStationOf(air: AirFixture, apCtrl: CtrlSession, run: (s: Station) => Promise<void>, networks?: string): Promise<void> {
  let s: Station | undefined;
  try {
    apCtrl.mark();
    s = await station(air, networks);
    await run(s);
  } finally {
    await stopStation(s);
  }
}

/** The station holds the AP's credential, completed the 4-way handshake with wpsd and pings the AP. */
const connected = (air: AirFixture, apCtrl: CtrlSession, s: Station): Promise<void> =>
  expectWpa2Connected(air, { sta: s.sta, staCtrl: s.ctrl, apCtrl, ssid: REFERENCE_AP.ssid, timeoutMs: ENROLL_MS });

describe('wpsd ap driver=nl80211: internal Registrar and WPA2-PSK with Debian wpa_supplicant', () => {
  const air = withAir({ radios: ['ap', 'sta'] });
  let ap: WpsdApInstance;
  let apCtrl: CtrlSession;

  beforeAll(async () => {
    ap = air.track(await startAirWpsdAp({ host: air.host('ap') }));
    apCtrl = air.track(await ap.ctrl());
  }, 2 * NODE_START_MS);

  const bssid = (): string => air.host('ap').radio?.mac ?? '';
  const staMac = (): string => air.host('sta').radio?.mac ?? '';

  const withStation = (run: (s: Station) => Promise<void>, networks?: string): Promise<void> => withStationOf(air, apCtrl, run, networks);

  /** wpsd's internal Registrar enrolled the station: its credential, WPS-REG-SUCCESS naming it, then the WPA2-PSK connection and a ping. */
  async function enrolledByAp(s: Station): Promise<void> {
    await s.ctrl.waitFor(/^WPS-CRED-RECEIVED/, ENROLL_MS);
    expect((await apCtrl.waitFor(/^WPS-REG-SUCCESS /, ENROLL_MS)).text).toBe(`WPS-REG-SUCCESS ${staMac()} ${STATION_DEVICE.uuid}`);
    await connected(air, apCtrl, s);
  }

  it('PBC: wps_pbc on both sides: WPS-REG-SUCCESS, the station connects with WPA2-PSK/CCMP, pings the AP, and hostapd_cli all_sta lists it', async () => {
    await withStation(async (s) => {
      expect(await ap.cli('wps_pbc')).toBe('OK\n');
      expect(await s.sta.cli('wps_pbc')).toBe('OK\n');
      await enrolledByAp(s);
      // hostapd_cli all_sta walks STA-FIRST / STA-NEXT; the block says the port is open.
      const all = await ap.cli('all_sta');
      expect(all.split('\n')[0]).toBe(staMac());
      expect(all).toMatch(/^flags=.*\[AUTHORIZED\]/m);
    });
  }, 3 * ENROLL_MS);

  it('PIN: wps_pin any on the AP and the station: the station connects with WPA2-PSK and pings the AP', async () => {
    await withStation(async (s) => {
      expect(await ap.cli('wps_pin', 'any', PIN)).toBe('OK\n');
      expect(await s.sta.cli('wps_pin', 'any', PIN)).toBe(PIN);
      await enrolledByAp(s);
    });
  }, 3 * ENROLL_MS);

  it("NFC connection handover: wpa_supplicant's request and wpsd's select, the abbreviated run; the station connects and pings the AP", async () => {
    await withStation(async (s) => {
      const req = (await s.sta.cli('nfc_get_handover_req', 'NDEF', 'WPS-CR')).trim();
      const sel = (await ap.cli('nfc_get_handover_sel', 'NDEF', 'WPS-CR')).trim();
      // hostapd_cli has no nfc_report_handover: the command goes to the socket as hostapd's own tests send it.
      expect(await apCtrl.request(`NFC_REPORT_HANDOVER RESP WPS ${req} ${sel}`)).toBe('OK\n');
      expect(await s.sta.cli('nfc_report_handover', 'INIT', 'WPS', req, sel)).toBe('OK\n');
      await enrolledByAp(s);
    });
  }, 3 * ENROLL_MS);

  it("NFC password token: wpsd reads wpa_supplicant's token, the station runs wps_nfc; it connects and pings the AP", async () => {
    await withStation(async (s) => {
      const token = (await s.sta.cli('wps_nfc_token', 'NDEF')).trim();
      expect(await ap.cli('wps_nfc_tag_read', token)).toBe('OK\n');
      expect(await s.sta.cli('wps_nfc')).toBe('OK\n');
      await enrolledByAp(s);
    });
  }, 3 * ENROLL_MS);

  it("NFC configuration token: wpa_supplicant reads wpsd's token, adds the network and connects with it; pings the AP", async () => {
    await withStation(async (s) => {
      const token = (await ap.cli('wps_nfc_config_token', 'NDEF')).trim();
      expect(token).toMatch(/^D2[0-9A-F]+$/);
      expect(await s.sta.cli('wps_nfc_tag_read', token)).toBe('OK\n');
      await connected(air, apCtrl, s);
      expect(await s.sta.cli('list_networks')).toContain(`\t${REFERENCE_AP.ssid}\t`);
    });
  }, 3 * ENROLL_MS);

  it("NFC password token of the AP: wpa_supplicant reads wpsd's token and learns the AP with it (wps_reg <BSSID> nfc-pw); connects and pings", async () => {
    await withStation(async (s) => {
      const token = (await ap.cli('wps_nfc_token', 'NDEF')).trim();
      expect(await ap.cli('wps_nfc_token', 'enable')).toBe('');
      try {
        expect(await s.sta.cli('wps_nfc_tag_read', token)).toBe('OK\n');
        expect(await s.sta.cli('wps_reg', bssid(), 'nfc-pw')).toBe('OK\n');
        await connected(air, apCtrl, s);
      } finally {
        expect(await ap.cli('wps_nfc_token', 'disable')).toBe('');
      }
    });
  }, 3 * ENROLL_MS);

  it('WPA2-PSK with the right passphrase: admitted, pings the AP', async () => {
    await withStation((s) => connected(air, apCtrl, s), `network={\n\tssid="${REFERENCE_AP.ssid}"\n\tpsk="${REFERENCE_AP.passphrase}"\n\tkey_mgmt=WPA-PSK\n}\n`);
  }, 2 * ENROLL_MS);

  it('WPA2-PSK with a wrong passphrase: refused (WRONG_KEY on the station, AP-STA-POSSIBLE-PSK-MISMATCH on the AP), never COMPLETED', async () => {
    await withStation(async (s) => {
      await s.ctrl.waitFor(/^CTRL-EVENT-SSID-TEMP-DISABLED .*reason=WRONG_KEY/, ENROLL_MS);
      await apCtrl.waitFor(new RegExp(`^AP-STA-POSSIBLE-PSK-MISMATCH ${staMac()}$`), ER_MS);
      expect(await s.sta.cli('status')).not.toContain('wpa_state=COMPLETED');
    }, `network={\n\tssid="${REFERENCE_AP.ssid}"\n\tpsk="not-the-passphrase"\n\tkey_mgmt=WPA-PSK\n}\n`);
  }, 2 * ENROLL_MS);
});

describe('wpsd ap driver=nl80211, unconfigured (wps_state=1, open): its NFC configuration token configures it', () => {
  const air = withAir({ radios: ['ap', 'sta'] });
  let ap: WpsdApInstance;
  let apCtrl: CtrlSession;

  beforeAll(async () => {
    ap = air.track(await startAirWpsdAp({ host: air.host('ap'), extra: { wps_state: '1', wpa: '0' } }));
    apCtrl = air.track(await ap.ctrl());
  }, 2 * NODE_START_MS);

  it("the token carries a new random passphrase and the AP moves to WPA2-PSK with it (WPS-NEW-AP-SETTINGS, file rewritten); wpa_supplicant reads the token, connects with WPA2-PSK and pings", async () => {
    apCtrl.mark();
    expect(await ap.cli('get_config')).toContain('wps_state=not configured\n');
    const token = (await ap.cli('wps_nfc_config_token', 'NDEF')).trim();
    const read = readNfcTagHex(token);
    if (!('tag' in read) || read.tag.kind !== 'config') throw new Error(`not a configuration token: ${token}`);
    const passphrase = read.tag.credentials[0]?.networkKey.toString('latin1') ?? '';
    expect(passphrase).toMatch(/^[A-Za-z0-9+/]{22}$/);
    await apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, ER_MS);
    const cfg = await ap.cli('get_config');
    for (const line of ['wps_state=configured', `passphrase=${passphrase}`, 'wpa=2', 'key_mgmt=WPA-PSK']) expect(cfg).toContain(`${line}\n`);
    expect(ap.currentConf()).toContain(`# WPS configuration - START\nwps_state=2\nssid=${REFERENCE_AP.ssid}\nwpa=2\nwpa_key_mgmt=WPA-PSK\nwpa_pairwise=CCMP\nwpa_passphrase=${passphrase}\n`);
    await withStationOf(air, apCtrl, async (s) => {
      expect(await s.sta.cli('wps_nfc_tag_read', token)).toBe('OK\n');
      await connected(air, apCtrl, s);
    });
  }, 3 * ENROLL_MS);
});

describe('wpsd ap driver=nl80211 proxying a wireless PIN Enrollee over UPnP', () => {
  const air = withAir({ radios: ['ap', 'sta'], wired: ['er'] });
  let ap: WpsdApInstance;
  let apCtrl: CtrlSession;

  beforeAll(async () => {
    ap = air.track(await startAirWpsdAp({ host: air.host('ap'), upnp: true }));
    apCtrl = air.track(await ap.ctrl());
  }, 2 * NODE_START_MS);

  async function proxied(er: DaemonInstance): Promise<void> {
    const erCtrl = await er.ctrl();
    let s: Station | undefined;
    try {
      expect(await er.cli('wps_er_start')).toBe('OK\n');
      await erCtrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${REFERENCE_AP.uuid} `), ER_MS);
      // The ER hands the Enrollee the AP's settings, which it learns with the AP PIN first.
      const learn = await erLearn(erCtrl, REFERENCE_AP.uuid, REFERENCE_AP.apPin, { timeoutMs: ER_MS });
      expect(learn.settings).toBe(REFERENCE_AP_LINES.settings);
      s = await station(air);
      const staMac = air.host('sta').radio?.mac ?? '';
      apCtrl.mark();
      expect(await er.cli('wps_er_pin', 'any', PIN)).toBe('OK\n');
      expect(await s.sta.cli('wps_pin', 'any', PIN)).toBe(PIN);
      const add = await erCtrl.waitFor(new RegExp(`^WPS-ER-ENROLLEE-ADD ${STATION_DEVICE.uuid} ${staMac} `), ENROLL_MS);
      expect(add.text).toContain(' dev_passwd_id=0 ');
      await s.ctrl.waitFor(/^WPS-CRED-RECEIVED/, ENROLL_MS);
      await erCtrl.waitFor(/^WPS-SUCCESS/, ER_MS);
      await apCtrl.waitFor(new RegExp(`^WPS-REG-SUCCESS ${staMac} ${STATION_DEVICE.uuid}$`), ENROLL_MS);
      await connected(air, apCtrl, s);
    } finally {
      await stopStation(s);
      await er.cli('wps_er_stop').catch(() => undefined);
      erCtrl.close();
    }
  }

  it('to the real wpa_supplicant ER (-Dnone, other namespace, veth): the Enrollee connects with WPA2-PSK and pings the AP', async () => {
    const er = await startWpaSupplicantEr({ host: air.host('er') });
    try {
      await proxied(er);
    } finally {
      await er.stop();
    }
  }, 3 * ENROLL_MS);

  it("to wpsd's ER (wpsd sta -D none): the Enrollee connects with WPA2-PSK and pings the AP", async () => {
    const er = await startAirWpsdEr(air.host('er'));
    try {
      await proxied(er);
    } finally {
      await er.stop();
    }
  }, 3 * ENROLL_MS + NODE_START_MS);
});

describe('wpsd ap driver=nl80211: the interface', () => {
  const air = withAir({ radios: ['ap'] });

  it('refuses what is not a wireless interface, naming it', async () => {
    await expect(Nl80211ApDriver.open({ ifname: 'nosuch0' })).rejects.toMatchObject({ code: 'BAD_CONFIG', message: 'nosuch0: no such interface' });
    await expect(Nl80211ApDriver.open({ ifname: 'lo' })).rejects.toMatchObject({ code: 'BAD_CONFIG', message: expect.stringMatching(/^lo is not a wireless interface/) });
  });

  it('busy while Debian hostapd runs on it; after kill -9 the kernel has stopped the AP and hostapd starts cleanly', async () => {
    const host = air.host('ap');
    const hostapd = await startAirHostapd({ host });
    const busy = spawnAirWpsdAp({ host });
    try {
      await busy.proc.waitForOutput(new RegExp(`${host.ifname} is busy`), NODE_START_MS);
    } finally {
      await busy.proc.stop();
      await hostapd.stop();
    }
    const ap = await startAirWpsdAp({ host });
    expect((await host.exec('iw', ['dev', host.ifname, 'info'])).stdout).toMatch(new RegExp(`ssid ${REFERENCE_AP.ssid}\\n[\\s\\S]*type AP`));
    ap.kill();
    await ap.stop();
    // SOCKET_OWNER: the kernel stops the AP and drops the frame registrations of the dead process.
    for (let i = 0; ; i++) {
      const info = (await host.exec('iw', ['dev', host.ifname, 'info'])).stdout;
      if (!/\bssid /.test(info)) break;
      if (i > 50) throw new Error(`the AP still runs after kill -9:\n${info}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const again = await startAirHostapd({ host });
    await again.stop();
  }, 2 * NODE_START_MS + 3 * C_START_MS);
});
