/**
 * `wpsd lab` as a newcomer meets it: started from the built CLI, its ER web
 * console driven in headless Debian Chromium. A second lab runs beside it on
 * the same SSDP port, and each console sees only its own AP and stations,
 * also once the other lab has gone. The ER finds the lab's AP over SSDP on
 * lo, the AP is learned (its SSID shows) and configured (the form completes,
 * the new key shows), one station is enrolled by its label PIN through the
 * AP's proxy, a wrong PIN shows on its station's row and a retry enrolls it,
 * three wrong AP PINs lock AP setup and the row says until when; Ctrl+C
 * stops the lab cleanly (ssdp:byebye on lo, the temp dir gone). Screenshots
 * at 1400x900, 800x600 and 390 wide go to test-artifacts/.
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

function startLabProcess(out: { text: string; err: string }): ChildProcess {
  const proc = spawn(process.execPath, [CLI, 'lab', '--enrollees', '3', '--ssdp-port', String(SSDP_PORT)], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.setEncoding('utf8');
  proc.stderr?.setEncoding('utf8');
  proc.stdout?.on('data', (d: string) => (out.text += d));
  proc.stderr?.on('data', (d: string) => (out.err += d));
  return proc;
}

describe('wpsd lab: the ER web console in Chromium', () => {
  let lab: ChildProcess;
  const out = { text: '', err: '' };
  let info: LabInfo;
  /** The second lab, on the same SSDP port. */
  let lab2: ChildProcess;
  const out2 = { text: '', err: '' };
  let info2: LabInfo;
  let page2: Page;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    lab = startLabProcess(out);
    lab2 = startLabProcess(out2);
    [info, info2] = await Promise.all([readBanner(lab, out), readBanner(lab2, out2)]);
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
    page2 = await context.newPage();
    page2.setDefaultTimeout(UI_TIMEOUT_MS);
    page2.on('pageerror', (e) => pageErrors.push(e.message));
    await page2.goto(info2.url);
    await page2.locator('[data-testid="connection"][data-state="live"]').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    for (const p of [lab, lab2]) {
      if (p && p.exitCode === null && p.signalCode === null) {
        p.kill('SIGKILL');
        await new Promise((r) => p.once('exit', r));
      }
    }
    for (const i of [info, info2]) if (i?.dir) rmSync(i.dir, { recursive: true, force: true });
  });

  it('prints the console URL, the AP PIN and each station with the PIN on its label', () => {
    expect(info.apPin).toMatch(/^\d{8}$/);
    expect(info.apUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(info.stations).toHaveLength(3);
    expect(existsSync(join(info.dir, 'medium.sock'))).toBe(true);
  });

  it('two labs on one machine (one SSDP port): each console has only its own AP and stations, also after the other lab stops', { timeout: 2 * STEP_TEST_MS }, async () => {
    expect(info2.apUuid).not.toBe(info.apUuid);
    expect(info2.stations.map((s) => s.mac)).not.toEqual(info.stations.map((s) => s.mac));
    const rowsOf = async (p: Page): Promise<{ aps: (string | null)[]; stations: (string | null)[] }> => ({
      aps: await p.locator('[data-testid="ap-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-uuid'))),
      stations: (await p.locator('[data-testid="enrollee-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-mac')))).sort(),
    });
    const own = (i: LabInfo) => ({ aps: [i.apUuid], stations: i.stations.map((s) => s.mac).sort() });
    await poll(() => rowsOf(page)).toEqual(own(info));
    await poll(() => rowsOf(page2)).toEqual(own(info2));
    // The other lab's AP goes away: nothing of ours goes with it.
    const exited = new Promise<number | null>((resolve) => lab2.once('exit', (code) => resolve(code)));
    lab2.kill('SIGINT');
    expect(await within(exited, STOP_TIMEOUT_MS, () => `the second lab did not stop:\n${out2.err}`)).toBe(0);
    await poll(() => page2.getByTestId('connection').getAttribute('data-state')).not.toBe('live');
    await page2.close();
    expect(await rowsOf(page)).toEqual(own(info));
    expect(out.text + out.err).not.toContain(info2.apUuid);
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
    await poll(() => page.getByTestId('learn-message').textContent()).toBe('Learned: SSID wpsd-lab.');
    // The NACK that ends the learn is marked as what it is.
    await poll(() => page.locator('[data-testid="event-line"].ev-note').count()).toBeGreaterThan(0);
  });

  it('configures the AP: the form completes when the run ends and the row shows the new key when asked', { timeout: STEP_TEST_MS }, async () => {
    await page.getByTestId('config-pin').fill(info.apPin);
    await page.getByTestId('config-ssid').fill('lab-configured');
    await page.getByTestId('config-key').fill('configured passphrase');
    await page.getByTestId('config-submit').click();
    await poll(() => page.getByTestId('config-message').textContent()).toBe('Configured: the AP now uses SSID lab-configured. “Show” in its row gives the new key.');
    await poll(() => page.getByTestId('ap-ssid').textContent()).toBe('lab-configured');
    await poll(() => page.getByTestId('event-log').textContent()).toContain('WPS-NEW-AP-SETTINGS');
    await page.getByTestId('ap-key-toggle').click();
    await poll(() => page.getByTestId('ap-key').textContent()).toBe('configured passphrase');
    await page.getByTestId('ap-key-toggle').click();
    expect(await page.getByTestId('learn-message').textContent()).toBe('Learned: SSID wpsd-lab.');
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

  it("a wrong PIN for another station shows on that station's row with the reason, and a retry with its PIN enrolls it", { timeout: 2 * STEP_TEST_MS }, async () => {
    const sta = info.stations[1] as { mac: string; pin: string };
    const wrong = sta.pin === '12345670' ? '49226874' : '12345670';
    const row = page.locator(`[data-testid="enrollee-row"][data-mac="${sta.mac}"]`);
    await row.getByTestId('enrollee-pin').click();
    expect(await page.getByTestId('pin-pin').inputValue()).toBe('');
    await page.getByTestId('pin-pin').fill(wrong);
    await page.getByTestId('pin-submit').click();
    await poll(() => row.getAttribute('data-state')).toBe('failed');
    await poll(() => row.getByTestId('enrollee-why').textContent()).toMatch(/^Wrong PIN: this Enrollee's PIN did not match \(WPS-FAIL msg=\d+ config_error=18\)/);
    expect(await row.getByTestId('enrollee-state').getAttribute('title')).toMatch(/^WPS-FAIL msg=\d+ config_error=18/);
    await poll(() => page.getByTestId('pin-message').textContent()).toMatch(/^lab-sta-02 PIN \d{8}: Wrong PIN: /);
    await poll(() => page.getByTestId('count-enrolled').textContent()).toBe('1');
    // The failure belongs to the station, not to the AP's forms.
    expect(await page.getByTestId('config-message').textContent()).not.toContain('PIN');
    expect(await page.getByTestId('learn-message').textContent()).toBe('Learned: SSID wpsd-lab.');
    await row.getByTestId('enrollee-pin').click();
    expect(await row.getByTestId('enrollee-pin').textContent()).toBe('Retry PIN…');
    expect(await page.getByTestId('pin-pin').inputValue()).toBe('');
    await page.getByTestId('pin-pin').fill(sta.pin);
    await page.getByTestId('pin-submit').click();
    await poll(() => row.getAttribute('data-state')).toBe('enrolled');
    await poll(() => page.getByTestId('count-enrolled').textContent()).toBe('2');
    expect(await row.getByTestId('enrollee-why').count()).toBe(0);
  });

  it('push button for the third station: it pushes its own button too and turns enrolled', { timeout: STEP_TEST_MS }, async () => {
    const sta = info.stations[2] as { mac: string; pin: string };
    const row = page.locator(`[data-testid="enrollee-row"][data-mac="${sta.mac}"]`);
    await row.getByTestId('enrollee-pbc').click();
    await poll(() => row.getAttribute('data-state')).toBe('enrolled');
    await poll(() => page.getByTestId('count-enrolled').textContent()).toBe('3');
    expect(pageErrors).toEqual([]);
  });

  it('three wrong AP PINs lock AP setup: the row shows the lock and when it ends, and a learn says so', { timeout: 2 * STEP_TEST_MS }, async () => {
    const row = page.locator('[data-testid="ap-row"]');
    const wrong = info.apPin === '12345670' ? '49226874' : '12345670';
    for (let i = 0; i < 3; i++) {
      await poll(async () => (await row.textContent())?.includes('Running…')).toBe(false);
      await page.getByTestId('learn-pin').fill(wrong);
      await page.getByTestId('learn-submit').click();
      await poll(() => page.getByTestId('learn-message').textContent()).toMatch(/^(Wrong AP PIN|AP Setup Locked): /);
    }
    await poll(() => row.getByTestId('ap-locked').textContent()).toBe('Setup locked');
    expect(Number(await row.getByTestId('ap-lock-end').getAttribute('data-until'))).toBeGreaterThan(Date.now());
    await poll(() => row.getByTestId('ap-lock-end').textContent()).toMatch(/^until \d\d:\d\d:\d\d \(\d+ s\)$/);
    await poll(() => page.getByTestId('event-log').textContent()).toContain('WPS-AP-SETUP-LOCKED');
    await poll(async () => (await row.textContent())?.includes('Running…')).toBe(false);
    await page.getByTestId('learn-pin').fill(info.apPin);
    await page.getByTestId('learn-submit').click();
    await poll(() => page.getByTestId('learn-message').textContent()).toMatch(/^AP Setup Locked: .*It takes the AP PIN again at \d\d:\d\d:\d\d\.$/);
  });

  it('lays out at 1400x900, 800x600 and 390 wide without sideways scrolling, and keeps the screenshots', { timeout: STEP_TEST_MS }, async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const [w, h, name] of [
      [1400, 900, 'lab-console-1400x900.png'],
      [800, 600, 'lab-console-800x600.png'],
      [390, 844, 'lab-console-390.png'],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await poll(() => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(ARTIFACTS, name.replace(/\.png$/, '-view.png')) });
    }
    await page.screenshot({ path: join(ARTIFACTS, 'lab-console.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
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
      expect(await within(exited, STOP_TIMEOUT_MS, () => `wpsd lab did not stop:\n${out.err}`)).toBe(0);
      expect(await within(byebye, 1_000, () => 'no ssdp:byebye for the AP on lo')).toMatch(/NOTIFY \* HTTP\/1\.1/);
    } finally {
      listener.close();
    }
    expect(out.text).toContain('SIGINT received: stopping the lab');
    expect(existsSync(info.dir)).toBe(false);
  });
});
