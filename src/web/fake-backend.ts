/**
 * A scripted ConsoleBackend for the console's tests and for demos: APs and
 * Enrollees appear when the script says so, and learn / configure / PIN /
 * PBC behave as the ER and a hostapd AP would (reply first, outcome as a run
 * end and event lines a step later; a wrong AP PIN or Enrollee PIN fails
 * with config_error=18, "device password authentication failure"; from the
 * third wrong AP PIN on the AP locks its setup for `lockoutMs`, and runs
 * fail at M2 with config_error=15 until it ends; a learn ends with the ER's
 * WSC_NACK, WPS-FAIL msg=11 config_error=0 on both sides).
 */
import { EventEmitter } from 'node:events';
import type {
  ApSettings,
  ConsoleAp,
  ConsoleBackend,
  ConsoleChangeListener,
  ConsoleEnrollee,
  ConsoleEvent,
  ConsoleEventListener,
  ConsoleResult,
  ConsoleSnapshot,
  EnrollAllProgress,
  EnrollAllRequest,
  EnrolleePinRequest,
  NewApSettings,
} from './model.js';

/** Event lines kept for pages that connect later (the ER's history). */
export const FAKE_EVENT_HISTORY = 200;

/** WSC Configuration Error 18: device password authentication failure. */
const CONFIG_ERROR_PASSWORD_AUTH = 18;
/** WSC Configuration Error 15: setup locked. */
const CONFIG_ERROR_SETUP_LOCKED = 15;
/** wps_msg_type M2 / M4 / M7: where a locked AP refuses, where a wrong PIN is found out, where a learn ends. */
const MSG_M2 = 5;
const MSG_M4 = 8;
const MSG_M7 = 11;
/** hostapd: AP setup locks from the third wrong AP PIN on. */
const AP_PIN_FAILURES_BEFORE_LOCK = 3;
/** Device Password ID of PBC. */
const DEV_PW_PUSHBUTTON = 4;

const AUTH_TYPE_BITS: Record<string, number> = { OPEN: 0x0001, WPAPSK: 0x0002, WPA2PSK: 0x0020 };
const ENCR_TYPE_BITS: Record<string, number> = { NONE: 0x0001, TKIP: 0x0004, CCMP: 0x0008 };

export interface FakeApSpec extends Omit<ConsoleAp, 'settings' | 'busy'> {
  apPin: string;
  /** What learning reveals. */
  settings: ApSettings;
}

export interface FakeEnrolleeSpec extends Omit<ConsoleEnrollee, 'state' | 'detail'> {
  /** The station's own device PIN (what its label says). */
  pin?: string;
}

interface FakeAp {
  spec: FakeApSpec;
  view: ConsoleAp;
  pinFailures: number;
  unlockTimer?: NodeJS.Timeout;
}

interface FakeEnrollee {
  pin: string | undefined;
  view: ConsoleEnrollee;
}

