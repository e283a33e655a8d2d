/**
 * WPS over the simulated radio, in process: an AP built from src/ap/wireless
 * (SimApDriver + ApMlme + WpsAuthenticator/EapWscServer + RegistrarBackend
 * with the internal Registrar, via WpsAp) and stations running
 * src/sta/wireless enroll() on SimStationDrivers, all on one sim medium
 * listening on a UNIX socket in a temp dir.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Medium } from '../src/radio/sim/medium.js';
import { SimApDriver } from '../src/radio/sim/ap-driver.js';
import { SimStationDriver } from '../src/radio/sim/station-driver.js';
import { rsnElement, wpa2PersonalRsn } from '../src/radio/rsn-ie.js';
import { macToBytes, type MacAddress } from '../src/radio/mac.js';
import { WpsAp, type WpsApEvent } from '../src/ap/wps/wps-ap.js';
import { FakeLink } from './fake-er-link.js';
import { type EnrollEvent, type EnrollOptions, type EnrollResult } from '../src/sta/wireless/enroll.js';
import { AuthType, ConfigMethods, DevicePasswordId, WpsState } from '../src/wps/values.js';
import type { Credential } from '../src/wps/credential.js';
import { Registrar } from '../src/wps/registrar.js';
import type { WpsEvent } from '../src/wps/events.js';
import { scanResultWps } from '../src/sta/wireless/scan-flags.js';
import { AP_METHODS, runSimEnroll, simDevice, wpa2Credential } from './sim-wps-fixtures.js';

const AP: MacAddress = '02:00:00:00:0a:00';
const CHANNEL = 6;
const SSID = 'wpsd-wireless';
const PASSPHRASE = 'correct horse battery';

interface Lab {
  dir: string;
  medium: Medium;
  apDriver: SimApDriver;
  bss: WpsAp;
  /** The AP's link to External Registrars, played by the test. */
  link: FakeLink;
  apEvents: WpsApEvent[];
  stations: SimStationDriver[];
}

interface LabOptions {
  fragmentSize?: number;
  loss?: number;
  seed?: number;
  link?: FakeLink;
  m2WaitMs?: number;
  retransmitMs?: number;
  maxRetransmissions?: number;
}

async function startLab(o: LabOptions = {}): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), `wpsd-wireless-${process.pid}-`));
  const medium = new Medium({ seed: o.seed ?? 11, loss: o.loss ?? 0 });
  await medium.listen(join(dir, 'm.sock'));
  const apDriver = await SimApDriver.open({ mediumPath: join(dir, 'm.sock'), address: AP, channel: CHANNEL });
  const apEvents: WpsApEvent[] = [];
  const link = o.link ?? new FakeLink(false);
  const apDevice = simDevice(AP, 'wpsd AP', AP_METHODS);
  const bss = new WpsAp({
    driver: apDriver,
    ssid: Buffer.from(SSID),
    channel: CHANNEL,
    rsn: true,
    baseElements: [rsnElement(wpa2PersonalRsn())],
    ie: { wpsState: WpsState.Configured, apSetupLocked: false, device: apDevice },
    registrarDevice: apDevice,
    credentials: (e) => [wpa2Credential(SSID, PASSPHRASE, e.macAddress)],
    multiApBackhaul: (e) => [wpa2Credential('backhaul', 'backhaul passphrase', e.macAddress)],
    apEnrollee: { device: apDevice, settings: () => wpa2Credential(SSID, PASSPHRASE, Buffer.from(macToBytes(AP))) },
    apPin: { pin: '87654325' },
    fragmentSize: o.fragmentSize,
    link,
    m2WaitMs: o.m2WaitMs,
    retransmitMs: o.retransmitMs ?? 400,
    maxRetransmissions: o.maxRetransmissions ?? 2,
    onEvent: (e) => apEvents.push(e),
  });
  await bss.start();
  return { dir, medium, apDriver, bss, link, apEvents, stations: [] };
}

async function addStation(lab: Lab, mac: MacAddress): Promise<SimStationDriver> {
  const sta = await SimStationDriver.open({ mediumPath: join(lab.dir, 'm.sock'), address: mac, channel: CHANNEL, mlmeTimeoutMs: 150, mlmeTries: 4 });
  lab.stations.push(sta);
  return sta;
}

async function stopLab(lab: Lab): Promise<void> {
  for (const s of lab.stations) await s.close();
  await lab.bss.close();
  await lab.apDriver.close();
  await lab.medium.close();
  rmSync(lab.dir, { recursive: true, force: true });
}

