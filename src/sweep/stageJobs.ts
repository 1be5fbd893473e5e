import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { PhasedSample } from '../device/power.js';
import { buildDeviceBitstream, takesBitstream, type RunReport } from '../device/run.js';
import type { BuildResult } from '../flow/build.js';
import { loadModel, type Model } from '../model/modelFile.js';
import type { CheckResult } from '../sim/check.js';
import { collectProvenance, type BuildPipeline, type Provenance } from '../store/index.js';
import { pipelineOf } from '../flow/modelBuild.js';
import type { PipelineCuts } from '../hdl/cuts.js';
import { UserError } from '../util/errors.js';
import { fetchArtifact, shareArtifact, type ArtifactRef } from './artifacts.js';
import { fetchDeviceImage, shareDeviceImage } from './deviceImage.js';
import { autoCuts, buildCell, checkCell, runBoardOf, runCore, runOnBoard, runSkipped, trainCell, type CellStage, type RunPlace, type StageContext } from './job.js';
import type { SweepJob, SweepSpec } from './spec.js';

/**
 * One stage of one cell as a BullMQ job: plain data only. The spec travels with it; the model
 * (after training) and a run's device bitstream (after the build) travel by reference, their
 * bytes in Redis under their hash.
 */
export interface StagePayload {
  sweep: string;
  cell: string;
  stage: CellStage;
  spec: SweepSpec;
  job: SweepJob;
  model: ArtifactRef | null;
  /** A run's device image (deviceImage.ts), when it takes a bitstream: the board host flashes it as it is. */
  image: ArtifactRef | null;
  /** A run's core cuts as the cell's build chose them (--pipeline auto); absent otherwise. */
  cuts?: PipelineCuts | null;
}

/** What a stage job returns (its BullMQ return value), with the worker's provenance. */
export type StageResult = { provenance: Provenance } & (
  | { stage: 'train'; model: ArtifactRef; modelHash: string }
  | { stage: 'check'; check: CheckResult; vectors: number }
  | {
      stage: 'build';
      build: BuildResult;
      headLut4: number | null;
      /** ModelBuild.headPathNs; absent from a worker that predates it. */
      headPathNs?: number | null;
      pipeline?: BuildPipeline;
      /** The run's device image, when the run takes a bitstream and it was built. */
      image: ArtifactRef | null;
      /** Why the run's device bitstream failed to build (it does not fit): the cell fails once the build is stored, as in the local pool. */
      imageFailure: string | null;
    }
  | { stage: 'run'; report: RunReport; samples: PhasedSample[]; stopped: string | null }
);

/** The board a stage is for: where its run streams for 'run' (the virtual one standing in for the board), the board built for otherwise. */
export function stageBoard(spec: SweepSpec, stage: CellStage): string {
  if (stage !== 'run') return spec.board;
  return spec.runOn === 'virtual' ? `virtual ${spec.board}` : spec.runOn;
}

/**
 * The queue a stage's jobs wait in: one per stage kind; runs one per board kind (a virtual board
 * per board it stands in for), so a job for a board goes only to a host that has it.
 */
export function stageQueueName(spec: SweepSpec, stage: CellStage): string {
  if (stage !== 'run') return stage;
  return spec.runOn === 'virtual' ? runQueueName({ virtual: true, board: spec.board }) : runQueueName({ virtual: false, board: spec.runOn });
}

export function runQueueName(o: { virtual: boolean; board: string }): string {
  return o.virtual ? `run.virtual.${o.board}` : `run.${o.board}`;
}

/**
 * A stage job's id: one job per (sweep, cell, stage), so enqueueing it twice makes no second job.
 * Sweep ids are per database (s1, s2...): the spec hash keeps two databases' sweeps apart on one Redis.
 */
export function stageJobId(sweep: { id: string; specHash: string }, cell: string, stage: CellStage): string {
  return `${sweep.id}-${sweep.specHash.slice(0, 16)}.${cell}.${stage}`;
}

