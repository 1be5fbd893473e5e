import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadModel } from '../model/modelFile.js';
import { openStore, powerSummaryOf, simulationFromCheck, workerName, type StageRecord, type Store, type SweepCell, type SweepRecord } from '../store/index.js';
import { fetchArtifact, republishArtifact } from './artifacts.js';
import { keepDeviceImage, republishDeviceImage } from './deviceImage.js';
import type { SweepEvent, SweepHandle } from './executor.js';
import { CELL_STAGES, checkProblem, runProblem, runSkipped, type CellOutcome, type CellStage } from './job.js';
import { addStageJob, SqliteCellQueue, type Claim } from './queue.js';
import { connectQueue, KEY_PREFIX, lastingConnection, type QueueTarget } from './redis.js';
import { servedQueues } from './registry.js';
import { jobOfCell, type SweepSpec } from './spec.js';
import { stageBoard, stageJobId, stageQueueName, type StagePayload, type StageResult } from './stageJobs.js';

export interface QueuedSweepOptions {
  db: string;
  sweep: string;
  target: QueueTarget;
  /** This machine's cache (the coordinator keeps every model it hands on under artifacts/). */
  cacheDir?: string;
  /** How often the coordinator looks at its cells' jobs (default 300 ms). */
  pollMs?: number;
}

/** What the coordinator tells people beyond the local pool's events. */
export type QueuedSweepEvent = SweepEvent | { type: 'waiting'; cell: string; message: string } | { type: 'queue'; line: string };

/**
 * A cell of the sweep being driven: claimed in the store by the coordinator (so a resumed
 * coordinator takes it back), its stages enqueued one after another as their results arrive.
 */
interface DrivenCell {
  claim: Claim<SweepCell>;
  /** The worker last seen running its current stage, and the last waiting message, to report changes only. */
  worker: string | null;
  waiting: string | null;
}

/**
 * Drive a stored sweep through Redis: this process owns the store; queue workers (other processes,
 * other machines) run the stages. Each cell's next stage is enqueued as a job with a fixed id
 * (sweep.cell.stage); its result is stored once (keyed the same way) as soon as it is seen, then
 * the following stage is enqueued. The coordinator looks at its cells' jobs every pollMs, which
 * also mends what Redis lost: a job missing (Redis restarted empty, or the job expired) is
 * enqueued again from the store, its model (and a run's device image) published again from this
 * machine's copy.
 */
export function startQueuedSweep(o: QueuedSweepOptions, onEvent: (e: QueuedSweepEvent) => void): SweepHandle {
  let cancelled = false;
  let wake: (() => void) | null = null;
  const done = drive(o, onEvent, () => cancelled, (w) => (wake = w));
  return {
    sweep: o.sweep,
    done,
    cancel() {
      cancelled = true;
      wake?.();
    },
  };
}

