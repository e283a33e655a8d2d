/**
 * "Enroll all" in the lab: every station not yet enrolled goes through the
 * AP's proxy to the External Registrar.
 *
 * - PIN, driven by what the AP advertises: the ER gets a station's PIN with
 *   its MAC address (wps_er_pin <UUID> <PIN> <MAC>), so the ER's
 *   SetSelectedRegistrar puts that address in the AP's Authorized MACs; the
 *   station starts WPS PIN when the AP's Beacon lists it (SelectionWatch), so
 *   its first scan finds the AP selected for it. Authorized MACs hold the
 *   newest five PINs' addresses, and a station's scan must still find its
 *   own there, so at most five stations are between their PIN and their
 *   association at a time; one that associates makes room for the next PIN.
 *   No fixed batches, no timers but each station's bound on how long its
 *   advertisement may take.
 * - PBC: one station at a time (two pushing at once is a PBC session
 *   overlap): its button is pushed, and once the ER has seen its probe,
 *   wps_er_pbc <MAC>; the next waits until the ER has ended PBC mode.
 *
 * The AP's settings must be known to give Enrollees a credential: when the
 * ER does not know the lab AP's yet, it learns them first with the AP PIN.
 */
import { sleep } from '../common/sleep.js';
import type { ErApView } from '../er/ap-record.js';
import type { ExternalRegistrar } from '../er/external-registrar.js';
import { macToBytes } from '../radio/mac.js';
import { parseUuid } from '../wps/device.js';
import { MAX_AUTHORIZED_MACS } from '../wps/vendor-ext.js';
import type { EnrollAllProgress, EnrollAllRequest } from '../web/model.js';
import type { EnrollAllDriver } from './console-backend.js';
import { whenEr } from './er-wait.js';
import { LAB_WALK_TIME_MS, type LabEnrollOutcome, type LabStation } from './lab-station.js';
import type { SelectionSource } from './selection-watch.js';

/**
 * PIN stations under way at once per AP (PIN given, advertised or
 * enrolling): a registration takes a quarter of a second at least, so 16
 * keep an AP at its planned ~41 a second (channel-plan.ts), and more would
 * only wait longer (each one's time is in-flight / rate); well inside the
 * ER's 64 PINs and 64 Enrollees per AP and the lab's 48 radio slots.
 */
export const LAB_IN_FLIGHT = 16;
/** The most a caller may ask for: the ER holds 64 PINs. */
export const MAX_IN_FLIGHT = 64;
/** A station whose address the AP has not advertised this long after its PIN went to the ER fails (the AP's selection is lost). */
export const SELECTION_WAIT_MS = 15_000;
/** How long the ER may take to learn the AP before the run gives up. */
export const LEARN_WAIT_MS = 20_000;
/** How long a PBC station may take to be seen by the ER (its probes go through the AP). */
export const PBC_SEEN_WAIT_MS = 15_000;
/** A PBC run's end at the ER and the AP may take this long before the next goes ahead anyway. */
const SETTLE_WAIT_MS = 3_000;
/** PBC stations start at least this far apart: each also probes about once a second while it waits for the ER. */
export const PBC_INTERVAL_MS = 500;
/** wps_er_pbc refused for an overlap: try again a few times (an earlier Enrollee's probes may still count). */
const PBC_START_TRIES = 5;
const PBC_RETRY_MS = 1_000;

/** What a run uses of the External Registrar. */
export type EnrollAllEr = Pick<ExternalRegistrar, 'on' | 'announcedAp' | 'startApSession' | 'addPin' | 'removePin' | 'findEnrollee' | 'startPbc' | 'pbcActive'>;
/** What a run uses of a station. */
export type EnrollAllStation = Pick<LabStation, 'mac' | 'spec' | 'state' | 'enroll' | 'cancel' | 'pauseWaiting'>;

export interface EnrollAllRecord {
  mac: string;
  outcome: LabEnrollOutcome;
}

export interface LabEnrollAllOptions {
  er: EnrollAllEr;
  stations: () => readonly EnrollAllStation[];
  apUuid: string;
  apPin: string;
  /** What the lab's AP advertises (its Beacons): PIN stations start when it lists them. */
  selection: SelectionSource;
  /** Each finished station (for the console's own entry). */
  onRecord?: (r: EnrollAllRecord) => void;
  /** PIN stations under way at once (LAB_IN_FLIGHT unless given; 1..MAX_IN_FLIGHT). */
  inFlight?: number;
  /** SELECTION_WAIT_MS unless given. */
  selectionWaitMs?: number;
}

/** What a PIN run sent and heard besides its records. */
export interface EnrollAllCounters {
  /** SetSelectedRegistrar calls the AP acknowledged during the run. */
  setSelectedRegistrar: number;
  /** Selection changes heard in the AP's Beacons. */
  advertisements: number;
}

