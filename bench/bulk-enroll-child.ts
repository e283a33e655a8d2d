/**
 * One bulk-enrollment run of bench 4, in a process of its own so its peak
 * resident memory (VmHWM) is the run's alone: exactly what
 * `wpsd lab --enroll-all --enrollees N` runs (BulkRun: as many APs on
 * separate channels as the target rate needs at the airtime model's
 * per-channel capacity, a lab per channel with its medium, AP with UPnP on
 * lo, External Registrar and stations, in a child process per channel when
 * there are several), every Enrollee with its own MAC, UUID and PIN, each
 * starting when its AP's Beacon lists it in Authorized MACs.
 *
 *   node dist/bench/bulk-enroll-child.js <N> <capMs> <ssdpPort> [<targetRate>]
 * prints one JSON line (BulkChildResult) on stdout.
 */
import { loadavg } from 'node:os';
import { LogLevel, Logger } from '../src/common/log.js';
import { BulkRun } from '../src/lab/bulk-run.js';
import { LAB_TARGET_RATE } from '../src/lab/lab-config.js';
import { readRss } from './daemons.js';

export interface BulkChannelResult {
  channel: number;
  enrolled: number;
  /** Time this channel took to enroll its stations (its AP learned before). */
  enrollMs: number;
  airBusyUs: number;
  setSelectedRegistrar: number;
  /** The channel's own process, when it had one: VmRSS at its start, VmHWM at its end, CPU ms. */
  rssBeforeKiB?: number;
  hwmKiB?: number;
  cpuMs?: number;
}

export interface BulkChildResult {
  requested: number;
  enrolled: number;
  failed: number;
  /** Wall time from the run's start (labs started, APs learned) to the last Enrollee's end. */
  wallMs: number;
  /** From the first Enrollee's start to the last one's end, the slowest channel's. */
  enrollMs: number;
  /** Each successful enrollment, station start of WPS to credential. */
  durationsMs: number[];
  /** The time cap ended the run before every Enrollee had its turn. */
  capped: boolean;
  hwmKiB: number;
  /** VmRSS before the run and after it. */
  rssBeforeKiB: number;
  rssKiB: number;
  /** CPU time over the run, ms: this process and the channel processes. */
  cpuMs: number;
  channels: BulkChannelResult[];
  airPerEnrollmentUs: number;
  perChannelCapacity: number;
  /** 1-minute load average of the machine when the run started and when it ended. */
  loadStart: number;
  loadEnd: number;
  firstFailure?: string;
}

export async function runBulk(n: number, capMs: number, ssdpPort: number, targetRate = LAB_TARGET_RATE): Promise<BulkChildResult> {
  const logger = new Logger({ level: LogLevel.ERROR });
  const run = new BulkRun({ enrollees: n, targetRate, method: 'pin', ssdpPort, logger });
  const abort = new AbortController();
  const rssBefore = readRss(process.pid);
  const loadStart = loadavg()[0] ?? 0;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const cap = setTimeout(() => abort.abort(), capMs);
  try {
    for await (const p of run.run(abort.signal)) void p;
  } finally {
    clearTimeout(cap);
  }
  const wallMs = Date.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const records = run.records;
  const ok = records.flatMap((r) => (r.outcome.ok ? [r.outcome.ms] : []));
  const bad = records.find((r) => !r.outcome.ok);
  const rss = readRss(process.pid);
  return {
    requested: n,
    enrolled: ok.length,
    failed: records.length - ok.length,
    wallMs,
    enrollMs: Math.max(0, ...run.results.map((r) => r.enrollMs)),
    durationsMs: ok,
    capped: records.length < n,
    hwmKiB: rss.hwmKiB,
    rssBeforeKiB: rssBefore.rssKiB,
    rssKiB: rss.rssKiB,
    cpuMs: (cpu.user + cpu.system) / 1000 + run.results.reduce((n, r) => n + (r.process?.cpuMs ?? 0), 0),
    channels: run.results.map((r) => ({
      channel: r.channel,
      enrolled: r.records.filter((x) => x.outcome.ok).length,
      enrollMs: r.enrollMs,
      airBusyUs: r.airBusyUs,
      setSelectedRegistrar: r.counters.setSelectedRegistrar,
      ...(r.process !== undefined ? { rssBeforeKiB: r.process.rssBeforeKiB, hwmKiB: r.process.hwmKiB, cpuMs: r.process.cpuMs } : {}),
    })),
    airPerEnrollmentUs: run.plan.airPerEnrollmentUs,
    perChannelCapacity: run.plan.perChannelCapacity,
    loadStart,
    loadEnd: loadavg()[0] ?? 0,
    ...(bad !== undefined && !bad.outcome.ok ? { firstFailure: `${bad.mac}: ${bad.outcome.detail}` } : {}),
  };
}

const [nArg, capArg, portArg, rateArg] = process.argv.slice(2);
if (nArg !== undefined && capArg !== undefined && portArg !== undefined && /bulk-enroll-child\.js$/.test(process.argv[1] ?? '')) {
  try {
    const r = await runBulk(Number(nArg), Number(capArg), Number(portArg), rateArg !== undefined ? Number(rateArg) : undefined);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  } catch (e) {
    process.stderr.write(`bulk-enroll-child: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
