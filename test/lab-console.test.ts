/**
 * `wpsd lab` as a newcomer meets it: started from the built CLI, its ER web
 * console driven in headless Debian Chromium. The ER finds the lab's AP over
 * SSDP on lo, the AP is learned (its SSID shows), one station is enrolled by
 * its label PIN through the AP's proxy and turns enrolled; Ctrl+C stops the
 * lab cleanly (ssdp:byebye on lo, the temp dir gone). Leaves a screenshot in
 * test-artifacts/lab-console.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
const SSDP_GROUP = '239.255.255.250';
/** A port of its own, so labs of parallel test files do not find each other's AP. */
const SSDP_PORT = 42_000 + (process.pid % 8_000);
/** Generous: two test workers, Chromium and the lab share two cores. */
const UI_TIMEOUT_MS = 30_000;
const STEP_TEST_MS = 60_000;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

/** `p`, or a rejection naming `what` after `ms`; the timer never outlives the race. */
async function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function poll<T>(fn: () => Promise<T> | T) {
  return expect.poll(fn, { timeout: UI_TIMEOUT_MS, interval: 100 });
}

interface LabInfo {
  url: string;
  apPin: string;
  apUuid: string;
  dir: string;
  stations: { mac: string; pin: string }[];
}

/** Reads the lab's banner from its stdout until the console URL line. */
function readBanner(proc: ChildProcess, out: { text: string }): Promise<LabInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wpsd lab did not start:\n${out.text}`)), START_TIMEOUT_MS);
    const check = (): void => {
      const url = /^ER web console: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out.text)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      const apPin = /AP PIN (\d{8}),/.exec(out.text)?.[1] ?? '';
      const apUuid = / uuid ([0-9a-f-]{36}),/.exec(out.text)?.[1] ?? '';
      const dir = /hostapd_cli -p (\S+)\/ap -i wlan0/.exec(out.text)?.[1] ?? '';
      const stations = [...out.text.matchAll(/^ {4}([0-9a-f:]{17}) {2}lab-sta-\d+ PIN (\d{8})$/gm)].map((m) => ({ mac: m[1] as string, pin: m[2] as string }));
      resolve({ url, apPin, apUuid, dir, stations });
    };
    proc.stdout?.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wpsd lab exited (${code}) before it started:\n${out.text}`));
    });
  });
}

