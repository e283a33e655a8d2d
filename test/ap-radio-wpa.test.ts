/**
 * WPA2-PSK between `wpsd ap` (driver=sim, in process: hostapd.conf, control
 * socket, radio path) and the station side of `wpsd sta` (RadioStation on a
 * SimStationDriver with its control commands), over one sim medium:
 * connected only after the 4-way handshake, a wrong passphrase refused with
 * hostapd's and wpa_supplicant's events, WPS enrollment followed by the
 * 4-way handshake with the received credential, wpa_psk_file's per-device
 * PSKs, the group key handshake, and the port of the sim radio.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimApDriver } from '../src/radio/sim/ap-driver.js';
import type { MacAddress } from '../src/radio/mac.js';
import type { ApDaemon } from '../src/ap/main.js';
import type { CtrlClient } from '../src/ctrl/client.js';
import { addStation, until, type Station } from './sta-radio-helpers.js';
import { firstCtrl, startSimApLab, stopSimApLab, wpsWpa2BssLines, type SimApLab } from './sim-ap-lab.js';

const AP: MacAddress = '02:00:00:00:0a:00';
const IFACE = 'wap0';
const CHANNEL = 6;
const SSID = 'wpsd-wpa';
const PASSPHRASE = 'correct horse battery';

interface Lab extends SimApLab {
  ap: ApDaemon;
  ctrl: CtrlClient;
  /** The AP's control events. */
  events: string[];
}

let lab: Lab | undefined;

async function startLab(extra: string[] = [], prepare?: (dir: string) => void): Promise<Lab> {
  const base = await startSimApLab({
    name: 'wpsd-apwpa',
    medium: { seed: 11, loss: 0 },
    lines: [
      ...wpsWpa2BssLines({ iface: IFACE, bssid: AP, channel: CHANNEL, ssid: SSID, passphrase: PASSPHRASE }),
      'config_methods=label virtual_display virtual_push_button keypad',
      ...extra,
    ],
    ...(prepare !== undefined ? { prepare } : {}),
    start: { bssOptions: { noUpnp: true } },
  });
  const c = firstCtrl(base);
  lab = { ...base, ctrl: c.client, events: c.events };
  return lab;
}

afterEach(async () => {
  const l = lab;
  lab = undefined;
  if (l !== undefined) await stopSimApLab(l);
});

const network = (psk: string): string => `update_config=1\nnetwork={\n\tssid="${SSID}"\n\tpsk="${psk}"\n\tkey_mgmt=WPA-PSK\n\tproto=RSN\n}\n`;
const statusOf = async (s: Station): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await s.cmd('STATUS'))
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
const apDriver = (l: Lab): SimApDriver => l.ap.bsses[0]?.['opts'].driver as SimApDriver;

