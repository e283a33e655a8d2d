/** What the sim AP and station drivers share: the medium link, sequence numbers, event fan-out, frame intake. */
import { type Logger, silentLogger, LogLevel } from '../../common/log.js';
import { type MacAddress, macAddress } from '../mac.js';
import { DriverError, DriverEvents, type DriverListener, type DriverEvent } from '../driver.js';
import { type Frame, type ManagementFrame, type DataFrame, parseFrame, buildFrame, FrameError } from '../frame.js';
import { SimLink } from './link.js';

export interface SimRadioOptions {
  /** Path of the `wpsd medium` socket (sim_medium=). */
  mediumPath: string;
  address: MacAddress;
  channel: number;
  logger?: Logger;
}

export abstract class SimRadio {
  readonly driverName = 'sim' as const;
  readonly address: MacAddress;
  protected readonly log: Logger;
  protected readonly events: DriverEvents;
  private sequence = 0;

  protected constructor(
    protected readonly link: SimLink,
    address: MacAddress,
    logger: Logger,
  ) {
    this.address = address;
    this.log = logger;
    this.events = new DriverEvents((err) => this.log.error(`sim: event listener failed: ${(err as Error).message}`));
    link.onFrame((raw) => this.receive(raw));
    link.onClose((why) => this.linkLost(why));
  }

  protected static async attach(opts: SimRadioOptions): Promise<{ link: SimLink; address: MacAddress; logger: Logger }> {
    const address = macAddress(opts.address);
    const logger = opts.logger ?? silentLogger;
    const link = await SimLink.connect(opts.mediumPath, { addresses: [address], channel: opts.channel, logger });
    return { link, address, logger };
  }

  onEvent(listener: DriverListener): () => void {
    return this.events.on(listener);
  }

  protected emit(event: DriverEvent): void {
    this.events.emit(event);
  }

  async sendMgmt(frame: ManagementFrame | Uint8Array): Promise<void> {
    if (frame instanceof Uint8Array) {
      this.link.send(frame);
      return;
    }
    this.transmit(frame);
  }

  /** Encodes and sends a frame, stamping the next sequence number (9.3.2.11: 12-bit counter, fragment 0). */
  protected transmit(frame: Frame): void {
    const sequenceControl = (this.sequence << 4) & 0xfff0;
    this.sequence = (this.sequence + 1) & 0x0fff;
    const bytes = buildFrame({ ...frame, header: { ...frame.header, sequenceControl } });
    if (this.log.enabled(LogLevel.EXCESSIVE)) this.log.hexdump(LogLevel.EXCESSIVE, 'sim: TX frame', bytes);
    this.link.send(bytes);
  }

  async close(): Promise<void> {
    this.beforeClose();
    await this.link.close();
  }

  protected requireLink(): void {
    if (!this.link.isOpen) throw new DriverError('LINK_DOWN', 'the sim medium link is down');
  }

  private receive(raw: Uint8Array): void {
    let frame: Frame;
    try {
      frame = parseFrame(raw);
    } catch (err) {
      // parseFrame is total (FrameError only); an unexpected error still drops just this frame.
      if (err instanceof FrameError) this.log.debug(`sim: dropped frame: ${err.message}`);
      else this.log.error(`sim: dropped frame: internal error: ${String(err)}`);
      return;
    }
    try {
      if (frame.kind === 'management') this.receiveMgmt(frame, raw);
      else this.receiveData(frame);
    } catch (err) {
      // A hostile frame must never take the daemon down.
      this.log.error(`sim: error handling received frame: ${(err as Error).message}`);
    }
  }

  protected abstract receiveMgmt(frame: ManagementFrame, raw: Uint8Array): void;
  protected abstract receiveData(frame: DataFrame): void;
  protected abstract linkLost(why: string): void;
  protected abstract beforeClose(): void;
}
