// Packet capture with tshark on a namespace's veth (only traffic we made ourselves).
import type { ManagedProcess, NetnsHost } from './netns.js';

const CAPTURE_START_MS = 15_000;

export class Capture {
  constructor(
    readonly proc: ManagedProcess,
    readonly file: string,
  ) {}

  /** SIGINT lets tshark flush and close the file. */
  async stop(): Promise<void> {
    await this.proc.stop('SIGINT', 5000);
  }
}

/** Starts `tshark -i <veth> -f <bpf> -w <file>` in `host` and waits until it captures. */
export async function startCapture(host: NetnsHost, file: string, bpf = 'udp or tcp'): Promise<Capture> {
  const proc = host.spawn('tshark', ['-n', '-q', '-i', host.ifname, '-f', bpf, '-w', file], { label: `tshark@${host.ns}` });
  await proc.waitForOutput(/Capture started/, CAPTURE_START_MS);
  return new Capture(proc, file);
}
