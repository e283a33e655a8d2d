import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/log.js';
import { ErAp, type ErApView } from '../er/ap-record.js';
import { ENROLLEE_DONE_TIMEOUT_MS, parseProxiedTlvs, type ErEnrollee } from '../er/enrollee-table.js';
import { ErEvents, type ErEventMap, type ErEventName, type ErListener, type ErRunKind, type ErFail } from '../er/er-events.js';
import { parseSelector, type ErReply } from '../er/external-registrar.js';
import { AttributeType, attrBytes, attrU16, attrU8, encodeAttributes } from '../wps/attributes.js';
import type { Credential } from '../wps/credential.js';
import { parseUuid } from '../wps/device.js';
import { AuthType, EncrType, MessageType } from '../wps/values.js';
import { LabConsoleBackend, type ConsoleErPort } from './console-backend.js';
import { erDevice, newLabIdentity } from './lab-config.js';

const AP_UUID = '87654321-9abc-def0-1234-56789abc0001';
const STA_MAC = '02:00:5e:00:02:01';
const STA_UUID = '2b7093f1-d6fb-5108-adbb-bea66bb80001';

/** The part of the ExternalRegistrar the backend uses, with one AP that proxies one station; the test publishes its events. */
class StubEr implements ConsoleErPort {
  readonly device = erDevice(newLabIdentity());
  readonly started = true;
  readonly ap: ErAp;
  readonly calls: string[] = [];
  t = 1_000_000;
  private readonly events = new ErEvents(silentLogger);
  private runs = 0;

  on<K extends ErEventName>(name: K, listener: ErListener<K>): () => void {
    return this.events.on(name, listener);
  }

  publish<K extends ErEventName>(name: K, ev: ErEventMap[K]): void {
    this.events.emit(name, ev);
  }

  /** WPS-ER-ENROLLEE-ADD for the station's entry. */
  announceStation(): void {
    const enrollee = this.ap.enrollees.list()[0];
    if (enrollee === undefined) throw new Error('no entry');
    this.publish('enrollee-add', { ap: this.ap, enrollee });
  }

  /**
   * A run from start to its end (with WPS-SUCCESS when it succeeded, else
   * `fail`); a learn gets the AP's settings and ends with the ER's NACK.
   */
  run(kind: ErRunKind, result: 'success' | 'failure', fail: ErFail = { msg: 8, configError: 18, errorIndication: 0 }): void {
    const enrollee = kind === 'pin' || kind === 'pbc' ? this.ap.enrollees.list()[0] : undefined;
    const run = { id: ++this.runs, kind, ap: this.ap, startedAt: this.t, ...(enrollee === undefined ? {} : { enrollee }) };
    this.publish('run-start', { run });
    if (kind === 'learn' && result === 'success') {
      this.ap.apSettings = LEARNED;
      this.publish('ap-settings', { ap: this.ap, settings: LEARNED });
      const nack: ErFail = { msg: 11, configError: 0, errorIndication: 0 };
      this.publish('wps-fail', { run, fail: nack });
      this.publish('run-end', { run, result: 'failure', fail: nack });
      return;
    }
    if (result === 'success') this.publish('wps-success', { run });
    else this.publish('wps-fail', { run, fail });
    // The ER lets a finished Enrollee's entry go soon (wps_er_sta_process).
    if (result === 'success' && enrollee !== undefined) this.ap.enrollees.finishSoon(enrollee as ErEnrollee);
    this.publish('run-end', result === 'success' ? { run, result } : { run, result, fail });
  }

  constructor() {
    this.ap = new ErAp(1, '127.0.0.1', parseUuid(AP_UUID), 'http://127.0.0.1:49152/wps_device.xml', () => this.t);
    this.ap.stage = 'ready';
    this.ap.announced = true;
    this.ap.macAddress = Buffer.from('02005e000100', 'hex');
    this.ap.description = {
      uuid: parseUuid(AP_UUID),
      friendlyName: 'wpsd lab AP',
      manufacturer: 'wpsd',
      modelName: 'wpsd-ap',
      controlUrl: 'http://127.0.0.1:49152/wps_control',
      eventSubUrl: 'http://127.0.0.1:49152/wps_event',
    };
  }

  /** A probe (type 1) or M1 (type 2) from the station, as the ER's table takes it. */
  stationMessage(m1: boolean): void {
    const attrs = [attrBytes(AttributeType.UuidE, parseUuid(STA_UUID)), attrU16(AttributeType.ConfigMethods, 0x238c), attrU16(AttributeType.DevicePasswordId, 0)];
    if (m1) attrs.unshift(attrU8(AttributeType.MessageType, MessageType.M1));
    this.ap.enrollees.update(Buffer.from(STA_MAC.replace(/:/g, ''), 'hex'), parseProxiedTlvs(encodeAttributes(attrs)), !m1);
  }

