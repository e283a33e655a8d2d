/**
 * A child process running one channel of a bulk run (channel-run.ts), so
 * the channels' CPU spreads over the cores. Its parent (bulk-run.ts) forks
 * it with the channel's share as one JSON argument and an IPC channel; it
 * sends { type: 'stop' } to end the run early. The child posts each
 * station's record as it finishes, then its result (with its own CPU time
 * and memory) or the error that kept it from running. Ctrl+C at a terminal
 * reaches the whole process group: the child leaves stopping to its parent.
 *
 * Processes rather than worker threads: the control sockets' addon
 * (node-unix-socket) does not survive a worker thread's teardown.
 */
import { readFileSync } from 'node:fs';
import { Logger, type LogLevel } from '../common/log.js';
import { applyV8Flags } from '../common/v8-memory.js';
import type { EnrollAllMethod } from '../web/model.js';
import { runChannel, type ChannelRunResult } from './channel-run.js';
import type { EnrollAllRecord } from './lab-enroll-all.js';

/** argv[2] of a channel process. */
export const CHANNEL_PROCESS_ARG = 'wpsd-lab-channel';

/** What the lab hands a channel process (argv[3], JSON). */
export interface ChannelProcessData {
  channel: number;
  enrollees: number;
  firstStation: number;
  method: EnrollAllMethod;
  ssdpPort?: number;
  level: LogLevel;
}

/** A process's own figures over its channel's run. */
export interface ProcessFigures {
  cpuMs: number;
  rssBeforeKiB: number;
  hwmKiB: number;
}

export type ChannelProcessMessage =
  | { type: 'record'; record: EnrollAllRecord }
  | { type: 'done'; result: ChannelRunResult; figures: ProcessFigures }
  | { type: 'error'; message: string };

/** VmRSS and VmHWM of this process, KiB (0 where /proc says nothing). */
export function ownMemoryKiB(): { rssKiB: number; hwmKiB: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0);
    return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
  } catch {
    return { rssKiB: 0, hwmKiB: 0 };
  }
}

async function main(data: ChannelProcessData, send: (m: ChannelProcessMessage) => void): Promise<void> {
  const abort = new AbortController();
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'stop') abort.abort();
  });
  // The parent stops the run; a terminal's Ctrl+C to the group must not kill it first.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  process.on('disconnect', () => abort.abort());
  const rssBeforeKiB = ownMemoryKiB().rssKiB;
  const cpu0 = process.cpuUsage();
  try {
    const result = await runChannel({
      channel: data.channel,
      enrollees: data.enrollees,
      firstStation: data.firstStation,
      method: data.method,
      ...(data.ssdpPort !== undefined ? { ssdpPort: data.ssdpPort } : {}),
      logger: new Logger({ level: data.level }).child(`ch${data.channel}`),
      signal: abort.signal,
      onRecord: (record) => send({ type: 'record', record }),
    });
    const cpu = process.cpuUsage(cpu0);
    send({ type: 'done', result, figures: { cpuMs: (cpu.user + cpu.system) / 1000, rssBeforeKiB, hwmKiB: ownMemoryKiB().hwmKiB } });
  } catch (e) {
    send({ type: 'error', message: (e as Error).message });
  }
  process.disconnect();
}

if (process.argv[2] === CHANNEL_PROCESS_ARG && process.send !== undefined) {
  applyV8Flags();
  const send = process.send.bind(process);
  await main(JSON.parse(process.argv[3] ?? '{}') as ChannelProcessData, (m) => void send(m));
}
