#!/usr/bin/env node
/**
 * Builds the native modules of native/ into native/build/ with the C
 * compiler and the Node-API headers that come with Node
 * (<prefix>/include/node): no node-gyp, no download, no npm install script
 * (npm 11 runs none unless allowed). Called by `npm run build` and
 * scripts/install-deps.sh; a module newer than its source is skipped.
 * Without a C compiler it says so and exits 0: every module is optional.
 *   - eapol-socket.node: the wired EAPOL port (AF_PACKET, which Node
 *     lacks); without it driver=wired refuses to start naming this command.
 *   - malloc-trim.node: returns the C heap's free pages after a daemon's
 *     start-up (src/common/v8-memory.ts); without it they stay resident.
 *   node scripts/build-native.mjs [--force]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const INCLUDE = resolve(dirname(process.execPath), '..', 'include', 'node');
/** Each module: its source under native/ and what is missing without it. */
const MODULES = [
  { name: 'eapol-socket', without: 'driver=wired will not be available' },
  { name: 'malloc-trim', without: 'the daemons keep their start-up C heap resident' },
];

if (process.platform !== 'linux') {
  console.log('build-native: the native modules are Linux only; driver=wired is not available on this platform');
  process.exit(0);
}
if (!existsSync(join(INCLUDE, 'node_api.h'))) {
  console.error(`build-native: no Node-API headers in ${INCLUDE}; ${MODULES.map((m) => m.without).join(', ')}`);
  process.exit(0);
}
const cc = process.env.CC ?? 'cc';
for (const m of MODULES) {
  const src = join(ROOT, 'native', `${m.name}.c`);
  const out = join(ROOT, 'native', 'build', `${m.name}.node`);
  if (!process.argv.includes('--force') && existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) continue;
  mkdirSync(dirname(out), { recursive: true });
  const args = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', `-I${INCLUDE}`, '-o', out, src];
  const r = spawnSync(cc, args, { stdio: 'inherit' });
  if (r.error !== undefined) {
    console.error(`build-native: cannot run ${cc} (${r.error.message}); install a C compiler (apt-get install gcc libc6-dev): without it ${MODULES.map((x) => x.without).join(', ')}`);
    process.exit(0);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log(`build-native: built ${out}`);
}
