// `wpsd ap` without a radio or UPnP (driver=none, no upnp_iface): its control
// socket driven by Debian's hostapd_cli, its command line and its
// configuration diagnostics. Only UNIX sockets and temp files are used.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtrlSession } from '../harness/ctrl-session.js';
import { run, type ManagedProcess } from '../harness/netns.js';
import { spawnWpsd } from '../harness/wpsd.js';
import { until } from '../harness/until.js';

/** ap-ctrl's own SIGTERM grace before SIGKILL. */
const STOP_GRACE_MS = 5000;
const START_MS = 10_000;
const IFNAME = `wpsdc${process.pid % 100000}`;

function conf(ctrlDir: string, extra = ''): string {
  return [
    'driver=none',
    `interface=${IFNAME}`,
    'bssid=02:00:00:00:01:00',
    `ctrl_interface=${ctrlDir}`,
    'wps_state=2',
    'ap_pin=12345670',
    'uuid=12345678-9abc-def0-1234-56789abcdef0',
    'ssid=test-wps',
    'wpa=2',
    'wpa_key_mgmt=WPA-PSK',
    'rsn_pairwise=CCMP',
    'wpa_passphrase=12345678',
    extra,
  ].join('\n');
}

function startWpsd(confPath: string, args: string[] = []): ManagedProcess {
  return spawnWpsd(['ap', '-c', confPath, ...args]);
}


async function stopWpsd(d: ManagedProcess | undefined): Promise<void> {
  await d?.stop('SIGTERM', STOP_GRACE_MS);
}

async function hostapdCli(ctrlDir: string, ...args: string[]): Promise<string> {
  return (await run('hostapd_cli', ['-p', ctrlDir, '-i', IFNAME, ...args])).stdout;
}

