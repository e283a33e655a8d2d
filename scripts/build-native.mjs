#!/usr/bin/env node
/**
 * Builds native/eapol-socket.c (the wired EAPOL port, an AF_PACKET socket
 * Node lacks) into native/build/eapol-socket.node with the C compiler and
 * the Node-API headers that come with Node (<prefix>/include/node): no
 * node-gyp, no download, no npm install script (npm 11 runs none unless
 * allowed). Called by `npm run build` and scripts/install-deps.sh; skipped
 * when the module is newer than its source. Without a C compiler it says so
 * and exits 0: everything but driver=wired works without the module, and
 * driver=wired then refuses to start naming this command.
 *   node scripts/build-native.mjs [--force]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SRC = join(ROOT, 'native', 'eapol-socket.c');
const OUT = join(ROOT, 'native', 'build', 'eapol-socket.node');
const INCLUDE = resolve(dirname(process.execPath), '..', 'include', 'node');

if (process.platform !== 'linux') {
  console.log('build-native: AF_PACKET is Linux only; driver=wired is not available on this platform');
  process.exit(0);
}
if (!process.argv.includes('--force') && existsSync(OUT) && statSync(OUT).mtimeMs >= statSync(SRC).mtimeMs) process.exit(0);
if (!existsSync(join(INCLUDE, 'node_api.h'))) {
  console.error(`build-native: no Node-API headers in ${INCLUDE}; driver=wired will not be available`);
  process.exit(0);
}
const cc = process.env.CC ?? 'cc';
mkdirSync(dirname(OUT), { recursive: true });
const args = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', `-I${INCLUDE}`, '-o', OUT, SRC];
const r = spawnSync(cc, args, { stdio: 'inherit' });
if (r.error !== undefined) {
  console.error(`build-native: cannot run ${cc} (${r.error.message}); install a C compiler (apt-get install gcc libc6-dev) for driver=wired`);
  process.exit(0);
}
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`build-native: built ${OUT}`);
