/**
 * The console's page, stylesheet and script: plain files in src/web/static,
 * read once into memory and served from there (no build step, no file system
 * path ever taken from a request). tsc does not copy them to dist/, so from
 * dist/src/web they are found either beside the module (the npm build copies
 * them) or back in the source tree.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WpsdError } from '../common/errors.js';

export class WebAssetError extends WpsdError<'ASSETS_MISSING'> {

  constructor(message: string) {
    super('ASSETS_MISSING', message);
  }
}

/** Every file the console serves, by the name it is served under. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'network.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export interface WebAsset {
  body: Buffer;
  type: string;
  etag: string;
}

function staticDirCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/web/static (vitest, tsx), dist/src/web/static (npm run build), then
  // dist/src/web -> ../../../src/web/static (a plain `tsc -p tsconfig.build.json`).
  return [join(here, 'static'), join(here, '..', '..', '..', 'src', 'web', 'static')];
}

export function findStaticDir(candidates = staticDirCandidates()): string {
  for (const d of candidates) {
    if (existsSync(join(d, 'index.html'))) return d;
  }
  throw new WebAssetError(`web console files not found (looked in ${candidates.join(', ')})`);
}

export function loadAssets(dir = findStaticDir()): Map<string, WebAsset> {
  const out = new Map<string, WebAsset>();
  for (const [name, type] of Object.entries(ASSET_TYPES)) {
    let body: Buffer;
    try {
      body = readFileSync(join(dir, name));
    } catch (e) {
      throw new WebAssetError(`web console file ${name} cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    out.set(name, { body, type, etag });
  }
  return out;
}
