/**
 * The station connects by itself once started, as wpa_supplicant does: to an
 * enabled network of its file with no command, again after the AP drops it,
 * and never to a disabled network. PMF as wpa_supplicant 2.10 decides it
 * with a driver without BIP: ieee80211w=1 connects without PMF, a network
 * requiring PMF (ieee80211w=2, or pmf=2 for a PSK network) selects no BSS, an
 * AP requiring MFP (MFPR) is skipped; each skip logged with
 * wpa_supplicant's debug line. All against the in-process AP of
 * sta-radio-helpers on the sim medium.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Logger, LogLevel } from '../src/common/log.js';
import { RsnCapability } from '../src/radio/rsn-ie.js';
import { ReasonCode } from '../src/radio/frame.js';
import { AP, PASSPHRASE, SSID, addStation, startLab, stopLab, until, type Lab, type Station } from './sta-radio-helpers.js';

let lab: Lab | undefined;
afterEach(async () => {
  if (lab !== undefined) await stopLab(lab);
  lab = undefined;
});

const network = (fields = ''): string => `network={\n\tssid="${SSID}"\n\tpsk="${PASSPHRASE}"\n\tkey_mgmt=WPA-PSK\n${fields}}\n`;

/** A station whose debug log lines are kept, started (auto-connect on). */
async function startedStation(l: Lab, mac: string, conf: string): Promise<{ sta: Station; log: string[] }> {
  const log: string[] = [];
  const logger = new Logger({ level: LogLevel.DEBUG, sink: (line) => log.push(line) });
  const sta = await addStation(l, mac as Station['driver']['address'], conf, { logger });
  sta.radio.start();
  return { sta, log };
}

/** Waits for `n` scans' results after `from`: enough for the station to have judged every BSS it saw. */
async function scansDone(sta: Station, n: number): Promise<void> {
  await until(() => sta.events.filter((e) => e.startsWith('CTRL-EVENT-SCAN-RESULTS')).length >= n, `${n} scans`, 30_000);
}

describe('wpsd sta (driver=sim): connecting by itself to the configured networks', () => {
  it('connects at start with no command, and again after the AP deauthenticates it', { timeout: 90_000 }, async () => {
    lab = await startLab();
    const { sta } = await startedStation(lab, '02:00:00:00:0d:01', network());
    expect(await sta.waitEvent('CTRL-EVENT-CONNECTED')).toBe(`CTRL-EVENT-CONNECTED - Connection to ${AP} completed [id=0 id_str=]`);
    expect(sta.radio.wpaState).toBe('COMPLETED');
    const from = sta.events.length;
    await lab.bss.mlme?.deauthenticate(sta.driver.address, ReasonCode.DEAUTH_LEAVING);
    expect(await sta.waitEvent('CTRL-EVENT-DISCONNECTED', from)).toBe(`CTRL-EVENT-DISCONNECTED bssid=${AP} reason=3`);
    await sta.waitEvent('CTRL-EVENT-CONNECTED', from);
    expect(sta.radio.wpaState).toBe('COMPLETED');
  });

  it('a WPS run leaves the network; wps_cancel hands the radio back and it connects again', { timeout: 90_000 }, async () => {
    lab = await startLab();
    const { sta } = await startedStation(lab, '02:00:00:00:0d:06', network());
    await sta.waitEvent('CTRL-EVENT-CONNECTED');
    const from = sta.events.length;
    expect(await sta.cmd('WPS_PBC')).toBe('OK\n');
    await sta.waitEvent('CTRL-EVENT-DISCONNECTED', from);
    expect(await sta.cmd('WPS_CANCEL')).toBe('OK\n');
    const cancelled = sta.events.length;
    expect(await sta.waitEvent('CTRL-EVENT-CONNECTED', cancelled)).toBe(`CTRL-EVENT-CONNECTED - Connection to ${AP} completed [id=0 id_str=]`);
  });

  it('with only a disabled network it does not scan at start and stays disconnected', { timeout: 60_000 }, async () => {
    lab = await startLab();
    const { sta, log } = await startedStation(lab, '02:00:00:00:0d:02', network('\tdisabled=1\n'));
    expect(log).toContain('No enabled networks - do not scan');
    expect(sta.events.filter((e) => e.startsWith('CTRL-EVENT-SCAN-STARTED'))).toEqual([]);
    expect(sta.radio.wpaState).toBe('DISCONNECTED');
  });

  it('ieee80211w=1 (optional) connects without PMF; an AP offering MFP (MFPC, not MFPR) is selected too', { timeout: 60_000 }, async () => {
    lab = await startLab();
    const { sta } = await startedStation(lab, '02:00:00:00:0d:03', network('\tieee80211w=1\n'));
    await sta.waitEvent('CTRL-EVENT-CONNECTED');
    expect(lab.apLines.some((l) => l.startsWith(`AP-STA-CONNECTED ${sta.driver.address}`))).toBe(true);
    await stopLab(lab);
    // The lab AP's authenticator always sends an RSN element without MFPC in message 3, so only the selection is shown here.
    lab = await startLab({ rsnCapabilities: RsnCapability.MFPC });
    const mfpc = await startedStation(lab, '02:00:00:00:0d:05', network('\tieee80211w=1\n'));
    await mfpc.sta.waitEvent(`Trying to associate with ${AP}`);
    expect(mfpc.log.filter((l) => l.includes('skip'))).toEqual([]);
  });

  for (const c of [
    { name: 'ieee80211w=2 (required), AP without MFPC', caps: 0, conf: network('\tieee80211w=2\n'), skip: '   skip RSN IE - no mgmt frame protection' },
    { name: 'ieee80211w=2 (required), AP with MFPC: no BIP here', caps: RsnCapability.MFPC, conf: network('\tieee80211w=2\n'), skip: '   skip RSN IE - no mgmt frame protection' },
    { name: 'global pmf=2 on a PSK network', caps: RsnCapability.MFPC, conf: `pmf=2\n${network()}`, skip: '   skip RSN IE - no mgmt frame protection' },
    { name: 'ieee80211w=1 and an AP that requires MFP (MFPR)', caps: RsnCapability.MFPC | RsnCapability.MFPR, conf: network('\tieee80211w=1\n'), skip: '   skip RSN IE - no mgmt frame protection enabled but AP requires it' },
    { name: 'global pmf=1 (dropped without BIP) and an AP that requires MFP', caps: RsnCapability.MFPC | RsnCapability.MFPR, conf: `pmf=1\n${network()}`, skip: '   skip RSN IE - no mgmt frame protection enabled but AP requires it' },
  ]) {
    it(`${c.name}: no BSS is selected, the reason logged as wpa_supplicant's`, { timeout: 60_000 }, async () => {
      lab = await startLab({ rsnCapabilities: c.caps });
      const { sta, log } = await startedStation(lab, '02:00:00:00:0d:04', c.conf);
      await scansDone(sta, 1);
      await until(() => log.includes(c.skip), 'the skip line');
      expect(log).toContain(`0: ${AP} ssid='${SSID}'`);
      await sta.radio.settled();
      expect(sta.events.filter((e) => /^(Trying to associate|CTRL-EVENT-CONNECTED)/.test(e))).toEqual([]);
      expect(lab.apLines.filter((l) => l.startsWith('AP-STA-CONNECTED'))).toEqual([]);
    });
  }
});