/**
 * The lab AP as the ER knows it (another AP on lo may be known too), or
 * undefined before its WPS-ER-AP-ADD.
 */
function labAp(er: EnrollAllEr, apUuid: Buffer): ErApView | undefined {
  return er.announcedAp(apUuid);
}

/** The lab AP's settings are known and no learn run is still winding down (the ER skips SetSelectedRegistrar to a busy AP). */
function settingsKnown(er: EnrollAllEr, apUuid: Buffer): boolean {
  const ap = labAp(er, apUuid);
  return ap !== undefined && ap.apSettings !== undefined && !ap.busy;
}

/**
 * Learns the lab's AP with its AP PIN unless its settings are known (the ER
 * needs them to give Enrollees a credential); false when that did not work
 * within `ms`.
 */
export async function learnLabAp(er: EnrollAllEr, apUuidText: string, apPin: string, signal: AbortSignal, ms = LEARN_WAIT_MS): Promise<boolean> {
  const apUuid = parseUuid(apUuidText);
  if (settingsKnown(er, apUuid)) return true;
  const end = Date.now() + ms;
  const left = (): number => Math.max(0, end - Date.now());
  if (!(await whenEr(er, ['ap-add'], () => labAp(er, apUuid) !== undefined, left(), signal))) return false;
  const usable = (): boolean => {
    const ap = labAp(er, apUuid);
    return ap !== undefined && !ap.busy && ap.stage === 'ready';
  };
  // Refused while another run holds the AP: again when a run ends.
  while (er.startApSession(apUuidText, apPin, { mode: 'learn' }) !== 'OK') {
    if (settingsKnown(er, apUuid)) return true;
    if (usable()) return false;
    if (!(await whenEr(er, ['run-end', 'ap-add'], usable, left(), signal))) return false;
  }
  return whenEr(er, ['run-end'], () => settingsKnown(er, apUuid), left(), signal);
}

export class LabEnrollAll implements EnrollAllDriver {
  /** Records of the last run, in the order the stations finished. */
  records: EnrollAllRecord[] = [];
  counters: EnrollAllCounters = { setSelectedRegistrar: 0, advertisements: 0 };

  private readonly apUuid: Buffer;

  constructor(private readonly opts: LabEnrollAllOptions) {
    this.apUuid = parseUuid(opts.apUuid);
  }

  /**
   * The lab AP heard "not selected" from the ER and nothing is on its way
   * to it: the next SetSelectedRegistrar cannot overtake the last.
   */
  private apUnselected(): boolean {
    const ap = labAp(this.opts.er, this.apUuid);
    return ap === undefined || (ap.selectionSettled && !ap.selectedAtAp);
  }

