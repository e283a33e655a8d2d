/**
 * Registration runs with wireless Enrollees that an AP proxies
 * (wps_er_sta_start / wps_er_sta_process): the Enrollee's EAP messages come
 * in WLANEvents, our answers go back with PutWLANResponse. The device
 * password is a PIN given with WPS_ER_PIN (for its UUID or "any") or PBC
 * while WPS_ER_PBC's walk time runs; the credential is the AP's settings
 * (learned, configured or set with WPS_ER_SET_CONFIG) with the Enrollee's MAC.
 */
import type { Credential } from '../wps/credential.js';
import { formatUuid } from '../wps/device.js';
import type { WpsStep } from '../wps/events.js';
import { Registrar, type EnrolleeInfo } from '../wps/registrar.js';
import { DevicePasswordId, MessageType } from '../wps/values.js';
import type { ErAp } from './ap-record.js';
import type { ErEnrollee } from './enrollee-table.js';
import { wpsFailLine, WPS_SUCCESS_LINE } from './events.js';
import type { ExternalRegistrar } from './external-registrar.js';
import { describeError } from './external-registrar.js';
import { putWlanResponse } from './wfa-soap.js';

interface Run {
  registrar: Registrar;
  /** A PutWLANResponse is in flight: the next message waits for nothing (wps_er_sta_send_msg drops it). */
  sending: boolean;
}

export class EnrollSessions {
  private readonly runs = new Map<ErEnrollee, Run>();

  constructor(private readonly er: ExternalRegistrar) {}

  forget(e: ErEnrollee): void {
    this.runs.delete(e);
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
      run = { registrar: this.newRegistrar(ap), sending: false };
      this.runs.set(e, run);
    } else if (run === undefined) {
      return;
    }
    const step = run.registrar.receive(msg);
    this.handle(ap, e, run, step);
  }

  private newRegistrar(ap: ErAp): Registrar {
    const er = this.er;
    return new Registrar({
      device: er.device,
      pbc: er.pbc,
      policy: {
        devicePassword: (info: EnrolleeInfo) => {
          if (info.devicePasswordId === DevicePasswordId.PushButton) return er.pbc.active ? { kind: 'pbc' } : undefined;
          const pin = er.pins.lookup(info.uuid);
          return pin === undefined ? undefined : { kind: 'pin', pin: pin.pin };
        },
        credentials: (info: EnrolleeInfo): Credential[] => {
          const s = ap.apSettings;
          if (s === undefined) {
            er.log.debug(`WPS ER: no AP settings known for ${ap.label}; nothing to give the Enrollee`);
            return [];
          }
          return [{ ...s, networkIndex: 1, macAddress: Buffer.from(info.macAddress), extra: [] }];
        },
      },
    });
  }

  private handle(ap: ErAp, e: ErEnrollee, run: Run, step: WpsStep): void {
    const er = this.er;
    for (const ev of step.events) {
      switch (ev.type) {
        case 'fail':
          er.emit(wpsFailLine(ev));
          break;
        case 'pin-needed':
          er.log.info(`WPS-EVENT-PIN-NEEDED ${formatUuid(ev.uuid)}`);
          break;
        case 'invalidate-pin':
          if (er.pins.removeFor(ev.uuid)) er.updateSelectedRegistrar();
          break;
        case 'success':
          er.emit(WPS_SUCCESS_LINE);
          break;
        default:
          break;
      }
    }
    if (step.reply !== undefined && step.closing !== true) this.send(ap, e, run, step.reply);
    if (step.result !== undefined) {
      er.log.debug(`WPS ER: Protocol run ${step.result === 'success' ? 'succeeded' : 'failed'} with the enrollee`);
      this.runs.delete(e);
      if (step.result === 'success') {
        er.pins.removeFor(e.uuid);
        er.enrolleeDone(ap, e);
      }
      er.updateSelectedRegistrar();
    }
  }

  private send(ap: ErAp, e: ErEnrollee, run: Run, msg: Buffer): void {
    if (run.sending) {
      this.er.log.debug('WPS ER: Pending HTTP request for STA - ignore new request');
      return;
    }
    run.sending = true;
    putWlanResponse(this.er.controlUrl(ap), msg, e.macAddress)
      .then(() => this.er.log.debug('WPS ER: PutWLANResponse OK'))
      .catch((err: unknown) => this.er.log.debug(`WPS ER: PutWLANResponse failed: ${describeError(err)}`))
      .finally(() => {
        run.sending = false;
      });
  }
}