  apList(): ErApView[] {
    return [this.ap];
  }

  findAp(sel: { uuid: Buffer } | { mac: Buffer }): ErAp | undefined {
    return 'uuid' in sel ? (this.ap.uuid.equals(sel.uuid) ? this.ap : undefined) : this.ap.macAddress.equals(sel.mac) ? this.ap : undefined;
  }

  findEnrollee(mac: Buffer | undefined, uuid: Buffer | undefined): { ap: ErAp; enrollee: NonNullable<ReturnType<ErAp['enrollees']['find']>> } | undefined {
    const e = this.ap.enrollees.find(mac, uuid);
    return e === undefined ? undefined : { ap: this.ap, enrollee: e };
  }

  startApSession(sel: string, pin: string, mode: { mode: string }): ErReply {
    this.calls.push(`${mode.mode} ${sel} ${pin}`);
    const s = parseSelector(sel);
    return s !== undefined && this.findAp(s) !== undefined ? 'OK' : 'FAIL';
  }

  addPin(target: string, pin: string, mac: Buffer | undefined): ErReply {
    this.calls.push(`pin ${target} ${pin} ${mac?.toString('hex') ?? ''}`);
    return 'OK';
  }

  startPbc(target: string): ErReply {
    this.calls.push(`pbc ${target}`);
    return 'OK';
  }
}

function setup(): { er: StubEr; backend: LabConsoleBackend; pushed: string[] } {
  const er = new StubEr();
  const pushed: string[] = [];
  const backend = new LabConsoleBackend({
    er,
    now: () => er.t,
    stations: { pushButton: (mac) => pushed.push(`pbc ${mac}`), startPin: (mac) => pushed.push(`pin ${mac}`) },
  });
  return { er, backend, pushed };
}

