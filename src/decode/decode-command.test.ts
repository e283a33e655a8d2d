import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DecodeInputError, parseDecodeInput, runDecode, type DecodeCommandOptions } from './decode-command.js';

const CRED_RECEIVED_LINE =
  '<2>WPS-CRED-RECEIVED 100e006f10260001011045000c6a6b6d2d7770732d74657374100300020020100f000200081027004030653462303435366332363666653064333961643135353461316634626637313234333761636664623766333939653534663166316230323061643434386235102000060266a0ee1727';
const NEW_AP_SETTINGS_LINE =
  '<2>WPS-NEW-AP-SETTINGS 10260001011045000c6a6b6d2d7770732d74657374100300020020100f00020008102700403065346230343536633236366665306433396164313535346131663462663731323433376163666462376633393965353466316631623032306164343438623510200006024231cede15101e000844';
const SEED_PSK = '0e4b0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5';

async function run(args: string[], opts: DecodeCommandOptions = {}, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runDecode(args, opts, { out: (l) => out.push(l), err: (l) => err.push(l), readStdin: async () => stdin });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('wpsd decode', () => {
  it('decodes 802.11 elements: the Multi-AP element and its subelements by name, a WPS element through the WSC dissector', async () => {
    const r = await run(['dd07506f9a1b060140 dd0e0050f204104a000110103a000101']);
    expect(r.status).toBe(0);
    expect(r.out.split('\n')).toEqual([
      'Multi-AP (0xdd), 7 bytes: OUI 50:6f:9a type 0x1b',
      '  Multi-AP Extension (0x06), 1 byte: Backhaul BSS (0x40)',
      'WPS (0xdd), 14 bytes: OUI 00:50:f2 type 0x04',
      '  Version (0x104a, 1 byte): 0x10 (1.0)',
      '  Request Type (0x103a, 1 byte): EnrolleeOpen8021X (0x01)',
    ]);
    const back = await run(['dd0e506f9a1b06018007010208020a00'], { json: true });
    const json = JSON.parse(back.out) as { elements: { name: string; children: { name: string; value?: string; problem?: string }[] }[] };
    expect(json.elements[0]?.children.map((c) => [c.name, c.value ?? c.problem])).toEqual([
      ['Multi-AP Extension', 'Backhaul STA (0x80)'],
      ['Multi-AP Profile', '2'],
      ['Multi-AP Default 802.1Q Setting', 'VLAN ID 10'],
    ]);
  });

  it('decodes the README-WPS WPS-CRED-RECEIVED line with its <2> prefix, key hidden, exit 0', async () => {
    const r = await run([CRED_RECEIVED_LINE]);
    expect(r.status).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.split('\n')).toEqual([
      'WPS-CRED-RECEIVED (115 bytes)',
      '  Credential (0x100e, 111 bytes)',
      '    Network Index (0x1026, 1 byte): 1',
      '    SSID (0x1045, 12 bytes): "jkm-wps-test"',
      '    Authentication Type (0x1003, 2 bytes): WPA2PSK (0x0020)',
      '    Encryption Type (0x100f, 2 bytes): AES (0x0008)',
      '    Network Key (0x1027, 64 bytes): [hidden, 64 bytes; --show-keys shows it]',
      '    MAC Address (0x1020, 6 bytes): 02:66:a0:ee:17:27',
    ]);
  });

  it('decodes the README-WPS WPS-NEW-AP-SETTINGS line up to the cut, names the cut and exits 1', async () => {
    const r = await run([NEW_AP_SETTINGS_LINE], { showKeys: true });
    expect(r.status).toBe(1);
    expect(r.out).toContain('SSID (0x1045, 12 bytes): "jkm-wps-test"');
    expect(r.out).toContain(`Network Key (0x1027, 64 bytes): "${SEED_PSK}"`);
    expect(r.out).toContain('MAC Address (0x1020, 6 bytes): 02:42:31:ce:de:15');
    expect(r.err).toBe('wpsd decode: error: truncated Key Wrap Authenticator (0x101e) at offset 111: 8 bytes declared, 1 present');
  });

  it('reports a cut inside a Credential on stderr too and exits 1', async () => {
    const r = await run(['WPS-CRED-RECEIVED 100e000c10260001011045000c6a6b6d']);
    expect(r.status).toBe(1);
    expect(r.out.split('\n')).toEqual([
      'WPS-CRED-RECEIVED (16 bytes)',
      '  Credential (0x100e, 12 bytes)',
      '    Network Index (0x1026, 1 byte): 1',
      '    error: truncated SSID (0x1045) at offset 9: 12 bytes declared, 3 present',
    ]);
    expect(r.err).toBe('wpsd decode: error: truncated SSID (0x1045) at offset 9: 12 bytes declared, 3 present');
  });

  it('prints a JSON tree with --json', async () => {
    const r = await run([CRED_RECEIVED_LINE.slice(3)], { json: true });
    const j = JSON.parse(r.out) as { event: string; attributes: { name: string; children: { name: string; value: string; masked?: boolean }[] }[] };
    expect(j.event).toBe('WPS-CRED-RECEIVED');
    const kids = j.attributes[0]?.children ?? [];
    expect(kids.find((k) => k.name === 'SSID')?.value).toBe('"jkm-wps-test"');
    expect(kids.find((k) => k.name === 'Network Key')?.masked).toBe(true);
    expect(r.out).not.toContain(SEED_PSK);
  });

  it('accepts hex with spaces and colons, base64, and standard input', async () => {
    const spaced = await run(['10 45 00 04', '74:65:73:74']);
    expect(spaced.out).toBe('SSID (0x1045, 4 bytes): "test"');
    const b64 = await run([Buffer.from('104500047465737410200006020000000001', 'hex').toString('base64')]);
    expect(b64.out.split('\n')).toEqual(['SSID (0x1045, 4 bytes): "test"', 'MAC Address (0x1020, 6 bytes): 02:00:00:00:00:01']);
    const stdin = await run(['-'], {}, CRED_RECEIVED_LINE + '\n');
    expect(stdin.status).toBe(0);
    expect(stdin.out).toContain('02:66:a0:ee:17:27');
  });

  it('refuses bad input with the offset to blame and exit 1', async () => {
    const bad = await run(['10450004746573!4']);
    expect(bad.status).toBe(1);
    expect(bad.out).toBe('');
    expect(bad.err).toBe("wpsd decode: input is neither hex nor base64: unexpected '!' at character 14");
    const notHex = await run(['WPS-CRED-RECEIVED 100e00zz']);
    expect(notHex.err).toBe("wpsd decode: WPS-CRED-RECEIVED hexdump has a non-hex character 'z' at character 6");
    expect((await run(['104'])).err).toMatch(/odd number of hex digits/);
    expect((await run(['WPS-PIN-NEEDED 1234'])).err).toMatch(/carries no attribute hexdump/);
    expect((await run([''])).err).toBe('wpsd decode: nothing to decode');
    expect(() => parseDecodeInput('%%%')).toThrow(DecodeInputError);
  });

  it('says how the input was read when what it made does not decode ("QUFB" is base64, "zzzz" base64 read as NDEF)', async () => {
    const r = await run(['QUFB']);
    expect(r.status).toBe(1);
    expect(r.err.split('\n')).toEqual([
      expect.stringMatching(/^wpsd decode: error: truncated attribute header/),
      'wpsd decode: the input was read as base64 (it is not all hex digits): 4 characters, 3 bytes',
    ]);
    const j = JSON.parse((await run(['QUFB'], { json: true })).out) as { input: unknown };
    expect(j.input).toEqual({ format: 'base64', chars: 4, bytes: 3 });
    expect((await run(['104500'])).err).toContain('wpsd decode: the input was read as hex: 6 characters, 3 bytes');
    expect((await run(['zzzz'])).err).toMatch(/^wpsd decode: base64 input read as an NDEF message/);
  });

  it('reads every input form through parseDecodeInput', () => {
    expect(parseDecodeInput('WPS-NEW-AP-SETTINGS 10450000')).toMatchObject({ event: 'WPS-NEW-AP-SETTINGS', format: 'hex' });
    expect(parseDecodeInput('0x10450000').bytes.toString('hex')).toBe('10450000');
    expect(parseDecodeInput('EEUAAA==')).toMatchObject({ format: 'base64' });
    expect(parseDecodeInput('EEUAAA==').bytes.toString('hex')).toBe('10450000');
  });
});

