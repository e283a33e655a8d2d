/**
 * The web console's backend over the real External Registrar (src/er): the
 * APs and Enrollees the ER knows (its views, kept current by its typed
 * events), its event lines (and the AP's, for the lab), and wps_er_learn /
 * wps_er_config / wps_er_pin / wps_er_pbc.
 *
 * Enrolled and failed Enrollees stay listed after the ER drops them
 * (WPS-ER-ENROLLEE-REMOVE 10 s after success), so the console keeps the
 * outcome. The lab's stations also report their own outcome (the
 * credential received, or the WPS-FAIL that ended the run).
 */
import { isMacText } from '../common/mac.js';
import { CtrlEvent } from '../ctrl/event-names.js';
import { EventEmitter } from 'node:events';
import type { ErApView } from '../er/ap-record.js';
import { parseErConfigArgs } from '../er/commands.js';
import type { ErEnrolleeView } from '../er/enrollee-table.js';
import type { ErEventMap, ErEventName, ErEventSource, ErRunView } from '../er/er-events.js';
import { subscribeEventLines } from '../er/event-lines.js';
import { parseSelector, type ExternalRegistrar } from '../er/external-registrar.js';
import type { Credential } from '../wps/credential.js';
import { formatDeviceType, formatUuid } from '../wps/device.js';
import { wpsFailText } from '../wps/events.js';
import { AuthType, EncrType } from '../wps/values.js';
import type {
  ApSettings,
  AuthName,
  ConsoleAp,
  ConsoleBackend,
  ConsoleChangeListener,
  ConsoleEnrollee,
  ConsoleEvent,
  ConsoleEventListener,
  ConsoleResult,
  ConsoleRun,
  ConsoleSnapshot,
  EncrName,
  EnrollAllProgress,
  EnrollAllRequest,
  EnrolleePinRequest,
  NewApSettings,
} from '../web/model.js';
import { formatMac } from '../common/mac.js';

/** Event lines kept for pages that open later. */
export const LAB_EVENT_HISTORY = 300;
/** Enrollees the console lists at once (twice the lab's 1000 stations); the oldest finished ones go first beyond this. */
export const MAX_CONSOLE_ENROLLEES = 2048;

/** What the lab's stations tell the console about their own runs. */
export type StationOutcome = { ok: true } | { ok: false; detail: string };

/**
 * The lab side of "enroll all": the backend authorises at the ER, the lab
 * makes the stations take part. Absent outside the lab.
 */
export interface EnrollAllDriver {
  run(req: EnrollAllRequest, signal: AbortSignal): AsyncIterable<EnrollAllProgress>;
}

/** How a station run started from the console goes on at the station (the lab's "user at the device"). */
export interface StationHooks {
  /** The console authorised PBC for this Enrollee: its user pushes the button too. */
  pushButton?(mac: string): void;
  /** The console gave this Enrollee's PIN to the ER: its user starts WPS PIN at the device too. */
  startPin?(mac: string): void;
}

/** What the backend uses of the External Registrar: its events, its views and its commands. */
export type ConsoleErPort = ErEventSource &
  Pick<ExternalRegistrar, 'device' | 'started' | 'apList' | 'findAp' | 'findEnrollee' | 'startApSession' | 'addPin' | 'startPbc'>;

const ER_EVENT_NAMES: readonly ErEventName[] = ['ap-add', 'ap-remove', 'ap-settings', 'enrollee-add', 'enrollee-remove', 'selection', 'run-start', 'wps-fail', 'wps-success', 'run-end'];

export interface LabConsoleBackendOptions {
  er: ConsoleErPort;
  now?: () => number;
  stations?: StationHooks;
  /**
   * AP Setup Locked of an AP by UUID, when the console can see it (the lab's
   * own AP): `until` is when it ends, absent when only a new AP PIN ends it.
   */
  apSetupLock?: (apUuid: string) => { until?: number } | undefined;
}

/** The ER's run kinds in the console's words. */
const RUN_KIND: Readonly<Record<ErRunView['kind'], ConsoleRun['kind']>> = { learn: 'learn', config: 'configure', pin: 'pin', pbc: 'pbc' };

