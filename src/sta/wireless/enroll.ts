/**
 * One WPS operation of a station end to end on a StationDriver, as
 * wpa_supplicant runs WPS_PBC / WPS_PIN / WPS_REG: scan with the WPS Probe
 * Request element, pick the AP (wps_supplicant.c wpas_wps_ssid_bss_match),
 * associate with the WPS element, run EAP-WSC, disconnect, and repeat until
 * credentials arrive, a WPS-FAIL ends it, or the walk time (120 s) is over.
 *
 * - PBC: only APs whose Selected Registrar uses Device Password ID
 *   PushButton; two such APs with different UUID-E are a PBC session
 *   overlap (WPS-OVERLAP-DETECTED) and no AP is joined. An M2D with
 *   configuration error 12 (the AP saw two PBC Enrollees) also ends the
 *   operation as an overlap.
 * - PIN: APs that list our address (or broadcast) in Authorized MACs or run
 *   a selected PIN Registrar (WPS 1.0); after 3 scans and 5 s, any WPS AP.
 *   A BSSID given limits the choice to that AP.
 * - An M2D alone does not end the operation: the next association tries
 *   again (an External Registrar may answer then).
 * - A WPS-FAIL event (wrong PIN, NACK) ends it, as wpa_supplicant clears the
 *   WPS network 100 ms after WPS-FAIL.
 * - Multi-AP (wps_pbc multi_ap=1): the Multi-AP element in the association
 *   and the subelement in M1; an AP that answers without the Multi-AP
 *   element fails the association (multi-ap-sta.ts).
 */
import { checkBackhaulAssocResponse } from './multi-ap-sta.js';
import { randomBytes } from 'node:crypto';
import { type Logger, silentLogger } from '../../common/log.js';
import type { NfcPasswordTokens } from '../../wps/nfc/password-tokens.js';
import { DriverError, type ScanResult, type StationDriver, type DriverEvent } from '../../radio/driver.js';
import { buildEapol, EapolError, EapolType, parseEapol } from '../../radio/eapol.js';
import { ReasonCode } from '../../radio/frame.js';
import { macToBytes, type MacAddress } from '../../radio/mac.js';
import type { Credential } from '../../wps/credential.js';
import type { Rng } from '../../wps/crypto.js';
import type { DeviceInfo } from '../../wps/device.js';
import { Enrollee } from '../../wps/enrollee.js';
import type { FailEvent, WpsEvent } from '../../wps/events.js';
import { Registrar, type ApSettingsMode } from '../../wps/registrar.js';
import { ConfigError, DevicePasswordId, RequestType } from '../../wps/values.js';
import { EapWscPeer, type PeerMachine } from './eap-wsc-peer.js';
import { buildAssocRequestElements, buildProbeRequestWpsElements } from './probe-ie.js';
import { addrAuthorization, isSelectedPbcRegistrar, scanResultWps, wpsApAvailableEvent, type ApWpsInfo, type WpsApAvailableEvent } from './scan-flags.js';
import { sleep } from '../../common/sleep.js';

/** WPS_PBC_WALK_TIME / wpa_supplicant's WPS timeout: 120 s. */
export const WPS_WALK_TIME_MS = 120_000;
/** wpa_supplicant: ignore Selected Registrar for PIN after this many scans ... */
export const WPS_PIN_SCAN_IGNORE_SEL_REG = 3;
/** ... and this long since WPS_PIN. */
export const WPS_PIN_TIME_IGNORE_SEL_REG_MS = 5_000;
export const DEFAULT_SCAN_DWELL_MS = 120;
export const DEFAULT_RETRY_DELAY_MS = 500;
/** EAPOL-Start repeats until the AP's first Request (802.1X startPeriod, shortened for WPS). */
export const DEFAULT_EAPOL_START_INTERVAL_MS = 1_000;
export const MAX_EAPOL_STARTS = 3;
/** An EAP-WSC run with no end after this long is abandoned (wpa_supplicant ClientTimeout-like). */
export const DEFAULT_EAP_TIMEOUT_MS = 30_000;
/** wpa_supplicant's default eapol_version. */
export const STA_EAPOL_VERSION = 1;

export type EnrollMethod =
  | { kind: 'pbc'; bssid?: MacAddress }
  /**
   * A PIN, or an NFC password token: its password as PIN, its Device
   * Password ID and its DH private key; or a connection handover (ID 0x0007,
   * empty PIN) with the Registrar's public key hash and the SSID of its
   * handover select (only APs with that SSID are joined).
   */
  | { kind: 'pin'; pin: string; bssid?: MacAddress; devicePasswordId?: number; dhPrivateKey?: Buffer; peerPublicKeyHash?: Buffer; ssid?: Buffer }
  /**
   * wps_reg: we are the Registrar; `pin` is the AP PIN; learn the AP's
   * settings or configure new ones. With `nfcTokens` ("nfc-pw") the AP's NFC
   * password token read before stands in for the AP PIN.
   */
  | { kind: 'registrar'; bssid: MacAddress; pin: string; apSettings: ApSettingsMode; nfcTokens?: NfcPasswordTokens };

