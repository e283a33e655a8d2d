/**
 * The ER web console in headless Debian Chromium, against the scripted
 * FakeBackend: an AP appears and is learned (its SSID shows), a station
 * probes, sends M1 and is authorised by PIN (it turns enrolled), bad input
 * gets a clear message. Leaves a screenshot in test-artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBackend, type FakeEnrolleeSpec } from '../src/web/fake-backend.js';
import { createConsoleServer, type ConsoleServer } from '../src/web/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
const AP_UUID = '87654321-9abc-def0-1234-56789abc0002';
const AP_MAC = '02:11:22:33:44:55';
const AP_PIN = '12345670';
const SECRET = 'lab passphrase 42';
/** Playwright's own waits; generous because two test workers share two cores. */
const UI_TIMEOUT_MS = 15_000;

/** expect.poll with the UI timeout (its own default is one second). */
function poll<T>(fn: () => Promise<T> | T) {
  return expect.poll(fn, { timeout: UI_TIMEOUT_MS, interval: 50 });
}

function station(n: number, pin: string | undefined, name: string): FakeEnrolleeSpec {
  const hex = n.toString(16).padStart(2, '0');
  return {
    uuid: `2b7093f1-d6fb-5108-adbb-bea66bb873${hex}`,
    mac: `02:66:a0:ee:17:${hex}`,
    deviceName: name,
    manufacturer: 'Company',
    modelName: 'cmodel',
    modelNumber: '123',
    serialNumber: `sn-${n}`,
    priDevType: '1-0050F204-1',
    configMethods: 0x238c,
    devPasswdId: 0,
    apUuid: AP_UUID,
    pin,
  };
}