const LEARNED: Credential = { networkIndex: 1, ssid: Buffer.from('wpsd-lab'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('secret-pass'), macAddress: Buffer.alloc(6), extra: [] };

const addLine = (m1: boolean) => `er WPS-ER-ENROLLEE-ADD ${STA_UUID} ${STA_MAC} M1=${m1 ? 1 : 0} config_methods=0x238c dev_passwd_id=0 pri_dev_type=0-00000000-0 ||||||`;
const erLines = (b: LabConsoleBackend) => b.snapshot().events.flatMap((e) => (e.source === 'er' ? [`er ${e.text}`] : []));

describe('lab console backend over the External Registrar', () => {
  it('lists the AP the ER announced, unlearned until WPS-ER-AP-SETTINGS', () => {
    const { er, backend } = setup();
    expect(backend.snapshot().aps).toMatchObject([{ uuid: AP_UUID, mac: '02:00:5e:00:01:00', friendlyName: 'wpsd lab AP', address: '127.0.0.1' }]);
    expect(backend.snapshot().aps[0]?.settings).toBeUndefined();
    const settings: Credential = { networkIndex: 1, ssid: Buffer.from('wpsd-lab'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('secret-pass'), macAddress: Buffer.alloc(6), extra: [] };
    er.ap.apSettings = settings;
    er.publish('ap-settings', { ap: er.ap, settings });
    expect(backend.snapshot().aps[0]?.settings).toEqual({ ssid: 'wpsd-lab', authType: 'WPA2PSK', encrType: 'CCMP', key: 'secret-pass' });
    expect(erLines(backend)).toEqual([`er WPS-ER-AP-SETTINGS uuid=${AP_UUID} ssid=wpsd-lab auth_type=0x0020 encr_type=0x0008 key=secret-pass`]);
    backend.dispose();
  });

  it('learn on an AP the ER does not know answers FAIL-UNKNOWN-UUID without asking the ER', async () => {
    const { er, backend } = setup();
    expect(await backend.learn('11111111-2222-3333-4444-555555555555', '12345670')).toEqual({ ok: false, reply: 'FAIL-UNKNOWN-UUID' });
    expect(await backend.learn(AP_UUID, '12345670')).toEqual({ ok: true, reply: 'OK' });
    expect(er.calls).toEqual([`learn ${AP_UUID} 12345670`]);
    backend.dispose();
  });

  it('configure shows the new settings only once the ER reports the run succeeded', async () => {
    const { er, backend } = setup();
    expect(await backend.configure(AP_UUID, '12345670', { ssid: 'new net', auth: 'WPA2PSK', encr: 'CCMP', key: 'new passphrase' })).toEqual({ ok: true, reply: 'OK' });
    expect(er.calls).toEqual([`configure ${AP_UUID} 12345670`]);
    expect(backend.snapshot().aps[0]?.settings).toBeUndefined();
    er.run('config', 'success');
    expect(backend.snapshot().aps[0]).toMatchObject({ wpsState: 2, settings: { ssid: 'new net', authType: 'WPA2PSK', encrType: 'CCMP', key: 'new passphrase' } });
    backend.dispose();
  });

  it('the end of a successful run marks its Enrollee enrolled, and it stays after WPS-ER-ENROLLEE-REMOVE', () => {
    const { er, backend } = setup();
    er.stationMessage(false);
    er.announceStation();
    expect(backend.snapshot().enrollees).toMatchObject([{ mac: STA_MAC, uuid: STA_UUID, state: 'probe', apUuid: AP_UUID }]);
    er.stationMessage(true);
    er.announceStation();
    expect(backend.enrolleeState(STA_MAC)).toBe('m1');
    er.run('pin', 'success');
    expect(backend.enrolleeState(STA_MAC)).toBe('enrolled');
    er.t += ENROLLEE_DONE_TIMEOUT_MS;
    const [gone] = er.ap.enrollees.expire();
    if (gone === undefined) throw new Error('no entry expired');
    er.publish('enrollee-remove', { ap: er.ap, enrollee: gone });
    expect(backend.snapshot().enrollees).toMatchObject([{ mac: STA_MAC, state: 'enrolled' }]);
    expect(erLines(backend)).toEqual([addLine(false), addLine(true), 'er WPS-SUCCESS ', `er WPS-ER-ENROLLEE-REMOVE ${STA_UUID} ${STA_MAC}`]);
    backend.dispose();
  });

  it('a learn or configure run that succeeds enrolls nobody; a wireless run the Enrollee refused (wrong PIN) fails it, with the run on its row', () => {
    const { er, backend } = setup();
    er.stationMessage(true);
    er.announceStation();
    er.run('learn', 'success');
    er.run('config', 'success');
    expect(backend.enrolleeState(STA_MAC)).toBe('m1');
    er.run('pin', 'failure');
    expect(backend.snapshot().enrollees).toMatchObject([
      { state: 'failed', detail: 'WPS-FAIL msg=8 config_error=18', run: { id: 3, kind: 'pin', state: 'failure', fail: { msg: 8, configError: 18 } } },
    ]);
    // A probe afterwards keeps the failed run with its reason.
    const entry = er.ap.enrollees.list()[0];
    if (entry === undefined) throw new Error('no entry');
    er.publish('enrollee-add', { ap: er.ap, enrollee: { ...entry, m1Received: false } });
    expect(backend.snapshot().enrollees).toMatchObject([{ state: 'failed', run: { id: 3, state: 'failure' } }]);
    expect(erLines(backend).slice(1)).toEqual([
      `er WPS-ER-AP-SETTINGS uuid=${AP_UUID} ssid=wpsd-lab auth_type=0x0020 encr_type=0x0008 key=secret-pass`,
      'er WPS-FAIL msg=11 config_error=0',
      'er WPS-SUCCESS ',
      'er WPS-FAIL msg=8 config_error=18',
      `er WPS-ER-ENROLLEE-ADD ${STA_UUID} ${STA_MAC} M1=0 config_methods=0x238c dev_passwd_id=0 pri_dev_type=0-00000000-0 ||||||`,
    ]);
    backend.dispose();
  });

  it('a run that ends without a configuration error (an M2D: no PIN for it) leaves the Enrollee waiting', () => {
    const { er, backend } = setup();
    er.stationMessage(true);
    er.announceStation();
    er.run('pin', 'failure', { msg: 14, configError: 0, errorIndication: 0 });
    expect(backend.enrolleeState(STA_MAC)).toBe('m1');
    backend.dispose();
  });

  it("each AP run's end is the AP's: a learn that got the settings succeeded despite its closing NACK, a wrong AP PIN failed, a configure bumps the key's revision", async () => {
    const { er, backend } = setup();
    await backend.learn(AP_UUID, '12345670');
    er.run('learn', 'success');
    expect(backend.snapshot().aps[0]).toMatchObject({ run: { id: 1, kind: 'learn', state: 'success' }, settingsRevision: 1 });
    expect(backend.snapshot().aps[0]?.run?.fail).toBeUndefined();
    er.run('learn', 'failure');
    expect(backend.snapshot().aps[0]).toMatchObject({ run: { id: 2, kind: 'learn', state: 'failure', fail: { msg: 8, configError: 18 } }, settingsRevision: 1 });
    await backend.configure(AP_UUID, '12345670', { ssid: 'new net', auth: 'WPA2PSK', encr: 'CCMP', key: 'new passphrase' });
    er.run('config', 'success');
    expect(backend.snapshot().aps[0]).toMatchObject({ run: { id: 3, kind: 'configure', state: 'success' }, settingsRevision: 2, settings: { key: 'new passphrase' } });
    backend.dispose();
  });

  it("shows the AP's setup lock with its end, and asks again when the AP says WPS-AP-SETUP-LOCKED / -UNLOCKED", () => {
    const er = new StubEr();
    let lock: { until?: number } | undefined;
    const backend = new LabConsoleBackend({ er, now: () => er.t, apSetupLock: (uuid) => (uuid === AP_UUID ? lock : undefined) });
    let changes = 0;
    backend.on('change', () => changes++);
    expect(backend.snapshot().aps[0]?.setupLocked).toBeUndefined();
    lock = { until: er.t + 60_000 };
    backend.apEvent('WPS-AP-SETUP-LOCKED ');
    expect(changes).toBe(1);
    expect(backend.snapshot().aps[0]?.setupLocked).toEqual({ until: er.t + 60_000 });
    lock = undefined;
    backend.apEvent('WPS-AP-SETUP-UNLOCKED ');
    expect(changes).toBe(2);
    expect(backend.snapshot().aps[0]?.setupLocked).toBeUndefined();
    backend.dispose();
  });

  it("a station's failure stays through its probes, a new M1 starts over, and an unfinished Enrollee goes with the ER's entry", () => {
    const { er, backend } = setup();
    er.stationMessage(true);
    er.announceStation();
    backend.stationOutcome(STA_MAC, { ok: false, detail: 'WPS-FAIL msg=8 config_error=18' });
    expect(backend.snapshot().enrollees).toMatchObject([{ state: 'failed', detail: 'WPS-FAIL msg=8 config_error=18' }]);
    // A probe after the failure: the table keeps what its M1 said, so announce it as a probe entry would be.
    const entry = er.ap.enrollees.list()[0];
    if (entry === undefined) throw new Error('no entry');
    er.publish('enrollee-add', { ap: er.ap, enrollee: { ...entry, m1Received: false } });
    expect(backend.snapshot().enrollees).toMatchObject([{ state: 'failed', detail: 'WPS-FAIL msg=8 config_error=18' }]);
    er.announceStation();
    expect(backend.enrolleeState(STA_MAC)).toBe('m1');
    er.publish('enrollee-remove', { ap: er.ap, enrollee: entry });
    expect(backend.snapshot().enrollees).toEqual([]);
    backend.dispose();
  });

  it("wps_er_pbc and wps_er_pin for a lab station start WPS at the station too, by the ER's own Enrollee entry", async () => {
    const { er, backend, pushed } = setup();
    er.stationMessage(false);
    er.announceStation();
    expect(await backend.authorizePbc(STA_MAC)).toEqual({ ok: true, reply: 'OK' });
    expect(await backend.authorizePin({ enrollee: STA_UUID, pin: '12345670' })).toEqual({ ok: true, reply: 'OK' });
    expect(await backend.authorizePin({ enrollee: 'any', pin: '12345670' })).toEqual({ ok: true, reply: 'OK' });
    expect(pushed).toEqual([`pbc ${STA_MAC}`, `pin ${STA_MAC}`]);
    expect(er.calls).toEqual([`pbc ${STA_MAC}`, `pin ${STA_UUID} 12345670 `, 'pin any 12345670 ']);
    backend.dispose();
  });

  it("keeps one WPS-ENROLLEE-SEEN per station in the event log until the AP's line changes", () => {
    const { backend } = setup();
    const seen = (pw: number) => `WPS-ENROLLEE-SEEN ${STA_MAC} ${STA_UUID} 1-0050F204-1 0x238c ${pw} 1 [lab-sta-01]`;
    backend.apEvent(seen(0));
    backend.apEvent(seen(0));
    backend.apEvent(seen(4));
    backend.apEvent('AP-ENABLED ');
    expect(backend.snapshot().events.map((e) => `${e.source} ${e.text}`)).toEqual([`ap ${seen(0)}`, `ap ${seen(4)}`, 'ap AP-ENABLED ']);
    backend.dispose();
  });

  it('without lab stations, enroll all ends at once with nothing to do', async () => {
    const { backend } = setup();
    const steps = [];
    for await (const p of backend.enrollAll({ method: 'pin' }, new AbortController().signal)) steps.push(p);
    expect(steps).toEqual([{ total: 0, enrolled: 0, failed: 0, finished: true, message: 'No lab stations to enroll' }]);
    backend.dispose();
  });
});
