/**
 * The error lines of a configuration file a loader refuses, formatted as the
 * daemons print them ("<path> line N: ..."), for tests of hostapd.conf and
 * wpa_supplicant.conf parsing.
 */
import { ConfigFileError, formatDiagnostic } from '../src/conf/diagnostic.js';

/** The errors `load` throws as a ConfigFileError ([] when it loads); anything else is thrown on. */
export function configErrors(load: () => unknown): string[] {
  try {
    load();
  } catch (e) {
    if (e instanceof ConfigFileError) return e.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    throw e;
  }
  return [];
}
