/**
 * The `wpsd lab` action: the console until Ctrl+C, or with --enroll-all a
 * headless run that enrolls every station, shows a progress bar, prints a
 * summary and exits 0 only when every station enrolled.
 */
import { SingleBar } from 'cli-progress';
import { LogLevel, Logger, levelFromDebugCount } from '../common/log.js';
import type { EnrollAllMethod, EnrollAllProgress } from '../web/model.js';
import { loadavg } from 'node:os';
import { BulkRun } from './bulk-run.js';
import { ownMemoryKiB } from './channel-process.js';
import { CHANNEL_AIR_BUDGET } from './channel-plan.js';
import { LAB_IFACE, LAB_SSID, LAB_TARGET_RATE } from './lab-config.js';
import { LabStartError, startLab, type Lab } from './lab.js';
import { summaryLines } from './summary.js';

export interface RunLabOptions {
  enrollees: number;
  port: number;
  enrollAll: boolean;
  method: EnrollAllMethod;
  /** With enrollAll: enrollments a second to plan the APs for (LAB_TARGET_RATE unless given). */
  rate?: number;
  ssdpPort?: number;
  debug: number;
}

type Out = (line: string) => void;

/** Resolves with the signal's name on the first SIGINT or SIGTERM; `off()` stops listening. */
function signals(): { next: Promise<string>; off: () => void } {
  let resolve: (s: string) => void = () => undefined;
  const next = new Promise<string>((r) => {
    resolve = r;
  });
  const onInt = (): void => resolve('SIGINT');
  const onTerm = (): void => resolve('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    next,
    off: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

function describeLab(lab: Lab, out: Out): void {
  out(`wpsd lab: AP "${LAB_SSID}" bssid ${lab.identity.apMac} uuid ${lab.identity.apUuid}, AP PIN ${lab.identity.apPin}, UPnP on lo`);
  out(`  AP control socket: hostapd_cli -p ${lab.apCtrlDir} -i ${LAB_IFACE}`);
  if (lab.stations.length > 0) {
    out(`  ${lab.stations.length} stations (PIN on each label):`);
    for (const s of lab.stations) out(`    ${s.mac}  ${s.spec.device.deviceName}`);
  }
}

export async function runLab(o: RunLabOptions, out: Out = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const level = o.debug > 0 ? levelFromDebugCount(o.debug) : LogLevel.WARNING;
  const logger = new Logger({ level, timestamps: o.debug > 0 });
  const sig = signals();
  try {
    if (o.enrollAll) return await enrollAllHeadless(o, logger, sig.next, out);
    return await runConsole(o, logger, sig.next, out);
  } finally {
    sig.off();
  }
}

async function runConsole(o: RunLabOptions, logger: Logger, stopSignal: Promise<string>, out: Out): Promise<number> {
  const starting = startLab({
    enrollees: o.enrollees,
    logger,
    console: true,
    port: o.port,
    waitingStations: true,
    ...(o.ssdpPort !== undefined ? { ssdpPort: o.ssdpPort } : {}),
  });
  const first = await Promise.race([
    starting.then(
      (l): { lab: Lab } => ({ lab: l }),
      (e: unknown): { error: unknown } => ({ error: e }),
    ),
    stopSignal.then((s): { signal: string } => ({ signal: s })),
  ]);
  if ('signal' in first) {
    // Stopped while starting: let the start finish, then take it all down again.
    out(`${first.signal} received: stopping the lab`);
    const l = await starting.catch(() => undefined);
    await l?.stop();
    return 0;
  }
  if ('error' in first) {
    const e = first.error;
    process.stderr.write(`wpsd lab: ${e instanceof LabStartError ? e.message : (e as Error).message}\n`);
    return 1;
  }
  const lab = first.lab;
  try {
    describeLab(lab, out);
    out(`ER web console: ${lab.url ?? ''}`);
    out('Ctrl+C stops the lab.');
    const s = await stopSignal;
    out(`${s} received: stopping the lab`);
    return 0;
  } finally {
    await lab.stop();
  }
}

const mib = (kib: number): string => (kib / 1024).toFixed(0);

async function enrollAllHeadless(o: RunLabOptions, logger: Logger, stopSignal: Promise<string>, out: Out): Promise<number> {
  const abort = new AbortController();
  void stopSignal.then((s) => {
    process.stderr.write(`\n${s} received: stopping the run\n`);
    abort.abort();
  });
  const run = new BulkRun({ enrollees: o.enrollees, targetRate: o.rate ?? LAB_TARGET_RATE, method: o.method, logger, ...(o.ssdpPort !== undefined ? { ssdpPort: o.ssdpPort } : {}) });
  const bar = new SingleBar({
    format: 'enrolling [{bar}] {value}/{total} | {enrolled} enrolled, {failed} failed | {duration_formatted}',
    hideCursor: true,
    stream: process.stderr,
  });
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  const rssBeforeKiB = ownMemoryKiB().rssKiB;
  let last: EnrollAllProgress | undefined;
  bar.start(o.enrollees, 0, { enrolled: 0, failed: 0 });
  let broken: string | undefined;
  try {
    for await (const p of run.run(abort.signal)) {
      last = p;
      bar.setTotal(p.total);
      bar.update(p.enrolled + p.failed, { enrolled: p.enrolled, failed: p.failed });
      // Without a terminal the bar draws nothing; say each step instead.
      if (!process.stderr.isTTY && p.message !== undefined && !p.finished) process.stderr.write(`${p.enrolled + p.failed}/${p.total} ${p.message}\n`);
    }
  } catch (e) {
    broken = (e as Error).message;
  } finally {
    bar.stop();
  }
  const totalMs = Date.now() - started;
  const cpu = process.cpuUsage(cpu0);
  if (broken !== undefined && run.records.length === 0) {
    process.stderr.write(`wpsd lab: ${broken}\n`);
    return 1;
  }
  const records = run.records;
  const durationsMs = records.flatMap((r) => (r.outcome.ok ? [r.outcome.ms] : []));
  const failures = records.flatMap((r) => (r.outcome.ok ? [] : [{ mac: r.mac, detail: r.outcome.detail }]));
  for (const line of summaryLines({ total: o.enrollees, durationsMs, failures, totalMs })) out(line);
  const plan = run.plan;
  out(
    `APs: ${plan.channels.length} on channel${plan.channels.length > 1 ? 's' : ''} ${plan.channels.join(', ')} (planned for ${o.method === 'pbc' ? 'one push button at a time' : `${o.rate ?? LAB_TARGET_RATE}/s`}: ${(plan.airPerEnrollmentUs / 1000).toFixed(2)} ms of air per enrollment, ${plan.airCapacity.toFixed(0)}/s per channel at ${CHANNEL_AIR_BUDGET * 100} % of the air, ${plan.advertiseCapacity.toFixed(0)}/s per AP through Authorized MACs)`,
  );
  for (const r of run.results) {
    const ok = r.records.filter((x) => x.outcome.ok).length;
    const secs = r.enrollMs / 1000;
    out(
      `  channel ${r.channel}: ${ok}/${r.records.length} enrolled in ${secs.toFixed(2)} s (${secs > 0 ? (ok / secs).toFixed(1) : '-'}/s), air busy ${secs > 0 ? ((r.airBusyUs / 1e6 / secs) * 100).toFixed(1) : '-'} %, SetSelectedRegistrar ${ok > 0 ? (r.counters.setSelectedRegistrar / ok).toFixed(2) : '-'} per enrollment`,
    );
  }
  const enrolled = durationsMs.length;
  const scans = records.flatMap((r) => (r.outcome.ok && r.outcome.scans !== undefined ? [r.outcome.scans] : []));
  if (scans.length > 0) {
    out(`scans: ${(scans.reduce((a, b) => a + b, 0) / scans.length).toFixed(2)} per enrollment; the first found the AP selected for ${scans.filter((n) => n === 1).length} of ${scans.length}`);
  }
  const children = run.results.flatMap((r) => (r.process === undefined ? [] : [{ channel: r.channel, ...r.process }]));
  const cpuMs = (cpu.user + cpu.system) / 1000 + children.reduce((n, c) => n + c.cpuMs, 0);
  out(
    `CPU: ${enrolled > 0 ? (cpuMs / enrolled).toFixed(1) : '-'} ms per enrollment (user + system of the lab's process${children.length > 0 ? ' and its channel processes' : ''}); load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const own = ownMemoryKiB();
  const perChannel = children.map((c) => `ch ${c.channel} ${mib(c.rssBeforeKiB)} -> ${mib(c.hwmKiB)}`).join(', ');
  out(`memory: VmRSS ${mib(rssBeforeKiB)} MiB before the run, VmHWM ${mib(own.hwmKiB)} MiB after it${children.length > 0 ? `; channel processes, VmRSS at start -> VmHWM, MiB: ${perChannel}` : ''}`);
  if (broken !== undefined) out(`the run stopped on an error: ${broken}`);
  else if (last?.message !== undefined && last.enrolled !== o.enrollees) out(last.message);
  const all = enrolled === o.enrollees;
  return all && broken === undefined && !abort.signal.aborted ? 0 : 1;
}
