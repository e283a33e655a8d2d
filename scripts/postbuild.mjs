// After tsc: copy the web console's static files next to the compiled code and
// make the `wpsd` entry point executable (npm's bin shim runs it directly).
import { chmodSync, cpSync, existsSync } from 'node:fs';

if (existsSync('src/web/static')) cpSync('src/web/static', 'dist/src/web/static', { recursive: true });
chmodSync('dist/src/cli.js', 0o755);
