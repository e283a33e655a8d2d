/**
 * `wpsd ap driver=wired` as hostapd's driver_wired: an IEEE 802.1X EAPOL port
 * on one end of a veth pair, and Debian's `wpa_supplicant -D wired` on the
 * other as a wired Enrollee (ap_scan=0: no scan, no association; it sends
 * EAPOL-Start to the PAE group address). WPS_PBC, WPS_PIN and WPS_CANCEL
 * answer OK and work end to end, with fragment_size=100 so that the AP's
 * messages go out in fragments: WPS-SUCCESS on both sides and the
 * credential in the Enrollee's network list. Without ieee8021x=1 the wired
 * station is ignored, as hostapd 2.10 does ("Ignore STA - 802.1X not
 * enabled or forced for WPS").
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTopology } from '../harness/fixture.js';
import { CtrlSession } from '../harness/ctrl-session.js';
import { hostMac, type ManagedProcess, type NetnsHost } from '../harness/netns.js';
import { waitForCtrl } from '../harness/reference-daemon.js';
import { until } from '../harness/until.js';
import { WPSD_CLI } from '../harness/wpsd.js';

const RUN_MS = 60_000;
const SSID = 'wired-wps';
const PASSPHRASE = 'wired passphrase 1';

/** Small enough that M2 and M4 go out in several EAP-WSC fragments. */
const FRAGMENT_SIZE = 100;

function apConf(ifname: string, ctrlDir: string, ieee8021x: number): string {
  return [
    `interface=${ifname}`,
    'driver=wired',
    `ctrl_interface=${ctrlDir}`,
    `ieee8021x=${ieee8021x}`,
    'eap_server=1',
    'wps_state=2',
    `ssid=${SSID}`,
    'wpa=2',
    `wpa_passphrase=${PASSPHRASE}`,
    'wpa_key_mgmt=WPA-PSK',
    'rsn_pairwise=CCMP',
    'device_name=wired AP',
    `fragment_size=${FRAGMENT_SIZE}`,
    '',
  ].join('\n');
}

