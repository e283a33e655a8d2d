import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthType, EncrType } from '../wps/values.js';
import { ConfigFileError, effectiveRsnPairwise, loadHostapdConfig, parseHostapdConfig } from './config.js';
import { Cipher, KeyMgmt } from '../conf/values.js';
import { applyNewApSettings, buildWpsConfigBlock, type NewApSettings } from './config-writer.js';
import { autoConfigSettings, randomPassphrase } from './enrollee-credential.js';

// Lets a test make the atomic write "crash" part way (see writeFileAtomic in src/common/atomic-write.ts).
const failure = vi.hoisted(() => ({ mode: 'none' as 'none' | 'rename' | 'midwrite' }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      if (failure.mode === 'rename') throw Object.assign(new Error('simulated crash before rename'), { code: 'EIO' });
      return real.rename(from, to);
    },
    open: async (...args: Parameters<typeof real.open>) => {
      const fh = await real.open(...args);
      if (failure.mode !== 'midwrite') return fh;
      return new Proxy(fh, {
        get(target, prop) {
          if (prop === 'writeFile') {
            return async (data: Uint8Array) => {
              await target.write(data.subarray(0, Math.floor(data.length / 2)));
              throw Object.assign(new Error('simulated crash mid-write'), { code: 'EIO' });
            };
          }
          const v: unknown = Reflect.get(target, prop);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    },
  };
});

const ORIGINAL = `# My access point
interface=wlan0
driver=nl80211
ctrl_interface=/var/run/hostapd
ssid=old-net
wpa=2
wpa_key_mgmt=WPA-PSK
wpa_pairwise=TKIP
rsn_pairwise=CCMP
wpa_passphrase=oldpassphrase
eap_server=1
# WPS
wps_state=1
device_name=Wireless AP
bss=wlan0_1
ssid=guest
wpa_passphrase=guestpassphrase
wpa=2
rsn_pairwise=CCMP
`;

const WPA2PSK: NewApSettings = {
  ssid: Buffer.from('new-net'),
  authType: AuthType.Wpa2Psk,
  encrType: EncrType.Aes,
  networkKey: Buffer.from('new passphrase'),
};

let dir = '';
let n = 0;
async function fileWith(text: string | Buffer): Promise<string> {
  const p = join(dir, `hostapd-${n++}.conf`);
  await writeFile(p, text);
  return p;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), `wpsd-apwriter-${process.pid}-`));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  failure.mode = 'none';
});

