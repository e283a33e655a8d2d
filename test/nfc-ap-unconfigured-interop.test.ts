/**
 * The configuration token of an unconfigured AP (wps_state=1), `wpsd ap`
 * beside Debian hostapd 2.10 on the same configuration (no radio needed).
 * hostapd's wps_get_oob_cred puts a fresh random passphrase (16 random
 * octets in base64, WPA2-PSK/AES) in the token and moves the AP to
 * configured with it: WPS-NEW-AP-SETTINGS, wps_state=2, the file rewritten
 * with the "# WPS configuration" block. wpsd does the same; the only
 * difference is the NO_TKIP model (src/wps/no-tkip.ts): hostapd writes
 * wpa=3 with CCMP TKIP, wpsd wpa=2 with CCMP. Debian wpa_supplicant reads
 * wpsd's token and wpsd sta reads hostapd's: each adds the network with the
 * token's SSID and passphrase. And as hostapd builds the token through
 * wps_build_cred, extra_cred's Credentials follow the AP's own, and
 * skip_cred_build leaves the AP's own out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { withTopology } from '../harness/fixture.js';
import { REFERENCE_AP, startHostapd, type HostapdInstance } from '../harness/hostapd.js';
import { hostMac } from '../harness/netns.js';
import { startWpaSupplicantEr, type WpaSupplicantInstance } from '../harness/wpa-supplicant.js';
import { startWpsdAp, startWpsdSta, type WpsdApInstance, type WpsdStaInstance } from '../harness/wpsd.js';
import { parseHostapdConfig } from '../src/ap/config.js';
import { readNfcTagHex } from '../src/wps/nfc/nfc-token.js';
import { AuthType, EncrType } from '../src/wps/values.js';
import { encodeAttributes } from '../src/wps/attributes.js';
import { credentialAttribute } from '../src/wps/credential.js';

const EVENT_MS = 20_000;
const WPSD_AP_UUID = '12345678-9abc-def0-1234-56789abcde01';
/** An AP as it leaves the factory: WPS not configured, no WPA (the passphrase line stays, unused). */
const UNCONFIGURED = { wps_state: '1', wpa: '0' };

const trim = (s: string): string => s.trim();

/** The token's one Credential, with what the test compares. */
function tokenCredential(hex: string): { ssid: string; authType: number; encrType: number; key: string; mac: string } {
  const read = readNfcTagHex(hex);
  if (!('tag' in read) || read.tag.kind !== 'config') throw new Error(`not a configuration token: ${hex}`);
  expect(read.tag.credentials).toHaveLength(1);
  const c = read.tag.credentials[0];
  if (c === undefined) throw new Error('no Credential');
  return { ssid: c.ssid.toString(), authType: c.authType, encrType: c.encrType, key: c.networkKey.toString('latin1'), mac: c.macAddress.toString('hex') };
}

/** The "# WPS configuration" block hapd_wps_cred_cb puts first in the file. */
function wpsBlock(conf: string): string[] {
  const m = /^# WPS configuration - START\n([\s\S]*?)# WPS configuration - END\n/.exec(conf);
  if (m === null) throw new Error(`no WPS configuration block in:\n${conf}`);
  return (m[1] ?? '').trimEnd().split('\n');
}

const commentedOut = (conf: string): string[] => conf.split('\n').filter((l) => l.startsWith('#WPS# ')).sort();

const hexOf = (s: string): string => Buffer.from(s, 'latin1').toString('hex').toUpperCase();

