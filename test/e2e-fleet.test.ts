// Twenty wireless Enrollees at once through one wpsd ap (driver=sim) and one
// External Registrar (Debian wpa_supplicant) holding a PIN for each UUID:
// three are `wpsd sta -D sim` processes, seventeen run src/sta/wireless
// enroll() on their own SimStationDrivers in the test process (twenty node
// processes would be too much for two cores); all share the `wpsd medium`
// of the AP. Bounded: every run ends within the walk time, the test within
// FLEET_MS.
import { describe, expect, it } from 'vitest';
import { macToBytes, type MacAddress } from '../src/radio/mac.js';
import { SimStationDriver } from '../src/radio/sim/station-driver.js';
import { enroll, type EnrollResult } from '../src/sta/wireless/enroll.js';
import { parseDeviceType, type DeviceInfo } from '../src/wps/device.js';
import { pinChecksum } from '../src/wps/pin.js';
import { ConfigMethods, RfBand } from '../src/wps/values.js';
import { startWpaSupplicantEr } from '../harness/wpa-supplicant.js';
import { AP_BSSID, AP_CHANNEL, AP_PASSPHRASE, AP_SSID, ER_MS, staMac, staUuid, waitStaEnrolled } from './e2e-helpers.js';
import { withProxyLab } from './e2e-proxy-suite.js';

const STATIONS = 20;
const PROCESSES = 3;
const FLEET_MS = 120_000;
const WALK_MS = 90_000;
/** Station numbers: 31..50 (other e2e files use lower ones; only the MACs must differ within a medium). */
const FIRST = 31;

/** A valid PIN of its own for each station. */
function pinFor(n: number): string {
  const seven = 1_000_000 + n;
  return `${seven}${pinChecksum(seven)}`;
}

function deviceFor(n: number): DeviceInfo {
  const macAddress = Buffer.from(macToBytes(staMac(n)));
  return {
    uuid: Buffer.from(staUuid(n).replace(/-/g, ''), 'hex'),
    macAddress,
    deviceName: `e2e fleet ${n}`,
    manufacturer: 'wpsd',
    modelName: 'e2e',
    modelNumber: '1',
    serialNumber: '1',
    primaryDeviceType: parseDeviceType('1-0050F204-1'),
    osVersion: 0,
    configMethods: ConfigMethods.Keypad | ConfigMethods.VirtualDisplay,
    rfBands: RfBand.Band24GHz,
  };
}

describe('20 stations enrolled at once through one wpsd ap by one External Registrar', () => {
  const lab = withProxyLab((host) => startWpaSupplicantEr({ host }));

  it(
    'every station gets the AP credential, and the ER reports WPS-SUCCESS twenty times',
    async () => {
      const numbers = Array.from({ length: STATIONS }, (_, i) => FIRST + i);
      lab.erCtrl.mark();
      for (const n of numbers) expect(await lab.erCtrl.request(`WPS_ER_PIN ${staUuid(n)} ${pinFor(n)}`)).toBe('OK\n');

      const procs = await Promise.all(numbers.slice(0, PROCESSES).map((n) => lab.station(n)));
      const drivers: SimStationDriver[] = [];
      try {
        for (const n of numbers.slice(PROCESSES)) {
          drivers.push(await SimStationDriver.open({ mediumPath: lab.medium, address: staMac(n) as MacAddress, channel: AP_CHANNEL, mlmeTimeoutMs: 300, mlmeTries: 6 }));
        }
        for (const { sta } of procs) {
          const n = numbers[procs.findIndex((p) => p.sta === sta)] ?? 0;
          expect(await sta.cli('wps_pin', 'any', pinFor(n))).toBe(pinFor(n));
        }
        const inProcess: Array<Promise<EnrollResult>> = drivers.map((driver, i) => {
          const n = numbers[PROCESSES + i] ?? 0;
          return enroll({
            driver,
            device: deviceFor(n),
            method: { kind: 'pin', pin: pinFor(n) },
            channels: [AP_CHANNEL],
            walkTimeMs: WALK_MS,
            scanDwellMs: 100,
            retryDelayMs: 300,
            eapolStartIntervalMs: 500,
          });
        });
        const [results, connected] = await Promise.all([Promise.all(inProcess), Promise.all(procs.map(({ ctrl }) => waitStaEnrolled(ctrl, WALK_MS)))]);

        expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(Array<string>(STATIONS - PROCESSES).fill('ok'));
        for (const r of results) {
          if (!r.ok) continue;
          expect(r.bssid).toBe(AP_BSSID);
          expect(r.credentials.map((c) => [c.ssid.toString(), c.networkKey.toString()])).toEqual([[AP_SSID, AP_PASSPHRASE]]);
        }
        for (const c of connected) expect(c.connected).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed \\[id=0 `));
        for (const { sta } of procs) expect(await sta.cli('list_networks')).toContain(`0\t${AP_SSID}\tany\t`);
        for (let i = 0; i < STATIONS; i++) expect((await lab.erCtrl.waitFor(/^WPS-SUCCESS/, ER_MS)).text).toBe('WPS-SUCCESS ');
      } finally {
        for (const d of drivers) await d.close();
      }
    },
    FLEET_MS,
  );
});
