// A sweep worker process (forked by src/sweep/executor.ts): argv db, sweep id, cache dir ('' for the default).
import { work, type WorkerMessage } from './worker.js';

const [db, sweep, cacheDir] = process.argv.slice(2);
// The sweep that forked us is gone (killed): end with every child (yosys, nextpnr, the virtual
// board); the cell we held goes back to pending when the sweep is resumed.
process.on('disconnect', () => process.kill(-process.pid, 'SIGKILL'));
const send = (m: WorkerMessage): void => {
  if (process.connected) process.send!(m);
};
work({ db: db!, sweep: sweep!, ...(cacheDir ? { cacheDir } : {}) }, send).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
