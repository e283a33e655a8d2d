// Loaded into a daemon under test with `node --import` (NODE_OPTIONS, see
// moduleTraceEnv): on SIGUSR2 the daemon writes the code it has loaded so
// far to $WPSD_MODULE_TRACE_DIR/modules-<pid>.json: Node's built-in modules
// from process.moduleLoadList (read first, before this dump loads the
// inspector, which itself loads worker_threads and streams), and every
// script V8 still has (its own modules, its packages' files and built-in
// modules, from the inspector's Debugger.scriptParsed replay).
// test/role-modules.test.ts uses it to check which code a role loads.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.WPSD_MODULE_TRACE_DIR;

async function dump(): Promise<void> {
  if (dir === undefined) return;
  const builtins = (process as unknown as { moduleLoadList: string[] }).moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => `node:${m.slice('NativeModule '.length)}`);
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const urls = new Set(builtins);
  session.on('Debugger.scriptParsed', (m) => {
    const u = m.params.url;
    // Built-in modules come from the list above: the inspector's own are not the daemon's.
    if (!u.startsWith('node:')) urls.add(u.startsWith('/') ? pathToFileURL(u).href : u);
  });
  session.post('Debugger.enable', () => {
    session.disconnect();
    writeFileSync(join(dir, `modules-${process.pid}.json`), JSON.stringify([...urls]));
  });
}

if (dir !== undefined) process.on('SIGUSR2', () => void dump());

/** The environment of a daemon that loads this trace and dumps into `traceDir`. */
export function moduleTraceEnv(traceDir: string): NodeJS.ProcessEnv {
  // The compiled hook: this file runs from harness/ under vitest, from dist/harness/ compiled.
  const here = import.meta.dirname;
  const compiled = here.endsWith(join('dist', 'harness')) ? here : join(here, '..', 'dist', 'harness');
  const hook = pathToFileURL(join(compiled, 'module-trace.js')).href;
  return { ...process.env, WPSD_MODULE_TRACE_DIR: traceDir, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${hook}`.trim() };
}
