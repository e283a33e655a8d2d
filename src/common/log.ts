/**
 * Daemon logging in the manner of hostapd/wpa_supplicant: `-d` lowers the
 * threshold to DEBUG, `-dd` to MSGDUMP, `-t` prefixes seconds.microseconds.
 * Key material goes only through `key()`/`keyHex()`, which print
 * "[REMOVED]" unless keys were asked for explicitly (hostapd's -K).
 */

export enum LogLevel {
  EXCESSIVE = 0,
  MSGDUMP = 1,
  DEBUG = 2,
  INFO = 3,
  WARNING = 4,
  ERROR = 5,
}

export interface LoggerOptions {
  /** Messages below this level are dropped. hostapd's default is INFO. */
  level?: LogLevel;
  /** Prefix each line with a wall-clock timestamp (`-t`). */
  timestamps?: boolean;
  /** Print key material instead of "[REMOVED]" (`-K`). Never on by default. */
  showKeys?: boolean;
  /** Where lines go; defaults to standard error. */
  sink?: (line: string) => void;
  /** Clock for timestamps, injectable for tests. */
  now?: () => number;
}

export const REMOVED = '[REMOVED]';

export class Logger {
  level: LogLevel;
  timestamps: boolean;
  showKeys: boolean;
  private readonly sink: (line: string) => void;
  private readonly now: () => number;
  private readonly prefix: string;

  constructor(opts: LoggerOptions = {}, prefix = '') {
    this.level = opts.level ?? LogLevel.INFO;
    this.timestamps = opts.timestamps ?? false;
    this.showKeys = opts.showKeys ?? false;
    this.sink = opts.sink ?? ((line) => process.stderr.write(line + '\n'));
    this.now = opts.now ?? Date.now;
    this.prefix = prefix;
  }

  /** A logger that shares this one's settings and sink, with a component prefix ("upnp: "). */
  child(prefix: string): Logger {
    return new Logger(
      { level: this.level, timestamps: this.timestamps, showKeys: this.showKeys, sink: this.sink, now: this.now },
      this.prefix + prefix + ': ',
    );
  }

  enabled(level: LogLevel): boolean {
    return level >= this.level;
  }

  log(level: LogLevel, msg: string): void {
    if (!this.enabled(level)) return;
    let line = this.prefix + msg;
    if (this.timestamps) {
      const ms = this.now();
      line = `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}: ${line}`;
    }
    this.sink(line);
  }

  excessive(msg: string): void { this.log(LogLevel.EXCESSIVE, msg); }
  msgdump(msg: string): void { this.log(LogLevel.MSGDUMP, msg); }
  debug(msg: string): void { this.log(LogLevel.DEBUG, msg); }
  info(msg: string): void { this.log(LogLevel.INFO, msg); }
  warn(msg: string): void { this.log(LogLevel.WARNING, msg); }
  error(msg: string): void { this.log(LogLevel.ERROR, msg); }

  /** Hexdump of non-secret bytes, e.g. a received message. */
  hexdump(level: LogLevel, title: string, data: Uint8Array): void {
    if (!this.enabled(level)) return;
    this.log(level, `${title} - hexdump(len=${data.length}): ${Buffer.from(data).toString('hex').replace(/(..)(?!$)/g, '$1 ')}`);
  }

  /** Hexdump of secret bytes (keys, PSKs, nonces' derived keys): masked unless showKeys. */
  keyHex(level: LogLevel, title: string, data: Uint8Array): void {
    if (!this.enabled(level)) return;
    if (!this.showKeys) {
      this.log(level, `${title} - hexdump(len=${data.length}): ${REMOVED}`);
      return;
    }
    this.hexdump(level, title, data);
  }

  /** A secret string (passphrase, PIN) for a log line: masked unless showKeys. */
  key(secret: string): string {
    return this.showKeys ? secret : REMOVED;
  }
}

/** Map of `-d` count to level: none -> INFO, -d -> DEBUG, -dd -> MSGDUMP, -ddd -> EXCESSIVE. */
export function levelFromDebugCount(count: number): LogLevel {
  if (count <= 0) return LogLevel.INFO;
  if (count === 1) return LogLevel.DEBUG;
  if (count === 2) return LogLevel.MSGDUMP;
  return LogLevel.EXCESSIVE;
}

/** A logger that drops everything, for library code used without a daemon. */
export const silentLogger = new Logger({ level: LogLevel.ERROR + 1, sink: () => undefined });
