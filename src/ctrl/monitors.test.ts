import { describe, expect, it } from 'vitest';
import { MsgLevel } from './event-names.js';
import { MAX_MONITORS, MONITOR_MAX_FAILURES, MSG_INFO, MonitorList } from './monitors.js';

const MSG_DEBUG = MsgLevel.Debug;

describe('monitor list', () => {
  it('attaches at MSG_INFO and filters events by level', () => {
    const m = new MonitorList();
    expect(m.attach('/a')).toBe('attached');
    expect(m.attach('/a')).toBe('updated');
    expect(m.get('/a')?.level).toBe(MSG_INFO);
    expect(m.recipients(MSG_DEBUG)).toHaveLength(0);
    expect(m.setLevel('/a', MSG_DEBUG)).toBe(true);
    expect(m.recipients(MSG_DEBUG)).toHaveLength(1);
    expect(m.setLevel('/b', 1)).toBe(false);
  });

  it('refuses malformed ATTACH options and changes nothing', () => {
    const m = new MonitorList();
    expect(m.attach('/a', ['probe_rx_events=2'])).toBe('invalid');
    expect(m.size).toBe(0);
    expect(m.attach('/a', ['probe_rx_events=1'])).toBe('attached');
    expect(m.get('/a')?.events.get('probe_rx_events')).toBe(true);
  });

  it('never refuses an ATTACH (hostapd does not): past MAX_MONITORS the one with the most failed sends, then the oldest, makes room', () => {
    const m = new MonitorList();
    for (let i = 0; i < MAX_MONITORS; i++) expect(m.attach(`/c${i}`)).toBe('attached');
    m.recordFailure('/c7', false);
    const evicted: string[] = [];
    expect(m.attach('/one-more', [], (x) => evicted.push(x.address))).toBe('attached');
    expect(m.attach('/and-another', [], (x) => evicted.push(x.address))).toBe('attached');
    expect(evicted).toEqual(['/c7', '/c0']);
    expect(m.size).toBe(MAX_MONITORS);
    expect(m.attach('/c1')).toBe('updated');
  });

  it('drops a monitor after more than MONITOR_MAX_FAILURES failures in a row, or at once when fatal', () => {
    const m = new MonitorList();
    m.attach('/a');
    for (let i = 0; i < MONITOR_MAX_FAILURES; i++) expect(m.recordFailure('/a', false)).toBe(false);
    m.recordSuccess('/a');
    for (let i = 0; i < MONITOR_MAX_FAILURES; i++) m.recordFailure('/a', false);
    expect(m.recordFailure('/a', false)).toBe(true);
    expect(m.size).toBe(0);
    m.attach('/b');
    expect(m.recordFailure('/b', true)).toBe(true);
  });
});
