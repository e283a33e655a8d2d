// The ER's SOAP requests must have the shape of wpa_supplicant's: compared
// byte for byte (body) with the recorded requests of the reference run.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../harness/until.js';
import { base64Lines } from '../wfa/base64-lines.js';
import { buildSoapFault, SoapFaultError, UpnpErrorCode } from '../upnp/soap.js';
import { getDeviceInfo, putLastMessage, putMessage, putWlanResponse, setSelectedRegistrar, WfaSoapError } from './wfa-soap.js';

const REF = join(import.meta.dirname, '..', '..', 'fixtures', 'reference');
const recorded = (name: string): { head: string; body: string } => {
  const raw = readFileSync(join(REF, 'http', name), 'latin1');
  const i = raw.indexOf('\r\n\r\n');
  return { head: raw.slice(0, i), body: raw.slice(i + 4) };
};
const wsc = (run: string, name: string): Buffer => Buffer.from(readFileSync(join(REF, 'wsc', run, `${name}.hex`), 'utf8').trim(), 'hex');

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('WFAWLANConfig requests of the External Registrar', () => {
  let server: http.Server;
  let base = '';
  const seen: Seen[] = [];
  let answer: (action: string) => { status: number; body: string } | 'hang' = () => ({ status: 200, body: '' });
  /** Requests left unanswered, resolved when the client closed the connection. */
  const hanging: Array<Promise<void>> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('latin1')));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body });
        const action = String(req.headers['soapaction'] ?? '').replace(/"/g, '').split('#')[1] ?? '';
        const a = answer(action);
        if (a === 'hang') {
          hanging.push(new Promise<void>((r) => res.on('close', () => r())));
          return;
        }
        res.writeHead(a.status, { 'content-type': 'text/xml' });
        res.end(a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  /** hostapd's recorded answer to that action. */
  const recordedAnswer = (action: string): { status: number; body: string } => ({
    status: 200,
    body: recorded(action === 'GetDeviceInfo' ? '02-discovery-GetDeviceInfo.response.http' : '08-learn-PutMessage-m2-m3.response.http').body,
  });

  it('GetDeviceInfo and PutMessage bodies equal the recorded wpa_supplicant requests', async () => {
    answer = recordedAnswer;
    const m1 = await getDeviceInfo(`${base}/wps_control`);
    expect(m1.equals(wsc('discovery', 'm1'))).toBe(true);
    let last = seen[seen.length - 1] as Seen;
    expect(last.body).toBe(recorded('02-discovery-GetDeviceInfo.request.http').body);
    expect(last.headers['soapaction']).toBe('"urn:schemas-wifialliance-org:service:WFAWLANConfig:1#GetDeviceInfo"');
    expect(last.headers['content-type']).toBe('text/xml; charset="utf-8"');

    const m3 = await putMessage(`${base}/wps_control`, wsc('learn', 'm2'));
    expect(m3.equals(wsc('learn', 'm3'))).toBe(true);
    last = seen[seen.length - 1] as Seen;
    expect(last.body).toBe(recorded('08-learn-PutMessage-m2-m3.request.http').body);
    expect(last.url).toBe('/wps_control');
  });

  it('PutWLANResponse carries NewMessage, NewWLANEventType 2 and the Enrollee MAC; SetSelectedRegistrar NewMessage', async () => {
    answer = () => ({ status: 200, body: '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:PutWLANResponseResponse xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1"></u:PutWLANResponseResponse></s:Body></s:Envelope>' });
    await putWlanResponse(`${base}/c`, Buffer.from([1, 2, 3]), Buffer.from('0266a0ee1727', 'hex'));
    const body = (seen[seen.length - 1] as Seen).body;
    expect(body).toContain('<u:PutWLANResponse xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1">\n<NewMessage>AQID\n</NewMessage>\n<NewWLANEventType>2</NewWLANEventType>\n<NewWLANEventMAC>02:66:a0:ee:17:27</NewWLANEventMAC>\n</u:PutWLANResponse>');
    answer = () => ({ status: 200, body: '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:SetSelectedRegistrarResponse xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1"/></s:Body></s:Envelope>' });
    await setSelectedRegistrar(`${base}/c`, Buffer.from([9]));
    expect((seen[seen.length - 1] as Seen).body).toContain('<NewMessage>CQ==\n</NewMessage>');
  });

  it('PutWLANResponse and SetSelectedRegistrar take any HTTP 200 as done, as wpa_supplicant reads only the status; a fault or another status still fails', async () => {
    answer = () => ({ status: 200, body: '' });
    await expect(putWlanResponse(`${base}/c`, Buffer.from([1]), Buffer.alloc(6))).resolves.toBeUndefined();
    await expect(setSelectedRegistrar(`${base}/c`, Buffer.from([1]))).resolves.toBeUndefined();
    answer = () => ({ status: 500, body: buildSoapFault(UpnpErrorCode.ActionFailed) });
    await expect(putWlanResponse(`${base}/c`, Buffer.from([1]), Buffer.alloc(6))).rejects.toBeInstanceOf(SoapFaultError);
    await expect(setSelectedRegistrar(`${base}/c`, Buffer.from([1]))).rejects.toBeInstanceOf(SoapFaultError);
    answer = () => ({ status: 404, body: '' });
    await expect(putWlanResponse(`${base}/c`, Buffer.from([1]), Buffer.alloc(6))).rejects.toMatchObject({ code: 'MALFORMED' });
    // GetDeviceInfo's answer is still parsed: an empty 200 is no M1.
    answer = () => ({ status: 200, body: '' });
    await expect(getDeviceInfo(`${base}/c`)).rejects.toMatchObject({ code: 'MALFORMED' });
  });

  it("the last word's PutMessage reads only the answer's status: a learn's NACK answered 500 is an error naming it, its fault unread", async () => {
    answer = () => ({ status: 500, body: buildSoapFault(UpnpErrorCode.ActionFailed) });
    const err = await putLastMessage(`${base}/c`, Buffer.from([1])).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(SoapFaultError);
    expect(err).toMatchObject({ code: 'MALFORMED', message: 'PutMessage: HTTP 500' });
    expect((seen[seen.length - 1] as Seen).body).toContain('<u:PutMessage xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1">\n<NewInMessage>AQ==\n</NewInMessage>\n</u:PutMessage>');
    answer = () => ({ status: 200, body: 'not XML' });
    await expect(putLastMessage(`${base}/c`, Buffer.from([1]))).resolves.toBeUndefined();
  });

  it('a response without NewOutMessage, or with bad base64, is a typed error', async () => {
    answer = () => ({ status: 200, body: '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:PutMessageResponse xmlns:u="x"><NewOutMessage>!!</NewOutMessage></u:PutMessageResponse></s:Body></s:Envelope>' });
    await expect(putMessage(`${base}/c`, Buffer.from([1]))).rejects.toBeInstanceOf(WfaSoapError);
    answer = () => ({ status: 200, body: '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:PutMessageResponse xmlns:u="x"></u:PutMessageResponse></s:Body></s:Envelope>' });
    await expect(putMessage(`${base}/c`, Buffer.from([1]))).rejects.toMatchObject({ code: 'MISSING_ARGUMENT' });
  });

  it("the AP's AbortSignal ends a call under way at once: the signal's AbortError and the connection closed, no waiting for the 10 s timeout", async () => {
    answer = () => 'hang';
    const ac = new AbortController();
    const call = getDeviceInfo(`${base}/wps_control`, ac.signal);
    const outcome = call.then(
      () => 'answered',
      (e: unknown) => e,
    );
    await until(() => hanging.length === 1, 'the request at the AP');
    ac.abort();
    expect(await outcome).toMatchObject({ name: 'AbortError' });
    await hanging[0];
    // Aborted before it starts: nothing is sent.
    const before = seen.length;
    await expect(putMessage(`${base}/wps_control`, Buffer.from([1]), ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBe(before);
  });

  it('base64 comes in lines of at most 72 characters, each ending in LF, and decodes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (b) => {
        const text = base64Lines(b);
        for (const line of text.split('\n').slice(0, -1)) expect(line.length).toBeLessThanOrEqual(72);
        expect(text === '' || text.endsWith('\n')).toBe(true);
        expect(Buffer.from(text.replace(/\n/g, ''), 'base64').equals(Buffer.from(b))).toBe(true);
      }),
    );
  });
});
