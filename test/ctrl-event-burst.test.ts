/**
 * An attached CtrlSession gets every event of a burst that arrives while the
 * test process cannot read: Debian wpa_supplicant (-Dnone, in a namespace)
 * sends each event once with MSG_DONTWAIT and drops it when the monitor
 * socket's queue is full (net.unix.max_dgram_qlen, 10 in the root namespace),
 * so a burst of more than 10 events must be received by something that is
 * not this busy event loop.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { withTopology } from '../harness/fixture.js';
import { startWpaSupplicantEr, type WpaSupplicantInstance } from '../harness/wpa-supplicant.js';

/** Events in the burst: more than the root namespace's max_dgram_qlen (10) plus the one the kernel lets past it. */
const BURST = 32;
/** Bound on the blocking `wpa_cli remove_network all` (it returns as soon as wpa_supplicant has answered). */
const CLI_TIMEOUT_MS = 20_000;
const EVENT_TIMEOUT_MS = 10_000;

describe('a burst of wpa_supplicant events while the test process is blocked', () => {
  const env = withTopology({ hosts: ['sta'] });
  let sta: WpaSupplicantInstance;
  let ctrl: CtrlSession;

  beforeAll(async () => {
    sta = env.track(await startWpaSupplicantEr({ host: env.host('sta') }));
    ctrl = env.track(await sta.ctrl());
  });

  it(`every CTRL-EVENT-NETWORK-REMOVED of REMOVE_NETWORK all (${BURST} networks) arrives`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < BURST; i++) {
      ctrl.mark();
      ids.push((await ctrl.request('ADD_NETWORK')).trim());
      await ctrl.waitFor(/^CTRL-EVENT-NETWORK-ADDED /, EVENT_TIMEOUT_MS);
    }
    expect(ids.every((id) => /^\d+$/.test(id))).toBe(true);
    const from = ctrl.mark();

    // wpa_cli returns once wpa_supplicant has answered, i.e. after it has sent
    // (or dropped) every event; until then this process's event loop is blocked.
    // (A drop also makes wpa_supplicant reopen its control socket, and the
    // reply to wpa_cli is lost with the old one: wpa_cli then times out.)
    const cli = spawnSync('ip', ['netns', 'exec', sta.host.ns, 'wpa_cli', '-p', sta.ctrlDir, '-i', sta.ifname, 'remove_network', 'all'], {
      encoding: 'utf8',
      timeout: CLI_TIMEOUT_MS,
    });

    // Events on one socket keep their order: once the event of one more
    // ADD_NETWORK is here, every event of the burst that was not dropped is too.
    // (A monitor that lost more than 10 in a row is detached and gets nothing.)
    await ctrl.request('ADD_NETWORK');
    await ctrl.waitFor(/^CTRL-EVENT-NETWORK-ADDED /, EVENT_TIMEOUT_MS).catch(() => undefined);
    const removed = ctrl.events
      .slice(from)
      .map((e) => /^CTRL-EVENT-NETWORK-REMOVED (\d+)$/.exec(e.text)?.[1])
      .filter((id) => id !== undefined);
    expect(removed).toEqual(ids);
    expect(`${cli.stdout}${cli.stderr}`.trim()).toBe('OK');
  });
});