/** What a worker brings to a stage: Redis for artifacts, its own cache, and its board's port and monitor. */
export interface StageWorkerContext extends StageContext {
  redis: Redis;
  /** Where this host runs a sweep's cells (its port, its power monitor). */
  runPlace(spec: SweepSpec): RunPlace;
}

async function modelOf(p: StagePayload, ctx: StageWorkerContext): Promise<Model> {
  if (!p.model) throw new Error(`internal: ${p.stage} job of ${p.cell} carries no model`);
  return loadModel(await fetchArtifact(ctx.redis, p.model, ctx.cacheDir));
}

/**
 * The device bitstream of the cell's run, when the run takes one (a physical board, or the virtual
 * board at the bitstream level), built here with the build toolchain and shared: the board host
 * then needs none. No ref for a run on the virtual board's RTL; a failure when it does not build.
 */
async function shareRunImage(spec: SweepSpec, model: Model, cuts: PipelineCuts | null, ctx: StageWorkerContext): Promise<{ ref: ArtifactRef | null; failure: string | null }> {
  const board = runBoardOf(spec);
  if (!takesBitstream({ isVirtual: board.board === 'virtual', level: board.level ?? null })) return { ref: null, failure: null };
  ctx.onStage?.('build', `the device bitstream for the run on ${stageBoard(spec, 'run')}`);
  try {
    const { setup, build } = await buildDeviceBitstream({ net: model.network, ...board, ...runCore(spec, cuts), ...(ctx.cacheDir ? { cacheDir: ctx.cacheDir } : {}), ...(ctx.log ? { log: ctx.log } : {}) });
    return { ref: await shareDeviceImage(ctx.redis, { designHash: setup.design.hash, build, virtual: setup.isVirtual }, ctx.cacheDir), failure: null };
  } catch (e) {
    // A device build that does not fit or fails is a result of the cell (as the local pool's run), not a reason to retry.
    if (e instanceof UserError) return { ref: null, failure: e.message };
    throw e;
  }
}

/** Run one stage job on this worker: the same stage functions as the local pool, results as plain data. */
export async function runStageJob(p: StagePayload, ctx: StageWorkerContext): Promise<StageResult> {
  const { spec } = p;
  const base = await collectProvenance({ seeds: { training: spec.training.seed }, board: spec.board });
  if (p.stage === 'train') {
    const { model, path } = await trainCell(spec, p.job, ctx);
    const ref = await shareArtifact(ctx.redis, readFileSync(path), ctx.cacheDir);
    return { stage: 'train', model: ref, modelHash: model.hash, provenance: { ...base, modelHash: model.hash } };
  }
  const model = await modelOf(p, ctx);
  const provenance = { ...base, modelHash: model.hash };
  switch (p.stage) {
    case 'check': {
      const { check, vectors } = await checkCell(spec, model, ctx);
      return { stage: 'check', check, vectors, provenance };
    }
    case 'build': {
      const { build, headLut4 } = await buildCell(spec, p.job, model, ctx);
      const image = runSkipped(spec, build.build) === null ? await shareRunImage(spec, model, autoCuts(spec, build), ctx) : { ref: null, failure: null };
      return { stage: 'build', build: build.build, headLut4, headPathNs: build.headPathNs, pipeline: pipelineOf(build), image: image.ref, imageFailure: image.failure, provenance };
    }
    case 'run': {
      const image = p.image ? await fetchDeviceImage(ctx.redis, p.image, ctx.cacheDir) : null;
      const { recorded, error } = await runOnBoard(spec, model, { ...ctx.runPlace(spec), ...(image ? { image } : {}), cuts: p.cuts ?? null }, ctx, (report, samples) => ({ report, samples }));
      // A run that stopped part-way goes to the coordinator all the same: it stores it, then fails the cell.
      return { stage: 'run', ...recorded, stopped: error?.message ?? null, provenance };
    }
  }
}