describe('writing new AP settings to hostapd.conf', () => {
  it('writes the WPS block first and keeps replaced lines as #WPS# comments, as hostapd', async () => {
    const p = await fileWith(ORIGINAL);
    await applyNewApSettings(p, WPA2PSK);
    const text = await readFile(p, 'utf8');
    expect(text).toBe(
      [
        '# WPS configuration - START',
        'wps_state=2',
        'ssid=new-net',
        'wpa=2',
        'wpa_key_mgmt=WPA-PSK',
        'wpa_pairwise=CCMP',
        'wpa_passphrase=new passphrase',
        'auth_algs=1',
        '# WPS configuration - END',
        '# My access point',
        'interface=wlan0',
        'driver=nl80211',
        'ctrl_interface=/var/run/hostapd',
        '#WPS# ssid=old-net',
        '#WPS# wpa=2',
        '#WPS# wpa_key_mgmt=WPA-PSK',
        '#WPS# wpa_pairwise=TKIP',
        '#WPS# rsn_pairwise=CCMP',
        '#WPS# wpa_passphrase=oldpassphrase',
        'eap_server=1',
        '# WPS',
        '#WPS# wps_state=1',
        'device_name=Wireless AP',
        'bss=wlan0_1',
        'ssid=guest',
        'wpa_passphrase=guestpassphrase',
        'wpa=2',
        'rsn_pairwise=CCMP',
        '',
      ].join('\n'),
    );
  });

  it('round trip: the written file parses back to the new settings, second BSS untouched', async () => {
    const p = await fileWith(ORIGINAL);
    await applyNewApSettings(p, WPA2PSK);
    const { config } = parseHostapdConfig(await readFile(p), p);
    const b = config.bss[0];
    expect(b?.ssid?.toString()).toBe('new-net');
    expect(b?.wpa).toBe(2);
    expect(b?.wpaKeyMgmt).toBe(KeyMgmt.PSK);
    expect(b?.wpaPairwise).toBe(Cipher.CCMP);
    expect(b?.rsnPairwise).toBe(0);
    expect(b?.wpaPassphrase).toBe('new passphrase');
    expect(b?.wpsState).toBe(2);
    expect(b?.authAlgs).toBe(1);
    expect(config.bss[1]?.ssid?.toString()).toBe('guest');
    expect(config.bss[1]?.wpaPassphrase).toBe('guestpassphrase');
  });

  it('writes a non-printable SSID as ssid2 hex and a 64-digit key as wpa_psk', async () => {
    const psk = 'a1'.repeat(32);
    const p = await fileWith(ORIGINAL);
    await applyNewApSettings(p, { ...WPA2PSK, ssid: Buffer.from('caf\u00e9'), networkKey: Buffer.from(psk) });
    const text = await readFile(p, 'utf8');
    expect(text).toContain(`ssid2=${Buffer.from('caf\u00e9').toString('hex')}\n`);
    expect(text).toContain(`wpa_psk=${psk}\n`);
    const b = parseHostapdConfig(await readFile(p), p).config.bss[0];
    expect(b?.ssid?.toString()).toBe('caf\u00e9');
    expect(b?.wpaPsk?.toString('hex')).toBe(psk);
    expect(b?.wpaPassphrase).toBeUndefined();
  });

  it('writes mixed WPA/WPA2 with TKIP and AES as wpa=2 and CCMP, as a CONFIG_NO_TKIP hostapd (Debian\'s would write wpa=3, "CCMP TKIP")', () => {
    const { text } = buildWpsConfigBlock(
      { ...WPA2PSK, authType: AuthType.WpaPsk | AuthType.Wpa2Psk, encrType: EncrType.Tkip | EncrType.Aes },
      { hwModeAd: false, wpsCredAddSae: false, noPmf: true },
    );
    expect(text).toContain('wpa=2\nwpa_key_mgmt=WPA-PSK\nwpa_pairwise=CCMP\n');
    expect(text).not.toContain('TKIP');
    const wpaOnly = buildWpsConfigBlock({ ...WPA2PSK, authType: AuthType.WpaPsk, encrType: EncrType.Aes }, { hwModeAd: false, wpsCredAddSae: false, noPmf: true });
    expect(wpaOnly.text).toContain('wpa=2\nwpa_key_mgmt=WPA-PSK\nwpa_pairwise=CCMP\n');
  });

  it('mixed settings written to a radio AP\'s file load again there (driver=sim refuses WPA version 1 and TKIP)', async () => {
    const p = await fileWith('interface=wlan0\ndriver=sim\nssid=old\nwpa=2\nrsn_pairwise=CCMP\nwpa_passphrase=oldpassphrase\nwps_state=2\neap_server=1\n');
    await applyNewApSettings(p, { ...WPA2PSK, authType: AuthType.WpaPsk | AuthType.Wpa2Psk, encrType: EncrType.Tkip | EncrType.Aes });
    const { config } = await loadHostapdConfig(p);
    expect(config.bss[0]).toMatchObject({ wpa: 2, wpaKeyMgmt: KeyMgmt.PSK, wpsState: 2 });
    expect(effectiveRsnPairwise(config.bss[0]!)).toBe(Cipher.CCMP);
  });

  it("an unconfigured AP's settings after its first Enrollee (wps_state=1) load again on a radio", async () => {
    const p = await fileWith('interface=wlan0\ndriver=sim\nssid=fresh\nwps_state=1\neap_server=1\n');
    const settings = autoConfigSettings(Buffer.from('fresh'), randomPassphrase(), Buffer.alloc(6));
    await applyNewApSettings(p, settings);
    const { config } = await loadHostapdConfig(p);
    expect(config.bss[0]).toMatchObject({ wpa: 2, wpaKeyMgmt: KeyMgmt.PSK, wpsState: 2, wpaPassphrase: settings.networkKey.toString('latin1') });
    expect(effectiveRsnPairwise(config.bss[0]!)).toBe(Cipher.CCMP);
  });

  it('refuses WPA/WPA2 settings without AES: with no TKIP there would be no pairwise cipher to write', async () => {
    const p = await fileWith(ORIGINAL);
    await expect(applyNewApSettings(p, { ...WPA2PSK, authType: AuthType.WpaPsk | AuthType.Wpa2Psk, encrType: EncrType.Tkip })).rejects.toThrow('WPA/WPA2 without AES (CCMP): wpsd has no TKIP');
    expect(await readFile(p, 'utf8')).toBe(ORIGINAL);
  });

  it('writes an open network as auth_algs=1 without wpa lines, and it parses back as open', async () => {
    const p = await fileWith(ORIGINAL);
    await applyNewApSettings(p, { ssid: Buffer.from('open'), authType: AuthType.Open, encrType: EncrType.None, networkKey: Buffer.alloc(0) });
    const text = await readFile(p, 'utf8');
    expect(text.split('# WPS configuration - END')[0]).toBe('# WPS configuration - START\nwps_state=2\nssid=open\nauth_algs=1\n');
    expect(parseHostapdConfig(text, p).config.bss[0]?.wpa).toBe(0);
  });

  it('adds SAE, ieee80211w=1 and sae_require_mfp=1 when wps_cred_add_sae=1 (and comments the old ieee80211w)', async () => {
    // driver=none: wpsd's own radios do no SAE and refuse wps_cred_add_sae=1.
    const p = await fileWith(`interface=wlan0\ndriver=none\nwps_cred_add_sae=1\nieee80211w=0\nssid=x\n`);
    await applyNewApSettings(p, WPA2PSK);
    const text = await readFile(p, 'utf8');
    expect(text).toContain('wpa_key_mgmt=WPA-PSK SAE\nieee80211w=1\nsae_require_mfp=1\n');
    expect(text).toContain('#WPS# ieee80211w=0\n');
    expect(parseHostapdConfig(text, p).config.bss[0]?.wpaKeyMgmt).toBe(KeyMgmt.PSK | KeyMgmt.SAE);
  });

  it('uses GCMP for AES on hw_mode=ad', async () => {
    const p = await fileWith(`interface=wlan0\nhw_mode=ad\n`);
    await applyNewApSettings(p, WPA2PSK);
    expect(await readFile(p, 'utf8')).toContain('wpa_pairwise=GCMP\n');
  });

  it('refuses a bad key or SSID with CONFIG_WRITE_REFUSED and leaves the file as it was', async () => {
    const p = await fileWith(ORIGINAL);
    for (const bad of [
      { ...WPA2PSK, networkKey: Buffer.from('short') },
      { ...WPA2PSK, networkKey: Buffer.from('z'.repeat(64)) },
      { ...WPA2PSK, networkKey: Buffer.from('new\npassphrase') },
      { ...WPA2PSK, ssid: Buffer.alloc(0) },
      { ...WPA2PSK, ssid: Buffer.alloc(33, 0x41) },
    ]) {
      const e: unknown = await applyNewApSettings(p, bad).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConfigFileError);
      expect((e as ConfigFileError).code).toBe('CONFIG_WRITE_REFUSED');
    }
    expect(await readFile(p, 'utf8')).toBe(ORIGINAL);
  });

  it.each(['midwrite', 'rename'] as const)('a crash during the write (%s) leaves the old file intact and no temporary file', async (mode) => {
    const p = await fileWith(ORIGINAL);
    const before = new Set(await readdir(dir));
    failure.mode = mode;
    await expect(applyNewApSettings(p, WPA2PSK)).rejects.toThrow(/simulated crash/);
    failure.mode = 'none';
    expect(await readFile(p, 'utf8')).toBe(ORIGINAL);
    expect(new Set(await readdir(dir))).toEqual(before);
  });

  it('keeps the permission bits of the old file', async () => {
    const p = await fileWith(ORIGINAL);
    await chmod(p, 0o640);
    await applyNewApSettings(p, WPA2PSK);
    expect((await stat(p)).mode & 0o777).toBe(0o640);
  });

  it('keeps bytes that are not UTF-8 elsewhere in the file unchanged', async () => {
    const raw = Buffer.concat([Buffer.from('interface=wlan0\ndevice_name='), Buffer.from([0xe9, 0xff]), Buffer.from('\nssid=x')]);
    const p = await fileWith(raw);
    await applyNewApSettings(p, WPA2PSK);
    const out = await readFile(p);
    expect(out.indexOf(Buffer.concat([Buffer.from('\ndevice_name='), Buffer.from([0xe9, 0xff]), Buffer.from('\n')]))).toBeGreaterThan(0);
    expect(out.toString('latin1').endsWith('#WPS# ssid=x')).toBe(true);
  });
});