describe('wpsd ap driver=wired with Debian wpa_supplicant -D wired', () => {
  const env = withTopology({ hosts: ['ap', 'sta'] });

  interface Run {
    ap: CtrlSession;
    sta: CtrlSession;
    apProc: ManagedProcess;
    staProc: ManagedProcess;
    staHost: NetnsHost;
    /** Ends both daemons, so that the next test has the link to itself. */
    stop(): Promise<void>;
  }

  async function start(ieee8021x: number): Promise<Run> {
    const apHost = env.host('ap');
    const staHost = env.host('sta');
    const dir = env.tempDir('wpsd-wired-');
    const apCtrl = join(dir, 'ap');
    const staCtrl = join(dir, 'sta');
    writeFileSync(join(dir, 'ap.conf'), apConf(apHost.ifname, apCtrl, ieee8021x));
    // wpa_supplicant's wired driver: ap_scan=0 (the driver "associates" at once, the EAPOL state machine runs).
    writeFileSync(join(dir, 'sta.conf'), `ctrl_interface=${staCtrl}\nap_scan=0\n`);
    const apProc = env.track(apHost.spawnNode(WPSD_CLI, ['ap', '-dd', '-c', join(dir, 'ap.conf')], { label: 'wpsd-ap-wired' }));
    await waitForCtrl(join(apCtrl, apHost.ifname), apProc);
    const staProc = env.track(staHost.spawn('wpa_supplicant', ['-dd', '-D', 'wired', '-i', staHost.ifname, '-c', join(dir, 'sta.conf')], { label: 'wpa_supplicant-wired' }));
    await waitForCtrl(join(staCtrl, staHost.ifname), staProc);
    const ap = env.track(await CtrlSession.open(join(apCtrl, apHost.ifname)));
    const sta = env.track(await CtrlSession.open(join(staCtrl, staHost.ifname)));
    const stop = async (): Promise<void> => {
      ap.close();
      sta.close();
      await staProc.stop('SIGTERM');
      await apProc.stop('SIGTERM');
    };
    return { ap, sta, apProc, staProc, staHost, stop };
  }

  async function credentialNetwork(sta: CtrlSession): Promise<string> {
    const list = await sta.request('LIST_NETWORKS');
    const line = list.split('\n').find((l) => l.split('\t')[1] === SSID);
    expect(line, list).toBeDefined();
    return (line ?? '').split('\t')[0] ?? '';
  }

  it('WPS_PBC, then WPS_PIN: the wired Enrollee gets the credential over EAPOL; WPS_CANCEL answers OK and ends PBC mode', async () => {
    const run = await start(1);
    const { ap, sta, staHost, staProc } = run;
    try {
      const staMac = await hostMac(staHost);

      expect(await ap.request('WPS_PBC')).toBe('OK\n');
      await ap.waitFor(/^WPS-PBC-ACTIVE/, RUN_MS);
      expect(await sta.request('WPS_PBC')).toBe('OK\n');
      await sta.waitFor(/^WPS-CRED-RECEIVED/, RUN_MS);
      await sta.waitFor(/^WPS-SUCCESS/, RUN_MS);
      const reg = await ap.waitFor(/^WPS-REG-SUCCESS /, RUN_MS);
      expect(reg.text.split(' ')[1]).toBe(staMac);
      await ap.waitFor(/^WPS-PBC-DISABLE/, RUN_MS);
      await ap.waitFor(/^WPS-SUCCESS/, RUN_MS);
      const id = await credentialNetwork(sta);
      // fragment_size=100: the Enrollee saw a first fragment (Flags LF|MF) and acknowledged it.
      expect(staProc.output()).toMatch(/EAP-WSC: Received packet: Op-Code 4 Flags 0x3/);
      expect(await sta.request(`GET_NETWORK ${id} key_mgmt`)).toBe('WPA-PSK');
      expect(await sta.request(`GET_NETWORK ${id} ssid`)).toBe(`"${SSID}"`);

      // The PIN method: the Enrollee's PIN entered on the AP.
      ap.mark();
      sta.mark();
      expect(await sta.request('REMOVE_NETWORK all')).toBe('OK\n');
      const pin = (await sta.request('WPS_PIN any')).trim();
      expect(pin).toMatch(/^\d{8}$/);
      expect(await ap.request(`WPS_PIN any ${pin}`)).toBe('OK\n');
      await sta.waitFor(/^WPS-SUCCESS/, RUN_MS);
      const reg2 = await ap.waitFor(/^WPS-REG-SUCCESS /, RUN_MS);
      expect(reg2.text.split(' ')[1]).toBe(staMac);
      await credentialNetwork(sta);

      expect(await ap.request('WPS_PBC')).toBe('OK\n');
      expect(await ap.request('WPS_CANCEL')).toBe('OK\n');
      // hostapd's cancel ends PBC mode through its timeout path: "Timed-out", not "Disabled".
      await ap.waitFor(/^WPS-CANCEL/, RUN_MS);
      expect(await ap.request('WPS_GET_STATUS')).toMatch(/^PBC Status: Timed-out\n/);
    } finally {
      await run.stop();
    }
  });

  it('without ieee8021x=1 the wired station is ignored (hostapd 2.10), and WPS_PBC still answers OK', async () => {
    const run = await start(0);
    const { ap, sta, apProc } = run;
    try {
      expect(await ap.request('WPS_PBC')).toBe('OK\n');
      expect(await sta.request('WPS_PBC')).toBe('OK\n');
      await until(() => /Ignore STA - 802\.1X not enabled or forced for WPS/.test(apProc.output()), 'the AP ignores the wired station', { timeoutMs: RUN_MS });
      expect(apProc.output()).not.toMatch(/EAP-WSC|WPS-REG-SUCCESS/);
      expect(await sta.request('WPS_CANCEL')).toBe('OK\n');
    } finally {
      await run.stop();
    }
  });
});
