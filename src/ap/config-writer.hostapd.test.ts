/**
 * Interop: Debian's hostapd reads the hostapd.conf that applyNewApSettings()
 * wrote. hostapd runs with driver=wired on a veth inside a network namespace
 * of this test's own, which is deleted afterwards.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthType, EncrType } from '../wps/values.js';
import { applyNewApSettings } from './config-writer.js';
import { effectiveRsnPairwise, parseHostapdConfig } from './config.js';
import { Cipher } from '../conf/values.js';

const NS = `wpsdcfg${process.pid}${Math.floor(Math.random() * 1e6)}`;
/** How long hostapd may take to report its interface; it prints that within milliseconds. */
const HOSTAPD_START_LIMIT_MS = 10_000;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), `wpsd-hostapd-${process.pid}-`));
  execFileSync('ip', ['netns', 'add', NS]);
  execFileSync('ip', ['-n', NS, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb']);
  execFileSync('ip', ['-n', NS, 'link', 'set', 'va', 'up']);
  execFileSync('ip', ['-n', NS, 'link', 'set', 'vb', 'up']);
});

afterAll(async () => {
  try {
    execFileSync('ip', ['netns', 'del', NS]);
  } catch {
    // Already gone.
  }
  await rm(dir, { recursive: true, force: true });
});

/** Runs hostapd until it names the SSID it uses; returns its debug output. */
function runHostapd(conf: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', NS, 'hostapd', '-dd', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const finish = (): void => {
      clearTimeout(timer);
      child.kill('SIGTERM');
    };
    const timer = setTimeout(finish, HOSTAPD_START_LIMIT_MS);
    const onData = (d: Buffer): void => {
      out += d.toString('latin1');
      if (/and ssid ".*"/.test(out) || /errors found in configuration file/.test(out)) finish();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

describe('hostapd reads the file written for new AP settings', () => {
  it('starts with the new SSID, WPA2-PSK and wps_state=2', async () => {
    const conf = join(dir, 'hostapd.conf');
    await writeFile(conf, `interface=va\ndriver=wired\nctrl_interface=${join(dir, 'ctl')}\nssid=old\nwpa=2\nwpa_passphrase=oldpassphrase\neap_server=1\nwps_state=1\nieee8021x=1\n`);
    await applyNewApSettings(conf, { ssid: Buffer.from('caf\u00e9 net'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('new passphrase') });
    const out = await runHostapd(conf);
    expect(out).not.toMatch(/errors found in configuration file/);
    expect(out).toContain('Using interface va with hwaddr');
    expect(out).toContain('and ssid "caf\\xc3\\xa9 net"');
    // wpsd reads the same file back to the same settings.
    const { config } = parseHostapdConfig(await readFile(conf), conf);
    expect(config.bss[0]?.ssid?.toString()).toBe('caf\u00e9 net');
    expect(config.bss[0]?.wpsState).toBe(2);
  });

  // Mixed WPA/WPA2 TKIP/AES from an External Registrar: Debian's TKIP-capable hostapd would write
  // wpa=3 and wpa_pairwise=CCMP TKIP; wpsd writes what a CONFIG_NO_TKIP hostapd writes
  // (src/wps/no-tkip.ts), since it has no TKIP to run. That file is compared with the NO_TKIP
  // expectation, and Debian's hostapd must still read it.
  it('mixed WPA/WPA2 TKIP/AES settings: the CONFIG_NO_TKIP block (wpa=2, CCMP), which Debian hostapd reads', async () => {
    const conf = join(dir, 'hostapd-mixed.conf');
    await writeFile(conf, `interface=va\ndriver=wired\nctrl_interface=${join(dir, 'ctl2')}\nssid=old\nwpa=2\nwpa_passphrase=oldpassphrase\neap_server=1\nwps_state=1\nieee8021x=1\n`);
    await applyNewApSettings(conf, { ssid: Buffer.from('mixed'), authType: AuthType.WpaPsk | AuthType.Wpa2Psk, encrType: EncrType.Tkip | EncrType.Aes, networkKey: Buffer.from('new passphrase') });
    const text = await readFile(conf, 'latin1');
    const noTkipBlock = '# WPS configuration - START\nwps_state=2\nssid=mixed\nwpa=2\nwpa_key_mgmt=WPA-PSK\nwpa_pairwise=CCMP\nwpa_passphrase=new passphrase\nauth_algs=1\n# WPS configuration - END\n';
    expect(text.startsWith(noTkipBlock)).toBe(true);
    const out = await runHostapd(conf);
    expect(out).not.toMatch(/errors found in configuration file/);
    expect(out).toContain('and ssid "mixed"');
    const { config } = parseHostapdConfig(await readFile(conf), conf);
    expect(config.bss[0]).toMatchObject({ wpa: 2, wpsState: 2 });
    expect(effectiveRsnPairwise(config.bss[0]!)).toBe(Cipher.CCMP);
  });
});
