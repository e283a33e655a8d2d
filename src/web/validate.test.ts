import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidPinChecksum } from '../wps/pin.js';
import { redactEventText } from './redact.js';
import {
  WebInputError,
  parseConfigure,
  parseEnrollAll,
  parseLearn,
  parsePbcRequest,
  parsePinRequest,
  parseRevealKey,
  parseSsid,
  parseWpaKey,
} from './validate.js';

const UUID = '87654321-9abc-def0-1234-56789abc0002';

/** Runs a parser; any error other than WebInputError is a defect. */
function outcome<T>(f: () => T): T | WebInputError {
  try {
    return f();
  } catch (e) {
    if (e instanceof WebInputError) return e;
    throw e;
  }
}

/** ASCII with control characters, and 2-, 3- and 4-byte UTF-8 characters (fast-check's 'binary' unit is slow). */
const SSID_UNIT = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('é', 'ß', '€', '中', '😀'),
);

const parsers = [parseLearn, parseConfigure, parsePinRequest, parsePbcRequest, parseEnrollAll, parseRevealKey];

describe('console form checks', () => {
  it('never fail with anything but a WebInputError with a message, whatever JSON arrives', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: parsers.length - 1 }), (body, i) => {
        const r = outcome(() => parsers[i]!(body));
        if (r instanceof WebInputError) expect(r.message.length).toBeGreaterThan(0);
      }),
    );
  });

  it('accept only PINs of 4 digits or 8 digits with a right checksum, separators dropped', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (pin) => {
        const r = outcome(() => parseLearn({ ap: UUID, pin }));
        if (r instanceof WebInputError) return;
        expect(r.pin).toMatch(/^(?:\d{4}|\d{8})$/);
        if (r.pin.length === 8) expect(isValidPinChecksum(r.pin)).toBe(true);
      }),
    );
    expect(parseLearn({ ap: UUID, pin: '1234-5670' }).pin).toBe('12345670');
    expect(parseLearn({ ap: UUID.toUpperCase(), pin: '1234' }).ap).toBe(UUID);
  });

  it('accept an SSID exactly when it is 1..32 UTF-8 bytes without control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: SSID_UNIT, maxLength: 40 }), (ssid) => {
        const bytes = Buffer.byteLength(ssid, 'utf8');
        // eslint-disable-next-line no-control-regex
        const ok = bytes >= 1 && bytes <= 32 && !/[\x00-\x1f\x7f]/.test(ssid);
        expect(!(outcome(() => parseSsid(ssid)) instanceof WebInputError)).toBe(ok);
      }),
    );
  });

  it('accept a WPA key of 8..63 printable ASCII characters or 64 hex digits, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (key) => {
        const ok = (/^[\x20-\x7e]{8,63}$/.test(key)) || /^[0-9a-fA-F]{64}$/.test(key);
        expect(!(outcome(() => parseWpaKey(key)) instanceof WebInputError)).toBe(ok);
      }),
    );
    expect(() => parseWpaKey('g'.repeat(64))).toThrow(/64 hex digits/);
  });

  it('configure takes the wpa_supplicant auth/encr names in any case and refuses mismatched pairs', () => {
    const base = { ap: UUID, pin: '12345670', ssid: 'net', key: 'passphrase' };
    expect(parseConfigure({ ...base, auth: 'wpapsk', encr: 'tkip' }).settings).toEqual({ ssid: 'net', auth: 'WPAPSK', encr: 'TKIP', key: 'passphrase' });
    expect(parseConfigure({ ...base, auth: 'OPEN', encr: 'NONE', key: '' }).settings.key).toBe('');
    expect(() => parseConfigure({ ...base, auth: 'WPA2PSK', encr: 'NONE' })).toThrow('WPA2PSK needs encryption CCMP or TKIP.');
    expect(() => parseConfigure({ ...base, auth: 'OPEN', encr: 'NONE' })).toThrow('An OPEN network has no key; leave Key empty.');
    expect(() => parseConfigure({ ...base, auth: 'WPA2PSK', encr: 'WEP' })).toThrow('Encryption must be one of NONE, TKIP, CCMP.');
    expect(() => parseConfigure({ ...base, auth: 'WPA2PSK', encr: 'CCMP', key: '' })).toThrow('WPA2PSK needs a key.');
  });

  it('wps_er_pin takes a UUID, a MAC or "any", and an optional Enrollee MAC', () => {
    expect(parsePinRequest({ enrollee: 'ANY', pin: '1234' })).toEqual({ enrollee: 'any', pin: '1234' });
    expect(parsePinRequest({ enrollee: '02:66:A0:EE:17:27', pin: '12345670', mac: '02:66:A0:EE:17:27' })).toEqual({
      enrollee: '02:66:a0:ee:17:27',
      pin: '12345670',
      mac: '02:66:a0:ee:17:27',
    });
    expect(() => parsePinRequest({ enrollee: 'someone', pin: '1234' })).toThrow('Enrollee must be a UUID, a MAC address or "any".');
    expect(() => parsePinRequest({ enrollee: 'any', pin: '1234', mac: '0266a0ee1727' })).toThrow(/aa:bb:cc:dd:ee:ff/);
    expect(() => parsePinRequest({ enrollee: 'any', pin: 12345670 })).toThrow('PIN must be text.');
  });
});

describe('event lines shown in the console', () => {
  it('never carry the key of WPS-ER-AP-SETTINGS, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.string({ maxLength: 32 }), (key, ssid) => {
        const line = `WPS-ER-AP-SETTINGS uuid=${UUID} ssid=${ssid} auth_type=0x0020 encr_type=0x0008 key=${key}`;
        const shown = redactEventText(line);
        expect(shown.endsWith(' key=[REMOVED]')).toBe(true);
        expect(shown.startsWith(`WPS-ER-AP-SETTINGS uuid=${UUID} ssid=`)).toBe(true);
      }),
    );
  });

  it('hide a Credential in hex and psk=/passphrase= values, and leave other lines alone', () => {
    expect(redactEventText('WPS-CRED-RECEIVED 100e003a10260001')).toBe('WPS-CRED-RECEIVED [REMOVED]');
    expect(redactEventText('CTRL-EVENT-X psk=abcdef passphrase=secret ok=1')).toBe('CTRL-EVENT-X psk=[REMOVED] passphrase=[REMOVED] ok=1');
    const add = 'WPS-ER-AP-ADD 87654321-9abc-def0-1234-56789abc0002 02:11:22:33:44:55 pri_dev_type=6-0050F204-1 wps_state=1 |Very friendly name|Company|||||';
    expect(redactEventText(add)).toBe(add);
    expect(redactEventText('WPS-ER-AP-SETTINGS uuid=x ssid=open auth_type=0x0001 encr_type=0x0001 key=')).toBe(
      'WPS-ER-AP-SETTINGS uuid=x ssid=open auth_type=0x0001 encr_type=0x0001 key=',
    );
  });
});
