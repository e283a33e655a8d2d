/**
 * Multi-AP (README-MULTI-AP) between `wpsd ap` (driver=sim, in process,
 * hostapd.conf with bss= sections) and stations on one sim medium:
 * - the association matrix multi_ap=0..3 x station with / without the
 *   Multi-AP element, as the daemon answers it (status, the element's bits in
 *   the response, 4-address mode in the AP's driver), and the element in
 *   Beacons / Probe Responses;
 * - onboarding: a fronthaul BSS (multi_ap=2, WPS, backhaul credentials) and a
 *   backhaul BSS (bss=, multi_ap=1, its own BSSID, SSID and passphrase) on one
 *   radio; `WPS_PBC multi_ap=1` on the station gets the backhaul credential,
 *   saves it with multi_ap_backhaul_sta=1 and ends connected (after the 4-way
 *   handshake) to the backhaul BSS in 4-address mode, data crossing; a plain
 *   station with the backhaul passphrase is refused there and admitted on
 *   the fronthaul BSS with the fronthaul passphrase.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimApDriver } from '../src/radio/sim/ap-driver.js';
import { SimStationDriver } from '../src/radio/sim/station-driver.js';
import { StatusCode } from '../src/radio/frame.js';
import type { MacAddress } from '../src/radio/mac.js';
import { buildMultiApElement, findMultiApElement, MultiApCapability } from '../src/radio/multi-ap-ie.js';
import { rsnElement, wpa2PersonalRsn } from '../src/radio/rsn-ie.js';
import type { CtrlClient } from '../src/ctrl/client.js';
import { addStation, until } from './sta-radio-helpers.js';
import { startSimApLab, stopSimApLab, type SimApLab } from './sim-ap-lab.js';

const FRONT: MacAddress = '02:00:00:00:0a:00';
const BACK: MacAddress = '02:00:00:00:0a:01';
const CHANNEL = 6;
const FRONT_SSID = 'wpsd-front';
const FRONT_PASS = 'fronthaul passphrase';
const BACK_SSID = 'wpsd-back';
const BACK_PASS = 'backhaul passphrase';
interface Lab extends SimApLab {
  /** Control events per interface. */
  events: Map<string, string[]>;
}

let lab: Lab | undefined;

async function startLab(lines: string[]): Promise<Lab> {
  const base = await startSimApLab({
    name: 'wpsd-multiap',
    medium: { seed: 13, loss: 0 },
    lines: [`channel=${CHANNEL}`, ...lines],
    start: { bssOptions: { noUpnp: true } },
  });
  lab = { ...base, events: new Map([...base.ctrls].map(([iface, c]) => [iface, c.events])) };
  return lab;
}

/** The control clients, in BSS order. */
const ctrlClients = (l: Lab): CtrlClient[] => [...l.ctrls.values()].map((c) => c.client);

afterEach(async () => {
  const l = lab;
  lab = undefined;
  if (l !== undefined) await stopSimApLab(l);
});

const bssLines = (o: { iface: string; bssid: MacAddress; ssid: string; pass: string; multiAp: number; first?: boolean; extra?: string[] }): string[] => [
  `${o.first === true ? 'interface' : 'bss'}=${o.iface}`,
  `bssid=${o.bssid}`,
  'ctrl_interface=$DIR/ctrl',
  `ssid=${o.ssid}`,
  'wpa=2',
  'wpa_key_mgmt=WPA-PSK',
  'rsn_pairwise=CCMP',
  `wpa_passphrase=${o.pass}`,
  `multi_ap=${o.multiAp}`,
  ...(o.extra ?? []),
];

const apDriverOf = (l: Lab, i: number): SimApDriver => l.ap.bsses[i]?.['opts'].driver as SimApDriver;

