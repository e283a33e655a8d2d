/**
 * The simulated wireless medium (like mac80211_hwsim + wmediumd): radios in
 * separate processes connect over a UNIX stream socket, register their
 * addresses and channel, and hand it frames. Group-addressed frames reach
 * every other radio on the sender's channel, individually addressed ones only
 * the radio owning Address 1. Each delivery may be lost with probability
 * `loss` and is delayed by `delayMs`.
 *
 * With `airtime`, each channel's air is a timeline (airtime.ts): a frame
 * takes its turn after the frames before it on its channel and reaches its
 * receivers when its transmission (and ACK) would have ended, so a channel
 * carries only as much as 802.11 would. `airtimeStats()` says how busy each
 * channel has been.
 */
import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { unlinkSync, lstatSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import { type Logger, silentLogger } from '../../common/log.js';
import { type MacAddress, macFromBytes, isGroupAddress } from '../mac.js';
import { MessageReader, encodeMessage, SimProtocolError, SIM_PROTOCOL_VERSION, type SimMessage } from './protocol.js';
import { seededRandom } from './rng.js';
import { ChannelTimeline, checkRate, frameAirtimeUs } from './airtime.js';
import { WpsdError } from '../../common/errors.js';

/** Address 1 ends at octet 10; anything shorter cannot be delivered. */
export const MIN_DELIVERABLE_FRAME_LEN = 10;
/** A radio that stops reading loses frames rather than growing the medium's memory. */
export const MAX_PENDING_BYTES_PER_RADIO = 1 << 20;
export const MAX_RADIOS = 64;
export const MAX_DELAY_MS = 60_000;
/** A radio must say HELLO this soon after connecting. */
export const HELLO_TIMEOUT_MS = 5_000;
/** Frames waiting for one channel's air; more are dropped as a full transmit queue would (mac80211 queues 1000 per AC, four ACs). */
export const MAX_QUEUED_FRAMES_PER_CHANNEL = 4_000;
/** Frames whose air ends this close to now go at once: Node's timers have a 1 ms resolution. */
export const AIRTIME_SLACK_US = 1_000;

export interface MediumOptions {
  /** Probability in [0, 1] that a delivery is lost. */
  loss?: number;
  /** Delay of every delivery in ms. */
  delayMs?: number;
  /** Seed for loss decisions; random when absent. */
  seed?: number;
  /** Timer used for delays; injectable so tests do not depend on wall-clock time. */
  schedule?: (fn: () => void, ms: number) => void;
  /** Model each channel's airtime, every frame at this OFDM rate (Mb/s); none unless given. */
  airtime?: { rateMbps: number };
  /** Clock of the airtime model in microseconds; injectable like `schedule`. */
  nowUs?: () => number;
  logger?: Logger;
}

/** A frame took its place on its channel's air (airtime model only). */
export interface MediumAirEvent {
  from: number;
  channel: number;
  startUs: number;
  endUs: number;
}

/** How busy one channel has been under the airtime model. */
export interface ChannelAirtimeStats {
  channel: number;
  /** Air taken by frames, us. */
  busyUs: number;
  frames: number;
  /** Frames dropped because the channel's queue was full. */
  dropped: number;
}

export interface RadioInfo {
  id: number;
  addresses: MacAddress[];
  channel: number;
}

/** Emitted for every frame a radio sends: who got it, who lost it. */
export interface MediumFrameEvent {
  from: RadioInfo;
  frame: Uint8Array;
  deliveredTo: number[];
  lostTo: number[];
}

export class MediumError extends WpsdError<'BAD_OPTION' | 'IN_USE' | 'LISTEN_FAILED'> {}

interface Radio extends RadioInfo {
  socket: Socket;
  registered: boolean;
}

interface QueuedFrame {
  from: Radio;
  channel: number;
  frame: Uint8Array;
  endUs: number;
}

interface ChannelAir {
  timeline: ChannelTimeline;
  queue: QueuedFrame[];
  armed: boolean;
  dropped: number;
}

export class Medium extends EventEmitter {
  readonly loss: number;
  readonly delayMs: number;
  readonly seed: number;
  private readonly random: () => number;
  private readonly schedule: (fn: () => void, ms: number) => void;
  private readonly log: Logger;
  private server: Server | undefined;
  private path: string | undefined;
  private readonly radios = new Map<number, Radio>();
  private nextId = 1;
  readonly rateMbps: number | undefined;
  private readonly nowUs: () => number;
  private readonly air = new Map<number, ChannelAir>();

  constructor(opts: MediumOptions = {}) {
    super();
    const loss = opts.loss ?? 0;
    const delayMs = opts.delayMs ?? 0;
    if (!(loss >= 0 && loss <= 1)) throw new MediumError('BAD_OPTION', `loss ${loss} is not a probability in [0, 1]`);
    if (!(Number.isFinite(delayMs) && delayMs >= 0 && delayMs <= MAX_DELAY_MS)) {
      throw new MediumError('BAD_OPTION', `delay ${delayMs} ms is not in 0..${MAX_DELAY_MS}`);
    }
    this.loss = loss;
    this.delayMs = delayMs;
    this.seed = opts.seed ?? randomInt(0, 2 ** 31);
    this.random = seededRandom(this.seed);
    this.schedule = opts.schedule ?? ((fn, ms) => void setTimeout(fn, ms));
    this.log = opts.logger ?? silentLogger;
    if (opts.airtime !== undefined) {
      try {
        checkRate(opts.airtime.rateMbps);
      } catch (e) {
        throw new MediumError('BAD_OPTION', (e as Error).message);
      }
      this.rateMbps = opts.airtime.rateMbps;
    }
    this.nowUs = opts.nowUs ?? (() => performance.now() * 1000);
  }

  /** Per channel, how much air frames took (empty without the airtime model). */
  airtimeStats(): ChannelAirtimeStats[] {
    return [...this.air.entries()].map(([channel, a]) => ({ channel, busyUs: a.timeline.busyUs, frames: a.timeline.frames, dropped: a.dropped }));
  }

  /** Listens on `path`; a stale socket file left by a dead medium is replaced, a live one is refused. */
  async listen(path: string): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    try {
      await listenOn(server, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw new MediumError('LISTEN_FAILED', `cannot listen on ${path}: ${(err as Error).message}`);
      if (await isAlive(path)) throw new MediumError('IN_USE', `a medium is already listening on ${path}`);
      if (!lstatSync(path).isSocket()) throw new MediumError('IN_USE', `${path} exists and is not a socket`);
      unlinkSync(path);
      await listenOn(server, path);
    }
    this.server = server;
    this.path = path;
    this.log.info(`medium: listening on ${path} (loss ${this.loss}, delay ${this.delayMs} ms, seed ${this.seed})`);
  }

  /** Disconnects every radio, stops listening and removes the socket file. */
  async close(): Promise<void> {
    for (const a of this.air.values()) a.queue.length = 0;
    for (const r of this.radios.values()) r.socket.destroy();
    this.radios.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.path) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
      this.path = undefined;
    }
  }

  registeredRadios(): RadioInfo[] {
    return [...this.radios.values()].filter((r) => r.registered).map(({ id, addresses, channel }) => ({ id, addresses: [...addresses], channel }));
  }

  private accept(socket: Socket): void {
    if (this.radios.size >= MAX_RADIOS) {
      this.log.warn(`medium: refusing radio: ${MAX_RADIOS} already connected`);
      socket.end(encodeMessage({ type: 'error', message: 'too many radios' }));
      return;
    }
    const radio: Radio = { id: this.nextId++, addresses: [], channel: 0, socket, registered: false };
    this.radios.set(radio.id, radio);
    const reader = new MessageReader();
    const helloTimer = setTimeout(() => {
      if (!radio.registered) this.drop(radio, 'no HELLO in time');
    }, HELLO_TIMEOUT_MS);
    helloTimer.unref();
    socket.on('data', (chunk: Buffer) => {
      let msgs: SimMessage[];
      try {
        msgs = reader.push(chunk);
      } catch (err) {
        // Only SimProtocolError is expected; anything else still ends just this radio, never the medium.
        return this.drop(radio, err instanceof SimProtocolError ? err.message : `internal error: ${String(err)}`);
      }
      for (const m of msgs) {
        if (!this.radios.has(radio.id)) return;
        this.handle(radio, m);
      }
    });
    socket.on('error', (err) => this.log.debug(`medium: radio ${radio.id}: ${err.message}`));
    socket.on('close', () => {
      clearTimeout(helloTimer);
      if (this.radios.delete(radio.id) && radio.registered) {
        this.log.debug(`medium: radio ${radio.id} (${radio.addresses.join(' ')}) left`);
        this.emit('radio-left', { id: radio.id, addresses: radio.addresses, channel: radio.channel });
      }
    });
  }

  private drop(radio: Radio, why: string): void {
    this.log.warn(`medium: dropping radio ${radio.id}: ${why}`);
    if (this.radios.delete(radio.id) && radio.registered) {
      this.emit('radio-left', { id: radio.id, addresses: radio.addresses, channel: radio.channel } satisfies RadioInfo);
    }
    radio.socket.end(encodeMessage({ type: 'error', message: why }));
    radio.socket.destroySoon();
  }

  private handle(radio: Radio, m: SimMessage): void {
    switch (m.type) {
      case 'hello':
        if (radio.registered) return this.drop(radio, 'second HELLO');
        if (m.version !== SIM_PROTOCOL_VERSION) return this.drop(radio, `protocol version ${m.version} is not ${SIM_PROTOCOL_VERSION}`);
        radio.addresses = m.addresses;
        radio.channel = m.channel;
        radio.registered = true;
        radio.socket.write(encodeMessage({ type: 'welcome' }));
        this.log.debug(`medium: radio ${radio.id} registered ${m.addresses.join(' ')} on channel ${m.channel}`);
        this.emit('registered', { id: radio.id, addresses: [...radio.addresses], channel: radio.channel } satisfies RadioInfo);
        return;
      case 'set-channel':
        if (!radio.registered) return this.drop(radio, 'SET_CHANNEL before HELLO');
        radio.channel = m.channel;
        return;
      case 'frame':
        if (!radio.registered) return this.drop(radio, 'FRAME before HELLO');
        return this.transmit(radio, m.frame);
      default:
        return this.drop(radio, `unexpected ${m.type} message from a radio`);
    }
  }

  private transmit(from: Radio, frame: Uint8Array): void {
    if (frame.length < MIN_DELIVERABLE_FRAME_LEN) {
      this.log.debug(`medium: radio ${from.id} sent a ${frame.length}-octet frame without Address 1; dropped`);
      return;
    }
    if (this.rateMbps === undefined) return this.deliver(from, from.channel, frame);
    let a = this.air.get(from.channel);
    if (a === undefined) {
      a = { timeline: new ChannelTimeline(), queue: [], armed: false, dropped: 0 };
      this.air.set(from.channel, a);
    }
    if (a.queue.length >= MAX_QUEUED_FRAMES_PER_CHANNEL) {
      a.dropped++;
      this.log.debug(`medium: channel ${from.channel}: ${MAX_QUEUED_FRAMES_PER_CHANNEL} frames wait for the air; frame from radio ${from.id} dropped`);
      return;
    }
    const unicast = !isGroupAddress(macFromBytes(frame, 4));
    const { startUs, endUs } = a.timeline.reserve(this.nowUs(), frameAirtimeUs(frame.length, unicast, this.rateMbps));
    a.queue.push({ from, channel: from.channel, frame, endUs });
    this.emit('air', { from: from.id, channel: from.channel, startUs, endUs } satisfies MediumAirEvent);
    this.pump(a);
  }

  /** Delivers the frames whose air has ended, in their order on the channel, and waits for the next. */
  private pump(a: ChannelAir): void {
    if (a.armed) return;
    const now = this.nowUs();
    let head = a.queue[0];
    while (head !== undefined && head.endUs - now <= AIRTIME_SLACK_US) {
      a.queue.shift();
      this.deliver(head.from, head.channel, head.frame);
      head = a.queue[0];
    }
    if (head === undefined) return;
    a.armed = true;
    this.schedule(
      () => {
        a.armed = false;
        this.pump(a);
      },
      (head.endUs - now) / 1000,
    );
  }

  private deliver(from: Radio, channel: number, frame: Uint8Array): void {
    const addr1 = macFromBytes(frame, 4);
    const group = isGroupAddress(addr1);
    const deliveredTo: number[] = [];
    const lostTo: number[] = [];
    const encoded = encodeMessage({ type: 'frame', frame });
    for (const r of this.radios.values()) {
      if (r === from || !r.registered || r.channel !== channel) continue;
      if (!group && !r.addresses.includes(addr1)) continue;
      if (this.loss > 0 && this.random() < this.loss) {
        lostTo.push(r.id);
        continue;
      }
      deliveredTo.push(r.id);
      const send = (): void => {
        if (!this.radios.has(r.id) || r.socket.destroyed) return;
        if (r.socket.writableLength > MAX_PENDING_BYTES_PER_RADIO) {
          this.log.debug(`medium: radio ${r.id} is not reading; frame dropped`);
          return;
        }
        r.socket.write(encoded);
      };
      if (this.delayMs > 0) this.schedule(send, this.delayMs);
      else send();
    }
    this.emit('frame', { from: { id: from.id, addresses: [...from.addresses], channel }, frame, deliveredTo, lostTo } satisfies MediumFrameEvent);
  }
}

function listenOn(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(path, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