describe('wpsd ap control interface (hostapd_cli)', () => {
  let dir: string;
  let ctrlDir: string;
  let confPath: string;
  let wpsd: ManagedProcess;
  let mon: CtrlSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wpsd-apc-'));
    ctrlDir = join(dir, 'ctrl');
    confPath = join(dir, 'hostapd.conf');
    writeFileSync(confPath, conf(ctrlDir));
    wpsd = startWpsd(confPath, ['-d', '-t']);
    await wpsd.waitForOutput(/AP-ENABLED/, START_MS);
    mon = await CtrlSession.open(join(ctrlDir, IFNAME), { attach: true });
  });

  afterAll(async () => {
    mon?.close();
    await stopWpsd(wpsd);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('-t prefixes debug lines with seconds.microseconds', () => {
    expect(wpsd.output()).toMatch(/^\d+\.\d{6}: /m);
  });

  it('wps_ap_pin get / set / random / disable answer as hostapd', async () => {
    expect(await hostapdCli(ctrlDir, 'wps_ap_pin', 'get')).toBe('12345670');
    expect(await hostapdCli(ctrlDir, 'wps_ap_pin', 'set', '87654325', '0')).toBe('87654325');
    const random = await hostapdCli(ctrlDir, 'wps_ap_pin', 'random', '60');
    expect(random).toMatch(/^\d{8}$/);
    expect(await hostapdCli(ctrlDir, 'wps_ap_pin', 'get')).toBe(random);
    expect(await hostapdCli(ctrlDir, 'wps_ap_pin', 'disable')).toBe('OK\n');
    expect(await hostapdCli(ctrlDir, 'wps_ap_pin', 'get')).toBe('FAIL\n');
    expect(await hostapdCli(ctrlDir, 'wps_ap_pin', 'set', '12345670', '0')).toBe('12345670');
  });

  it('without a radio: all_sta ends at once (no stations), sta FAILs, wps_get_status, get and wps_pbc answer as hostapd on driver=none', async () => {
    expect(await hostapdCli(ctrlDir, 'all_sta')).toBe('');
    expect(await hostapdCli(ctrlDir, 'raw', 'STA-FIRST')).toBe('');
    expect(await hostapdCli(ctrlDir, 'sta', '02:00:00:00:00:01')).toBe('FAIL\n');
    expect(await hostapdCli(ctrlDir, 'wps_get_status')).toBe('PBC Status: Disabled\nLast WPS result: None\n');
    expect(await hostapdCli(ctrlDir, 'raw', 'GET', 'version')).toBe('2.10');
    expect(await hostapdCli(ctrlDir, 'raw', 'GET', 'wps_state')).toBe('FAIL\n');
    // As hostapd with driver=none: the Registrar takes the button (no EAPOL port serves an Enrollee there), and WPS_CANCEL ends it.
    expect(await hostapdCli(ctrlDir, 'wps_pbc')).toBe('OK\n');
    expect(await hostapdCli(ctrlDir, 'wps_get_status')).toBe('PBC Status: Active\nLast WPS result: None\n');
    expect(await hostapdCli(ctrlDir, 'wps_cancel')).toBe('OK\n');
    expect(await hostapdCli(ctrlDir, 'wps_get_status')).toBe('PBC Status: Timed-out\nLast WPS result: None\n');
  });

  it('an AP PIN that timed out stays gone after reload; one set with set ap_pin holds at once and across reload', async () => {
    expect(await hostapdCli(ctrlDir, 'wps_ap_pin', 'random', '1')).toMatch(/^\d{8}$/);
    await mon.waitFor(/^WPS-AP-PIN-DISABLED/, 10_000);
    expect(await hostapdCli(ctrlDir, 'reload')).toBe('OK\n');
    expect(await hostapdCli(ctrlDir, 'wps_ap_pin', 'get')).toBe('FAIL\n');
    expect(await hostapdCli(ctrlDir, 'set', 'ap_pin', '12345670')).toBe('OK\n');
    expect(await hostapdCli(ctrlDir, 'wps_ap_pin', 'get')).toBe('12345670');
    expect(await hostapdCli(ctrlDir, 'reload')).toBe('OK\n');
    expect(await hostapdCli(ctrlDir, 'wps_ap_pin', 'get')).toBe('12345670');
  });

  it('wps_check_pin answers the digits, FAIL-CHECKSUM or FAIL', async () => {
    expect(await hostapdCli(ctrlDir, 'wps_check_pin', '1234-5670')).toBe('12345670');
    expect(await hostapdCli(ctrlDir, 'wps_check_pin', '12345671')).toBe('FAIL-CHECKSUM\n');
    expect(await hostapdCli(ctrlDir, 'wps_check_pin', '123')).toMatch(/^FAIL\n?$/);
  });

  it('get_config and status describe the BSS', async () => {
    expect(await hostapdCli(ctrlDir, 'get_config')).toBe(
      'bssid=02:00:00:00:01:00\nssid=test-wps\nwps_state=configured\npassphrase=12345678\n' +
        'psk=3e30d5d8d2d1e8a5e68fea6e0d9f3b96e3a7e5b4b8b2ef9e10a5da4bcc27d2e7\nwpa=2\nkey_mgmt=WPA-PSK\ngroup_cipher=CCMP\nrsn_pairwise_cipher=CCMP\n'.replace(
          /psk=\w+/,
          `psk=${(await import('node:crypto')).pbkdf2Sync('12345678', 'test-wps', 4096, 32, 'sha1').toString('hex')}`,
        ),
    );
    // Debian hostapd 2.10's reply for driver=wired, field for field.
    expect(await hostapdCli(ctrlDir, 'status')).toBe(
      'state=ENABLED\nphy=\nfreq=0\nnum_sta_non_erp=0\nnum_sta_no_short_slot_time=0\nnum_sta_no_short_preamble=0\nolbc=0\n' +
        'num_sta_ht_no_gf=0\nnum_sta_no_ht=0\nnum_sta_ht_20_mhz=0\nnum_sta_ht40_intolerant=0\nolbc_ht=0\nht_op_mode=0x0\n' +
        'cac_time_seconds=0\ncac_time_left_seconds=N/A\nchannel=0\nedmg_enable=0\nedmg_channel=0\nsecondary_channel=0\n' +
        'ieee80211n=0\nieee80211ac=0\nieee80211ax=0\nbeacon_int=100\ndtim_period=2\n' +
        `bss[0]=${IFNAME}\nbssid[0]=02:00:00:00:01:00\nssid[0]=test-wps\nnum_sta[0]=0\n`,
    );
  });

  it('wps_config applies new settings: WPS-NEW-AP-SETTINGS, get_config and the rewritten file', async () => {
    mon.mark();
    expect(await hostapdCli(ctrlDir, 'wps_config', 'cli-ssid', 'WPA2PSK', 'CCMP', 'cli-passphrase')).toBe('OK\n');
    expect((await mon.waitFor(/^WPS-NEW-AP-SETTINGS/, 5000)).text).toBe('WPS-NEW-AP-SETTINGS ');
    expect(await hostapdCli(ctrlDir, 'get_config')).toContain('ssid=cli-ssid\nwps_state=configured\npassphrase=cli-passphrase\n');
    await until(() => readFileSync(confPath, 'utf8').includes('ssid=cli-ssid'), 'the rewritten file');
    const text = readFileSync(confPath, 'utf8');
    expect(text.startsWith('# WPS configuration - START\nwps_state=2\nssid=cli-ssid\n')).toBe(true);
    expect(text).toContain('#WPS# ssid=test-wps\n');
    expect(await hostapdCli(ctrlDir, 'wps_config', 'x', 'WEP')).toBe('FAIL\n');
    expect(await hostapdCli(ctrlDir, 'wps_config', 'short', 'WPA2PSK', 'CCMP', 'abc')).toBe('FAIL\n');
  });

  it('stops cleanly on SIGTERM and removes its control socket', async () => {
    wpsd.child.kill('SIGTERM');
    expect(await wpsd.exited).toBe(0);
    const ls = await run('ls', [ctrlDir], { allowFail: true });
    expect(ls.stdout.split('\n')).not.toContain(IFNAME);
  });
});

