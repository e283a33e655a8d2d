import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { request } from 'undici';
import {
  SoapError,
  SoapFaultError,
  UpnpActionError,
  UpnpErrorCode,
  UpnpHttpServer,
  buildSoapFault,
  buildSoapResponse,
  decodeBase64,
  encodeBase64,
  Base64Error,
  parseSoapAction,
  parseSoapRequest,
  parseSoapResponse,
  soapCall,
  soapControlHandler,
} from '../src/upnp/index.js';

const ST = 'urn:schemas-example-org:service:Thing:1';

function envelope(prefix: string, action: string, args: string, ns = 'http://schemas.xmlsoap.org/soap/envelope/'): string {
  const p = prefix === '' ? '' : `${prefix}:`;
  const x = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
  return `<?xml version="1.0"?><${p}Envelope ${x}="${ns}"><${p}Body>${action.replace('ARGS', args)}</${p}Body></${p}Envelope>`;
}

describe('SOAP request parsing', () => {
  it('accepts s:, SOAP-ENV:, soap: and unprefixed envelopes alike', () => {
    for (const prefix of ['s', 'SOAP-ENV', 'soap', '']) {
      const body = envelope(prefix, `<u:SetThing xmlns:u="${ST}">ARGS</u:SetThing>`, '<NewValue>abc</NewValue>');
      const r = parseSoapRequest(body, `"${ST}#SetThing"`);
      expect(r).toEqual({ serviceType: ST, actionName: 'SetThing', args: { NewValue: 'abc' } });
    }
  });

  it('accepts arguments with or without prefixes, and whitespace and newlines between elements', () => {
    const body =
      '<?xml version="1.0" encoding="utf-8"?>\r\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"\n  SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\n' +
      `  <SOAP-ENV:Body>\n    <m:SetThing xmlns:m="${ST}">\n      <m:NewA>\n  one\n</m:NewA>\n      <NewB>two</NewB>\n    </m:SetThing>\n  </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n`;
    expect(parseSoapRequest(body, `${ST}#SetThing`).args).toEqual({ NewA: 'one', NewB: 'two' });
  });

  it('decodes predefined entities and numeric character references in arguments, once', () => {
    const body = envelope('s', `<u:SetThing xmlns:u="${ST}">ARGS</u:SetThing>`, '<NewValue>a&amp;lt;b &#233;&#x41; &lt;</NewValue>');
    expect(parseSoapRequest(body, `"${ST}#SetThing"`).args).toEqual({ NewValue: 'a&lt;b éA <' });
  });

  it('refuses element nesting deeper than the limit and JavaScript-reserved element names', () => {
    const deep = envelope('s', `<u:SetThing xmlns:u="${ST}">ARGS</u:SetThing>`, '<a>'.repeat(60) + '</a>'.repeat(60));
    expect(() => parseSoapRequest(deep, `"${ST}#SetThing"`)).toThrow(SoapError);
    const proto = envelope('s', `<u:SetThing xmlns:u="${ST}">ARGS</u:SetThing>`, '<__proto__>x</__proto__>');
    expect(() => parseSoapRequest(proto, `"${ST}#SetThing"`)).toThrow(SoapError);
  });

  it('takes SOAPACTION with or without quotes and refuses one without an action', () => {
    expect(parseSoapAction(`"${ST}#GetThing"`)).toEqual({ serviceType: ST, actionName: 'GetThing' });
    expect(parseSoapAction(` ${ST}#GetThing `)).toEqual({ serviceType: ST, actionName: 'GetThing' });
    expect(() => parseSoapAction(ST)).toThrow(SoapError);
    expect(() => parseSoapAction(undefined)).toThrow(/missing SOAPACTION/);
  });

  it('refuses a body action that differs from SOAPACTION', () => {
    const body = envelope('s', `<u:GetThing xmlns:u="${ST}"/>`, '');
    try {
      parseSoapRequest(body, `"${ST}#SetThing"`);
      expect.unreachable();
    } catch (e) {
      expect((e as SoapError).code).toBe('ACTION_MISMATCH');
    }
  });

  it('refuses malformed XML, DOCTYPEs, repeated arguments and oversized bodies with typed errors', () => {
    const code = (body: string, max?: number): string => {
      try {
        parseSoapRequest(body, `"${ST}#A"`, max);
        return 'none';
      } catch (e) {
        return (e as SoapError).code;
      }
    };
    expect(code('<s:Envelope><s:Body><u:A>')).toBe('MALFORMED');
    expect(code('<!DOCTYPE x [<!ENTITY a "b">]>' + envelope('s', '<A/>', ''))).toBe('MALFORMED');
    expect(code(envelope('s', '<A>ARGS</A>', '<X>1</X><X>2</X>'))).toBe('INVALID_ARGS');
    expect(code(envelope('s', '<A>ARGS</A>', '<X><Y>1</Y></X>'))).toBe('INVALID_ARGS');
    expect(code(envelope('s', '<A/><B/>', ''))).toBe('MALFORMED');
    expect(code(envelope('s', '<A/>', ''), 50)).toBe('TOO_LARGE');
    expect(code('')).toBe('MALFORMED');
  });
});

