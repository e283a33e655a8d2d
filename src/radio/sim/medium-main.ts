/** `wpsd medium`: runs a Medium until SIGINT/SIGTERM, then removes its socket. */
import { Logger, levelFromDebugCount } from '../../common/log.js';
import { Medium, MediumError } from './medium.js';

export interface MediumCommandOptions {
  socket: string;
  loss: number;
  delay: number;
  seed?: number;
  /** OFDM rate of the airtime model, Mb/s; no airtime model unless given. */
  airtime?: number;
  debug: number;
  timestamps: boolean;
}

export async function runMedium(opts: MediumCommandOptions): Promise<void> {
  const logger = new Logger({ level: levelFromDebugCount(opts.debug), timestamps: opts.timestamps });
  let medium: Medium;
  try {
    medium = new Medium({ loss: opts.loss, delayMs: opts.delay, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.airtime !== undefined ? { airtime: { rateMbps: opts.airtime } } : {}), logger });
    await medium.listen(opts.socket);
  } catch (err) {
    if (err instanceof MediumError) {
      logger.error(`medium: ${err.message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
  await new Promise<void>((resolve) => {
    const stop = (sig: string): void => {
      logger.info(`medium: ${sig}, shutting down`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void medium.close().then(resolve);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}