describe('wpsd ap + wpsd sta (driver=sim): WPA2-PSK', () => {
  it('a station with the passphrase is connected only after the 4-way handshake: AP-STA-CONNECTED, then EAPOL-4WAY-HS-COMPLETED; keys and ports on both radios', { timeout: 60_000 }, async () => {
    const l = await startLab();
    const sta = await addStation(l, '02:00:00:00:0b:01', network(PASSPHRASE));
    expect(await sta.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    const connected = await sta.waitEvent('CTRL-EVENT-CONNECTED');
    expect(connected).toBe(`CTRL-EVENT-CONNECTED - Connection to ${AP} completed [id=0 id_str=]`);
    const neg = sta.events.indexOf(`WPA: Key negotiation completed with ${AP} [PTK=CCMP GTK=CCMP]`);
    expect(neg).toBeGreaterThanOrEqual(0);
    expect(neg).toBeLessThan(sta.events.indexOf(connected));
    await until(() => l.events.includes(`EAPOL-4WAY-HS-COMPLETED ${sta.driver.address}`), 'EAPOL-4WAY-HS-COMPLETED');
    expect(l.events.filter((e) => /^(AP-STA-|EAPOL-4WAY)/.test(e))).toEqual([`AP-STA-CONNECTED ${sta.driver.address}`, `EAPOL-4WAY-HS-COMPLETED ${sta.driver.address}`]);
    const st = await statusOf(sta);
    expect(st).toMatchObject({ bssid: AP, ssid: SSID, id: '0', wpa_state: 'COMPLETED', key_mgmt: 'WPA2-PSK', pairwise_cipher: 'CCMP', group_cipher: 'CCMP' });
    // hostapd_cli sta <addr>: the station's port shows as [AUTHORIZED].
    expect(await l.ctrl.request(`STA ${sta.driver.address}`)).toMatch(/^flags=\[AUTH\]\[ASSOC\]\[AUTHORIZED\]/m);

    // The same temporal key on both radios, the GTK the AP transmits with, both ports open.
    const d = apDriver(l);
    expect(d.keyData('pairwise', sta.driver.address)).toEqual(sta.driver.keyData('pairwise', AP));
    const gtkIndex = d.installedKeys().find((k) => k.type === 'group' && k.defaultTx)?.keyIndex ?? -1;
    expect(sta.driver.keyData('group', gtkIndex)).toEqual(d.keyData('group', gtkIndex));
    expect(d.stations().find((s) => s.addr === sta.driver.address)?.authorized).toBe(true);
    expect(sta.driver.connection()?.authorized).toBe(true);
    const got = new Promise((resolve) => d.onEvent((e) => e.type === 'rx-data' && resolve(e.payload)));
    await sta.driver.sendData(0x0800, Buffer.from('ping'));
    expect(Buffer.from((await got) as Uint8Array).toString()).toBe('ping');

    // A new GTK reaches the station with the group key handshake.
    await l.ap.bsses[0]?.wpa?.stations.rekeyGroup();
    await sta.waitEvent(`WPA: Group rekeying completed with ${AP} [GTK=CCMP]`);
    const next = d.installedKeys().find((k) => k.type === 'group' && k.defaultTx)?.keyIndex ?? -1;
    expect(next).not.toBe(gtkIndex);
    await until(() => sta.driver.keyData('group', next) !== undefined, 'the new GTK on the station');
    expect(sta.driver.keyData('group', next)).toEqual(d.keyData('group', next));
    expect((await statusOf(sta)).wpa_state).toBe('COMPLETED');

    // Leaving: AP-STA-DISCONNECTED.
    const from = sta.events.length;
    await sta.radio.stop();
    await until(() => l.events.includes(`AP-STA-DISCONNECTED ${sta.driver.address}`), 'AP-STA-DISCONNECTED');
    expect(sta.events.slice(from).some((e) => e.startsWith('CTRL-EVENT-DISCONNECTED'))).toBe(true);
  });

  it('a wrong passphrase never completes: AP-STA-POSSIBLE-PSK-MISMATCH on the AP; the station prints the PSK warning and CTRL-EVENT-SSID-TEMP-DISABLED reason=WRONG_KEY', { timeout: 60_000 }, async () => {
    const l = await startLab();
    const sta = await addStation(l, '02:00:00:00:0b:02', network('not the passphrase'));
    expect(await sta.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await until(() => l.events.includes(`AP-STA-POSSIBLE-PSK-MISMATCH ${sta.driver.address}`), 'AP-STA-POSSIBLE-PSK-MISMATCH');
    const disabled = await sta.waitEvent('CTRL-EVENT-SSID-TEMP-DISABLED');
    expect(disabled).toBe(`CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid="${SSID}" auth_failures=1 duration=10 reason=WRONG_KEY`);
    const lines = sta.events.filter((e) => /^(CTRL-EVENT-DISCONNECTED|WPA: 4-Way|CTRL-EVENT-SSID-TEMP)/.test(e));
    // hostapd gives up after four message 1s and deauthenticates with reason 15 (4-way handshake timeout).
    expect(lines).toEqual([`CTRL-EVENT-DISCONNECTED bssid=${AP} reason=15`, 'WPA: 4-Way Handshake failed - pre-shared key may be incorrect', disabled]);
    expect(sta.events.some((e) => e.startsWith('CTRL-EVENT-CONNECTED') || e.startsWith('WPA: Key negotiation'))).toBe(false);
    expect(l.events.some((e) => e.startsWith('AP-STA-CONNECTED') || e.startsWith('EAPOL-4WAY-HS-COMPLETED'))).toBe(false);
    expect(l.events.filter((e) => e.startsWith('AP-STA-POSSIBLE-PSK-MISMATCH')).length).toBeGreaterThanOrEqual(1);
    await sta.radio.settled();
    expect((await statusOf(sta)).wpa_state).not.toBe('COMPLETED');
    expect(sta.driver.installedKeys()).toEqual([]);
  });

  it('WPS PBC enrollment, then the 4-way handshake with the received credential', { timeout: 60_000 }, async () => {
    const l = await startLab();
    const sta = await addStation(l, '02:00:00:00:0b:03');
    expect(await l.ctrl.request('WPS_PBC')).toBe('OK\n');
    expect(await sta.cmd('WPS_PBC')).toBe('OK\n');
    await sta.waitEvent('WPS-SUCCESS');
    await sta.waitEvent('CTRL-EVENT-CONNECTED');
    expect(sta.events.indexOf(`WPA: Key negotiation completed with ${AP} [PTK=CCMP GTK=CCMP]`)).toBeGreaterThan(sta.events.findIndex((e) => e.startsWith('WPS-CRED-RECEIVED')));
    await until(() => l.events.includes(`EAPOL-4WAY-HS-COMPLETED ${sta.driver.address}`), 'EAPOL-4WAY-HS-COMPLETED');
    // The WPS association itself never opened the port: one AP-STA-CONNECTED, for the WPA2 association.
    expect(l.events.filter((e) => e.startsWith('AP-STA-CONNECTED'))).toEqual([`AP-STA-CONNECTED ${sta.driver.address}`]);
    expect(sta.table.network(0)?.passphrase?.toString()).toBe(PASSPHRASE);
  });

  it('wpa_psk_file: a WPS Enrollee gets its own PSK, appended as "wps=1 <mac> <psk>", and connects with it; the passphrase and the file\'s own entries still work', { timeout: 90_000 }, async () => {
    const fileSta = '02:00:00:00:0b:05';
    const seed = `# per-station PSKs\nkeyid=five ${fileSta} station five passphrase\n`;
    // The file must exist before the AP starts (hostapd refuses otherwise).
    const l = await startLab(['wpa_psk_file=$DIR/hostapd.wpa_psk'], (dir) => writeFileSync(join(dir, 'hostapd.wpa_psk'), seed));
    const file = join(l.dir, 'hostapd.wpa_psk');
    const enrollee = await addStation(l, '02:00:00:00:0b:04');
    expect(await l.ctrl.request('WPS_PBC')).toBe('OK\n');
    expect(await enrollee.cmd('WPS_PBC')).toBe('OK\n');
    await enrollee.waitEvent('CTRL-EVENT-CONNECTED');
    const psk = enrollee.table.network(0)?.psk?.toString('hex') ?? '';
    expect(psk).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(file, 'utf8')).toBe(`${seed}wps=1 ${enrollee.driver.address} ${psk}\n`);
    await until(() => l.events.includes(`EAPOL-4WAY-HS-COMPLETED ${enrollee.driver.address}`), '4-way with the per-device PSK');

    const legacy = await addStation(l, '02:00:00:00:0b:06', network(PASSPHRASE));
    expect(await legacy.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await legacy.waitEvent('CTRL-EVENT-CONNECTED');
    const five = await addStation(l, fileSta, network('station five passphrase'));
    expect(await five.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await five.waitEvent('CTRL-EVENT-CONNECTED');
    // hostapd names the file line whose PSK matched.
    await until(() => l.events.includes(`AP-STA-CONNECTED ${fileSta} keyid=five`), 'AP-STA-CONNECTED with keyid');
    expect(l.events).toContain(`AP-STA-CONNECTED ${legacy.driver.address}`);
    // Another station cannot use station five's PSK.
    const thief = await addStation(l, '02:00:00:00:0b:07', network('station five passphrase'));
    expect(await thief.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await thief.waitEvent('CTRL-EVENT-SSID-TEMP-DISABLED');
    expect(l.events).toContain(`AP-STA-POSSIBLE-PSK-MISMATCH ${thief.driver.address}`);
  });

  it('a BSS without WPS (wps_state=0) advertises RSN and runs the same 4-way handshake', { timeout: 60_000 }, async () => {
    const l = await startLab(['wps_state=0']);
    expect(l.ap.bsses[0]?.wps).toBeUndefined();
    expect(l.ap.bsses[0]?.wpa).toBeDefined();
    const sta = await addStation(l, '02:00:00:00:0b:08', network(PASSPHRASE));
    expect(await sta.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await sta.waitEvent('CTRL-EVENT-CONNECTED');
    await until(() => l.events.includes(`EAPOL-4WAY-HS-COMPLETED ${sta.driver.address}`), 'EAPOL-4WAY-HS-COMPLETED');
    expect((await statusOf(sta)).key_mgmt).toBe('WPA2-PSK');
  });

  it('wpa_group_rekey renews the GTK on its timer and the connected station follows with the group key handshake', { timeout: 60_000 }, async () => {
    const l = await startLab(['wpa_group_rekey=1']);
    const sta = await addStation(l, '02:00:00:00:0b:09', network(PASSPHRASE));
    expect(await sta.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await sta.waitEvent('CTRL-EVENT-CONNECTED');
    await sta.waitEvent(`WPA: Group rekeying completed with ${AP} [GTK=CCMP]`);
    const d = apDriver(l);
    const index = d.installedKeys().find((k) => k.type === 'group' && k.defaultTx)?.keyIndex ?? -1;
    await until(() => Buffer.from(sta.driver.keyData('group', index) ?? []).equals(Buffer.from(d.keyData('group', index) ?? [1])), 'the station holding the current GTK');
  });

  it('new settings (WPS_CONFIG) restart the BSS with its GTK installed again; a station with the new passphrase connects', { timeout: 60_000 }, async () => {
    const l = await startLab();
    const hex = (t: string): string => Buffer.from(t).toString('hex');
    const restarted = new Promise<void>((resolve) => l.ap.bsses[0]?.wps?.onEvent((e) => e.type === 'bss-restarted' && resolve()));
    expect(await l.ctrl.request(`WPS_CONFIG ${hex(SSID)} WPA2PSK CCMP ${hex('a new passphrase')}`)).toBe('OK\n');
    const d = apDriver(l);
    // The restart drops every key with the old BSS; the new one gets a GTK again.
    await restarted;
    await until(() => d.installedKeys().some((k) => k.type === 'group' && k.defaultTx), 'the GTK after the restart');
    const sta = await addStation(l, '02:00:00:00:0b:0a', network('a new passphrase'));
    expect(await sta.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await sta.waitEvent('CTRL-EVENT-CONNECTED');
    await until(() => l.events.includes(`EAPOL-4WAY-HS-COMPLETED ${sta.driver.address}`), 'EAPOL-4WAY-HS-COMPLETED');
  });

  it('an open BSS (wpa=0) authorizes a station at association: AP-STA-CONNECTED, open ports, data both ways', { timeout: 60_000 }, async () => {
    const l = await startLab(['wpa=0']);
    const sta = await addStation(l, '02:00:00:00:0b:0b', `network={\n\tssid="${SSID}"\n\tkey_mgmt=NONE\n}\n`);
    expect(await sta.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await sta.waitEvent('CTRL-EVENT-CONNECTED');
    await until(() => l.events.includes(`AP-STA-CONNECTED ${sta.driver.address}`), 'AP-STA-CONNECTED');
    expect(l.events.some((e) => e.startsWith('EAPOL-4WAY-HS-COMPLETED'))).toBe(false);
    expect((await statusOf(sta)).key_mgmt).toBe('NONE');
    await until(() => sta.driver.connection()?.authorized === true, 'the station port');
    const d = apDriver(l);
    const got = new Promise((resolve) => sta.driver.onEvent((e) => e.type === 'rx-data' && resolve(e.payload)));
    await d.sendData(sta.driver.address, 0x0800, Buffer.from('hello'));
    expect(Buffer.from((await got) as Uint8Array).toString()).toBe('hello');
    expect(d.installedKeys()).toEqual([]);
  });

  it('a wpa_psk_file that does not exist stops the start, as in hostapd', async () => {
    await expect(startLab(['wpa_psk_file=$DIR/missing.psk'])).rejects.toThrow(/wpa_psk_file/);
  });
});

