/**
 * Bench 4, bulk enrollment through the proxy (wpsd only, sim medium): for
 * N = 10, 100, 1000 Enrollees, one `bulk-enroll-child.js` process each
 * (what `wpsd lab --enroll-all` runs, see there): enrollments per second in
 * total and per channel, median and p99 latency (station start of WPS to
 * credential), CPU per enrollment, the process's peak RSS (VmHWM) and its
 * growth over the run, and how each grows with N. Each N is capped in time; a
 * capped run says how many it got through, never an extrapolation.
 *
 * And bench 6 under that load: `wpsd ap` (driver=sim on a sim medium, UPnP
 * on its veth) and an External Registrar (`wpsd sta -D none`, then Debian
 * `wpa_supplicant -Dnone`) as processes of their own in namespaces, the
 * Enrollees in this process on the same medium, each ER serving the same
 * bulk PIN load through the AP: VmRSS idle (learned, before the load), the
 * largest VmRSS seen during the load, and VmHWM after it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, Logger } from '../src/common/log.js';
import { labStationSpec, newLabAddressing } from '../src/lab/lab-config.js';
import { LabStation, type LabEnrollOutcome } from '../src/lab/lab-station.js';
import { Medium } from '../src/radio/sim/medium.js';
import { SimStationDriver } from '../src/radio/sim/station-driver.js';
import type { BulkChildResult } from './bulk-enroll-child.js';
import { shortError } from './compare.js';
import { apUuid, NOT_AVAILABLE, readRss, referenceName, repoRoot, startAp, startEr, wpsdRoleAvailable, type Daemon, type Rss } from './daemons.js';
import { attachCtrl, erStart, sendLearn, waitForAps, waitSettings } from './learn.js';
import { stats, type BenchRow } from './results.js';
import { withScope } from './scope.js';

/** Enrollee counts of bench 4 and the wall-time cap of each (the whole `npm run bench` stays under 10 minutes on 2 cores). */
export const BULK_SIZES: ReadonlyArray<{ n: number; capMs: number }> = [
  { n: 10, capMs: 30_000 },
  { n: 100, capMs: 60_000 },
  { n: 1000, capMs: 90_000 },
];
/** A child that has not reported this long after its cap is killed (start, AP learn, last batch, stop). */
const CHILD_GRACE_MS = 60_000;
/**
 * Bench 6's load goes through an ER's control socket from this process, so
 * it is paced by hand: this many PIN Enrollees at a time, batches at least
 * this far apart (the lab's runs are event-driven; this load only has to be
 * the same for both ERs).
 */
export const LOAD_PIN_BATCH = 8;
export const LOAD_BATCH_INTERVAL_MS = 600;
/** Enrollees of bench 6's load per ER, and its time cap. */
export const MEMORY_LOAD_ENROLLEES = 45;
const MEMORY_LOAD_MAX_MS = 50_000;
const IDLE_SETTLE_MS = 2_000;
const RSS_SAMPLE_MS = 250;
export const SIM_BSSID = '02:00:5e:00:0b:00';
export const SIM_CHANNEL = 6;
/** A station's run through separate processes may take this long (wpa_supplicant's walk time is 120 s). */
const STATION_WALK_MS = 30_000;
const KIB_PER_MIB = 1024;

export const BULK_WHAT = 'Bulk enrollment through the proxy (sim medium)';

export interface BulkEnrollOptions {
  sizes?: ReadonlyArray<{ n: number; capMs: number }>;
  /** Bench 6 under this load (separate AP and ER processes, namespaces, root). */
  memory?: boolean;
  memoryEnrollees?: number;
  memoryMaxMs?: number;
}

/** A UDP port for SSDP on lo of its own per child, so parallel runs (and a real 1900) do not meet. */
function ssdpPort(i: number): number {
  return 40_000 + ((process.pid * 7 + i) % 9_000);
}

function runChild(n: number, capMs: number, port: number): Promise<BulkChildResult> {
  const script = join(repoRoot(), 'dist', 'bench', 'bulk-enroll-child.js');
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [script, String(n), String(capMs), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    const kill = setTimeout(() => proc.kill('SIGKILL'), capMs + CHILD_GRACE_MS);
    proc.on('error', (e) => {
      clearTimeout(kill);
      reject(e);
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(kill);
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) {
        try {
          resolve(JSON.parse(line) as BulkChildResult);
          return;
        } catch {
          // reported below
        }
      }
      reject(new Error(`bulk-enroll-child ${n}: exit ${String(code ?? signal)}: ${err.trim().slice(-300)}`));
    });
  });
}

