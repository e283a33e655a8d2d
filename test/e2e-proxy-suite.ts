// The proxy enrollment cases of test/e2e-proxy-*.test.ts, run with an
// External Registrar of the caller's choice (Debian wpa_supplicant or wpsd
// sta -D none) in the "er" namespace: wpsd ap (driver=sim) in "ap" proxies
// wpsd sta -D sim stations (namespace "sta") that share one `wpsd medium`
// with it. ER event lines reach ctrl monitors only, so attached CtrlSessions
// watch every daemon.
import { beforeAll, expect, it } from 'vitest';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { withTopology, type TopologyFixture } from '../harness/fixture.js';
import type { NetnsHost } from '../harness/netns.js';
import type { DaemonInstance } from '../harness/reference-daemon.js';
import type { WpsdApInstance } from '../harness/wpsd.js';
import { AP_BSSID, AP_PASSPHRASE, AP_PIN, AP_SSID, AP_UUID, ENROLL_MS, ER_MS, startMedium, startRadioAp, startRadioSta, waitStaEnrolled, type RadioStaInstance } from './e2e-helpers.js';

const TEST_MS = 90_000;

export interface ProxyLab {
  readonly env: TopologyFixture;
  readonly medium: string;
  readonly ap: WpsdApInstance;
  readonly apCtrl: CtrlSession;
  readonly er: DaemonInstance;
  readonly erCtrl: CtrlSession;
  /** A `wpsd sta -D sim` process for station `n`, with an attached session; both end with the topology. */
  station(n: number): Promise<{ sta: RadioStaInstance; ctrl: CtrlSession }>;
}

/**
 * Call at the top of a describe: the topology, `wpsd medium` (with
 * `mediumArgs`), wpsd ap on it, the ER from `startEr`, WPS_ER_START until the
 * AP is added, and WPS_ER_LEARN with the AP PIN (an ER hands Enrollees the
 * AP's settings, so it learns them first).
 */
export function withProxyLab(startEr: (host: NetnsHost) => Promise<DaemonInstance>, mediumArgs: readonly string[] = []): ProxyLab {
  const env = withTopology({ hosts: ['ap', 'er', 'sta'], link: 'bridge' });
  let ready: Omit<ProxyLab, 'env' | 'station'> | undefined;
  beforeAll(async () => {
    const m = await startMedium(env.host('ap'), env.tempDir('wpsd-e2e-medium-'), mediumArgs);
    env.track(m.proc);
    const ap = env.track(await startRadioAp({ host: env.host('ap'), medium: m.socket, args: ['-d'] }));
    const apCtrl = env.track(await ap.ctrl());
    const er = env.track(await startEr(env.host('er')));
    const erCtrl = env.track(await er.ctrl());
    expect(await er.cli('wps_er_start')).toBe('OK\n');
    await erCtrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${AP_UUID} `), ER_MS);
    expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${AP_UUID} ${AP_PIN}`)).toBe('OK\n');
    expect((await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, ER_MS)).text).toBe(
      `WPS-ER-AP-SETTINGS uuid=${AP_UUID} ssid=${AP_SSID} auth_type=0x0020 encr_type=0x0008 key=${AP_PASSPHRASE}`,
    );
    // A learn run ends with a NACK on both sides.
    await erCtrl.waitFor(/^WPS-FAIL msg=11 /, ER_MS);
    await apCtrl.waitFor(/^WPS-FAIL msg=11 /, ER_MS);
    ready = { medium: m.socket, ap, apCtrl, er, erCtrl };
  }, 60_000);
  const get = (): Omit<ProxyLab, 'env' | 'station'> => {
    if (!ready) throw new Error('withProxyLab: the daemons are started in beforeAll');
    return ready;
  };
  return {
    env,
    get medium() {
      return get().medium;
    },
    get ap() {
      return get().ap;
    },
    get apCtrl() {
      return get().apCtrl;
    },
    get er() {
      return get().er;
    },
    get erCtrl() {
      return get().erCtrl;
    },
    station: async (n) => {
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n, medium: get().medium, args: ['-d'] }));
      return { sta, ctrl: env.track(await sta.ctrl()) };
    },
  };
}

/**
 * What a proxied enrollment shows everywhere: the station has the AP's
 * credential as network 0 (list_networks, the saved file) and is connected
 * to the AP; the ER says WPS-SUCCESS; the AP saw the Enrollee
 * (WPS-ENROLLEE-SEEN) and reports WPS-REG-SUCCESS <MAC> <UUID-E> for the
 * registration it carried. (hostapd stays silent there: its registrar never
 * ran; wpsd reports it so the AP's operator sees every enrollment.)
 */
