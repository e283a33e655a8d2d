/**
 * "Enroll all" in the lab: every station not yet enrolled goes through the
 * AP's proxy to the External Registrar.
 *
 * - PIN: the ER gets each station's PIN for its UUID (wps_er_pin <UUID>
 *   <PIN>, Authorized MACs broadcast), a batch at a time, and each station of
 *   the batch starts WPS PIN at once. Between batches the ER holds no PIN and
 *   the AP is seen unselected, so the next batch gets a fresh
 *   SetSelectedRegistrar (the AP's selection never runs into its 120 s
 *   timeout, and two of them are never in flight at once).
 * - PBC: one station at a time (two pushing at once is a PBC session
 *   overlap): its button is pushed, and once the ER has seen its probe,
 *   wps_er_pbc <MAC>; the next waits until the ER has ended PBC mode.
 *
 * PIN runs are paced so a batch stays well inside what the ER holds per AP
 * (64 Enrollees, finished ones giving way to new ones; 64 PINs) and the AP
 * sees one SetSelectedRegistrar change per batch, not one per station.
 * The AP's settings must be known to give Enrollees a credential: when the
 * ER does not know the lab AP's yet, it learns them first with the AP PIN.
 */
import { sleep } from '../common/sleep.js';
import type { ErApView } from '../er/ap-record.js';
import type { ExternalRegistrar } from '../er/external-registrar.js';
import { parseUuid } from '../wps/device.js';
import type { EnrollAllProgress, EnrollAllRequest } from '../web/model.js';
import type { EnrollAllDriver } from './console-backend.js';
import { whenEr } from './er-wait.js';
import type { LabEnrollOutcome, LabStation } from './lab-station.js';

/** Stations enrolling at once with PINs (about 0.5 s a batch on the lab's medium; 8 per 0.6 s is ~12 enrollments/s). */
export const PIN_BATCH = 8;
/** How long the ER may take to learn the AP before the run gives up. */
export const LEARN_WAIT_MS = 20_000;
/** How long a PBC station may take to be seen by the ER (its probes go through the AP). */
export const PBC_SEEN_WAIT_MS = 15_000;
/** A batch's end at the ER and the AP may take this long before the next batch goes ahead anyway. */
const SETTLE_WAIT_MS = 3_000;
/** Batches start at least this far apart, leaving the AP and the ER a breather between selections. */
export const BATCH_INTERVAL_MS = 600;
/** PBC stations start at least this far apart: each also probes about once a second while it waits for the ER. */
export const PBC_INTERVAL_MS = 500;
/** wps_er_pbc refused for an overlap: try again a few times (an earlier Enrollee's probes may still count). */
const PBC_START_TRIES = 5;
const PBC_RETRY_MS = 1_000;

export interface EnrollAllRecord {
  mac: string;
  outcome: LabEnrollOutcome;
}

export interface LabEnrollAllOptions {
  er: ExternalRegistrar;
  stations: () => readonly LabStation[];
  apUuid: string;
  apPin: string;
  /** Each finished station (for the console's own entry). */
  onRecord?: (r: EnrollAllRecord) => void;
  /** PIN stations enrolling at once (PIN_BATCH unless given; at most MAX_PIN_BATCH). */
  pinBatch?: number;
  /** PIN batches start at least this far apart (BATCH_INTERVAL_MS unless given). */
  batchIntervalMs?: number;
}

/** The ER holds 64 PINs; a batch takes one each. */
export const MAX_PIN_BATCH = 32;

/**
 * The lab AP as the ER knows it (another AP on lo may be known too), or
 * undefined before its WPS-ER-AP-ADD.
 */
function labAp(er: ExternalRegistrar, apUuid: Buffer): ErApView | undefined {
  return er.announcedAp(apUuid);
}

/** The lab AP's settings are known and no learn run is still winding down (the ER skips SetSelectedRegistrar to a busy AP). */
function settingsKnown(er: ExternalRegistrar, apUuid: Buffer): boolean {
  const ap = labAp(er, apUuid);
  return ap !== undefined && ap.apSettings !== undefined && !ap.busy;
}

/**
 * Learns the lab's AP with its AP PIN unless its settings are known (the ER
 * needs them to give Enrollees a credential); false when that did not work
 * within `ms`.
 */
export async function learnLabAp(er: ExternalRegistrar, apUuidText: string, apPin: string, signal: AbortSignal, ms = LEARN_WAIT_MS): Promise<boolean> {
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

  private async runPin(targets: readonly LabStation[], pin: string | undefined, record: (mac: string, o: LabEnrollOutcome) => void, signal: AbortSignal): Promise<void> {
    const er = this.opts.er;
    const size = Math.min(MAX_PIN_BATCH, Math.max(1, Math.floor(this.opts.pinBatch ?? PIN_BATCH)));
    for (let i = 0; i < targets.length && !signal.aborted; i += size) {
      const batch = targets.slice(i, i + size);
      const started = Date.now();
      await Promise.all(
        batch.map(async (s) => {
          const reply = er.addPin(s.spec.uuid, pin ?? s.spec.pin, undefined);
          if (reply !== 'OK') {
            record(s.mac, { ok: false, ms: 0, detail: `wps_er_pin refused: ${reply}` });
            return;
          }
          const out = await s.enroll('pin');
          record(s.mac, out);
        }),
      );
      await this.settleBatch(batch, started, signal);
    }
  }

  /**
   * Lets the batch end at the ER before the next starts: its runs finish
   * (WSC_Done takes the PIN away), a PIN that served nobody is dropped, and
   * the AP hears "not selected" before the next SetSelectedRegistrar (two of
   * them in flight could arrive in either order). And batches no closer
   * than the batch interval.
   */
  private async settleBatch(batch: readonly LabStation[], started: number, signal: AbortSignal): Promise<void> {
    const er = this.opts.er;
    // A run's end takes its PIN (WSC_Done, or a PIN the Registrar invalidated).
    await whenEr(er, ['run-end'], () => batch.every((s) => !er.holdsPin(s.spec.device.uuid)), SETTLE_WAIT_MS, signal);
    for (const s of batch) er.removePin(s.spec.device.uuid);
    await whenEr(er, ['selection'], () => this.apUnselected(), SETTLE_WAIT_MS, signal);
    const rest = Math.max(0, this.opts.batchIntervalMs ?? BATCH_INTERVAL_MS) - (Date.now() - started);
    if (rest > 0) await sleep(rest, signal);
  }

  private async runPbc(targets: readonly LabStation[], record: (mac: string, o: LabEnrollOutcome) => void, signal: AbortSignal): Promise<void> {
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
