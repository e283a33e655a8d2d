import { describe, expect, it } from 'vitest';
import { Logger, LogLevel, levelFromDebugCount, REMOVED } from './log.js';

describe('daemon log', () => {
  it('hides key material unless keys were asked for', () => {
    const lines: string[] = [];
    const log = new Logger({ level: LogLevel.DEBUG, sink: (l) => lines.push(l) });
    log.keyHex(LogLevel.DEBUG, 'WPS: PSK1', Buffer.from('secretsecret'));
    log.info(`passphrase ${log.key('hunter22')}`);
    expect(lines.join('\n')).not.toMatch(/secret|hunter22|73 65 63/);
    expect(lines[0]).toContain(REMOVED);
    const shown: string[] = [];
    new Logger({ level: LogLevel.DEBUG, showKeys: true, sink: (l) => shown.push(l) }).keyHex(LogLevel.DEBUG, 'k', Buffer.from([1, 2]));
    expect(shown[0]).toContain('01 02');
  });

  it('follows -d/-dd and -t like hostapd', () => {
    expect(levelFromDebugCount(0)).toBe(LogLevel.INFO);
    expect(levelFromDebugCount(2)).toBe(LogLevel.MSGDUMP);
    const lines: string[] = [];
    const log = new Logger({ level: LogLevel.INFO, timestamps: true, now: () => 1700000000123, sink: (l) => lines.push(l) });
    log.debug('dropped');
    log.child('upnp').info('up');
    expect(lines).toEqual(['1700000000.123000: upnp: up']);
  });
});