function runEnroll(sta: SimStationDriver, method: EnrollOptions['method'], extra: Partial<EnrollOptions> = {}): { events: EnrollEvent[]; result: Promise<EnrollResult> } {
  return runSimEnroll(sta, CHANNEL, method, extra);
}

const wpsEvents = (events: EnrollEvent[]): WpsEvent[] => events.flatMap((e) => (e.type === 'wps' ? [e.event] : []));
const apWps = (events: WpsApEvent[]): WpsEvent[] => events.flatMap((e) => (e.type === 'wps' ? [e.event] : []));

describe('WPS over the sim radio: internal Registrar', () => {
  let lab: Lab;
  beforeEach(async () => {
    lab = await startLab();
  });
  afterEach(async () => {
    await stopLab(lab);
  });

  it('PIN enrollment gives the station the AP credential; the scan shows WPS-AP-AVAILABLE-AUTH', async () => {
    const sta = await addStation(lab, '02:00:00:00:0b:01');
    await lab.bss.addPin('12345670');
    const run = runEnroll(sta, { kind: 'pin', pin: '12345670' });
    const res = await run.result;
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.bssid).toBe(AP);
    expect(res.credentials).toHaveLength(1);
    const cred = res.credentials[0] as Credential;
    expect(cred.ssid.toString()).toBe(SSID);
    expect(cred.networkKey.toString()).toBe(PASSPHRASE);
    expect(cred.authType).toBe(AuthType.Wpa2Psk);
    expect(cred.macAddress).toEqual(Buffer.from(macToBytes(sta.address)));
    const scan = run.events.find((e) => e.type === 'scan-results');
    expect(scan).toMatchObject({ available: 'WPS-AP-AVAILABLE-AUTH' });
    expect(wpsEvents(run.events).map((e) => e.type)).toEqual(['cred-received', 'success']);
    const regSuccess = apWps(lab.apEvents).find((e) => e.type === 'reg-success');
    expect(regSuccess).toMatchObject({ type: 'reg-success', password: 'pin', macAddress: Buffer.from(macToBytes(sta.address)) });
    // The PIN was used up: the AP no longer advertises a selected Registrar.
    expect(lab.bss.view().selected).toBe(false);
  });

  it('PBC enrollment gives the station the AP credential; the scan shows WPS-AP-AVAILABLE-PBC', async () => {
    const sta = await addStation(lab, '02:00:00:00:0b:02');
    expect(await lab.bss.pushButton()).toBe(true);
    const run = runEnroll(sta, { kind: 'pbc' });
    const res = await run.result;
    expect(res).toMatchObject({ ok: true, bssid: AP });
    if (!res.ok) return;
    expect(res.credentials[0]?.ssid.toString()).toBe(SSID);
    expect(run.events.find((e) => e.type === 'scan-results')).toMatchObject({ available: 'WPS-AP-AVAILABLE-PBC' });
    expect(apWps(lab.apEvents).find((e) => e.type === 'reg-success')).toMatchObject({ password: 'pbc' });
    expect(lab.bss.registrar.pbcActive).toBe(false);
  });

  it('two stations pushing PBC at once get a session overlap (M2D config_error=12) and no credential', async () => {
    const a = await addStation(lab, '02:00:00:00:0b:03');
    const b = await addStation(lab, '02:00:00:00:0b:04');
    expect(await lab.bss.pushButton()).toBe(true);
    const runA = runEnroll(a, { kind: 'pbc' });
    const runB = runEnroll(b, { kind: 'pbc' });
    const [ra, rb] = await Promise.all([runA.result, runB.result]);
    expect(ra).toMatchObject({ ok: false, reason: 'pbc-overlap' });
    expect(rb).toMatchObject({ ok: false, reason: 'pbc-overlap' });
    for (const run of [runA, runB]) {
      const m2d = wpsEvents(run.events).find((e) => e.type === 'm2d');
      expect(m2d).toMatchObject({ type: 'm2d', configError: 12 });
      expect(wpsEvents(run.events).some((e) => e.type === 'cred-received')).toBe(false);
      expect(run.events.some((e) => e.type === 'overlap')).toBe(true);
    }
    expect(lab.apEvents.some((e) => e.type === 'pbc-overlap')).toBe(true);
    expect(apWps(lab.apEvents).some((e) => e.type === 'reg-success')).toBe(false);
    // hostapd: PBC mode cannot be restarted while the overlap is still seen.
    expect(await lab.bss.pushButton()).toBe(false);
  });

  it('a wrong first PIN half fails at M4 with WPS-FAIL msg=8 config_error=18 on both sides', async () => {
    const sta = await addStation(lab, '02:00:00:00:0b:05');
    await lab.bss.addPin('12345670');
    const run = runEnroll(sta, { kind: 'pin', pin: '55554444' });
    const res = await run.result;
    expect(res).toMatchObject({ ok: false, reason: 'failed', bssid: AP, fail: { msg: 8, configError: 18 } });
    const staFail = wpsEvents(run.events).filter((e) => e.type === 'fail');
    expect(staFail).toHaveLength(1);
    expect(wpsEvents(run.events).some((e) => e.type === 'pwd-auth-fail')).toBe(true);
    const apFail = apWps(lab.apEvents).find((e) => e.type === 'fail');
    expect(apFail).toMatchObject({ type: 'fail', msg: 8, configError: 18 });
    expect(run.events.some((e) => e.type === 'disconnected')).toBe(true);
  });

  it('a wrong second PIN half fails at M6 with WPS-FAIL msg=10 config_error=18', async () => {
    const sta = await addStation(lab, '02:00:00:00:0b:06');
    await lab.bss.addPin('12345670');
    const run = runEnroll(sta, { kind: 'pin', pin: '12344444' });
    const res = await run.result;
    expect(res).toMatchObject({ ok: false, reason: 'failed', fail: { msg: 10, configError: 18 } });
  });

  it('without a PIN on the AP the station gets M2D only, retries, and the walk time ends it', async () => {
    const sta = await addStation(lab, '02:00:00:00:0b:07');
    // An ER selected for everybody, but it never answers: the internal Registrar can only send M2D.
    lab.link.select('er-without-pin', { devicePasswordId: DevicePasswordId.Default, configMethods: ConfigMethods.Keypad, authorizedMacs: [Buffer.alloc(6, 0xff)] });
    const run = runEnroll(sta, { kind: 'pin', pin: '12345670' }, { walkTimeMs: 2_500 });
    const res = await run.result;
    expect(res).toMatchObject({ ok: false, reason: 'timeout' });
    expect(wpsEvents(run.events).filter((e) => e.type === 'm2d').length).toBeGreaterThanOrEqual(1);
    expect(wpsEvents(run.events).some((e) => e.type === 'fail')).toBe(false);
    expect(run.events.at(-1)).toEqual({ type: 'timeout' });
    expect(apWps(lab.apEvents).some((e) => e.type === 'pin-needed')).toBe(true);
  });
});

