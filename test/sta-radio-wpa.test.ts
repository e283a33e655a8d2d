/**
 * The station side of WPA2-PSK against the in-process WPS AP of
 * sta-radio-helpers (WpsAp + WpaStations): an AP that never starts the 4-way
 * handshake leaves the station unconnected with wpa_supplicant's timeout
 * events, a PTK rekey (a new 4-way handshake on a completed association)
 * keeps the station COMPLETED, and removing the network in use disconnects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AP, PASSPHRASE, SSID, addStation, startLab, stopLab, type Lab } from './sta-radio-helpers.js';

let lab: Lab | undefined;
afterEach(async () => {
  if (lab !== undefined) await stopLab(lab);
  lab = undefined;
});

const network = (psk: string): string => `network={\n\tssid="${SSID}"\n\tpsk="${psk}"\n\tkey_mgmt=WPA-PSK\n}\n`;

describe('wpsd sta (driver=sim): the 4-way handshake from the station side', () => {
  it('an AP that never sends message 1: "Authentication with <bssid> timed out.", deauthentication, CTRL-EVENT-SSID-TEMP-DISABLED reason=AUTH_FAILED', { timeout: 60_000 }, async () => {
    lab = await startLab();
    lab.wpa.stop();
    const sta = await addStation(lab, '02:00:00:00:0c:01', network(PASSPHRASE), { handshakeTimeoutMs: 1_000 });
    expect(await sta.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    const disabled = await sta.waitEvent('CTRL-EVENT-SSID-TEMP-DISABLED');
    expect(disabled).toBe(`CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid="${SSID}" auth_failures=1 duration=10 reason=AUTH_FAILED`);
    const lines = sta.events.filter((e) => /^(Authentication with|CTRL-EVENT-DISCONNECTED|CTRL-EVENT-SSID-TEMP|CTRL-EVENT-CONNECTED)/.test(e));
    expect(lines).toEqual([`Authentication with ${AP} timed out.`, `CTRL-EVENT-DISCONNECTED bssid=${AP} reason=3 locally_generated=1`, disabled]);
    await sta.radio.settled();
    expect(sta.radio.wpaState).toBe('DISCONNECTED');
  });

  it('REMOVE_NETWORK of the network in use leaves the AP (reason 3, locally generated); removing another one does not', { timeout: 60_000 }, async () => {
    lab = await startLab();
    const sta = await addStation(lab, '02:00:00:00:0c:03', network(PASSPHRASE) + network('other-passphrase'));
    expect(await sta.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await sta.waitEvent('CTRL-EVENT-CONNECTED');
    const from = sta.events.length;
    expect(await sta.cmd('REMOVE_NETWORK 1')).toBe('OK\n');
    await sta.waitEvent('CTRL-EVENT-NETWORK-REMOVED 1', from);
    expect(sta.radio.wpaState).toBe('COMPLETED');
    expect(await sta.cmd('REMOVE_NETWORK all')).toBe('OK\n');
    expect(await sta.waitEvent('CTRL-EVENT-DISCONNECTED', from)).toBe(`CTRL-EVENT-DISCONNECTED bssid=${AP} reason=3 locally_generated=1`);
    expect(sta.events.slice(from).filter((e) => e.startsWith('CTRL-EVENT-DISCONNECTED'))).toHaveLength(1);
    await sta.radio.settled();
    expect(sta.radio.wpaState).not.toBe('COMPLETED');
  });

  it('a second 4-way handshake on a completed association (the AP starting it again) ends COMPLETED with new keys', { timeout: 60_000 }, async () => {
    lab = await startLab();
    const sta = await addStation(lab, '02:00:00:00:0c:02', network(PASSPHRASE));
    expect(await sta.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await sta.waitEvent('CTRL-EVENT-CONNECTED');
    const first = sta.driver.keyData('pairwise', AP);
    const from = sta.events.length;
    // The AP side restarts the handshake for this station (as hostapd's PTK rekey does).
    lab.wpa['sessions'].get(sta.driver.address)?.start();
    await sta.waitEvent('WPA: Key negotiation completed', from);
    expect(sta.radio.wpaState).toBe('COMPLETED');
    expect(sta.driver.keyData('pairwise', AP)).not.toEqual(first);
    expect(sta.driver.keyData('pairwise', AP)).toEqual(lab.apDriver.keyData('pairwise', sta.driver.address));
  });
});
