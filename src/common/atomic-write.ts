/**
 * Atomic replacement of a file, for the configuration writers: hostapd.conf
 * rewritten after WPS-NEW-AP-SETTINGS and wpa_supplicant.conf saved with
 * update_config=1 must never be left half written (wpa_supplicant likewise
 * writes a temporary file and renames it over the original).
 */
import { lstat, open, readdir, rename, unlink } from 'node:fs/promises';
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

/** The temporary files writeFileAtomic makes for `name`. */
function isTempFor(name: string, entry: string): boolean {
  const prefix = `.${name}.`;
  return entry.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(entry.slice(prefix.length));
}

/**
 * Removes temporary files a killed writer left next to `path` (a kill -9
 * between open and rename). Called at daemon start, before any write of
 * ours can be under way; returns the names removed. Only regular files are
 * touched, and only names writeFileAtomic makes.
 */
export async function removeStaleTempFiles(path: string): Promise<string[]> {
  const dir = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const e of entries) {
    if (!isTempFor(name, e)) continue;
    const p = join(dir, e);
    try {
      if (!(await lstat(p)).isFile()) continue;
      await unlink(p);
      removed.push(e);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
