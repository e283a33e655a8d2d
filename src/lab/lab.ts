/**
 * `wpsd lab`: the whole system in one process, on loopback only.
 *
 *   sim medium (UNIX socket in a private temp dir)
 *     ├── AP: startAp() with a generated hostapd.conf (driver=sim,
 *     │   upnp_iface=lo, ap_pin), its control socket in the temp dir
 *     ├── N stations: WPS PIN mode (lab-station.ts), each radio on the
 *     │   medium only while it scans or enrolls (RadioSlots); up to
 *     │   LAB_WAITING_AT_ONCE probe at a time, the rest queue
 *   External Registrar on lo (127.0.0.1): finds the AP over SSDP on lo
 *   web console on 127.0.0.1 over the ER (console-backend.ts)
 *
 * SSDP stays on lo: the AP and the ER bind 127.0.0.1 and send their
 * multicast with IP_MULTICAST_IF 127.0.0.1 (src/upnp/ssdp-socket.ts), which
 * Linux loops back on lo whatever lo's MULTICAST flag says.
 *
 * API:
 *   startLab(opts): Promise<Lab>   Lab { url?, stations, backend, enrollAll, stop() }
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../common/log.js';
import { CtrlClient } from '../ctrl/client.js';
import { loadHostapdConfig } from '../ap/config.js';
import { startAp, type ApDaemon } from '../ap/main.js';
import { ExternalRegistrar } from '../er/external-registrar.js';
import { Medium } from '../radio/sim/medium.js';
import { SimStationDriver } from '../radio/sim/station-driver.js';
import { resolveInterface } from '../upnp/net-address.js';
import { parseUuid } from '../wps/device.js';
import { createConsoleServer, type ConsoleServer } from '../web/server.js';
import { LabConsoleBackend } from './console-backend.js';
import { whenEr } from './er-wait.js';
import { LAB_CHANNEL, LAB_IFACE, LAB_RADIO_SLOTS, LAB_RATE_MBPS, LAB_WAITING_AT_ONCE, erDevice, labHostapdConf, labListenerMac, labStationSpec, newLabIdentity, type LabIdentity } from './lab-config.js';
import { LabEnrollAll } from './lab-enroll-all.js';
import { DEFAULT_PROBE_INTERVAL_MS, LabStation, type LabRadio } from './lab-station.js';
import { RadioSlots } from './radio-slots.js';
import { SelectionWatch } from './selection-watch.js';
import { WpsdError } from '../common/errors.js';

/** How long the ER may take to find the AP (SSDP on lo, description, GetDeviceInfo, SUBSCRIBE). */
export const AP_DISCOVERY_TIMEOUT_MS = 15_000;
/** Waiting stations together send about this many probes a second, whatever their number (the ER takes 20 WLANEvents a second). */
const PROBES_PER_SECOND = 4;