interface SizeResult {
  n: number;
  r?: BulkChildResult;
  error?: string;
}

function mibText(kib: number): string {
  return `${(kib / KIB_PER_MIB).toFixed(0)} MiB`;
}

/** VmHWM of every process of the run, summed. */
function totalHwm(r: BulkChildResult): number {
  return r.hwmKiB + r.channels.reduce((n, c) => n + (c.hwmKiB ?? 0), 0);
}

/** Enrollments a second while enrolling (first Enrollee's start to the last one's end; lab start and AP learn excluded). */
function rate(r: BulkChildResult): number | undefined {
  return r.enrollMs > 0 && r.enrolled > 0 ? r.enrolled / (r.enrollMs / 1000) : undefined;
}

function channelRate(c: BulkChildResult['channels'][number]): string {
  return c.enrollMs > 0 ? `${(c.enrolled / (c.enrollMs / 1000)).toFixed(1)}/s` : '-';
}

function sizeNote(r: BulkChildResult, capMs: number): string {
  const parts = [`${r.enrolled} of ${r.requested} enrolled in ${(r.enrollMs / 1000).toFixed(1)} s (${(r.wallMs / 1000).toFixed(1)} s with the labs' start and AP learn)`];
  if (r.failed > 0) parts.push(`${r.failed} failed (first: ${shortError(r.firstFailure ?? '?')})`);
  if (r.capped) parts.push(`stopped by the ${capMs / 1000} s cap: ${r.requested} did not fit the time budget`);
  parts.push(
    `${r.channels.length} AP(s), one per channel: ${r.channels.map((c) => `ch ${c.channel} ${channelRate(c)}, air ${c.enrollMs > 0 ? ((c.airBusyUs / 1000 / c.enrollMs) * 100).toFixed(0) : '-'} %`).join('; ')}`,
  );
  parts.push(`event-driven: a station starts when its AP's Beacon lists it in Authorized MACs`);
  parts.push(`load average (1 min) ${r.loadStart.toFixed(1)} at the start, ${r.loadEnd.toFixed(1)} at the end, on 2 CPUs`);
  return parts.join('; ');
}

function sizeRows(s: SizeResult, capMs: number): BenchRow[] {
  const what = `${BULK_WHAT}, N = ${s.n}`;
  const fail = (w: string): BenchRow => ({ what: `${what}: ${w}`, wpsdNote: s.error ? `failed: ${shortError(s.error)}` : 'no sample', runs: 0 });
  const r = s.r;
  if (r === undefined) return [fail('enrollments/s'), fail('enrollments/s per channel'), fail('median latency ms'), fail('p99 latency ms'), fail('CPU ms per enrollment'), fail('peak RSS MiB'), fail('RSS growth under the load, MiB')];
  const st = r.durationsMs.length > 0 ? stats(r.durationsMs) : undefined;
  const note = sizeNote(r, capMs);
  const row = (w: string, v: number | undefined, runs: number, n?: string): BenchRow => ({
    what: `${what}: ${w}`,
    ...(v === undefined ? { wpsdNote: 'no sample' } : { wpsd: v }),
    runs,
    ...(n ? { note: n } : {}),
  });
  return [
    row('enrollments/s', rate(r), r.enrolled, note),
    row(
      'enrollments/s per channel',
      r.channels.length > 0 && rate(r) !== undefined ? (rate(r) as number) / r.channels.length : undefined,
      r.enrolled,
      `mean over ${r.channels.length} channel(s): ${r.channels.map((c) => `ch ${c.channel} ${channelRate(c)}`).join(', ')}; planned capacity ${r.perChannelCapacity.toFixed(0)}/s per channel (${(r.airPerEnrollmentUs / 1000).toFixed(2)} ms of air per enrollment at 6 Mb/s, half the air)`,
    ),
    row('median latency ms', st?.median, r.enrolled),
    row('p99 latency ms', st?.p99, r.enrolled),
    row('CPU ms per enrollment', r.enrolled > 0 ? r.cpuMs / r.enrolled : undefined, r.enrolled, "user + system of the run's processes (media, APs, ERs, stations), labs' start and AP learn included"),
    row('peak RSS MiB', totalHwm(r) / KIB_PER_MIB, 1, `VmHWM summed over the processes: the run's (${mibText(r.hwmKiB)})${r.channels.some((c) => c.hwmKiB !== undefined) ? ` and one per channel (${r.channels.map((c) => `ch ${c.channel} ${mibText(c.hwmKiB ?? 0)}`).join(', ')})` : ''}`),
    row(
      'RSS growth under the load, MiB',
      (totalHwm(r) - r.rssBeforeKiB - r.channels.reduce((n, c) => n + (c.rssBeforeKiB ?? 0), 0)) / KIB_PER_MIB,
      1,
      `each process's VmHWM at its end less its VmRSS at the run's start (the run's process ${mibText(r.rssBeforeKiB)} -> ${mibText(r.hwmKiB)}${r.channels
        .filter((c) => c.hwmKiB !== undefined)
        .map((c) => `; ch ${c.channel} ${mibText(c.rssBeforeKiB ?? 0)} -> ${mibText(c.hwmKiB ?? 0)}`)
        .join('')})`,
    ),
  ];
}

