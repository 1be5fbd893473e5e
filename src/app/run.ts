import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PhasedSample } from '../device/power.js';
import { runAndRecord, type RecordedRun, type RecordedRunRequest } from '../device/recordedRun.js';
import type { RunReport } from '../device/run.js';
import type { Model } from '../model/modelFile.js';
import { collectProvenance, openStore, powerSummaryOf } from '../store/index.js';
import { UserError } from '../util/errors.js';

/** Keep the run (and its power samples) in the store, with the model it ran (the run command and the TUI). */
export async function storeRun(db: string, path: string, model: Model, report: RunReport, samples: PhasedSample[]): Promise<number> {
  const store = openStore(db);
  try {
    const provenance = await collectProvenance({ seeds: model.training ? { training: model.training.seed } : {}, board: report.board, modelHash: model.hash });
    return store.atomically(() => {
      store.addModel(model, { path });
      return store.addRun(report, provenance, report.power ? { power: { summary: powerSummaryOf(report.power), samples } } : {});
    });
  } finally {
    store.close();
  }
}

export interface RunAndStoreRequest {
  model: Model;
  /** The model's file, stored with the model. */
  path: string;
  db: string;
  /** The run's settings besides the network (the model's). */
  run: Omit<RecordedRunRequest, 'net'>;
}

export interface StoredRun {
  report: RunReport;
  runId: number;
  db: string;
  /** Why the run stopped part-way (its partial report is stored), null when it completed. */
  error: RecordedRun<number>['error'];
}

/** A run that was measured but could not be stored: its report, and the file that keeps it (null when none could be written). */
export class UnstoredRunError extends UserError {
  constructor(
    message: string,
    readonly report: RunReport,
    readonly file: string | null,
  ) {
    super(message);
    this.name = 'UnstoredRunError';
  }
}

/**
 * Keep a run the store refused in run-<time>.json beside the database, else in the current
 * directory: the report, the power samples and the model it ran, as the store would have had them.
 */
function keepUnstored(db: string, content: { report: RunReport; samples: PhasedSample[]; model: { hash: string; path: string } }): string | null {
  const name = `run-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  for (const dir of [dirname(resolve(db)), process.cwd()]) {
    const file = join(dir, name);
    try {
      writeFileSync(file, `${JSON.stringify({ db, ...content }, null, 2)}\n`, { flag: 'wx' });
      return file;
    } catch {
      // Not writable there: try the next place.
    }
  }
  return null;
}

/**
 * Run a model on a board (or the virtual board) and store the run, a partial one too: `gatebench
 * run` and the TUI's r. The database is opened first, so an unusable one (not SQLite, corrupt, from
 * a newer gatebench, read-only) is refused before anything is built or run; if storing still fails
 * at the end, the run is kept in a file that the UnstoredRunError names.
 */
export async function runAndStore(request: RunAndStoreRequest): Promise<StoredRun> {
  const { model, path, db } = request;
  // Refused now, not after minutes of building and running.
  openStore(db).close();
  const { report, recorded, error } = await runAndRecord({ ...request.run, net: model.network }, async (r, samples) => {
    try {
      return await storeRun(db, path, model, r, samples);
    } catch (e) {
      const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
      const file = keepUnstored(db, { report: r, samples, model: { hash: model.hash, path } });
      const kept = file ? `the run is kept in ${file}` : `nor could it be written beside the database or in ${process.cwd()}: the report printed is all that is kept`;
      throw new UnstoredRunError(`the run could not be stored (${why}); ${kept}`, r, file);
    }
  });
  return { report, runId: recorded, db, error };
}
