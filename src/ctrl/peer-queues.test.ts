import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDgramSocket } from './dgram.js';
import { PeerQueues, parseUnixDiag } from './peer-queues.js';

function diagMessage(name: Buffer, rqueue: number): { data: Buffer } {
  const attr = (type: number, v: Buffer): Buffer => {
    const len = 4 + v.length;
    const b = Buffer.alloc((len + 3) & ~3);
    b.writeUInt16LE(len, 0);
    b.writeUInt16LE(type, 2);
    v.copy(b, 4);
    return b;
  };
  const head = Buffer.alloc(16);
  head[0] = 1; // AF_UNIX
  head[1] = 2; // SOCK_DGRAM
  const rq = Buffer.alloc(8);
  rq.writeUInt32LE(rqueue, 0);
  return { data: Buffer.concat([head, attr(0, name), attr(4, rq)]) };
}

describe('sock_diag view of peer receive queues', () => {
  it('reads names (path and abstract) and the first queued datagram length; skips what it cannot read', () => {
    const got = parseUnixDiag([
      diagMessage(Buffer.from('/run/wpsd/cli-1\0\0\0', 'latin1'), 0),
      diagMessage(Buffer.from('\0abstract', 'latin1'), 37),
      { data: Buffer.alloc(8) },
      { data: Buffer.concat([diagMessage(Buffer.from('/x'), 0).data.subarray(0, 18)]) },
    ]);
    expect(got).toEqual([
      { name: '/run/wpsd/cli-1', rqueue: 0 },
      { name: '@abstract', rqueue: 37 },
    ]);
  });

  it('asks the kernel: a bound socket that read everything is empty, a name nobody holds is unknown', async () => {
    const pq = await PeerQueues.open();
    if (pq === undefined) throw new Error('sock_diag unavailable on this kernel');
    const dir = mkdtempSync('/tmp/wpsd-pq-');
    const sock = createDgramSocket();
    try {
      const path = join(dir, 'peer');
      sock.bind(path);
      const states = await pq.check([path, join(dir, 'nobody')]);
      expect(Object.fromEntries(states.peers)).toEqual({ [path]: 'empty', [join(dir, 'nobody')]: 'unknown' });
    } finally {
      sock.close();
      pq.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
