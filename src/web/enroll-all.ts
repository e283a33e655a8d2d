/**
 * One "enroll all" run at a time: drives the backend's progress stream,
 * remembers the latest progress for pages that connect midway, and reports
 * each step. A second request while one runs is refused (PBC sessions of two
 * runs would overlap, and a PIN run already covers every waiting Enrollee).
 */
import type { Logger } from '../common/log.js';
import type { ConsoleBackend, EnrollAllRequest } from './model.js';
import type { EnrollAllStatus } from './page-state.js';

export class EnrollAllRunner {
  private status: EnrollAllStatus | undefined;
  private running = false;
  private abort: AbortController | undefined;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly backend: ConsoleBackend,
    private readonly onProgress: (s: EnrollAllStatus) => void,
    private readonly logger: Logger | undefined,
  ) {}

  get latest(): EnrollAllStatus | undefined {
    return this.status;
  }

  get busy(): boolean {
    return this.running;
  }

  /** Starts a run; false when one is already under way. */
  start(req: EnrollAllRequest): boolean {
    if (this.running) return false;
    this.running = true;
    this.abort = new AbortController();
    this.publish({ method: req.method, total: 0, enrolled: 0, failed: 0, finished: false, message: 'Starting' });
    this.done = this.run(req, this.abort.signal);
    return true;
  }

  /** Stops a run and waits for it to wind down. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.done;
  }

  private async run(req: EnrollAllRequest, signal: AbortSignal): Promise<void> {
    let last: EnrollAllStatus | undefined;
    try {
      for await (const p of this.backend.enrollAll(req, signal)) {
        last = { ...p, method: req.method };
        this.publish(last);
        if (p.finished) break;
      }
      if (last === undefined || !last.finished) {
        const base = last ?? { method: req.method, total: 0, enrolled: 0, failed: 0 };
        this.publish({ ...base, current: undefined, finished: true, message: signal.aborted ? 'Stopped' : 'Done' });
      }
    } catch (e) {
      this.logger?.warn(`enroll all: ${e instanceof Error ? e.message : String(e)}`);
      const base = last ?? { method: req.method, total: 0, enrolled: 0, failed: 0 };
      this.publish({ ...base, current: undefined, finished: true, message: 'The run stopped on an error (see the log)' });
    } finally {
      this.running = false;
    }
  }

  private publish(s: EnrollAllStatus): void {
    const clean: EnrollAllStatus = { ...s };
    if (clean.current === undefined) delete clean.current;
    if (clean.message === undefined) delete clean.message;
    this.status = clean;
    this.onProgress(clean);
  }
}