describe('SOAP responses and faults', () => {
  it('builds <u:ActionResponse xmlns:u="serviceType"> with escaped out arguments that parse back', () => {
    const xml = buildSoapResponse(ST, 'GetThing', { NewA: 'x<y & "z"', NewB: '' });
    expect(xml).toContain(`<u:GetThingResponse xmlns:u="${ST}">`);
    expect(xml).toContain('<NewA>x&lt;y &amp; &quot;z&quot;</NewA>');
    expect(parseSoapResponse(xml, 'GetThing')).toEqual({ NewA: 'x<y & "z"', NewB: '' });
  });

  it('builds a UPnPError fault whose code and description parse back', () => {
    const xml = buildSoapFault(UpnpErrorCode.InvalidArgs);
    expect(xml).toContain('<errorCode>402</errorCode>');
    expect(xml).toContain('<errorDescription>Invalid Args</errorDescription>');
    try {
      parseSoapResponse(xml, 'GetThing');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SoapFaultError);
      expect((e as SoapFaultError).upnpErrorCode).toBe(402);
    }
  });
});

describe('base64 arguments', () => {
  it('decodes values broken over lines and refuses invalid base64 clearly', () => {
    const bytes = new Uint8Array(100).map((_, i) => i * 7);
    const enc = encodeBase64(bytes);
    const wrapped = enc.replace(/(.{16})/g, '$1\r\n ');
    expect(decodeBase64(wrapped)).toEqual(bytes);
    expect(() => decodeBase64('abc')).toThrow(/multiple of 4/);
    expect(() => decodeBase64('ab!d')).toThrow(Base64Error);
    expect(() => decodeBase64('a=bc')).toThrow(/misplaced padding/);
    expect(() => decodeBase64('AAAA', 2)).toThrow(/limit/);
    expect(decodeBase64('')).toEqual(new Uint8Array(0));
  });
});

