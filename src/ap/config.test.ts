import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configErrors } from '../../harness/config-errors.js';
import { ConfigFileError, formatDiagnostic, loadHostapdConfig, parseHostapdConfig } from './config.js';
import { Cipher, KeyMgmt } from '../conf/values.js';

const P = '/etc/hostapd/test.conf';

/** The example configuration from hostapd's README-WPS (seed 000), verbatim. */
const README_WPS_EXAMPLE = `# Configure the driver and network interface
driver=nl80211
interface=wlan0

# WPA2-Personal configuration for the AP
ssid=wps-test
wpa=2
wpa_key_mgmt=WPA-PSK
wpa_pairwise=CCMP
# Default WPA passphrase for legacy (non-WPS) clients
wpa_passphrase=12345678
# Enable random per-device PSK generation for WPS clients
# Please note that the file has to exists for hostapd to start (i.e., create an
# empty file as a starting point).
wpa_psk_file=/etc/hostapd.psk

# Enable control interface for PBC/PIN entry
ctrl_interface=/var/run/hostapd

# Enable internal EAP server for EAP-WSC (part of Wi-Fi Protected Setup)
eap_server=1

# WPS configuration (AP configured, do not allow external WPS Registrars)
wps_state=2
ap_setup_locked=1
# If UUID is not configured, it will be generated based on local MAC address.
uuid=87654321-9abc-def0-1234-56789abc0000
wps_pin_requests=/var/run/hostapd.pin-req
device_name=Wireless AP
manufacturer=Company
model_name=WAP
model_number=123
serial_number=12345
device_type=6-0050F204-1
os_version=01020300
config_methods=label display push_button keypad

# if external Registrars are allowed, UPnP support could be added:
#upnp_iface=br0
#friendly_name=WPS Access Point
`;

const errorsOf = (text: string): string[] => configErrors(() => parseHostapdConfig(text, P));

const BASE = 'interface=wlan0\nssid=x\n';

