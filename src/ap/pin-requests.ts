/**
 * An Enrollee the internal Registrar has no PIN for (hostapd
 * hostapd_wps_pin_needed_cb): the WPS-PIN-NEEDED control event and one line
 * appended to the wps_pin_requests file, in hostapd 2.10's formats (the
 * event line differs from README-WPS's older "[UUID-E|MAC|...]" example):
 *
 *   WPS-PIN-NEEDED <UUID-E> <MAC Address> [Device Name|Manufacturer|Model Name|Model Number|Serial Number|Device Category]
 *   <seconds since 1970>\t<UUID-E>\t<MAC>\t<Device Name>\t<Manufacturer>\t<Model Name>\t<Model Number>\t<Serial Number>\t<Device Category>\n
 *
 * The device strings come from the Enrollee's M1: control characters in
 * them (a tab or newline would forge fields or lines) are shown as '?'.
 *
 * API:
 *   pinNeededLine(req): string
 *   pinRequestFileLine(req, unixSeconds): string
 *   PinRequestFile: new PinRequestFile(path, logger?) .append(req, unixSeconds) .flush()
 *   PinRequest, pinRequestFrom(event)
 */
import { CtrlEvent, eventText } from '../ctrl/event-names.js';
import { appendFile } from 'node:fs/promises';
import { type Logger, silentLogger } from '../common/log.js';
import { formatDeviceType, formatUuid, type DeviceInfo } from '../wps/device.js';
import type { WpsEvent } from '../wps/events.js';
import { formatMac } from '../common/mac.js';

export const WPS_EVENT_PIN_NEEDED = eventText(CtrlEvent.WpsPinNeeded);

export interface PinRequest {
  uuid: Buffer;
  macAddress: Buffer;
  device: Pick<DeviceInfo, 'deviceName' | 'manufacturer' | 'modelName' | 'modelNumber' | 'serialNumber' | 'primaryDeviceType'>;
}

export function pinRequestFrom(ev: Extract<WpsEvent, { type: 'pin-needed' }>): PinRequest {
  return { uuid: ev.uuid, macAddress: ev.macAddress, device: ev.device };
}

/** Control characters (C0, DEL) as '?': they would split the event line or the file's fields. */
export function printableField(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, '?');
}

function deviceCategory(type: Buffer): string {
  try {
    return formatDeviceType(type);
  } catch {
    return '0-00000000-0';
  }
}

function fields(req: PinRequest): string[] {
  const d = req.device;
  return [
    formatUuid(req.uuid),
    formatMac(req.macAddress),
    printableField(d.deviceName),
    printableField(d.manufacturer),
    printableField(d.modelName),
    printableField(d.modelNumber),
    printableField(d.serialNumber),
    deviceCategory(d.primaryDeviceType),
  ];
}

export function pinNeededLine(req: PinRequest): string {
  const [uuid, mac, ...device] = fields(req);
  return `${WPS_EVENT_PIN_NEEDED}${uuid} ${mac} [${device.join('|')}]`;
}

export function pinRequestFileLine(req: PinRequest, unixSeconds: number): string {
  return `${Math.floor(unixSeconds)}\t${fields(req).join('\t')}\n`;
}

/** Appends PIN requests to the file one after the other; a write that fails is logged, never thrown. */
export class PinRequestFile {
  private writes: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly log: Logger = silentLogger,
  ) {}

  append(req: PinRequest, unixSeconds: number): Promise<void> {
    const line = pinRequestFileLine(req, unixSeconds);
    this.writes = this.writes.then(async () => {
      try {
        await appendFile(this.path, line, { encoding: 'utf8', mode: 0o600 });
      } catch (e) {
        this.log.warn(`WPS: cannot append to wps_pin_requests ${this.path}: ${(e as Error).message}`);
      }
    });
    return this.writes;
  }

  /** Resolves when every append so far is done. */
  flush(): Promise<void> {
    return this.writes;
  }
}
