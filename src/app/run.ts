import type { PhasedSample } from '../device/power.js';
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
