/**
 * The station's SCAN / SCAN_RESULTS / BSS against a WPS AP on the sim
 * medium: the WPS flags follow the AP's Selected Registrar, each scan ends in
 * the matching WPS-AP-AVAILABLE event, and Debian's wpa_cli reads the same
 * replies through a real control socket.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CtrlServer } from '../src/ctrl/server.js';
import { ConfigMethods, DevicePasswordId } from '../src/wps/values.js';
import { isValidPinChecksum } from '../src/wps/pin.js';
import { registerRadioCommands } from '../src/sta/radio-commands.js';
import { AP, CHANNEL, SSID, WAIT_MS, addStation, scanLine, startLab, stopLab, type Lab } from './sta-radio-helpers.js';

const run = promisify(execFile);
const FREQ = 2407 + 5 * CHANNEL;

describe('wpsd sta (driver=sim): scan, scan_results and bss', () => {
  let lab: Lab;
  beforeEach(async () => {
    lab = await startLab();
  });
  afterEach(async () => {
    await stopLab(lab);
  });

  it('scan answers OK and the scan_results flags follow the AP: [WPS], [WPS-PIN], [WPS-AUTH], [WPS-PBC]', async () => {
    const s = await addStation(lab, '02:00:00:00:0c:01');
    const head = `${AP}\t${FREQ}\t-30\t[WPA2-PSK-CCMP]`;

    let from = s.events.length;
    expect(await scanLine(s)).toBe(`${head}[WPS][ESS]\t${SSID}`);
    expect(s.events.slice(from)).toEqual(['CTRL-EVENT-SCAN-STARTED ', 'CTRL-EVENT-SCAN-RESULTS ', 'WPS-AP-AVAILABLE ']);
    expect((await s.cmd('SCAN_RESULTS')).startsWith('bssid / frequency / signal level / flags / ssid\n')).toBe(true);
    // The Probe Requests carried the station's WPS element (Request Type: Enrollee, Info only).
    const seen = lab.apEvents.find((e) => e.type === 'enrollee-seen' && e.addr === s.driver.address);
    expect(seen?.type === 'enrollee-seen' ? [seen.probe.requestType, seen.probe.deviceName, seen.probe.version2, seen.probe.pbc] : undefined).toEqual([0, 'sta 01', true, false]);

    // A PIN Registrar selected for another station: [WPS-PIN].
    lab.link.select('er-1', { devicePasswordId: DevicePasswordId.Default, configMethods: ConfigMethods.Keypad, authorizedMacs: [Buffer.from('020000000cff', 'hex')] });
    from = s.events.length;
    expect(await scanLine(s)).toBe(`${head}[WPS-PIN][ESS]\t${SSID}`);
    expect(s.events.slice(from)).toContain('WPS-AP-AVAILABLE-PIN ');

    // WPS_PIN any on the AP authorizes every station (broadcast Authorized MAC): [WPS-AUTH].
    await lab.bss.addPin('12345670');
    from = s.events.length;
    expect(await scanLine(s)).toBe(`${head}[WPS-AUTH][ESS]\t${SSID}`);
    expect(s.events.slice(from)).toContain('WPS-AP-AVAILABLE-AUTH ');

    await lab.bss.cancel();
    expect(await lab.bss.pushButton()).toBe(true);
    from = s.events.length;
    expect(await scanLine(s)).toBe(`${head}[WPS-PBC][ESS]\t${SSID}`);
    expect(s.events.slice(from)).toContain('WPS-AP-AVAILABLE-PBC ');
  });

  it('bss <id|bssid|FIRST> lists the BSS with its WPS attributes; an unknown one gives an empty reply', async () => {
    const s = await addStation(lab, '02:00:00:00:0c:02');
    expect(await lab.bss.pushButton()).toBe(true);
    await scanLine(s);
    const reply = await s.cmd(`BSS ${AP.toUpperCase()}`);
    const lines = reply.split('\n');
    expect(lines.slice(0, 3)).toEqual(['id=0', `bssid=${AP}`, `freq=${FREQ}`]);
    expect(lines).toContain('flags=[WPA2-PSK-CCMP][WPS-PBC][ESS]');
    expect(lines).toContain(`ssid=${SSID}`);
    expect(lines).toContain('wps_state=configured');
    expect(lines).toContain('wps_selected_registrar=1');
    expect(lines).toContain('wps_device_password_id=4');
    expect(lines).toContain('wps_device_name=wpsd AP');
    expect(lines.find((l) => l.startsWith('ie='))).toMatch(/^ie=00[0-9a-f]{2}/);
    expect(await s.cmd('BSS 0')).toBe(reply);
    expect(await s.cmd('BSS FIRST')).toBe(reply);
    expect(await s.cmd('BSS 7')).toBe('');
    expect(await s.cmd('BSS NEXT-0')).toBe('');
    expect(await s.cmd('BSS nonsense')).toBe('');
  });

  it('a second SCAN while one runs answers FAIL-BUSY; STATUS says DISCONNECTED with the address and UUID', async () => {
    const s = await addStation(lab, '02:00:00:00:0c:03');
    const from = s.events.length;
    expect(await s.cmd('SCAN')).toBe('OK\n');
    expect(await s.cmd('SCAN')).toBe('FAIL-BUSY\n');
    await s.waitEvent('CTRL-EVENT-SCAN-RESULTS', from);
    const status = await s.cmd('STATUS');
    expect(status).toMatch(/^wpa_state=DISCONNECTED\naddress=02:00:00:00:0c:03\nuuid=[0-9a-f-]{36}\n$/);
  });

  it('bad WPS arguments answer FAIL and start nothing', async () => {
    const s = await addStation(lab, '02:00:00:00:0c:04');
    for (const c of [
      'WPS_PIN 02:00:00:00:0a',
      'WPS_PIN any 123',
      'WPS_PIN any 12a45670',
      'WPS_PBC not-a-bssid',
      `WPS_REG ${AP}`,
      `WPS_REG nonsense ${'12345670'}`,
      `WPS_REG ${AP} 12345670 abc WPA2PSK CCMP 3132333435363738`,
      `WPS_REG ${AP} 12345670 6e6577 WPA2PSK CCMP 31`,
      `WPS_REG ${AP} 12345670 6e6577 WEP CCMP 3132333435363738`,
      `WPS_REG ${AP} 12345670 6e6577 OPEN CCMP 3132333435363738`,
      `WPS_REG ${AP} 12345670 6e6577 WPA2PSK`,
    ]) {
      expect(await s.cmd(c), c).toBe('FAIL\n');
    }
    expect(s.radio.wpsActive).toBe(false);
    const pin = await s.cmd('WPS_PIN get');
    expect(pin).toMatch(/^\d{8}$/);
    expect(isValidPinChecksum(pin)).toBe(true);
    expect(s.radio.wpsActive).toBe(false);
  });

  it("Debian's wpa_cli drives scan, scan_results and wps_pin any through the control socket", async () => {
    const s = await addStation(lab, '02:00:00:00:0c:05');
    const ifname = `wr${process.pid % 100000}`;
    const ctrl = await CtrlServer.open({ ctrlInterface: join(lab.dir, 'ctrl'), ifname });
    try {
      registerRadioCommands(ctrl.registry, s.radio);
      const cli = async (...args: string[]): Promise<string> => (await run('wpa_cli', ['-p', join(lab.dir, 'ctrl'), '-i', ifname, ...args], { timeout: WAIT_MS })).stdout;
      const from = s.events.length;
      expect((await cli('scan')).trim()).toBe('OK');
      await s.waitEvent('CTRL-EVENT-SCAN-RESULTS', from);
      const results = await cli('scan_results');
      expect(results).toContain(`${AP}\t${FREQ}\t-30\t[WPA2-PSK-CCMP][WPS][ESS]\t${SSID}`);
      const pin = (await cli('wps_pin', 'any')).trim();
      expect(pin).toMatch(/^\d{8}$/);
      expect(isValidPinChecksum(pin)).toBe(true);
      expect(s.radio.wpsActive).toBe(true);
      expect((await cli('wps_cancel')).trim()).toBe('OK');
      expect(s.radio.wpsActive).toBe(false);
    } finally {
      await ctrl.close();
    }
  });
});
