/**
 * One simulated Enrollee of the lab: a sim station radio and the station's
 * WPS operation (src/sta/wireless enroll()), with its own PIN on its label.
 * Its radio is on the medium only while it scans or runs WPS (`openRadio`),
 * so a lab can hold far more stations than the medium has radios.
 *
 * While waiting it does what a device in WPS PIN mode does: it probes now
 * and then with its WPS element (so the AP proxies it to the ER and the
 * console lists it), and joins when the AP's beacon says a Registrar is
 * selected for it (Authorized MACs with its address or broadcast). A run
 * that meets no PIN at the Registrar (an M2D) goes back to waiting. A run
 * can also be started at once (`enroll()`), as a user at the device would.
 */
import { CtrlEvent } from '../ctrl/event-names.js';
import type { Logger } from '../common/log.js';
import type { StationDriver } from '../radio/driver.js';
import { buildProbeRequestWpsElements } from '../sta/wireless/probe-ie.js';
import { enroll, selectWpsAp, type EnrollResult } from '../sta/wireless/enroll.js';
import { isSelectedPinRegistrar, scanResultWps } from '../sta/wireless/scan-flags.js';
import { wpsFailText } from '../wps/events.js';
import { DevicePasswordId } from '../wps/values.js';
import type { LabStationSpec } from './lab-config.js';
import { sleep } from '../common/sleep.js';

/** A waiting station probes this often (plus up to half again, so stations spread out). */
export const DEFAULT_PROBE_INTERVAL_MS = 2_000;
/** After a run that ended without credentials, wait this long before reacting to the beacon again. */
export const RETRY_COOLDOWN_MS = 3_000;
/** After a run that failed (a wrong PIN, say), this long. */
export const FAILED_COOLDOWN_MS = 30_000;
/** A run started by the lab or the beacon gives up after this long (wpa_supplicant's walk time is 120 s). */
export const LAB_WALK_TIME_MS = 60_000;
/** How long a lab station's scan listens on its channel for Probe Responses. */
export const SCAN_DWELL_MS = 60;
const RETRY_DELAY_MS = 250;

export type LabStationState = 'waiting' | 'enrolling' | 'enrolled' | 'failed';

/** How a run ended; `scans`: the scans it took to find the AP selected for it (1 when the first found it). */
export type LabEnrollOutcome = { ok: true; ms: number; scans?: number } | { ok: false; ms: number; detail: string; m2d?: boolean };

/** A station radio on the medium; close() takes it off again. */
export interface LabRadio {
  driver: StationDriver;
  close(): Promise<void>;
}

export interface LabStationOptions {
  spec: LabStationSpec;
  /** Puts the station's radio on the medium (waiting for a free slot); aborting the signal gives up. */
  openRadio: (signal: AbortSignal) => Promise<LabRadio>;
  logger: Logger;
  probeIntervalMs?: number;
  onOutcome?: (mac: string, outcome: LabEnrollOutcome) => void;
  onStateChange?: (mac: string, state: LabStationState) => void;
}


/** "WPS-FAIL msg=8 config_error=18" as the station saw its run end. */
export function describeEnrollFailure(r: Exclude<EnrollResult, { ok: true }>): string {
  if (r.reason === 'failed' && r.fail !== undefined) {
    return wpsFailText(r.fail);
  }
  if (r.reason === 'driver-error') return `radio: ${r.error.message}`;
  if (r.reason === 'pbc-overlap') return `${CtrlEvent.WpsOverlapDetected} (PBC session overlap)`;
  return r.reason === 'timeout' ? `${CtrlEvent.WpsTimeout} (no registration within the walk time)` : 'cancelled';
}

export class LabStation {
  readonly spec: LabStationSpec;
  private st: LabStationState = 'waiting';
  private readonly stop = new AbortController();
  private current: Promise<LabEnrollOutcome> | undefined;
  private waitingLoop: Promise<void> | undefined;
  private paused = 0;
  private cooldownUntil = 0;
  private pbcPushed = false;
  private runAbort: AbortController | undefined;

  constructor(private readonly opts: LabStationOptions) {
    this.spec = opts.spec;
  }

  get mac(): string {
    return this.spec.mac;
  }

  get state(): LabStationState {
    return this.st;
  }

  /** Probing as a waiting Enrollee (started and not enrolled yet). */
  get waiting(): boolean {
    return this.waitingLoop !== undefined && this.st !== 'enrolled';
  }

  /** Starts probing and waiting for the AP to be selected for us. */
  startWaiting(): void {
    this.waitingLoop ??= this.waitLoop();
  }

