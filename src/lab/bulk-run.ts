/**
 * A headless bulk run over as many channels as its target rate needs
 * (channel-plan.ts): one lab per channel, each with its AP, its External
 * Registrar and its share of the stations; in the lab's own process when one
 * channel does, else one child process per channel (channel-process.ts).
 * Progress comes as the console's EnrollAllProgress, station by station from
 * every channel.
 *
 *   new BulkRun({ enrollees, targetRate, method, logger }).run(signal)
 *     -> AsyncIterable<EnrollAllProgress>; then .results, .plan
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WpsdError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { EnrollAllMethod, EnrollAllProgress } from '../web/model.js';
import { planChannels, splitStations, type ChannelPlan } from './channel-plan.js';
import { runChannel, type ChannelRunResult } from './channel-run.js';
import { CHANNEL_PROCESS_ARG, type ChannelProcessData, type ChannelProcessMessage, type ProcessFigures } from './channel-process.js';
import type { EnrollAllRecord } from './lab-enroll-all.js';

export interface BulkRunOptions {
  enrollees: number;
  targetRate: number;
  method: EnrollAllMethod;
  ssdpPort?: number;
  logger: Logger;
}

/** A channel's lab could not run (it did not start, or its process ended before reporting). */
export class BulkRunError extends WpsdError<'CHANNEL_FAILED'> {}

type Feed = { record: EnrollAllRecord } | { result: ChannelRunResult; figures?: ProcessFigures } | { error: string; channel: number };

/** A channel's result, with its process's own figures when it ran in a process of its own. */
export interface ChannelOutcome extends ChannelRunResult {
  process?: ProcessFigures;
}

export class BulkRun {
  readonly plan: ChannelPlan;
  /** Each channel's result, once the run is over. */
  results: ChannelOutcome[] = [];
  /** Every station's record, in the order they finished. */
  records: EnrollAllRecord[] = [];

  constructor(private readonly opts: BulkRunOptions) {
    // PBC goes one station at a time: one AP, one channel.
    this.plan = opts.method === 'pbc' ? planChannels(1, 1) : planChannels(opts.targetRate, opts.enrollees);
  }

  async *run(signal: AbortSignal): AsyncIterable<EnrollAllProgress> {
    const channels = this.plan.channels;
    const counts = splitStations(this.opts.enrollees, channels.length);
    const p: EnrollAllProgress = { total: this.opts.enrollees, enrolled: 0, failed: 0, finished: false };
    const feed: Feed[] = [];
    let wake: (() => void) | undefined;
    const push = (f: Feed): void => {
      feed.push(f);
      wake?.();
    };
    const stops: Array<() => void> = [];
    /** Channel processes that have not exited yet: the run ends after they do. */
    const exits: Array<Promise<void>> = [];
    let first = 0;
    for (const [i, channel] of channels.entries()) {
      const enrollees = counts[i] as number;
      const firstStation = first;
      first += enrollees;
      if (channels.length === 1) {
        const abort = new AbortController();
        stops.push(() => abort.abort());
        void runChannel({
          channel,
          enrollees,
          firstStation,
          method: this.opts.method,
          ...(this.opts.ssdpPort !== undefined ? { ssdpPort: this.opts.ssdpPort } : {}),
          logger: this.opts.logger,
          signal: abort.signal,
          onRecord: (record) => push({ record }),
        }).then(
          (result) => push({ result }),
          (e: unknown) => push({ error: (e as Error).message, channel }),
        );
        continue;
      }
      const data: ChannelProcessData = {
        channel,
        enrollees,
        firstStation,
        method: this.opts.method,
        level: this.opts.logger.level,
        ...(this.opts.ssdpPort !== undefined ? { ssdpPort: this.opts.ssdpPort } : {}),
      };
      const child = fork(fileURLToPath(new URL('./channel-process.js', import.meta.url)), [CHANNEL_PROCESS_ARG, JSON.stringify(data)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      let over = false;
      child.on('message', (m: ChannelProcessMessage) => {
        if (m.type === 'record') push({ record: m.record });
        else if (m.type === 'done') {
          over = true;
          push({ result: m.result, figures: m.figures });
        } else {
          over = true;
          push({ error: m.message, channel });
        }
      });
      exits.push(
        new Promise((resolve) => {
          child.on('error', (e) => {
            resolve();
            if (over) return;
            over = true;
            push({ error: e.message, channel });
          });
          child.on('exit', (code, sig) => {
            resolve();
            if (over) return;
            over = true;
            push({ error: `its process ended (${sig ?? `exit ${code}`}) before reporting`, channel });
          });
        }),
      );
      stops.push(() => {
        if (child.connected) child.send({ type: 'stop' });
      });
    }
    const stopAll = (): void => {
      for (const s of stops) s();
    };
    signal.addEventListener('abort', stopAll, { once: true });
    let left = channels.length;
    const errors: string[] = [];
    try {
      yield { ...p, message: `Starting ${channels.length} AP${channels.length > 1 ? 's' : ''} on channel${channels.length > 1 ? 's' : ''} ${channels.join(', ')}` };
      while (left > 0 || feed.length > 0) {
        const f = feed.shift();
        if (f === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        if ('record' in f) {
          this.records.push(f.record);
          const o = f.record.outcome;
          if (o.ok) p.enrolled++;
          else p.failed++;
          yield { ...p, current: f.record.mac, message: o.ok ? `${f.record.mac} enrolled` : `${f.record.mac} failed: ${o.detail}` };
        } else if ('result' in f) {
          left--;
          this.results.push(f.figures === undefined ? f.result : { ...f.result, process: f.figures });
        } else {
          left--;
          errors.push(`channel ${f.channel}: ${f.error}`);
          // One channel that cannot run ends the others too: the run cannot be what was asked.
          stopAll();
        }
      }
    } finally {
      signal.removeEventListener('abort', stopAll);
      await Promise.all(exits);
    }
    this.results.sort((a, b) => a.channel - b.channel);
    if (errors.length > 0) throw new BulkRunError('CHANNEL_FAILED', errors.join('; '));
    p.finished = true;
    const last = this.results.length === 1 ? this.results[0]?.message : undefined;
    yield { ...p, message: signal.aborted ? 'Stopped' : (last ?? `Done: ${p.enrolled} enrolled, ${p.failed} failed`) };
  }
}