export interface FakeBackendOptions {
  /** Delay of each protocol "run" (ms). */
  stepMs?: number;
  now?: () => number;
  /** Awaited by enrollAll() after its first progress report: lets a test act while a run is surely under way. */
  enrollAllGate?: () => Promise<void>;
  /** How long AP setup stays locked after the third wrong AP PIN (hostapd: 60 s). */
  lockoutMs?: number;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export class FakeBackend implements ConsoleBackend {
  private readonly emitter = new EventEmitter();
  private readonly aps = new Map<string, FakeAp>();
  private readonly enrollees = new Map<string, FakeEnrollee>();
  private readonly events: ConsoleEvent[] = [];
  /** wps_er_pin entries: target (uuid, mac or 'any') -> PIN. */
  private readonly pins = new Map<string, string>();
  private readonly pbcTargets = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = 0;
  private runId = 0;
  private queued = 0;
  private readonly lockoutMs: number;
  private readonly stepMs: number;
  private readonly now: () => number;
  private readonly enrollAllGate: (() => Promise<void>) | undefined;
  private readonly er = { uuid: '12345678-9abc-def0-1234-56789abcdef0', deviceName: 'wpsd ER', started: true };

  constructor(opts: FakeBackendOptions = {}) {
    this.stepMs = opts.stepMs ?? 100;
    this.now = opts.now ?? Date.now;
    this.enrollAllGate = opts.enrollAllGate;
    this.lockoutMs = opts.lockoutMs ?? 60_000;
  }

  /** Enrollees that exist but do not probe yet. */
  setQueued(n: number): void {
    this.queued = n;
    this.changed();
  }

  // --- the script ---------------------------------------------------------

  addAp(spec: Partial<FakeApSpec> & Pick<FakeApSpec, 'uuid' | 'mac'>): void {
    const full: FakeApSpec = {
      address: '127.0.0.1',
      friendlyName: 'WPS Access Point',
      manufacturer: 'wpsd',
      modelDescription: 'Simulated AP',
      modelName: 'wpsd-ap',
      modelNumber: '1',
      serialNumber: '0001',
      priDevType: '6-0050F204-1',
      wpsState: 2,
      apPin: '12345670',
      settings: { ssid: 'wpsd-lab', authType: 'WPA2PSK', encrType: 'CCMP', key: 'lab-passphrase' },
      ...spec,
    };
    const { apPin: _pin, settings: _settings, ...view } = full;
    this.aps.set(full.uuid, { spec: full, view: { ...view }, pinFailures: 0 });
    this.log(
      'er',
      `WPS-ER-AP-ADD ${full.uuid} ${full.mac} pri_dev_type=${full.priDevType} wps_state=${full.wpsState} ` +
        `|${full.friendlyName}|${full.manufacturer}|${full.modelDescription}|${full.modelName}|||`,
    );
    this.changed();
  }

  removeAp(uuid: string): void {
    if (!this.aps.delete(uuid)) return;
    this.log('er', `WPS-ER-AP-REMOVE ${uuid}`);
    this.changed();
  }

  /** A Probe Request with a WPS IE, proxied by the AP (WLANEvent type 1). */
  enrolleeProbes(spec: FakeEnrolleeSpec): void {
    const { pin, ...view } = spec;
    this.enrollees.set(spec.mac, { pin, view: { ...view, state: 'probe' } });
    this.logEnrolleeAdd(spec.mac);
    this.changed();
  }

  /** The Enrollee's M1 (WLANEvent type 2); a PIN or PBC already given lets the run go ahead. */
  enrolleeSendsM1(mac: string): void {
    const e = this.enrollees.get(mac);
    if (e === undefined) return;
    e.view.state = 'm1';
    delete e.view.detail;
    this.logEnrolleeAdd(mac);
    this.changed();
    this.tryRun(e);
  }

  /** Stops every pending step. */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const a of this.aps.values()) if (a.unlockTimer) clearTimeout(a.unlockTimer);
    this.emitter.removeAllListeners();
  }

  // --- ConsoleBackend -----------------------------------------------------

  snapshot(): ConsoleSnapshot {
    return {
      er: { ...this.er },
      aps: [...this.aps.values()].map((a) => structuredClone(a.view)),
      enrollees: [...this.enrollees.values()].map((e) => structuredClone(e.view)),
      events: this.events.slice(),
      ...(this.queued > 0 ? { queued: this.queued } : {}),
    };
  }

  on(event: 'change', listener: ConsoleChangeListener): void;
  on(event: 'event', listener: ConsoleEventListener): void;
  on(event: 'change' | 'event', listener: ConsoleChangeListener | ConsoleEventListener): void {
    this.emitter.on(event, listener);
  }

  off(event: 'change', listener: ConsoleChangeListener): void;
  off(event: 'event', listener: ConsoleEventListener): void;
  off(event: 'change' | 'event', listener: ConsoleChangeListener | ConsoleEventListener): void {
    this.emitter.off(event, listener);
  }

  learn(sel: string, apPin: string): Promise<ConsoleResult> {
    return this.apRun(sel, apPin, 'learn', (ap) => {
      ap.view.settings = { ...ap.spec.settings };
      ap.view.settingsRevision = (ap.view.settingsRevision ?? 0) + 1;
      this.logSettings(ap);
      // The ER ends a learn with WSC_NACK after M7; both sides print it.
      this.log('er', `WPS-FAIL msg=${MSG_M7} config_error=0`);
      this.log('ap', `WPS-FAIL msg=${MSG_M7} config_error=0`);
    });
  }

  configure(sel: string, apPin: string, s: NewApSettings): Promise<ConsoleResult> {
    return this.apRun(sel, apPin, 'configure', (ap) => {
      ap.spec.settings = { ssid: s.ssid, authType: s.auth, encrType: s.encr, key: s.key };
      ap.view.settings = { ...ap.spec.settings };
      ap.view.settingsRevision = (ap.view.settingsRevision ?? 0) + 1;
      ap.view.wpsState = 2;
      this.log('ap', 'WPS-NEW-AP-SETTINGS');
      this.log('er', 'WPS-SUCCESS ');
    });
  }

  /** A learn or configure run: refused while AP setup is locked, counted against the lock when the PIN is wrong. */
  private apRun(sel: string, apPin: string, kind: 'learn' | 'configure', succeed: (ap: FakeAp) => void): Promise<ConsoleResult> {
    const ap = this.findAp(sel);
    if (ap === undefined) return Promise.resolve({ ok: false, reply: 'FAIL-UNKNOWN-UUID' });
    if (ap.view.busy === true) return Promise.resolve({ ok: false, reply: 'FAIL', message: 'A run with this AP is already under way.' });
    ap.view.busy = true;
    ap.view.run = { id: ++this.runId, kind, state: 'running', startedAt: this.now() };
    this.changed();
    this.later(() => {
      ap.view.busy = false;
      const run = ap.view.run;
      if (run === undefined) return;
      run.endedAt = this.now();
      if (ap.view.setupLocked !== undefined) {
        run.state = 'failure';
        run.fail = { msg: MSG_M2, configError: CONFIG_ERROR_SETUP_LOCKED, errorIndication: 0 };
        this.log('er', `WPS-FAIL msg=${MSG_M2} config_error=${CONFIG_ERROR_SETUP_LOCKED}`);
      } else if (apPin !== ap.spec.apPin) {
        run.state = 'failure';
        run.fail = { msg: MSG_M4, configError: CONFIG_ERROR_PASSWORD_AUTH, errorIndication: 0 };
        this.log('er', `WPS-FAIL msg=${MSG_M4} config_error=${CONFIG_ERROR_PASSWORD_AUTH}`);
        if (++ap.pinFailures >= AP_PIN_FAILURES_BEFORE_LOCK) this.lockSetup(ap);
      } else {
        run.state = 'success';
        succeed(ap);
      }
      this.changed();
    });
    return Promise.resolve({ ok: true, reply: 'OK' });
  }

  private lockSetup(ap: FakeAp): void {
    ap.view.setupLocked = { until: this.now() + this.lockoutMs };
    this.log('ap', 'WPS-AP-SETUP-LOCKED ');
    if (ap.unlockTimer) clearTimeout(ap.unlockTimer);
    ap.unlockTimer = setTimeout(() => {
      ap.unlockTimer = undefined;
      delete ap.view.setupLocked;
      this.log('ap', 'WPS-AP-SETUP-UNLOCKED ');
      this.changed();
    }, this.lockoutMs);
  }

  authorizePin(req: EnrolleePinRequest): Promise<ConsoleResult> {
    this.pins.set(req.enrollee, req.pin);
    if (req.mac !== undefined) this.pins.set(req.mac, req.pin);
    this.selectRegistrar(0);
    for (const e of this.enrollees.values()) this.tryRun(e);
    return Promise.resolve({ ok: true, reply: 'OK' });
  }

  authorizePbc(target: string): Promise<ConsoleResult> {
    const e = this.findEnrollee(target);
    if (e === undefined) return Promise.resolve({ ok: false, reply: 'FAIL-UNKNOWN-UUID' });
    this.pbcTargets.add(e.view.mac);
    this.selectRegistrar(DEV_PW_PUSHBUTTON);
    this.tryRun(e);
    return Promise.resolve({ ok: true, reply: 'OK' });
  }

  async *enrollAll(req: EnrollAllRequest, signal: AbortSignal): AsyncIterable<EnrollAllProgress> {
    const waiting = [...this.enrollees.values()].filter((e) => e.view.state === 'probe' || e.view.state === 'm1');
    const p: EnrollAllProgress = { total: waiting.length, enrolled: 0, failed: 0, finished: false };
    yield { ...p };
    if (this.enrollAllGate) await this.enrollAllGate();
    for (const e of waiting) {
      if (signal.aborted) break;
      yield { ...p, current: e.view.mac, message: `Authorising ${e.view.mac}` };
      const pin = req.pin ?? e.pin;
      if (req.method === 'pin' && pin === undefined) {
        this.fail(e, 'no PIN known for this Enrollee');
      } else {
        if (req.method === 'pbc') this.pbcTargets.add(e.view.mac);
        else if (pin !== undefined) this.pins.set(e.view.mac, pin);
        await this.settle(e);
      }
      if (e.view.state === 'enrolled') p.enrolled++;
      else p.failed++;
      yield { ...p, current: e.view.mac, message: `${e.view.mac} ${e.view.state}` };
    }
    p.finished = true;
    yield { ...p, message: signal.aborted ? 'Stopped' : `Done: ${p.enrolled} enrolled, ${p.failed} failed` };
  }

  // --- the simulation -----------------------------------------------------

  /** Runs the protocol for an Enrollee whose M1 is in and who has a PIN or PBC; resolves when it ends. */
  private settle(e: FakeEnrollee): Promise<void> {
    if (e.view.state === 'probe') {
      // The station sees the Selected Registrar in the AP's beacon and starts (sends M1).
      e.view.state = 'm1';
      this.logEnrolleeAdd(e.view.mac);
      this.changed();
    }
    return new Promise((resolve) => {
      this.tryRun(e, resolve);
      if (e.view.state !== 'm1') resolve();
    });
  }

  private tryRun(e: FakeEnrollee, done?: () => void): void {
    if (e.view.state !== 'm1') return;
    const pbc = this.pbcTargets.has(e.view.mac) || this.pbcTargets.has(e.view.uuid);
    const pin = this.pins.get(e.view.uuid) ?? this.pins.get(e.view.mac) ?? this.pins.get('any');
    if (!pbc && pin === undefined) return;
    e.view.run = { id: ++this.runId, kind: pbc ? 'pbc' : 'pin', state: 'running', startedAt: this.now() };
    this.later(() => {
      if (e.view.state !== 'm1') {
        done?.();
        return;
      }
      if (pbc) {
        this.pbcTargets.delete(e.view.mac);
        this.pbcTargets.delete(e.view.uuid);
      } else {
        this.forgetPin(e, pin);
      }
      const run = e.view.run;
      if (run !== undefined) run.endedAt = this.now();
      if (!pbc && pin !== e.pin) {
        if (run !== undefined) {
          run.state = 'failure';
          run.fail = { msg: MSG_M4, configError: CONFIG_ERROR_PASSWORD_AUTH, errorIndication: 0 };
        }
        this.fail(e, `WPS-FAIL msg=${MSG_M4} config_error=${CONFIG_ERROR_PASSWORD_AUTH}`);
      } else {
        if (run !== undefined) run.state = 'success';
        e.view.state = 'enrolled';
        this.log('er', 'WPS-SUCCESS ');
        this.log('ap', `AP-STA-CONNECTED ${e.view.mac}`);
        this.changed();
      }
      done?.();
    });
  }

  private forgetPin(e: FakeEnrollee, pin: string | undefined): void {
    // A PIN for one Enrollee is used once; the wildcard stays for others (wps_er_pin any).
    if (this.pins.get(e.view.uuid) === pin) this.pins.delete(e.view.uuid);
    else if (this.pins.get(e.view.mac) === pin) this.pins.delete(e.view.mac);
  }

  private fail(e: FakeEnrollee, why: string): void {
    e.view.state = 'failed';
    e.view.detail = why;
    if (why.startsWith('WPS-FAIL')) this.log('er', why);
    this.changed();
  }

  private selectRegistrar(devPasswdId: number): void {
    for (const ap of this.aps.values()) {
      this.log('er', `WPS-ER-AP-SET-SEL-REG uuid=${ap.view.uuid} state=START sel_reg=1 dev_passwd_id=${devPasswdId} sel_reg_config_methods=0x${(0x4288).toString(16)}`);
      this.log('er', `WPS-ER-AP-SET-SEL-REG uuid=${ap.view.uuid} state=DONE`);
    }
  }

  private findAp(sel: string): FakeAp | undefined {
    for (const a of this.aps.values()) if (a.view.uuid === sel || a.view.mac === sel) return a;
    return undefined;
  }

  private findEnrollee(sel: string): FakeEnrollee | undefined {
    for (const e of this.enrollees.values()) if (e.view.uuid === sel || e.view.mac === sel) return e;
    return undefined;
  }

  private logEnrolleeAdd(mac: string): void {
    const e = this.enrollees.get(mac)?.view;
    if (e === undefined) return;
    this.log(
      'er',
      `WPS-ER-ENROLLEE-ADD ${e.uuid} ${e.mac} M1=${e.state === 'probe' ? 0 : 1} config_methods=0x${e.configMethods.toString(16)} ` +
        `dev_passwd_id=${e.devPasswdId} pri_dev_type=${e.priDevType} |${e.deviceName}|${e.manufacturer}|${e.modelName}|${e.modelNumber}|${e.serialNumber}|`,
    );
  }

  private logSettings(ap: FakeAp): void {
    const s = ap.spec.settings;
    const key = s.authType === 'OPEN' ? '' : s.key;
    this.log(
      'er',
      `WPS-ER-AP-SETTINGS uuid=${ap.view.uuid} ssid=${s.ssid} auth_type=0x${hex4(AUTH_TYPE_BITS[s.authType] ?? 0)} encr_type=0x${hex4(ENCR_TYPE_BITS[s.encrType] ?? 0)} key=${key}`,
    );
  }

  private log(source: ConsoleEvent['source'], text: string): void {
    const ev: ConsoleEvent = { seq: ++this.seq, time: this.now(), source, text };
    this.events.push(ev);
    if (this.events.length > FAKE_EVENT_HISTORY) this.events.shift();
    this.emitter.emit('event', ev);
  }

  private changed(): void {
    this.emitter.emit('change');
  }

  private later(fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.stepMs);
    this.timers.add(t);
  }
}
