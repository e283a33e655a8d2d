import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Logger, LogLevel } from '../common/log.js';
import { parseDeviceType } from '../wps/device.js';
import { PinRequestFile, pinNeededLine, pinRequestFileLine, type PinRequest } from './pin-requests.js';

const REQ: PinRequest = {
  uuid: Buffer.from('53b63a98d29e4457a2ed094d7e6a669c', 'hex'),
  macAddress: Buffer.from('02123456789a', 'hex'),
  device: { deviceName: 'Device', manufacturer: 'Manuf', modelName: 'Model', modelNumber: 'Model Number', serialNumber: 'Serial Number', primaryDeviceType: parseDeviceType('1-0050F204-1') },
};

describe('PIN requests', () => {
  it('WPS-PIN-NEEDED is spelled as hostapd 2.10 prints it: UUID-E and MAC before the bracketed device fields', () => {
    expect(pinNeededLine(REQ)).toBe('WPS-PIN-NEEDED 53b63a98-d29e-4457-a2ed-094d7e6a669c 02:12:34:56:78:9a [Device|Manuf|Model|Model Number|Serial Number|1-0050F204-1]');
  });

  it('the PIN request file line has the README-WPS fields separated by tabs', () => {
    expect(pinRequestFileLine(REQ, 1200188391.7)).toBe('1200188391\t53b63a98-d29e-4457-a2ed-094d7e6a669c\t02:12:34:56:78:9a\tDevice\tManuf\tModel\tModel Number\tSerial Number\t1-0050F204-1\n');
  });

  it('control characters in the Enrollee strings cannot forge fields or lines', () => {
    const evil: PinRequest = { ...REQ, device: { ...REQ.device, deviceName: 'a\tb\nc\r', manufacturer: '\x00\x7f' } };
    expect(pinRequestFileLine(evil, 1)).toBe('1\t53b63a98-d29e-4457-a2ed-094d7e6a669c\t02:12:34:56:78:9a\ta?b?c?\t??\tModel\tModel Number\tSerial Number\t1-0050F204-1\n');
    expect(pinNeededLine(evil)).not.toMatch(/[\n\r\t]/);
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { minLength: 5, maxLength: 5 }), ([a, b, c, d, e]) => {
        const line = pinRequestFileLine({ ...REQ, device: { ...REQ.device, deviceName: a ?? '', manufacturer: b ?? '', modelName: c ?? '', modelNumber: d ?? '', serialNumber: e ?? '' } }, 5);
        expect(line.split('\t')).toHaveLength(9);
        expect(line.indexOf('\n')).toBe(line.length - 1);
      }),
    );
  });

  it('lines are appended in order, and a file that cannot be written is logged, not thrown', async () => {
    const dir = mkdtempSync(join(tmpdir(), `wpsd-pinreq-${process.pid}-`));
    try {
      const f = new PinRequestFile(join(dir, 'pin-req'));
      void f.append(REQ, 1);
      void f.append({ ...REQ, macAddress: Buffer.from('020000000001', 'hex') }, 2);
      await f.flush();
      const lines = readFileSync(join(dir, 'pin-req'), 'utf8').split('\n');
      expect(lines.map((l) => l.split('\t')[0])).toEqual(['1', '2', '']);
      const logged: string[] = [];
      const bad = new PinRequestFile(join(dir, 'no-such-dir', 'pin-req'), new Logger({ level: LogLevel.INFO, sink: (l) => logged.push(l) }));
      await bad.append(REQ, 3);
      expect(logged.join('\n')).toMatch(/cannot append to wps_pin_requests/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
