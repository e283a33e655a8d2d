// Re-records fixtures/reference/: Debian hostapd 2.10 (wired, UPnP on a veth)
// driven by Debian wpa_supplicant 2.10 as External Registrar, captured with
// tshark inside the namespaces. Run via scripts/record-reference.sh.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startCapture } from './capture.js';
import { runCli, type CtrlSession } from './ctrl-session.js';
import { hostapdConf, REFERENCE_AP, startHostapd } from './hostapd.js';
import { createTopology, disposeAllOnSignals } from './netns.js';
import { headerValue, notifyWlanEvents, readDatagrams, readTcpExchanges, soapWscMessage, splitHttp, wscMessageName } from './pcap-http.js';
import { erConf, startWpaSupplicantEr } from './wpa-supplicant.js';

const EVENT_MS = 15_000;
const MAX_PCAP_BYTES = 200 * 1024;
/** A wrong AP PIN with a valid checksum (one failure only: three would lock the AP PIN). */
export const WRONG_AP_PIN = '11111115';
export const CONFIG_SSID = 'new-ssid';
export const CONFIG_KEY = 'newpassphrase1';

type Phase = 'startup' | 'discovery' | 'description' | 'learn' | 'bad-pin' | 'config' | 'stop';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

function eventsText(s: CtrlSession, phases: Array<{ phase: Phase; at: number }>): string {
  const out: string[] = [];
  let p = -1;
  for (const ev of s.events) {
    while (p + 1 < phases.length && (phases[p + 1]?.at ?? Infinity) <= ev.at) {
      p++;
      out.push(`# ${phases[p]?.phase}`);
    }
    out.push(`<${ev.level}>${ev.text}`);
  }
  return out.join('\n') + '\n';
}

