/**
 * What the page is sent: the backend's snapshot without network keys (an AP
 * says only whether it has one; the page asks for it by name) and event lines
 * with keys removed.
 */
import type { ApSettings, ConsoleAp, ConsoleEnrollee, ConsoleEr, ConsoleEvent, ConsoleSnapshot, EnrollAllProgress, EnrollAllMethod } from './model.js';
import { redactEventText } from './redact.js';

export interface PageApSettings extends Omit<ApSettings, 'key'> {
  hasKey: boolean;
}

export interface PageAp extends Omit<ConsoleAp, 'settings'> {
  settings?: PageApSettings;
}

export interface EnrollAllStatus extends EnrollAllProgress {
  method: EnrollAllMethod;
}

export interface PageState {
  er: ConsoleEr;
  aps: PageAp[];
  enrollees: ConsoleEnrollee[];
  /** The running or last "enroll all" run. */
  enrollAll?: EnrollAllStatus;
}

export function pageAp(ap: ConsoleAp): PageAp {
  const { settings, ...rest } = ap;
  if (settings === undefined) return rest;
  const { key, ...visible } = settings;
  return { ...rest, settings: { ...visible, hasKey: key !== '' } };
}

export function pageState(s: ConsoleSnapshot, enrollAll: EnrollAllStatus | undefined): PageState {
  const out: PageState = { er: s.er, aps: s.aps.map(pageAp), enrollees: s.enrollees };
  if (enrollAll !== undefined) out.enrollAll = enrollAll;
  return out;
}

export function pageEvent(ev: ConsoleEvent): ConsoleEvent {
  return { ...ev, text: redactEventText(ev.text) };
}
