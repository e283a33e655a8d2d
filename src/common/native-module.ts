/**
 * The package's own native modules (native/*.c, built into native/build/ by
 * scripts/build-native.mjs), found upwards from here so that src/ under
 * vitest and dist/src/ alike find the package root's build.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a built module sits below the package root. */
export function nativeModulePath(name: string): string {
  return join('native', 'build', `${name}.node`);
}

/** The package root's native/build/NAME.node, or undefined when it was not built. */
export function findNativeModule(name: string): string | undefined {
  const rel = nativeModulePath(name);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, rel);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Loads a found module (its exports as the caller declares them). */
export function requireNativeModule<T>(path: string): T {
  return createRequire(import.meta.url)(path) as T;
}