  /** No probes and no joining on our own while a lab run works through the stations. */
  pauseWaiting(): () => void {
    this.paused++;
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      this.paused--;
    };
  }

  /**
   * The user at the device starts WPS now (PIN from the label, or the push
   * button). `onJoining`: the run found its AP and associates (its scans are over).
   */
  enroll(method: 'pin' | 'pbc', walkTimeMs = LAB_WALK_TIME_MS, onJoining?: () => void): Promise<LabEnrollOutcome> {
    if (this.current !== undefined) return this.current;
    if (method === 'pbc') this.pbcPushed = true;
    this.current = this.run(method, walkTimeMs, false, onJoining).finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  /** The console authorised PBC for us: push the button (once a run is not already going). */
  pushButton(): void {
    if (this.st === 'enrolled') return;
    void this.enroll('pbc');
  }

  /** The console gave the ER our PIN: start WPS PIN at the device (once a run is not already going). */
  startPin(): void {
    if (this.st === 'enrolled') return;
    void this.enroll('pin');
  }

  /** Ends a run under way (the user gives up at the device). */
  cancel(): void {
    this.runAbort?.abort();
  }

  async close(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled([this.current, this.waitingLoop]);
  }

  /** Runs `use` with the radio on the medium; the error when the radio could not be had (stopping, medium refused it). */
  private async withRadio<T>(signal: AbortSignal, use: (driver: StationDriver) => Promise<T>): Promise<{ value: T } | { error: Error }> {
    let radio: LabRadio;
    try {
      radio = await this.opts.openRadio(signal);
    } catch (e) {
      return { error: e as Error };
    }
    try {
      return { value: await use(radio.driver) };
    } finally {
      await radio.close().catch(() => undefined);
    }
  }

  private setState(s: LabStationState): void {
    if (this.st === s) return;
    this.st = s;
    this.opts.onStateChange?.(this.mac, s);
  }

  private async run(method: 'pin' | 'pbc', walkTimeMs: number, stopOnM2d: boolean, onJoining?: () => void): Promise<LabEnrollOutcome> {
    const started = Date.now();
    const abort = new AbortController();
    this.runAbort = abort;
    const onStop = (): void => abort.abort();
    this.stop.signal.addEventListener('abort', onStop, { once: true });
    let m2d = false;
    let scans = 0;
    this.setState('enrolling');
    try {
      let failure: string | undefined;
      try {
        const got = await this.withRadio(abort.signal, (driver) =>
          enroll({
            driver,
            device: this.spec.device,
            method: method === 'pbc' ? { kind: 'pbc' } : { kind: 'pin', pin: this.spec.pin },
            walkTimeMs,
            scanDwellMs: SCAN_DWELL_MS,
            retryDelayMs: RETRY_DELAY_MS,
            signal: abort.signal,
            logger: this.opts.logger,
            onEvent: (e) => {
              if (e.type === 'scan-results') scans++;
              else if (e.type === 'associating') onJoining?.();
              if (stopOnM2d && e.type === 'wps' && e.event.type === 'm2d') {
                // No PIN for us at the Registrar: this selection was for another device.
                m2d = true;
                abort.abort();
              }
            },
          }),
        );
        if ('error' in got) failure = abort.signal.aborted ? 'cancelled' : `radio: ${got.error.message}`;
        else if (!got.value.ok) failure = m2d ? 'M2D: no device password for this Enrollee at the Registrar' : describeEnrollFailure(got.value);
      } catch (e) {
        // One station's broken run must not take the lab down: it is that station's failure.
        failure = `the WPS run stopped: ${(e as Error).message}`;
        this.opts.logger.error(`${this.mac}: ${failure}`);
      }
      const ms = Date.now() - started;
      let out: LabEnrollOutcome;
      if (failure === undefined) {
        out = { ok: true, ms, scans };
        this.setState('enrolled');
      } else {
        const retry = m2d || abort.signal.aborted;
        out = m2d ? { ok: false, ms, detail: failure, m2d } : { ok: false, ms, detail: failure };
        // A device whose run failed does not try again on its own for a while (wpa_supplicant stops at WPS-FAIL).
        this.cooldownUntil = Date.now() + (retry ? RETRY_COOLDOWN_MS : FAILED_COOLDOWN_MS);
        this.setState(retry ? 'waiting' : 'failed');
      }
      if (!abort.signal.aborted) this.opts.onOutcome?.(this.mac, out);
      return out;
    } finally {
      if (this.runAbort === abort) this.runAbort = undefined;
      this.stop.signal.removeEventListener('abort', onStop);
      if (method === 'pbc') this.pbcPushed = false;
    }
  }

  private async waitLoop(): Promise<void> {
    const signal = this.stop.signal;
    const interval = this.opts.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    // Stations start spread over one interval, so their probes do not come in bursts.
    await sleep(Math.random() * interval, signal);
    while (!signal.aborted && this.st !== 'enrolled') {
      if (this.paused === 0 && this.current === undefined && Date.now() >= this.cooldownUntil) {
        await this.probeOnce();
      }
      await sleep(interval * (1 + Math.random() / 2), signal);
    }
  }

  private async probeOnce(): Promise<void> {
    const elements = buildProbeRequestWpsElements({
      device: this.spec.device,
      devicePasswordId: this.pbcPushed ? DevicePasswordId.PushButton : DevicePasswordId.Default,
    });
    const got = await this.withRadio(this.stop.signal, (driver) => driver.scan({ elements, dwellMs: SCAN_DWELL_MS })).catch((e: unknown) => ({ error: e as Error }));
    if ('error' in got) {
      this.opts.logger.debug(`${this.mac}: scan: ${got.error.message}`);
      return;
    }
    const results = got.value;
    if (this.paused > 0 || this.current !== undefined || this.stop.signal.aborted) return;
    const pick = selectWpsAp(results, { kind: 'pin', pin: this.spec.pin }, this.mac, { scanRuns: 0, elapsedMs: 0 });
    if (pick.kind !== 'bss') return;
    // A PBC selection is for a device whose button was pushed, not for a PIN device.
    const wps = scanResultWps(pick.bss.elements);
    if (wps === undefined || wps === 'malformed' || !isSelectedPinRegistrar(wps)) return;
    this.current = this.run('pin', LAB_WALK_TIME_MS, true).finally(() => {
      this.current = undefined;
    });
    await this.current;
  }
}
