// `wpsd ap driver=nl80211` with wpa_psk_file (hostapd's format: a PSK per
// station MAC, 00:00:00:00:00:00 for any station) serving Debian
// wpa_supplicant (nl80211) over mac80211_hwsim: the station's own PSK, the
// wildcard's and the BSS's passphrase are admitted after the real 4-way
// handshake; a wrong PSK is refused (the station's 4-way handshake fails,
// AP-STA-POSSIBLE-PSK-MISMATCH on the AP, as hostapd 2.10 prints it); a WPS
// Enrollee gets a PSK of its own, appended to the file with its MAC, and
// connects with it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_AP } from '../../harness/hostapd.js';
import type { CtrlSession } from '../../harness/ctrl-session.js';
import type { DaemonInstance } from '../../harness/reference-daemon.js';
import type { WpsdApInstance } from '../../harness/wpsd.js';
import { expectWpa2Connected, withAir } from './air.js';
import { ENROLL_MS, NODE_START_MS, startAirWpaSupplicant } from '../../harness/air-daemons.js';
import { startAirWpsdAp } from '../../harness/air-wpsd-ap.js';

const EVENT_MS = 60_000;
const OWN_PSK = 'station-own-passphrase';
const ANY_PSK = 'any-station-passphrase';

interface Station {
  sta: DaemonInstance;
  ctrl: CtrlSession;
}

const pskNetwork = (psk: string): string => `network={\n\tssid="${REFERENCE_AP.ssid}"\n\tpsk="${psk}"\n\tkey_mgmt=WPA-PSK\n}\n`;

describe('wpsd ap driver=nl80211 with wpa_psk_file and Debian wpa_supplicant', () => {
  const air = withAir({ radios: ['ap', 'sta'] });
  let ap: WpsdApInstance;
  let apCtrl: CtrlSession;
  let pskFile: string;

  const staMac = (): string => air.host('sta').radio?.mac ?? '';

  beforeAll(async () => {
    pskFile = join(air.tempDir('wpsd-hw-pskfile-'), 'hostapd.wpa_psk');
    writeFileSync(pskFile, `# per-station PSKs\n${staMac()} ${OWN_PSK}\n00:00:00:00:00:00 ${ANY_PSK}\n`);
    ap = air.track(await startAirWpsdAp({ host: air.host('ap'), extra: { wpa_psk_file: pskFile } }));
    apCtrl = air.track(await ap.ctrl());
  }, 2 * NODE_START_MS);

  async function station(networks?: string): Promise<Station> {
    const sta = await startAirWpaSupplicant({ host: air.host('sta'), ...(networks !== undefined ? { networks } : {}) });
    return { sta, ctrl: await sta.ctrl() };
  }

  async function stop(s: Station | undefined): Promise<void> {
    s?.ctrl.close();
    await s?.sta.stop();
  }

  const connected = (s: Station): Promise<void> => expectWpa2Connected(air, { sta: s.sta, staCtrl: s.ctrl, apCtrl, ssid: REFERENCE_AP.ssid, timeoutMs: ENROLL_MS });

  it("the station's own PSK (its MAC's line) is admitted", async () => {
    let s: Station | undefined;
    try {
      apCtrl.mark();
      s = await station(pskNetwork(OWN_PSK));
      await connected(s);
    } finally {
      await stop(s);
    }
  }, 2 * ENROLL_MS);

  it("the wildcard line's PSK (00:00:00:00:00:00) is admitted too", async () => {
    let s: Station | undefined;
    try {
      apCtrl.mark();
      s = await station(pskNetwork(ANY_PSK));
      await connected(s);
    } finally {
      await stop(s);
    }
  }, 2 * ENROLL_MS);

  it("the BSS's wpa_passphrase still admits a legacy client", async () => {
    let s: Station | undefined;
    try {
      apCtrl.mark();
      s = await station(pskNetwork(REFERENCE_AP.passphrase));
      await connected(s);
    } finally {
      await stop(s);
    }
  }, 2 * ENROLL_MS);

  it('a PSK in no line is refused: the 4-way handshake fails (WRONG_KEY), AP-STA-POSSIBLE-PSK-MISMATCH, never COMPLETED', async () => {
    let s: Station | undefined;
    try {
      const from = apCtrl.mark();
      s = await station(pskNetwork('not-a-psk-of-the-file'));
      await s.ctrl.waitFor(/^CTRL-EVENT-SSID-TEMP-DISABLED .*reason=WRONG_KEY/, ENROLL_MS);
      await apCtrl.waitFor(new RegExp(`^AP-STA-POSSIBLE-PSK-MISMATCH ${staMac()}$`), EVENT_MS);
      expect(await s.sta.cli('status')).not.toContain('wpa_state=COMPLETED');
      expect(apCtrl.events.slice(from).map((e) => e.text)).not.toContainEqual(`EAPOL-4WAY-HS-COMPLETED ${staMac()}`);
    } finally {
      await stop(s);
    }
  }, 2 * ENROLL_MS);

  it('WPS PBC: the Enrollee gets a PSK of its own, appended to the file with its MAC, and connects with it', async () => {
    let s: Station | undefined;
    try {
      s = await station();
      apCtrl.mark();
      expect(await ap.cli('wps_pbc')).toBe('OK\n');
      expect(await s.sta.cli('wps_pbc')).toBe('OK\n');
      await s.ctrl.waitFor(/^WPS-CRED-RECEIVED/, ENROLL_MS);
      await apCtrl.waitFor(new RegExp(`^WPS-REG-SUCCESS ${staMac()} `), ENROLL_MS);
      await connected(s);
      const line = readFileSync(pskFile, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`wps=1 ${staMac()} `));
      const psk = line?.split(' ')[2] ?? '';
      expect(psk).toMatch(/^[0-9a-f]{64}$/);
      // The station saved that PSK (update_config=1), not the BSS's passphrase.
      expect(s.sta.currentConf()).toContain(`psk=${psk}`);
    } finally {
      await stop(s);
    }
  }, 3 * ENROLL_MS);
});