/** How each figure grows from one N to the next (ratio of the larger N's figure to the smaller's). */
function growthRows(done: readonly SizeResult[]): BenchRow[] {
  const ok = done.filter((s): s is SizeResult & { r: BulkChildResult } => s.r !== undefined && s.r.enrolled > 0);
  const out: BenchRow[] = [];
  for (let i = 1; i < ok.length; i++) {
    const a = ok[i - 1] as SizeResult & { r: BulkChildResult };
    const b = ok[i] as SizeResult & { r: BulkChildResult };
    const ra = rate(a.r);
    const rb = rate(b.r);
    const sa = stats(a.r.durationsMs);
    const sb = stats(b.r.durationsMs);
    const f = (x: number, y: number | undefined): string => (y === undefined || y === 0 ? '—' : `x${(x / y).toFixed(2)}`);
    const note = `from N = ${a.n} to N = ${b.n} (${b.r.enrolled} enrolled${b.r.capped ? ', capped' : ''}): enrollments/s ${rb === undefined ? '—' : f(rb, ra)}, median ${f(sb.median, sa.median)}, p99 ${f(sb.p99, sa.p99)}, peak RSS ${f(totalHwm(b.r), totalHwm(a.r))}`;
    out.push({ what: `${BULK_WHAT}, growth N = ${a.n} -> ${b.n}: peak RSS ratio`, wpsd: totalHwm(b.r) / totalHwm(a.r), runs: b.r.enrolled, note });
  }
  return out;
}

export async function benchBulkEnroll(o: BulkEnrollOptions = {}): Promise<BenchRow[]> {
  const sizes = o.sizes ?? BULK_SIZES;
  const done: SizeResult[] = [];
  const rows: BenchRow[] = [];
  for (const [i, { n, capMs }] of sizes.entries()) {
    const s: SizeResult = { n };
    try {
      s.r = await runChild(n, capMs, ssdpPort(i));
    } catch (e) {
      s.error = (e as Error).message;
    }
    done.push(s);
    rows.push(...sizeRows(s, capMs));
  }
  rows.push(...growthRows(done));
  if (o.memory ?? true) rows.push(...(await benchMemoryUnderBulk(o)));
  return rows;
}

// ---- bench 6 under load 4 -------------------------------------------------

interface Sampled {
  idle?: Rss;
  maxRssKiB?: number;
  after?: Rss;
  error?: string;
}

function sampleInto(m: Sampled, d: Daemon | undefined, key: 'idle' | 'after'): void {
  if (!d?.proc.running) return;
  try {
    m[key] = readRss(d.pid);
  } catch (e) {
    m.error ??= (e as Error).message;
  }
}

/** Samples VmRSS of each daemon every RSS_SAMPLE_MS until stopped; keeps the largest. */
function watchRss(targets: ReadonlyArray<{ d: Daemon; m: Sampled }>): () => void {
  const t = setInterval(() => {
    for (const { d, m } of targets) {
      if (!d.proc.running) continue;
      try {
        const r = readRss(d.pid).rssKiB;
        m.maxRssKiB = Math.max(m.maxRssKiB ?? 0, r);
      } catch {
        // gone: the after-sample says so
      }
    }
  }, RSS_SAMPLE_MS);
  return () => clearInterval(t);
}