export type EnrollEvent =
  | { type: 'scan-results'; results: ScanResult[]; available?: WpsApAvailableEvent }
  | { type: 'overlap'; bssids: MacAddress[] }
  | { type: 'associating'; bssid: MacAddress }
  | { type: 'association-failed'; bssid: MacAddress; reason: string }
  | { type: 'wps'; event: WpsEvent; bssid: MacAddress }
  | { type: 'disconnected'; bssid: MacAddress }
  | { type: 'timeout' };

export type EnrollResult =
  | { ok: true; bssid: MacAddress; credentials: Credential[] }
  | { ok: false; reason: 'timeout' | 'pbc-overlap' | 'failed' | 'cancelled'; bssid?: MacAddress; fail?: FailEvent }
  /** The radio failed (link down, bad configuration): `error` says how. */
  | { ok: false; reason: 'driver-error'; error: DriverError };

export interface EnrollOptions {
  driver: StationDriver;
  /** Our device; `uuid` is UUID-E, `macAddress` our address. */
  device: DeviceInfo;
  method: EnrollMethod;
  channels?: number[];
  walkTimeMs?: number;
  scanDwellMs?: number;
  retryDelayMs?: number;
  eapolStartIntervalMs?: number;
  eapTimeoutMs?: number;
  multiApBackhaulSta?: boolean;
  version2?: boolean;
  fragmentSize?: number;
  rng?: Rng;
  signal?: AbortSignal;
  onEvent?: (e: EnrollEvent) => void;
  now?: () => number;
  logger?: Logger;
}

interface AttemptOutcome {
  credentials?: Credential[];
  fail?: FailEvent;
  overlap: boolean;
}

/** A function, so that TypeScript does not narrow `signal.aborted` across awaits. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}


type Pick = { kind: 'bss'; bss: ScanResult } | { kind: 'overlap'; bssids: MacAddress[] } | { kind: 'none' };

/** Which AP to join from one scan (wpas_wps_ssid_bss_match + wpas_wps_scan_pbc_overlap). */
export function selectWpsAp(
  results: readonly ScanResult[],
  method: EnrollMethod,
  ownAddr: MacAddress,
  pinAge: { scanRuns: number; elapsedMs: number },
): Pick {
  const withWps: { bss: ScanResult; wps: ApWpsInfo }[] = [];
  for (const r of results) {
    const w = scanResultWps(r.elements);
    if (w !== undefined && w !== 'malformed') withWps.push({ bss: r, wps: w });
  }
  const bssid = method.bssid;
  const ssid = method.kind === 'pin' ? method.ssid : undefined;
  const mine = withWps.filter((x) => (bssid === undefined || x.bss.bssid === bssid) && (ssid === undefined || Buffer.from(x.bss.ssid).equals(ssid)));
  if (method.kind === 'registrar') return mine[0] ? { kind: 'bss', bss: mine[0].bss } : { kind: 'none' };
  if (method.kind === 'pbc') {
    const active = mine.filter((x) => isSelectedPbcRegistrar(x.wps));
    const chosen = active[0];
    if (chosen === undefined) return { kind: 'none' };
    // Another BSS in active PBC mode with a different UUID is an overlap (a dual-band AP shares its UUID).
    if (bssid === undefined) {
      const others = withWps.filter(
        (x) => x.bss.bssid !== chosen.bss.bssid && isSelectedPbcRegistrar(x.wps) && (chosen.wps.uuidE === undefined || x.wps.uuidE === undefined || !x.wps.uuidE.equals(chosen.wps.uuidE)),
      );
      if (others.length > 0) return { kind: 'overlap', bssids: [chosen.bss.bssid, ...others.map((o) => o.bss.bssid)] };
    }
    return { kind: 'bss', bss: chosen.bss };
  }
  const authorized = mine.filter((x) => addrAuthorization(x.wps, ownAddr, true) !== 0);
  // Selected Registrar first (wps_ap_priority_compar), then the rest in scan order.
  const first = authorized.find((x) => x.wps.selectedRegistrar) ?? authorized[0];
  if (first !== undefined) return { kind: 'bss', bss: first.bss };
  const ignoreSelReg = pinAge.scanRuns >= WPS_PIN_SCAN_IGNORE_SEL_REG && pinAge.elapsedMs >= WPS_PIN_TIME_IGNORE_SEL_REG_MS;
  if (ignoreSelReg && mine[0] !== undefined) return { kind: 'bss', bss: mine[0].bss };
  return { kind: 'none' };
}

