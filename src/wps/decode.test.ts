import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeAttributes, formatDecodeText, hasTruncation, type DecodedNode } from './decode.js';
import { buildM1, withAuthenticator, buildM8 } from './message.js';
import { parseDeviceType } from './device.js';
import { encodeAttributes } from './attributes.js';

/** wpa_supplicant README-WPS: the WPS-CRED-RECEIVED example. */
const CRED_RECEIVED_HEX =
  '100e006f10260001011045000c6a6b6d2d7770732d74657374100300020020100f000200081027004030653462303435366332363666653064333961643135353461316634626637313234333761636664623766333939653534663166316230323061643434386235102000060266a0ee1727';
/** hostapd README-WPS: the WPS-NEW-AP-SETTINGS example, cut inside its last attribute. */
const NEW_AP_SETTINGS_HEX =
  '10260001011045000c6a6b6d2d7770732d74657374100300020020100f00020008102700403065346230343536633236366665306433396164313535346131663462663731323433376163666462376633393965353466316631623032306164343438623510200006024231cede15101e000844';
const SEED_PSK = '0e4b0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5';

const byName = (nodes: DecodedNode[], name: string) => nodes.find((n) => n.name === name);

describe('decode (dissector)', () => {
  it('decodes the WPS-CRED-RECEIVED credential: SSID jkm-wps-test, WPA2PSK, AES, MAC 02:66:a0:ee:17:27, key hidden', () => {
    const r = decodeAttributes(Buffer.from(CRED_RECEIVED_HEX, 'hex'));
    expect(r.truncated).toBeUndefined();
    expect(r.attributes).toHaveLength(1);
    const cred = r.attributes[0];
    expect(cred).toMatchObject({ name: 'Credential', type: 0x100e, offset: 0, length: 111 });
    const kids = cred?.children ?? [];
    expect(kids.map((k) => k.name)).toEqual(['Network Index', 'SSID', 'Authentication Type', 'Encryption Type', 'Network Key', 'MAC Address']);
    expect(byName(kids, 'Network Index')?.value).toBe('1');
    expect(byName(kids, 'SSID')?.value).toBe('"jkm-wps-test"');
    expect(byName(kids, 'Authentication Type')?.value).toBe('WPA2PSK (0x0020)');
    expect(byName(kids, 'Encryption Type')?.value).toBe('AES (0x0008)');
    expect(byName(kids, 'MAC Address')?.value).toBe('02:66:a0:ee:17:27');
    const key = byName(kids, 'Network Key');
    expect(key).toMatchObject({ masked: true, length: 64, offset: 37 });
    expect(key?.hex).toBeUndefined();
    expect(JSON.stringify(r)).not.toContain(SEED_PSK);
    expect(JSON.stringify(r)).not.toContain(Buffer.from(SEED_PSK).toString('hex'));
  });

  it('prints one line per attribute, nested ones indented', () => {
    const lines = formatDecodeText(decodeAttributes(Buffer.from(CRED_RECEIVED_HEX, 'hex')));
    expect(lines).toEqual([
      'Credential (0x100e, 111 bytes)',
      '  Network Index (0x1026, 1 byte): 1',
      '  SSID (0x1045, 12 bytes): "jkm-wps-test"',
      '  Authentication Type (0x1003, 2 bytes): WPA2PSK (0x0020)',
      '  Encryption Type (0x100f, 2 bytes): AES (0x0008)',
      '  Network Key (0x1027, 64 bytes): [hidden, 64 bytes; --show-keys shows it]',
      '  MAC Address (0x1020, 6 bytes): 02:66:a0:ee:17:27',
    ]);
  });

  it('shows the network key with showKeys', () => {
    const r = decodeAttributes(Buffer.from(CRED_RECEIVED_HEX, 'hex'), { showKeys: true });
    expect(byName(r.attributes[0]?.children ?? [], 'Network Key')?.value).toBe(`"${SEED_PSK}"`);
  });

  it('decodes the WPS-NEW-AP-SETTINGS example up to its cut and names the cut Key Wrap Authenticator', () => {
    const r = decodeAttributes(Buffer.from(NEW_AP_SETTINGS_HEX, 'hex'));
    expect(r.attributes.map((n) => [n.name, n.value])).toEqual([
      ['Network Index', '1'],
      ['SSID', '"jkm-wps-test"'],
      ['Authentication Type', 'WPA2PSK (0x0020)'],
      ['Encryption Type', 'AES (0x0008)'],
      ['Network Key', '[hidden, 64 bytes; --show-keys shows it]'],
      ['MAC Address', '02:42:31:ce:de:15'],
    ]);
    expect(r.truncated).toMatchObject({ attribute: 'Key Wrap Authenticator', type: 0x101e, offset: 111, declared: 8, present: 1 });
    expect(hasTruncation(r)).toBe(true);
    expect(formatDecodeText(r).at(-1)).toBe('error: truncated Key Wrap Authenticator (0x101e) at offset 111: 8 bytes declared, 1 present');
  });

  it('reports a cut inside a Credential at the Credential, with absolute offsets', () => {
    // A Credential whose inner SSID claims 12 bytes but has 3.
    const buf = Buffer.from('100e000c' + '1026000101' + '1045000c6a6b6d', 'hex');
    const r = decodeAttributes(buf);
    expect(r.truncated).toBeUndefined();
    expect(r.attributes[0]?.children?.map((c) => c.name)).toEqual(['Network Index']);
    expect(r.attributes[0]?.truncated).toMatchObject({ attribute: 'SSID', offset: 9, declared: 12, present: 3 });
    expect(hasTruncation(r)).toBe(true);
  });

  it('decodes a whole M1 with device data, flags and the WFA extension subelements', () => {
    const m1 = buildM1({
      uuidE: Buffer.from('12345678123456781234567812345678', 'hex'),
      macAddress: Buffer.from('020000000001', 'hex'),
      enrolleeNonce: Buffer.alloc(16, 1),
      publicKey: Buffer.alloc(192, 2),
      authTypeFlags: 0x23,
      encrTypeFlags: 0x09,
      configMethods: 0x2688,
      wpsState: 2,
      device: { manufacturer: 'Company', modelName: 'WAP', modelNumber: '123', serialNumber: '12345', primaryDeviceType: parseDeviceType('6-0050F204-1'), deviceName: 'Wireless AP' },
      rfBands: 1,
      devicePasswordId: 4,
      osVersion: 0x01020304,
      wfa: { multiAp: 0x80, authorizedMacs: [Buffer.from('ffffffffffff', 'hex')] },
    });
    const r = decodeAttributes(m1);
    expect(r.messageType).toBe('M1');
    const v = (name: string) => byName(r.attributes, name)?.value;
    expect(v('UUID-E')).toBe('12345678-1234-5678-1234-567812345678');
    expect(v('Authentication Type Flags')).toBe('OPEN|WPAPSK|WPA2PSK (0x0023)');
    expect(v('Encryption Type Flags')).toBe('NONE|AES (0x0009)');
    expect(v('Config Methods')).toBe('VirtualDisplay|VirtualPushButton|PhysicalPushButton (0x2688)');
    expect(v('Wi-Fi Protected Setup State')).toBe('Configured (0x02)');
    expect(v('Primary Device Type')).toBe('6-0050F204-1 (NetworkInfrastructure)');
    expect(v('Device Password ID')).toBe('PushButton (0x0004)');
    expect(v('OS Version')).toBe('0x81020304');
    const wfa = byName(r.attributes, 'Vendor Extension');
    expect(wfa?.value).toBe('vendor 00:37:2a (WFA)');
    expect(wfa?.children?.map((c) => [c.name, c.value])).toEqual([
      ['Version2', '0x20 (2.0)'],
      ['AuthorizedMacs', 'ff:ff:ff:ff:ff:ff'],
      ['MultiAp', 'BackhaulSta (0x80)'],
    ]);
  });

  it('marks a wrong-sized attribute and shows other vendors\' extensions as bytes', () => {
    const buf = encodeAttributes([
      { type: 0x101a, value: Buffer.alloc(3) },
      { type: 0x1049, value: Buffer.from('0050f2aabb', 'hex') },
      { type: 0x1234, value: Buffer.from('00', 'hex') },
    ]);
    const r = decodeAttributes(buf);
    expect(r.attributes[0]?.problem).toBe('EnrolleeNonce must be 16 byte(s), got 3');
    expect(r.attributes[1]?.value).toBe('vendor 00:50:f2, 2 bytes: aabb');
    expect(r.attributes[2]?.name).toBe('Unknown 0x1234');
  });

  it('shows Encrypted Settings as IV and ciphertext length without decrypting', () => {
    const m8 = withAuthenticator(buildM8({ enrolleeNonce: Buffer.alloc(16), encryptedSettings: Buffer.alloc(64, 7) }), Buffer.alloc(8));
    const r = decodeAttributes(m8);
    expect(byName(r.attributes, 'Encrypted Settings')?.value).toBe(`IV ${'07'.repeat(16)}, 48 bytes of ciphertext`);
    expect(r.messageType).toBe('M8');
  });

  it('property: never throws; a cut is reported exactly when the stream is not whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, showKeys) => {
        const r = decodeAttributes(bytes, { showKeys });
        const consumed = r.attributes.reduce((n, a) => n + 4 + a.length, 0);
        if (r.truncated === undefined) expect(consumed).toBe(bytes.length);
        else expect(r.truncated.offset).toBe(consumed);
        formatDecodeText(r);
        JSON.stringify(r);
      }),
      { numRuns: 2000 },
    );
  });
});