describe('WPS over the sim radio: other roles and framing', () => {
  let lab: Lab | undefined;
  afterEach(async () => {
    if (lab) await stopLab(lab);
    lab = undefined;
  });

  it('messages fragmented both ways (300-octet EAP-WSC fragments, FRAG_ACK) still deliver the credential', async () => {
    lab = await startLab({ fragmentSize: 300 });
    const sta = await addStation(lab, '02:00:00:00:0f:01');
    await lab.bss.addPin('12345670');
    const res = await runEnroll(sta, { kind: 'pin', pin: '12345670' }, { fragmentSize: 300 }).result;
    expect(res).toMatchObject({ ok: true, credentials: [{ networkKey: Buffer.from(PASSPHRASE) }] });
  });

  it('a WPS 1.0 station (no Version2) starts with EAPOL-Start and still enrolls', async () => {
    lab = await startLab();
    const sta = await addStation(lab, '02:00:00:00:0f:05');
    await lab.bss.addPin('12345670');
    const res = await runEnroll(sta, { kind: 'pin', pin: '12345670' }, { version2: false }).result;
    expect(res).toMatchObject({ ok: true, credentials: [{ ssid: Buffer.from(SSID) }] });
    const station = lab.apEvents.find((e) => e.type === 'associated');
    expect(station).toMatchObject({ station: { wps: true, wps2: false } });
  });

  it('a radio whose medium link is gone ends the operation with driver-error instead of spinning', async () => {
    lab = await startLab();
    const sta = await addStation(lab, '02:00:00:00:0f:07');
    await sta.close();
    const res = await runEnroll(sta, { kind: 'pbc' }).result;
    expect(res).toMatchObject({ ok: false, reason: 'driver-error', error: { code: 'LINK_DOWN' } });
  });

  it('WPS_CANCEL: aborting the operation ends it as cancelled', async () => {
    lab = await startLab();
    const sta = await addStation(lab, '02:00:00:00:0f:08');
    const ac = new AbortController();
    // No PBC on the AP: the station keeps scanning until cancelled.
    const run = runEnroll(sta, { kind: 'pbc' }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    expect(await run.result).toEqual({ ok: false, reason: 'cancelled' });
    expect(run.events.some((e) => e.type === 'scan-results')).toBe(true);
    expect(run.events.some((e) => e.type === 'associating')).toBe(false);
  });

  it('a Multi-AP backhaul STA gets the backhaul credentials', async () => {
    lab = await startLab();
    const sta = await addStation(lab, '02:00:00:00:0f:02');
    expect(await lab.bss.pushButton()).toBe(true);
    const res = await runEnroll(sta, { kind: 'pbc' }, { multiApBackhaulSta: true }).result;
    expect(res.ok).toBe(true);
    if (res.ok) expect(res.credentials[0]?.ssid.toString()).toBe('backhaul');
  });

  it('wps_reg: a station Registrar with the AP PIN learns the AP settings from the AP as Enrollee', async () => {
    lab = await startLab();
    const sta = await addStation(lab, '02:00:00:00:0f:03');
    const run = runEnroll(sta, { kind: 'registrar', bssid: AP, pin: '87654325', apSettings: { mode: 'learn' } });
    const res = await run.result;
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.credentials[0]?.ssid.toString()).toBe(SSID);
    expect(res.credentials[0]?.networkKey.toString()).toBe(PASSPHRASE);
    expect(wpsEvents(run.events).some((e) => e.type === 'er-ap-settings')).toBe(true);
  });

  it('wps_reg with a wrong AP PIN fails with config_error=18 and the AP reports the PIN failure', async () => {
    lab = await startLab();
    const sta = await addStation(lab, '02:00:00:00:0f:04');
    const res = await runEnroll(sta, { kind: 'registrar', bssid: AP, pin: '12345670', apSettings: { mode: 'learn' } }).result;
    expect(res).toMatchObject({ ok: false, reason: 'failed', fail: { configError: 18 } });
    expect(apWps(lab.apEvents).some((e) => e.type === 'pwd-auth-fail' && e.local === 'enrollee')).toBe(true);
  });
});

