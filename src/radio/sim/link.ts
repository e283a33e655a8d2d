/**
 * A radio's connection to `wpsd medium`: registers addresses and channel,
 * sends frames and hands received frames to its owner.
 */
import { createConnection, type Socket } from 'node:net';
import { type Logger, silentLogger } from '../../common/log.js';
import type { MacAddress } from '../mac.js';
import { DriverError } from '../driver.js';
import { MessageReader, encodeMessage, SimProtocolError, SIM_PROTOCOL_VERSION, MEDIUM_MAX_FRAME_LEN } from './protocol.js';

export const LINK_CONNECT_TIMEOUT_MS = 5_000;

export interface SimLinkOptions {
  addresses: MacAddress[];
  channel: number;
  logger?: Logger;
}

export class SimLink {
  private frameHandler: (frame: Uint8Array) => void = () => undefined;
  private closeHandler: (why: string) => void = () => undefined;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private currentChannel: number,
    private readonly log: Logger,
  ) {}

  /** Connects to the medium at `path` and resolves once it has accepted the registration. */
  static connect(path: string, opts: SimLinkOptions): Promise<SimLink> {
    const log = opts.logger ?? silentLogger;
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const link = new SimLink(socket, opts.channel, log);
      const reader = new MessageReader();
      let welcomed = false;
      const fail = (why: string): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new DriverError('LINK_DOWN', `cannot attach to the sim medium at ${path}: ${why}`));
      };
      const timer = setTimeout(() => fail('no answer'), LINK_CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        try {
          socket.write(encodeMessage({ type: 'hello', version: SIM_PROTOCOL_VERSION, channel: opts.channel, addresses: opts.addresses }));
        } catch (err) {
          fail((err as Error).message);
        }
      });
      socket.on('data', (chunk: Buffer) => {
        let msgs;
        try {
          msgs = reader.push(chunk);
        } catch (err) {
          // Only SimProtocolError is expected; anything else also ends the link rather than the daemon.
          const why = err instanceof SimProtocolError ? err.message : `internal error: ${String(err)}`;
          if (!welcomed) return fail(why);
          log.error(`sim: medium sent garbage: ${why}`);
          return link.shutdown(why);
        }
        for (const m of msgs) {
          if (m.type === 'welcome' && !welcomed) {
            welcomed = true;
            clearTimeout(timer);
            resolve(link);
          } else if (m.type === 'frame' && welcomed) {
            link.frameHandler(m.frame);
          } else if (m.type === 'error') {
            if (!welcomed) return fail(m.message);
            log.error(`sim: medium closed the link: ${m.message}`);
            return link.shutdown(m.message);
          }
        }
      });
      socket.on('error', (err) => {
        if (!welcomed) fail(err.message);
        else log.debug(`sim: link error: ${err.message}`);
      });
      socket.on('close', () => {
        if (!welcomed) return fail('connection closed');
        link.shutdown('medium went away');
      });
    });
  }

  get channel(): number {
    return this.currentChannel;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  onFrame(handler: (frame: Uint8Array) => void): void {
    this.frameHandler = handler;
  }

  onClose(handler: (why: string) => void): void {
    this.closeHandler = handler;
  }

  send(frame: Uint8Array): void {
    if (this.closed) throw new DriverError('LINK_DOWN', 'the sim medium link is closed');
    if (frame.length > MEDIUM_MAX_FRAME_LEN) throw new DriverError('BAD_CONFIG', `frame of ${frame.length} octets exceeds ${MEDIUM_MAX_FRAME_LEN}`);
    this.socket.write(encodeMessage({ type: 'frame', frame }));
  }

  setChannel(channel: number): void {
    if (this.closed) throw new DriverError('LINK_DOWN', 'the sim medium link is closed');
    if (channel === this.currentChannel) return;
    this.socket.write(encodeMessage({ type: 'set-channel', channel }));
    this.currentChannel = channel;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      this.socket.destroySoon();
    });
  }

  private shutdown(why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.closeHandler(why);
  }
}