describe('wpsd ap (driver=sim): multi_ap association rules', () => {
  // hostapd 2.10 check_multi_ap(); a fronthaul-only BSS admits a backhaul STA (that is the WPS onboarding association).
  const rows = [
    { multiAp: 0, element: false, status: StatusCode.SUCCESS, bits: undefined, fourAddr: false },
    { multiAp: 0, element: true, status: StatusCode.SUCCESS, bits: undefined, fourAddr: false },
    { multiAp: 1, element: false, status: StatusCode.ASSOC_DENIED_UNSPEC, bits: undefined, fourAddr: false },
    { multiAp: 1, element: true, status: StatusCode.SUCCESS, bits: 0x40, fourAddr: true },
    { multiAp: 2, element: false, status: StatusCode.SUCCESS, bits: undefined, fourAddr: false },
    { multiAp: 2, element: true, status: StatusCode.SUCCESS, bits: 0x20, fourAddr: false },
    { multiAp: 3, element: false, status: StatusCode.SUCCESS, bits: undefined, fourAddr: false },
    { multiAp: 3, element: true, status: StatusCode.SUCCESS, bits: 0x60, fourAddr: true },
  ];
  it('multi_ap 0-3 x station with / without the Multi-AP element: status, element bits, 4-address mode; the element in Beacons and Probe Responses', { timeout: 90_000 }, async () => {
    for (const multiAp of [0, 1, 2, 3]) {
      const l = await startLab(bssLines({ iface: 'wap0', bssid: FRONT, ssid: FRONT_SSID, pass: FRONT_PASS, multiAp, first: true }));
      const sta = await SimStationDriver.open({ mediumPath: join(l.dir, 'm.sock'), address: '02:00:00:00:0b:01', channel: CHANNEL, mlmeTimeoutMs: 150, mlmeTries: 4 });
      l.drivers.push(sta);
      const scan = (await sta.scan({ channels: [CHANNEL], dwellMs: 80 })).find((r) => r.bssid === FRONT);
      expect(scan, `multi_ap=${multiAp}: scan`).toBeDefined();
      const announced = multiAp === 0 ? undefined : ((multiAp & 1 ? 0x40 : 0) | (multiAp & 2 ? 0x20 : 0));
      expect(findMultiApElement(scan?.elements ?? [])?.capability, `multi_ap=${multiAp}: probe response`).toBe(announced);
      expect(findMultiApElement(scan?.beaconElements ?? scan?.elements ?? [])?.capability, `multi_ap=${multiAp}: beacon`).toBe(announced);
      for (const row of rows.filter((r) => r.multiAp === multiAp)) {
        const what = `multi_ap=${multiAp} station ${row.element ? 'with' : 'without'} the element`;
        const elements = [rsnElement(wpa2PersonalRsn())];
        if (row.element) elements.push(buildMultiApElement({ capability: MultiApCapability.BACKHAUL_STA, profile: 1 }));
        const r = await sta.connect({ bssid: FRONT, ssid: Buffer.from(FRONT_SSID), channel: CHANNEL, elements, fourAddr: row.element });
        if (row.status === StatusCode.SUCCESS) {
          expect(r.ok, what).toBe(true);
          expect(r.ok && findMultiApElement(r.elements)?.capability, what).toBe(row.bits);
          const inDriver = await until(() => apDriverOf(l, 0).stations().find((s) => s.addr === sta.address), `${what}: the station in the AP's driver`);
          expect(inDriver.fourAddr ?? false, what).toBe(row.fourAddr);
        } else {
          expect(r, what).toMatchObject({ ok: false, stage: 'association', status: row.status });
          expect(apDriverOf(l, 0).stations(), what).toEqual([]);
        }
        if (r.ok) await sta.disconnect();
        await until(() => apDriverOf(l, 0).stations().length === 0, `${what}: the station gone`);
      }
      await sta.close();
      l.drivers.length = 0;
      lab = undefined;
      await stopSimApLab(l);
    }
  });
});

const staNetwork = (ssid: string, pass: string, backhaul = false): string =>
  `update_config=1\nnetwork={\n\tssid="${ssid}"\n\tpsk="${pass}"\n\tkey_mgmt=WPA-PSK\n\tproto=RSN\n${backhaul ? '\tmulti_ap_backhaul_sta=1\n' : ''}}\n`;

const onboardingLab = (): Promise<Lab> =>
  startLab([
    ...bssLines({
      iface: 'wap0',
      bssid: FRONT,
      ssid: FRONT_SSID,
      pass: FRONT_PASS,
      multiAp: 2,
      first: true,
      extra: ['eap_server=1', 'wps_state=2', 'config_methods=virtual_push_button keypad', `multi_ap_backhaul_ssid="${BACK_SSID}"`, `multi_ap_backhaul_wpa_passphrase=${BACK_PASS}`],
    }),
    ...bssLines({ iface: 'wap0_1', bssid: BACK, ssid: BACK_SSID, pass: BACK_PASS, multiAp: 1 }),
  ]);