async function drive(o: QueuedSweepOptions, onEvent: (e: QueuedSweepEvent) => void, isCancelled: () => boolean, onSleep: (wake: () => void) => void): Promise<SweepRecord> {
  const redis = await connectQueue('--queue', o.target);
  const store = openStore(o.db);
  const queues = new Map<string, Queue>();
  const queueOf = (name: string): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: lastingConnection(o.target), prefix: KEY_PREFIX });
      // Errors while Redis restarts: BullMQ reconnects, and the next look retries.
      q.on('error', () => undefined);
      queues.set(name, q);
    }
    return q;
  };
  let lost = false;
  redis.on('close', () => {
    if (!lost && !isCancelled()) onEvent({ type: 'queue', line: 'queue: lost Redis; reconnecting (stored results are safe)' });
    lost = true;
  });
  redis.on('ready', () => {
    if (lost) onEvent({ type: 'queue', line: 'queue: Redis is back; jobs it lost are enqueued again from the store' });
    lost = false;
  });
  try {
    const cells = new SqliteCellQueue(store, o.sweep, workerName());
    // Cells a killed coordinator held go back to pending, then this one takes every pending cell.
    await cells.reset();
    const driven: DrivenCell[] = [];
    for (let c = await cells.claim(); c; c = await cells.claim()) driven.push({ claim: c, worker: null, waiting: null });
    const sweep = store.getSweep(o.sweep)!;
    const spec = sweep.spec as SweepSpec;
    onEvent({ type: 'started', sweep: o.sweep, total: sweep.cells.total, pending: driven.length, workers: 0 });
    const ctx: DriveContext = { store, redis, spec, sweep: o.sweep, specHash: sweep.specHash, queueOf, onEvent, ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}) };
    let active = driven;
    while (active.length > 0 && !isCancelled()) {
      const served = await servedQueues(redis).catch(() => null);
      const records = stagesByCell(store.stageRecords(o.sweep));
      const stored = new Map(store.sweepCells(o.sweep).map((c) => [c.id, c]));
      const next: DrivenCell[] = [];
      for (const cell of active) {
        if (isCancelled()) break;
        const settled = await advance(ctx, cell, stored.get(cell.claim.data.id)!, records.get(cell.claim.data.key) ?? new Map(), served).catch((e: unknown) => {
          // Redis went away mid-look: look again next time.
          if (lost) return false;
          throw e;
        });
        if (!settled) next.push(cell);
      }
      active = next;
      if (active.length > 0) await new Promise<void>((r) => {
        const t = setTimeout(r, o.pollMs ?? 300);
        onSleep(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    const finished = store.getSweep(o.sweep)!;
    onEvent({ type: 'finished', sweep: finished });
    return finished;
  } finally {
    for (const q of queues.values()) await q.close().catch(() => undefined);
    redis.disconnect();
    store.close();
  }
}

interface DriveContext {
  store: Store;
  redis: Redis;
  spec: SweepSpec;
  sweep: string;
  specHash: string;
  cacheDir?: string;
  queueOf(name: string): Queue;
  onEvent(e: QueuedSweepEvent): void;
}

function stagesByCell(records: readonly StageRecord[]): Map<string, Map<CellStage, StageRecord>> {
  const byCell = new Map<string, Map<CellStage, StageRecord>>();
  for (const r of records) {
    const m = byCell.get(r.cellKey) ?? new Map<CellStage, StageRecord>();
    m.set(r.stage, r);
    byCell.set(r.cellKey, m);
  }
  return byCell;
}

/** The stage a cell needs next from its stored stages, or null when it is complete. */
function nextStage(ctx: DriveContext, done: ReadonlyMap<CellStage, StageRecord>): CellStage | null {
  for (const stage of CELL_STAGES) {
    if (done.has(stage)) continue;
    if (stage === 'run') {
      const build = ctx.store.getBuild(Number(done.get('build')!.result));
      if (build && runSkipped(ctx.spec, build.result) !== null) return null;
    }
    return stage;
  }
  return null;
}

function outcomeOf(ctx: DriveContext, cell: SweepCell, done: ReadonlyMap<CellStage, StageRecord>): CellOutcome {
  const build = ctx.store.getBuild(Number(done.get('build')!.result))!;
  const model = cell.modelHash ? ctx.store.getModel(cell.modelHash) : null;
  return {
    modelHash: cell.modelHash ?? '',
    accuracy: model?.metrics.discreteTestAccuracy ?? null,
    simulationId: Number(done.get('check')!.result),
    buildId: build.id,
    buildStatus: build.result.status,
    runId: done.has('run') ? Number(done.get('run')!.result) : null,
    skippedRun: runSkipped(ctx.spec, build.result),
  };
}

/**
 * One look at a cell: finish it when its stages are stored, else store its current stage's result
 * when the job completed, fail the cell when the job failed for good, or make sure the job is
 * enqueued (and say when no live worker takes its queue). True when the cell is settled.
 */
async function advance(ctx: DriveContext, cell: DrivenCell, current: SweepCell, done: Map<CellStage, StageRecord>, served: Set<string> | null): Promise<boolean> {
  const { store } = ctx;
  const stage = nextStage(ctx, done);
  if (stage === null) {
    const outcome = outcomeOf(ctx, current, done);
    store.setCellQueueWorker(current.id, null);
    store.finishCell(current.id);
    ctx.onEvent({ type: 'cell-done', cell: current.key, outcome });
    return true;
  }
  const queueName = stageQueueName(ctx.spec, stage);
  const id = stageJobId({ id: ctx.sweep, specHash: ctx.specHash }, current.key, stage);
  const job = await Job.fromId<StagePayload, StageResult>(ctx.queueOf(queueName), id);
  if (!job) {
    // What the stage takes travels from this machine's copies (put into Redis again if it lost them).
    const model = done.get('train')?.artifact ?? null;
    const modelRef = model === null ? null : await republishArtifact(ctx.redis, model, ctx.cacheDir);
    const image = stage === 'run' ? (done.get('build')?.artifact ?? null) : null;
    const imageRef = image === null ? null : await republishDeviceImage(ctx.redis, image, ctx.cacheDir);
    // A run's core takes the cuts its build chose (--pipeline auto), so the board host searches nothing.
    const cuts = stage === 'run' && ctx.spec.pipeline === 'auto' && current.buildId ? store.buildCuts(current.buildId) : null;
    await addStageJob(ctx.queueOf(queueName), id, { sweep: ctx.sweep, cell: current.key, stage, spec: ctx.spec, job: jobOfCell(current), model: modelRef, image: imageRef, cuts } satisfies StagePayload);
    store.setCellStage(current.id, stage, 'queued');
    ctx.onEvent({ type: 'stage', cell: current.key, stage, detail: 'queued' });
    return false;
  }
  const state = await job.getState();
  if (state === 'completed') {
    // The job was read before it completed: read it again for its result.
    const completed = await Job.fromId<StagePayload, StageResult>(ctx.queueOf(queueName), id);
    if (!completed?.returnvalue) return false;
    const { failure, stored } = await record(ctx, current, completed);
    if (failure) {
      store.setCellQueueWorker(current.id, null);
      store.failCell(current.id, failure);
      ctx.onEvent({ type: 'cell-failed', cell: current.key, error: failure });
      return true;
    }
    done.set(stage, stored);
    // The cell as stored now (linked to the new result), for its next stage.
    return advance(ctx, cell, store.sweepCells(ctx.sweep).find((c) => c.id === current.id)!, done, served);
  }
  if (state === 'failed') {
    const error = `${stage} failed after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'}${job.processedBy ? ` (last on ${job.processedBy})` : ''}: ${job.failedReason}`;
    store.setCellQueueWorker(current.id, null);
    store.failCell(current.id, error);
    ctx.onEvent({ type: 'cell-failed', cell: current.key, error });
    return true;
  }
  if (state === 'active') {
    const worker = job.processedBy ?? null;
    if (worker !== cell.worker) {
      cell.worker = worker;
      cell.waiting = null;
      store.setCellQueueWorker(current.id, worker);
      store.setCellStage(current.id, stage, `on ${worker ?? 'a worker'}`);
      ctx.onEvent({ type: 'stage', cell: current.key, stage, detail: `on ${worker ?? 'a worker'}` });
    }
    return false;
  }
  // Waiting (or delayed before a retry): say so when no live worker takes this queue.
  const waiting = served !== null && !served.has(queueName) ? `waiting: no worker can ${stage} for ${stageBoard(ctx.spec, stage)}` : null;
  if (waiting !== cell.waiting) {
    cell.waiting = waiting;
    cell.worker = null;
    store.setCellQueueWorker(current.id, null);
    store.setCellStage(current.id, stage, waiting ?? 'queued');
    if (waiting) ctx.onEvent({ type: 'waiting', cell: current.key, message: waiting });
  }
  return false;
}

/**
 * Store a completed stage's result once (a duplicate of a stored stage adds nothing), linked to
 * its cell. Returns the stage record, and why the cell fails after this result (a bit-exactness mismatch) or null.
 */
async function record(ctx: DriveContext, cell: SweepCell, job: Job<StagePayload, StageResult>): Promise<{ failure: string | null; stored: StageRecord }> {
  const { store } = ctx;
  const r = job.returnvalue;
  // The model file and a run's device image are fetched (checked by hash) before the transaction: the coordinator's copies.
  const modelPath = r.stage === 'train' ? await fetchArtifact(ctx.redis, r.model, ctx.cacheDir) : null;
  if (r.stage === 'build' && r.image) await keepDeviceImage(ctx.redis, r.image, ctx.cacheDir);
  const key = { sweepId: ctx.sweep, cellKey: cell.key, stage: r.stage };
  const meta = {
    worker: job.processedBy ?? 'unknown',
    attempt: job.attemptsStarted || job.attemptsMade || 1,
    enqueuedAt: new Date(job.timestamp).toISOString(),
    startedAt: job.processedOn ? new Date(job.processedOn).toISOString() : null,
  };
  const { record: stored } = store.recordStage(key, () => {
    switch (r.stage) {
      case 'train': {
        store.addModel(loadModel(modelPath!), { path: modelPath });
        store.linkCell(cell.id, { modelHash: r.modelHash });
        return { ...meta, result: r.modelHash, artifact: r.model.hash };
      }
      case 'check': {
        const id = store.addSimulation(simulationFromCheck(r.check), r.provenance);
        store.linkCell(cell.id, { simulationId: id });
        return { ...meta, result: String(id), artifact: null };
      }
      case 'build': {
        const id = store.addBuild(r.build, r.provenance, { headLut4: r.headLut4, headPathNs: r.headPathNs ?? null, pipeline: r.pipeline ?? null });
        store.linkCell(cell.id, { buildId: id });
        return { ...meta, result: String(id), artifact: r.image?.hash ?? null };
      }
      case 'run': {
        const buildId = cell.buildId ?? undefined;
        const id = store.addRun(r.report, r.provenance, { ...(buildId !== undefined ? { buildId } : {}), ...(r.report.power ? { power: { summary: powerSummaryOf(r.report.power), samples: r.samples } } : {}) });
        store.linkCell(cell.id, { runId: id });
        return { ...meta, result: String(id), artifact: r.report.build?.image ?? null };
      }
    }
  });
  ctx.onEvent({ type: 'stage', cell: cell.key, stage: r.stage, detail: `stored (${stored.worker}, attempt ${stored.attempt})` });
  // A device bitstream that failed to build, or a run that stopped part-way (stored above), fails its cell as in the local pool.
  const failure = r.stage === 'check' ? checkProblem(r.check, r.vectors) : r.stage === 'build' ? r.imageFailure : r.stage === 'run' ? (r.stopped ?? runProblem(r.report)) : null;
  return { failure, stored };
}
