// The ERs' selections on the AP: one per ER, its walk-time timeout, the
// subscription limit, and (WfaProxy on loopback) the end of a selection
// pushed when its ER's subscription ends.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildSoapRequest } from '../upnp/soap.js';
import { WFA_SERVICE_TYPE } from '../wfa/service.js';
import { parseSetSelectedRegistrar } from '../wfa/set-selected-registrar.js';
import { ErSelections } from './er-selections.js';
import { WfaProxy } from './wfa-proxy.js';

/** Version 0x10, Selected Registrar 1, Device Password ID 0, Config Methods 0x0100 (a WPS 1.0 ER). */
const V1 = Buffer.from('104a00011010410001011012000200001053000201' + '00', 'hex');

describe('ErSelections', () => {
  it('a selection ends after its timeout', () => {
    let t = 0;
    const s = new ErSelections({ now: () => t, timeoutMs: 1000, maxErs: 4 });
    expect(s.set('169.254.1.2', parseSetSelectedRegistrar(V1))).toBe('changed');
    expect(s.active()).toHaveLength(1);
    expect(s.nextExpiry).toBe(1000);
    t = 1000;
    expect(s.active()).toHaveLength(0);
    expect(s.expire()).toBe(true);
    expect(s.size).toBe(0);
  });

  it('holds one selection per ER, and no more ERs than may subscribe', () => {
    const s = new ErSelections({ now: () => 0, maxErs: 2 });
    expect(s.set('169.254.1.2', parseSetSelectedRegistrar(V1))).toBe('changed');
    expect(s.set('169.254.1.2', parseSetSelectedRegistrar(V1))).toBe('changed');
    expect(s.set('169.254.1.3', parseSetSelectedRegistrar(V1))).toBe('changed');
    expect(s.set('169.254.1.4', parseSetSelectedRegistrar(V1))).toBe('full');
    expect(s.active().map((x) => x.er)).toEqual(['169.254.1.2', '169.254.1.3']);
    // "Not selected" ends one; then there is room again.
    expect(s.set('169.254.1.2', parseSetSelectedRegistrar(Buffer.from('104a0001101041000100', 'hex')))).toBe('changed');
    expect(s.set('169.254.1.4', parseSetSelectedRegistrar(V1))).toBe('changed');
  });
});

function request(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('WfaProxy selections', () => {
  it('SetSelectedRegistrar from a subscriber is pushed as "selection", and its end when the ER unsubscribes', async () => {
    const sink = http.createServer((_req, res) => res.end());
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/event`;
    const proxy = await WfaProxy.start({
      device: { iface: { name: 'lo', address: '127.0.0.1', prefixLength: 8 }, uuid: '12345678-9abc-def0-1234-56789abcdef0', strings: {}, httpPort: 0, ssdpPort: 20_000 + ((process.pid + 11) % 20_000) },
      apEnrollee: { create: () => undefined, onStep: () => undefined },
    });
    const changes: number[] = [];
    proxy.on('selection', () => changes.push(proxy.selections().length));
    const soap = (action: string, args: Record<string, string>) =>
      request(`${proxy.device.baseUrl}/wps_control`, 'POST', { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${WFA_SERVICE_TYPE}#${action}"` }, buildSoapRequest(WFA_SERVICE_TYPE, action, args));
    try {
      const sub = await request(`${proxy.device.baseUrl}/wps_event`, 'SUBSCRIBE', { callback: `<${sinkUrl}>`, nt: 'upnp:event', timeout: 'Second-1800' });
      expect(sub.status).toBe(200);
      expect((await soap('SetSelectedRegistrar', { NewMessage: V1.toString('base64') })).status).toBe(200);
      expect(changes).toEqual([1]);
      expect(proxy.selections()[0]).toMatchObject({ er: '127.0.0.1', devicePasswordId: 0, configMethods: 0x0100 });
      const unsub = await request(`${proxy.device.baseUrl}/wps_event`, 'UNSUBSCRIBE', { sid: String(sub.headers['sid']) });
      expect(unsub.status).toBe(200);
      expect(changes).toEqual([1, 0]);
      expect(proxy.selections()).toEqual([]);
    } finally {
      await proxy.stop();
      sink.close();
    }
  });
});
