/**
 * EAP-WSC framing and fragmentation against real hostapd 2.10 and
 * wpa_supplicant 2.10: a PIN run over wired 802.1X between a veth pair inside
 * a throw-away network namespace (`unshare --net`), with fragment_size=100 on
 * both sides so every long message is fragmented, captured with dumpcap.
 * Then every captured EAP-WSC packet must parse and rebuild to the same bytes,
 * the Reassembler must rebuild each message, and the Fragmenter must split each
 * message into exactly the fragments hostapd/wpa_supplicant sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEapWsc,
  EAP_TYPE_EXPANDED,
  EAP_TYPE_IDENTITY,
  EapCode,
  Fragmenter,
  parseEapHeader,
  parseEapWsc,
  Reassembler,
  WSC_FLAG_LF,
  WSC_ID_ENROLLEE,
  WscOpCode,
  type EapWscPacket,
} from '../src/wps/eap-wsc.js';

const FRAGMENT_SIZE = 100;
const RUN_TIMEOUT_MS = 15_000;
const ETHERTYPE_EAPOL = 0x888e;
const EAPOL_TYPE_EAP = 0;

let dir = '';
let proc: ChildProcess | undefined;
const output: string[] = [];
let eapPackets: Buffer[] = [];

/** EAP packets (EAPOL type 0 bodies) from a classic pcap file, in capture order. */
function eapFromPcap(file: Buffer): Buffer[] {
  const out: Buffer[] = [];
  if (file.length < 24) return out;
  const le = file.readUInt32LE(0) === 0xa1b2c3d4 || file.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (o: number) => (le ? file.readUInt32LE(o) : file.readUInt32BE(o));
  let off = 24;
  while (off + 16 <= file.length) {
    const incl = u32(off + 8);
    // dumpcap is still writing: a record not yet complete is left for the next read.
    if (off + 16 + incl > file.length) break;
    const frame = file.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    if (frame.length < 18 || frame.readUInt16BE(12) !== ETHERTYPE_EAPOL || frame[15] !== EAPOL_TYPE_EAP) continue;
    const len = frame.readUInt16BE(16);
    out.push(Buffer.from(frame.subarray(18, 18 + len)));
  }
  return out;
}

function hasEapFailure(pcap: string): boolean {
  if (!existsSync(pcap)) return false;
  return eapFromPcap(readFileSync(pcap)).some((p) => p[0] === EapCode.Failure);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), `wpsd-eapwsc-${process.pid}-`));
  writeFileSync(
    join(dir, 'hostapd.conf'),
    [
      'interface=v0',
      'driver=wired',
      `ctrl_interface=${dir}/hctrl`,
      'ieee8021x=1',
      'eap_server=1',
      'eapol_version=2',
      'wps_state=2',
      'ssid=wpsd-eap-test',
      `fragment_size=${FRAGMENT_SIZE}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'wpa.conf'),
    [
      `ctrl_interface=${dir}/wctrl`,
      'ap_scan=0',
      'eapol_version=2',
      'network={',
      '  key_mgmt=IEEE8021X',
      '  eap=WSC',
      `  identity="${WSC_ID_ENROLLEE}"`,
      '  phase1="pin=12345670"',
      '  eapol_flags=0',
      `  fragment_size=${FRAGMENT_SIZE}`,
      '}',
      '',
    ].join('\n'),
  );
  const pcap = join(dir, 'cap.pcap');
  // Everything below runs inside the new namespace; each step waits for the previous one to be ready.
  const script = [
    'set -e',
    'ip link set lo up',
    'ip link add v0 type veth peer name v1',
    'ip link set v0 up',
    'ip link set v1 up',
    `dumpcap -q -P -i v0 -w ${pcap} &`,
    `n=0; until [ -s ${pcap} ]; do n=$((n+1)); [ $n -lt 200 ] || exit 3; sleep 0.05; done`,
    `hostapd ${dir}/hostapd.conf &`,
    `n=0; until [ -S ${dir}/hctrl/v0 ]; do n=$((n+1)); [ $n -lt 200 ] || exit 4; sleep 0.05; done`,
    `hostapd_cli -p ${dir}/hctrl -i v0 wps_pin any 12345670`,
    `wpa_supplicant -i v1 -D wired -c ${dir}/wpa.conf &`,
    'wait',
  ].join('\n');
  proc = spawn('unshare', ['--net', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  proc.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (!hasEapFailure(pcap)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`WPS run did not finish:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Every record up to the EAP-Failure is complete (dumpcap writes in order; a half-written one is not read).
  eapPackets = eapFromPcap(readFileSync(pcap));
}, 30_000);

