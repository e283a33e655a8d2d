/**
 * The `wpsd lab` action: the console until Ctrl+C, or with --enroll-all a
 * headless run that enrolls every station, shows a progress bar, prints a
 * summary and exits 0 only when every station enrolled.
 */
import { SingleBar } from 'cli-progress';
import { LogLevel, Logger, levelFromDebugCount } from '../common/log.js';
import type { EnrollAllMethod, EnrollAllProgress } from '../web/model.js';
import { LAB_IFACE, LAB_SSID } from './lab-config.js';
import { LabStartError, startLab, type Lab } from './lab.js';
import { summaryLines } from './summary.js';

export interface RunLabOptions {
  enrollees: number;
  port: number;
  enrollAll: boolean;
  method: EnrollAllMethod;
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
  const starting = startLab({
    enrollees: o.enrollees,
    logger,
    console: !o.enrollAll,
    port: o.port,
    waitingStations: !o.enrollAll,
    waitForAp: o.enrollAll,
    ...(o.ssdpPort !== undefined ? { ssdpPort: o.ssdpPort } : {}),
  });
  const first = await Promise.race([
    starting.then(
      (l): { lab: Lab } => ({ lab: l }),
      (e: unknown): { error: unknown } => ({ error: e }),
    ),
    sig.next.then((s): { signal: string } => ({ signal: s })),
  ]);
  if ('signal' in first) {
    // Stopped while starting: let the start finish, then take it all down again.
    out(`${first.signal} received: stopping the lab`);
    const l = await starting.catch(() => undefined);
    await l?.stop();
    sig.off();
    return o.enrollAll ? 1 : 0;
  }
  if ('error' in first) {
    sig.off();
    const e = first.error;
    process.stderr.write(`wpsd lab: ${e instanceof LabStartError ? e.message : (e as Error).message}\n`);
    return 1;
  }
  const lab = first.lab;
  try {
    if (!o.enrollAll) {
      describeLab(lab, out);
      out(`ER web console: ${lab.url ?? ''}`);
      out('Ctrl+C stops the lab.');
      const s = await sig.next;
      out(`${s} received: stopping the lab`);
      return 0;
    }
    return await enrollAllHeadless(lab, o, sig.next, out);
  } finally {
    sig.off();
    await lab.stop();
  }
}

async function enrollAllHeadless(lab: Lab, o: RunLabOptions, stopSignal: Promise<string>, out: Out): Promise<number> {
  const abort = new AbortController();
  void stopSignal.then((s) => {
    process.stderr.write(`\n${s} received: stopping the run\n`);
    abort.abort();
  });
  const bar = new SingleBar({
    format: 'enrolling [{bar}] {value}/{total} | {enrolled} enrolled, {failed} failed | {duration_formatted}',
    hideCursor: true,
    stream: process.stderr,
  });
  const started = Date.now();
  let last: EnrollAllProgress | undefined;
  bar.start(lab.stations.length, 0, { enrolled: 0, failed: 0 });
  let broken: string | undefined;
  try {
    for await (const p of lab.enrollAll.run({ method: o.method }, abort.signal)) {
      last = p;
      bar.setTotal(p.total);
      bar.update(p.enrolled + p.failed, { enrolled: p.enrolled, failed: p.failed });
      // Without a terminal the bar draws nothing; say each step instead.
      if (!process.stderr.isTTY && p.message !== undefined && !p.finished) process.stderr.write(`${p.enrolled + p.failed}/${p.total} ${p.message}\n`);
    }
  } catch (e) {
    broken = `the run stopped on an error: ${(e as Error).message}`;
  } finally {
    bar.stop();
  }
  const totalMs = Date.now() - started;
  const records = lab.enrollAll.records;
  const durationsMs = records.flatMap((r) => (r.outcome.ok ? [r.outcome.ms] : []));
  const failures = records.flatMap((r) => (r.outcome.ok ? [] : [{ mac: r.mac, detail: r.outcome.detail }]));
  for (const line of summaryLines({ total: lab.stations.length, durationsMs, failures, totalMs })) out(line);
  if (broken !== undefined) out(broken);
  else if (last?.message !== undefined && last.enrolled !== lab.stations.length) out(last.message);
  const all = lab.stations.length === o.enrollees && lab.stations.every((s) => s.state === 'enrolled');
  return all && broken === undefined && !abort.signal.aborted ? 0 : 1;
}
