/**
 * Diagnostics shared by the hostapd.conf and wpa_supplicant.conf parsers:
 * every problem names the file and line, in the manner of hostapd's
 * "Line %d: ..." messages but with the path in front.
 */
import { WpsdError } from '../common/errors.js';

export type ConfigSeverity = 'error' | 'warning';

export interface ConfigDiagnostic {
  severity: ConfigSeverity;
  path: string;
  /** 1-based line number; 0 when the problem concerns the whole file. */
  line: number;
  message: string;
}

export type ConfigFileErrorCode = 'CONFIG_INVALID' | 'CONFIG_UNREADABLE' | 'CONFIG_WRITE_REFUSED';

/** Thrown when a configuration file is refused; carries every error found, not just the first. */
export class ConfigFileError extends WpsdError<ConfigFileErrorCode> {
  readonly diagnostics: readonly ConfigDiagnostic[];

  constructor(code: ConfigFileErrorCode, diagnostics: readonly ConfigDiagnostic[], summary?: string) {
    super(code, summary ?? diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n'));
    this.diagnostics = diagnostics;
  }
}

/** `/etc/hostapd.conf line 12: invalid wpa_passphrase (must be 8..63 characters)` */
export function formatDiagnostic(d: ConfigDiagnostic): string {
  const where = d.line > 0 ? `${d.path} line ${d.line}` : d.path;
  return d.severity === 'warning' ? `${where}: warning: ${d.message}` : `${where}: ${d.message}`;
}

/** Collects diagnostics for one file while it is parsed. */
export class DiagnosticSink {
  readonly errors: ConfigDiagnostic[] = [];
  readonly warnings: ConfigDiagnostic[] = [];

  constructor(readonly path: string) {}

  error(line: number, message: string): void {
    this.errors.push({ severity: 'error', path: this.path, line, message });
  }

  warn(line: number, message: string): void {
    this.warnings.push({ severity: 'warning', path: this.path, line, message });
  }

  throwIfErrors(): void {
    if (this.errors.length > 0) {
      throw new ConfigFileError('CONFIG_INVALID', [...this.errors, ...this.warnings]);
    }
  }
}
