/**
 * One bulk-enrollment run of bench 4, in a process of its own so its peak
 * resident memory (VmHWM) is the run's alone: `wpsd lab`'s pieces in one
 * process (sim medium, wpsd AP with UPnP on lo, the External Registrar on
 * 127.0.0.1) and N Enrollees that enroll by PIN through the AP's proxy.
 *
 * The medium takes 64 radios, the ER 64 Enrollees and 64 PINs, so the
 * Enrollees come in chunks of CHUNK: each chunk's stations get their radios,
 * go through LabEnrollAll (the lab's own pacing), and leave the medium
 * before the next chunk. Every Enrollee has its own MAC, UUID and PIN.
 *
 *   node dist/bench/bulk-enroll-child.js <N> <capMs> <ssdpPort> [<pinBatch> <batchIntervalMs>]
 * prints one JSON line (BulkChildResult) on stdout.
 */
import { join } from 'node:path';
import { LogLevel, Logger } from '../src/common/log.js';
import { LAB_CHANNEL, labStationSpec } from '../src/lab/lab-config.js';
import { LabEnrollAll, learnLabAp, type EnrollAllRecord } from '../src/lab/lab-enroll-all.js';
import { LabStation } from '../src/lab/lab-station.js';
import { startLab, type Lab } from '../src/lab/lab.js';
import { SimStationDriver } from '../src/radio/sim/station-driver.js';
import { readRss } from './daemons.js';

/** Stations on the medium at once (the medium takes 64 radios, one is the AP's). */
export const CHUNK = 48;
/** How long learning the AP's settings with the AP PIN may take. */
const LEARN_WAIT_MS = 20_000;

export interface BulkChildResult {
  requested: number;
  enrolled: number;
  failed: number;
  /** Wall time from the first Enrollee's start to the last one's end (lab start and the AP learn excluded). */
  wallMs: number;
  /** Each successful enrollment, station start of WPS to credential. */
  durationsMs: number[];
  /** The time cap ended the run before every Enrollee had its turn. */
  capped: boolean;
  hwmKiB: number;
  rssKiB: number;
  firstFailure?: string;
}

/** The ER learns the lab AP's settings with its AP PIN (it needs them to give Enrollees a credential). */
async function learnAp(lab: Lab): Promise<void> {
  if (!(await learnLabAp(lab.er, lab.identity.apUuid, lab.identity.apPin, new AbortController().signal, LEARN_WAIT_MS))) {
    throw new Error(`the ER did not learn the lab AP within ${LEARN_WAIT_MS / 1000} s`);
  }
}

export interface BulkPacing {
  /** PIN Enrollees at a time (the lab's PIN_BATCH unless given). */
  pinBatch?: number;
  /** Batches at least this far apart (the lab's BATCH_INTERVAL_MS unless given). */
  batchIntervalMs?: number;
}

export async function runBulk(n: number, capMs: number, ssdpPort: number, pacing: BulkPacing = {}): Promise<BulkChildResult> {
  const logger = new Logger({ level: LogLevel.ERROR });
  const lab = await startLab({ enrollees: 0, logger, console: false, waitingStations: false, waitForAp: true, ssdpPort });
  try {
    await learnAp(lab);
    const mediumPath = join(lab.dir, 'medium.sock');
    const records: EnrollAllRecord[] = [];
    const abort = new AbortController();
    const t0 = Date.now();
    const cap = setTimeout(() => abort.abort(), capMs);
    try {
      for (let first = 1; first <= n && !abort.signal.aborted; first += CHUNK) {
        const stations: LabStation[] = [];
        const opened: SimStationDriver[] = [];
        try {
          for (let k = first; k < first + CHUNK && k <= n; k++) {
            const spec = labStationSpec(k, lab.identity.addressing);
            const driver = await SimStationDriver.open({ mediumPath, address: spec.mac, channel: LAB_CHANNEL, logger });
            stations.push(new LabStation({ spec, openRadio: () => Promise.resolve({ driver, close: () => Promise.resolve() }), logger }));
            opened.push(driver);
          }
          const run = new LabEnrollAll({
            er: lab.er,
            stations: () => stations,
            apUuid: lab.identity.apUuid,
            apPin: lab.identity.apPin,
            ...pacing,
          });
          for await (const p of run.run({ method: 'pin' }, abort.signal)) void p;
          records.push(...run.records);
        } finally {
          await Promise.allSettled(stations.map((s) => s.close()));
          await Promise.allSettled(opened.map((d) => d.close()));
        }
      }
    } finally {
      clearTimeout(cap);
    }
    const wallMs = Date.now() - t0;
    const ok = records.flatMap((r) => (r.outcome.ok ? [r.outcome.ms] : []));
    const bad = records.find((r) => !r.outcome.ok);
    const rss = readRss(process.pid);
    return {
      requested: n,
      enrolled: ok.length,
      failed: records.length - ok.length,
      wallMs,
      durationsMs: ok,
      capped: records.length < n,
      hwmKiB: rss.hwmKiB,
      rssKiB: rss.rssKiB,
      ...(bad !== undefined && !bad.outcome.ok ? { firstFailure: `${bad.mac}: ${bad.outcome.detail}` } : {}),
    };
  } finally {
    await lab.stop();
  }
}

const [nArg, capArg, portArg, batchArg, intervalArg] = process.argv.slice(2);
if (nArg !== undefined && capArg !== undefined && portArg !== undefined && /bulk-enroll-child\.js$/.test(process.argv[1] ?? '')) {
  try {
    const pacing: BulkPacing = {
      ...(batchArg !== undefined ? { pinBatch: Number(batchArg) } : {}),
      ...(intervalArg !== undefined ? { batchIntervalMs: Number(intervalArg) } : {}),
    };
    const r = await runBulk(Number(nArg), Number(capArg), Number(portArg), pacing);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  } catch (e) {
    process.stderr.write(`bulk-enroll-child: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