export async function expectProxiedEnrollment(lab: ProxyLab, sta: RadioStaInstance, ctrl: CtrlSession, apFrom: number, o: ProxyCaseOptions = {}): Promise<void> {
  const { connected } = await waitStaEnrolled(ctrl, o.lossy === true ? 2 * ENROLL_MS : ENROLL_MS);
  expect(connected).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed \\[id=0 `));
  expect(await sta.cli('list_networks')).toContain(`0\t${AP_SSID}\tany\t`);
  expect(sta.currentConf()).toContain(`ssid="${AP_SSID}"`);
  expect((await lab.erCtrl.waitFor(/^WPS-SUCCESS/, ER_MS)).text).toBe('WPS-SUCCESS ');
  const regSuccess = `WPS-REG-SUCCESS ${sta.mac} ${sta.uuid}`;
  await lab.apCtrl.waitFor(new RegExp(`^${regSuccess}$`), ER_MS);
  const apEvents = lab.apCtrl.events.slice(apFrom).map((e) => e.text);
  expect(apEvents).toContainEqual(expect.stringMatching(new RegExp(`^WPS-ENROLLEE-SEEN ${sta.mac} ${sta.uuid} 1-0050F204-1 `)));
  expect(apEvents.filter((e) => e.startsWith('WPS-REG-SUCCESS'))).toEqual([regSuccess]);
  if (o.lossy !== true) expect(apEvents.filter((e) => e.startsWith('WPS-FAIL'))).toEqual([]);
}

export interface ProxyCaseOptions {
  /** The medium drops frames: a run may fail and be retried (WPS-FAIL allowed on the AP), and may take longer. */
  lossy?: boolean;
}

/** The PIN and the PBC case, for the describe that called withProxyLab. */
export function proxyEnrollmentCases(lab: ProxyLab, o: ProxyCaseOptions = {}): void {
  const testMs = o.lossy === true ? 2 * TEST_MS : TEST_MS;
  it(
    'wps_er_pin any 12345670 on the ER and wps_pin any 12345670 on the station: WPS-ER-ENROLLEE-ADD, the station gets the AP credential and connects, WPS-SUCCESS on the ER',
    async () => {
      lab.erCtrl.mark();
      const apFrom = lab.apCtrl.mark();
      const { sta, ctrl } = await lab.station(1);
      expect(await lab.er.cli('wps_er_pin', 'any', '12345670')).toBe('OK\n');
      // wpa_supplicant answers WPS_PIN with the PIN itself, no newline.
      expect(await sta.cli('wps_pin', 'any', '12345670')).toBe('12345670');
      const add = await lab.erCtrl.waitFor(new RegExp(`^WPS-ER-ENROLLEE-ADD ${sta.uuid} ${sta.mac} `), ENROLL_MS);
      // From the Probe Request (M1=0), which carries no serial number (over a lossy medium M1 may be the first the ER sees).
      if (o.lossy !== true) expect(add.text).toBe(`WPS-ER-ENROLLEE-ADD ${sta.uuid} ${sta.mac} M1=0 config_methods=0x2388 dev_passwd_id=0 pri_dev_type=1-0050F204-1 |e2e sta 1|wpsd|e2e|1||`);
      await expectProxiedEnrollment(lab, sta, ctrl, apFrom, o);
    },
    testMs,
  );

  it(
    'wps_pbc on the station and wps_er_pbc <its MAC> on the ER: the station gets the AP credential and connects, WPS-SUCCESS on the ER',
    async () => {
      lab.erCtrl.mark();
      const apFrom = lab.apCtrl.mark();
      const { sta, ctrl } = await lab.station(2);
      expect(await sta.cli('wps_pbc')).toBe('OK\n');
      // The ER knows the Enrollee from its PBC Probe Requests (WLANEvent type 1) before it can push the button for it.
      const add = await lab.erCtrl.waitFor(new RegExp(`^WPS-ER-ENROLLEE-ADD ${sta.uuid} ${sta.mac} `), ENROLL_MS);
      expect(add.text).toContain(' dev_passwd_id=4 ');
      expect(await lab.er.cli('wps_er_pbc', sta.mac)).toBe('OK\n');
      await expectProxiedEnrollment(lab, sta, ctrl, apFrom, o);
    },
    testMs,
  );
}
