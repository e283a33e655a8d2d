// What hostapd.conf may not ask of wpsd without being refused: keys wpsd
// does not implement that change security or admission, and security
// settings its radios cannot honour. Radio tuning stays a warning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configErrors } from '../../harness/config-errors.js';
import { effectiveRsnPairwise, loadHostapdConfig, parseHostapdConfig } from './config.js';
import { Cipher } from '../conf/values.js';
import { unimplementedKeyVerdict } from './config-unimplemented.js';
import { HOSTAPD_KEYS } from '../conf/known-keys.js';
import { bssAdmission, MacAcl, parseMacList } from './mac-acl.js';

const P = '/etc/hostapd/test.conf';
const SIM = 'interface=wlan0\ndriver=sim\nssid=x\nwpa=2\nwpa_passphrase=12345678\nrsn_pairwise=CCMP\n';

const errorsOf = (text: string): string[] => configErrors(() => parseHostapdConfig(text, P));

describe('hostapd keys wpsd does not implement', () => {
  it.each([
    ['ap_isolate=1', "line 7: 'ap_isolate' is not implemented by wpsd (station-to-station isolation)"],
    ['hs20=1', "line 7: 'hs20' is not implemented by wpsd (Hotspot 2.0)"],
    ['venue_name=eng:Lab', "line 7: 'venue_name' is not implemented by wpsd (Interworking / Hotspot 2.0)"],
    ['auth_server_addr=127.0.0.1', "line 7: 'auth_server_addr' is not implemented by wpsd (IEEE 802.1X authentication through a RADIUS server)"],
    ['require_ht=1', "line 7: 'require_ht' is not implemented by wpsd (refusing stations without HT)"],
    ['vendor_elements=dd0411223301', "line 7: 'vendor_elements' is not implemented by wpsd (extra elements in Beacons and Probe Responses)"],
    ['wep_key0=0102030405', "line 7: 'wep_key0' is not implemented by wpsd (WEP)"],
    ['macaddr_acl=2', "line 7: macaddr_acl=2 (ask a RADIUS server) is not implemented by wpsd"],
    ['ignore_broadcast_ssid=2', 'line 7: ignore_broadcast_ssid=2 (SSID cleared to zeros, length kept) is not implemented by wpsd'],
  ])('%s is refused, naming the key', (line, message) => {
    const errors = errorsOf(SIM + line + '\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`${P} ${message}`);
  });

  it('never echoes a value (secrets)', () => {
    const errors = errorsOf(SIM + 'auth_server_shared_secret=TOPSECRET\nsae_password=ALSOSECRET\nmka_cak=000102030405060708090a0b0c0d0e0f\n');
    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).not.toMatch(/TOPSECRET|ALSOSECRET|000102/);
  });

  it('the value that means "off" is accepted silently; radio tuning is a warning naming the key', () => {
    const { warnings } = parseHostapdConfig(SIM + 'ap_isolate=0\nhs20=0\nrequire_ht=0\neapol_version=2\nbeacon_int=200\nhe_su_beamformer=1\n', P);
    expect(warnings.map((w) => w.message)).toEqual([
      "'beacon_int' is not implemented by wpsd; ignored (radio tuning the sim medium and the nl80211 backend do not model)",
      "'he_su_beamformer' is not implemented by wpsd; ignored (radio tuning the sim medium and the nl80211 backend do not model)",
    ]);
  });

  it('every hostapd key has a verdict; none that is not a warning is accepted for any value but its default', () => {
    for (const key of HOSTAPD_KEYS) {
      const v = unimplementedKeyVerdict(key, 'x-not-a-default');
      expect(v, key).toBeDefined();
      if (v?.severity === 'warning') expect(v.message, key).toContain('ignored (');
    }
  });
});

