// node scripts/hwsim-bundle.mjs [NAME]: bundles the built CLI
// (dist/src/cli.js) into dist/NAME/ (default dist/hwsim/) for the hwsim VM,
// and prints the path to start it by. A VM run keeps its own NAME, so another
// run bundling at the same time does not rewrite the files under it.
//
// Why: under qemu TCG, Node spends most of a daemon's start resolving,
// reading and linking the few hundred ES modules of dist/ and node_modules
// (measured in the VM on a loaded 2-core host: `wpsd sta -D none` 25 s to its
// control socket from dist/, 8 s bundled; `wpsd ap` 27 s against 13 s). The
// bundle is the same compiled code in a few files; the native addons
// (node-unix-socket, netlink's) stay outside and load from node_modules as
// usual. dist/NAME/cli.js sits two levels below package.json, as
// dist/src/cli.js does, so `wpsd --version` reads the same file.
//
// rolldown comes with vitest (through vite). Without it, or when bundling
// fails, this prints dist/src/cli.js and the VM runs the modules unbundled.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli.js');
const name = process.argv[2] ?? 'hwsim';
if (!/^[\w-]+$/.test(name)) throw new Error(`hwsim-bundle: bad directory name ${JSON.stringify(name)}`);
const outDir = join(root, 'dist', name);
/** Modules with native parts: required at run time from node_modules. */
const EXTERNAL = ['node-unix-socket', 'netlink'];

async function bundle() {
  if (!existsSync(entry)) throw new Error(`${entry} missing: run npm run build first`);
  const { build } = await import('rolldown');
  rmSync(outDir, { recursive: true, force: true });
  await build({
    input: entry,
    platform: 'node',
    external: (id) => EXTERNAL.some((m) => id === m || id.startsWith(`${m}/`)),
    logLevel: 'silent',
    output: { dir: outDir, format: 'esm', entryFileNames: 'cli.js' },
  });
  return join(outDir, 'cli.js');
}

try {
  process.stdout.write(`${await bundle()}\n`);
} catch (err) {
  process.stderr.write(`hwsim-bundle: running dist/src/cli.js unbundled: ${err instanceof Error ? err.message : String(err)}\n`);
  process.stdout.write(`${entry}\n`);
}
