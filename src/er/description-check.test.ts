import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DescriptionCheckError, checkApDescription, checkUrlHost } from './description-check.js';

const XML = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'reference', 'wps_device.xml'), 'utf8');
const LOC = 'http://169.254.1.1:49152/wps_device.xml';
const AP = '169.254.1.1';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof DescriptionCheckError) return e.code;
    throw e;
  }
  return 'ok';
}

describe("the External Registrar's check of an AP description", () => {
  it("accepts hostapd's recorded description and resolves its relative URLs against LOCATION", () => {
    const d = checkApDescription(XML, LOC, AP);
    expect(d.uuid.toString('hex')).toBe('123456789abcdef0123456789abcdef0');
    expect(d.friendlyName).toBe('WPS Access Point');
    expect(d.modelDescription).toBe('Wireless Access Point');
    expect(d.manufacturerUrl).toBe('http://www.example.com/');
    expect(d.modelUrl).toBe('http://www.example.com/model/');
    expect(d.controlUrl).toBe('http://169.254.1.1:49152/wps_control');
    expect(d.eventSubUrl).toBe('http://169.254.1.1:49152/wps_event');
  });

  it('refuses descriptions that are broken or point elsewhere, each with its own code', () => {
    expect(codeOf(() => checkApDescription(XML.slice(0, 300), LOC, AP))).toBe('MALFORMED');
    expect(codeOf(() => checkApDescription(XML.replace('WFADevice:1', 'InternetGatewayDevice:1'), LOC, AP))).toBe('NOT_WFA_DEVICE');
    expect(codeOf(() => checkApDescription(XML.replace(/<UDN>uuid:[^<]*</, '<UDN>uuid:abc<'), LOC, AP))).toBe('BAD_UDN');
    expect(codeOf(() => checkApDescription(XML.replace(/WFAWLANConfig:1<\/serviceType>/, 'Other:1</serviceType>'), LOC, AP))).toBe('NO_WFA_SERVICE');
    expect(codeOf(() => checkApDescription(XML.replace('<controlURL>wps_control', '<controlURL>http://169.254.9.9/wps_control'), LOC, AP))).toBe('FOREIGN_HOST');
    expect(codeOf(() => checkApDescription(XML.replace('<eventSubURL>wps_event', '<eventSubURL>http://ap.example/wps_event'), LOC, AP))).toBe('HOSTNAME');
    expect(codeOf(() => checkApDescription(XML.replace('<controlURL>wps_control', '<controlURL>ftp://169.254.1.1/x'), LOC, AP))).toBe('BAD_URL');
    expect(codeOf(() => checkApDescription(XML.replace(/<controlURL>[^<]*<\/controlURL>/, ''), LOC, AP))).toBe('MALFORMED');
    // The LOCATION itself must be on the address the advertisement came from.
    expect(codeOf(() => checkApDescription(XML, 'http://169.254.1.7:49152/wps_device.xml', AP))).toBe('FOREIGN_HOST');
    expect(codeOf(() => checkApDescription(XML, 'http://localhost:49152/wps_device.xml', AP))).toBe('HOSTNAME');
  });

  it('a URL host must be an IP literal equal to the AP address', () => {
    expect(checkUrlHost('http://169.254.1.1:80/x', AP, 'u').port).toBe('');
    expect(codeOf(() => checkUrlHost('http://user:pw@169.254.1.1/x', AP, 'u'))).toBe('BAD_URL');
    expect(codeOf(() => checkUrlHost('not a url', AP, 'u'))).toBe('BAD_URL');
  });

  it('never throws anything but DescriptionCheckError for arbitrary or mutated documents', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        try {
          checkApDescription(s, LOC, AP);
        } catch (e) {
          expect(e).toBeInstanceOf(DescriptionCheckError);
        }
      }),
    );
    fc.assert(
      fc.property(fc.nat(XML.length - 1), fc.string({ maxLength: 20 }), (at, junk) => {
        try {
          checkApDescription(XML.slice(0, at) + junk + XML.slice(at + junk.length), LOC, AP);
        } catch (e) {
          expect(e).toBeInstanceOf(DescriptionCheckError);
        }
      }),
    );
  });
});