describe('WPS over the sim radio: AP PIN lockout', () => {
  let lab: Lab | undefined;
  afterEach(async () => {
    if (lab) await stopLab(lab);
    lab = undefined;
  });

  it('three wrong AP PINs lock AP setup: the beacon says AP Setup Locked and the right PIN is refused with config_error=15', async () => {
    lab = await startLab();
    const l = lab;
    const events = (): string[] => l.apEvents.flatMap((e) => (e.type === 'ap-setup-locked' ? ['SETUP-LOCKED'] : e.type === 'ap-setup-unlocked' ? ['SETUP-UNLOCKED'] : []));
    const sta = await addStation(lab, '02:00:00:00:0f:06');
    for (const pin of ['11115555', '22226666', '33337777']) {
      const res = await runEnroll(sta, { kind: 'registrar', bssid: AP, pin, apSettings: { mode: 'learn' } }).result;
      expect(res).toMatchObject({ ok: false, reason: 'failed', fail: { configError: 18 } });
    }
    expect(events()).toEqual(['SETUP-LOCKED']);
    const scan = await sta.scan({ channels: [CHANNEL], dwellMs: 150 });
    const wps = scanResultWps(scan.find((r) => r.bssid === AP)?.elements ?? []);
    expect(wps).toMatchObject({ apSetupLocked: true });
    const res = await runEnroll(sta, { kind: 'registrar', bssid: AP, pin: '87654325', apSettings: { mode: 'learn' } }).result;
    expect(res).toMatchObject({ ok: false, reason: 'failed', fail: { configError: 15 } });
  });
});

describe('WPS over the sim radio with 10% frame loss', () => {
  let lab: Lab;
  beforeEach(async () => {
    lab = await startLab({ loss: 0.1, seed: 4242, retransmitMs: 250, maxRetransmissions: 4 });
  });
  afterEach(async () => {
    await stopLab(lab);
  });

  it('PIN enrollments still complete, with EAPOL frames lost and retransmitted', async () => {
    // Count losses of data frames (EAPOL, Frame Control type 2), and EAPOL the AP sent twice: its retransmissions.
    let lostEapol = 0;
    const fromAp = new Set<string>();
    let repeatedFromAp = 0;
    lab.medium.on('frame', (e: { frame: Uint8Array; lostTo: number[] }) => {
      if ((((e.frame[0] ?? 0) >> 2) & 0x3) !== 2) return;
      lostEapol += e.lostTo.length;
      const f = Buffer.from(e.frame);
      if (f.subarray(10, 16).equals(Buffer.from(macToBytes(AP)))) {
        // Receiver address + everything after the header; the sequence number differs between copies.
        const key = Buffer.concat([f.subarray(4, 10), f.subarray(24)]).toString('hex');
        if (fromAp.has(key)) repeatedFromAp++;
        fromAp.add(key);
      }
    });
    // Five stations one after the other: some 120 EAPOL frames, so losses are all but certain.
    for (let i = 1; i <= 5; i++) {
      const sta = await addStation(lab, `02:00:00:00:0c:0${i}`);
      await lab.bss.addPin('12345670');
      const run = runEnroll(sta, { kind: 'pin', pin: '12345670' }, { walkTimeMs: 25_000 });
      const res = await run.result;
      expect(res.ok).toBe(true);
      if (res.ok) expect(res.credentials[0]?.networkKey.toString()).toBe(PASSPHRASE);
    }
    expect(lostEapol).toBeGreaterThan(0);
    expect(repeatedFromAp).toBeGreaterThan(0);
  });
});

