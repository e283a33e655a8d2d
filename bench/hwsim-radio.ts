/**
 * `npm run bench:hwsim`: WPS over a real kernel radio (mac80211_hwsim in the
 * hwsim VM), wpsd against the Debian daemons in ONE VM run. Each round runs
 * both sides one after the other (which goes first alternates): the AP
 * (`wpsd ap driver=nl80211` / hostapd, UPnP on a veth), an External
 * Registrar in the wired namespace (`wpsd sta -D none` / `wpa_supplicant
 * -Dnone`) that has learned the AP, and a station (`wpsd sta -D nl80211` /
 * wpa_supplicant) on its own radio. Timed, from the command to the station's
 * CTRL-EVENT-CONNECTED (wpa_state=COMPLETED, after the 4-way handshake):
 *
 *   ER PIN  `wps_er_pin any PIN` on the ER (the station's `wps_pin any PIN`
 *           right after), the Enrollee proxied by the AP over UPnP;
 *   PBC     `wps_pbc` on the station (the AP's `wps_pbc` just before), the
 *           AP's internal Registrar.
 *
 * Daemon start-up is not timed (Node under TCG takes seconds to start).
 * Runs only inside the VM (scripts/bench-hwsim.sh boots it); prints the rows
 * and writes them as RESULTS.md's hwsim section to the file given as the
 * first argument. Rounds: HWSIM_BENCH_ROUNDS (default 5), every wait bounded.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createAir, type AirHost } from '../harness/air.js';
import { startAirHostapd, startAirWpaSupplicant, startAirWpsdEr, startAirWpsdSta } from '../harness/air-daemons.js';
import { startAirWpsdAp } from '../harness/air-wpsd-ap.js';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { REFERENCE_AP } from '../harness/hostapd.js';
import { erLearn } from '../harness/er-runs.js';
import type { DaemonInstance } from '../harness/reference-daemon.js';
import { startWpaSupplicantEr } from '../harness/wpa-supplicant.js';
import { HWSIM_SECTION_BEGIN, HWSIM_SECTION_END, renderTable, stats, type BenchRow } from './results.js';

const PIN = '12345670';
const DEFAULT_ROUNDS = 5;
const MAX_ROUNDS = 20;
/** One timed run, command to CTRL-EVENT-CONNECTED. */
const RUN_MS = 120_000;
const ER_MS = 60_000;

type SideName = 'wpsd' | 'debian';

interface Daemon {
  inst: DaemonInstance;
  ctrl: CtrlSession;
}

async function withCtrl(inst: DaemonInstance): Promise<Daemon> {
  return { inst, ctrl: await inst.ctrl() };
}

async function stopAll(ds: ReadonlyArray<Daemon | undefined>): Promise<void> {
  for (const d of [...ds].reverse()) {
    d?.ctrl.close();
    await d?.inst.stop().catch(() => undefined);
  }
}

/** Milliseconds from `start` to the station's CTRL-EVENT-CONNECTED. */
async function connectedAfter(sta: Daemon, started: number): Promise<number> {
  const ev = await sta.ctrl.waitFor(/^CTRL-EVENT-CONNECTED /, RUN_MS);
  const status = await sta.inst.cli('status');
  if (!status.includes('wpa_state=COMPLETED')) throw new Error(`station not COMPLETED after CTRL-EVENT-CONNECTED:\n${status}`);
  return ev.at - started;
}

