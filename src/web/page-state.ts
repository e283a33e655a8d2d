/**
 * What the page is sent: the backend's snapshot without network keys (an AP
 * says only whether it has one; the page asks for it by name) and event lines
 * with keys removed.
 */
import type { ApSettings, ConsoleAp, ConsoleEnrollee, ConsoleEr, ConsoleEvent, ConsoleRun, ConsoleSnapshot, EnrollAllProgress, EnrollAllMethod } from './model.js';
import { redactEventText } from './redact.js';
import { eventNote, failLine, runFailureText } from './run-text.js';

export interface PageApSettings extends Omit<ApSettings, 'key'> {
  hasKey: boolean;
}

/** A run with what its end means in words (`message`) and the WPS-FAIL line that ended it (`failLine`). */
export interface PageRun extends ConsoleRun {
  message?: string;
  failLine?: string;
}

export interface PageAp extends Omit<ConsoleAp, 'settings' | 'run'> {
  settings?: PageApSettings;
  run?: PageRun;
}

export interface PageEnrollee extends Omit<ConsoleEnrollee, 'run'> {
  run?: PageRun;
}

export interface EnrollAllStatus extends EnrollAllProgress {
  method: EnrollAllMethod;
}

export interface PageState {
  er: ConsoleEr;
  aps: PageAp[];
  enrollees: PageEnrollee[];
  /** Enrollees that do not probe yet (the lab's queued stations). */
  queued?: number;
  /** The running or last "enroll all" run. */
  enrollAll?: EnrollAllStatus;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** 14:05:09, local time of the machine the console and its page run on. */
export function clockText(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function pageRun(run: ConsoleRun, locked?: { until?: number }): PageRun {
  const out: PageRun = { ...run };
  const message = runFailureText(run, clockText, locked);
  if (message !== undefined) out.message = message;
  if (run.fail !== undefined) out.failLine = failLine(run.fail);
  return out;
}

export function pageAp(ap: ConsoleAp): PageAp {
  const { settings, run, ...rest } = ap;
  const out: PageAp = rest;
  if (run !== undefined) out.run = pageRun(run, ap.setupLocked);
  if (settings === undefined) return out;
  const { key, ...visible } = settings;
  return { ...out, settings: { ...visible, hasKey: key !== '' } };
}

export function pageEnrollee(e: ConsoleEnrollee): PageEnrollee {
  const { run, ...rest } = e;
  return run === undefined ? rest : { ...rest, run: pageRun(run) };
}

export function pageState(s: ConsoleSnapshot, enrollAll: EnrollAllStatus | undefined): PageState {
  const out: PageState = { er: s.er, aps: s.aps.map(pageAp), enrollees: s.enrollees.map(pageEnrollee) };
  if (s.queued !== undefined && s.queued > 0) out.queued = s.queued;
  if (enrollAll !== undefined) out.enrollAll = enrollAll;
  return out;
}

export function pageEvent(ev: ConsoleEvent): ConsoleEvent {
  const out: ConsoleEvent = { ...ev, text: redactEventText(ev.text) };
  const note = ev.note ?? eventNote(ev.text);
  if (note !== undefined) out.note = note;
  return out;
}