describe('ER web console in Chromium', () => {
  let fake: FakeBackend;
  let server: ConsoleServer;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fake = new FakeBackend({ stepMs: 40 });
    server = await createConsoleServer({ backend: fake });
    userDataDir = mkdtempSync(join(tmpdir(), `wpsd-web-${process.pid}-`));
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
      // The 400 answers to bad input are expected; Chromium logs each as a failed resource.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    await page.goto(server.url);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    fake?.dispose();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('shows an AP as it appears, refuses a bad AP PIN with a clear message, learns the AP and shows its SSID', async () => {
    fake.addAp({
      uuid: AP_UUID,
      mac: AP_MAC,
      friendlyName: 'Very friendly name',
      manufacturer: 'Company',
      modelName: 'WAP',
      apPin: AP_PIN,
      settings: { ssid: 'wpsd-lab', authType: 'WPA2PSK', encrType: 'CCMP', key: SECRET },
    });
    const row = page.locator(`[data-testid="ap-row"][data-uuid="${AP_UUID}"]`);
    await row.waitFor();
    await poll(() => row.textContent()).toContain('Very friendly name');
    await poll(() => page.getByTestId('ap-ssid').textContent()).toBe('not learned');

    await page.getByLabel('AP PIN').first().fill('1234567');
    await page.getByTestId('learn-submit').click();
    await poll(() => page.getByTestId('learn-message').textContent()).toBe('AP PIN must have 4 or 8 digits (spaces and dashes are ignored).');
    expect(await page.getByTestId('learn-pin').getAttribute('aria-invalid')).toBe('true');

    await page.getByTestId('learn-pin').fill('1234 5678');
    await page.getByTestId('learn-submit').click();
    await poll(() => page.getByTestId('learn-message').textContent()).toMatch(/wrong checksum/);

    await page.getByTestId('learn-pin').fill(AP_PIN);
    await page.getByTestId('learn-submit').click();
    await poll(() => page.getByTestId('ap-ssid').textContent()).toBe('wpsd-lab');
    await poll(() => page.getByTestId('learn-message').textContent()).toBe('Learned: SSID wpsd-lab.');
    expect(await row.textContent()).toContain('WPA2PSK / CCMP');

    // The key stays hidden, in the table and in the event log, until asked for.
    expect(await page.content()).not.toContain(SECRET);
    await poll(() => page.getByTestId('event-log').textContent()).toContain(`WPS-ER-AP-SETTINGS uuid=${AP_UUID} ssid=wpsd-lab auth_type=0x0020 encr_type=0x0008 key=[REMOVED]`);
    await page.getByTestId('ap-key-toggle').click();
    await poll(() => page.getByTestId('ap-key').textContent()).toBe(SECRET);
    await page.getByTestId('ap-key-toggle').click();
    await poll(() => page.getByTestId('ap-key').textContent()).not.toBe(SECRET);
  });

  it('a configure form with a too-long SSID gets a clear message', async () => {
    await page.getByTestId('config-pin').fill(AP_PIN);
    await page.getByTestId('config-ssid').fill('x'.repeat(33));
    await page.getByTestId('config-key').fill('12345678');
    await page.getByTestId('config-submit').click();
    await poll(() => page.getByTestId('config-message').textContent()).toBe('SSID must be 1 to 32 bytes long; this one is 33 bytes (UTF-8).');
  });

  it('shows a station from probe to M1, authorises it by PIN and sees it turn enrolled', async () => {
    const sta = station(0x27, '49226874', 'Living room TV');
    fake.enrolleeProbes(sta);
    const row = page.locator(`[data-testid="enrollee-row"][data-mac="${sta.mac}"]`);
    await poll(() => row.getAttribute('data-state')).toBe('probe');
    await poll(() => row.getByTestId('enrollee-state').textContent()).toBe('Probe seen');
    fake.enrolleeSendsM1(sta.mac);
    await poll(() => row.getByTestId('enrollee-state').textContent()).toBe('M1 seen');

    await row.getByTestId('enrollee-pin').click();
    expect(await page.getByTestId('pin-enrollee').inputValue()).toBe(sta.uuid);
    await page.getByTestId('pin-pin').fill('4922687');
    await page.getByTestId('pin-submit').click();
    await poll(() => page.getByTestId('pin-message').textContent()).toBe('PIN must have 4 or 8 digits (spaces and dashes are ignored).');

    await page.getByTestId('pin-pin').fill('4922-6874');
    await page.getByTestId('pin-submit').click();
    await poll(() => row.getByTestId('enrollee-state').textContent()).toBe('Enrolled');
    await poll(() => page.locator(`[data-testid="net-station"][data-mac="${sta.mac}"]`).getAttribute('data-state')).toBe('enrolled');
    await poll(() => page.getByTestId('event-log').textContent()).toContain('AP-STA-CONNECTED 02:66:a0:ee:17:27');
    expect(await page.getByTestId('count-enrolled').textContent()).toBe('1');
  });

  it('enrolls all waiting stations with progress, and keeps a screenshot', async () => {
    fake.enrolleeProbes(station(0x30, '12345670', 'Laptop'));
    fake.enrolleeProbes(station(0x31, undefined, 'Printer'));
    fake.enrolleeProbes(station(0x32, '49226874', 'Phone'));
    await poll(() => page.getByTestId('count-waiting').textContent()).toBe('3');
    await page.getByTestId('all-submit').click();
    await poll(() => page.getByTestId('all-progress-text').textContent()).toBe('3 / 3 · 2 enrolled · 1 failed');
    await poll(() => page.locator('[data-testid="enrollee-row"][data-mac="02:66:a0:ee:17:31"]').getAttribute('data-state')).toBe('failed');
    fake.enrolleeProbes(station(0x33, '12345670', 'Camera'));
    fake.enrolleeProbes(station(0x34, '12345670', 'Speaker'));
    fake.enrolleeSendsM1('02:66:a0:ee:17:34');
    await poll(() => page.locator('[data-testid="net-station"]').count()).toBe(6);
    expect(pageErrors).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-console.png'), fullPage: true });
  });

  it('shows device strings from the network as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__wpsdXss=1">';
    fake.enrolleeProbes({ ...station(0x40, undefined, evil), manufacturer: '<b>bold</b>' });
    const row = page.locator('[data-testid="enrollee-row"][data-mac="02:66:a0:ee:17:40"]');
    await poll(() => row.textContent()).toContain(evil);
    await poll(() => page.getByTestId('event-log').textContent()).toContain(`|${evil}|<b>bold</b>|`);
    expect(await page.evaluate(() => (globalThis as unknown as { __wpsdXss?: number }).__wpsdXss)).toBeUndefined();
    expect(await row.locator('img, b').count()).toBe(0);
  });
});