describe('NFC configuration token of an unconfigured AP (wps_state=1): wpsd ap beside Debian hostapd', () => {
  const env = withTopology({ hosts: ['hapd', 'ap', 'sta', 'sta2'], link: 'bridge' });
  let hostapd: HostapdInstance;
  let ap: WpsdApInstance;
  let hapdCtrl: CtrlSession;
  let apCtrl: CtrlSession;
  let wpas: WpaSupplicantInstance;
  let ours: WpsdStaInstance;
  const tokens: { hostapd?: string; wpsd?: string } = {};

  beforeAll(async () => {
    hostapd = env.track(await startHostapd({ host: env.host('hapd'), extra: UNCONFIGURED }));
    // The same BSSID as hostapd's, so that the tokens differ only in their random passphrase.
    const bssid = await hostMac(env.host('hapd'));
    ap = env.track(await startWpsdAp({ host: env.host('ap'), uuid: WPSD_AP_UUID, extra: { ...UNCONFIGURED, bssid } }));
    hapdCtrl = env.track(await hostapd.ctrl());
    apCtrl = env.track(await ap.ctrl());
    wpas = env.track(await startWpaSupplicantEr({ host: env.host('sta') }));
    ours = env.track(await startWpsdSta({ host: env.host('sta2') }));
  });

  it('a refused request (bad format) leaves both APs unconfigured', async () => {
    for (const d of [hostapd, ap]) {
      expect(trim(await d.cli('wps_nfc_config_token', 'FOO'))).toBe('FAIL');
      expect(await d.cli('get_config')).toContain('wps_state=not configured\n');
    }
    expect(hostapd.currentConf()).not.toContain('# WPS configuration');
    expect(ap.currentConf()).not.toContain('# WPS configuration');
  });

  it('both put a fresh random passphrase in the token (WPA2-PSK/AES), announce WPS-NEW-AP-SETTINGS and move to configured with it', async () => {
    const hapdFrom = hapdCtrl.mark();
    const apFrom = apCtrl.mark();
    tokens.hostapd = trim(await hostapd.cli('wps_nfc_config_token', 'NDEF'));
    tokens.wpsd = trim(await ap.cli('wps_nfc_config_token', 'NDEF'));
    const theirs = tokenCredential(tokens.hostapd);
    const mine = tokenCredential(tokens.wpsd);
    for (const c of [theirs, mine]) {
      expect(c).toMatchObject({ ssid: REFERENCE_AP.ssid, authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, mac: '000000000000' });
      expect(c.key).toMatch(/^[A-Za-z0-9+/]{22}$/);
    }
    expect(mine.key).not.toBe(theirs.key);
    // Byte for byte the same token once the random passphrases are swapped.
    expect(tokens.wpsd).toBe(tokens.hostapd.replace(hexOf(theirs.key), hexOf(mine.key)));
    // wps_cred_processing=0: the event without the Credential, spelled as hostapd's (trailing space included).
    const theirEvent = (await hapdCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text;
    expect(theirEvent).toBe('WPS-NEW-AP-SETTINGS ');
    expect((await apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text).toBe(theirEvent);
    // hostapd applies the rewritten file 100 ms later (wps_reload_config); wpsd applies the settings at once.
    await hostapd.proc.waitForOutput(/WPS: Reload configuration data/, EVENT_MS);
    const configs = [
      [await hostapd.cli('get_config'), theirs.key],
      [await ap.cli('get_config'), mine.key],
    ] as const;
    for (const [cfg, key] of configs) {
      expect(cfg).toContain('wps_state=configured\n');
      expect(cfg).toContain(`passphrase=${key}\n`);
      expect(cfg).toContain('key_mgmt=WPA-PSK\n');
    }
    // Nothing else announced, on either side (hostapd's reload of the rewritten file is silent on its monitors).
    expect(apCtrl.events.slice(apFrom).map((e) => e.text)).toEqual(hapdCtrl.events.slice(hapdFrom).map((e) => e.text));
    // Once configured, the token is the AP's settings: the same passphrase again, no new one.
    expect(trim(await hostapd.cli('wps_nfc_config_token', 'NDEF'))).toBe(tokens.hostapd);
    expect(trim(await ap.cli('wps_nfc_config_token', 'NDEF'))).toBe(tokens.wpsd);
  });

  it("both save the new settings as hostapd does: the WPS block first (wpa=3/CCMP TKIP in Debian's TKIP build, wpa=2/CCMP in wpsd's NO_TKIP model), the old lines commented out", async () => {
    const theirs = tokenCredential(tokens.hostapd ?? '');
    const mine = tokenCredential(tokens.wpsd ?? '');
    const theirConf = hostapd.currentConf();
    const ourConf = ap.currentConf();
    const block = (wpa: string, pairwise: string, key: string): string[] => [
      'wps_state=2',
      `ssid=${REFERENCE_AP.ssid}`,
      `wpa=${wpa}`,
      'wpa_key_mgmt=WPA-PSK',
      `wpa_pairwise=${pairwise}`,
      `wpa_passphrase=${key}`,
      'auth_algs=1',
    ];
    expect(wpsBlock(theirConf)).toEqual(block('3', 'CCMP TKIP', theirs.key));
    expect(wpsBlock(ourConf)).toEqual(block('2', 'CCMP', mine.key));
    expect(commentedOut(ourConf)).toEqual(commentedOut(theirConf));
    // The file wpsd wrote loads as a configured WPA2-PSK AP with the token's passphrase.
    const loaded = parseHostapdConfig(readFileSync(ap.confPath, 'utf8'), ap.confPath);
    expect(loaded.config.bss[0]).toMatchObject({ wpsState: 2, wpa: 2, wpaPassphrase: mine.key });
  });

  it("Debian wpa_supplicant reads wpsd's token, wpsd sta reads hostapd's: each adds the network with the token's SSID and passphrase", async () => {
    const readers = [
      [wpas, tokens.wpsd ?? '', tokenCredential(tokens.wpsd ?? '').key],
      [ours, tokens.hostapd ?? '', tokenCredential(tokens.hostapd ?? '').key],
    ] as const;
    for (const [reader, token, key] of readers) {
      expect(trim(await reader.cli('wps_nfc_tag_read', token))).toBe('OK');
      expect(await reader.cli('list_networks')).toContain(`\t${REFERENCE_AP.ssid}\t`);
      expect(trim(await reader.cli('save_config'))).toBe('OK');
      expect(reader.currentConf()).toMatch(new RegExp(`ssid="${REFERENCE_AP.ssid}"\\n\\s*psk="${key.replace(/[+/]/g, '\\$&')}"`));
    }
  });
});

describe('NFC configuration token with extra_cred and skip_cred_build: wpsd ap beside Debian hostapd', () => {
  const env = withTopology({ hosts: ['hapd', 'ap'], link: 'bridge' });

  it("the token carries extra_cred's Credentials after the AP's own, and only them with skip_cred_build, byte for byte as hostapd's", async () => {
    const file = join(env.tempDir('wpsd-nfc-extra-cred-'), 'extra.cred');
    const extra = { networkIndex: 1, ssid: Buffer.from('extra-net'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('extra passphrase'), macAddress: Buffer.alloc(6), extra: [] };
    writeFileSync(file, encodeAttributes([credentialAttribute(extra)]));
    const bssid = await hostMac(env.host('hapd'));
    for (const skip of ['0', '1']) {
      const lines = { extra_cred: file, skip_cred_build: skip };
      const hostapd = await startHostapd({ host: env.host('hapd'), extra: lines });
      const ap = await startWpsdAp({ host: env.host('ap'), uuid: WPSD_AP_UUID, extra: { ...lines, bssid } });
      try {
        const theirs = trim(await hostapd.cli('wps_nfc_config_token', 'WPS'));
        expect(trim(await ap.cli('wps_nfc_config_token', 'WPS')), `skip_cred_build=${skip}`).toBe(theirs);
        const read = readNfcTagHex(theirs);
        if (!('tag' in read) || read.tag.kind !== 'config') throw new Error(`not a configuration token: ${theirs}`);
        expect(read.tag.credentials.map((c) => c.ssid.toString())).toEqual(skip === '1' ? ['extra-net'] : [REFERENCE_AP.ssid, 'extra-net']);
      } finally {
        await ap.stop();
        await hostapd.stop();
      }
    }
  });
});