function authName(bits: number): AuthName {
  if (bits & AuthType.Wpa2Psk) return 'WPA2PSK';
  if (bits & AuthType.WpaPsk) return 'WPAPSK';
  return 'OPEN';
}

function encrName(bits: number): EncrName {
  if (bits & EncrType.Aes) return 'CCMP';
  if (bits & EncrType.Tkip) return 'TKIP';
  return 'NONE';
}

export function consoleSettings(c: Pick<Credential, 'ssid' | 'authType' | 'encrType' | 'networkKey'>): ApSettings {
  return { ssid: c.ssid.toString('utf8'), authType: authName(c.authType), encrType: encrName(c.encrType), key: c.networkKey.toString('latin1') };
}

function enrolleeView(e: ErEnrolleeView, ap: ErApView, state: ConsoleEnrollee['state']): ConsoleEnrollee {
  return {
    uuid: formatUuid(e.uuid),
    mac: formatMac(e.macAddress),
    deviceName: e.deviceName ?? '',
    manufacturer: e.manufacturer ?? '',
    modelName: e.modelName ?? '',
    modelNumber: e.modelNumber ?? '',
    serialNumber: e.serialNumber ?? '',
    priDevType: e.primaryDeviceType.length === 8 ? formatDeviceType(e.primaryDeviceType) : '',
    configMethods: e.configMethods,
    devPasswdId: e.devicePasswordId,
    state,
    apUuid: formatUuid(ap.uuid),
  };
}

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

