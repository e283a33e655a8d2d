import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configErrors } from '../../harness/config-errors.js';
import { Cipher, KeyMgmt } from '../conf/values.js';
import { ConfigFileError, cleanConfigLine, formatDiagnostic, loadWpaSupplicantConfig, parseCtrlInterface, parseWpaSupplicantConfig } from './config.js';
import { WPA_PROTO_RSN } from './config-network.js';

const P = '/etc/wpa_supplicant/test.conf';

const errorsOf = (text: string): string[] => configErrors(() => parseWpaSupplicantConfig(text, P));

describe('wpa_supplicant.conf parsing', () => {
  it('accepts the README-WPS ER example (ctrl_interface DIR=... GROUP=...)', () => {
    const { config, warnings } = parseWpaSupplicantConfig('ctrl_interface=DIR=/var/run/wpa_supplicant GROUP=admin\ndevice_name=WPS External Registrar\n', P);
    expect(warnings).toEqual([]);
    expect(config.ctrlInterface).toBe('DIR=/var/run/wpa_supplicant GROUP=admin');
    expect(parseCtrlInterface(config.ctrlInterface ?? '')).toEqual({ dir: '/var/run/wpa_supplicant', group: 'admin' });
    expect(config.deviceName).toBe('WPS External Registrar');
  });

  it('accepts the plain ctrl_interface form and the README uuid/update_config lines', () => {
    const { config } = parseWpaSupplicantConfig('ctrl_interface=/var/run/wpa_supplicant\nuuid=12345678-9abc-def0-1234-56789abcdef0\nupdate_config=1\n', P);
    expect(parseCtrlInterface(config.ctrlInterface ?? '')).toEqual({ dir: '/var/run/wpa_supplicant' });
    expect(config.uuid?.toString('hex')).toBe('123456789abcdef0123456789abcdef0');
    expect(config.updateConfig).toBe(1);
  });

  it('reads the WPS globals and wpsd sim_medium', () => {
    const { config } = parseWpaSupplicantConfig(
      'device_name=STA\nmanufacturer=ACME\nmodel_name=M\nmodel_number=1\nserial_number=2\ndevice_type=1-0050F204-1\nos_version=01020300\nconfig_methods=display push_button keypad\nwps_cred_processing=2\nap_scan=2\ncountry=FI\ndriver_param=use_monitor=1\nsim_medium=/run/wpsd/m.sock\nctrl_interface_group=wheel\n',
      P,
    );
    expect(config.manufacturer).toBe('ACME');
    expect(config.deviceType?.toString('hex')).toBe('00010050f2040001');
    expect(config.osVersion?.toString('hex')).toBe('01020300');
    expect(config.configMethods).toBe('display push_button keypad');
    expect(config.wpsCredProcessing).toBe(2);
    expect(config.apScan).toBe(2);
    expect(config.country).toBe('FI');
    expect(config.driverParam).toBe('use_monitor=1');
    expect(config.simMedium).toBe('/run/wpsd/m.sock');
    expect(config.ctrlInterfaceGroup).toBe('wheel');
  });

  it('reads network blocks with ids in file order and every supported field', () => {
    const { config } = parseWpaSupplicantConfig(
      `# comment
network={
	ssid="home net"  # trailing comment
	psk="pass#word1"
	key_mgmt=WPA-PSK
	proto=RSN
	pairwise=CCMP
	group=CCMP
	priority=5
}
network={
    ssid=P"caf\\xc3\\xa9"
    psk=${'a1'.repeat(32)}
    bssid=02:00:00:00:01:00
    scan_ssid=1
    disabled=1
    wps_disabled=1
    multi_ap_backhaul_sta=1
    auth_alg=OPEN SHARED
    id_str="x"
}
network={
	ssid=686578
	key_mgmt=NONE
}
`,
      P,
    );
    const [a, b, c] = config.networks;
    expect(config.networks.map((n) => n.id)).toEqual([0, 1, 2]);
    expect(a?.ssid?.toString()).toBe('home net');
    expect(a?.passphrase?.toString()).toBe('pass#word1');
    expect(a?.keyMgmt).toBe(KeyMgmt.PSK);
    expect(a?.proto).toBe(WPA_PROTO_RSN);
    expect(a?.pairwise).toBe(Cipher.CCMP);
    expect(a?.priority).toBe(5);
    expect(b?.ssid?.toString()).toBe('caf\u00e9');
    expect(b?.psk?.toString('hex')).toBe('a1'.repeat(32));
    expect(b?.bssid?.toString('hex')).toBe('020000000100');
    expect(b?.scanSsid).toBe(1);
    expect(b?.disabled).toBe(1);
    expect(b?.wpsDisabled).toBe(1);
    expect(b?.multiApBackhaulSta).toBe(1);
    expect(b?.authAlg).toBe(3);
    expect(b?.idStr?.toString()).toBe('x');
    expect(c?.ssid?.toString()).toBe('hex');
    expect(c?.keyMgmt).toBe(KeyMgmt.NONE);
  });

  it('keeps network fields wpsd does not implement as they came, with a warning naming the line', () => {
    const { config, warnings } = parseWpaSupplicantConfig('network={\n\tssid="x"\n\teap=PEAP\n\tidentity="user"\n}\n', P);
    expect(config.networks[0]?.extra).toEqual([{ name: 'eap', value: 'PEAP' }, { name: 'identity', value: '"user"' }]);
    expect(warnings.map(formatDiagnostic)[0]).toBe(`${P} line 3: warning: network field 'eap' is not implemented by wpsd (kept as written)`);
  });

  it('refuses fields that would narrow admission or privacy if ignored, naming them; their "off" value loads', () => {
    expect(errorsOf('network={\n\tssid="x"\n\tbssid_accept=02:00:00:00:00:01\n}\n')).toEqual([
      `${P} line 3: network field 'bssid_accept' is not implemented by wpsd (it limits the APs the network may use); remove it to run without it`,
    ]);
    expect(errorsOf('mac_addr=1\n')).toEqual([`${P} line 1: global field 'mac_addr' is not implemented by wpsd (it randomizes the station address); remove it to run without it`]);
    expect(parseWpaSupplicantConfig('network={\n\tssid="x"\n\tmac_addr=0\n}\n', P).config.networks).toHaveLength(1);
  });

  it('pmf is a number 0..2 (the default of RSN networks; see pmf.ts), written back when set', () => {
    expect(parseWpaSupplicantConfig('pmf=2\n', P).config.pmf).toBe(2);
    expect(parseWpaSupplicantConfig('pmf=2\n', P).warnings).toEqual([]);
    expect(errorsOf('pmf=3\n')).toEqual([`${P} line 1: too large pmf (value=3 max_value=2)`]);
    expect(errorsOf('pmf=x\n')).toEqual([`${P} line 1: invalid number "x"`]);
  });

  it('warns about a global key wpsd does not implement and keeps it', () => {
    const { config, warnings } = parseWpaSupplicantConfig('p2p_disabled=1\n', P);
    expect(config.extraGlobals).toEqual([{ name: 'p2p_disabled', value: '1' }]);
    expect(warnings[0]?.line).toBe(1);
  });

  it('refuses a global key or network field wpa_supplicant does not know (a typo), naming it', () => {
    expect(() => parseWpaSupplicantConfig('update_confg=1\n', P)).toThrow(`${P} line 1: unknown global field 'update_confg'`);
    expect(() => parseWpaSupplicantConfig('network={\n\tssid="x"\n\tpsk_x="y"\n}\n', P)).toThrow(`${P} line 3: unknown network field 'psk_x'`);
  });

  it('with lenient loading unknown keys are warnings and kept', () => {
    const { config, warnings } = parseWpaSupplicantConfig('update_confg=1\nnetwork={\n\tssid="x"\n\tpsk_x="y"\n}\n', P, { lenient: true });
    expect(config.extraGlobals).toEqual([{ name: 'update_confg', value: '1' }]);
    expect(config.networks[0]?.extra).toEqual([{ name: 'psk_x', value: '"y"' }]);
    expect(warnings.map(formatDiagnostic)).toEqual([
      `${P} line 1: warning: unknown global field 'update_confg' (kept as written)`,
      `${P} line 4: warning: unknown network field 'psk_x' (kept as written)`,
    ]);
  });

  it.each([
    ['network={\n\tpsk="short"\n}\n', 2, 'psk: Invalid passphrase length 5 (expected: 8..63)'],
    [`network={\n\tpsk="${'p'.repeat(64)}"\n}\n`, 2, 'psk: Invalid passphrase length 64'],
    ['network={\n\tpsk=abcd\n}\n', 2, 'psk: Invalid PSK'],
    [`network={\n\tssid="${'s'.repeat(33)}"\n}\n`, 2, 'ssid: too long ssid (len=33 max_len=32)'],
    ['network={\n\tssid=abc\n}\n', 2, "ssid: failed to parse ssid 'abc'"],
    ['network={\n\tssid="abc\n}\n', 2, 'invalid quotation in ssid'],
    ['network={\n\tkey_mgmt=WPA-PSK FOO\n}\n', 2, "key_mgmt: invalid key_mgmt 'FOO'"],
    ['network={\n\tproto=WPA3\n}\n', 2, "proto: invalid proto 'WPA3'"],
    ['network={\n\tpairwise=WEP40\n}\n', 2, "pairwise: invalid cipher 'WEP40'"],
    ['network={\n\tpairwise=GTK_NOT_USED\n}\n', 2, 'pairwise: not allowed pairwise cipher'],
    ['network={\n\tauth_alg=OPEN WPA\n}\n', 2, "auth_alg: invalid auth_alg 'WPA'"],
    ['network={\n\tbssid=02:00:00:00:01\n}\n', 2, "bssid: Invalid BSSID '02:00:00:00:01'"],
    ['network={\n\tpriority=high\n}\n', 2, 'priority: invalid number "high"'],
    ['network={\n\tdisabled=3\n}\n', 2, 'disabled: too large disabled (value=3 max_value=2)'],
    ['network={\n\tscan_ssid=2\n}\n', 2, 'scan_ssid: too large scan_ssid'],
    ['network={\n\tssid\n}\n', 2, 'invalid network line (expected name=value)'],
    ['network={\n\tssid="x"\n', 2, 'block starting at line 1 was not terminated properly'],
    ['uuid=1234\n', 1, "invalid uuid '1234'"],
    ['device_type=1-0050F204\n', 1, "invalid device_type '1-0050F204'"],
    ['os_version=xyz\n', 1, "invalid os_version 'xyz'"],
    ['config_methods=display knob\n', 1, "invalid config_methods: unknown method 'knob'"],
    ['wps_cred_processing=3\n', 1, 'too large wps_cred_processing'],
    [`device_name=${'d'.repeat(33)}\n`, 1, 'too long device_name (len=33 max_len=32)'],
    ['ap_scan=x\n', 1, 'invalid number "x"'],
    ['country=F\n', 1, "invalid country 'F'"],
    ['garbage line\n', 1, 'invalid configuration line (expected name=value)'],
  ])('reports %j as an error at line %i', (text, line, message) => {
    const errors = errorsOf(text);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toContain(`${P} line ${line}: ${message}`);
  });

  it('never echoes a rejected passphrase', () => {
    expect(errorsOf('network={\n\tpsk="secret"\n}\n').join('\n')).not.toContain('secret');
  });

  it('collects all errors across globals and blocks', () => {
    const errors = errorsOf('uuid=x\nnetwork={\n\tpsk="1"\n\tdisabled=9\n}\nos_version=q\n');
    expect(errors.map((e) => e.split(':')[0])).toEqual([`${P} line 1`, `${P} line 3`, `${P} line 4`, `${P} line 6`]);
  });

  it('cuts # comments outside quotes only, like wpa_config_get_line', () => {
    expect(cleanConfigLine('  ssid="a#b" # c  ')).toBe('ssid="a#b"');
    expect(cleanConfigLine('\t# all comment')).toBeNull();
    expect(cleanConfigLine('x=1#2')).toBe('x=1');
    expect(cleanConfigLine('psk="a"#"b"')).toBe('psk="a"');
  });

  it('drops CCMP from group when the pairwise list cannot back it', () => {
    const { config } = parseWpaSupplicantConfig('network={\n\tssid="x"\n\tpairwise=TKIP\n}\n', P);
    expect(config.networks[0]?.group).toBe(Cipher.TKIP);
  });

  it('ignores unsupported cred={} blocks with a warning', () => {
    const { config, warnings } = parseWpaSupplicantConfig('cred={\n\trealm="x"\n}\nnetwork={\n\tssid="y"\n}\n', P);
    expect(config.networks).toHaveLength(1);
    expect(warnings[0]?.message).toContain("'cred={' block is not supported");
  });

  it('property: arbitrary text gives a result or a ConfigFileError, never another exception', () => {
    const fieldLine = fc
      .tuple(fc.constantFrom('ssid', 'psk', 'key_mgmt', 'proto', 'pairwise', 'group', 'auth_alg', 'bssid', 'priority', 'disabled', 'uuid', 'device_type', '__proto__', 'constructor', 'hasOwnProperty'), fc.string({ maxLength: 70 }))
      .map(([k, v]) => `${k}=${v}`);
    const lineArb = fc.oneof(fc.string({ maxLength: 80 }), fieldLine, fc.constantFrom('network={', '}', 'cred={', '#', '"'));
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 25 }), fc.uint8Array({ maxLength: 200 }), (lines, bytes) => {
        for (const input of [lines.join('\n'), bytes]) {
          try {
            const r = parseWpaSupplicantConfig(input, P);
            r.config.networks.forEach((n, i) => expect(n.id).toBe(i));
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigFileError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('loadWpaSupplicantConfig', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `wpsd-stacfg-${process.pid}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file and names it in errors', async () => {
    const p = join(dir, 'a.conf');
    await writeFile(p, 'update_config=1\nnetwork={\n\tpsk="x"\n}\n');
    await expect(loadWpaSupplicantConfig(p)).rejects.toThrow(`${p} line 3: psk: Invalid passphrase length 1`);
    await writeFile(p, 'update_config=1\n');
    expect((await loadWpaSupplicantConfig(p)).config.updateConfig).toBe(1);
    await expect(loadWpaSupplicantConfig(join(dir, 'missing'))).rejects.toMatchObject({ code: 'CONFIG_UNREADABLE' });
  });
});

describe('station WPS UUID', () => {
  it('uses uuid= when set and otherwise derives it from the MAC like the AP', async () => {
    const { stationWpsUuid } = await import('./config.js');
    const { uuidFromMac } = await import('../wps/device.js');
    const mac = Buffer.from('021122334455', 'hex');
    expect(stationWpsUuid(parseWpaSupplicantConfig('', P).config, mac).toString('hex')).toBe('3a044d6b14a155e7ac066ab9a0b03b0d');
    expect(stationWpsUuid(parseWpaSupplicantConfig('', P).config, mac).equals(uuidFromMac(mac))).toBe(true);
    expect(stationWpsUuid(parseWpaSupplicantConfig('uuid=12345678-9abc-def0-1234-56789abcdef0\n', P).config, mac).toString('hex')).toBe('123456789abcdef0123456789abcdef0');
  });
});

describe('config_methods as wpa_supplicant reads it', () => {
  it('accepts a quoted method list, as wpa_supplicant does', () => {
    const { config } = parseWpaSupplicantConfig('config_methods="keypad display"\n', '/etc/q.conf');
    expect(config.configMethods).toBe('keypad display');
  });
});