describe('wpsd decode (built binary)', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const cli = join(root, 'dist', 'src', 'cli.js');
  const built = join(root, 'dist', 'src', 'wps', 'decode.js');

  beforeAll(() => {
    const src = join(root, 'src', 'wps', 'decode.ts');
    const cmd = join(root, 'src', 'decode', 'decode-command.ts');
    const stale = !existsSync(cli) || !existsSync(built) || statSync(built).mtimeMs < Math.max(statSync(src).mtimeMs, statSync(cmd).mtimeMs);
    // tsc emits JavaScript even when unrelated files have type errors, so its status is not checked here.
    if (stale) spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore', timeout: 120_000 });
  }, 150_000);

  it('node dist/src/cli.js decode prints the credential and exits 0; the cut AP settings exit 1', () => {
    const ok = spawnSync(process.execPath, [cli, 'decode', CRED_RECEIVED_LINE], { encoding: 'utf8', timeout: 20_000 });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('    SSID (0x1045, 12 bytes): "jkm-wps-test"');
    expect(ok.stdout).toContain('    Authentication Type (0x1003, 2 bytes): WPA2PSK (0x0020)');
    expect(ok.stdout).not.toContain(SEED_PSK);
    const cut = spawnSync(process.execPath, [cli, 'decode', '-'], { input: NEW_AP_SETTINGS_LINE, encoding: 'utf8', timeout: 20_000 });
    expect(cut.status).toBe(1);
    expect(cut.stdout).toContain('MAC Address (0x1020, 6 bytes): 02:42:31:ce:de:15');
    expect(cut.stderr).toContain('truncated Key Wrap Authenticator (0x101e) at offset 111: 8 bytes declared, 1 present');
  });
});