  async *run(req: EnrollAllRequest, signal: AbortSignal): AsyncIterable<EnrollAllProgress> {
    const targets = this.opts.stations().filter((s) => s.state !== 'enrolled');
    const p: EnrollAllProgress = { total: targets.length, enrolled: 0, failed: 0, finished: false };
    this.records = [];
    yield { ...p, message: 'Starting' };
    if (targets.length === 0) {
      yield { ...p, finished: true, message: 'Every station is enrolled already' };
      return;
    }
    if (!(await learnLabAp(this.opts.er, this.opts.apUuid, this.opts.apPin, signal))) {
      yield { ...p, failed: p.total, finished: true, message: signal.aborted ? 'Stopped' : "The AP's settings could not be learned; nothing to give the stations" };
      return;
    }
    const resume = this.opts.stations().map((s) => s.pauseWaiting());
    // Finished stations, in the order they finish, for the progress stream.
    const done: EnrollAllRecord[] = [];
    let wake: (() => void) | undefined;
    const record = (mac: string, outcome: LabEnrollOutcome): void => {
      const r = { mac, outcome };
      this.records.push(r);
      done.push(r);
      this.opts.onRecord?.(r);
      wake?.();
    };
    const work = req.method === 'pbc' ? this.runPbc(targets, record, signal) : this.runPin(targets, req.pin, record, signal);
    let working = true;
    // Its error, if any, comes out of the `await work` below.
    void work
      .catch(() => undefined)
      .finally(() => {
        working = false;
        wake?.();
      });
    try {
      while (working || done.length > 0) {
        const r = done.shift();
        if (r === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        if (r.outcome.ok) p.enrolled++;
        else p.failed++;
        yield { ...p, current: r.mac, message: r.outcome.ok ? `${r.mac} enrolled` : `${r.mac} failed: ${r.outcome.detail}` };
      }
      await work;
    } finally {
      for (const r of resume) r();
    }
    p.finished = true;
    yield { ...p, message: signal.aborted ? 'Stopped' : `Done: ${p.enrolled} enrolled, ${p.failed} failed` };
  }

  private async runPin(targets: readonly EnrollAllStation[], pin: string | undefined, record: (mac: string, o: LabEnrollOutcome) => void, signal: AbortSignal): Promise<void> {
    const er = this.opts.er;
    const inFlight = Math.min(MAX_IN_FLIGHT, Math.max(1, Math.floor(this.opts.inFlight ?? LAB_IN_FLIGHT)));
    const waitMs = this.opts.selectionWaitMs ?? SELECTION_WAIT_MS;
    const counters: EnrollAllCounters = { setSelectedRegistrar: 0, advertisements: 0 };
    this.counters = counters;
    const queue = [...targets];
    /** PIN at the ER, address not advertised yet. */
    const pending = new Map<string, { s: EnrollAllStation; timer: NodeJS.Timeout }>();
    const running = new Set<EnrollAllStation>();
    /** Started, not associated yet: its scan needs its address in Authorized MACs still. */
    const scanning = new Set<EnrollAllStation>();
    let finish: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const settle = (): void => {
      if (running.size === 0 && pending.size === 0 && (queue.length === 0 || signal.aborted)) finish();
    };
    const done = (s: EnrollAllStation, out: LabEnrollOutcome): void => {
      record(s.mac, out);
      fill();
      settle();
    };
    const start = (s: EnrollAllStation): void => {
      running.add(s);
      scanning.add(s);
      const joined = (): void => {
        if (scanning.delete(s)) fill();
      };
      void s.enroll('pin', LAB_WALK_TIME_MS, joined).then((out) => {
        running.delete(s);
        scanning.delete(s);
        // A run that did not finish leaves its PIN behind (WSC_Done takes it on success).
        if (!out.ok) er.removePin(s.spec.device.uuid);
        done(s, out);
      });
    };
    const fill = (): void => {
      while (!signal.aborted && pending.size + scanning.size < MAX_AUTHORIZED_MACS && pending.size + running.size < inFlight) {
        const s = queue.shift();
        if (s === undefined) return;
        const reply = er.addPin(s.spec.uuid, pin ?? s.spec.pin, Buffer.from(macToBytes(s.mac)));
        if (reply !== 'OK') {
          record(s.mac, { ok: false, ms: 0, detail: `wps_er_pin refused: ${reply}` });
          continue;
        }
        const timer = setTimeout(() => {
          pending.delete(s.mac);
          er.removePin(s.spec.device.uuid);
          done(s, { ok: false, ms: waitMs, detail: `the AP did not list ${s.mac} in Authorized MACs within ${waitMs / 1000} s` });
        }, waitMs);
        pending.set(s.mac, { s, timer });
      }
    };
    const offAdvertised = this.opts.selection.on((adv) => {
      counters.advertisements++;
      if (!adv.pinSelected) return;
      for (const mac of adv.authorizedMacs) {
        const p = pending.get(mac);
        if (p === undefined) continue;
        pending.delete(mac);
        clearTimeout(p.timer);
        start(p.s);
      }
    });
    const offSelection = er.on('selection', (e) => {
      if (e.state === 'DONE') counters.setSelectedRegistrar++;
    });
    const onAbort = (): void => {
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        er.removePin(p.s.spec.device.uuid);
      }
      pending.clear();
      for (const s of running) s.cancel();
      settle();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      fill();
      settle();
      await ended;
    } finally {
      signal.removeEventListener('abort', onAbort);
      offAdvertised();
      offSelection();
    }
  }

  private async runPbc(targets: readonly EnrollAllStation[], record: (mac: string, o: LabEnrollOutcome) => void, signal: AbortSignal): Promise<void> {
    const er = this.opts.er;
    for (const s of targets) {
      if (signal.aborted) break;
      const started = Date.now();
      const run = s.enroll('pbc');
      const macBytes = Buffer.from(s.mac.replace(/:/g, ''), 'hex');
      const seen = await whenEr(er, ['enrollee-add'], () => er.findEnrollee(macBytes, undefined) !== undefined, PBC_SEEN_WAIT_MS, signal);
      let reply = seen ? er.startPbc(s.mac) : 'FAIL-UNKNOWN-UUID';
      for (let t = 1; seen && reply === 'FAIL-PBC-OVERLAP' && t < PBC_START_TRIES && !signal.aborted; t++) {
        await sleep(PBC_RETRY_MS, signal);
        reply = er.startPbc(s.mac);
      }
      if (reply !== 'OK') {
        // Its probes would make the next station's PBC an overlap.
        s.cancel();
        await run;
        record(s.mac, { ok: false, ms: Date.now() - started, detail: `wps_er_pbc refused: ${reply}` });
        continue;
      }
      record(s.mac, await run);
      // The ER ends PBC mode when WSC_Done comes (its session goes with it), then unselects the AP.
      await whenEr(er, ['run-end', 'selection'], () => !er.pbcActive && this.apUnselected(), SETTLE_WAIT_MS, signal);
      const rest = PBC_INTERVAL_MS - (Date.now() - started);
      if (rest > 0) await sleep(rest, signal);
    }
  }
}
