import { describe, expect, it } from 'vitest';
import { DriverEvents, type DriverEvent } from './driver.js';

const event: DriverEvent = { type: 'station-disassociated', addr: '02:00:00:00:00:01', reason: 3, byPeer: true };

describe('driver event fan-out', () => {
  it('reports a throwing or rejecting listener and still calls the others', async () => {
    const errors: string[] = [];
    const events = new DriverEvents((err) => errors.push((err as Error).message));
    const seen: string[] = [];
    events.on(() => {
      throw new Error('sync listener failed');
    });
    // An async listener is assignable to DriverListener; its rejection must not go unhandled.
    events.on(async () => {
      await Promise.resolve();
      throw new Error('async listener failed');
    });
    events.on((e) => seen.push(e.type));
    events.emit(event);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['station-disassociated']);
    expect(errors.sort()).toEqual(['async listener failed', 'sync listener failed']);
  });

  it('stops calling a listener once unsubscribed', () => {
    const events = new DriverEvents();
    let n = 0;
    const off = events.on(() => n++);
    events.emit(event);
    off();
    events.emit(event);
    expect(n).toBe(1);
  });
});