describe('wpsd lab: the ER web console in Chromium', () => {
  let lab: ChildProcess;
  const out = { text: '' };
  let err = '';
  let info: LabInfo;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    lab = spawn(process.execPath, [CLI, 'lab', '--enrollees', '3', '--ssdp-port', String(SSDP_PORT)], { stdio: ['ignore', 'pipe', 'pipe'] });
    lab.stdout?.setEncoding('utf8');
    lab.stderr?.setEncoding('utf8');
    lab.stdout?.on('data', (d: string) => (out.text += d));
    lab.stderr?.on('data', (d: string) => (err += d));
    info = await readBanner(lab, out);
    userDataDir = mkdtempSync(join(tmpdir(), `wpsd-lab-web-${process.pid}-`));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(info.url);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (lab && lab.exitCode === null && lab.signalCode === null) {
      lab.kill('SIGKILL');
      await new Promise((r) => lab.once('exit', r));
    }
    if (info?.dir) rmSync(info.dir, { recursive: true, force: true });
  });

  it('prints the console URL, the AP PIN and each station with the PIN on its label', () => {
    expect(info.apPin).toMatch(/^\d{8}$/);
    expect(info.apUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(info.stations).toHaveLength(3);
    expect(existsSync(join(info.dir, 'medium.sock'))).toBe(true);
  });

  it('finds the AP over SSDP on lo, learns it with the AP PIN and shows its SSID', { timeout: STEP_TEST_MS }, async () => {
    const row = page.locator('[data-testid="ap-row"]');
    await poll(() => row.count()).toBe(1);
    expect(await row.getAttribute('data-uuid')).toBe(info.apUuid);
    await poll(() => row.textContent()).toContain('wpsd lab AP');
    await poll(() => page.getByTestId('ap-ssid').textContent()).toBe('not learned');
    await page.getByTestId('learn-pin').fill(info.apPin);
    await page.getByTestId('learn-submit').click();
    await poll(() => page.getByTestId('ap-ssid').textContent()).toBe('wpsd-lab');
    expect(await row.textContent()).toContain('WPA2PSK / CCMP');
    await poll(() => page.getByTestId('event-log').textContent()).toContain('WPS-ER-AP-SETTINGS uuid=');
  });

  it('lists the probing stations, enrolls one by its PIN and sees it turn enrolled, and stay so after the ER drops it', { timeout: STEP_TEST_MS }, async () => {
    const sta = info.stations[0] as { mac: string; pin: string };
    const row = page.locator(`[data-testid="enrollee-row"][data-mac="${sta.mac}"]`);
    await poll(() => row.getAttribute('data-state')).toMatch(/^(probe|m1)$/);
    await poll(() => page.locator('[data-testid="enrollee-row"]').count()).toBe(3);
    await row.getByTestId('enrollee-pin').click();
    await page.getByTestId('pin-pin').fill(sta.pin);
    await page.getByTestId('pin-submit').click();
    await poll(() => row.getAttribute('data-state')).toBe('enrolled');
    await poll(() => row.getByTestId('enrollee-state').textContent()).toBe('Enrolled');
    await poll(() => page.getByTestId('count-enrolled').textContent()).toBe('1');
    await poll(() => page.getByTestId('event-log').textContent()).toContain('WPS-SUCCESS');
    // The other stations were not authorised and still wait.
    for (const other of info.stations.slice(1)) {
      expect(await page.locator(`[data-testid="enrollee-row"][data-mac="${other.mac}"]`).getAttribute('data-state')).not.toBe('enrolled');
    }
    // The ER forgets an Enrollee 10 s after its run (WPS-ER-ENROLLEE-REMOVE); the console keeps the outcome.
    await expect
      .poll(() => page.getByTestId('event-log').textContent(), { timeout: 30_000, interval: 250 })
      .toContain(`WPS-ER-ENROLLEE-REMOVE ${await row.getAttribute('data-uuid')} ${sta.mac}`);
    expect(await row.getAttribute('data-state')).toBe('enrolled');
  });

  it('a wrong PIN for another station turns it failed, with the reason', { timeout: STEP_TEST_MS }, async () => {
    const sta = info.stations[1] as { mac: string; pin: string };
    const wrong = sta.pin === '12345670' ? '49226874' : '12345670';
    const row = page.locator(`[data-testid="enrollee-row"][data-mac="${sta.mac}"]`);
    await row.getByTestId('enrollee-pin').click();
    await page.getByTestId('pin-pin').fill(wrong);
    await page.getByTestId('pin-submit').click();
    await poll(() => row.getAttribute('data-state')).toBe('failed');
    expect(await row.getByTestId('enrollee-state').getAttribute('title')).toMatch(/^WPS-FAIL msg=\d+ config_error=\d+/);
    await poll(() => page.getByTestId('count-enrolled').textContent()).toBe('1');
  });

  it('push button for the third station: it pushes its own button too and turns enrolled', { timeout: STEP_TEST_MS }, async () => {
    const sta = info.stations[2] as { mac: string; pin: string };
    const row = page.locator(`[data-testid="enrollee-row"][data-mac="${sta.mac}"]`);
    await row.getByTestId('enrollee-pbc').click();
    await poll(() => row.getAttribute('data-state')).toBe('enrolled');
    await poll(() => page.getByTestId('count-enrolled').textContent()).toBe('2');
    expect(pageErrors).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'lab-console.png'), fullPage: true });
  });

  it('stops cleanly on Ctrl+C: ssdp:byebye on lo, exit 0, its sockets and temp dir removed', { timeout: STEP_TEST_MS }, async () => {
    const listener = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const byebye = new Promise<string>((resolve) => {
      listener.on('message', (m) => {
        const text = m.toString('latin1');
        if (/NTS:\s*ssdp:byebye/i.test(text) && text.includes(`uuid:${info.apUuid}`)) resolve(text);
      });
    });
    await new Promise<void>((resolve) => listener.bind({ port: SSDP_PORT, address: SSDP_GROUP, exclusive: false }, () => resolve()));
    listener.addMembership(SSDP_GROUP, '127.0.0.1');
    try {
      const exited = new Promise<number | null>((resolve) => lab.once('exit', (code) => resolve(code)));
      lab.kill('SIGINT');
      expect(await within(exited, STOP_TIMEOUT_MS, () => `wpsd lab did not stop:\n${err}`)).toBe(0);
      expect(await within(byebye, 1_000, () => 'no ssdp:byebye for the AP on lo')).toMatch(/NOTIFY \* HTTP\/1\.1/);
    } finally {
      listener.close();
    }
    expect(out.text).toContain('SIGINT received: stopping the lab');
    expect(existsSync(info.dir)).toBe(false);
  });
});
