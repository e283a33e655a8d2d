import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatConfigString,
  parseConfigString,
  parseCtrlInterface,
  parseDeviceType,
  parseStrtol0,
  parseUuid,
  printfDecode,
  printfEncode,
} from './values.js';
import { formatDeviceType, formatUuid } from '../wps/device.js';

describe('configuration value syntaxes', () => {
  it('reads integers as strtol(..., 0) with a full-match check, as wpa_supplicant', () => {
    expect(parseStrtol0('0x10')).toBe(16);
    expect(parseStrtol0('010')).toBe(8);
    expect(parseStrtol0(' -5')).toBe(-5);
    expect(parseStrtol0('')).toBe(0);
    expect(parseStrtol0('08')).toBeNull();
    expect(parseStrtol0('1 ')).toBeNull();
    expect(parseStrtol0('-')).toBeNull();
    expect(parseStrtol0('99999999999')).toBeNull();
  });

  it('reads both ctrl_interface forms', () => {
    expect(parseCtrlInterface('/var/run/hostapd')).toEqual({ dir: '/var/run/hostapd' });
    expect(parseCtrlInterface('DIR=/run/x GROUP=netdev')).toEqual({ dir: '/run/x', group: 'netdev' });
    expect(parseCtrlInterface('DIR=/run/x')).toEqual({ dir: '/run/x' });
  });

  it('prints device types and UUIDs as hostapd does', () => {
    const t = parseDeviceType('6-0050f204-1');
    expect(t && formatDeviceType(t)).toBe('6-0050F204-1');
    expect(parseDeviceType('70000-0050F204-1')).toBeNull();
    const u = parseUuid('87654321-9ABC-def0-1234-56789abc0000');
    expect(u && formatUuid(u)).toBe('87654321-9abc-def0-1234-56789abc0000');
  });

  it('property: a written config string reads back to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        expect(parseConfigString(formatConfigString(b))?.equals(Buffer.from(b))).toBe(true);
      }),
    );
  });

  it('property: printf_encode output decodes back (P"..." form)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        expect(printfDecode(printfEncode(b)).equals(Buffer.from(b))).toBe(true);
        expect(parseConfigString(`P"${printfEncode(b)}"`)?.equals(Buffer.from(b))).toBe(true);
      }),
    );
  });

  it('property: the value parsers are total on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        parseConfigString(s);
        printfDecode(s);
        parseStrtol0(s);
        parseDeviceType(s);
        parseUuid(s);
        parseCtrlInterface(s);
      }),
    );
  });
});
