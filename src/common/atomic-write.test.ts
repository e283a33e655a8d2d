import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-write.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('atomic configuration writes', () => {
  it('removes the temp files a killed rewrite left, and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wpsd-aw-'));
    dirs.push(dir);
    const conf = join(dir, 'hostapd.conf');
    writeFileSync(conf, 'ssid=a\n');
    const stale = ['.hostapd.conf.0123456789ab.tmp', '.hostapd.conf.deadbeef0000.tmp'];
    for (const s of stale) writeFileSync(join(dir, s), 'half');
    const keep = ['.hostapd.conf.notours.tmp', '.other.conf.0123456789ab.tmp', 'hostapd.conf.0123456789ab.tmp'];
    for (const k of keep) writeFileSync(join(dir, k), 'x');
    mkdirSync(join(dir, '.hostapd.conf.aaaaaaaaaaaa.tmp'));
    expect((await removeStaleTempFiles(conf)).sort()).toEqual(stale.sort());
    expect(readdirSync(dir).sort()).toEqual(['.hostapd.conf.aaaaaaaaaaaa.tmp', 'hostapd.conf', ...keep].sort());
    // A completed write leaves nothing behind for the cleanup.
    await writeFileAtomic(conf, 'ssid=b\n');
    expect(readFileSync(conf, 'utf8')).toBe('ssid=b\n');
    expect(await removeStaleTempFiles(conf)).toEqual([]);
    expect(await removeStaleTempFiles(join(dir, 'missing', 'x.conf'))).toEqual([]);
  });
});
