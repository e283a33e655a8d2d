import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { actionArgs, buildRequest, completeLine, keepInHistory, namesFromHelp, tokenizeLine } from './cli-text.js';

describe('wpsd cli text handling', () => {
  it('splits typed lines on blanks and keeps a quoted part together', () => {
    expect(tokenizeLine('  wps_pin  any 12345670 ')).toEqual(['wps_pin', 'any', '12345670']);
    expect(tokenizeLine('set_network 0 ssid "my net"')).toEqual(['set_network', '0', 'ssid', '"my net"']);
    expect(tokenizeLine('')).toEqual([]);
  });

  it('sends the command upper-cased, hex-encodes WPS_CONFIG fields, and passes raw through', () => {
    expect(buildRequest(['ping'])).toBe('PING');
    expect(buildRequest(['wps_check_pin', '1234-5670'])).toBe('WPS_CHECK_PIN 1234-5670');
    expect(buildRequest(['wps_config', 'net', 'WPA2PSK', 'CCMP', 'secret12'])).toBe('WPS_CONFIG 6e6574 WPA2PSK CCMP 7365637265743132');
    expect(buildRequest(['raw', 'STATUS-DRIVER'])).toBe('STATUS-DRIVER');
  });

  it('completes command names for the first word only', () => {
    const names = ['wps_pin', 'wps_pbc', 'ping'];
    expect(completeLine('wps_p', names)).toEqual([['wps_pbc', 'wps_pin'], 'wps_p']);
    expect(completeLine('wps_pin a', names)).toEqual([[], 'wps_pin a']);
  });

  it('reads command names from a HELP reply, none from UNKNOWN COMMAND', () => {
    expect(namesFromHelp('ping = x\nwps_pin <a> = y\n')).toEqual(['ping', 'wps_pin']);
    expect(namesFromHelp('UNKNOWN COMMAND\n')).toEqual([]);
  });

  it('keeps commands carrying keys or PINs out of the history file', () => {
    expect(keepInHistory('ping')).toBe(true);
    expect(keepInHistory('wps_config net WPA2PSK CCMP secret')).toBe(false);
    expect(keepInHistory('WPS_PIN any 12345670')).toBe(false);
  });

  it('gives the action program the interface and the event words', () => {
    expect(actionArgs('wlan0', 'WPS-PBC-ACTIVE ')).toEqual(['wlan0', 'WPS-PBC-ACTIVE']);
    expect(actionArgs('wlan0', 'AP-STA-CONNECTED 02:00:00:00:00:01')).toEqual(['wlan0', 'AP-STA-CONNECTED', '02:00:00:00:00:01']);
  });

  it('property: tokenizing never yields empty words or unquoted blanks', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (line) => {
        for (const w of tokenizeLine(line)) {
          expect(w.length).toBeGreaterThan(0);
          if (!w.includes('"')) expect(/[ \t]/.test(w)).toBe(false);
        }
      }),
    );
  });
});
