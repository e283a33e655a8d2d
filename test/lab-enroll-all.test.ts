/**
 * The README's headless command: `wpsd lab --enroll-all --enrollees 50`
 * enrolls fifty simulated stations by PIN through three APs' proxies (three
 * channels, a process each) and their External Registrars, prints the
 * summary and exits 0 (bounded to 120 s);
 * PBC does it one button at a time; a run stopped midway exits 1.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
/** A port of its own, so labs of parallel test files do not find each other's AP. */
const SSDP_PORT = 50_000 + (process.pid % 8_000);
const RUN_LIMIT_MS = 120_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `onStderr` sees stderr as it grows (to stop the lab midway). */
function runLab(args: string[], onStderr?: (text: string, stop: () => void) => void): Promise<Run> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, 'lab', ...args, '--ssdp-port', String(SSDP_PORT)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onStderr?.(stderr, () => proc.kill('SIGTERM'));
    });
    // SIGTERM first: the lab stops cleanly and still prints its summary; SIGKILL if even that hangs.
    const term = setTimeout(() => proc.kill('SIGTERM'), RUN_LIMIT_MS);
    const kill = setTimeout(() => proc.kill('SIGKILL'), RUN_LIMIT_MS + 10_000);
    // 'close': the summary lines are all read before the result is.
    proc.on('close', (code, signal) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('wpsd lab options', () => {
  it('refuses --method without --enroll-all (it would be ignored) and --enrollees past 1000, each with a reason', { timeout: 30_000 }, async () => {
    const method = await runLab(['--method', 'pbc']);
    expect(method.code).toBe(2);
    expect(method.stderr).toContain('--method takes effect with --enroll-all only');
    const many = await runLab(['--enroll-all', '--enrollees', '1001']);
    expect(many.code).not.toBe(0);
    expect(many.stderr).toContain('a number of stations from 1 to 1000 is expected');
    const rate = await runLab(['--rate', '50']);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toContain('--rate takes effect with --enroll-all only');
  });
});

describe('wpsd lab --enroll-all', () => {
  it('enrolls 50 stations by PIN through the proxy, prints the summary and exits 0', { timeout: RUN_LIMIT_MS + 20_000 }, async () => {
    const r = await runLab(['--enroll-all', '--enrollees', '50']);
    const why = `exit ${r.code} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr.slice(-3000)}`;
    expect(r.stdout, why).toContain('enrolled: 50/50');
    expect(r.stdout, why).toMatch(/^failed: {3}0$/m);
    expect(r.stdout, why).toMatch(/^total time: \d+\.\d\d s$/m);
    expect(r.stdout, why).toMatch(/^per enrollment: median \d+\.\d\d s, p99 \d+\.\d\d s$/m);
    // 100/s needs three APs at about 41/s each: three channels, each a process of its own.
    expect(r.stdout, why).toMatch(/^APs: 3 on channels 6, 1, 11 \(planned for 100\/s: /m);
    expect(r.stdout, why).toMatch(/^ {2}channel 1: 17\/17 enrolled in \d+\.\d\d s/m);
    expect(r.stdout, why).toMatch(/^ {2}channel 6: 17\/17 enrolled in \d+\.\d\d s/m);
    expect(r.stdout, why).toMatch(/^ {2}channel 11: 16\/16 enrolled in \d+\.\d\d s/m);
    expect(r.stdout, why).toMatch(/^scans: \d+\.\d\d per enrollment; the first found the AP selected for \d+ of 50$/m);
    expect(r.stdout, why).toMatch(/^CPU: \d+\.\d ms per enrollment/m);
    expect(r.stdout, why).toMatch(/^memory: VmRSS \d+ MiB before the run, VmHWM \d+ MiB after it; channel processes, VmRSS at start -> VmHWM, MiB: ch 1 \d+ -> \d+, ch 6 \d+ -> \d+, ch 11 \d+ -> \d+$/m);
    expect(r.code, why).toBe(0);
  });

  it('enrolls stations one push button at a time with --method pbc', { timeout: 60_000 }, async () => {
    const r = await runLab(['--enroll-all', '--enrollees', '5', '--method', 'pbc']);
    const why = `exit ${r.code} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr.slice(-3000)}`;
    expect(r.stdout, why).toContain('enrolled: 5/5');
    expect(r.code, why).toBe(0);
  });

  it('stopped midway (SIGTERM) it still prints the summary, and exits 1 since not all enrolled', { timeout: 60_000 }, async () => {
    let sent = false;
    const r = await runLab(['--enroll-all', '--enrollees', '50'], (text, stop) => {
      if (!sent && /^1\/50 \S+ enrolled$/m.test(text)) {
        sent = true;
        stop();
      }
    });
    const why = `exit ${r.code} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr.slice(-3000)}`;
    expect(sent, why).toBe(true);
    const enrolled = Number(/^enrolled: (\d+)\/50$/m.exec(r.stdout)?.[1]);
    expect(enrolled, why).toBeGreaterThanOrEqual(1);
    expect(enrolled, why).toBeLessThan(50);
    expect(r.stdout, why).toContain('Stopped');
    expect(r.code, why).toBe(1);
  });
});
