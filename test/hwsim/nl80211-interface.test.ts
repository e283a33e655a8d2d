// The nl80211 core against the VM's kernel: the clear refusals naming the
// interface (no such interface, not a wireless interface, busy because
// another daemon owns it), and socket-owner semantics: a `wpsd sta -D
// nl80211` killed with SIGKILL leaves no connection behind (the kernel
// disconnects when its netlink socket closes), so wpa_supplicant can take
// the interface right after.
import { describe, expect, it } from 'vitest';
import { WPSD_CLI } from '../../harness/wpsd.js';
import { writeFileSync } from 'node:fs';
import { withAir, type AirHost } from './air.js';
import { C_START_MS, ENROLL_MS, NODE_START_MS, startAirHostapd, startAirWpaSupplicant, startAirWpsdSta } from '../../harness/air-daemons.js';

describe('nl80211 interface checks and socket ownership', () => {
  const air = withAir({ radios: ['ap', 'sta'], wired: ['er'] });

  /** Runs `wpsd sta -D nl80211 -i IFNAME` on `host` and returns its output once it has exited (killed if it keeps running). */
  async function staFails(ifname: string, host: AirHost = air.host('sta')): Promise<string> {
    const dir = air.tempDir('wpsd-hw-conf-');
    writeFileSync(`${dir}/w.conf`, `ctrl_interface=${dir}/ctrl\n`);
    const p = host.spawnNode(WPSD_CLI, ['sta', '-D', 'nl80211', '-i', ifname, '-c', `${dir}/w.conf`], { label: `wpsd-sta-${ifname}` });
    const started = await Promise.race([p.exited.then(() => false), p.waitForOutput(/Successfully initialized/, NODE_START_MS).then(() => true, () => false)]);
    if (started || p.running) await p.stop('SIGKILL');
    expect(started).toBe(false);
    expect(p.exitCode).toBe(1);
    return p.output();
  }

  it('no such interface, and a veth that is not a wireless interface, are refused naming the interface', async () => {
    expect(await staFails('nosuch0')).toMatch(/nosuch0: no such interface/);
    // The wired host's veth has no cfg80211 device behind it.
    expect(await staFails('wp0', air.host('er'))).toMatch(/wp0 is not a wireless interface/);
  }, 2 * NODE_START_MS);

  it('an interface wpa_supplicant runs is refused as busy', async () => {
    const wpas = await startAirWpaSupplicant({ host: air.host('sta') });
    try {
      expect(await staFails(air.host('sta').ifname)).toMatch(new RegExp(`${air.host('sta').ifname} is busy: another program`));
    } finally {
      await wpas.stop();
    }
  }, NODE_START_MS + C_START_MS);

  it('SIGKILL: the kernel ends the connection wpsd owned; the AP sees the station leave', async () => {
    // An open network, so the connection WPS leads to needs no 4-way handshake: hostapd reports it (AP-STA-CONNECTED) at association.
    const ap = air.track(await startAirHostapd({ host: air.host('ap'), ssid: 'open-wps', extra: { wpa: '0' } }));
    const apCtrl = air.track(await ap.ctrl());
    const sta = await startAirWpsdSta({ host: air.host('sta') });
    const staCtrl = await sta.ctrl();
    try {
      expect(await sta.cli('wps_pbc')).toBe('OK\n');
      expect(await ap.cli('wps_pbc')).toBe('OK\n');
      const mac = air.host('sta').radio?.mac ?? '';
      await apCtrl.waitFor(new RegExp(`^AP-STA-CONNECTED ${mac}`), ENROLL_MS);
      sta.kill();
      await sta.proc.exited;
      await apCtrl.waitFor(new RegExp(`^AP-STA-DISCONNECTED ${mac}`), ENROLL_MS);
      const link = await air.host('sta').exec('iw', ['dev', air.host('sta').ifname, 'link']);
      expect(link.stdout).toMatch(/Not connected/);
    } finally {
      staCtrl.close();
      await sta.stop();
    }
  }, NODE_START_MS + 2 * ENROLL_MS);
});
