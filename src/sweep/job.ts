import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSamples, evenSubset, makeEncoding, type EncodedSet } from '../data/encoding.js';
import { loadDataset, type Dataset } from '../data/index.js';
import type { PhasedSample } from '../device/power.js';
import { runAndRecord, type RecordedRun } from '../device/recordedRun.js';
import type { PrebuiltImage, RunReport, RunRequest } from '../device/run.js';
import type { FpgaFamily } from '../board/devices.js';
import type { BuildResult } from '../flow/build.js';
import { headLut4 as headCost } from '../flow/headCost.js';
import { buildModel, type ModelBuild } from '../flow/modelBuild.js';
import { loadModel, saveModel, type Model } from '../model/modelFile.js';
import { trainModel } from '../model/trainModel.js';
import { checkDesign, type CheckResult } from '../sim/check.js';
import type { PipelineCuts } from '../hdl/cuts.js';
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

/** A cell's stages in one process: the recorder stores each result; onStage is for people (the CLI's log, the TUI's pipeline view). */
export interface CellContext extends StageContext {
  recorder: CellRecorder;
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

/** Where a stage may keep things and tell people how it is going. */
export interface StageContext {
  cacheDir?: string;
  onStage?: (stage: CellStage, detail: string) => void;
  log?: (line: string) => void;
}

const cacheOption = (ctx: StageContext): { cacheDir?: string } => (ctx.cacheDir ? { cacheDir: ctx.cacheDir } : {});

/** Train (or fetch from the cache: same data, encoding and settings give the same model). */
export async function trainCell(spec: SweepSpec, job: SweepJob, ctx: StageContext): Promise<{ model: Model; path: string }> {
  if (job.model) {
    ctx.onStage?.('train', `model file ${job.model.path}`);
    return loadCellModel(job.model);
  }
  const dataset = datasetOf(spec);
  ctx.onStage?.('train', `widths ${job.widths.join(',')}`);
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

/** The test vectors a cell streams: the whole encoded test split, and the even subset checked and run. */
function vectorsOf(spec: SweepSpec, model: Model): { test: EncodedSet; count: number; checked: EncodedSet } {
  const test = encodeSamples(model.encoding, datasetOf(spec).test);
  const checked = evenSubset(test, spec.vectors);
  return { test, count: checked.count, checked };
}

/** Bit-exactness in Verilator against the software model, on the sweep's vectors. */
export async function checkCell(spec: SweepSpec, model: Model, ctx: StageContext): Promise<{ check: CheckResult; vectors: number }> {
  const { checked, count } = vectorsOf(spec, model);
  ctx.onStage?.('check', `${count} vectors in Verilator against the software model`);
  const check = await checkDesign(model.network, checked, { simulator: 'verilator', level: 'rtl', ...cacheOption(ctx) });
  return { check, vectors: count };
}

/** Why a check fails its cell (after it is stored), or null. */
export function checkProblem(check: CheckResult, vectors: number): string | null {
  const n = check.comparison.mismatches;
  return n > 0 ? `bit-exactness violated: ${n} of ${vectors} vectors differ from the software model in Verilator` : null;
}

/** The bitstream for the sweep's board, and the popcount head's LUT4 alone. */
export async function buildCell(spec: SweepSpec, job: SweepJob, model: Model, ctx: StageContext): Promise<{ build: ModelBuild; headLut4: number | null }> {
  ctx.onStage?.('build', `yosys + nextpnr for ${spec.board}`);
  const budget = spec.pnrBudgetMinutes !== undefined ? { pnrBudgetMs: spec.pnrBudgetMinutes * 60_000 } : {};
  const build = await buildModel(model.network, { board: spec.board, pipeline: spec.pipeline ?? 0, ...budget, ...cacheOption(ctx), onStage: (s) => ctx.onStage?.('build', s.stage), ...(ctx.log ? { log: ctx.log } : {}) });
  // The head the core was emitted with, synthesised for the board's family: its share is in the same LUT4s.
  const emitted = build.core.stats;
  const headLut4 = await headCost(job.finalWidth, datasetOf(spec).classes, { style: emitted.groupSum, family: emitted.headFamily ?? (build.build.board.family as FpgaFamily), ...cacheOption(ctx) });
  return { build, headLut4 };
}

/** Why a cell is not run on a board after its build (null: it is run). */
export function runSkipped(spec: SweepSpec, build: BuildResult): string | null {
  const status = build.status;
  const runnable = spec.runOn === 'virtual' ? status === 'ok' || status === 'timing-failed' : status === 'ok';
  if (spec.runOn === 'none') return 'the sweep runs no board';
  return runnable ? null : `the build for ${spec.board} ${status}: ${build.message}`;
}

/** Where a run streams: the board's UART (a board host's own port) and its power monitor. */
export interface RunPlace {
  port?: string;
  /** The power monitor spec; null for none. */
  power: string | null;
  /** The device bitstream built on another machine (a distributed sweep's build worker); absent: built here. */
  image?: PrebuiltImage;
  /** The cuts the cell's build chose (--pipeline auto), which the run's core takes. */
  cuts?: PipelineCuts | null;
}

/**
 * The board a sweep's runs name, as a run request has it: the board itself, or the virtual board
 * standing for the sweep's board at its level. The run and the build of its bitstream elsewhere
 * (stageJobs.ts) both take it from here, so they make the same device design.
 */
export function runBoardOf(spec: SweepSpec): Pick<RunRequest, 'board' | 'as' | 'level'> {
  return spec.runOn === 'virtual' ? { board: 'virtual', as: spec.board, level: spec.level ?? 'rtl' } : { board: spec.runOn };
}

/**
 * Stream the cell's vectors to the board (or the virtual board) with power, handing the report to
 * `record` even when the run stopped part-way: then `error` says why (the caller fails the cell
 * after the partial run is recorded).
 */
export async function runOnBoard<T>(spec: SweepSpec, model: Model, place: RunPlace, ctx: StageContext, record: (report: RunReport, samples: PhasedSample[]) => T): Promise<RecordedRun<T>> {
  const { test, count } = vectorsOf(spec, model);
  ctx.onStage?.('run', `${count} vectors on ${spec.runOn}${place.power ? `, power ${place.power}` : ''}${place.image ? `, bitstream ${place.image.hash.slice(0, 12)}` : ''}`);
  return runAndRecord(
    {
      net: model.network,
      data: test,
      ...runBoardOf(spec),
      limit: count,
      ...runCore(spec, place.cuts),
      ...(place.port ? { port: place.port } : {}),
      ...(place.image ? { image: place.image } : {}),
      ...(place.power ? { power: { spec: place.power, ...(spec.powerWindowSeconds ? { windowSeconds: spec.powerWindowSeconds } : {}) } } : {}),
      ...cacheOption(ctx),
      ...(ctx.log ? { log: ctx.log } : {}),
    },
    record,
  );
}

/**
 * The core a cell runs: with --pipeline auto the cuts its build chose (`cuts`, so a board host needs
 * no search of its own; without them the run searches, builds cached by content), registers every P
 * layers, or (P = 0) a combinational core.
 */
export function runCore(spec: SweepSpec, cuts?: PipelineCuts | null): Pick<RunRequest, 'pipeline' | 'core'> {
  const pipeline = spec.pipeline ?? 0;
  if (pipeline === 'auto') return cuts ? { core: { cuts, registeredIo: true } } : { pipeline: 'auto' };
  return pipeline > 0 ? { core: { pipeline, registeredIo: true } } : {};
}

/** The cuts a cell's build chose when the sweep places them by timing (--pipeline auto), else null. */
export function autoCuts(spec: SweepSpec, build: ModelBuild): PipelineCuts | null {
  return spec.pipeline === 'auto' ? build.core.stats.cuts : null;
}

/** Why a run fails its cell (after it is stored), or null. */
export function runProblem(report: RunReport): string | null {
  return report.mismatches > 0 ? `bit-exactness violated on ${report.board}: ${report.mismatches} of ${report.answered} answers differ from the software model` : null;
}

/**
 * One cell: train (or load its model file) -> check bit-exactness in Verilator -> build for the board -> run on the board
 * (or the virtual board) with power, each result handed to the recorder as soon as it exists.
 * A build that does not fit or misses timing is a result; only a failure to produce one throws.
 * A distributed sweep runs the same stages as separate jobs (src/sweep/stageJobs.ts).
 */
export async function runCell(spec: SweepSpec, job: SweepJob, ctx: CellContext): Promise<CellOutcome> {
  const { model, path } = await trainCell(spec, job, ctx);
  ctx.recorder.model(model, path);

  const { check, vectors } = await checkCell(spec, model, ctx);
  const simulationId = ctx.recorder.simulation(check, vectors);
  const checkFailure = checkProblem(check, vectors);
  if (checkFailure) throw new Error(checkFailure);

  const { build, headLut4 } = await buildCell(spec, job, model, ctx);
  const buildId = ctx.recorder.build(build, headLut4);

  let runId: number | null = null;
  const skippedRun = runSkipped(spec, build.build);
  if (skippedRun === null) {
    const { report, recorded, error } = await runOnBoard(spec, model, { power: spec.power, cuts: autoCuts(spec, build) }, ctx, (r, samples) => ctx.recorder.run(r, samples));
    runId = recorded;
    // A run that stopped part-way is still measured: it is recorded, then the cell fails.
    if (error) throw error;
    const runFailure = runProblem(report);
    if (runFailure) throw new Error(runFailure);
  }
  return { modelHash: model.hash, accuracy: model.metrics.discreteTestAccuracy, simulationId, buildId, buildStatus: build.build.status, runId, skippedRun };
}