export async function enroll(opts: EnrollOptions): Promise<EnrollResult> {
  const now = opts.now ?? Date.now;
  const log = opts.logger ?? silentLogger;
  const started = now();
  const deadline = started + (opts.walkTimeMs ?? WPS_WALK_TIME_MS);
  const emit = (e: EnrollEvent): void => {
    try {
      opts.onEvent?.(e);
    } catch (err) {
      log.error(`enroll: event listener failed: ${(err as Error).message}`);
    }
  };
  const own = opts.driver.address;
  const m = opts.method;
  const pwId = m.kind === 'pbc' ? DevicePasswordId.PushButton : m.kind === 'pin' ? (m.devicePasswordId ?? DevicePasswordId.Default) : DevicePasswordId.Default;
  const requestType = m.kind === 'registrar' ? RequestType.Registrar : RequestType.EnrolleeOpen8021X;
  const probeElements = buildProbeRequestWpsElements({ device: opts.device, devicePasswordId: pwId, requestType, version2: opts.version2 ?? true });
  let scanRuns = 0;
  let lastBssid: MacAddress | undefined;
  while (now() < deadline) {
    if (aborted(opts.signal)) return { ok: false, reason: 'cancelled' };
    const scan: Parameters<StationDriver['scan']>[0] = { elements: probeElements, dwellMs: opts.scanDwellMs ?? DEFAULT_SCAN_DWELL_MS };
    if (opts.channels !== undefined) scan.channels = opts.channels;
    let results: ScanResult[];
    try {
      results = await opts.driver.scan(scan);
    } catch (e) {
      if (!(e instanceof DriverError)) throw e;
      // A scan or connect already running on this radio: try again shortly; anything else ends the operation.
      if (e.code !== 'BUSY') return { ok: false, reason: 'driver-error', error: e };
      await sleep(Math.min(opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, deadline - now()), opts.signal);
      continue;
    }
    scanRuns++;
    const available = wpsApAvailableEvent(results, own);
    emit(available === undefined ? { type: 'scan-results', results } : { type: 'scan-results', results, available });
    const pick = selectWpsAp(results, m, own, { scanRuns, elapsedMs: now() - started });
    if (pick.kind === 'overlap') {
      emit({ type: 'overlap', bssids: pick.bssids });
      return { ok: false, reason: 'pbc-overlap' };
    }
    if (pick.kind === 'bss') {
      lastBssid = pick.bss.bssid;
      const out = await attempt(opts, pick.bss, deadline, emit, log);
      if (out.credentials !== undefined) return { ok: true, bssid: pick.bss.bssid, credentials: out.credentials };
      if (out.overlap) {
        emit({ type: 'overlap', bssids: [pick.bss.bssid] });
        return { ok: false, reason: 'pbc-overlap', bssid: pick.bss.bssid };
      }
      if (out.fail !== undefined) return { ok: false, reason: 'failed', bssid: pick.bss.bssid, fail: out.fail };
    }
    if (aborted(opts.signal)) return { ok: false, reason: 'cancelled' };
    await sleep(Math.min(opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, deadline - now()), opts.signal);
  }
  emit({ type: 'timeout' });
  return lastBssid === undefined ? { ok: false, reason: 'timeout' } : { ok: false, reason: 'timeout', bssid: lastBssid };
}

function machineFor(opts: EnrollOptions, bssid: MacAddress): PeerMachine {
  const m = opts.method;
  const rng = opts.rng ?? randomBytes;
  if (m.kind === 'registrar') {
    const registrar = new Registrar({
      device: opts.device,
      policy: {
        devicePassword: (e) => {
          if (m.nfcTokens === undefined) return { kind: 'pin', pin: m.pin };
          const t = m.nfcTokens.claim(e.devicePasswordId);
          return t === undefined ? undefined : { kind: 'nfc', ...t };
        },
      },
      apSettings: m.apSettings,
      version2: opts.version2 ?? true,
      rng,
    });
    return { role: 'registrar', registrar };
  }
  const enrollee = new Enrollee({
    device: opts.device,
    password: m.kind === 'pbc' ? { kind: 'pbc' } : m.devicePasswordId === undefined ? { kind: 'pin', pin: m.pin } : { kind: 'pin', pin: m.pin, devicePasswordId: m.devicePasswordId },
    version2: opts.version2 ?? true,
    multiApBackhaulSta: opts.multiApBackhaulSta ?? false,
    peerAddress: Buffer.from(macToBytes(bssid)),
    rng,
    ...(m.kind === 'pin' && m.dhPrivateKey !== undefined ? { dhPrivateKey: m.dhPrivateKey } : {}),
    ...(m.kind === 'pin' && m.peerPublicKeyHash !== undefined ? { peerPublicKeyHash: m.peerPublicKeyHash } : {}),
  });
  return { role: 'enrollee', enrollee };
}

