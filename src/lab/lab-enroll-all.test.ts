import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../common/log.js';
import type { ErApView } from '../er/ap-record.js';
import { ErEvents, type ErEventName, type ErListener } from '../er/er-events.js';
import type { ErReply } from '../er/external-registrar.js';
import { MAX_AUTHORIZED_MACS } from '../wps/vendor-ext.js';
import type { EnrollAllProgress } from '../web/model.js';
import { labStationSpec, newLabAddressing, type LabStationSpec } from './lab-config.js';
import { LabEnrollAll, type EnrollAllEr, type EnrollAllStation } from './lab-enroll-all.js';
import type { LabEnrollOutcome, LabStationState } from './lab-station.js';
import type { AdvertisedSelection, SelectionSource } from './selection-watch.js';

const AP_UUID = '87654321-9abc-def0-1234-56789abc0001';
const BSSID = '02:00:5e:00:00:01';

/** The ER as a run sees it: a PIN table (newest first, as Authorized MACs lists them), an AP whose settings are known. */
class FakeEr implements EnrollAllEr {
  readonly pins: Array<{ uuid: string; mac: string }> = [];
  readonly added: string[] = [];
  readonly pbcActive = false;
  private readonly events = new ErEvents(silentLogger);

  on<K extends ErEventName>(name: K, listener: ErListener<K>): () => void {
    return this.events.on(name, listener);
  }
  announcedAp(): ErApView {
    return { apSettings: {}, busy: false, stage: 'ready' } as unknown as ErApView;
  }
  startApSession(): ErReply {
    return 'FAIL';
  }
  addPin(target: string, _pin: string, mac: Buffer | undefined): ErReply {
    const m = [...(mac ?? [])].map((b) => b.toString(16).padStart(2, '0')).join(':');
    this.pins.unshift({ uuid: target, mac: m });
    this.added.push(m);
    return 'OK';
  }
  removePin(uuid: Uint8Array): boolean {
    const hex = Buffer.from(uuid).toString('hex');
    const i = this.pins.findIndex((p) => p.uuid.replace(/-/g, '') === hex);
    if (i < 0) return false;
    this.pins.splice(i, 1);
    return true;
  }
  findEnrollee(): undefined {
    return undefined;
  }
  startPbc(): ErReply {
    return 'FAIL';
  }
  /** What the AP's Beacon would list: the newest PINs' addresses. */
  authorizedMacs(): string[] {
    return this.pins.slice(0, MAX_AUTHORIZED_MACS).map((p) => p.mac);
  }
}