export async function recordReference(outDir: string, say: (m: string) => void = console.log): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'wpsd-record-'));
  const topo = await createTopology({ hosts: ['ap', 'er'] });
  const apHost = topo.host('ap');
  const erHost = topo.host('er');
  const phases: Array<{ phase: Phase; at: number }> = [];
  const phase = (p: Phase): void => {
    phases.push({ phase: p, at: Date.now() });
    say(`phase ${p}`);
  };
  try {
    const pcap = join(work, 'reference.pcapng');
    const cap = await startCapture(apHost, pcap);
    phase('startup');
    const ap = await startHostapd({ host: apHost, keyDebug: true, dir: join(work, 'ap') });
    const er = await startWpaSupplicantEr({ host: erHost, keyDebug: true, dir: join(work, 'er') });
    const apCtrl = await ap.ctrl();
    const erCtrl = await er.ctrl();

    phase('discovery');
    await erCtrl.request('WPS_ER_START');
    await erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS);
    // Let the remaining M-SEARCH replies (hostapd sends a burst), SUBSCRIBE and the first NOTIFY go by.
    await sleep(2000);

    phase('description');
    const ss = await apHost.exec('ss', ['-Hltn']);
    const port = /:(\d+)\s/.exec(ss.stdout)?.[1];
    if (!port) throw new Error(`hostapd's HTTP port not found in: ${ss.stdout}`);
    const base = `http://${apHost.address}:${port}`;
    const desc = (await erHost.exec('curl', ['-sS', `${base}/wps_device.xml`])).stdout;
    const scpdPath = /<SCPDURL>([^<]+)<\/SCPDURL>/.exec(desc)?.[1];
    if (scpdPath) await erHost.exec('curl', ['-sS', '-o', '/dev/null', `${base}${scpdPath.startsWith('/') ? '' : '/'}${scpdPath}`]);
    await sleep(300);

    phase('learn');
    const apLog0 = ap.log().length;
    const erLog0 = er.log().length;
    erCtrl.mark();
    apCtrl.mark();
    await erCtrl.request(`WPS_ER_LEARN ${REFERENCE_AP.uuid} ${REFERENCE_AP.apPin}`);
    await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, EVENT_MS);
    await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS);
    await sleep(500);
    const apLearnLog = ap.log().slice(apLog0);
    const erLearnLog = er.log().slice(erLog0);

    phase('bad-pin');
    erCtrl.mark();
    apCtrl.mark();
    await erCtrl.requestUntilOk(`WPS_ER_LEARN ${REFERENCE_AP.uuid} ${WRONG_AP_PIN}`);
    await erCtrl.waitFor(/^WPS-FAIL /, EVENT_MS);
    await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS);
    await sleep(500);

    phase('config');
    const apLog1 = ap.log().length;
    erCtrl.mark();
    apCtrl.mark();
    await erCtrl.requestUntilOk(`WPS_ER_CONFIG ${REFERENCE_AP.uuid} ${REFERENCE_AP.apPin} ${hex(CONFIG_SSID)} WPA2PSK CCMP ${hex(CONFIG_KEY)}`);
    await apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS);
    await erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS);
    let getConfig = '';
    for (let i = 0; i < 50 && !getConfig.includes(`ssid=${CONFIG_SSID}\n`); i++) {
      await sleep(100);
      getConfig = await runCli('hostapd_cli', apHost, ap.ctrlDir, ap.ifname, ['get_config']);
    }
    await sleep(500);
    const confAfter = ap.currentConf();
    const apConfigLog = ap.log().slice(apLog1);

    phase('stop');
    apCtrl.close();
    await ap.proc.stop('SIGTERM');
    await erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS);
    await sleep(500);
    await cap.stop();

    // ---- write the fixtures ----
    prepareOutDir(outDir);
    const phaseOf = (tSec: number): Phase => {
      let p: Phase = 'startup';
      for (const x of phases) if (x.at / 1000 <= tSec) p = x.phase;
      return p;
    };
    const t0 = (phases[0]?.at ?? 0) / 1000;
    const index: string[] = ['# time(s)\tphase\tfrom -> to\tfirst line\t[wsc in -> out]'];

    mkdirSync(join(outDir, 'ssdp'), { recursive: true });
    let n = 0;
    for (const d of await readDatagrams(pcap)) {
      const text = d.payload.toString('latin1');
      const first = text.split('\r\n')[0] ?? '';
      const nts = headerValue(text, 'NTS');
      const kind = first.startsWith('M-SEARCH') ? 'msearch' : first.startsWith('HTTP/') ? 'msearch-response' : nts === 'ssdp:byebye' ? 'notify-byebye' : nts === 'ssdp:alive' ? 'notify-alive' : 'other';
      const name = `${String(++n).padStart(2, '0')}-${phaseOf(d.time)}-${kind}.txt`;
      writeFileSync(join(outDir, 'ssdp', name), d.payload);
      index.push(`${(d.time - t0).toFixed(3)}\t${phaseOf(d.time)}\t${d.src} -> ${d.dst}\tudp ${first}\tssdp/${name}`);
    }

    mkdirSync(join(outDir, 'http'), { recursive: true });
    const wscSeen = new Map<string, number>();
    const writeWsc = (p: Phase, msg: Buffer, prefix = ''): string => {
      const base = prefix + (wscMessageName(msg) ?? 'unknown');
      const k = `${p}/${base}`;
      const c = (wscSeen.get(k) ?? 0) + 1;
      wscSeen.set(k, c);
      const file = `${base}${c > 1 ? `-${c}` : ''}.hex`;
      mkdirSync(join(outDir, 'wsc', p), { recursive: true });
      writeFileSync(join(outDir, 'wsc', p, file), msg.toString('hex') + '\n');
      return `wsc/${p}/${file}`;
    };
    n = 0;
    for (const ex of await readTcpExchanges(pcap)) {
      const p = phaseOf(ex.time);
      const req = splitHttp(ex.request);
      const res = splitHttp(ex.response);
      const [method, path] = req.startLine.split(' ');
      const action = /#(\w+)"?$/.exec(headerValue(req.headers, 'SOAPACTION') ?? '')?.[1];
      const inMsg = soapWscMessage(req.body);
      const outMsg = soapWscMessage(res.body);
      const inName = inMsg ? wscMessageName(inMsg.message) : undefined;
      const outName = outMsg ? wscMessageName(outMsg.message) : undefined;
      let label = action ?? `${method ?? 'X'}${path ? `-${path.replace(/^\/+/, '').replace(/[^\w.]+/g, '_')}` : ''}`;
      if (action === 'PutMessage') label += `-${inName ?? 'x'}-${outName ?? res.startLine.split(' ')[1] ?? 'x'}`;
      const stem = `${String(++n).padStart(2, '0')}-${p}-${label}`;
      writeFileSync(join(outDir, 'http', `${stem}.request.http`), ex.request);
      writeFileSync(join(outDir, 'http', `${stem}.response.http`), ex.response);
      const files: string[] = [];
      if (inMsg) files.push(writeWsc(p, inMsg.message));
      if (outMsg) files.push(writeWsc(p, outMsg.message));
      if (method === 'NOTIFY') {
        for (const ev of notifyWlanEvents(req.body)) {
          const f = writeWsc(p, ev.message, `wlanevent${ev.type}-`);
          files.push(`${f} (WLANEventType ${ev.type}, MAC ${ev.mac})`);
        }
      }
      if (method === 'GET' && path && res.body.length > 0 && ex.client.startsWith(erHost.address)) {
        const file = path.replace(/^\/+/, '').replace(/[^\w.]+/g, '_');
        if (p === 'discovery' || p === 'description') writeFileSync(join(outDir, file), res.body);
      }
      index.push(`${(ex.time - t0).toFixed(3)}\t${p}\t${ex.client} -> ${ex.server}\t${req.startLine} => ${res.startLine}\thttp/${stem}.*${files.length ? `\t${files.join(' ')}` : ''}`);
    }
    writeFileSync(join(outDir, 'index.tsv'), index.join('\n') + '\n');
    writeFileSync(join(outDir, 'events-er.txt'), eventsText(erCtrl, phases));
    writeFileSync(join(outDir, 'events-ap.txt'), eventsText(apCtrl, phases));
    writeFileSync(join(outDir, 'hostapd-learn-ddK.log'), apLearnLog);
    writeFileSync(join(outDir, 'wpa_supplicant-learn-ddK.log'), erLearnLog);
    writeFileSync(join(outDir, 'hostapd-config-ddK.log'), apConfigLog);
    writeFileSync(join(outDir, 'hostapd.conf'), hostapdConf({ ifname: apHost.ifname, ctrlDir: '/var/run/hostapd' }));
    writeFileSync(join(outDir, 'hostapd.conf.after-config'), confAfter.replace(ap.ctrlDir, '/var/run/hostapd'));
    writeFileSync(join(outDir, 'er.conf'), erConf({ ctrlDir: '/var/run/wpa_supplicant' }));
    writeFileSync(join(outDir, 'get_config.after-config.txt'), getConfig.replace(/^bssid=.*$/m, 'bssid=<veth MAC>'));
    if (statSync(pcap).size <= MAX_PCAP_BYTES) copyFileSync(pcap, join(outDir, 'reference.pcapng'));
    erCtrl.close();
    await er.stop();
  } finally {
    await topo.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Hand-written files in the fixture directory that a re-recording keeps. */
const KEPT_FILES = new Set(['README.md', '.gitignore']);

/** Removes previously generated files. */
function prepareOutDir(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (!KEPT_FILES.has(f)) rmSync(join(outDir, f), { recursive: true, force: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = resolve(process.argv[2] ?? 'fixtures/reference');
  disposeAllOnSignals();
  recordReference(out).then(
    () => console.log(`recorded into ${out}`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
