/**
 * One channel of a headless bulk run: a lab (medium, AP on `channel`, its
 * UPnP device on lo, an External Registrar, stations) whose stations all
 * enroll, reported station by station. Runs in the lab's own process when a
 * run needs one channel, in a child process per channel otherwise
 * (channel-process.ts), so the channels' CPU spreads over the cores.
 */
import type { Logger } from '../common/log.js';
import type { EnrollAllMethod } from '../web/model.js';
import { startLab } from './lab.js';
import type { EnrollAllCounters, EnrollAllRecord } from './lab-enroll-all.js';

export interface ChannelRunOptions {
  channel: number;
  enrollees: number;
  /** Station numbers of this channel start after this one. */
  firstStation: number;
  method: EnrollAllMethod;
  ssdpPort?: number;
  logger: Logger;
  signal: AbortSignal;
  onRecord: (r: EnrollAllRecord) => void;
}

export interface ChannelRunResult {
  channel: number;
  records: EnrollAllRecord[];
  /** From the lab's start to the last station's end. */
  wallMs: number;
  /** From the start of the first station to finish (its record's time back from its end; the AP learned before) to the last station's end. */
  enrollMs: number;
  /** Air the channel's frames took (airtime model), us. */
  airBusyUs: number;
  airFrames: number;
  airDropped: number;
  counters: EnrollAllCounters;
  /** The run's last word ("Done: ...", "Stopped", why it could not start). */
  message: string;
}

export async function runChannel(o: ChannelRunOptions): Promise<ChannelRunResult> {
  const t0 = Date.now();
  const lab = await startLab({
    enrollees: o.enrollees,
    firstStation: o.firstStation,
    channel: o.channel,
    logger: o.logger,
    console: false,
    waitingStations: false,
    waitForAp: true,
    ...(o.ssdpPort !== undefined ? { ssdpPort: o.ssdpPort } : {}),
  });
  try {
    let seen = 0;
    let message = '';
    let firstAt: number | undefined;
    for await (const p of lab.enrollAll.run({ method: o.method }, o.signal)) {
      if (p.message !== undefined) message = p.message;
      const records = lab.enrollAll.records;
      for (; seen < records.length; seen++) {
        firstAt ??= Date.now();
        o.onRecord(records[seen] as EnrollAllRecord);
      }
    }
    const end = Date.now();
    const air = lab.medium.airtimeStats().find((s) => s.channel === o.channel);
    const records = lab.enrollAll.records;
    // The first station's own time puts the start of enrolling before its record.
    const firstMs = records[0]?.outcome.ms ?? 0;
    return {
      channel: o.channel,
      records: [...records],
      wallMs: end - t0,
      enrollMs: firstAt === undefined ? 0 : end - (firstAt - firstMs),
      airBusyUs: air?.busyUs ?? 0,
      airFrames: air?.frames ?? 0,
      airDropped: air?.dropped ?? 0,
      counters: lab.enrollAll.counters,
      message,
    };
  } finally {
    await lab.stop();
  }
}
