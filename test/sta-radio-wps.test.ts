/**
 * The station's WPS commands against a WPS AP on the sim medium: wps_pin,
 * wps_pbc and wps_reg end in a credential that becomes a network block
 * (saved with update_config=1) and an association, or, with
 * wps_cred_processing=1, only in WPS-CRED-RECEIVED <hex>; wps_cancel stops an
 * attempt.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { AttributeType, parseAttributes } from '../src/wps/attributes.js';
import { parseCredential } from '../src/wps/credential.js';
import { isValidPinChecksum } from '../src/wps/pin.js';
import { parseWpaSupplicantConfig } from '../src/sta/config.js';
import { AP, AP_PIN, PASSPHRASE, SSID, addStation, startLab, stopLab, type Lab, type Station } from './sta-radio-helpers.js';

const CONNECTED = `CTRL-EVENT-CONNECTED - Connection to ${AP} completed [id=0 id_str=]`;

/** The event lines of the WPS run, without the scan and association chatter. */
function wpsLines(s: Station): string[] {
  return s.events.filter((e) => /^(WPS-|CTRL-EVENT-NETWORK|CTRL-EVENT-CONNECTED)/.test(e) && !e.startsWith('WPS-AP-AVAILABLE'));
}

function savedNetworks(s: Station): { ssid: string | undefined; passphrase: string | undefined }[] {
  const conf = parseWpaSupplicantConfig(readFileSync(s.config.path), s.config.path).config;
  return conf.networks.map((n) => ({ ssid: n.ssid?.toString(), passphrase: n.passphrase?.toString() }));
}

