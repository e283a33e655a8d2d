// node-unix-socket lists prebuilt packages for platforms that the registry
// here does not serve (only linux-x64-gnu/musl exist). `npm install` leaves
// them out of package-lock.json and `npm ci` then refuses the lock ("Missing:
// node-unix-socket-darwin-arm64@ from lock file"). This puts them back as
// optional, platform-restricted entries, which `npm ci` skips on this platform.
// Run it after any `npm install` that rewrites the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const file = 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
const base = lock.packages['node_modules/node-unix-socket'];
if (!base) throw new Error('node-unix-socket is not in the lock');
const platforms = {
  'darwin-arm64': [['darwin'], ['arm64']],
  'darwin-x64': [['darwin'], ['x64']],
  'linux-arm-gnueabihf': [['linux'], ['arm']],
  'linux-arm64-gnu': [['linux'], ['arm64']],
  'linux-arm64-musl': [['linux'], ['arm64']],
};
for (const [suffix, [os, cpu]] of Object.entries(platforms)) {
  const key = `node_modules/node-unix-socket-${suffix}`;
  lock.packages[key] ??= { version: base.version, license: 'MIT', optional: true, os, cpu, engines: { node: '>= 10' } };
}
const { '': root, ...rest } = lock.packages;
lock.packages = { '': root, ...Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))) };
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
