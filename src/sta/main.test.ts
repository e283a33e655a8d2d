import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Logger } from '../common/log.js';
import { StaStartError, startSta, type StaOptions } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'wpsd-sta-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = new Logger({ sink: () => undefined });

function opts(config: string, o: Partial<StaOptions> = {}): StaOptions {
  return { config, iface: 'lo', driver: 'none', debug: 0, timestamps: false, showKeys: false, ...o };
}

async function startError(o: StaOptions): Promise<StaStartError> {
  try {
    const d = await startSta(o, quiet);
    await d.stop();
  } catch (e) {
    if (e instanceof StaStartError) return e;
    throw e;
  }
  throw new Error('started');
}

describe('wpsd sta start-up', () => {
  it('a bad wpa_supplicant.conf is refused with the file and line of each error', async () => {
    const path = join(dir, 'bad.conf');
    writeFileSync(path, 'ctrl_interface=/tmp/x\nupdate_config=abc\nnetwork={\n\tssid="a"\n\tpsk="short"\n}\n');
    const e = await startError(opts(path));
    expect(e.code).toBe('CONFIG');
    expect(e.message).toContain(`${path} line 2:`);
    expect(e.message).toContain(`${path} line 5:`);
    expect((await startError(opts(join(dir, 'missing.conf')))).message).toContain('missing.conf');
  });

  it('unknown drivers and interfaces are refused clearly; nl80211 says why', async () => {
    const path = join(dir, 'ok.conf');
    writeFileSync(path, `ctrl_interface=${join(dir, 'ctrl')}\n`);
    expect((await startError(opts(path, { driver: 'wext' }))).message).toMatch(/unknown driver "wext"/);
    expect((await startError(opts(path, { iface: 'nosuchif0' }))).code).toBe('INTERFACE');
    const nl = await startError(opts(path, { driver: 'nl80211' }));
    expect(nl.code).toBe('DRIVER');
    expect(nl.message).toMatch(/nl80211/);
  });

  it('starts with -D none, answers on <ctrl_interface>/<IF>, and stops cleanly', async () => {
    const path = join(dir, 'good.conf');
    writeFileSync(path, `ctrl_interface=${join(dir, 'ctrl2')}\nupdate_config=1\nnetwork={\n\tssid="home"\n\tpsk="passphrase1"\n}\n`);
    const d = await startSta(opts(path), quiet);
    try {
      expect(d.ctrl?.path).toBe(join(dir, 'ctrl2', 'lo'));
      const ask = (t: string): Promise<string> => d.ctrl!.registry.dispatch({ name: t.split(' ')[0] ?? '', rawArgs: t.split(' ').slice(1).join(' '), args: t.split(' ').slice(1) }, '');
      expect(await ask('LIST_NETWORKS')).toBe('network id / ssid / bssid / flags\n0\thome\tany\t\n');
      expect(await ask('ADD_NETWORK')).toBe('1\n');
      expect(await ask('SET_NETWORK 1 ssid "two words"')).toBe('OK\n');
      expect(await ask('GET_NETWORK 1 ssid')).toBe('"two words"');
      expect(await ask('SELECT_NETWORK 1')).toBe('OK\n');
      expect(await ask('REMOVE_NETWORK all')).toBe('OK\n');
      expect(await ask('SAVE_CONFIG')).toBe('OK\n');
      expect(d.er.started).toBe(false);
    } finally {
      await d.stop();
    }
  });
});
