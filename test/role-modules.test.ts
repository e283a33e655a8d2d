// Which code each role loads, from the daemon itself (harness/module-trace.ts:
// Node's built-in modules and every script V8 has, after a discovery and a learn): `wpsd ap`
// with driver=none and `wpsd sta -D none` (the External Registrar) must not
// carry the web console, the other roles, the nl80211 code, the parts of
// netlink they never use, undici, commander and the role registrations, or
// the Node modules only those pulled in (bench/README.md, "Resident memory",
// says what each costs). A structural check: it holds on any machine load.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ER_EVENT_MS, erLearn, pollUntil } from '../harness/er-runs.js';
import { withApAndEr } from '../harness/fixture.js';
import { REFERENCE_AP } from '../harness/hostapd.js';
import { moduleTraceEnv } from '../harness/module-trace.js';
import { startWpsdAp, startWpsdSta } from '../harness/wpsd.js';

/** A script's URL as a short name: src/..., pkg/<package path>, or node:... as V8 names it. */
function shortName(url: string): string {
  const pkg = /\/node_modules\/(.+)$/.exec(url);
  if (pkg?.[1]) return `pkg/${pkg[1]}`;
  const src = /\/dist\/src\/(.+)$/.exec(url);
  if (src?.[1]) return `src/${src[1]}`;
  return url;
}

/** Code no role of these two may load. */
const NEVER: readonly RegExp[] = [
  /^pkg\/express\//,
  /^src\/web\//,
  /^src\/lab\//,
  /^src\/radio\/nl80211\//,
  // netlink's index (nl80211, rtnetlink, WireGuard tables): only its raw socket is used, for sock_diag.
  /^pkg\/netlink\/dist\/(index|nl80211|rt|wg|genl)/,
  // HTTP is node:http's (WebAssembly parser, http2 and tls with it), and
  // Node's own copy of undici, which globalThis.Headers and fetch load.
  /^pkg\/undici\//,
  /^node:internal\/deps\/undici\//,
  /^node:(http2|tls|_tls_wrap|internal\/http2\/)/,
  // A daemon line is read with node:util's parseArgs (src/common/daemon-args.ts).
  /^pkg\/commander\//,
  /^src\/(ap\/ap|sta\/sta|lab\/lab|radio\/medium|ctrl\/cli|decode\/decode|decode\/nfc-pw-token)-command\.js$/,
  /^src\/lab\/lab-config\.js$/,
  // node-unix-socket's native module is loaded directly (src/ctrl/unix-dgram.ts):
  // its index loads worker_threads and builds a diagnostic report.
  /^pkg\/node-unix-socket\//,
  /^node:(worker_threads|internal\/worker|internal\/process\/report)$/,
];

/** The modules of `loaded` that match a forbidden pattern. */
function offending(loaded: readonly string[], forbidden: readonly RegExp[]): string[] {
  return loaded.filter((m) => forbidden.some((re) => re.test(m)));
}

describe('modules each role loads', () => {
  const traceDir = mkdtempSync(join(tmpdir(), 'wpsd-modules-'));
  afterAll(() => rmSync(traceDir, { recursive: true, force: true }));
  const pair = withApAndEr({
    ap: (host) => startWpsdAp({ host, env: moduleTraceEnv(traceDir) }),
    er: (host) => startWpsdSta({ host, env: moduleTraceEnv(traceDir) }),
  });

  /** Asks the daemon for its scripts (SIGUSR2) and waits for the file it writes. */
  async function loadedBy(pid: number | undefined): Promise<string[]> {
    if (pid === undefined) throw new Error('no pid');
    const file = join(traceDir, `modules-${pid}.json`);
    process.kill(pid, 'SIGUSR2');
    // Generous: the inspector replay of a few hundred scripts on a loaded machine.
    await pollUntil(() => existsSync(file), (ok) => ok, 300, 100);
    return (JSON.parse(readFileSync(file, 'utf8')) as string[]).map(shortName);
  }

  let ap: string[] = [];
  let sta: string[] = [];
  beforeAll(async () => {
    expect(await pair.er.cli('wps_er_start')).toBe('OK\n');
    await pair.erCtrl.waitFor(/^WPS-ER-AP-ADD /, ER_EVENT_MS);
    const learn = await erLearn(pair.erCtrl, REFERENCE_AP.uuid, REFERENCE_AP.apPin, { ap: pair.apCtrl, send: () => pair.er.cli('wps_er_learn', REFERENCE_AP.uuid, REFERENCE_AP.apPin) });
    expect(learn.reply).toBe('OK\n');
    ap = await loadedBy(pair.ap.proc.pid);
    sta = await loadedBy(pair.er.proc.pid);
  });

  it('the trace sees each role and the packages it uses', () => {
    expect(ap).toContain('src/ap/main.js');
    expect(ap).toContain('src/proxy/wfa-proxy.js');
    // The AP's GENA NOTIFY to the ER and the ER's SOAP calls went through node:http's client.
    for (const role of [ap, sta]) expect(role).toEqual(expect.arrayContaining(['src/upnp/http-client.js', 'node:_http_client', 'src/ctrl/unix-dgram.js', 'src/common/daemon-args.js']));
    expect(sta).toContain('src/er/external-registrar.js');
    for (const role of [ap, sta]) expect(role).toContain('pkg/netlink/dist/netlink.js');
  });

  it('wpsd ap driver=none loads no web console, no ER or station, no nl80211, no unused netlink, no undici, commander or role registrations', () => {
    expect(offending(ap, [...NEVER, /^src\/er\//, /^src\/sta\//])).toEqual([]);
  });

  it('wpsd sta -D none loads no web console, no AP, no radio station, no nl80211, no unused netlink, no undici, commander or role registrations', () => {
    const radioStation = [/^src\/sta\/(radio-station|radio-commands|wpa-link)\.js$/, /^src\/sta\/wireless\//, /^src\/radio\/wpa\//];
    expect(offending(sta, [...NEVER, /^src\/ap\//, /^src\/proxy\//, ...radioStation])).toEqual([]);
  });
});