describe('hostapd.conf parsing', () => {
  it('accepts the README-WPS example and reads every WPS key', () => {
    const { config, warnings } = parseHostapdConfig(README_WPS_EXAMPLE, P);
    expect(warnings).toEqual([]);
    expect(config.driver).toBe('nl80211');
    const b = config.bss[0];
    expect(b?.iface).toBe('wlan0');
    expect(b?.ssid?.toString()).toBe('wps-test');
    expect(b?.wpa).toBe(2);
    expect(b?.wpaKeyMgmt).toBe(KeyMgmt.PSK);
    expect(b?.wpaPairwise).toBe(Cipher.CCMP);
    expect(b?.wpaPassphrase).toBe('12345678');
    expect(b?.wpaPskFile).toBe('/etc/hostapd.psk');
    expect(b?.ctrlInterface).toBe('/var/run/hostapd');
    expect(b?.eapServer).toBe(1);
    expect(b?.wpsState).toBe(2);
    expect(b?.apSetupLocked).toBe(1);
    expect(b?.uuid?.toString('hex')).toBe('876543219abcdef0123456789abc0000');
    expect(b?.wpsPinRequests).toBe('/var/run/hostapd.pin-req');
    expect(b?.deviceName).toBe('Wireless AP');
    expect(b?.manufacturer).toBe('Company');
    expect(b?.modelName).toBe('WAP');
    expect(b?.modelNumber).toBe('123');
    expect(b?.serialNumber).toBe('12345');
    expect(b?.deviceType?.toString('hex')).toBe('00060050f2040001');
    expect(b?.osVersion?.toString('hex')).toBe('01020300');
    expect(b?.configMethods).toBe('label display push_button keypad');
  });

  it('reads the UPnP, Multi-AP, radio and logger keys', () => {
    const { config } = parseHostapdConfig(
      [
        'interface=wlan0', 'driver=none', 'sim_medium=/run/wpsd/medium.sock', 'bridge=br0', 'wds_bridge=br1', 'ctrl_interface_group=0',
        'ssid2="fronthaul"', 'utf8_ssid=1', 'wpa=2', 'wpa_key_mgmt=WPA-PSK SAE', 'rsn_pairwise=CCMP GCMP',
        `wpa_psk=${'ab'.repeat(32)}`, 'wps_state=1', 'ap_pin=12345670', 'upnp_iface=br0', 'friendly_name=WPS AP',
        'manufacturer_url=http://example.com/', 'model_description=Wireless Access Point', 'model_url=http://example.com/m',
        'upc=123456789012', 'wps_cred_processing=2', 'skip_cred_build=1', 'wps_independent=1', 'pbc_in_m1=1',
        'channel=6', 'hw_mode=g', 'country_code=FI', 'ieee80211n=1', 'bssid=02:00:00:00:01:00', 'multi_ap=3',
        'multi_ap_backhaul_ssid="backhaul"', 'multi_ap_backhaul_wpa_passphrase=backhaulpass', 'wps_rf_bands=ag',
        'logger_stdout=-1', 'logger_stdout_level=0',
      ].join('\n'),
      P,
    );
    const b = config.bss[0];
    expect(config.driver).toBe('none');
    expect(config.simMedium).toBe('/run/wpsd/medium.sock');
    expect(config.channel).toBe(6);
    expect(config.hwMode).toBe('g');
    expect(config.countryCode).toBe('FI');
    expect(config.ieee80211n).toBe(1);
    expect(b?.bridge).toBe('br0');
    expect(b?.wdsBridge).toBe('br1');
    expect(b?.ssid?.toString()).toBe('fronthaul');
    expect(b?.utf8Ssid).toBe(true);
    expect(b?.wpaKeyMgmt).toBe(KeyMgmt.PSK | KeyMgmt.SAE);
    expect(b?.rsnPairwise).toBe(Cipher.CCMP | Cipher.GCMP);
    expect(b?.wpaPsk?.toString('hex')).toBe('ab'.repeat(32));
    expect(b?.apPin).toBe('12345670');
    expect(b?.upnpIface).toBe('br0');
    expect(b?.bssid?.toString('hex')).toBe('020000000100');
    expect(b?.multiAp).toBe(3);
    expect(b?.multiApBackhaulSsid?.toString()).toBe('backhaul');
    expect(b?.multiApBackhaulWpaPassphrase).toBe('backhaulpass');
    expect(b?.wpsRfBands).toBe(0x03);
    expect(b?.loggerStdout).toBe(0xffffffff);
    expect(b?.loggerStdoutLevel).toBe(0);
  });

  it('reads ssid2 in hex and P"..." forms and keeps raw bytes of ssid=', () => {
    expect(parseHostapdConfig(`interface=w\nssid2=${Buffer.from('\u00e9t\u00e9').toString('hex')}\n`, P).config.bss[0]?.ssid?.toString()).toBe('\u00e9t\u00e9');
    expect(parseHostapdConfig('interface=w\nssid2=P"a\\nb\\x41"\n', P).config.bss[0]?.ssid?.toString()).toBe('a\nbA');
    const raw = Buffer.concat([Buffer.from('interface=w\nssid='), Buffer.from([0xff, 0x41]), Buffer.from('\n')]);
    expect(parseHostapdConfig(raw, P).config.bss[0]?.ssid?.toString('hex')).toBe('ff41');
  });

  it('keeps a trailing space as part of the value, as hostapd does', () => {
    expect(parseHostapdConfig('interface=w\nssid=net \n', P).config.bss[0]?.ssid?.toString()).toBe('net ');
  });

  it('gives bss= sections their own settings, inheriting nothing', () => {
    const { config } = parseHostapdConfig(
      'interface=wlan0\nssid=first\nwpa=2\nrsn_pairwise=CCMP\nwpa_passphrase=firstpass\nwps_state=2\ndevice_name=AP\nbss=wlan0_1\nssid=second\nbssid=02:00:00:00:02:01\n',
      P,
    );
    expect(config.bss).toHaveLength(2);
    const second = config.bss[1];
    expect(second?.iface).toBe('wlan0_1');
    expect(second?.line).toBe(8);
    expect(second?.ssid?.toString()).toBe('second');
    expect(second?.wpa).toBe(0);
    expect(second?.wpaPassphrase).toBeUndefined();
    expect(second?.wpsState).toBe(0);
    expect(second?.deviceName).toBeUndefined();
  });

  it('treats only a # in the first column as a comment, and skips blank lines', () => {
    expect(parseHostapdConfig('# comment\n\ninterface=w\n', P).config.bss[0]?.iface).toBe('w');
    expect(errorsOf('interface=w\n  # indented\n')).toEqual([`${P} line 2: invalid line (expected key=value)`]);
  });

  it('refuses an unknown key (a typo) with file and line, as hostapd does', () => {
    expect(() => parseHostapdConfig('interface=w\nwps_sate=2\n', P)).toThrow(`${P} line 2: unknown configuration item 'wps_sate'`);
  });

  it('with lenient loading an unknown key is a warning and the file loads', () => {
    const { warnings } = parseHostapdConfig('interface=w\nno_such_key=1\n', P, { lenient: true });
    expect(warnings.map(formatDiagnostic)).toEqual([`${P} line 2: warning: unknown configuration item 'no_such_key'`]);
  });

  it('warns about a hostapd key wpsd does not implement, naming it, and loads', () => {
    const { warnings } = parseHostapdConfig('interface=w\nwmm_ac_be_aifs=3\nbeacon_int=100\nap_isolate=0\n', P);
    expect(warnings.map(formatDiagnostic)).toEqual([
      `${P} line 2: warning: 'wmm_ac_be_aifs' is not implemented by wpsd; ignored (radio tuning the sim medium and the nl80211 backend do not model)`,
      `${P} line 3: warning: 'beacon_int' is not implemented by wpsd; ignored (radio tuning the sim medium and the nl80211 backend do not model)`,
    ]);
  });

  it.each([
    ['wpa_passphrase=short', 'invalid wpa_passphrase (must be 8..63 characters)'],
    [`wpa_passphrase=${'p'.repeat(64)}`, 'invalid wpa_passphrase (must be 8..63 characters)'],
    ['wpa_psk=1234', 'invalid wpa_psk (must be 64 hex digits)'],
    [`wpa_psk=${'g'.repeat(64)}`, 'invalid wpa_psk (must be 64 hex digits)'],
    [`ssid=${'s'.repeat(33)}`, 'invalid ssid (must be 1..32 bytes, got 33)'],
    ['ssid=', 'invalid ssid (must be 1..32 bytes, got 0)'],
    ['ssid2="unterminated', 'invalid ssid2'],
    ['ssid2=abc', 'invalid ssid2'],
    ['wps_state=3', "invalid wps_state '3' (must be an integer 0..2)"],
    ['wps_state=two', "invalid wps_state 'two'"],
    ['ap_setup_locked=3', "invalid ap_setup_locked '3' (must be an integer 0..2)"],
    ['ap_pin=12ab5670', 'invalid ap_pin (must be 4..8 digits)'],
    ['device_type=6-0050F204', "invalid device_type '6-0050F204'"],
    ['device_type=6-0050F2-1', "invalid device_type '6-0050F2-1'"],
    ['os_version=0102030', "invalid os_version '0102030' (must be 8 hex digits)"],
    ['config_methods=label push_buton', "invalid config_methods: unknown method 'push_buton'"],
    ['uuid=87654321-9abc-def0-1234-56789abc000', "invalid uuid '87654321-9abc-def0-1234-56789abc000'"],
    ['driver=madwifi', "invalid driver 'madwifi' (must be one of none, wired, sim, nl80211)"],
    ['wpa_key_mgmt=WPA-PSK FOO', "invalid wpa_key_mgmt 'WPA-PSK FOO' (invalid key_mgmt 'FOO')"],
    ['wpa_pairwise=WEP40', "invalid wpa_pairwise 'WEP40'"],
    ['rsn_pairwise=NONE', "invalid rsn_pairwise 'NONE' (unsupported pairwise cipher suite)"],
    ['hw_mode=n', "invalid hw_mode 'n'"],
    ['channel=x', "invalid channel 'x'"],
    ['country_code=fi', "invalid country_code 'fi'"],
    ['bssid=02:00:00:00:01', "invalid bssid '02:00:00:00:01'"],
    ['multi_ap=4', "invalid multi_ap '4'"],
    ['multi_ap_backhaul_wpa_passphrase=1234567', 'invalid multi_ap_backhaul_wpa_passphrase (must be 8..63 characters)'],
    ['multi_ap_backhaul_wpa_psk=00', 'invalid multi_ap_backhaul_wpa_psk (must be 64 hex digits)'],
    ['multi_ap_backhaul_ssid=""', 'invalid multi_ap_backhaul_ssid'],
    ['wps_rf_bands=x', "invalid wps_rf_bands 'x'"],
    [`device_name=${'d'.repeat(33)}`, 'invalid device_name (too long: 33 bytes, at most 32)'],
    [`manufacturer=${'m'.repeat(65)}`, 'invalid manufacturer (too long: 65 bytes, at most 64)'],
    ['eap_server=yes', "invalid eap_server 'yes'"],
    ['bss=', "invalid bss ''"],
    ['logger_stdout_level=9', "invalid logger_stdout_level '9'"],
    ['ctrl_interface_group=a b', "invalid ctrl_interface_group 'a b'"],
    ['upnp_iface=averyveryverylongname', "invalid upnp_iface 'averyveryverylongname'"],
  ])('reports %s as an error naming file and line', (line, message) => {
    const errors = errorsOf(`${BASE}${line}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`${P} line 3: ${message}`);
  });

  it('never echoes a rejected passphrase or PSK', () => {
    const errors = errorsOf(`${BASE}wpa_passphrase=secret7\nwpa_psk=secretsecret\nap_pin=secret\n`).join('\n');
    expect(errors).not.toContain('secret');
  });

  it('collects all errors, not just the first', () => {
    const errors = errorsOf(`${BASE}wps_state=9\nwpa_passphrase=x\nno equals sign\nos_version=zz\n`);
    expect(errors.map((e) => e.split(':')[0])).toEqual([`${P} line 3`, `${P} line 4`, `${P} line 5`, `${P} line 6`]);
  });

  it('refuses WPA-PSK without a passphrase or PSK, and a file without interface=', () => {
    expect(errorsOf('interface=w\nwpa=2\nrsn_pairwise=CCMP\n')).toEqual([`${P}: WPA-PSK enabled, but PSK or passphrase is not configured (BSS 'w')`]);
    expect(errorsOf('ssid=x\n')).toEqual([`${P}: interface is not set`]);
  });

  it('refuses duplicate BSS interfaces and BSSIDs', () => {
    const errors = errorsOf('interface=w\nbssid=02:00:00:00:00:01\nbss=w\nbssid=02:00:00:00:00:01\n');
    expect(errors).toEqual([`${P} line 3: duplicate interface 'w'`, `${P} line 3: duplicate BSSID 02:00:00:00:00:01 on interface 'w' and 'w'`]);
  });

  it('turns WPS off with a warning on a WPA/TKIP-only BSS, as hostapd', () => {
    const { config, warnings } = parseHostapdConfig('interface=w\ndriver=none\nssid=x\nwpa=1\nwpa_passphrase=12345678\nwps_state=2\n', P);
    expect(config.bss[0]?.wpsState).toBe(0);
    expect(warnings[0]?.message).toContain('forced WPS to be disabled');
  });

  it('warns when WPS is enabled on a backhaul-only Multi-AP BSS', () => {
    const { warnings } = parseHostapdConfig('interface=w\nssid=x\nmulti_ap=1\nwps_state=2\n', P);
    expect(warnings[0]?.message).toContain('backhaul-only BSS (multi_ap=1');
  });

  it('accepts CRLF line endings', () => {
    const { config } = parseHostapdConfig('interface=w\r\nssid=net\r\n', P);
    expect(config.bss[0]?.ssid?.toString()).toBe('net');
  });

  it('property: arbitrary text gives a result or a ConfigFileError, never another exception', () => {
    const lineArb = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.tuple(fc.constantFrom('ssid', 'ssid2', 'wpa', 'wpa_psk', 'wpa_passphrase', 'uuid', 'device_type', 'bss', 'interface', 'channel', 'wps_rf_bands', 'config_methods', 'bssid', 'multi_ap_backhaul_ssid', 'toString', '__proto__', 'constructor'), fc.string({ maxLength: 70 })).map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 20 }), fc.uint8Array({ maxLength: 200 }), (lines, bytes) => {
        for (const input of [lines.join('\n'), bytes]) {
          try {
            const r = parseHostapdConfig(input, P);
            expect(r.config.bss.length).toBeGreaterThan(0);
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigFileError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('loadHostapdConfig', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `wpsd-apcfg-${process.pid}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the extra_cred and ap_settings files at load time', async () => {
    const cred = join(dir, 'cred.bin');
    await writeFile(cred, Buffer.from([0x10, 0x0e, 0x00, 0x00]));
    const conf = join(dir, 'ok.conf');
    await writeFile(conf, `interface=w\nextra_cred=${cred}\nap_settings=${cred}\n`);
    const { config } = await loadHostapdConfig(conf);
    expect(config.bss[0]?.extraCredData?.toString('hex')).toBe('100e0000');
    expect(config.bss[0]?.apSettingsData?.length).toBe(4);
  });

  it('refuses an extra_cred file that is not WSC attributes, naming the key and line; warns about one without a Credential', async () => {
    const junk = join(dir, 'junk.bin');
    await writeFile(junk, Buffer.from([0x10, 0x0e, 0x00, 0x09, 0x01]));
    const conf = join(dir, 'junk.conf');
    await writeFile(conf, `interface=w\nextra_cred=${junk}\n`);
    await expect(loadHostapdConfig(conf)).rejects.toThrow(`${conf} line 2: extra_cred file '${junk}' is not a sequence of WSC attributes`);
    const noCred = join(dir, 'nocred.bin');
    await writeFile(noCred, Buffer.from([0x10, 0x45, 0x00, 0x01, 0x61]));
    await writeFile(conf, `interface=w\nextra_cred=${noCred}\n`);
    const { warnings } = await loadHostapdConfig(conf);
    expect(warnings.map(formatDiagnostic)).toContain(`${conf} line 2: warning: extra_cred file '${noCred}' holds no Credential attribute`);
  });

  it('warns when skip_cred_build leaves Enrollees nothing, and when eap_server=0 leaves a radio BSS without EAP-WSC', async () => {
    const conf = join(dir, 'skip.conf');
    await writeFile(conf, 'interface=w\ndriver=sim\nsim_medium=/x\nwps_state=2\nskip_cred_build=1\n');
    const { warnings } = await loadHostapdConfig(conf);
    expect(warnings.map(formatDiagnostic)).toEqual([
      `${conf}: warning: eap_server=0: no internal EAP server, so stations cannot run WPS with BSS 'w' (hostapd would pass their EAP to a RADIUS server, which wpsd does not implement); set eap_server=1`,
      `${conf}: warning: skip_cred_build=1 without extra_cred: Enrollees of BSS 'w' get no Credential`,
    ]);
  });

  it('names the line of an unreadable extra_cred file', async () => {
    const conf = join(dir, 'bad.conf');
    await writeFile(conf, `interface=w\nextra_cred=${join(dir, 'missing')}\n`);
    await expect(loadHostapdConfig(conf)).rejects.toThrow(`${conf} line 2: could not read extra_cred`);
  });

  it('refuses a missing file with CONFIG_UNREADABLE', async () => {
    await expect(loadHostapdConfig(join(dir, 'nope.conf'))).rejects.toMatchObject({ code: 'CONFIG_UNREADABLE' });
  });
});