export interface LoadResult {
  enrolled: number;
  failed: number;
  ms: number;
  firstFailure?: string;
}

/**
 * The bulk PIN load driven through an ER's ctrl socket: per batch of
 * LOAD_PIN_BATCH stations, WPS_ER_PIN <UUID-E> <PIN> for each, then each starts WPS
 * PIN; batches LOAD_BATCH_INTERVAL_MS apart at least.
 */
export async function bulkLoad(er: { request(c: string, t?: number): Promise<string> }, mediumPath: string, count: number, maxMs: number, firstNumber: number): Promise<LoadResult> {
  const logger = new Logger({ level: LogLevel.ERROR });
  const t0 = Date.now();
  const res: LoadResult = { enrolled: 0, failed: 0, ms: 0 };
  const addressing = newLabAddressing();
  const note = (o: LabEnrollOutcome, mac: string): void => {
    if (o.ok) res.enrolled++;
    else {
      res.failed++;
      res.firstFailure ??= `${mac}: ${o.detail}`;
    }
  };
  for (let i = 0; i < count && Date.now() - t0 < maxMs; i += LOAD_PIN_BATCH) {
    const started = Date.now();
    const batch: LabStation[] = [];
    try {
      for (let k = i; k < Math.min(count, i + LOAD_PIN_BATCH); k++) {
        const spec = labStationSpec(firstNumber + k, addressing);
        const driver = await SimStationDriver.open({ mediumPath, address: spec.mac, channel: SIM_CHANNEL, logger });
        batch.push(new LabStation({ spec, openRadio: () => Promise.resolve({ driver, close: () => driver.close() }), logger }));
      }
      await Promise.all(
        batch.map(async (s) => {
          const reply = (await er.request(`WPS_ER_PIN ${s.spec.uuid} ${s.spec.pin}`)).trim();
          if (reply !== 'OK') return note({ ok: false, ms: 0, detail: `WPS_ER_PIN answered ${reply}` }, s.mac);
          note(await s.enroll('pin', STATION_WALK_MS), s.mac);
        }),
      );
    } finally {
      await Promise.allSettled(batch.map((s) => s.close()));
    }
    const rest = LOAD_BATCH_INTERVAL_MS - (Date.now() - started);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
  res.ms = Date.now() - t0;
  return res;
}

function mib(kib: number | undefined): number | undefined {
  return kib === undefined ? undefined : kib / KIB_PER_MIB;
}

/** Bench 6 under load 4: see the file's comment. */
export async function benchMemoryUnderBulk(o: BulkEnrollOptions = {}): Promise<BenchRow[]> {
  const count = o.memoryEnrollees ?? MEMORY_LOAD_ENROLLEES;
  const maxMs = o.memoryMaxMs ?? MEMORY_LOAD_MAX_MS;
  const wpaName = referenceName('wpa_supplicant');
  const hostapdName = referenceName('hostapd');
  const withAp = wpsdRoleAvailable('ap');
  const withSta = wpsdRoleAvailable('sta');
  const apWhat = 'Resident memory of the AP (wpsd ap driver=sim) under the bulk-enrollment load (bench 4)';
  const erWhat = 'Resident memory of the ER (wpsd sta -D none vs wpa_supplicant -Dnone) under the bulk-enrollment load (bench 4)';
  const ap: Sampled = {};
  const ers: Record<'wpsd' | 'wpa_supplicant', Sampled & { load?: LoadResult }> = { wpsd: {}, wpa_supplicant: {} };
  const dir = mkdtempSync(join(tmpdir(), `wpsd-bench-${process.pid}-medium-`));
  const medium = new Medium({ logger: new Logger({ level: LogLevel.ERROR }) });
  try {
    if (!withAp) throw new Error(NOT_AVAILABLE);
    await medium.listen(join(dir, 'medium.sock'));
    await withScope(async (scope) => {
      const topo = await scope.topology({ hosts: ['ap', 'er'], link: 'bridge' });
      const uuid = apUuid(1);
      const apD = scope.daemon(await startAp('wpsd', topo.host('ap'), { uuid, simMedium: { socket: join(dir, 'medium.sock'), bssid: SIM_BSSID, channel: SIM_CHANNEL } }));
      let next = 1;
      const impls: Array<'wpsd' | 'wpa_supplicant'> = withSta ? ['wpsd', 'wpa_supplicant'] : ['wpa_supplicant'];
      for (const impl of impls) {
        const m = ers[impl];
        let erD: Daemon | undefined;
        try {
          erD = await startEr(impl, topo.host('er'));
          const ctrl = await attachCtrl(erD);
          try {
            await waitForAps(ctrl, [uuid], await erStart(ctrl));
            await sendLearn(ctrl, uuid);
            await waitSettings(ctrl, uuid);
            await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
            sampleInto(m, erD, 'idle');
            if (impl === impls[0]) sampleInto(ap, apD, 'idle');
            const targets = [{ d: erD, m }, ...(impl === 'wpsd' || !withSta ? [{ d: apD, m: ap }] : [])];
            const stop = watchRss(targets);
            try {
              m.load = await bulkLoad(ctrl, join(dir, 'medium.sock'), count, maxMs, next);
            } finally {
              stop();
            }
            next += count;
            sampleInto(m, erD, 'after');
            if (targets.some((t) => t.m === ap)) sampleInto(ap, apD, 'after');
          } finally {
            ctrl.close();
          }
        } catch (e) {
          m.error = `${impl}: ${(e as Error).message}`;
        } finally {
          await erD?.stop();
        }
      }
    });
  } catch (e) {
    ap.error ??= (e as Error).message;
  } finally {
    await medium.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  const loadNote = (l: LoadResult | undefined): string =>
    l === undefined ? 'no load' : `${l.enrolled} enrolled${l.failed ? `, ${l.failed} failed (first: ${shortError(l.firstFailure ?? '?')})` : ''} of ${count} in ${(l.ms / 1000).toFixed(1)} s`;
  const wpsdEr = ers.wpsd;
  const refEr = ers.wpa_supplicant;
  const erRow = (what: string, w: number | undefined, r: number | undefined): BenchRow => ({
    what: `${erWhat}: ${what}`,
    ...(w === undefined ? { wpsdNote: !withSta ? NOT_AVAILABLE : wpsdEr.error ? `failed: ${shortError(wpsdEr.error)}` : 'no sample' } : { wpsd: mib(w) }),
    ...(r === undefined ? { referenceNote: refEr.error ? `failed: ${shortError(refEr.error)}` : 'no sample' } : { reference: mib(r) }),
    referenceName: wpaName,
    runs: w === undefined ? 0 : 1,
    referenceRuns: r === undefined ? 0 : 1,
    note: `separate processes; each ER in turn serves PIN Enrollees through the same wpsd ap: wpsd sta ${loadNote(wpsdEr.load)}; wpa_supplicant ${loadNote(refEr.load)}`,
  });
  const apNote = `${hostapdName} has no sim radio, so no reference under this load (bench 6's learn-load rows compare it); load served by wpsd sta: ${loadNote(wpsdEr.load)}`;
  const apRow = (what: string, w: number | undefined): BenchRow => ({
    what: `${apWhat}: ${what}`,
    ...(w === undefined ? { wpsdNote: !withAp ? NOT_AVAILABLE : ap.error ? `failed: ${shortError(ap.error)}` : 'no sample' } : { wpsd: mib(w) }),
    referenceNote: 'not measurable',
    runs: w === undefined ? 0 : 1,
    note: apNote,
  });
  return [
    apRow('idle after the learn, VmRSS MiB', ap.idle?.rssKiB),
    apRow('largest VmRSS during the load, MiB', ap.maxRssKiB),
    apRow('peak VmHWM after the load, MiB', ap.after?.hwmKiB),
    erRow('idle after the learn, VmRSS MiB', wpsdEr.idle?.rssKiB, refEr.idle?.rssKiB),
    erRow('largest VmRSS during the load, MiB', wpsdEr.maxRssKiB, refEr.maxRssKiB),
    erRow('peak VmHWM after the load, MiB', wpsdEr.after?.hwmKiB, refEr.after?.hwmKiB),
  ];
}