/**
 * A fake External Registrar behind the AP's link: a second Registrar
 * instance that knows the Enrollee's PIN and answers each relayed message
 * as PutWLANResponse would; its answer to M1 comes after `firstDelayMs`,
 * the others after 5 ms.
 */
function fakeEr(enrollee: MacAddress, pin: string, firstDelayMs: number): FakeLink & { seen: number[] } {
  const erDevice = simDevice('02:00:00:00:0e:01', 'fake ER', ConfigMethods.Keypad | ConfigMethods.VirtualDisplay);
  let reg: Registrar | undefined;
  const seen: number[] = [];
  const link: FakeLink = new FakeLink(true, (mac, msg) => {
    expect(mac).toBe(enrollee);
    const type = msg.readUInt8(msg.indexOf(Buffer.from([0x10, 0x22, 0x00, 0x01])) + 4);
    seen.push(type);
    if (type === 4) {
      reg = new Registrar({
        device: erDevice,
        policy: { devicePassword: () => ({ kind: 'pin', pin }), credentials: (e) => [wpa2Credential('er-network', 'from the ER 123', e.macAddress)] },
      });
    }
    const step = reg?.receive(msg);
    const reply = step?.reply;
    if (reply !== undefined && step?.closing !== true) setTimeout(() => link.respond(enrollee, reply), type === 4 ? firstDelayMs : 5);
  });
  return Object.assign(link, { seen });
}

describe('WPS over the sim radio: External Registrar backend', () => {
  let lab: Lab | undefined;
  afterEach(async () => {
    if (lab) await stopLab(lab);
    lab = undefined;
  });

  it("an ER's M2 arriving within the wait window is what the Enrollee gets (internal Registrar has no PIN)", async () => {
    const STA = '02:00:00:00:0d:01';
    const er = fakeEr(STA, '12345670', 30);
    lab = await startLab({ link: er, m2WaitMs: 1_500 });
    er.select('fake-er', { devicePasswordId: DevicePasswordId.Default, configMethods: ConfigMethods.Keypad, authorizedMacs: [Buffer.from(macToBytes(STA))] });
    const sta = await addStation(lab, STA);
    const run = runEnroll(sta, { kind: 'pin', pin: '12345670' });
    const res = await run.result;
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.credentials[0]?.ssid.toString()).toBe('er-network');
    expect(wpsEvents(run.events).some((e) => e.type === 'm2d')).toBe(false);
    expect(run.events.find((e) => e.type === 'scan-results')).toMatchObject({ available: 'WPS-AP-AVAILABLE-AUTH' });
    // M1, M3, M5, M7 and WSC_Done went to the ER.
    expect(er.seen).toEqual([4, 7, 9, 11, 15]);
  });

  it('an M2D sent first (ER too slow for the window) does not fail the Enrollee: the late ER M2 completes the run', async () => {
    const STA = '02:00:00:00:0d:02';
    const er = fakeEr(STA, '12345670', 600);
    lab = await startLab({ link: er, m2WaitMs: 100 });
    er.select('fake-er', { devicePasswordId: DevicePasswordId.Default, configMethods: ConfigMethods.Keypad, authorizedMacs: [Buffer.from(macToBytes(STA))] });
    const sta = await addStation(lab, STA);
    const run = runEnroll(sta, { kind: 'pin', pin: '12345670' });
    const res = await run.result;
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.credentials[0]?.ssid.toString()).toBe('er-network');
    const types = wpsEvents(run.events).map((e) => e.type);
    expect(types).toEqual(['m2d', 'cred-received', 'success']);
    expect(types.includes('fail')).toBe(false);
    // One association did it all: no second attempt.
    expect(run.events.filter((e) => e.type === 'associating')).toHaveLength(1);
  });
});