describe('wpsd decode of NFC tokens', () => {
  // wpa_supplicant 2.10's `wps_nfc_token NDEF` and hostapd 2.10's `nfc_get_handover_sel WPS WPS-CR` (fixtures/nfc/tokens.txt).
  const PW_NDEF =
    'D217446170706C69636174696F6E2F766E642E7766612E777363102C00366EDA27FA9B05AD5E7753FFB1BC6A5205B290080773101C201FC52116975D269B99BE7E8BDA9D590C84668AABE1554310724DD395D25E1049000600372A000120';
  const HS_CARRIER = '003A102C0016726FAFDDE4FA123B6167BB5F2F7B64A8F21304D10007104500086E66632D74657374102000061ED91F2AA9D91049000600372A000120';

  it('shows the NDEF record and the password token in it, password hidden', async () => {
    const r = await run([PW_NDEF]);
    expect(r.status).toBe(0);
    expect(r.out.split('\n')).toEqual([
      'NDEF message (94 bytes, 1 record)',
      '  record 1: application/vnd.wfa.wsc (media type), 68 bytes',
      '    OOB Device Password (0x102c, 54 bytes): Password ID 0x7310, Public Key Hash 6eda27fa9b05ad5e7753ffb1bc6a5205b2900807, password [hidden, 32 bytes; --show-keys shows it]',
      '    Vendor Extension (0x1049, 6 bytes): vendor 00:37:2a (WFA)',
      '      Version2 (id 0, 1 byte): 0x20 (2.0)',
    ]);
    expect(r.out).not.toContain('1c201fc52116975d');
    expect((await run([PW_NDEF], { showKeys: true })).out).toContain('password 1c201fc52116975d269b99be7e8bda9d590c84668aabe1554310724dd395d25e');
  });

  it('reads a handover carrier record with its length field', async () => {
    const r = await run([HS_CARRIER], { json: true });
    expect(r.status).toBe(0);
    const j = JSON.parse(r.out) as { carrierLength: number; attributes: Array<{ name: string; value: string }> };
    expect(j.carrierLength).toBe(58);
    expect(j.attributes.map((a) => a.name)).toEqual(['OOB Device Password', 'SSID', 'MAC Address', 'Vendor Extension']);
  });

  it('says that a broken NDEF message was read as NDEF, and fails', async () => {
    const r = await run([PW_NDEF.slice(0, 40)]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/hex input read as an NDEF message .*truncated type/);
  });
});
