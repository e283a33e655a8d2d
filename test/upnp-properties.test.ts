/** fast-check properties for every parser in src/upnp: total (typed errors only) and round-tripping. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Base64Error,
  DescriptionError,
  GenaError,
  SoapError,
  SsdpMessageError,
  buildDeviceDescription,
  buildPropertySet,
  buildSoapRequest,
  buildSoapResponse,
  buildSsdpMessage,
  decodeBase64,
  encodeBase64,
  parseCallbackHeader,
  parseDeviceDescription,
  parsePropertySet,
  parseSoapRequest,
  parseSoapResponse,
  parseSsdpMessage,
  parseTimeoutHeader,
  type DeviceDescription,
} from '../src/upnp/index.js';

const RUNS = { numRuns: 200 };

/** Throws only errors of class `cls` (or nothing). */
function totalWith(cls: new (...a: never[]) => Error, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof cls)) throw e;
  }
}

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/);
/** Text that survives XML (no control characters) and value trimming. */
const text = fc
  .string({ unit: fc.oneof(fc.constantFrom('&', '<', '>', '"', "'", ' ', 'é', '中'), fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c))), maxLength: 40 })
  .map((s) => s.replace(/[\u0000-\u001f\u007f]/g, 'x').trim()); // eslint-disable-line no-control-regex
const nonEmptyText = text.filter((s) => s !== '');
const prefix = fc.constantFrom('s', 'SOAP-ENV', 'soap', 'env', '');
const ws = fc.constantFrom('', ' ', '\n', '\r\n  ', '\t');