describe('security settings a radio BSS cannot honour', () => {
  it.each([
    ['ieee80211w=1', 'ieee80211w=1 (management frame protection) is not implemented by wpsd'],
    ['ieee80211w=2', 'ieee80211w=2 (management frame protection) is not implemented by wpsd'],
    ['auth_algs=2', 'auth_algs=2 is not implemented by wpsd'],
    ['wpa=3', 'wpa=3: WPA (version 1) is not implemented'],
    ['wpa_key_mgmt=WPA-PSK SAE', "wpa_key_mgmt: wpsd's AP implements WPA-PSK only"],
    ['wpa_key_mgmt=WPA-EAP', "wpa_key_mgmt: wpsd's AP implements WPA-PSK only"],
    ['wpa=1', 'wpa=1: WPA (version 1) is not implemented'],
    ['rsn_pairwise=GCMP', "rsn_pairwise: wpsd's AP implements CCMP only"],
    ['sae_require_mfp=1', 'sae_require_mfp=1 is not implemented by wpsd'],
    ['wps_cred_add_sae=1', "wpsd's AP has no SAE"],
    ['ieee8021x=1', 'ieee8021x=1 is implemented by wpsd only for WPS on driver=wired'],
  ])('%s on driver=sim is refused', (line, message) => {
    const errors = errorsOf(SIM + line + '\n');
    expect(errors.length, errors.join('\n')).toBeGreaterThanOrEqual(1);
    expect(errors.join('\n')).toContain(message);
  });

  it('WPA2 without rsn_pairwise means CCMP (a CONFIG_NO_TKIP hostapd defaults wpa_pairwise to CCMP) and loads on a radio', () => {
    const { config } = parseHostapdConfig('interface=wlan0\ndriver=nl80211\nssid=x\nwpa=2\nwpa_passphrase=12345678\n', P);
    expect(config.bss[0]?.wpaPairwise).toBe(Cipher.CCMP);
    expect(effectiveRsnPairwise(config.bss[0]!)).toBe(Cipher.CCMP);
    expect(errorsOf('interface=wlan0\ndriver=sim\nssid=x\nwpa=2\nwpa_passphrase=12345678\nwps_state=2\neap_server=1\n')).toEqual([]);
  });

  it.each(['wpa_pairwise=TKIP', 'wpa_pairwise=CCMP TKIP', 'rsn_pairwise=TKIP', 'rsn_pairwise=CCMP TKIP'])(
    '%s is refused on every driver, naming the key (a CONFIG_NO_TKIP hostapd has no cipher TKIP)',
    (line) => {
      const key = line.split('=')[0] ?? '';
      for (const base of [SIM, 'interface=veth0\ndriver=none\nssid=x\nwpa=2\nwpa_passphrase=12345678\n']) {
        const errors = errorsOf(base + line + '\n');
        expect(errors).toHaveLength(1);
        expect(errors[0]).toContain(`invalid ${key} '${line.slice(key.length + 1)}' (TKIP is not implemented by wpsd, as in hostapd built with CONFIG_NO_TKIP; use CCMP)`);
      }
    },
  );

  it('auth_algs=1 and 3 load (open system; shared key needs WEP, which is refused)', () => {
    expect(errorsOf(SIM + 'auth_algs=1\n')).toEqual([]);
    expect(errorsOf(SIM + 'auth_algs=3\n')).toEqual([]);
  });

  it('without a radio the keys only shape the credentials and load as written; ieee8021x=1 loads for WPS on driver=wired', () => {
    expect(errorsOf('interface=veth0\ndriver=none\nssid=x\nwpa=3\nwpa_passphrase=12345678\nwpa_key_mgmt=WPA-PSK\nieee80211w=1\n')).toEqual([]);
    expect(errorsOf('interface=veth0\ndriver=wired\nssid=x\nieee8021x=1\neap_server=1\nwps_state=2\n')).toEqual([]);
    expect(errorsOf('interface=veth0\ndriver=wired\nssid=x\nieee8021x=1\n').join('\n')).toContain('ieee8021x=1 is implemented by wpsd only for WPS on driver=wired');
  });
});

