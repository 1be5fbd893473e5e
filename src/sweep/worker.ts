import { collectProvenance, openStore, powerSummaryOf, simulationFromCheck, type Provenance, type Store, type SweepCell } from '../store/index.js';
import { pipelineOf } from '../flow/modelBuild.js';
import { runCell, type CellOutcome, type CellRecorder, type CellStage } from './job.js';
import { SqliteCellQueue } from './queue.js';
import { jobOfCell, type SweepSpec } from './spec.js';

/** What a worker tells the sweep that started it (over the IPC channel). */
export type WorkerMessage =
  | { type: 'stage'; cell: string; stage: CellStage; detail: string }
  | { type: 'log'; cell: string; line: string }
  | { type: 'done'; cell: string; outcome: CellOutcome }
  | { type: 'failed'; cell: string; error: string };

export interface WorkerArgs {
  db: string;
  sweep: string;
  cacheDir?: string;
}

/** Store each result of a cell as it is made, linked to the cell, each in its own transaction. */
function recorderFor(store: Store, cell: SweepCell, base: Provenance): CellRecorder {
  let provenance = base;
  let buildId: number | undefined;
  return {
    model(model, path) {
      provenance = { ...base, modelHash: model.hash };
      store.atomically(() => {
        store.addModel(model, { path });
        store.linkCell(cell.id, { modelHash: model.hash });
      });
    },
    simulation(check) {
      return store.atomically(() => {
        // A cell resumed after a kill made this result before: keep the one row.
        const earlier = cell.simulationId === null ? null : store.getSimulation(cell.simulationId);
        if (earlier && earlier.simulation.designHash === check.design.designHash && earlier.simulation.vectors === check.run.vectors) return earlier.id;
        const id = store.addSimulation(simulationFromCheck(check), provenance);
        store.linkCell(cell.id, { simulationId: id });
        return id;
      });
    },
    build(build, headLut4) {
      return store.atomically(() => {
        const earlier = cell.buildId === null ? null : store.getBuild(cell.buildId);
        if (earlier && earlier.result.hash === build.build.hash) return (buildId = earlier.id);
        buildId = store.addBuild(build.build, provenance, { headLut4, headPathNs: build.headPathNs, pipeline: pipelineOf(build) });
        store.linkCell(cell.id, { buildId });
        return buildId;
      });
    },
    run(report, samples) {
      return store.atomically(() => {
        const id = store.addRun(report, provenance, { ...(buildId !== undefined ? { buildId } : {}), ...(report.power ? { power: { summary: powerSummaryOf(report.power), samples } } : {}) });
        store.linkCell(cell.id, { runId: id });
        return id;
      });
    },
  };
}

/**
 * A worker: claims pending cells of one sweep until none is left, running each through runCell
 * and storing every result as it is made. Several workers (processes now, machines later) can
 * share one sweep: a claim is atomic in the store.
 */
export async function work(args: WorkerArgs, send: (m: WorkerMessage) => void): Promise<void> {
  const store = openStore(args.db);
  try {
    const sweep = store.getSweep(args.sweep);
    if (!sweep) throw new Error(`no sweep ${args.sweep} in ${args.db}`);
    const spec = sweep.spec as SweepSpec;
    const provenance = await collectProvenance({ seeds: { training: spec.training.seed }, board: spec.board });
    const queue = new SqliteCellQueue(store, args.sweep);
    for (;;) {
      const claim = await queue.claim();
      if (!claim) break;
      const cell = claim.data;
      const recorder = recorderFor(store, cell, provenance);
      try {
        const job = jobOfCell(cell);
        const outcome = await runCell(spec, job, {
          recorder,
          ...(args.cacheDir ? { cacheDir: args.cacheDir } : {}),
          onStage: (stage, detail) => {
            store.setCellStage(cell.id, stage, detail);
            send({ type: 'stage', cell: cell.key, stage, detail });
          },
          log: (line) => send({ type: 'log', cell: cell.key, line }),
        });
        await queue.finish(claim, outcome);
        send({ type: 'done', cell: cell.key, outcome });
      } catch (e) {
        const error = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
        await queue.fail(claim, error);
        send({ type: 'failed', cell: cell.key, error });
      }
    }
  } finally {
    store.close();
  }
}