describe('SOAP parser properties', () => {
  it('parses a request back to its arguments, whatever the prefix and whitespace', () => {
    fc.assert(
      fc.property(name, fc.uniqueArray(fc.tuple(name, text), { selector: (t) => t[0], maxLength: 6 }), prefix, prefix, ws, (action, args, envP, argP, sp) => {
        const p = envP === '' ? '' : `${envP}:`;
        const xmlns = envP === '' ? 'xmlns' : `xmlns:${envP}`;
        const ap = argP === '' ? '' : `${argP}:`;
        const inner = args.map(([k, v]) => `${sp}<${ap}${k}>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</${ap}${k}>`).join('');
        const body = `<?xml version="1.0"?>${sp}<${p}Envelope ${xmlns}="http://schemas.xmlsoap.org/soap/envelope/">${sp}<${p}Body>${sp}<u:${action} xmlns:u="urn:x:service:S:1"${argP ? ` xmlns:${argP}="urn:x"` : ''}>${inner}${sp}</u:${action}>${sp}</${p}Body>${sp}</${p}Envelope>`;
        const r = parseSoapRequest(body, `"urn:x:service:S:1#${action}"`);
        expect(r.actionName).toBe(action);
        expect(r.args).toEqual(Object.fromEntries(args));
      }),
      RUNS,
    );
  });

  it('round-trips built requests and responses', () => {
    fc.assert(
      fc.property(name, fc.uniqueArray(fc.tuple(name, text), { selector: (t) => t[0], maxLength: 6 }), (action, args) => {
        const a = Object.fromEntries(args);
        expect(parseSoapRequest(buildSoapRequest('urn:x:service:S:1', action, a), `urn:x:service:S:1#${action}`).args).toEqual(a);
        expect(parseSoapResponse(buildSoapResponse('urn:x:service:S:1', action, a), action)).toEqual(a);
      }),
      RUNS,
    );
  });

  it('refuses a malformed envelope with a MALFORMED SoapError, and every truncation of a good one', () => {
    const bad = [
      '<s:Envelope xmlns:s="x"><s:Body><u:GetDeviceInfoResponse xmlns:u="y"><NewDeviceInfo>EEoAARA=',
      '<s:Envelope xmlns:s="x"><s:Body><u:GetDeviceInfoResponse xmlns:u="y"><NewDeviceInfo>EEoAARA=</NewDeviceInfo></u:GetDeviceInfoResponse></s:Body>',
      '<s:Envelope xmlns:s="x"><s:Body><u:GetDeviceInfoResponse xmlns:u="y"/></s:Envelope></s:Body>',
      '<s:Envelope xmlns:s="x"><s:Body><u:GetDeviceInfoResponse xmlns:u="y"/></s:Body></s:Envelope><s:Envelope/>',
      '<s:Body><u:GetDeviceInfoResponse xmlns:u="y"/></s:Body>',
      '<s:Envelope xmlns:s="x"/>',
      '<s:Envelope xmlns:s="x"><s:Body/></s:Envelope>',
      '<s:Envelope xmlns:s="x"><s:Body><u:A xmlns:u="y"/><u:B xmlns:u="y"/></s:Body></s:Envelope>',
      '\u0000\u0001\u00ff\u00fe<\u0080',
    ];
    for (const body of bad) {
      expect(() => parseSoapResponse(body, 'GetDeviceInfo'), body).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
      expect(() => parseSoapRequest(body, 'urn:x:service:S:1#GetDeviceInfo'), body).toThrow(SoapError);
    }
    fc.assert(
      fc.property(name, fc.uniqueArray(fc.tuple(name, text), { selector: (t) => t[0], maxLength: 6 }), fc.nat(), (action, args, cut) => {
        const xml = buildSoapResponse('urn:x:service:S:1', action, Object.fromEntries(args)).trimEnd();
        expect(() => parseSoapResponse(xml.slice(0, cut % xml.length), action)).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
      }),
      RUNS,
    );
  });

  it('never throws anything but SoapError on arbitrary or mutated input', () => {
    const valid = buildSoapRequest('urn:x:service:S:1', 'Act', { NewA: 'x', NewB: 'y' });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.tuple(fc.nat(valid.length), fc.nat(valid.length), fc.string({ maxLength: 10 })).map(([i, j, s]) => valid.slice(0, Math.min(i, j)) + s + valid.slice(Math.max(i, j)))), fc.option(fc.string({ maxLength: 60 })), (body, action) => {
        totalWith(SoapError, () => parseSoapRequest(body, action ?? undefined));
        totalWith(SoapError, () => parseSoapResponse(body, 'Act'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('GENA parser properties', () => {
  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
  const url = fc.tuple(ipv4, fc.integer({ min: 1, max: 65535 }), fc.stringMatching(/^[a-z0-9/]{0,12}$/)).map(([h, p, path]) => new URL(`http://${h}:${p}/${path}`).href);

  it('parses one or several <url> in order, with any whitespace between them', () => {
    fc.assert(
      fc.property(fc.array(url, { minLength: 1, maxLength: 8 }), ws, (urls, sp) => {
        const header = sp + urls.map((u) => `<${u}>`).join(sp) + sp;
        expect(parseCallbackHeader(header).map((u) => u.href)).toEqual(urls);
      }),
      RUNS,
    );
  });

  it('never throws anything but GenaError on arbitrary CALLBACK, TIMEOUT and NOTIFY bodies', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        totalWith(GenaError, () => parseCallbackHeader(s));
        totalWith(GenaError, () => {
          const t = parseTimeoutHeader(s, 60, 86400, 1800);
          expect(t).toBeGreaterThanOrEqual(60);
          expect(t).toBeLessThanOrEqual(86400);
        });
        totalWith(GenaError, () => parsePropertySet(s));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a malformed NOTIFY body with BAD_PROPERTYSET, whatever the fault, and every truncation of a good one', () => {
    const bad = [
      '<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><WLANEvent>AQIA',
      '<e:propertyset><e:property><X>1</X></e:property></e:propertyset><e:propertyset/>',
      '<e:propertyset>junk<e:property><X>1</X></e:property></e:propertyset>',
      '<e:propertyset><e:property><X>1</X><Y>2</Y></e:property></e:propertyset>',
      '<e:propertyset><e:property><X>1</X></e:propertyset></e:property>',
      '<e:property><X>1</X></e:property>',
      '<e:propertyset><other/></e:propertyset>',
      '<e:propertyset><e:property><X>\u0000</X></e:property></e:propertyset>',
    ];
    for (const body of bad) expect(() => parsePropertySet(body), body).toThrow(GenaError);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, text), { selector: (t) => t[0], minLength: 1, maxLength: 6 }), fc.nat(), (props, cut) => {
        const xml = buildPropertySet(Object.fromEntries(props)).trimEnd();
        expect(() => parsePropertySet(xml.slice(0, cut % xml.length))).toThrow(GenaError);
      }),
      RUNS,
    );
  });

  it('round-trips property sets', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, text), { selector: (t) => t[0], maxLength: 6 }), (props) => {
        const p = Object.fromEntries(props);
        expect(parsePropertySet(buildPropertySet(p))).toEqual(p);
      }),
      RUNS,
    );
  });
});