/** One association and EAP-WSC run with `bss`. */
async function attempt(opts: EnrollOptions, bss: ScanResult, deadline: number, emit: (e: EnrollEvent) => void, log: Logger): Promise<AttemptOutcome> {
  const driver = opts.driver;
  const now = opts.now ?? Date.now;
  const bssid = bss.bssid;
  const out: AttemptOutcome = { overlap: false };
  const sendEap = (eap: Buffer): void => {
    void driver.sendEapol(bssid, buildEapol({ version: STA_EAPOL_VERSION, type: EapolType.EAP_PACKET, body: eap })).catch((e: unknown) => log.debug(`EAPOL not sent: ${(e as Error).message}`));
  };
  const peer = new EapWscPeer({
    machine: machineFor(opts, bssid),
    sendEap,
    fragmentSize: opts.fragmentSize,
    logger: log,
    onEvents: (events) => {
      for (const event of events) {
        emit({ type: 'wps', event, bssid });
        if (event.type === 'fail' && out.fail === undefined) out.fail = event;
        if (event.type === 'm2d' && event.configError === ConfigError.MultiplePbcSessionsDetected) out.overlap = true;
      }
    },
  });
  const onDriver = (e: DriverEvent): void => {
    if (e.type === 'rx-eapol' && e.src === bssid) {
      let pdu;
      try {
        pdu = parseEapol(e.eapol);
      } catch (err) {
        if (err instanceof EapolError) return log.debug(`bad EAPOL from ${bssid}: ${err.message}`);
        throw err;
      }
      if (pdu.type === EapolType.EAP_PACKET) peer.receiveEap(pdu.body);
    } else if (e.type === 'disconnected' && e.bssid === bssid) {
      peer.abort();
    }
  };
  const unsubscribe = driver.onEvent(onDriver);
  const timers: NodeJS.Timeout[] = [];
  try {
    emit({ type: 'associating', bssid });
    const elements = buildAssocRequestElements({
      requestType: opts.method.kind === 'registrar' ? RequestType.Registrar : RequestType.EnrolleeOpen8021X,
      version2: opts.version2 ?? true,
      multiApBackhaulSta: opts.multiApBackhaulSta ?? false,
    });
    let conn: Awaited<ReturnType<StationDriver['connect']>>;
    try {
      conn = await driver.connect({ bssid, ssid: bss.ssid, channel: bss.channel, elements });
    } catch (e) {
      if (!(e instanceof DriverError)) throw e;
      emit({ type: 'association-failed', bssid, reason: e.message });
      return out;
    }
    if (!conn.ok) {
      emit({ type: 'association-failed', bssid, reason: conn.reason });
      return out;
    }
    if (opts.multiApBackhaulSta === true) {
      // The WPS association itself stays in 3-address mode (the AP gives a WPS station no 4-address link).
      const v = checkBackhaulAssocResponse(conn.elements, true);
      if (!v.ok) {
        emit({ type: 'association-failed', bssid, reason: v.why });
        return out;
      }
    }
    // EAPOL-Start until the AP's first Request (a WPS 1.0 AP waits for it; a 2.0 AP starts by itself).
    let starts = 0;
    const sendStart = (): void => {
      if (peer.started || peer.finished !== undefined || starts >= MAX_EAPOL_STARTS) return;
      starts++;
      void driver.sendEapol(bssid, buildEapol({ version: STA_EAPOL_VERSION, type: EapolType.START, body: new Uint8Array(0) })).catch(() => undefined);
      timers.push(setTimeout(sendStart, opts.eapolStartIntervalMs ?? DEFAULT_EAPOL_START_INTERVAL_MS));
    };
    sendStart();
    const limit = Math.max(0, Math.min(opts.eapTimeoutMs ?? DEFAULT_EAP_TIMEOUT_MS, deadline - now()));
    timers.push(setTimeout(() => peer.abort(), limit));
    const onAbort = (): void => peer.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const o = await peer.done();
    opts.signal?.removeEventListener('abort', onAbort);
    if (o.result === 'success' && o.credentials.length > 0) out.credentials = o.credentials;
    return out;
  } finally {
    for (const t of timers) clearTimeout(t);
    unsubscribe();
    if (driver.connection()?.bssid === bssid) {
      await driver.disconnect(ReasonCode.DEAUTH_LEAVING).catch(() => undefined);
    }
    emit({ type: 'disconnected', bssid });
  }
}
