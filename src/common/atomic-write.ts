/**
 * Atomic replacement of a file, for the configuration writers: hostapd.conf
 * rewritten after WPS-NEW-AP-SETTINGS and wpa_supplicant.conf saved with
 * update_config=1 must never be left half written (wpa_supplicant likewise
 * writes a temporary file and renames it over the original).
 */
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Replace `path` with `data` so that a reader (or a crash) sees either the old
 * file or the new one, never half of it: write a temporary file in the same
 * directory, fsync it, rename it over the target. `mode` applies to the new file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