export class LabConsoleBackend implements ConsoleBackend {
  private readonly emitter = new EventEmitter();
  private readonly events: ConsoleEvent[] = [];
  /** By MAC address; outlives the ER's own entries. */
  private readonly enrollees = new Map<string, ConsoleEnrollee>();
  /** Settings proven by a learn or a configure that succeeded, by AP UUID. */
  private readonly settings = new Map<string, ApSettings>();
  private readonly configuredState = new Set<string>();
  /** Bumped at every change of an AP's settings, by AP UUID. */
  private readonly settingsRevision = new Map<string, number>();
  /** The last learn / configure run of each AP, by AP UUID. */
  private readonly apRuns = new Map<string, ConsoleRun>();
  /** Learn runs that received the AP's settings (they end with the ER's NACK, which is no failure). */
  private readonly learnedRuns = new Set<number>();
  /** Configure runs under way: AP UUID -> the settings asked for. */
  private readonly pendingConfigure = new Map<string, ApSettings>();
  /** The last WPS-ENROLLEE-SEEN shown per station MAC. */
  private readonly lastSeenLine = new Map<string, string>();
  private readonly er: ConsoleErPort;
  private readonly now: () => number;
  private seq = 0;
  private enrollAllDriver: EnrollAllDriver | undefined;
  private queuedStations: () => number = () => 0;
  private closed = false;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly opts: LabConsoleBackendOptions) {
    this.er = opts.er;
    this.now = opts.now ?? Date.now;
    // Pages may listen many times over (one per open page and stream).
    this.emitter.setMaxListeners(0);
    const er = this.er;
    // The ER's lines first, so a page sees the line before the state it changed.
    this.unsubscribe.push(
      subscribeEventLines(er, (l) => this.log('er', l.text)),
      er.on('enrollee-add', (ev) => this.enrolleeAdded(ev)),
      er.on('enrollee-remove', ({ enrollee }) => this.enrolleeRemoved(enrollee)),
      er.on('ap-settings', ({ ap, settings }) => this.learned(ap, settings)),
      er.on('run-start', ({ run }) => this.runStarted(run)),
      er.on('run-end', (ev) => this.runEnded(ev)),
      ...ER_EVENT_NAMES.map((name) => er.on(name, () => this.changed())),
    );
  }

  /** Lab stations not probing yet (they wait their turn behind the ones the ER sees). */
  setQueuedStations(count: () => number): void {
    this.queuedStations = count;
  }

  /** The lab's "enroll all"; without it the run authorises nothing and ends at once. */
  setEnrollAllDriver(d: EnrollAllDriver | undefined): void {
    this.enrollAllDriver = d;
  }

  // ------------------------------------------------------------- input

  /**
   * An event line of the AP (its control interface's monitor). The AP says
   * WPS-ENROLLEE-SEEN for every Probe Request of a waiting station; the log
   * keeps one per station until what it says changes (PBC pushed, say).
   */
  apEvent(text: string): void {
    if (this.closed) return;
    const [name, mac] = text.split(' ', 2);
    if (name === CtrlEvent.WpsEnrolleeSeen && mac !== undefined && isMacText(mac)) {
      if (this.lastSeenLine.get(mac) === text) return;
      this.lastSeenLine.delete(mac);
      this.lastSeenLine.set(mac, text);
      if (this.lastSeenLine.size > MAX_CONSOLE_ENROLLEES) {
        const oldest = this.lastSeenLine.keys().next().value;
        if (oldest !== undefined) this.lastSeenLine.delete(oldest);
      }
    }
    this.log('ap', text);
    // WPS-AP-SETUP-LOCKED / -UNLOCKED change what the AP's row says.
    if (name === CtrlEvent.WpsApSetupLocked || name === CtrlEvent.WpsApSetupUnlocked) this.changed();
  }

  /** A lab station's own account of its run. */
  stationOutcome(mac: string, outcome: StationOutcome): void {
    const e = this.enrollees.get(mac);
    if (e === undefined) return;
    if (outcome.ok) {
      e.state = 'enrolled';
      delete e.detail;
    } else if (e.state !== 'enrolled') {
      e.state = 'failed';
      e.detail = outcome.detail;
    }
    this.changed();
  }

  /** Where the console's Enrollee entry stands (for the lab's runs). */
  enrolleeState(mac: string): ConsoleEnrollee['state'] | undefined {
    return this.enrollees.get(mac)?.state;
  }

  dispose(): void {
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    this.emitter.removeAllListeners();
  }

  /** WPS-ER-ENROLLEE-ADD: a new entry, or an M1 (a new run) from a known one. */
  private enrolleeAdded({ ap, enrollee }: ErEventMap['enrollee-add']): void {
    const mac = formatMac(enrollee.macAddress);
    const cur = this.enrollees.get(mac);
    // A new M1 is a new run; a probe does not undo an outcome.
    const state: ConsoleEnrollee['state'] = enrollee.m1Received ? 'm1' : cur !== undefined && cur.state !== 'probe' ? cur.state : 'probe';
    const view = enrolleeView(enrollee, ap, state);
    if (state === 'failed' && cur?.detail !== undefined) view.detail = cur.detail;
    // Its last run stays with it (a failed one says why) until the next run starts.
    if (cur?.run !== undefined) view.run = cur.run;
    this.enrollees.set(mac, view);
    this.trimEnrollees();
  }

  /** The ER dropped its entry: an Enrollee without an outcome goes too. */
  private enrolleeRemoved(enrollee: ErEnrolleeView): void {
    const mac = formatMac(enrollee.macAddress);
    const cur = this.enrollees.get(mac);
    if (cur !== undefined && cur.state !== 'enrolled' && cur.state !== 'failed') this.enrollees.delete(mac);
  }

  private setSettings(uuid: string, s: ApSettings): void {
    this.settings.set(uuid, s);
    this.settingsRevision.set(uuid, (this.settingsRevision.get(uuid) ?? 0) + 1);
  }

  /** WPS-ER-AP-SETTINGS: a learn run got the AP's settings (only one run per AP at a time, so it is this AP's). */
  private learned(ap: ErApView, settings: Credential): void {
    const uuid = formatUuid(ap.uuid);
    this.setSettings(uuid, consoleSettings(settings));
    const run = this.apRuns.get(uuid);
    if (run?.kind === 'learn' && run.state === 'running') this.learnedRuns.add(run.id);
  }

  private runStarted(run: ErRunView): void {
    const view: ConsoleRun = { id: run.id, kind: RUN_KIND[run.kind], state: 'running', startedAt: this.now() };
    if (run.enrollee === undefined) {
      this.apRuns.set(formatUuid(run.ap.uuid), view);
      return;
    }
    const e = this.enrollees.get(formatMac(run.enrollee.macAddress));
    if (e !== undefined) e.run = view;
  }

  /** The run's end, where it belongs: the AP's row and form for learn / configure, the Enrollee's row for pin / pbc. */
  private runEnded({ run, result, fail }: ErEventMap['run-end']): void {
    const ended = (v: ConsoleRun | undefined): ConsoleRun | undefined => {
      if (v === undefined || v.id !== run.id) return undefined;
      v.state = result;
      v.endedAt = this.now();
      if (fail !== undefined) v.fail = { ...fail };
      return v;
    };
    if (run.enrollee === undefined) {
      const uuid = formatUuid(run.ap.uuid);
      const v = ended(this.apRuns.get(uuid));
      if (v !== undefined && v.kind === 'learn' && this.learnedRuns.delete(run.id)) {
        // The NACK that ends every learn is no failure.
        v.state = 'success';
        delete v.fail;
      }
      if (run.kind !== 'config') return;
      const want = this.pendingConfigure.get(uuid);
      this.pendingConfigure.delete(uuid);
      if (result !== 'success' || want === undefined) return;
      this.setSettings(uuid, { ...want });
      this.configuredState.add(uuid);
      return;
    }
    const mac = formatMac(run.enrollee.macAddress);
    if (result === 'success') {
      const view = this.enrollees.get(mac) ?? enrolleeView(run.enrollee, run.ap, 'enrolled');
      view.state = 'enrolled';
      delete view.detail;
      this.enrollees.set(mac, view);
      ended(view.run);
      this.trimEnrollees();
      return;
    }
    const view = this.enrollees.get(mac);
    if (view === undefined) return;
    ended(view.run);
    // A run the Enrollee refused with a configuration error (a wrong PIN) failed it; an M2D ("no PIN for you") does not.
    if (result === 'failure' && fail !== undefined && fail.configError !== 0 && view.state !== 'enrolled') {
      view.state = 'failed';
      view.detail = wpsFailText(fail);
    }
  }

  private trimEnrollees(): void {
    for (const [mac, e] of this.enrollees) {
      if (this.enrollees.size <= MAX_CONSOLE_ENROLLEES) break;
      if (e.state === 'enrolled' || e.state === 'failed') this.enrollees.delete(mac);
    }
  }

  // ------------------------------------------------------------- ConsoleBackend

  snapshot(): ConsoleSnapshot {
    const dev = this.er.device;
    return {
      er: { uuid: formatUuid(dev.uuid), deviceName: dev.deviceName, started: this.er.started },
      aps: this.er
        .apList()
        .filter((a) => a.announced && !a.removed)
        .map((a) => this.apView(a)),
      enrollees: [...this.enrollees.values()].map((e) => (e.run === undefined ? { ...e } : { ...e, run: { ...e.run } })),
      events: this.events.slice(),
      queued: this.queuedStations(),
    };
  }

  private apView(a: ErApView): ConsoleAp {
    const uuid = formatUuid(a.uuid);
    const d = a.description;
    const view: ConsoleAp = {
      uuid,
      mac: formatMac(a.macAddress),
      address: a.address,
      friendlyName: d?.friendlyName ?? '',
      manufacturer: d?.manufacturer ?? '',
      modelDescription: d?.modelDescription ?? '',
      modelName: d?.modelName ?? '',
      modelNumber: d?.modelNumber ?? '',
      serialNumber: d?.serialNumber ?? '',
      priDevType: a.primaryDeviceType?.length === 8 ? formatDeviceType(a.primaryDeviceType) : '',
      wpsState: this.configuredState.has(uuid) ? 2 : a.wpsState,
      busy: a.busy,
    };
    const s = this.settings.get(uuid);
    if (s !== undefined) {
      view.settings = { ...s };
      view.settingsRevision = this.settingsRevision.get(uuid) ?? 0;
    }
    const run = this.apRuns.get(uuid);
    if (run !== undefined) view.run = { ...run };
    const lock = this.opts.apSetupLock?.(uuid);
    if (lock !== undefined) view.setupLocked = { ...lock };
    return view;
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
    const known = this.knownAp(sel);
    if (known !== undefined) return Promise.resolve(known);
    const reply = this.er.startApSession(sel, apPin, { mode: 'learn' });
    return Promise.resolve(this.result(reply));
  }

  configure(sel: string, apPin: string, s: NewApSettings): Promise<ConsoleResult> {
    const known = this.knownAp(sel);
    if (known !== undefined) return Promise.resolve(known);
    // wps_er_config takes SSID and key in hex (wpa_cli's form); the ER's own parser makes the Credential.
    const args = parseErConfigArgs(`${sel} ${apPin} ${hex(s.ssid)} ${s.auth} ${s.encr} ${hex(s.key)}`);
    if (args === undefined) return Promise.resolve({ ok: false, reply: 'FAIL', message: 'The ER refused these settings.' });
    const reply = this.er.startApSession(args.selector, args.pin, { mode: 'configure', settings: args.settings });
    if (reply === 'OK') {
      const ap = this.findAp(sel);
      if (ap !== undefined) this.pendingConfigure.set(formatUuid(ap.uuid), { ssid: s.ssid, authType: s.auth, encrType: s.encr, key: s.key });
    }
    return Promise.resolve(this.result(reply));
  }

  authorizePin(req: EnrolleePinRequest): Promise<ConsoleResult> {
    const mac = req.mac === undefined ? undefined : Buffer.from(req.mac.replace(/:/g, ''), 'hex');
    const reply = this.er.addPin(req.enrollee, req.pin, mac);
    if (reply === 'OK') {
      // The ER tells the AP only when its PIN/PBC mode changes, so a second station's address may not be in
      // Authorized MACs; the station's user starting WPS PIN covers that (it joins any WPS AP after 5 s).
      const sel = parseSelector(req.enrollee);
      const found = sel === undefined ? undefined : this.er.findEnrollee('mac' in sel ? sel.mac : mac, 'uuid' in sel ? sel.uuid : undefined);
      const target = found !== undefined ? formatMac(found.enrollee.macAddress) : req.mac;
      if (target !== undefined) this.opts.stations?.startPin?.(target.toLowerCase());
    }
    return Promise.resolve(this.result(reply));
  }

  authorizePbc(enrollee: string): Promise<ConsoleResult> {
    const reply = this.er.startPbc(enrollee);
    if (reply === 'OK') {
      const sel = parseSelector(enrollee);
      const found = sel === undefined ? undefined : this.er.findEnrollee('mac' in sel ? sel.mac : undefined, 'uuid' in sel ? sel.uuid : undefined);
      if (found !== undefined) this.opts.stations?.pushButton?.(formatMac(found.enrollee.macAddress));
    }
    return Promise.resolve(this.result(reply));
  }

  async *enrollAll(req: EnrollAllRequest, signal: AbortSignal): AsyncIterable<EnrollAllProgress> {
    const d = this.enrollAllDriver;
    if (d === undefined) {
      yield { total: 0, enrolled: 0, failed: 0, finished: true, message: 'No lab stations to enroll' };
      return;
    }
    yield* d.run(req, signal);
  }

  // ------------------------------------------------------------- helpers

  private findAp(sel: string): ErApView | undefined {
    const s = parseSelector(sel);
    return s === undefined ? undefined : this.er.findAp(s);
  }

  /** A refusal for an AP selector the ER does not know (wpa_supplicant says FAIL; the console says why). */
  private knownAp(sel: string): ConsoleResult | undefined {
    if (this.findAp(sel) !== undefined) return undefined;
    return { ok: false, reply: 'FAIL-UNKNOWN-UUID' };
  }

  private result(reply: string): ConsoleResult {
    return reply === 'OK' ? { ok: true, reply } : { ok: false, reply };
  }

  private log(source: ConsoleEvent['source'], text: string): void {
    const ev: ConsoleEvent = { seq: ++this.seq, time: this.now(), source, text };
    this.events.push(ev);
    if (this.events.length > LAB_EVENT_HISTORY) this.events.shift();
    this.emitter.emit('event', ev);
  }

  private changed(): void {
    this.emitter.emit('change');
  }
}