class FakeSelection implements SelectionSource {
  private readonly listeners = new Set<(s: AdvertisedSelection) => void>();
  on(l: (s: AdvertisedSelection) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  advertise(authorizedMacs: string[], pinSelected = true): void {
    for (const l of [...this.listeners]) l({ bssid: BSSID, pinSelected, authorizedMacs });
  }
}

/** A station whose run the test ends. */
class FakeStation implements EnrollAllStation {
  state: LabStationState = 'waiting';
  started = 0;
  cancelled = false;
  private end: ((o: LabEnrollOutcome) => void) | undefined;
  private joining: (() => void) | undefined;
  constructor(readonly spec: LabStationSpec) {}
  get mac(): string {
    return this.spec.mac;
  }
  enroll(_method: 'pin' | 'pbc', _walkTimeMs?: number, onJoining?: () => void): Promise<LabEnrollOutcome> {
    this.started++;
    this.joining = onJoining;
    this.state = 'enrolling';
    return new Promise((resolve) => {
      this.end = (o) => {
        this.state = o.ok ? 'enrolled' : 'failed';
        resolve(o);
      };
    });
  }
  /** Its scan found the AP selected for it: it associates. */
  join(): void {
    this.joining?.();
  }
  finish(o: LabEnrollOutcome = { ok: true, ms: 5 }): void {
    this.end?.(o);
  }
  cancel(): void {
    this.cancelled = true;
    this.finish({ ok: false, ms: 1, detail: 'cancelled' });
  }
  pauseWaiting(): () => void {
    return () => undefined;
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

function setup(n: number, opts: { inFlight?: number; selectionWaitMs?: number } = {}) {
  const addressing = newLabAddressing();
  const stations = Array.from({ length: n }, (_, i) => new FakeStation(labStationSpec(i + 1, addressing)));
  const er = new FakeEr();
  const selection = new FakeSelection();
  const run = new LabEnrollAll({ er, selection, stations: () => stations, apUuid: AP_UUID, apPin: '12345670', ...opts });
  const progress: EnrollAllProgress[] = [];
  const abort = new AbortController();
  const done = (async () => {
    for await (const p of run.run({ method: 'pin' }, abort.signal)) progress.push(p);
  })();
  /** WSC_Done at the ER: the station has its credential and its PIN goes. */
  const succeed = (s: FakeStation): void => {
    er.removePin(s.spec.device.uuid);
    s.finish();
  };
  return { stations, er, selection, run, progress, abort, done, succeed };
}

describe('LabEnrollAll (PIN): stations start when the AP advertises them', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the ER PINs with the stations addresses, five between PIN and association at most, and starts none before a Beacon lists it', async () => {
    const t = setup(8);
    await flush();
    expect(t.er.pins).toHaveLength(MAX_AUTHORIZED_MACS);
    expect(t.er.added).toEqual(t.stations.slice(0, 5).map((s) => s.mac));
    expect(t.stations.every((s) => s.started === 0)).toBe(true);
    // A Beacon without a PIN Registrar selected starts nobody.
    t.selection.advertise(t.er.authorizedMacs(), false);
    await flush();
    expect(t.stations.every((s) => s.started === 0)).toBe(true);
    // The AP lists the first two: they start; their scans still need their addresses listed, so no new PIN yet.
    const [s1, s2] = t.stations as [FakeStation, FakeStation];
    t.selection.advertise([s1.mac, s2.mac]);
    await flush();
    expect(t.stations.map((s) => s.started)).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
    expect(t.er.added).toHaveLength(5);
    // Once they associate, two more PINs go to the ER.
    s1.join();
    s2.join();
    await flush();
    expect(t.er.added).toHaveLength(7);
    // A stale listing of a started station does not start it again.
    t.selection.advertise([s1.mac]);
    await flush();
    expect(s1.started).toBe(1);
    t.selection.advertise(t.er.authorizedMacs());
    await flush();
    expect(t.stations.map((s) => s.started)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    for (const s of t.stations) s.join();
    await flush();
    expect(t.er.added).toHaveLength(8);
    t.succeed(s1);
    t.selection.advertise(t.er.authorizedMacs());
    await flush();
    expect(t.stations.map((s) => s.started)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    for (const s of t.stations) if (s.state === 'enrolling') t.succeed(s);
    await t.done;
    const last = t.progress.at(-1);
    expect(last).toMatchObject({ finished: true, enrolled: 8, failed: 0 });
    expect(t.run.records).toHaveLength(8);
    expect(t.run.counters.advertisements).toBe(5);
    expect(t.er.pins).toEqual([]);
  });

  it('keeps PINs given plus stations enrolling within the in-flight bound', async () => {
    const t = setup(10, { inFlight: 3 });
    await flush();
    expect(t.er.added).toHaveLength(3);
    t.selection.advertise(t.er.authorizedMacs());
    await flush();
    expect(t.stations.filter((s) => s.started > 0)).toHaveLength(3);
    for (const s of t.stations) s.join();
    await flush();
    expect(t.er.added).toHaveLength(3);
    t.succeed(t.stations[0] as FakeStation);
    await flush();
    expect(t.er.added).toHaveLength(4);
    t.abort.abort();
    await t.done;
    expect(t.progress.at(-1)).toMatchObject({ finished: true, message: 'Stopped' });
    // The run withdrew the PIN that waited and cancelled the runs under way.
    expect(t.er.pins).toEqual([]);
    expect(t.stations.filter((s) => s.cancelled)).toHaveLength(2);
  });

  it('a station the AP never lists fails once the selection wait is over, and its PIN is withdrawn', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = setup(1, { selectionWaitMs: 5_000 });
    await flush();
    expect(t.er.pins).toHaveLength(1);
    vi.advanceTimersByTime(5_000);
    await t.done;
    expect(t.er.pins).toEqual([]);
    expect(t.run.records[0]?.outcome).toMatchObject({ ok: false, detail: expect.stringContaining('did not list') });
    expect(t.stations[0]?.started).toBe(0);
  });
});
