import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Logger } from '../common/log.js';
import { FakeBackend } from './fake-backend.js';
import type { ConsoleEvent } from './model.js';
import type { EnrollAllStatus, PageState } from './page-state.js';
import { BODY_LIMIT_BYTES, createConsoleServer, type ConsoleServer } from './server.js';
import { postJson, rawRequest, SseReader } from './test-client.js';

const AP_UUID = '87654321-9abc-def0-1234-56789abc0002';
const AP_MAC = '02:11:22:33:44:55';
const AP_PIN = '12345670';
const STA_MAC = '02:66:a0:ee:17:27';
const STA_UUID = '2b7093f1-d6fb-5108-adbb-bea66bb87333';
const STA_PIN = '49226874';
const SECRET = 'correct horse battery';

function staSpec(mac: string, uuid: string, pin?: string) {
  return {
    uuid,
    mac,
    deviceName: 'Wireless Client',
    manufacturer: 'Company',
    modelName: 'cmodel',
    modelNumber: '123',
    serialNumber: '12345',
    priDevType: '1-0050F204-1',
    configMethods: 0x148c,
    devPasswdId: 0,
    apUuid: AP_UUID,
    pin,
  };
}

describe('ER web console API', () => {
  let fake: FakeBackend;
  let server: ConsoleServer;
  const logLines: string[] = [];
  const readers: SseReader[] = [];

  const sse = async (): Promise<SseReader> => {
    const r = new SseReader(new URL('/api/events', server.url).toString());
    readers.push(r);
    await r.ready;
    return r;
  };

  /** Opens the gate that holds each "enroll all" run of the fake (see the progress test). */
  let openGate: () => void = () => undefined;

  beforeEach(async () => {
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    fake = new FakeBackend({ stepMs: 5, enrollAllGate: () => gate });
    fake.addAp({ uuid: AP_UUID, mac: AP_MAC, friendlyName: 'Very friendly name', apPin: AP_PIN, settings: { ssid: 'test-wps', authType: 'WPA2PSK', encrType: 'CCMP', key: SECRET } });
    server = await createConsoleServer({ backend: fake, logger: new Logger({ sink: (l) => logLines.push(l) }), sse: { maxClients: 3 } });
  });

  afterEach(async () => {
    openGate();
    for (const r of readers.splice(0)) r.close();
    await server.close();
    fake.dispose();
  });

  it('binds 127.0.0.1 by default', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('GET /api/state lists the AP with its device data and no key', async () => {
    const r = await rawRequest(new URL('/api/state', server.url).toString());
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const s = JSON.parse(r.body) as PageState;
    expect(s.aps).toHaveLength(1);
    expect(s.aps[0]).toMatchObject({ uuid: AP_UUID, mac: AP_MAC, friendlyName: 'Very friendly name', priDevType: '6-0050F204-1' });
    expect(s.aps[0]?.settings).toBeUndefined();
  });

  it('learn with a 7-digit AP PIN answers 400 saying a PIN has 4 or 8 digits', async () => {
    const r = await postJson(server.url, '/api/learn', { ap: AP_UUID, pin: '1234567' });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: 'AP PIN must have 4 or 8 digits (spaces and dashes are ignored).', field: 'pin' });
  });

  it('learn with a bad checksum digit answers 400 naming the checksum', async () => {
    const r = await postJson(server.url, '/api/learn', { ap: AP_UUID, pin: '12345678' });
    expect(r.status).toBe(400);
    expect(String(r.json.error)).toMatch(/wrong checksum/);
  });

  it('learn with something that is neither UUID nor MAC answers 400', async () => {
    const r = await postJson(server.url, '/api/learn', { ap: '87654321-zzzz', pin: AP_PIN });
    expect(r.status).toBe(400);
    expect(r.json.field).toBe('ap');
    expect(String(r.json.error)).toMatch(/UUID .* or a MAC address/);
  });

  it('learn of an AP the ER does not know answers 409 with FAIL-UNKNOWN-UUID', async () => {
    const r = await postJson(server.url, '/api/learn', { ap: '02:00:00:00:00:09', pin: AP_PIN });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ ok: false, reply: 'FAIL-UNKNOWN-UUID' });
    expect(String(r.json.error)).toMatch(/No AP or Enrollee/);
  });

  it('configure refuses a 33-byte SSID, a 7-character key and OPEN with CCMP, each with its reason', async () => {
    const base = { ap: AP_UUID, pin: AP_PIN, ssid: 'net', auth: 'WPA2PSK', encr: 'CCMP', key: '12345678' };
    const long = await postJson(server.url, '/api/configure', { ...base, ssid: 'é'.repeat(16) + 'x' });
    expect(long.status).toBe(400);
    expect(long.json.error).toBe('SSID must be 1 to 32 bytes long; this one is 33 bytes (UTF-8).');
    const shortKey = await postJson(server.url, '/api/configure', { ...base, key: '1234567' });
    expect(shortKey.status).toBe(400);
    expect(shortKey.json.field).toBe('key');
    const open = await postJson(server.url, '/api/configure', { ...base, auth: 'OPEN', key: '' });
    expect(open.status).toBe(400);
    expect(open.json.error).toBe('An OPEN network takes encryption NONE.');
    const badAuth = await postJson(server.url, '/api/configure', { ...base, auth: 'WPA3' });
    expect(badAuth.json.error).toBe('Authentication must be one of OPEN, WPAPSK, WPA2PSK.');
  });

  it('configure accepts a 64-hex-digit PSK and the AP takes the new SSID', async () => {
    const reader = await sse();
    const r = await postJson(server.url, '/api/configure', { ap: AP_MAC, pin: '1234-5670', ssid: 'new net', auth: 'wpa2psk', encr: 'ccmp', key: 'ab'.repeat(32) });
    expect(r.status).toBe(200);
    const st = await reader.next((m) => m.event === 'state' && (m.data as PageState).aps[0]?.settings?.ssid === 'new net');
    expect((st.data as PageState).aps[0]?.settings).toEqual({ ssid: 'new net', authType: 'WPA2PSK', encrType: 'CCMP', hasKey: true });
  });

  it('an unknown field, a non-object body, bad JSON, a non-JSON type and an oversized body get clear errors without a stack trace', async () => {
    const unknown = await postJson(server.url, '/api/pin', { enrollee: 'any', pin: AP_PIN, extra: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe('Unknown field "extra".');
    const arr = await postJson(server.url, '/api/pbc', [STA_MAC]);
    expect(arr.json.error).toBe('The request body must be a JSON object.');
    const url = new URL('/api/learn', server.url).toString();
    const bad = await rawRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"ap":' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ error: 'The request body is not valid JSON.' });
    const form = await rawRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'ap=x' });
    expect(form.status).toBe(415);
    const big = await rawRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ap: 'x'.repeat(BODY_LIMIT_BYTES) }) });
    expect(big.status).toBe(413);
    for (const r of [bad, form, big]) {
      expect(r.body).not.toMatch(/\bat .*\.(?:js|ts):\d+/);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('a request under a name other than loopback is refused (DNS rebinding) and so is a POST from another origin', async () => {
    const rebound = await rawRequest(new URL('/api/state', server.url).toString(), { headers: { Host: `evil.example:${server.port}` } });
    expect(rebound.status).toBe(421);
    const cross = await rawRequest(new URL('/api/pin', server.url).toString(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example' },
      body: JSON.stringify({ enrollee: 'any', pin: AP_PIN }),
    });
    expect(cross.status).toBe(403);
    const local = await rawRequest(new URL('/api/state', server.url).toString(), { headers: { Host: `localhost:${server.port}` } });
    expect(local.status).toBe(200);
  });

  it('the page, its script and stylesheet are served; other paths are 404', async () => {
    const page = await rawRequest(server.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.body).toContain('data-testid="learn-submit"');
    const js = await rawRequest(new URL('/static/console.js', server.url).toString());
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const css = await rawRequest(new URL('/static/console.css', server.url).toString());
    expect(css.status).toBe(200);
    const again = await rawRequest(new URL('/static/console.css', server.url).toString(), { headers: { 'If-None-Match': String(css.headers.etag) } });
    expect(again.status).toBe(304);
    expect((await rawRequest(new URL('/static/..%2fserver.ts', server.url).toString())).status).toBe(404);
    const api = await rawRequest(new URL('/api/nothing', server.url).toString());
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body)).toEqual({ error: 'No such API call.' });
  });

  it('the event stream says hello with state and history, then delivers WPS-ER-* lines and state as they happen', async () => {
    const reader = await sse();
    const hello = await reader.next((m) => m.event === 'hello');
    const h = hello.data as { state: PageState; events: ConsoleEvent[] };
    expect(h.state.aps[0]?.uuid).toBe(AP_UUID);
    expect(h.events.map((e) => e.text)).toEqual([
      `WPS-ER-AP-ADD ${AP_UUID} ${AP_MAC} pri_dev_type=6-0050F204-1 wps_state=2 |Very friendly name|wpsd|Simulated AP|wpsd-ap|||`,
    ]);
    fake.enrolleeProbes(staSpec(STA_MAC, STA_UUID, STA_PIN));
    const add = await reader.next((m) => m.event === 'event' && (m.data as ConsoleEvent).text.startsWith('WPS-ER-ENROLLEE-ADD'));
    expect((add.data as ConsoleEvent).text).toBe(
      `WPS-ER-ENROLLEE-ADD ${STA_UUID} ${STA_MAC} M1=0 config_methods=0x148c dev_passwd_id=0 pri_dev_type=1-0050F204-1 |Wireless Client|Company|cmodel|123|12345|`,
    );
    const st = await reader.next((m) => m.event === 'state' && (m.data as PageState).enrollees.length === 1);
    expect((st.data as PageState).enrollees[0]?.state).toBe('probe');
  });

  it('learning shows WPS-ER-AP-SETTINGS with the key removed, and the key only when asked for', async () => {
    const reader = await sse();
    const r = await postJson(server.url, '/api/learn', { ap: AP_UUID, pin: AP_PIN });
    expect(r).toMatchObject({ status: 200, json: { ok: true, reply: 'OK' } });
    const ev = await reader.next((m) => m.event === 'event' && (m.data as ConsoleEvent).text.startsWith('WPS-ER-AP-SETTINGS'));
    expect((ev.data as ConsoleEvent).text).toBe(`WPS-ER-AP-SETTINGS uuid=${AP_UUID} ssid=test-wps auth_type=0x0020 encr_type=0x0008 key=[REMOVED]`);
    await reader.next((m) => m.event === 'state' && (m.data as PageState).aps[0]?.settings !== undefined);
    expect(reader.messages.map((m) => JSON.stringify(m.data)).join('\n')).not.toContain(SECRET);
    const state = await rawRequest(new URL('/api/state', server.url).toString());
    expect(state.body).not.toContain(SECRET);
    const key = await postJson(server.url, '/api/reveal-key', { ap: AP_UUID });
    expect(key.json).toEqual({ key: SECRET, revision: 1 });
    expect(logLines.join('\n')).not.toContain(SECRET);
    expect(logLines.join('\n')).not.toContain(AP_PIN);
  });

  it('a wrong AP PIN is accepted by the ER and then fails with WPS-FAIL config_error=18', async () => {
    const reader = await sse();
    const r = await postJson(server.url, '/api/learn', { ap: AP_UUID, pin: '00000000' });
    expect(r.status).toBe(200);
    const ev = await reader.next((m) => m.event === 'event' && (m.data as ConsoleEvent).text.startsWith('WPS-FAIL'));
    expect((ev.data as ConsoleEvent).text).toBe('WPS-FAIL msg=8 config_error=18');
  });

  it('a PIN for an Enrollee whose M1 is in turns it enrolled', async () => {
    const reader = await sse();
    fake.enrolleeProbes(staSpec(STA_MAC, STA_UUID, STA_PIN));
    fake.enrolleeSendsM1(STA_MAC);
    const r = await postJson(server.url, '/api/pin', { enrollee: STA_UUID, pin: STA_PIN, mac: STA_MAC.toUpperCase() });
    expect(r.status).toBe(200);
    await reader.next((m) => m.event === 'state' && (m.data as PageState).enrollees[0]?.state === 'enrolled');
  });

  it('PBC for an unknown Enrollee answers 409 with the ER reply; "any" is refused for PBC', async () => {
    const r = await postJson(server.url, '/api/pbc', { enrollee: STA_MAC });
    expect(r).toMatchObject({ status: 409, json: { reply: 'FAIL-UNKNOWN-UUID' } });
    const any = await postJson(server.url, '/api/pbc', { enrollee: 'any' });
    expect(any.status).toBe(400);
  });

  it('enroll all reports progress to the finish and refuses a second run meanwhile', async () => {
    const reader = await sse();
    fake.enrolleeProbes(staSpec(STA_MAC, STA_UUID, STA_PIN));
    fake.enrolleeProbes(staSpec('02:66:a0:ee:17:28', '2b7093f1-d6fb-5108-adbb-bea66bb87334'));
    const r = await postJson(server.url, '/api/enroll-all', { method: 'pin' });
    expect(r.status).toBe(202);
    // The fake holds the run until the gate opens, so the second request surely meets it.
    const again = await postJson(server.url, '/api/enroll-all', { method: 'pbc' });
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('An "enroll all" run is already under way.');
    openGate();
    const end = await reader.next((m) => m.event === 'progress' && (m.data as EnrollAllStatus).finished);
    expect(end.data).toMatchObject({ method: 'pin', total: 2, enrolled: 1, failed: 1, finished: true });
    const steps = reader.messages.filter((m) => m.event === 'progress').map((m) => (m.data as EnrollAllStatus).enrolled + (m.data as EnrollAllStatus).failed);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    const state = await rawRequest(new URL('/api/state', server.url).toString());
    expect((JSON.parse(state.body) as PageState).enrollAll).toMatchObject({ finished: true, total: 2 });
  });

  it('enroll all by PBC with a PIN is refused', async () => {
    const r = await postJson(server.url, '/api/enroll-all', { method: 'pbc', pin: AP_PIN });
    expect(r).toMatchObject({ status: 400, json: { field: 'pin' } });
  });

  it('more event streams than allowed get 503', async () => {
    const a = await sse();
    const b = await sse();
    const c = await sse();
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    const d = await sse();
    expect(d.status).toBe(503);
    a.close();
    // The server notices the closed stream a moment later; a slot frees up then.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      const e = await sse();
      status = e.status;
      if (status !== 200) e.close();
    }
    expect(status).toBe(200);
  });
});

describe('ER web console start-up', () => {
  let fake: FakeBackend;
  beforeAll(() => {
    fake = new FakeBackend();
  });
  afterAll(() => fake.dispose());

  it('a port already in use is reported as an error, not a crash', async () => {
    const first = await createConsoleServer({ backend: fake });
    await expect(createConsoleServer({ backend: fake, port: first.port })).rejects.toThrow(/EADDRINUSE/);
    await first.close();
  });
});