afterAll(async () => {
  if (proc?.pid !== undefined && proc.exitCode === null) {
    const exited = new Promise((r) => proc?.once('exit', r));
    // The shell leads its own process group (detached), holding only the daemons it started.
    process.kill(-proc.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
    if (proc.exitCode === null) process.kill(-proc.pid, 'SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function wscPackets(): EapWscPacket[] {
  return eapPackets.filter((p) => parseEapHeader(p).type === EAP_TYPE_EXPANDED).map((p) => parseEapWsc(p));
}

describe('EAP-WSC against hostapd and wpa_supplicant (fragment_size=100)', () => {
  it('reads the identity exchange and the final EAP-Failure', () => {
    const headers = eapPackets.map((p) => parseEapHeader(p));
    const idResp = headers.find((h) => h.code === EapCode.Response && h.type === EAP_TYPE_IDENTITY);
    expect(idResp?.identity?.toString()).toBe(WSC_ID_ENROLLEE);
    expect(headers.at(-1)?.code).toBe(EapCode.Failure);
  });

  it('parses every EAP-WSC packet and rebuilds it to the same bytes', () => {
    const raw = eapPackets.filter((p) => parseEapHeader(p).type === EAP_TYPE_EXPANDED);
    expect(raw.length).toBeGreaterThan(10);
    for (const p of raw) expect(buildEapWsc(parseEapWsc(p)).toString('hex')).toBe(p.toString('hex'));
    const first = wscPackets()[0];
    expect(first?.opCode).toBe(WscOpCode.Start);
    expect(first?.code).toBe(EapCode.Request);
  });

  it('reassembles each direction into whole WSC messages and re-fragments them exactly as sent', () => {
    const pkts = wscPackets();
    const messages: { code: number; type: number; len: number }[] = [];
    let fragmented = 0;
    for (const code of [EapCode.Request, EapCode.Response] as const) {
      const r = new Reassembler();
      let group: EapWscPacket[] = [];
      for (const p of pkts.filter((x) => x.code === code && x.opCode !== WscOpCode.FragAck && x.opCode !== WscOpCode.Start)) {
        group.push(p);
        const res = r.push(p);
        if (!res.complete) continue;
        // Re-fragment with the same size and compare every fragment with what was on the wire.
        const f = new Fragmenter(res.opCode, res.message, FRAGMENT_SIZE);
        const again = group.map((g) => buildEapWsc({ code: g.code, identifier: g.identifier, ...f.next() }));
        expect(f.done).toBe(true);
        expect(again.map((b) => b.toString('hex'))).toEqual(group.map((g) => buildEapWsc(g).toString('hex')));
        if (group.length > 1) {
          fragmented++;
          expect((group[0]?.flags ?? 0) & WSC_FLAG_LF).toBe(WSC_FLAG_LF);
          expect(group[0]?.messageLength).toBe(res.message.length);
        }
        // Message Type attribute (0x1022) of the reassembled WSC message.
        const t = res.message.indexOf(Buffer.from([0x10, 0x22, 0x00, 0x01]));
        messages.push({ code, type: res.message[t + 4] ?? -1, len: res.message.length });
        group = [];
      }
      expect(r.inProgress).toBe(false);
    }
    expect(fragmented).toBeGreaterThanOrEqual(4);
    // M1, M3, M5, M7 from the Enrollee (responses); M2, M4, M6 from hostapd's Registrar (requests).
    const types = (c: number) => messages.filter((m) => m.code === c).map((m) => m.type);
    expect(types(EapCode.Response).slice(0, 4)).toEqual([4, 7, 9, 11]);
    expect(types(EapCode.Request).slice(0, 3)).toEqual([5, 8, 10]);
  });

  it('sends FRAG_ACK exactly as hostapd and wpa_supplicant do', () => {
    const acks = wscPackets().filter((p) => p.opCode === WscOpCode.FragAck);
    expect(acks.length).toBeGreaterThan(4);
    for (const a of acks) {
      expect(buildEapWsc({ code: a.code, identifier: a.identifier, opCode: WscOpCode.FragAck, flags: 0, data: Buffer.alloc(0) })).toEqual(
        buildEapWsc(a),
      );
      expect(a.data.length).toBe(0);
    }
  });
});
