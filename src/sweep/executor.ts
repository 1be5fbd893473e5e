import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { openStore, type SweepRecord } from '../store/index.js';
import type { CellOutcome, CellStage } from './job.js';
import type { WorkerMessage } from './worker.js';

export type SweepEvent =
  | { type: 'started'; sweep: string; total: number; pending: number; workers: number }
  | { type: 'stage'; cell: string; stage: CellStage; detail: string }
  | { type: 'log'; cell: string; line: string }
  | { type: 'cell-done'; cell: string; outcome: CellOutcome }
  | { type: 'cell-failed'; cell: string; error: string }
  | { type: 'worker-failed'; pid: number; code: number | null; stderr: string }
  | { type: 'finished'; sweep: SweepRecord };

export interface SweepHandle {
  readonly sweep: string;
  /** The sweep's record when every worker has ended. */
  readonly done: Promise<SweepRecord>;
  /** Stop every worker and what it started; the cells they held go back to pending on resume. */
  cancel(): void;
}

export interface SweepRunOptions {
  db: string;
  sweep: string;
  /** Worker processes (default: the number of cores). */
  jobs?: number;
  cacheDir?: string;
}

const WORKER = fileURLToPath(new URL('./workerMain.js', import.meta.url));
/** Kept of a failing worker's stderr for its event. */
const STDERR_TAIL = 4000;

/**
 * Run (or resume) a stored sweep: cells interrupted before go back to pending, then up to `jobs`
 * worker processes claim and run the pending cells. Each worker leads its own process group, so
 * cancelling ends the tools it started too.
 */
export function startSweep(o: SweepRunOptions, onEvent: (e: SweepEvent) => void): SweepHandle {
  const store = openStore(o.db);
  let record: SweepRecord;
  try {
    store.resetStaleCells(o.sweep);
    const found = store.getSweep(o.sweep);
    if (!found) throw new Error(`internal: no sweep ${o.sweep}`);
    record = found;
  } finally {
    store.close();
  }
  const jobs = Math.max(1, Math.min(o.jobs ?? availableParallelism(), record.cells.pending));
  const workers: ChildProcess[] = [];
  const ended: Promise<void>[] = [];
  const workerCount = record.cells.pending > 0 ? jobs : 0;
  onEvent({ type: 'started', sweep: o.sweep, total: record.cells.total, pending: record.cells.pending, workers: workerCount });
  for (let i = 0; i < workerCount; i++) {
    const child = fork(WORKER, [o.db, o.sweep, o.cacheDir ?? ''], { detached: true, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    workers.push(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
    });
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'done') onEvent({ type: 'cell-done', cell: m.cell, outcome: m.outcome });
      else if (m.type === 'failed') onEvent({ type: 'cell-failed', cell: m.cell, error: m.error });
      else onEvent(m);
    });
    ended.push(
      new Promise((resolve) =>
        child.on('exit', (code, signal) => {
          if (code !== 0 && !cancelled) onEvent({ type: 'worker-failed', pid: child.pid!, code: code ?? (signal ? null : code), stderr });
          resolve();
        }),
      ),
    );
  }
  let cancelled = false;
  const done = Promise.all(ended).then(() => {
    const s = openStore(o.db);
    try {
      const finished = s.getSweep(o.sweep)!;
      onEvent({ type: 'finished', sweep: finished });
      return finished;
    } finally {
      s.close();
    }
  });
  return {
    sweep: o.sweep,
    done,
    cancel() {
      cancelled = true;
      for (const w of workers) {
        try {
          if (w.pid && w.exitCode === null) process.kill(-w.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}
