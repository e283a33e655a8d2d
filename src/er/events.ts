/**
 * The External Registrar's event lines, spelled exactly as wpa_supplicant
 * prints them (wps_supplicant.c wpa_supplicant_wps_event_er_*, and
 * WPS-FAIL / WPS-SUCCESS / WPS-CRED-RECEIVED). Text from the network (device
 * strings, SSIDs, keys) never carries a line break or control character into
 * a line: those bytes are shown as \xNN.
 */
import { CtrlEvent, MsgLevel, eventLine, type CtrlEventLine } from '../ctrl/event-names.js';
import { printfEncode } from '../conf/values.js';
import { formatDeviceType, formatUuid } from '../wps/device.js';
import { wpsFailText, type FailEvent } from '../wps/events.js';
import type { Credential } from '../wps/credential.js';
import { AuthType } from '../wps/values.js';
import { formatMac } from '../common/mac.js';

export type ErEventLine = CtrlEventLine;

/** Device data the WPS-ER-AP-ADD line shows. */
export interface ApEventData {
  uuid: Buffer;
  macAddress: Buffer;
  primaryDeviceType: Buffer | undefined;
  wpsState: number;
  friendlyName?: string;
  manufacturer?: string;
  modelDescription?: string;
  modelName?: string;
  manufacturerUrl?: string;
  modelUrl?: string;
}

/** Device data the WPS-ER-ENROLLEE-ADD line shows. */
export interface EnrolleeEventData {
  uuid: Buffer;
  macAddress: Buffer;
  m1Received: boolean;
  configMethods: number;
  devicePasswordId: number;
  primaryDeviceType: Buffer;
  deviceName?: string;
  manufacturer?: string;
  modelName?: string;
  modelNumber?: string;
  serialNumber?: string;
}

/** Replaces control characters (line breaks included) by \xNN; everything else as it is. */
export function safeText(s: string | undefined): string {
  if (s === undefined) return '';
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Bytes as text for an event: UTF-8 when valid, else byte by byte; control characters escaped. */
export function bytesText(b: Uint8Array): string {
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    s = Buffer.from(b).toString('latin1');
  }
  return safeText(s);
}

function devType(t: Buffer | undefined): string {
  return t !== undefined && t.length === 8 ? formatDeviceType(t) : '';
}

export function apAddLine(ap: ApEventData): ErEventLine {
  const f = [ap.friendlyName, ap.manufacturer, ap.modelDescription, ap.modelName, ap.manufacturerUrl, ap.modelUrl].map(safeText);
  return eventLine(CtrlEvent.WpsErApAdd, `${formatUuid(ap.uuid)} ${formatMac(ap.macAddress)} pri_dev_type=${devType(ap.primaryDeviceType)} wps_state=${ap.wpsState} |${f.join('|')}|`);
}

export function apRemoveLine(uuid: Buffer): ErEventLine {
  return eventLine(CtrlEvent.WpsErApRemove, formatUuid(uuid));
}

export function enrolleeAddLine(e: EnrolleeEventData): ErEventLine {
  const f = [e.deviceName, e.manufacturer, e.modelName, e.modelNumber, e.serialNumber].map(safeText);
  return eventLine(
    CtrlEvent.WpsErEnrolleeAdd,
    `${formatUuid(e.uuid)} ${formatMac(e.macAddress)} M1=${e.m1Received ? 1 : 0} ` +
      `config_methods=0x${e.configMethods.toString(16)} dev_passwd_id=${e.devicePasswordId} pri_dev_type=${devType(e.primaryDeviceType)} |${f.join('|')}|`,
  );
}

export function enrolleeRemoveLine(e: Pick<EnrolleeEventData, 'uuid' | 'macAddress'>): ErEventLine {
  return eventLine(CtrlEvent.WpsErEnrolleeRemove, `${formatUuid(e.uuid)} ${formatMac(e.macAddress)}`);
}

/** Only a WPA/WPA2-Personal key of 8..64 bytes is shown (wpa_supplicant); it goes to monitors only, never the log. */
export function apSettingsLine(uuid: Buffer, cred: Pick<Credential, 'ssid' | 'authType' | 'encrType' | 'networkKey'>): ErEventLine {
  let key = '';
  if ((cred.authType & (AuthType.WpaPsk | AuthType.Wpa2Psk)) !== 0 && cred.networkKey.length >= 8 && cred.networkKey.length <= 64) {
    key = bytesText(cred.networkKey);
  }
  const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
  return eventLine(CtrlEvent.WpsErApSettings, `uuid=${formatUuid(uuid)} ssid=${printfEncode(cred.ssid)} auth_type=0x${hex4(cred.authType)} encr_type=0x${hex4(cred.encrType)} key=${key}`);
}

export type SetSelRegState =
  | { state: 'START'; selReg: boolean; devicePasswordId: number; selRegConfigMethods: number }
  | { state: 'DONE' }
  | { state: 'FAILED' };

export function setSelRegLine(uuid: Buffer, s: SetSelRegState): ErEventLine {
  const head = `uuid=${formatUuid(uuid)} state=${s.state}`;
  switch (s.state) {
    case 'START':
      return eventLine(CtrlEvent.WpsErApSetSelReg, `${head} sel_reg=${s.selReg ? 1 : 0} dev_passwd_id=${s.devicePasswordId} sel_reg_config_methods=0x${s.selRegConfigMethods.toString(16)}`);
    case 'DONE':
      return eventLine(CtrlEvent.WpsErApSetSelReg, head);
    default:
      // Only a failure is MSG_INFO (wpa_supplicant_wps_event_er_set_sel_reg).
      return eventLine(CtrlEvent.WpsErApSetSelReg, head, MsgLevel.Info);
  }
}

/** WPS-FAIL as wpa_supplicant_wps_event_fail prints it. */
export function wpsFailLine(ev: Pick<FailEvent, 'msg' | 'configError' | 'errorIndication'>): ErEventLine {
  return { level: MsgLevel.Info, text: wpsFailText(ev) };
}

/** The trailing space is wpa_supplicant's (the macro ends in a space, nothing follows). */
export const WPS_SUCCESS_LINE: ErEventLine = eventLine(CtrlEvent.WpsSuccess);
