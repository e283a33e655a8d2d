// GENA eventing of the AP's WFADevice on loopback: subscriptions, the
// initial event, NOTIFY with SEQ, renewals, several callback URLs and the
// callback-host rule.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWfaActions } from './wfa-actions.js';
import { WfaDevice } from './wfa-device.js';
import { until } from '../../harness/until.js';

interface Notify {
  seq: string;
  sid: string;
  body: string;
}

function request(url: string, method: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}


function makeDevice(policy: 'same-host' | 'same-subnet', portSeed: number): WfaDevice {
  const { service } = createWfaActions({ createEnrollee: () => undefined, onEnrolleeStep: () => undefined, isSubscriber: () => false });
  return new WfaDevice({
    iface: { name: 'lo', address: '127.0.0.1', prefixLength: 8 },
    uuid: '12345678-9abc-def0-1234-56789abcdef0',
    strings: {},
    service,
    httpPort: 0,
    ssdpPort: 20_000 + ((process.pid + portSeed) % 20_000),
    callbackPolicy: policy,
  });
}

describe('WFADevice eventing', () => {
  let device: WfaDevice;
  let sink: http.Server;
  let sinkUrl: string;
  const notifies: Notify[] = [];

  beforeAll(async () => {
    sink = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        notifies.push({ seq: String(req.headers['seq']), sid: String(req.headers['sid']), body });
        res.end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/event`;
    device = makeDevice('same-host', 1);
    await device.start();
  });

  afterAll(async () => {
    await device?.stop();
    sink?.close();
  });

  it('a new subscription gets a SID and the initial event: STAStatus, APStatus and the stub WLANEvent hostapd sends', async () => {
    // The first callback URL points nowhere; delivery falls through to the second.
    const dead = 'http://127.0.0.1:9/nothing';
    const r = await request(`${device.baseUrl}/wps_event`, 'SUBSCRIBE', { callback: `<${dead}><${sinkUrl}>`, nt: 'upnp:event', timeout: 'Second-1800' });
    expect(r.status).toBe(200);
    const sid = String(r.headers['sid']);
    expect(sid).toMatch(/^uuid:[0-9a-f-]{36}$/);
    expect(r.headers['timeout']).toBe('Second-1800');
    const first = await until(() => notifies.find((n) => n.sid === sid), 'initial event');
    expect(first.seq).toBe('0');
    expect(first.body).toMatch(/<STAStatus>1<\/STAStatus>[\s\S]*<APStatus>1<\/APStatus>[\s\S]*<WLANEvent>/);
    const wlan = Buffer.from(/<WLANEvent>([\s\S]*?)<\/WLANEvent>/.exec(first.body)?.[1] ?? '', 'base64');
    expect(wlan.subarray(0, 18).toString('latin1')).toBe('\x0200:00:00:00:00:00');
    expect(wlan.subarray(18).toString('hex')).toBe(readFileSync('fixtures/reference/wsc/discovery/wlanevent2-ack.hex', 'utf8').trim());

    device.publishWlanEvent(1, Buffer.from('020000000300', 'hex'), Buffer.from('104a000110', 'hex'));
    const second = await until(() => notifies.find((n) => n.sid === sid && n.seq === '1'), 'SEQ 1');
    const ev = Buffer.from(/<WLANEvent>([\s\S]*?)<\/WLANEvent>/.exec(second.body)?.[1] ?? '', 'base64');
    expect(ev.toString('latin1')).toBe('\x0102:00:00:00:03:00\x10\x4a\x00\x01\x10');
    device.publishApStatus(0x11);
    expect((await until(() => notifies.find((n) => n.sid === sid && n.seq === '2'), 'SEQ 2')).body).toContain('<APStatus>17</APStatus>');

    // Renewal keeps the SID; unsubscribe ends it; a second renewal is refused.
    expect((await request(`${device.baseUrl}/wps_event`, 'SUBSCRIBE', { sid, timeout: 'Second-300' })).status).toBe(200);
    expect((await request(`${device.baseUrl}/wps_event`, 'UNSUBSCRIBE', { sid })).status).toBe(200);
    expect((await request(`${device.baseUrl}/wps_event`, 'SUBSCRIBE', { sid })).status).toBe(412);
    expect((await request(`${device.baseUrl}/wps_event`, 'UNSUBSCRIBE', { sid })).status).toBe(412);
  });

  it('a callback to another host is refused (412)', async () => {
    const r = await request(`${device.baseUrl}/wps_event`, 'SUBSCRIBE', { callback: '<http://127.0.0.2:9/x>', nt: 'upnp:event' });
    expect(r.status).toBe(412);
  });

  it('the same-subnet policy accepts a callback elsewhere in the subscriber subnet', async () => {
    const wide = makeDevice('same-subnet', 2);
    await wide.start();
    try {
      const r = await request(`${wide.baseUrl}/wps_event`, 'SUBSCRIBE', { callback: '<http://127.0.0.2:9/x>', nt: 'upnp:event' });
      expect(r.status).toBe(200);
    } finally {
      await wide.stop();
    }
  });
});