describe('wpsd sta (driver=sim): wps_pin, wps_pbc, wps_reg, wps_cancel', () => {
  let lab: Lab;
  beforeEach(async () => {
    lab = await startLab();
  });
  afterEach(async () => {
    await stopLab(lab);
  });

  it('wps_pin any returns a valid PIN; with that PIN on the AP the station enrolls, saves network 0 and associates', async () => {
    const s = await addStation(lab, '02:00:00:00:0d:01');
    const pin = await s.cmd('WPS_PIN any');
    expect(pin).toMatch(/^\d{8}$/);
    expect(isValidPinChecksum(pin)).toBe(true);
    await lab.bss.addPin(pin);
    expect(await s.waitEvent('CTRL-EVENT-CONNECTED')).toBe(CONNECTED);
    expect(wpsLines(s)).toEqual(['WPS-PIN-ACTIVE ', 'WPS-CRED-RECEIVED ', 'CTRL-EVENT-NETWORK-ADDED 0', 'WPS-SUCCESS ', CONNECTED]);
    expect(savedNetworks(s)).toEqual([{ ssid: SSID, passphrase: PASSPHRASE }]);
    expect(await s.cmd('LIST_NETWORKS')).toBe(`network id / ssid / bssid / flags\n0\t${SSID}\tany\t[CURRENT]\n`);
    const status = await s.cmd('STATUS');
    expect(status).toContain(`bssid=${AP}\nfreq=2437\nssid=${SSID}\nid=0\nmode=station\n`);
    expect(status).toContain('key_mgmt=WPA2-PSK\nwpa_state=COMPLETED\n');
    // Associated on the medium: the AP's driver lists the station.
    expect(lab.apDriver.stations().map((x) => x.addr)).toContain(s.driver.address);
    expect(lab.apEvents.some((e) => e.type === 'wps' && e.event.type === 'reg-success')).toBe(true);
  });

  it('wps_pbc answers OK and enrolls with an AP in PBC mode, then associates', async () => {
    const s = await addStation(lab, '02:00:00:00:0d:02');
    expect(await lab.bss.pushButton()).toBe(true);
    expect(await s.cmd('WPS_PBC')).toBe('OK\n');
    expect(await s.waitEvent('CTRL-EVENT-CONNECTED')).toBe(CONNECTED);
    expect(wpsLines(s)).toEqual(['WPS-CRED-RECEIVED ', 'CTRL-EVENT-NETWORK-ADDED 0', 'WPS-SUCCESS ', CONNECTED]);
    expect(savedNetworks(s)).toEqual([{ ssid: SSID, passphrase: PASSPHRASE }]);

    // A second enrollment with the same AP: the new block replaces the old one (wpas_wps_remove_dup_network).
    const from = s.events.length;
    expect(await lab.bss.pushButton()).toBe(true);
    expect(await s.cmd(`WPS_PBC ${AP.toUpperCase()}`)).toBe('OK\n');
    const again = CONNECTED.replace('[id=0', '[id=1');
    expect(await s.waitEvent('CTRL-EVENT-CONNECTED', from)).toBe(again);
    expect(s.events.slice(from).filter((e) => /^(WPS-CRED|CTRL-EVENT-NETWORK|CTRL-EVENT-(DIS)?CONNECTED)/.test(e))).toEqual([
      `CTRL-EVENT-DISCONNECTED bssid=${AP} reason=3 locally_generated=1`,
      'WPS-CRED-RECEIVED ',
      'CTRL-EVENT-NETWORK-ADDED 1',
      'CTRL-EVENT-NETWORK-REMOVED 0',
      again,
    ]);
    expect(await s.cmd('LIST_NETWORKS')).toBe(`network id / ssid / bssid / flags\n1\t${SSID}\tany\t[CURRENT]\n`);
    expect(savedNetworks(s)).toEqual([{ ssid: SSID, passphrase: PASSPHRASE }]);
  });

  it('wps_cred_processing=1 reports only WPS-CRED-RECEIVED <hex> with the AP credential and adds no network', async () => {
    const conf = 'update_config=1\nwps_cred_processing=1\n';
    const s = await addStation(lab, '02:00:00:00:0d:03', conf);
    await lab.bss.addPin('12345670');
    expect(await s.cmd('WPS_PIN any 12345670')).toBe('12345670');
    await s.waitEvent('WPS-SUCCESS');
    await s.radio.settled();
    const line = s.events.find((e) => e.startsWith('WPS-CRED-RECEIVED '));
    const hex = line?.slice('WPS-CRED-RECEIVED '.length) ?? '';
    expect(hex).toMatch(/^[0-9a-f]+$/);
    const attrs = parseAttributes(Buffer.from(hex, 'hex'));
    expect(attrs.map((a) => a.type)).toEqual([AttributeType.Credential]);
    const cred = parseCredential(attrs[0]?.value ?? Buffer.alloc(0));
    expect(cred.ssid.toString()).toBe(SSID);
    expect(cred.networkKey.toString()).toBe(PASSPHRASE);
    expect(s.events.some((e) => e.startsWith('CTRL-EVENT-NETWORK-ADDED') || e.startsWith('CTRL-EVENT-CONNECTED'))).toBe(false);
    expect(s.table.list()).toHaveLength(0);
    expect(readFileSync(s.config.path, 'utf8')).toBe(conf);
  });

  it('wps_cred_processing=2 reports WPS-CRED-RECEIVED <hex> and also adds the network and associates', async () => {
    const s = await addStation(lab, '02:00:00:00:0d:04', 'update_config=1\nwps_cred_processing=2\n');
    await lab.bss.addPin('12345670');
    expect(await s.cmd(`WPS_PIN ${AP} 12345670`)).toBe('12345670');
    expect(await s.waitEvent('CTRL-EVENT-CONNECTED')).toBe(CONNECTED);
    const lines = wpsLines(s);
    expect(lines[1]).toMatch(/^WPS-CRED-RECEIVED 100e[0-9a-f]+$/);
    expect(lines.slice(2)).toEqual(['CTRL-EVENT-NETWORK-ADDED 0', 'WPS-SUCCESS ', CONNECTED]);
    expect(savedNetworks(s)).toEqual([{ ssid: SSID, passphrase: PASSPHRASE }]);
  });

  it('wps_reg <bssid> <AP PIN> learns the AP settings, makes them network 0 and associates', async () => {
    const s = await addStation(lab, '02:00:00:00:0d:05');
    expect(await s.cmd(`WPS_REG ${AP} ${AP_PIN}`)).toBe('OK\n');
    expect(await s.waitEvent('CTRL-EVENT-CONNECTED')).toBe(CONNECTED);
    // As wpa_supplicant (hwsim's wps_reg waits for WPS-CRED-RECEIVED, then WPS-FAIL, then the connection).
    expect(wpsLines(s)).toEqual(['WPS-CRED-RECEIVED ', 'CTRL-EVENT-NETWORK-ADDED 0', 'WPS-FAIL msg=11 config_error=0', CONNECTED]);
    expect(await s.cmd('STATUS')).toContain('pairwise_cipher=CCMP\ngroup_cipher=CCMP\nkey_mgmt=WPA2-PSK\nwpa_state=COMPLETED\n');
    expect(savedNetworks(s)).toEqual([{ ssid: SSID, passphrase: PASSPHRASE }]);
  });

  it('wps_reg with new settings (hex SSID and key, as wpa_cli sends them) configures the AP', async () => {
    const s = await addStation(lab, '02:00:00:00:0d:06');
    const newSsid = Buffer.from('wpsd-new').toString('hex');
    const newKey = Buffer.from('a brand new passphrase').toString('hex');
    expect(await s.cmd(`WPS_REG ${AP} ${AP_PIN} ${newSsid} WPA2PSK CCMP ${newKey}`)).toBe('OK\n');
    await s.waitEvent('WPS-SUCCESS');
    const apSet = lab.apEvents.find((e) => e.type === 'wps' && e.event.type === 'new-ap-settings');
    expect(apSet?.type === 'wps' && apSet.event.type === 'new-ap-settings' ? apSet.event.settings.ssid.toString() : undefined).toBe('wpsd-new');
    expect(wpsLines(s)).toEqual(['WPS-CRED-RECEIVED ', 'CTRL-EVENT-NETWORK-ADDED 0', 'WPS-SUCCESS ']);
    expect(s.table.network(0)?.ssid?.toString()).toBe('wpsd-new');
    expect(s.table.network(0)?.passphrase?.toString()).toBe('a brand new passphrase');
    // This test AP keeps its old SSID, so nothing answers for the new network.
    expect(await s.cmd('WPS_CANCEL')).toBe('OK\n');
    expect(savedNetworks(s)).toEqual([{ ssid: 'wpsd-new', passphrase: 'a brand new passphrase' }]);
  });

  it('a PIN the AP does not have ends the attempt with WPS-FAIL msg=8 config_error=18 and no network', async () => {
    const s = await addStation(lab, '02:00:00:00:0d:08');
    await lab.bss.addPin('12345670');
    expect(await s.cmd('WPS_PIN any 55554444')).toBe('55554444');
    expect(await s.waitEvent('WPS-FAIL')).toMatch(/^WPS-FAIL msg=8 config_error=18( |$)/);
    await s.radio.settled();
    expect(s.radio.wpsActive).toBe(false);
    expect(s.table.list()).toHaveLength(0);
    expect((await s.cmd('STATUS')).startsWith('wpa_state=DISCONNECTED\n')).toBe(true);
  });

  it('wps_cancel stops a running attempt: WPS-CANCEL, the radio is free, no credential', async () => {
    const s = await addStation(lab, '02:00:00:00:0d:07');
    const pin = await s.cmd('WPS_PIN any');
    expect(pin).toMatch(/^\d{8}$/);
    expect(s.radio.wpsActive).toBe(true);
    // The AP has no PIN: the station keeps scanning; one scan round shows it is working.
    await s.waitEvent('CTRL-EVENT-SCAN-RESULTS');
    expect(await s.cmd('WPS_CANCEL')).toBe('OK\n');
    expect(s.radio.wpsActive).toBe(false);
    expect(s.events).toContain('WPS-CANCEL ');
    const from = s.events.length;
    expect(await s.cmd('SCAN')).toBe('OK\n');
    await s.waitEvent('CTRL-EVENT-SCAN-RESULTS', from);
    expect(s.events.some((e) => e.startsWith('WPS-CRED-RECEIVED') || e.startsWith('WPS-SUCCESS'))).toBe(false);
    expect(s.table.list()).toHaveLength(0);
  });
});