describe('SOAP control endpoint over HTTP on 127.0.0.1', () => {
  const server = new UpnpHttpServer({ host: '127.0.0.1' });
  const afterReplies: string[] = [];
  let url = '';
  beforeAll(async () => {
    server.route(
      'POST',
      '/control',
      soapControlHandler({
        serviceType: ST,
        optionalActions: ['Optional'],
        actions: {
          Echo: (args) => ({ NewOut: args['NewIn'] ?? '' }),
          Refuse: () => {
            throw new UpnpActionError(UpnpErrorCode.ArgumentValueInvalid);
          },
          Crash: () => {
            throw new Error('secret internal detail');
          },
          Later: (args, ctx) => {
            ctx.afterReply(() => {
              throw new Error('a failing follow-up changes nothing');
            });
            ctx.afterReply(() => afterReplies.push(args['NewIn'] ?? ''));
            if (args['NewIn'] === 'fault') throw new UpnpActionError(UpnpErrorCode.ActionFailed);
            // Nothing queued runs before the answer is out.
            expect(afterReplies).toEqual([]);
            return { NewOut: 'now' };
          },
        },
      }),
    );
    await server.start();
    url = `${server.baseUrl}/control`;
  });
  afterAll(() => server.close());

  it('dispatches to the handler and answers 200 with the response', async () => {
    expect(await soapCall(url, ST, 'Echo', { NewIn: 'hello' })).toEqual({ NewOut: 'hello' });
  });

  it('answers unknown actions with 401, unimplemented optional ones with 602, handler errors with their code, crashes with 501', async () => {
    const codeOf = async (action: string): Promise<number> => {
      try {
        await soapCall(url, ST, action, {});
        return 0;
      } catch (e) {
        return (e as SoapFaultError).upnpErrorCode;
      }
    };
    expect(await codeOf('Nope')).toBe(401);
    expect(await codeOf('Optional')).toBe(602);
    expect(await codeOf('Refuse')).toBe(600);
    expect(await codeOf('Crash')).toBe(501);
  });

  it('runs what a handler queued with afterReply once its answer or fault is out, a failing task changing nothing', async () => {
    expect(await soapCall(url, ST, 'Later', { NewIn: 'answer' })).toEqual({ NewOut: 'now' });
    expect(afterReplies).toEqual(['answer']);
    await expect(soapCall(url, ST, 'Later', { NewIn: 'fault' })).rejects.toMatchObject({ upnpErrorCode: 501 });
    expect(afterReplies).toEqual(['answer', 'fault']);
    afterReplies.length = 0;
  });

  it('sends faults with HTTP 500 and does not leak handler error text', async () => {
    const res = await request(url, {
      method: 'POST',
      headers: { soapaction: `"${ST}#Crash"`, 'content-type': 'text/xml' },
      body: envelope('s', `<u:Crash xmlns:u="${ST}"/>`, ''),
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(500);
    expect(text).toContain('<errorCode>501</errorCode>');
    expect(text).not.toContain('secret');
  });

  it('accepts a request framed the way wpa_supplicant\'s ER writes it (padded Content-Length, base64 with line breaks)', async () => {
    const b64 = encodeBase64(new Uint8Array(120).map((_, i) => i)).replace(/(.{72})/g, '$1\n');
    const body =
      '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\n<s:Body>\n' +
      `<u:Echo xmlns:u="${ST}">\n<NewIn>${b64}</NewIn>\n</u:Echo>\n</s:Body>\n</s:Envelope>\n`;
    const len = String(Buffer.byteLength(body)).padEnd(8, ' ');
    const u = new URL(url);
    const head = `POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: text/xml; charset="utf-8"\r\nContent-Length: ${len}\r\nSOAPACTION: "${ST}#Echo"\r\n\r\n`;
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(Number(u.port), u.hostname, () => sock.end(head + body));
      let out = '';
      sock.on('data', (d) => (out += d.toString()));
      sock.on('end', () => resolve(out));
      sock.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    const echoed = /<NewOut>([^<]*)<\/NewOut>/.exec(reply)?.[1] ?? '';
    expect(decodeBase64(echoed)).toEqual(new Uint8Array(120).map((_, i) => i));
  });

  it('answers a body/SOAPACTION mismatch with 401, bad arguments with 402 and unparsable XML with 400', async () => {
    const post = async (soapaction: string, body: string): Promise<[number, string]> => {
      const res = await request(url, { method: 'POST', headers: { soapaction }, body });
      return [res.statusCode, await res.body.text()];
    };
    const [s1, t1] = await post(`"${ST}#Echo"`, envelope('s', `<u:Refuse xmlns:u="${ST}"/>`, ''));
    expect([s1, t1.includes('<errorCode>401</errorCode>')]).toEqual([500, true]);
    const [s2, t2] = await post(`"${ST}#Echo"`, envelope('s', `<u:Echo xmlns:u="${ST}">ARGS</u:Echo>`, '<A>1</A><A>2</A>'));
    expect([s2, t2.includes('<errorCode>402</errorCode>')]).toEqual([500, true]);
    const [s3] = await post(`"${ST}#Echo"`, '<s:Envelope><oops>');
    expect(s3).toBe(400);
    const [s4] = await post('', envelope('s', '<Echo/>', ''));
    expect(s4).toBe(400);
    const [s5, t5] = await post('"urn:schemas-example-org:service:Other:1#Echo"', envelope('s', '<Echo/>', ''));
    expect([s5, t5.includes('<errorCode>401</errorCode>')]).toEqual([500, true]);
    // Another version of our service type, in other letter case, is the same service.
    const [s6, t6] = await post('"URN:schemas-example-org:service:Thing:2#Echo"', envelope('s', '<Echo><NewIn>v</NewIn></Echo>', ''));
    expect([s6, t6.includes('<NewOut>v</NewOut>')]).toEqual([200, true]);
  });
});
