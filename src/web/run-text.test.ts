import { describe, expect, it } from 'vitest';
import type { ConsoleRun } from './model.js';
import { pageEvent } from './page-state.js';
import { eventNote, runFailureText } from './run-text.js';

const time = (ms: number): string => `t${ms}`;
const run = (kind: ConsoleRun['kind'], state: ConsoleRun['state'], configError?: number, msg = 8): ConsoleRun => ({
  id: 1,
  kind,
  state,
  startedAt: 0,
  ...(configError === undefined ? {} : { fail: { msg, configError, errorIndication: 0 } }),
});

describe('what a run outcome means', () => {
  it('says nothing while a run goes on or after it succeeded', () => {
    expect(runFailureText(run('learn', 'running'), time)).toBeUndefined();
    expect(runFailureText(run('configure', 'success'), time)).toBeUndefined();
  });

  it('tells a wrong AP PIN from a wrong Enrollee PIN, both with the WPS-FAIL line', () => {
    expect(runFailureText(run('learn', 'failure', 18), time)).toBe(
      "Wrong AP PIN: the AP did not accept it (WPS-FAIL msg=8 config_error=18). Check the PIN on the AP's label; after 3 wrong PINs the AP locks its setup.",
    );
    expect(runFailureText(run('pin', 'failure', 18), time)).toBe(
      "Wrong PIN: this Enrollee's PIN did not match (WPS-FAIL msg=8 config_error=18). Check the PIN on its label or display and try again.",
    );
  });

  it('says AP Setup Locked and when it ends, or that only a new AP PIN ends it', () => {
    expect(runFailureText(run('learn', 'failure', 15, 5), time, { until: 42 })).toBe(
      'AP Setup Locked: after repeated wrong AP PINs the AP refuses its PIN for a while (WPS-FAIL msg=5 config_error=15). It takes the AP PIN again at t42.',
    );
    expect(runFailureText(run('configure', 'failure', 15, 5), time, {})).toMatch(/It stays locked until a new AP PIN is set at the AP\.$/);
  });

  it('names the message and the configuration error of other failures, and says when a run was cut short', () => {
    expect(runFailureText(run('pbc', 'failure', 12), time)).toMatch(/^PBC session overlap/);
    expect(runFailureText(run('pin', 'failure', 16, 9), time)).toBe('The run failed at M5 (message timeout) (WPS-FAIL msg=9 config_error=16).');
    expect(runFailureText(run('learn', 'aborted'), time)).toBe('The run was cut short: the AP went away.');
    expect(runFailureText(run('learn', 'failure'), time)).toMatch(/^The AP stopped answering/);
  });

  it("marks the learn's closing NACK as no error, in the events a page gets", () => {
    expect(eventNote('WPS-FAIL msg=11 config_error=0')).toMatch(/^not an error/);
    expect(eventNote('WPS-FAIL msg=8 config_error=18')).toBeUndefined();
    expect(pageEvent({ seq: 1, time: 0, source: 'ap', text: 'WPS-FAIL msg=11 config_error=0' }).note).toMatch(/WSC_NACK that ends a learn/);
  });
});
