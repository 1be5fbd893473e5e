import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSamples, evenSubset, makeEncoding, type EncodedSet } from '../data/encoding.js';
import { loadDataset, type Dataset } from '../data/index.js';
import type { PhasedSample } from '../device/power.js';
import { runAndRecord } from '../device/recordedRun.js';
import type { RunReport } from '../device/run.js';
import type { FpgaFamily } from '../board/devices.js';
import { headLut4 } from '../flow/headCost.js';
import { buildModel, type ModelBuild } from '../flow/modelBuild.js';
import { loadModel, saveModel, type Model } from '../model/modelFile.js';
import { trainModel } from '../model/trainModel.js';
import { checkDesign, type CheckResult } from '../sim/check.js';
import { cached, cacheRoot, hashKey } from '../util/cache.js';
import type { SweepJob, SweepModelFile, SweepSpec } from './spec.js';

/** The stages of a cell, in order: model -> simulation -> bitstream -> device -> store. */
export const CELL_STAGES = ['train', 'check', 'build', 'run'] as const;
export type CellStage = (typeof CELL_STAGES)[number];

/** Where a cell's results go as each stage finishes, so a crash keeps what was done. */
export interface CellRecorder {
  model(model: Model, path: string): void;
  simulation(check: CheckResult, vectors: number): number;
  /** `headLut4`: the popcount head synthesised alone (src/flow/headCost.ts), null if unknown. */
  build(build: ModelBuild, headLut4: number | null): number;
  run(report: RunReport, samples: PhasedSample[]): number;
}

export interface CellContext {
  recorder: CellRecorder;
  cacheDir?: string;
  /** Stage changes and progress for people (the CLI's log, the TUI's pipeline view). */
  onStage?: (stage: CellStage, detail: string) => void;
  log?: (line: string) => void;
}

export interface CellOutcome {
  modelHash: string;
  accuracy: number | null;
  simulationId: number;
  buildId: number;
  buildStatus: string;
  runId: number | null;
  /** Why the cell was not run on the board (a failed build), if it was not. */
  skippedRun: string | null;
}

const datasets = new Map<string, Dataset>();

/** Datasets are loaded once per process: a worker runs many cells of one sweep. */
function datasetOf(spec: SweepSpec): Dataset {
  const key = JSON.stringify([spec.dataset, spec.csv]);
  let d = datasets.get(key);
  if (!d) {
    d = loadDataset(spec.dataset, spec.csv);
    datasets.set(key, d);
  }
  return d;
}

/** Train (or fetch from the cache: same data, encoding and settings give the same model). */
async function trainCell(spec: SweepSpec, job: SweepJob, dataset: Dataset, ctx: CellContext): Promise<{ model: Model; path: string }> {
  const encoding = makeEncoding(dataset, spec.encoding);
  const trainSpec = { ...spec.training, widths: job.widths };
  const key = hashKey({ kind: 'sweep-model/1', dataset: dataset.hash, encoding, train: trainSpec });
  const entry = await cached<{ hash: string }>(cacheRoot(ctx.cacheDir), 'models', key, async (dir) => {
    const { model } = await trainModel(dataset, encoding, trainSpec, (p) => {
      if (p.iteration % 100 === 0 || p.iteration === p.iterations) ctx.onStage?.('train', `${p.iteration}/${p.iterations} loss ${p.loss.toFixed(3)}`);
    });
    saveModel(join(dir, 'model.json'), model);
    return { hash: model.hash };
  });
  const path = join(entry.dir, 'model.json');
  if (!existsSync(path)) throw new Error(`internal: cached model ${path} is missing`);
  return { model: loadModel(path), path };
}

/** A model given by file: loaded as it was when the sweep was made (the same hash), not trained. */
function loadCellModel(file: SweepModelFile): { model: Model; path: string } {
  const model = loadModel(file.path);
  if (model.hash !== file.hash) throw new Error(`${file.path} now holds model ${model.hash}, the sweep was made with ${file.hash}`);
  return { model, path: file.path };
}

/**
 * One cell: train (or load its model file) -> check bit-exactness in Verilator -> build for the board -> run on the board
 * (or the virtual board) with power, each result handed to the recorder as soon as it exists.
 * A build that does not fit or misses timing is a result; only a failure to produce one throws.
 */
export async function runCell(spec: SweepSpec, job: SweepJob, ctx: CellContext): Promise<CellOutcome> {
  const stage = (s: CellStage, detail: string): void => ctx.onStage?.(s, detail);
  const dataset = datasetOf(spec);

  stage('train', job.model ? `model file ${job.model.path}` : `widths ${job.widths.join(',')}`);
  const { model, path } = job.model ? loadCellModel(job.model) : await trainCell(spec, job, dataset, ctx);
  ctx.recorder.model(model, path);
  const test: EncodedSet = encodeSamples(model.encoding, dataset.test);
  const vectors = evenSubset(test, spec.vectors);
  const count = vectors.count;

  stage('check', `${count} vectors in Verilator against the software model`);
  const check = await checkDesign(model.network, vectors, { simulator: 'verilator', level: 'rtl', ...(ctx.cacheDir ? { cacheDir: ctx.cacheDir } : {}) });
  const simulationId = ctx.recorder.simulation(check, count);
  if (check.comparison.mismatches > 0) throw new Error(`bit-exactness violated: ${check.comparison.mismatches} of ${count} vectors differ from the software model in Verilator`);

  stage('build', `yosys + nextpnr for ${spec.board}`);
  const build = await buildModel(model.network, { board: spec.board, ...(ctx.cacheDir ? { cacheDir: ctx.cacheDir } : {}), onStage: (s) => stage('build', s.stage) });
  const emitted = build.core.stats;
  const head = await headLut4(job.finalWidth, dataset.classes, { style: emitted.groupSum, family: emitted.headFamily ?? (build.build.board.family as FpgaFamily), ...(ctx.cacheDir ? { cacheDir: ctx.cacheDir } : {}) });
  const buildId = ctx.recorder.build(build, head);
  const status = build.build.status;

  let runId: number | null = null;
  let skippedRun: string | null = null;
  const runnable = spec.runOn === 'virtual' ? status === 'ok' || status === 'timing-failed' : status === 'ok';
  if (spec.runOn === 'none') skippedRun = 'the sweep runs no board';
  else if (!runnable) skippedRun = `the build for ${spec.board} ${status}: ${build.build.message}`;
  else {
    stage('run', `${count} vectors on ${spec.runOn}${spec.power ? `, power ${spec.power}` : ''}`);
    const { report, recorded, error } = await runAndRecord(
      {
        net: model.network,
        data: test,
        board: spec.runOn,
        limit: count,
        ...(spec.power ? { power: { spec: spec.power, ...(spec.powerWindowSeconds ? { windowSeconds: spec.powerWindowSeconds } : {}) } } : {}),
        ...(ctx.cacheDir ? { cacheDir: ctx.cacheDir } : {}),
        ...(ctx.log ? { log: ctx.log } : {}),
      },
      (r, samples) => ctx.recorder.run(r, samples),
    );
    // A run that stopped part-way is still measured: it is recorded, then the cell fails.
    if (error) throw error;
    runId = recorded;
    if (report.mismatches > 0) throw new Error(`bit-exactness violated on ${report.board}: ${report.mismatches} of ${report.answered} answers differ from the software model`);
  }
  return { modelHash: model.hash, accuracy: model.metrics.discreteTestAccuracy, simulationId, buildId, buildStatus: status, runId, skippedRun };
}
