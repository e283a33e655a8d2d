/**
 * `wpsd sta -D sim` as a user runs it, driven by Debian's wpa_cli: the daemon
 * runs in a network namespace of its own (`unshare --net`, a veth pair with a
 * 169.254/16 address so the interface has a MAC) and reaches the sim medium
 * of this test through its UNIX socket (sim_medium=). The AP is the
 * in-process WpsAp of sta-radio-helpers.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseWpaSupplicantConfig } from '../src/sta/config.js';
import { AuthType, EncrType } from '../src/wps/values.js';
import { AP, AP_PIN, CHANNEL, PASSPHRASE, SSID, WAIT_MS, startLab, stopLab, type Lab } from './sta-radio-helpers.js';
import { until } from '../harness/until.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
const IFNAME = 'wsv0';
const STA_MAC = '02:00:00:00:0e:01';
/** A separate process scans 13 channels per round: a longer bound than the in-process tests. */
const DAEMON_WAIT_MS = 25_000;
const TEST_TIMEOUT_MS = 60_000;
let stderr = '';

function untilSta<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  return until(probe, what, { timeoutMs: DAEMON_WAIT_MS, intervalMs: 100, detail: () => `wpsd sta said:\n${stderr}` });
}


describe('wpsd sta -D sim under wpa_cli', () => {
  let lab: Lab;
  let child: ChildProcess | undefined;
  let conf: string;
  let ctrlDir: string;

  const cli = async (...args: string[]): Promise<string> => (await run('wpa_cli', ['-p', ctrlDir, '-i', IFNAME, ...args], { timeout: WAIT_MS })).stdout;

  beforeAll(async () => {
    lab = await startLab();
    conf = join(lab.dir, 'wpa_supplicant.conf');
    ctrlDir = join(lab.dir, 'ctrl');
    writeFileSync(conf, `ctrl_interface=${ctrlDir}\nupdate_config=1\nsim_medium=${join(lab.dir, 'm.sock')}\n`);
    const setup = `ip link add ${IFNAME} address ${STA_MAC} type veth peer name ${IFNAME}p && ip addr add 169.254.78.1/16 dev ${IFNAME} && ip link set ${IFNAME} up && ip link set ${IFNAME}p up`;
    child = spawn('unshare', ['--net', 'sh', '-c', `${setup} && exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} sta -c ${JSON.stringify(conf)} -i ${IFNAME} -D sim -d`], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await untilSta('the control socket', async () => (existsSync(join(ctrlDir, IFNAME)) ? true : child?.exitCode !== null ? Promise.reject(new Error(`wpsd sta exited: ${stderr}`)) : undefined));
  });

  afterAll(async () => {
    const c = child;
    if (c !== undefined && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await stopLab(lab);
  });

  it('scan_results shows the AP with [WPS-PBC]; wps_pbc enrolls, saves the network and reaches COMPLETED', async () => {
    expect(await lab.bss.pushButton()).toBe(true);
    expect((await cli('scan')).trim()).toBe('OK');
    const line = await untilSta('the AP in scan_results', async () => (await cli('scan_results')).split('\n').find((l) => l.startsWith(AP)));
    expect(line).toBe(`${AP}\t${2407 + 5 * CHANNEL}\t-30\t[WPA2-PSK-CCMP][WPS-PBC][ESS]\t${SSID}`);
    expect((await cli('wps_pbc')).trim()).toBe('OK');
    const status = await untilSta('wpa_state=COMPLETED', async () => {
      const s = await cli('status');
      return s.includes('wpa_state=COMPLETED') ? s : undefined;
    });
    expect(status).toContain(`bssid=${AP}\n`);
    expect(status).toContain(`ssid=${SSID}\nid=0\n`);
    expect(status).toContain(`address=${STA_MAC}\n`);
    const saved = parseWpaSupplicantConfig(readFileSync(conf), conf).config.networks;
    expect(saved.map((n) => [n.ssid?.toString(), n.passphrase?.toString()])).toEqual([[SSID, PASSPHRASE]]);
    expect(lab.apDriver.stations().map((s) => s.addr)).toContain(STA_MAC);
  }, TEST_TIMEOUT_MS);

  it('wpa_cli wps_reg with new open settings (5 arguments: no key) configures the AP', async () => {
    expect((await cli('wps_reg', AP, AP_PIN, 'wpsd-open', 'OPEN', 'NONE')).trim()).toBe('OK');
    const settings = await untilSta('the AP to get new settings', async () => {
      const e = lab.apEvents.find((x) => x.type === 'wps' && x.event.type === 'new-ap-settings');
      return e?.type === 'wps' && e.event.type === 'new-ap-settings' ? e.event.settings : undefined;
    });
    expect([settings.ssid.toString(), settings.authType, settings.encrType, settings.networkKey.length]).toEqual(['wpsd-open', AuthType.Open, EncrType.None, 0]);
    // The station adds the network when the AP's WSC_Done reaches it, a moment after the AP
    // applied the settings; only then stop it from looking for the (unchanged) test AP.
    const networks = await untilSta('network 1 for the new settings', async () => {
      const list = await cli('list_networks');
      return list.includes('\twpsd-open\t') ? list : undefined;
    });
    expect(networks).toContain(`1\twpsd-open\tany\t`);
    expect((await cli('wps_cancel')).trim()).toBe('OK');
  }, TEST_TIMEOUT_MS);
});
