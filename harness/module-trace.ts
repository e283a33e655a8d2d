// Loaded into a daemon under test with `node --import` (NODE_OPTIONS, see
// moduleTraceEnv): on SIGUSR2 the daemon writes every script V8 has parsed
// so far (its own modules, its packages' files and Node's built-in modules,
// from the inspector's Debugger.scriptParsed replay) to
// $WPSD_MODULE_TRACE_DIR/modules-<pid>.json. test/role-modules.test.ts uses
// it to check which code a role loads.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.WPSD_MODULE_TRACE_DIR;

function dump(): void {
  if (dir === undefined) return;
  const session = new Session();
  session.connect();
  const urls: string[] = [];
  session.on('Debugger.scriptParsed', (m) => urls.push(m.params.url));
  session.post('Debugger.enable', () => {
    session.disconnect();
    writeFileSync(join(dir, `modules-${process.pid}.json`), JSON.stringify(urls.map((u) => (u.startsWith('/') ? pathToFileURL(u).href : u))));
  });
}

if (dir !== undefined) process.on('SIGUSR2', dump);

/** The environment of a daemon that loads this trace and dumps into `traceDir`. */
export function moduleTraceEnv(traceDir: string): NodeJS.ProcessEnv {
  // The compiled hook: this file runs from harness/ under vitest, from dist/harness/ compiled.
  const here = import.meta.dirname;
  const compiled = here.endsWith(join('dist', 'harness')) ? here : join(here, '..', 'dist', 'harness');
  const hook = pathToFileURL(join(compiled, 'module-trace.js')).href;
  return { ...process.env, WPSD_MODULE_TRACE_DIR: traceDir, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${hook}`.trim() };
}