/** One side's round: the ER PIN run, then (the station's network removed) the PBC run. */
async function round(side: SideName, hosts: Map<string, AirHost>): Promise<{ erPin: number; pbc: number }> {
  const apHost = hosts.get('ap') as AirHost;
  const staHost = hosts.get('sta') as AirHost;
  const erHost = hosts.get('er') as AirHost;
  let ap: Daemon | undefined;
  let er: Daemon | undefined;
  let sta: Daemon | undefined;
  try {
    ap = await withCtrl(side === 'wpsd' ? await startAirWpsdAp({ host: apHost, upnp: true }) : await startAirHostapd({ host: apHost, upnp: true }));
    er = await withCtrl(side === 'wpsd' ? await startAirWpsdEr(erHost) : await startWpaSupplicantEr({ host: erHost }));
    await er.ctrl.requestUntilOk('WPS_ER_START');
    await er.ctrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${REFERENCE_AP.uuid} `), ER_MS);
    await erLearn(er.ctrl, REFERENCE_AP.uuid, REFERENCE_AP.apPin, { timeoutMs: ER_MS });
    sta = await withCtrl(side === 'wpsd' ? await startAirWpsdSta({ host: staHost }) : await startAirWpaSupplicant({ host: staHost }));

    sta.ctrl.mark();
    const t0 = Date.now();
    if ((await er.ctrl.request(`WPS_ER_PIN any ${PIN}`)).trim() !== 'OK') throw new Error(`${side}: WPS_ER_PIN refused`);
    if ((await sta.ctrl.request(`WPS_PIN any ${PIN}`)).trim() !== PIN) throw new Error(`${side}: station WPS_PIN refused`);
    const erPin = await connectedAfter(sta, t0);

    sta.ctrl.mark();
    await sta.ctrl.request('REMOVE_NETWORK all');
    await sta.ctrl.waitFor(/^CTRL-EVENT-DISCONNECTED /, ER_MS);
    sta.ctrl.mark();
    if ((await ap.ctrl.request('WPS_PBC')).trim() !== 'OK') throw new Error(`${side}: AP WPS_PBC refused`);
    const t1 = Date.now();
    if ((await sta.ctrl.request('WPS_PBC')).trim() !== 'OK') throw new Error(`${side}: station WPS_PBC refused`);
    const pbc = await connectedAfter(sta, t1);
    return { erPin, pbc };
  } finally {
    await stopAll([ap, er, sta]);
  }
}

function rows(samples: Record<SideName, { erPin: number[]; pbc: number[] }>, rounds: number): BenchRow[] {
  const out: BenchRow[] = [];
  const what = {
    pbc: 'hwsim (nl80211, real 4-way handshake): WPS PBC, station `wps_pbc` → CTRL-EVENT-CONNECTED (wpa_state=COMPLETED), wpsd ap + wpsd sta vs hostapd + wpa_supplicant, median ms',
    erPin: 'hwsim (nl80211, real 4-way handshake): ER PIN through the AP\'s UPnP proxy, `wps_er_pin` → station CTRL-EVENT-CONNECTED (wpa_state=COMPLETED), wpsd ap + wpsd ER + wpsd sta vs hostapd + wpa_supplicant ER + wpa_supplicant, median ms',
  } as const;
  for (const k of ['pbc', 'erPin'] as const) {
    const w = samples.wpsd[k];
    const d = samples.debian[k];
    out.push({
      what: what[k],
      ...(w.length > 0 ? { wpsd: stats(w).median } : { wpsdNote: 'failed' }),
      ...(d.length > 0 ? { reference: stats(d).median } : { referenceNote: 'failed' }),
      referenceName: 'Debian 2.10',
      runs: w.length,
      referenceRuns: d.length,
      note: `${rounds} rounds, sides alternating; min–max wpsd ${w.length > 0 ? `${stats(w).min}–${stats(w).max}` : '—'}, Debian ${d.length > 0 ? `${stats(d).min}–${stats(d).max}` : '—'} ms`,
    });
  }
  return out;
}

async function main(): Promise<void> {
  if (process.env.HWSIM_VM !== '1') throw new Error('bench/hwsim-radio runs inside the hwsim VM only (npm run bench:hwsim)');
  const outFile = process.argv[2];
  const rounds = Math.min(MAX_ROUNDS, Math.max(1, Number(process.env.HWSIM_BENCH_ROUNDS ?? DEFAULT_ROUNDS) || DEFAULT_ROUNDS));
  const loadStart = loadavg()[0] ?? 0;
  const started = Date.now();
  const { topo, hosts } = await createAir({ radios: ['ap', 'sta'], wired: ['er'] });
  const samples: Record<SideName, { erPin: number[]; pbc: number[] }> = { wpsd: { erPin: [], pbc: [] }, debian: { erPin: [], pbc: [] } };
  const failures: string[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const order: SideName[] = i % 2 === 0 ? ['debian', 'wpsd'] : ['wpsd', 'debian'];
      for (const side of order) {
        try {
          const r = await round(side, hosts);
          samples[side].erPin.push(r.erPin);
          samples[side].pbc.push(r.pbc);
          process.stdout.write(`round ${i + 1} ${side}: ER PIN ${r.erPin} ms, PBC ${r.pbc} ms\n`);
        } catch (err) {
          const msg = `round ${i + 1} ${side}: failed: ${(err as Error).message.slice(0, 300)}`;
          failures.push(msg);
          process.stdout.write(`${msg}\n`);
        }
      }
    }
  } finally {
    await topo.dispose();
  }
  const table = renderTable(rows(samples, rounds));
  const section = [
    HWSIM_SECTION_BEGIN,
    '## WPS over mac80211_hwsim (one VM run)',
    '',
    `Written by \`npm run bench:hwsim\` on ${new Date().toISOString()}: ${rounds} rounds in one hwsim VM (qemu TCG, 2 vCPUs), ${((Date.now() - started) / 1000).toFixed(0)} s. ` +
      `Load average in the VM (1 min): ${loadStart.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end. Ratio is wpsd / Debian.`,
    ...(failures.length > 0 ? ['', `Failed runs: ${failures.join('; ')}`] : []),
    '',
    table.trimEnd(),
    HWSIM_SECTION_END,
    '',
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (outFile !== undefined) writeFileSync(outFile, section);
  if (failures.length > 0) process.exitCode = 1;
}

await main();
