import type { PhasedSample } from '../device/power.js';
import { runAndRecord, type RecordedRun } from '../device/recordedRun.js';
import type { RunReport } from '../device/run.js';
import type { Model } from '../model/modelFile.js';
import { collectProvenance, openStore, powerSummaryOf } from '../store/index.js';

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
  run: Omit<Parameters<typeof runAndRecord>[0], 'net'>;
}

export interface StoredRun {
  report: RunReport;
  runId: number;
  db: string;
  /** Why the run stopped part-way (its partial report is stored), null when it completed. */
  error: RecordedRun<number>['error'];
}

/** Run a model on a board (or the virtual board) and store the run, a partial one too: `gatebench run` and the TUI's r. */
export async function runAndStore(request: RunAndStoreRequest): Promise<StoredRun> {
  const { model, path, db } = request;
  const { report, recorded, error } = await runAndRecord({ ...request.run, net: model.network }, (r, samples) => storeRun(db, path, model, r, samples));
  return { report, runId: recorded, db, error };
}
