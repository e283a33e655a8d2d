/**
 * A worker thread running one channel of a bulk run (channel-run.ts). The
 * lab's thread sends { type: 'stop' } to end it early; the worker posts each
 * station's record as it finishes, then its result or the error that kept it
 * from running.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Logger, type LogLevel } from '../common/log.js';
import type { EnrollAllMethod } from '../web/model.js';
import { runChannel, type ChannelRunResult } from './channel-run.js';
import type { EnrollAllRecord } from './lab-enroll-all.js';

/** What the lab's thread hands a channel worker. */
export interface ChannelWorkerData {
  kind: 'wpsd-lab-channel';
  channel: number;
  enrollees: number;
  firstStation: number;
  method: EnrollAllMethod;
  ssdpPort?: number;
  level: LogLevel;
}

export type ChannelWorkerMessage = { type: 'record'; record: EnrollAllRecord } | { type: 'done'; result: ChannelRunResult } | { type: 'error'; message: string };

const data = workerData as ChannelWorkerData | undefined;
const port = parentPort;
if (!isMainThread && port !== null && data?.kind === 'wpsd-lab-channel') {
  const abort = new AbortController();
  const onMessage = (m: { type?: string }): void => {
    if (m.type === 'stop') abort.abort();
  };
  port.on('message', onMessage);
  const post = (m: ChannelWorkerMessage): void => port.postMessage(m);
  try {
    const result = await runChannel({
      channel: data.channel,
      enrollees: data.enrollees,
      firstStation: data.firstStation,
      method: data.method,
      ...(data.ssdpPort !== undefined ? { ssdpPort: data.ssdpPort } : {}),
      logger: new Logger({ level: data.level }).child(`ch${data.channel}`),
      signal: abort.signal,
      onRecord: (record) => post({ type: 'record', record }),
    });
    post({ type: 'done', result });
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
  // The thread ends once what the lab left closing has closed (closing the port now would cut that short).
  port.off('message', onMessage);
  port.unref();
}