describe('SSDP parser properties', () => {
  const hname = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
  const hvalue = fc.stringMatching(/^[!-~]([ -~]{0,40}[!-~])?$/);

  it('round-trips built messages, header names case-insensitively', () => {
    fc.assert(
      fc.property(fc.constantFrom('NOTIFY * HTTP/1.1', 'M-SEARCH * HTTP/1.1', 'HTTP/1.1 200 OK'), fc.uniqueArray(fc.tuple(hname, hvalue), { selector: (t) => t[0].toLowerCase(), maxLength: 10 }), (start, headers) => {
        const m = parseSsdpMessage(buildSsdpMessage(start, headers));
        expect(m.kind).toBe(start.startsWith('NOTIFY') ? 'notify' : start.startsWith('M-SEARCH') ? 'm-search' : 'response');
        expect([...m.headers]).toEqual(headers.map(([k, v]) => [k.toLowerCase(), v]));
      }),
      RUNS,
    );
  });

  it('never throws anything but SsdpMessageError on arbitrary datagrams', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ maxLength: 300 }).map((s) => Buffer.from('M-SEARCH * HTTP/1.1\r\n' + s))), (buf) => {
        totalWith(SsdpMessageError, () => parseSsdpMessage(buf));
      }),
      { numRuns: 500 },
    );
  });
});

describe('description parser properties', () => {
  const optional = fc.option(nonEmptyText, { nil: undefined });
  const service = fc.record({ serviceType: nonEmptyText, serviceId: nonEmptyText, SCPDURL: nonEmptyText, controlURL: nonEmptyText, eventSubURL: nonEmptyText });
  const doc = fc
    .record({
      deviceType: nonEmptyText,
      friendlyName: nonEmptyText,
      manufacturer: nonEmptyText,
      manufacturerURL: optional,
      modelDescription: optional,
      modelName: nonEmptyText,
      modelNumber: optional,
      modelURL: optional,
      serialNumber: optional,
      UDN: fc.uuid().map((u) => `uuid:${u}`),
      UPC: optional,
      serviceList: fc.array(service, { maxLength: 4 }),
    })
    .map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as unknown as DeviceDescription);

  it('round-trips any description through build and parse', () => {
    fc.assert(
      fc.property(doc, (d) => {
        expect(parseDeviceDescription(buildDeviceDescription(d))).toEqual(d);
      }),
      RUNS,
    );
  });

  it('refuses every truncation of a description as MALFORMED', () => {
    fc.assert(
      fc.property(doc, fc.nat(), (d, cut) => {
        const xml = buildDeviceDescription(d).trimEnd();
        expect(() => parseDeviceDescription(xml.slice(0, cut % xml.length))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
      }),
      RUNS,
    );
  });

  it('never throws anything but DescriptionError on arbitrary or truncated documents', () => {
    const valid = buildDeviceDescription({ deviceType: 'urn:x:device:D:1', friendlyName: 'f', manufacturer: 'm', modelName: 'n', UDN: 'uuid:1', serviceList: [{ serviceType: 'a', serviceId: 'b', SCPDURL: 'c', controlURL: 'd', eventSubURL: 'e' }] });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.nat(valid.length).map((n) => valid.slice(0, n)), fc.tuple(fc.nat(valid.length), fc.string({ maxLength: 8 })).map(([i, s]) => valid.slice(0, i) + s + valid.slice(i + s.length))), (s) => {
        totalWith(DescriptionError, () => parseDeviceDescription(s));
      }),
      { numRuns: 500 },
    );
  });
});

describe('base64 properties', () => {
  it('decodes what it encodes, with whitespace inserted anywhere', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.tuple(fc.nat(400), ws)), (bytes, inserts) => {
        let s = encodeBase64(bytes);
        for (const [at, w] of inserts) s = s.slice(0, at % (s.length + 1)) + w + s.slice(at % (s.length + 1));
        expect(decodeBase64(s)).toEqual(bytes);
      }),
      RUNS,
    );
  });

  it('never throws anything but Base64Error, and whatever it accepts re-encodes to the same length (pad bits aside)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[A-Za-z0-9+/]{0,40}={0,2}$/)), (s) => {
        totalWith(Base64Error, () => {
          const out = decodeBase64(s);
          const compact = s.replace(/[ \t\r\n]+/g, '');
          const again = encodeBase64(out);
          expect(again.length).toBe(compact.length);
          // Only the bits below the last significant character may differ (RFC 4648 3.5: non-zero pad bits are tolerated).
          const keep = compact.replace(/=+$/, '').length - 1;
          expect(again.slice(0, Math.max(0, keep))).toBe(compact.slice(0, Math.max(0, keep)));
        });
      }),
      { numRuns: 500 },
    );
  });
});