describe('wpsd ap with wps_cred_processing=1', () => {
  it('emits WPS-NEW-AP-SETTINGS with the Credential hex and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wpsd-apc1-'));
    const ctrlDir = join(dir, 'ctrl');
    const confPath = join(dir, 'hostapd.conf');
    const text = conf(ctrlDir, 'wps_cred_processing=1\n');
    writeFileSync(confPath, text);
    const d = startWpsd(confPath);
    let mon: CtrlSession | undefined;
    try {
      await d.waitForOutput(/AP-ENABLED/, START_MS);
      mon = await CtrlSession.open(join(ctrlDir, IFNAME), { attach: true });
      expect(await hostapdCli(ctrlDir, 'wps_config', 'n', 'WPA2PSK', 'CCMP', 'passphrase')).toBe('OK\n');
      const ev = await mon.waitFor(/^WPS-NEW-AP-SETTINGS/, 5000);
      expect(ev.text).toMatch(/^WPS-NEW-AP-SETTINGS 100e[0-9a-f]+$/);
      expect(ev.text).toContain(Buffer.from('passphrase').toString('hex'));
      expect(await hostapdCli(ctrlDir, 'get_config')).toContain('ssid=test-wps\n');
      expect(readFileSync(confPath, 'utf8')).toBe(text);
      // The Credential (with its key) goes to monitors, never to the log.
      expect(d.output()).not.toContain(Buffer.from('passphrase').toString('hex'));
    } finally {
      mon?.close();
      await stopWpsd(d);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('wpsd ap configuration problems', () => {
  async function runOnce(text: string, args: string[] = []): Promise<{ code: number | null; out: string; path: string; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'wpsd-apcf-'));
    const path = join(dir, 'hostapd.conf');
    writeFileSync(path, text.replace('CTRL', join(dir, 'ctrl')));
    const d = startWpsd(path, args);
    const t = setTimeout(() => d.kill(), 10_000);
    let code: number | null;
    if (text.includes('wait-for-start')) {
      await d.waitForOutput(/AP-ENABLED/, START_MS);
      await stopWpsd(d);
      code = d.child.exitCode;
    } else code = await d.exited;
    clearTimeout(t);
    return { code, out: d.output(), path, dir };
  }

  it('an invalid value is an error naming the file and line; nothing starts', async () => {
    const r = await runOnce(conf('CTRL').replace('wpa=2', 'wpa=banana'));
    try {
      expect(r.code).toBe(1);
      expect(r.out).toContain(`${r.path} line 9: invalid wpa 'banana'`);
      expect(r.out).not.toContain('AP-ENABLED');
    } finally {
      rmSync(r.dir, { recursive: true, force: true });
    }
  });

  it('with --lenient-config an unknown key is a warning naming the file and line, and the AP starts', async () => {
    const r = await runOnce(conf('CTRL', 'no_such_key=1\n# wait-for-start'), ['--lenient-config']);
    try {
      expect(r.code).toBe(0);
      expect(r.out).toContain(`${r.path} line 13: warning: unknown configuration item 'no_such_key'`);
    } finally {
      rmSync(r.dir, { recursive: true, force: true });
    }
  });

  it('driver=sim without sim_medium and driver=nl80211 on this kernel are refused with the driver\'s own reason', async () => {
    const sim = await runOnce(conf('CTRL').replace('driver=none', 'driver=sim'));
    const nl = await runOnce(conf('CTRL').replace('driver=none', 'driver=nl80211'));
    try {
      expect(sim.code).toBe(1);
      expect(sim.out).toContain('driver=sim: ');
      expect(sim.out).toContain('sim_medium');
      expect(nl.code).toBe(1);
      expect(nl.out).toContain('driver=nl80211: ');
      expect(nl.out).not.toContain('AP-ENABLED');
    } finally {
      rmSync(sim.dir, { recursive: true, force: true });
      rmSync(nl.dir, { recursive: true, force: true });
    }
  });

  it('an upnp_iface without an IPv4 address stops the start with a message naming it', async () => {
    const r = await runOnce(conf('CTRL', 'upnp_iface=nosuchif9\n'));
    try {
      expect(r.code).toBe(1);
      expect(r.out).toContain(`${IFNAME}: upnp_iface=nosuchif9: interface nosuchif9 has no IPv4 address`);
    } finally {
      rmSync(r.dir, { recursive: true, force: true });
    }
  });

  it('driver=sim with a running `wpsd medium` starts the radio as far as beacons', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wpsd-apsim-'));
    const sock = join(dir, 'medium.sock');
    const medium = spawnWpsd(['medium', '--socket', sock]);
    try {
      const { existsSync } = await import('node:fs');
      await until(() => existsSync(sock), 'the medium socket');
      const r = await runOnce(conf('CTRL').replace('driver=none', `driver=sim\nsim_medium=${sock}`) + '\n# wait-for-start');
      try {
        expect(r.code).toBe(0);
        expect(r.out).toContain('driver=sim radio opened');
      } finally {
        rmSync(r.dir, { recursive: true, force: true });
      }
    } finally {
      await medium.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('wpsd ap killed (SIGKILL) while wps_config rewrites its configuration file', () => {
  /** Runs until a kill lands between the temporary file's creation and its rename (one is left behind), at most this many. */
  const MAX_ROUNDS = 10;
  /** Starts on a machine busy with other work take longer than START_MS allows. */
  const KILL_START_MS = 60_000;
  const SSID = 'kill-window';
  const KEY = 'kill-window-key';
  const hex = (s: string): string => Buffer.from(s).toString('hex');
  const strays = (dir: string): string[] => readdirSync(dir).filter((f) => /^\.hostapd\.conf\..*\.tmp$/.test(f));

  it('the file is the old one or the new one entirely, the stray temporary file goes at the next start, and the daemon starts', { timeout: 1_200_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wpsd-apkill-'));
    const ctrlDir = join(dir, 'ctrl');
    const confPath = join(dir, 'hostapd.conf');
    const oldText = conf(ctrlDir);
    let d: ManagedProcess | undefined;
    try {
      // The new file, from a rewrite left to finish.
      writeFileSync(confPath, oldText);
      d = startWpsd(confPath);
      await d.waitForOutput(/AP-ENABLED/, KILL_START_MS);
      let mon = await CtrlSession.open(join(ctrlDir, IFNAME), { attach: true });
      expect(await mon.request(`WPS_CONFIG ${hex(SSID)} WPA2PSK CCMP ${hex(KEY)}`)).toBe('OK\n');
      await until(() => readFileSync(confPath, 'latin1') !== oldText, 'the file rewritten');
      mon.close();
      await stopWpsd(d);
      const newText = readFileSync(confPath, 'latin1');
      expect(newText).toContain(`ssid=${SSID}\n`);

      let hits = 0;
      for (let round = 0; round < MAX_ROUNDS && hits === 0; round++) {
        writeFileSync(confPath, oldText);
        d = startWpsd(confPath);
        await d.waitForOutput(/AP-ENABLED/, KILL_START_MS);
        mon = await CtrlSession.open(join(ctrlDir, IFNAME), { attach: true });
        // The event comes before the write starts: the kill follows it at once, or a little later in later rounds.
        const reply = mon.request(`WPS_CONFIG ${hex(SSID)} WPA2PSK CCMP ${hex(KEY)}`).catch(() => 'no reply');
        await mon.waitFor(/^WPS-NEW-AP-SETTINGS/, KILL_START_MS);
        if (round % 3 > 0) await new Promise((r) => setTimeout(r, round % 3));
        d.kill();
        await d.exited;
        await reply;
        mon.close();
        const left = strays(dir);
        if (left.length > 0) hits++;
        const text = readFileSync(confPath, 'latin1');
        expect([oldText, newText].includes(text), `round ${round}: the file is neither the old nor the new one`).toBe(true);

        d = startWpsd(confPath, ['-d']);
        await d.waitForOutput(/AP-ENABLED/, KILL_START_MS);
        // Leftovers go once the control socket is the daemon's (the AP is up by then).
        for (const f of left) await d.waitForOutput(new RegExp(`Removed ${f.replace(/\./g, '\\.')} left by an interrupted configuration update`), KILL_START_MS);
        expect(strays(dir)).toEqual([]);
        expect(readFileSync(confPath, 'latin1')).toBe(text);
        await stopWpsd(d);
      }
      // Every round above checked the file after a kill near the rewrite; whether a kill landed inside the
      // write's window depends on scheduling, so the leftover a landed kill leaves is also planted here
      // (the same name shape as the writer's) and must go at the next start.
      if (hits === 0) {
        const planted = `.hostapd.conf.${'ab'.repeat(6)}.tmp`;
        writeFileSync(join(dir, planted), oldText.slice(0, Math.floor(oldText.length / 2)));
        const text = readFileSync(confPath, 'latin1');
        d = startWpsd(confPath, ['-d']);
        await d.waitForOutput(/AP-ENABLED/, KILL_START_MS);
        await d.waitForOutput(new RegExp(`Removed ${planted.replace(/\./g, '\\.')} left by an interrupted configuration update`), KILL_START_MS);
        expect(strays(dir)).toEqual([]);
        expect(readFileSync(confPath, 'latin1')).toBe(text);
        await stopWpsd(d);
      }
    } finally {
      d?.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