describe('wpsd ap + wpsd sta (driver=sim): Multi-AP backhaul onboarding', () => {
  it('WPS_PBC multi_ap=1 on the fronthaul BSS: backhaul credential in M8, saved with multi_ap_backhaul_sta=1, connected to the backhaul BSS in 4-address mode after the 4-way handshake', { timeout: 90_000 }, async () => {
    const l = await onboardingLab();
    const front = l.events.get('wap0') ?? [];
    const back = l.events.get('wap0_1') ?? [];
    const sta = await addStation(l, '02:00:00:00:0b:02');
    expect(await ctrlClients(l)[0]?.request('WPS_PBC')).toBe('OK\n');
    expect(await sta.cmd('WPS_PBC multi_ap=1')).toBe('OK\n');
    await sta.waitEvent('WPS-SUCCESS');
    const connected = await sta.waitEvent('CTRL-EVENT-CONNECTED');
    expect(connected).toBe(`CTRL-EVENT-CONNECTED - Connection to ${BACK} completed [id=0 id_str=]`);
    const net = sta.table.network(0);
    expect(net?.ssid?.toString()).toBe(BACK_SSID);
    expect(net?.passphrase?.toString()).toBe(BACK_PASS);
    expect(net?.multiApBackhaulSta).toBe(1);
    expect(sta.table.list().length).toBe(1);
    await sta.radio.settled();
    expect(readFileSync(join(l.dir, 'sta-020000000b02.conf'), 'utf8')).toMatch(/ssid="wpsd-back"[\s\S]*multi_ap_backhaul_sta=1/);
    // The WPS association went to the fronthaul BSS, the data association to the backhaul BSS.
    expect(front.some((e) => e.startsWith('WPS-REG-SUCCESS 02:00:00:00:0b:02'))).toBe(true);
    await until(() => back.includes('EAPOL-4WAY-HS-COMPLETED 02:00:00:00:0b:02'), 'EAPOL-4WAY-HS-COMPLETED on the backhaul BSS');
    expect(front.some((e) => e.startsWith('AP-STA-CONNECTED'))).toBe(false);
    expect(sta.driver.connection()).toMatchObject({ bssid: BACK, fourAddr: true, authorized: true });
    const d = apDriverOf(l, 1);
    expect(d.stations().find((s) => s.addr === sta.driver.address)).toMatchObject({ fourAddr: true, authorized: true });
    const got = new Promise((resolve) => d.onEvent((e) => e.type === 'rx-data' && resolve(e.payload)));
    await sta.driver.sendData(0x0800, Buffer.from('over the backhaul'));
    expect(Buffer.from((await got) as Uint8Array).toString()).toBe('over the backhaul');
  });

  it('a plain station with the backhaul passphrase is refused on the backhaul BSS (status 12) and admitted on the fronthaul BSS with the fronthaul passphrase', { timeout: 90_000 }, async () => {
    const l = await onboardingLab();
    const plain = await addStation(l, '02:00:00:00:0b:03', staNetwork(BACK_SSID, BACK_PASS));
    const attempt = await plain.driver.connect({ bssid: BACK, ssid: Buffer.from(BACK_SSID), channel: CHANNEL, elements: [rsnElement(wpa2PersonalRsn())] });
    expect(attempt).toMatchObject({ ok: false, stage: 'association', status: StatusCode.ASSOC_DENIED_UNSPEC });
    expect(await plain.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await plain.radio.settled();
    expect(plain.events.some((e) => e.startsWith('CTRL-EVENT-CONNECTED'))).toBe(false);
    expect(apDriverOf(l, 1).stations()).toEqual([]);

    const front = await addStation(l, '02:00:00:00:0b:04', staNetwork(FRONT_SSID, FRONT_PASS));
    expect(await front.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    expect(await front.waitEvent('CTRL-EVENT-CONNECTED')).toBe(`CTRL-EVENT-CONNECTED - Connection to ${FRONT} completed [id=0 id_str=]`);
    expect(front.driver.connection()).toMatchObject({ bssid: FRONT, fourAddr: false });
  });

  it('multi_ap_backhaul_sta=1 fails the association with a BSS whose Multi-AP element does not name a backhaul BSS (fronthaul-only, outside WPS)', { timeout: 60_000 }, async () => {
    const l = await onboardingLab();
    const sta = await addStation(l, '02:00:00:00:0b:05', staNetwork(FRONT_SSID, FRONT_PASS, true));
    expect(await sta.cmd('SELECT_NETWORK 0')).toBe('OK\n');
    await sta.radio.settled();
    expect(sta.events.some((e) => e.startsWith('CTRL-EVENT-CONNECTED'))).toBe(false);
    expect(sta.driver.connection()).toBeUndefined();
  });
});
