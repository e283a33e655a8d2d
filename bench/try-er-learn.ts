import { benchErLearn } from './er-learn.js';
import { disposeAllOnSignals } from '../test/harness/netns.js';
disposeAllOnSignals();
const t0 = Date.now();
const rows = await benchErLearn({ learns: 20, warmup: 2, maxMs: 60_000 });
console.log(JSON.stringify(rows, null, 1), (Date.now() - t0) / 1000, 's');