describe('macaddr_acl, accept_mac_file, deny_mac_file, max_num_sta', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wpsd-acl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('parses a MAC list as hostapd: comments, removal with "-", VLAN ID 0; refuses other VLAN IDs and bad addresses', () => {
    const r = parseMacList('# accept\n02:00:00:00:00:01\n02:00:00:00:00:02 0\n-02:00:00:00:00:01\n02:00:00:00:00:03\t0\n', 'f');
    expect('macs' in r && [...r.macs]).toEqual(['02:00:00:00:00:02', '02:00:00:00:00:03']);
    expect(parseMacList('02:00:00:00:00:01 7\n', 'f')).toEqual({ error: "VLAN ID '7' at line 1 in 'f': wpsd assigns no VLANs (dynamic_vlan is not implemented)" });
    expect(parseMacList('02:00:00:00:00\n', 'f')).toEqual({ error: "Invalid MAC address '02:00:00:00:00' at line 1 in 'f'" });
  });

  it('decides as hostapd_check_acl: accept list, then deny list, then the policy', () => {
    const acl0 = new MacAcl(0, new Set(['02:00:00:00:00:01']), new Set(['02:00:00:00:00:01', '02:00:00:00:00:02']));
    expect([acl0.allowed('02:00:00:00:00:01'), acl0.allowed('02:00:00:00:00:02'), acl0.allowed('02:00:00:00:00:03')]).toEqual([true, false, true]);
    const acl1 = new MacAcl(1, new Set(['02:00:00:00:00:01']), new Set());
    expect([acl1.allowed('02:00:00:00:00:01'), acl1.allowed('02:00:00:00:00:03')]).toEqual([true, false]);
  });

  it('loads the lists with the configuration and gives the MLME its filter and station limit', async () => {
    const accept = file('accept', '02:00:00:00:00:01\n');
    const deny = file('deny', '02:00:00:00:00:02\n');
    const conf = file('a.conf', `${SIM}macaddr_acl=1\naccept_mac_file=${accept}\ndeny_mac_file=${deny}\nmax_num_sta=5\n`);
    const { config } = await loadHostapdConfig(conf);
    const adm = bssAdmission(config.bss[0]!);
    expect(adm.maxStations).toBe(5);
    expect([adm.allowed?.('02:00:00:00:00:01'), adm.allowed?.('02:00:00:00:00:02'), adm.allowed?.('02:00:00:00:00:03')]).toEqual([true, false, false]);
  });

  it('with WPS enabled there is no MAC filter, as hostapd (WPS 2.0), and the load says so', async () => {
    const deny = file('deny2', '02:00:00:00:00:02\n');
    const conf = file('b.conf', `${SIM}wps_state=2\neap_server=1\ndeny_mac_file=${deny}\n`);
    const { config, warnings } = await loadHostapdConfig(conf);
    expect(bssAdmission(config.bss[0]!).allowed).toBeUndefined();
    expect(warnings.map((w) => w.message).join('\n')).toContain('no MAC address filter while WPS is enabled');
  });

  it('refuses a missing list file, a bad line in one, and max_num_sta outside 1..2007', async () => {
    await expect(loadHostapdConfig(file('c.conf', `${SIM}accept_mac_file=${join(dir, 'nope')}\n`))).rejects.toThrow(/MAC list file '.*nope' not found/);
    await expect(loadHostapdConfig(file('d.conf', `${SIM}deny_mac_file=${file('bad', 'zz\n')}\n`))).rejects.toThrow(/Invalid MAC address 'zz' at line 1/);
    expect(errorsOf(SIM + 'max_num_sta=0\n')[0]).toContain("invalid max_num_sta '0' (must be an integer 1..2007)");
    expect(errorsOf(SIM + 'max_num_sta=2008\n')[0]).toContain("invalid max_num_sta '2008'");
    expect(errorsOf(SIM + 'fragment_size=8\n')[0]).toContain("invalid fragment_size '8' (must be an integer 16..");
    expect(parseHostapdConfig(SIM + 'fragment_size=100\n', P).config.bss[0]?.fragmentSize).toBe(100);
  });
});
