/**
 * wpa_supplicant's External Registrar lines (WPS-ER-AP-ADD ... WPS-FAIL,
 * WPS-SUCCESS) as one subscriber of the ER's typed events, for ctrl
 * monitors and the lab console's log.
 */
import type { ErApView } from './ap-record.js';
import type { ErEventSource } from './er-events.js';
import {
  apAddLine,
  apRemoveLine,
  apSettingsLine,
  enrolleeAddLine,
  enrolleeRemoveLine,
  setSelRegLine,
  wpsFailLine,
  WPS_SUCCESS_LINE,
  type ApEventData,
  type ErEventLine,
} from './events.js';

export function apEventData(ap: ErApView): ApEventData {
  const d = ap.description;
  const data: ApEventData = { uuid: ap.uuid, macAddress: ap.macAddress, primaryDeviceType: ap.primaryDeviceType, wpsState: ap.wpsState };
  if (d) {
    data.friendlyName = d.friendlyName;
    data.manufacturer = d.manufacturer;
    data.modelName = d.modelName;
    if (d.modelDescription !== undefined) data.modelDescription = d.modelDescription;
    if (d.manufacturerUrl !== undefined) data.manufacturerUrl = d.manufacturerUrl;
    if (d.modelUrl !== undefined) data.modelUrl = d.modelUrl;
  }
  return data;
}

/** Sends every ER event that wpa_supplicant prints to `sink`, as it prints it; returns the unsubscribe. */
export function subscribeEventLines(er: ErEventSource, sink: (line: ErEventLine) => void): () => void {
  const offs = [
    er.on('ap-add', ({ ap }) => sink(apAddLine(apEventData(ap)))),
    er.on('ap-remove', ({ ap }) => sink(apRemoveLine(ap.uuid))),
    er.on('ap-settings', ({ ap, settings }) => sink(apSettingsLine(ap.uuid, settings))),
    er.on('enrollee-add', ({ enrollee }) => sink(enrolleeAddLine(enrollee))),
    er.on('enrollee-remove', ({ enrollee }) => sink(enrolleeRemoveLine(enrollee))),
    er.on('selection', (s) =>
      sink(
        setSelRegLine(
          s.ap.uuid,
          s.state === 'START' ? { state: 'START', selReg: s.selected, devicePasswordId: s.devicePasswordId, selRegConfigMethods: s.configMethods } : { state: s.state },
        ),
      ),
    ),
    er.on('wps-fail', ({ fail }) => sink(wpsFailLine(fail))),
    er.on('wps-success', () => sink(WPS_SUCCESS_LINE)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
