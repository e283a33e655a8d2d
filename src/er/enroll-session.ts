/**
 * Registration runs with wireless Enrollees that an AP proxies
 * (wps_er_sta_start / wps_er_sta_process): the Enrollee's EAP messages come
 * in WLANEvents, our answers go back with PutWLANResponse. The device
 * password is a PIN given with WPS_ER_PIN (for its UUID or "any") or PBC
 * while WPS_ER_PBC's walk time runs; the credential is the AP's settings
 * (learned, configured or set with WPS_ER_SET_CONFIG) with the Enrollee's MAC.
 */
import { describeError } from '../common/errors.js';
import type { Credential } from '../wps/credential.js';
import { formatUuid } from '../wps/device.js';
import type { WpsStep } from '../wps/events.js';
import { Registrar, type EnrolleeInfo } from '../wps/registrar.js';
import { DevicePasswordId, MessageType } from '../wps/values.js';
import type { ErAp } from './ap-record.js';
import type { ErEnrollee } from './enrollee-table.js';
import type { ErFail, ErRunView } from './er-events.js';
import type { EnrollContext } from './session-context.js';
import { putWlanResponse } from './wfa-soap.js';

interface Run {
  view: ErRunView;
  registrar: Registrar;
  /** A PutWLANResponse is in flight: the next message waits for nothing (wps_er_sta_send_msg drops it). */
  sending: boolean;
  /** The last WPS-FAIL of the run. */
  fail?: ErFail;
}

export class EnrollSessions {
  private readonly runs = new Map<ErEnrollee, Run>();

  constructor(private readonly ctx: EnrollContext) {}

  /** The Enrollee is gone: a run still under way with it ends as aborted. */
  forget(e: ErEnrollee): void {
    const run = this.runs.get(e);
    if (run === undefined) return;
    this.runs.delete(e);
    this.ctx.publish('run-end', { run: run.view, result: 'aborted' });
  }

  get active(): number {
    return this.runs.size;
  }

  /** A protocol run with this Enrollee is in progress (its EAP messages are never rate limited). */
  inRun(e: ErEnrollee): boolean {
    return this.runs.has(e);
  }

  onEapMessage(ap: ErAp, e: ErEnrollee, msg: Buffer, messageType: number | undefined): void {
    let run = this.runs.get(e);
    if (messageType === MessageType.M1) {
      // A new M1 starts over; the run it replaces ends unfinished.
      if (run !== undefined) this.forget(e);
      const kind = e.devicePasswordId === DevicePasswordId.PushButton ? 'pbc' : 'pin';
      run = { view: this.ctx.newRun(kind, ap, e), registrar: this.newRegistrar(ap), sending: false };
      this.runs.set(e, run);
      this.ctx.publish('run-start', { run: run.view });
    } else if (run === undefined) {
      return;
    }
    const step = run.registrar.receive(msg);
    this.handle(ap, e, run, step);
  }

  private newRegistrar(ap: ErAp): Registrar {
    const ctx = this.ctx;
    return new Registrar({
      device: ctx.device,
      pbc: ctx.pbc,
      dhKeyPair: ctx.dhKeyPair(),
      policy: {
        devicePassword: (info: EnrolleeInfo) => {
          if (info.devicePasswordId === DevicePasswordId.PushButton) return ctx.pbc.active ? { kind: 'pbc' } : undefined;
          const token = ctx.claimNfcToken(info.devicePasswordId);
          if (token !== undefined) return { kind: 'nfc', ...token };
          const pin = ctx.pinFor(info.uuid);
          return pin === undefined ? undefined : { kind: 'pin', pin };
        },
        credentials: (info: EnrolleeInfo): Credential[] => {
          const s = ap.apSettings;
          if (s === undefined) {
            ctx.log.debug(`WPS ER: no AP settings known for ${ap.label}; nothing to give the Enrollee`);
            return [];
          }
          return [{ ...s, networkIndex: 1, macAddress: Buffer.from(info.macAddress), extra: [] }];
        },
      },
    });
  }

  private handle(ap: ErAp, e: ErEnrollee, run: Run, step: WpsStep): void {
    const ctx = this.ctx;
    for (const ev of step.events) {
      switch (ev.type) {
        case 'fail':
          run.fail = { msg: ev.msg, configError: ev.configError, errorIndication: ev.errorIndication };
          ctx.publish('wps-fail', { run: run.view, fail: run.fail });
          break;
        case 'pin-needed':
          ctx.log.info(`WPS-EVENT-PIN-NEEDED ${formatUuid(ev.uuid)}`);
          break;
        case 'invalidate-pin':
          ctx.pinInvalidated(ev.uuid);
          break;
        case 'success':
          ctx.publish('wps-success', { run: run.view });
          break;
        default:
          break;
      }
    }
    if (step.reply !== undefined && step.closing !== true) this.send(ap, e, run, step.reply);
    if (step.result !== undefined) {
      ctx.log.debug(`WPS ER: Protocol run ${step.result === 'success' ? 'succeeded' : 'failed'} with the enrollee`);
      this.runs.delete(e);
      ctx.enrolleeRunEnded(ap, e, step.result === 'success');
      ctx.publish('run-end', run.fail === undefined ? { run: run.view, result: step.result } : { run: run.view, result: step.result, fail: run.fail });
    }
  }

  private send(ap: ErAp, e: ErEnrollee, run: Run, msg: Buffer): void {
    if (run.sending) {
      this.ctx.log.debug('WPS ER: Pending HTTP request for STA - ignore new request');
      return;
    }
    run.sending = true;
    putWlanResponse(this.ctx.controlUrl(ap), msg, e.macAddress, ap.abort.signal)
      .then(() => this.ctx.log.debug('WPS ER: PutWLANResponse OK'))
      .catch((err: unknown) => this.ctx.log.debug(`WPS ER: PutWLANResponse failed: ${describeError(err)}`))
      .finally(() => {
        run.sending = false;
      });
  }
}