export class LabStartError extends WpsdError<'MEDIUM' | 'AP' | 'ER' | 'CONSOLE' | 'DISCOVERY'> {
  constructor(code: LabStartError['code'], message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

export interface LabOptions {
  /** Simulated Enrollee stations. */
  enrollees: number;
  logger: Logger;
  /** Serve the web console (not in headless runs). */
  console: boolean;
  /** Console port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** SSDP port on lo; 1900 unless given (tests use their own so labs do not see each other). */
  ssdpPort?: number;
  /** Waiting stations probe and join when selected; off for headless runs, where the run starts each station. */
  waitingStations: boolean;
  /** Wait for the ER to have found the AP before returning. */
  waitForAp?: boolean;
  /** The AP's channel (LAB_CHANNEL unless given). */
  channel?: number;
  /** Station numbers start after this (0 unless given): labs of one run on several channels number their stations apart. */
  firstStation?: number;
}

export interface Lab {
  readonly dir: string;
  readonly identity: LabIdentity;
  readonly backend: LabConsoleBackend;
  readonly er: ExternalRegistrar;
  readonly ap: ApDaemon;
  readonly medium: Medium;
  readonly channel: number;
  readonly stations: readonly LabStation[];
  readonly enrollAll: LabEnrollAll;
  /** The console's URL, when served. */
  readonly url: string | undefined;
  /** The AP's control socket directory (hostapd_cli -p DIR -i wlan0). */
  readonly apCtrlDir: string;
  stop(): Promise<void>;
}

export async function startLab(opts: LabOptions): Promise<Lab> {
  const log = opts.logger;
  // Short: UNIX socket paths are limited to 107 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'wpsd-lab-'));
  const identity = newLabIdentity();
  const mediumPath = join(dir, 'medium.sock');
  const apCtrlDir = join(dir, 'ap');
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  const stopAll = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (e) {
        log.debug(`lab: stop: ${(e as Error).message}`);
      }
    }
  };
  try {
    const channel = opts.channel ?? LAB_CHANNEL;
    const medium = new Medium({ logger: log, airtime: { rateMbps: LAB_RATE_MBPS } });
    try {
      await medium.listen(mediumPath);
    } catch (e) {
      throw new LabStartError('MEDIUM', `sim medium: ${(e as Error).message}`, { cause: e });
    }
    cleanups.push(() => medium.close());

    const confPath = join(dir, 'hostapd.conf');
    writeFileSync(confPath, labHostapdConf({ ...identity, ctrlDir: apCtrlDir, mediumPath, channel }), { mode: 0o600 });
    let ap: ApDaemon;
    try {
      const { config } = await loadHostapdConfig(confPath);
      ap = await startAp(config, { logger: log.child('ap'), bssOptions: { upnp: opts.ssdpPort !== undefined ? { ssdpPort: opts.ssdpPort } : {} } });
    } catch (e) {
      throw new LabStartError('AP', `AP: ${(e as Error).message}`, { cause: e });
    }
    // The AP's monitor (below) goes with the AP, so it still hears AP-DISABLED.
    const apRef: { monitor?: CtrlClient } = {};
    cleanups.push(async () => {
      await ap.stop();
      apRef.monitor?.close();
    });

    const labApUuid = parseUuid(identity.apUuid);
    const er = new ExternalRegistrar({
      iface: () => resolveInterface('lo'),
      device: erDevice(identity),
      // Every lab on this machine advertises on lo: adopt only our own AP.
      acceptAp: (uuid) => uuid.equals(labApUuid),
      logger: log.child('er'),
      ...(opts.ssdpPort !== undefined ? { ssdpPort: opts.ssdpPort } : {}),
    });
    const stations: LabStation[] = [];
    const byMac = new Map<string, LabStation>();
    const backend = new LabConsoleBackend({
      er,
      stations: { pushButton: (mac) => byMac.get(mac)?.pushButton(), startPin: (mac) => byMac.get(mac)?.startPin() },
      // The lab's AP is in this process: its AP PIN lockout says when AP Setup Locked ends.
      apSetupLock: (uuid) => {
        const lockout = uuid === identity.apUuid ? ap.bsses[0]?.wps?.guard.lockout : undefined;
        if (lockout === undefined) return undefined;
        if (lockout.lockedIndefinitely) return {};
        const until = lockout.unlockAt;
        return until === undefined ? undefined : { until };
      },
    });
    cleanups.push(() => backend.dispose());

    // The AP's control events, as hostapd_cli would show them.
    const apMonitor = CtrlClient.open(join(apCtrlDir, LAB_IFACE), dir);
    apRef.monitor = apMonitor;
    apMonitor.onEvent((ev) => backend.apEvent(ev.text));
    await apMonitor.attach();

    try {
      await er.start();
    } catch (e) {
      throw new LabStartError('ER', `External Registrar: ${(e as Error).message}`, { cause: e });
    }
    cleanups.push(() => er.stop());
    if (opts.waitForAp === true) {
      const found = await whenEr(er, ['ap-add'], () => er.announcedAp(labApUuid) !== undefined, AP_DISCOVERY_TIMEOUT_MS);
      if (!found) throw new LabStartError('DISCOVERY', `the External Registrar did not find the AP over SSDP on lo within ${AP_DISCOVERY_TIMEOUT_MS / 1000} s`);
    }

    if (ap.radioWps === undefined) {
      log.warn('lab: the AP serves no WPS over its radio; no stations');
    } else {
      const probeIntervalMs = Math.max(DEFAULT_PROBE_INTERVAL_MS, Math.ceil((Math.min(opts.enrollees, LAB_WAITING_AT_ONCE) / PROBES_PER_SECOND) * 1000));
      cleanups.push(async () => {
        await Promise.allSettled(stations.map((s) => s.close()));
      });
      const slots = new RadioSlots(LAB_RADIO_SLOTS);
      // Only so many stations wait (probe) at once; the next one starts as one enrolls.
      const admitWaiting = (): void => {
        if (!opts.waitingStations) return;
        let waiting = stations.filter((s) => s.waiting).length;
        for (const s of stations) {
          if (waiting >= LAB_WAITING_AT_ONCE) break;
          if (s.waiting || s.state === 'enrolled') continue;
          s.startWaiting();
          waiting++;
        }
      };
      const first = opts.firstStation ?? 0;
      for (let n = first + 1; n <= first + opts.enrollees; n++) {
        const spec = labStationSpec(n, identity.addressing);
        const logger = log.child(`sta${n}`);
        const s = new LabStation({
          spec,
          openRadio: async (signal) => {
            const release = await slots.acquire(signal);
            try {
              const driver = await SimStationDriver.open({ mediumPath, address: spec.mac, channel, logger });
              const radio: LabRadio = {
                driver,
                close: async () => {
                  try {
                    await driver.close();
                  } finally {
                    release();
                  }
                },
              };
              return radio;
            } catch (e) {
              release();
              throw e;
            }
          },
          logger,
          probeIntervalMs,
          onOutcome: (mac, o) => backend.stationOutcome(mac, o.ok ? { ok: true } : { ok: false, detail: o.detail }),
          onStateChange: (_mac, st) => {
            if (st === 'enrolled') admitWaiting();
          },
        });
        stations.push(s);
        byMac.set(spec.mac, s);
      }
      admitWaiting();
      backend.setQueuedStations(() => (opts.waitingStations ? stations.filter((s) => !s.waiting && s.state !== 'enrolled').length : 0));
    }
    let selection: SelectionWatch;
    try {
      selection = await SelectionWatch.open({ mediumPath, address: labListenerMac(identity.addressing), channel, bssid: identity.apMac, logger: log.child('watch') });
    } catch (e) {
      throw new LabStartError('MEDIUM', `sim medium: the Beacon listener: ${(e as Error).message}`, { cause: e });
    }
    cleanups.push(() => selection.close());
    const enrollAll = new LabEnrollAll({
      er,
      selection,
      stations: () => stations,
      apUuid: identity.apUuid,
      apPin: identity.apPin,
      onRecord: (r) => backend.stationOutcome(r.mac, r.outcome.ok ? { ok: true } : { ok: false, detail: r.outcome.detail }),
    });
    backend.setEnrollAllDriver(enrollAll);

    let server: ConsoleServer | undefined;
    if (opts.console) {
      try {
        server = await createConsoleServer({ backend, host: '127.0.0.1', port: opts.port ?? 0, logger: log });
      } catch (e) {
        throw new LabStartError('CONSOLE', `web console on 127.0.0.1:${opts.port ?? 0}: ${(e as Error).message}`, { cause: e });
      }
      const srv = server;
      cleanups.push(() => srv.close());
    }
    let stopping: Promise<void> | undefined;
    return {
      dir,
      identity,
      backend,
      er,
      ap,
      medium,
      channel,
      stations,
      enrollAll,
      url: server?.url,
      apCtrlDir,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
