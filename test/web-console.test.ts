/**
 * The ER web console in headless Debian Chromium, against the scripted
 * FakeBackend: an AP appears and is learned (its SSID shows), configured
 * (the form completes, the new key shows), a station probes, sends M1 and is
 * authorised by PIN (it turns enrolled), a wrong station PIN shows on that
 * station's row with a retry, AP Setup Locked shows with its end, bad input
 * gets a clear message; the layout at 1400x900, 800x600 and 390 wide (no
 * sideways scrolling, row buttons in reach, focus kept across live updates,
 * paging with a thousand stations). Screenshots go to test-artifacts/.
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
/** The fake AP's setup lock: short, so the test sees it end. */
const LOCKOUT_MS = 6_000;
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
    fake = new FakeBackend({ stepMs: 40, lockoutMs: LOCKOUT_MS });
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

  it("marks the learn's closing WSC_NACK (WPS-FAIL msg=11 config_error=0) as what it is, not as a failure", async () => {
    const line = page.locator('[data-testid="event-line"]', { hasText: 'WPS-FAIL msg=11 config_error=0' }).first();
    await poll(() => line.getAttribute('class')).toBe('ev-note');
    expect(await line.getByTestId('event-note').textContent()).toContain('not an error: the WSC_NACK that ends a learn');
  });

  it('configure completes on the run\'s end (WPS-NEW-AP-SETTINGS), and the row then shows the new key, also where the old one was shown', async () => {
    await page.getByTestId('ap-key-toggle').click();
    await poll(() => page.getByTestId('ap-key').textContent()).toBe(SECRET);
    await page.getByTestId('config-pin').fill(AP_PIN);
    await page.getByTestId('config-ssid').fill('new-net');
    await page.getByTestId('config-key').fill('new passphrase 7');
    await page.getByTestId('config-submit').click();
    await poll(() => page.getByTestId('config-message').textContent()).toBe('Configured: the AP now uses SSID new-net. “Show” in its row gives the new key.');
    await poll(() => page.getByTestId('ap-ssid').textContent()).toBe('new-net');
    await poll(() => page.getByTestId('ap-key').textContent()).toBe('new passphrase 7');
    await poll(() => page.getByTestId('event-log').textContent()).toContain('WPS-NEW-AP-SETTINGS');
    await page.getByTestId('ap-key-toggle').click();
    await poll(() => page.getByTestId('ap-key').textContent()).not.toContain('new passphrase');
    await page.getByTestId('ap-key-toggle').click();
    await poll(() => page.getByTestId('ap-key').textContent()).toBe('new passphrase 7');
    await page.getByTestId('ap-key-toggle').click();
    // The learn form's message is its own run's, untouched by the configure.
    expect(await page.getByTestId('learn-message').textContent()).toBe('Learned: SSID wpsd-lab.');
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

  it("a wrong station PIN shows on that station's row with a retry; the PIN field starts empty for each station", async () => {
    const a = station(0x28, '12345670', 'Kitchen radio');
    const b = station(0x29, '49226874', 'Hall lamp');
    fake.enrolleeProbes(a);
    fake.enrolleeProbes(b);
    fake.enrolleeSendsM1(a.mac);
    const rowA = page.locator(`[data-testid="enrollee-row"][data-mac="${a.mac}"]`);
    const rowB = page.locator(`[data-testid="enrollee-row"][data-mac="${b.mac}"]`);
    await poll(() => rowA.getAttribute('data-state')).toBe('m1');
    await rowA.getByTestId('enrollee-pin').click();
    await page.getByTestId('pin-pin').fill('49226874');
    // Another station chosen before sending: its PIN field starts empty.
    await rowB.getByTestId('enrollee-pin').click();
    expect(await page.getByTestId('pin-pin').inputValue()).toBe('');
    await rowA.getByTestId('enrollee-pin').click();
    expect(await page.getByTestId('pin-pin').inputValue()).toBe('');
    await page.getByTestId('pin-pin').fill('49226874');
    await page.getByTestId('pin-submit').click();
    await poll(() => rowA.getAttribute('data-state')).toBe('failed');
    await poll(() => rowA.getByTestId('enrollee-why').textContent()).toBe(
      'Wrong PIN: this Enrollee\'s PIN did not match (WPS-FAIL msg=8 config_error=18). Check the PIN on its label or display and try again.',
    );
    await poll(() => page.getByTestId('pin-message').textContent()).toMatch(/^Kitchen radio: Wrong PIN: /);
    expect(await page.getByTestId('config-message').textContent()).not.toContain('Wrong');
    expect(await page.getByTestId('learn-message').textContent()).toBe('Learned: SSID wpsd-lab.');
    // Retry with the right PIN, from the row.
    await rowA.getByTestId('enrollee-pin').click();
    expect(await rowA.getByTestId('enrollee-pin').textContent()).toBe('Retry PIN…');
    expect(await page.getByTestId('pin-pin').inputValue()).toBe('');
    await page.getByTestId('pin-pin').fill('12345670');
    await page.getByTestId('pin-submit').click();
    // Cleared once the PIN is accepted (the reply comes after the click).
    await poll(() => page.getByTestId('pin-pin').inputValue()).toBe('');
    fake.enrolleeSendsM1(a.mac);
    await poll(() => rowA.getAttribute('data-state')).toBe('enrolled');
    await poll(() => page.getByTestId('pin-message').textContent()).toBe('Kitchen radio enrolled: it has the network\'s credential.');
    expect(await rowA.getByTestId('enrollee-why').count()).toBe(0);
    expect(await rowA.getByTestId('enrollee-pin').count()).toBe(0);
  });

  it('keeps the focus on a row button and in the search field across live updates', async () => {
    const b = page.locator('[data-testid="enrollee-row"][data-mac="02:66:a0:ee:17:29"]');
    await b.getByTestId('enrollee-pbc').focus();
    const before = await page.locator('[data-testid="event-line"]').count();
    fake.enrolleeProbes(station(0x2a, undefined, 'Doorbell'));
    fake.enrolleeProbes({ ...station(0x29, '49226874', 'Hall lamp'), devPasswdId: 4 });
    await poll(() => page.locator('[data-testid="enrollee-row"][data-mac="02:66:a0:ee:17:2a"]').count()).toBe(1);
    await poll(() => page.locator('[data-testid="event-line"]').count()).toBeGreaterThan(before);
    await poll(() => b.textContent()).toContain('wants PBC');
    expect(await page.evaluate("[document.activeElement?.getAttribute('data-testid'), document.activeElement?.closest('tr')?.getAttribute('data-mac')]")).toEqual([
      'enrollee-pbc',
      '02:66:a0:ee:17:29',
    ]);
    await page.getByTestId('enrollee-search').focus();
    fake.enrolleeProbes(station(0x2b, undefined, 'Fridge'));
    await poll(() => page.locator('[data-testid="enrollee-row"][data-mac="02:66:a0:ee:17:2b"]').count()).toBe(1);
    expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('enrollee-search');
  });

  it('enrolls all waiting stations with progress, and keeps a screenshot', async () => {
    fake.enrolleeProbes(station(0x30, '12345670', 'Laptop'));
    fake.enrolleeProbes(station(0x31, undefined, 'Printer'));
    fake.enrolleeProbes(station(0x32, '49226874', 'Phone'));
    await poll(() => page.getByTestId('count-waiting').textContent()).toBe('6');
    await page.getByTestId('all-submit').click();
    await poll(() => page.getByTestId('all-progress-text').textContent()).toBe('6 / 6 · 3 enrolled · 3 failed');
    await poll(() => page.locator('[data-testid="enrollee-row"][data-mac="02:66:a0:ee:17:31"]').getAttribute('data-state')).toBe('failed');
    fake.enrolleeProbes(station(0x33, '12345670', 'Camera'));
    fake.enrolleeProbes(station(0x34, '12345670', 'Speaker'));
    fake.enrolleeSendsM1('02:66:a0:ee:17:34');
    await poll(() => page.locator('[data-testid="net-station"]').count()).toBe(10);
    // Every station in the picture has its label, past the seven the picture once labelled.
    expect(await page.locator('[data-testid="net-station-label"]').count()).toBe(10);
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

  it('AP Setup Locked after three wrong AP PINs: the row shows the lock and when it ends, the learn says why, and the lock ends', async () => {
    const row = page.locator(`[data-testid="ap-row"][data-uuid="${AP_UUID}"]`);
    for (let i = 0; i < 3; i++) {
      await page.getByTestId('learn-pin').fill('49226874');
      await page.getByTestId('learn-submit').click();
      await poll(() => page.getByTestId('learn-message').textContent()).toMatch(/^Wrong AP PIN: the AP did not accept it \(WPS-FAIL msg=8 config_error=18\)/);
      await poll(() => row.getAttribute('data-key')).toBe(AP_UUID);
      await poll(async () => (await row.textContent())?.includes('Running…')).toBe(false);
    }
    await poll(() => row.getByTestId('ap-locked').textContent()).toBe('Setup locked');
    const end = Number(await row.getByTestId('ap-lock-end').getAttribute('data-until'));
    expect(end).toBeGreaterThan(Date.now());
    await poll(() => row.getByTestId('ap-lock-end').textContent()).toMatch(/^until \d\d:\d\d:\d\d \(\d+ s\)$/);
    await page.getByTestId('learn-pin').fill(AP_PIN);
    await page.getByTestId('learn-submit').click();
    await poll(() => page.getByTestId('learn-message').textContent()).toMatch(
      /^AP Setup Locked: after repeated wrong AP PINs the AP refuses its PIN for a while \(WPS-FAIL msg=5 config_error=15\)\. It takes the AP PIN again at \d\d:\d\d:\d\d\.$/,
    );
    await poll(() => page.getByTestId('event-log').textContent()).toContain('WPS-AP-SETUP-LOCKED');
    await shoot('web-console-locked.png');
    await expect.poll(() => row.getByTestId('ap-locked').count(), { timeout: LOCKOUT_MS + UI_TIMEOUT_MS, interval: 200 }).toBe(0);
    await poll(() => page.getByTestId('event-log').textContent()).toContain('WPS-AP-SETUP-UNLOCKED');
    await page.getByTestId('learn-submit').click();
    await poll(() => page.getByTestId('learn-message').textContent()).toBe('Learned: SSID new-net.');
  });

  /** The page's own width against the viewport: anything wider scrolls sideways. */
  async function sideways(): Promise<number> {
    return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  }

  /** Every row button lies inside its table's card (nothing pushed out of reach). */
  async function buttonsOutside(): Promise<string[]> {
    return page.evaluate<string[]>(`(() => {
      const out = [];
      for (const b of document.querySelectorAll('[data-testid="enrollee-row"] button, [data-testid="ap-row"] button')) {
        const card = b.closest('.card').getBoundingClientRect();
        const r = b.getBoundingClientRect();
        if (r.right > card.right + 0.5 || r.left < card.left - 0.5) out.push(b.textContent + ' ' + (b.closest('tr')?.getAttribute('data-mac') ?? ''));
      }
      return out;
    })()`);
  }

  /** The whole page as `name`, and what the window shows as `name` with -view before .png. */
  async function shoot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, name.replace(/\.png$/, '-view.png')) });
  }

  it('lays out at 1400x900, 800x600 and 390 wide without sideways scrolling, row buttons in reach, a shown key and "wants PBC" included', async () => {
    await page.getByTestId('ap-key-toggle').click();
    await poll(() => page.getByTestId('ap-key').textContent()).toBe('new passphrase 7');
    for (const [w, hgt, name] of [
      [1400, 900, 'web-console-1400x900.png'],
      [800, 600, 'web-console-800x600.png'],
      [390, 844, 'web-console-390.png'],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await poll(() => sideways()).toBe(0);
      expect(await buttonsOutside(), `${w}x${hgt}`).toEqual([]);
      // The header's parts do not overlap.
      type Box = { left: number; right: number; top: number; bottom: number };
      const boxes = await page.evaluate<Box[]>("['.brand', '.counts', '.conn'].map((sel) => document.querySelector(sel).getBoundingClientRect().toJSON())");
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i] as Box;
          const b = boxes[j] as Box;
          const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          expect(overlap, `${w}x${hgt}: header parts ${i} and ${j} overlap`).toBe(false);
        }
      }
      await shoot(name);
    }
    await page.setViewportSize({ width: 1440, height: 1000 });
    expect(pageErrors).toEqual([]);
  });

  it('pages through a thousand stations and counts the ones the picture does not draw', async () => {
    for (let n = 0; n < 1000; n++) {
      const hex = n.toString(16).padStart(4, '0');
      fake.enrolleeProbes({ ...station(0, undefined, `bulk-${n}`), mac: `02:77:00:00:${hex.slice(0, 2)}:${hex.slice(2)}`, uuid: `2b7093f1-d6fb-5108-adbb-bea66bb8${hex}` });
    }
    fake.setQueued(250);
    await poll(() => page.getByTestId('enrollee-page-text').textContent()).toMatch(/^1–25 of 10\d\d$/);
    expect(await page.locator('[data-testid="enrollee-row"]').count()).toBe(25);
    await page.getByTestId('page-next').click();
    await poll(() => page.getByTestId('enrollee-page-text').textContent()).toMatch(/^26–50 of /);
    await page.getByTestId('filter-failed').click();
    await poll(() => page.locator('[data-testid="enrollee-row"][data-state="failed"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="enrollee-row"]:not([data-state="failed"])').count()).toBe(0);
    await page.getByTestId('filter-all').click();
    await page.getByTestId('enrollee-search').fill('bulk-999');
    await poll(() => page.locator('[data-testid="enrollee-row"]').count()).toBe(1);
    await page.getByTestId('enrollee-search').fill('');
    await poll(() => page.getByTestId('enrollee-queued').textContent()).toBe('250 more stations are queued: they start probing as earlier ones enroll.');
    await poll(() => page.getByTestId('net-summary').textContent()).toMatch(/^10\d\d stations: \d+ probe · \d+ M1 · \d+ enrolled · \d+ failed \(16 drawn\)$/);
    expect(await page.locator('[data-testid="net-station"]').count()).toBe(16);
    await page.setViewportSize({ width: 800, height: 600 });
    await poll(() => sideways()).toBe(0);
    await shoot('web-console-1000-800x600.png');
    await page.setViewportSize({ width: 1440, height: 1000 });
    expect(pageErrors).toEqual([]);
  });
});
