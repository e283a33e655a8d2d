/**
 * Radio slots on the lab's medium: a station's radio joins the medium only
 * while it scans or runs WPS, and at most `size` of them at once (the medium
 * takes 64 radios; a lab runs up to a thousand stations). Waiters are served
 * in the order they came; an aborted wait leaves the queue.
 */
export class RadioSlots {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`radio slots: ${size} is not a positive integer`);
  }

  get inUse(): number {
    return this.used;
  }

  /** Resolves with a release function once a slot is free; rejects with the signal's reason when it aborts first. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.used++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.used--;
          this.waiters.shift()?.();
        });
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal.reason as Error);
      };
      if (this.used < this.size) {
        grant();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
  }
}
