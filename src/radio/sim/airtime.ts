/**
 * Airtime of the sim medium: a simple 802.11 model of how long a frame holds
 * its channel, and a per-channel timeline on which frames wait their turn.
 *
 * One frame's occupancy (a single transmitter winning the medium, no
 * collisions, no retries):
 *   DIFS + mean backoff + TXTIME(frame + FCS)
 *   + for an individually addressed frame: SIFS + TXTIME(ACK)
 * TXTIME is the OFDM PHY's (IEEE 802.11-2020 17.4.3, eq. 17-29): preamble
 * and SIGNAL, then SERVICE + PSDU + tail bits in whole OFDM symbols; on
 * 2.4 GHz (ERP-OFDM, 18.3.2.4) a 6 us signal extension follows each frame.
 * Every frame and its ACK go at one rate (the lab's AP and stations send
 * management frames and EAPOL at the lowest mandatory OFDM rate).
 *
 *   frameAirtimeUs(len, unicast, rateMbps)      one frame's occupancy in us
 *   new ChannelTimeline().reserve(nowUs, us)    start and end on the channel
 */
import { WpsdError } from '../../common/errors.js';

/** aSlotTime of ERP-OFDM with short slots (802.11-2020 Table 18-5). */
export const SLOT_US = 9;
/** aSIFSTime of ERP-OFDM (802.11-2020 Table 18-5). */
export const SIFS_US = 10;
/** DIFS = SIFS + 2 x slot (802.11-2020 10.3.2.3.8). */
export const DIFS_US = SIFS_US + 2 * SLOT_US;
/** aCWmin of the OFDM PHYs (802.11-2020 Table 17-21); a winner draws 0..CWmin slots, CWmin/2 on average. */
export const CW_MIN = 15;
export const MEAN_BACKOFF_US = (CW_MIN / 2) * SLOT_US;
/** PLCP preamble (16 us) and SIGNAL field (4 us) of the OFDM PHY (802.11-2020 17.3.2.5). */
export const OFDM_PREAMBLE_US = 20;
export const OFDM_SYMBOL_US = 4;
/** SERVICE field (16 bits) and tail (6 bits) around the PSDU (802.11-2020 17.3.5.2, 17.3.5.3). */
export const OFDM_SERVICE_BITS = 16;
export const OFDM_TAIL_BITS = 6;
/** ERP-OFDM's signal extension after each frame on 2.4 GHz (802.11-2020 18.3.2.4). */
export const SIGNAL_EXTENSION_US = 6;
/** The medium carries frames without their 4-octet FCS; it is on the air all the same. */
export const FCS_LEN = 4;
/** An ACK frame: Frame Control, Duration, RA, FCS (802.11-2020 9.3.1.3). */
export const ACK_LEN = 14;
/** The OFDM rates (Mb/s) of 802.11-2020 Table 17-4. */
export const OFDM_RATES_MBPS: readonly number[] = [6, 9, 12, 18, 24, 36, 48, 54];
/** The lowest mandatory OFDM rate: what the lab's radios send management frames and EAPOL at. */
export const DEFAULT_RATE_MBPS = 6;

export class AirtimeError extends WpsdError<'BAD_RATE' | 'BAD_LENGTH'> {}

export function checkRate(rateMbps: number): void {
  if (!OFDM_RATES_MBPS.includes(rateMbps)) throw new AirtimeError('BAD_RATE', `${rateMbps} Mb/s is not an OFDM rate (${OFDM_RATES_MBPS.join(', ')})`);
}

/** TXTIME of a PSDU of `psduLen` octets (FCS included) at `rateMbps`, signal extension included. */
export function ofdmTxTimeUs(psduLen: number, rateMbps: number): number {
  checkRate(rateMbps);
  if (!Number.isInteger(psduLen) || psduLen < 0) throw new AirtimeError('BAD_LENGTH', `PSDU length ${psduLen} is not a non-negative integer`);
  // Data bits per OFDM symbol: the rate in Mb/s times the 4 us symbol.
  const bitsPerSymbol = rateMbps * OFDM_SYMBOL_US;
  const symbols = Math.ceil((OFDM_SERVICE_BITS + 8 * psduLen + OFDM_TAIL_BITS) / bitsPerSymbol);
  return OFDM_PREAMBLE_US + symbols * OFDM_SYMBOL_US + SIGNAL_EXTENSION_US;
}

/** How long one frame of `frameLen` octets (without FCS) holds its channel, its ACK included when individually addressed. */
export function frameAirtimeUs(frameLen: number, unicast: boolean, rateMbps: number = DEFAULT_RATE_MBPS): number {
  const data = DIFS_US + MEAN_BACKOFF_US + ofdmTxTimeUs(frameLen + FCS_LEN, rateMbps);
  return unicast ? data + SIFS_US + ofdmTxTimeUs(ACK_LEN, rateMbps) : data;
}

/** Airtime of a whole exchange: frames as [length, individually addressed]. */
export function exchangeAirtimeUs(frames: ReadonlyArray<readonly [number, boolean]>, rateMbps: number = DEFAULT_RATE_MBPS): number {
  return frames.reduce((us, [len, unicast]) => us + frameAirtimeUs(len, unicast, rateMbps), 0);
}

/** One channel's air: frames take it one after another, each from when the last ends (or from now, when it is idle). */
export class ChannelTimeline {
  private freeAtUs = 0;
  private busy = 0;
  private count = 0;

  /** Takes `durationUs` of air for a frame handed over at `nowUs`; when it starts and ends. */
  reserve(nowUs: number, durationUs: number): { startUs: number; endUs: number } {
    const startUs = Math.max(nowUs, this.freeAtUs);
    const endUs = startUs + durationUs;
    this.freeAtUs = endUs;
    this.busy += durationUs;
    this.count++;
    return { startUs, endUs };
  }

  /** When the channel is next free. */
  get freeAt(): number {
    return this.freeAtUs;
  }

  /** Air taken so far, in us. */
  get busyUs(): number {
    return this.busy;
  }

  get frames(): number {
    return this.count;
  }
}
