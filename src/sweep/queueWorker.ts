import { fork, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SweepSpec } from './spec.js';
import { BullStageQueue, type Claim } from './queue.js';
import { connectQueue, type QueueTarget } from './redis.js';
import { announceWorker, HEARTBEAT_MS, withdrawWorker, type WorkerBeat } from './registry.js';
import type { StageAnswer, StageRequest } from './stageMain.js';
import { runQueueName, type StagePayload, type StageResult } from './stageJobs.js';
import type { RunPlace } from './job.js';

/** A board this host runs cells on: a physical one (its UART, if not found by itself) or the virtual board standing in for one. */
export interface BoardOffer {
  board: string;
  virtual: boolean;
  port?: string;
}

export interface QueueWorkerOptions {
  target: QueueTarget;
  name: string;
  /** Takes training jobs. */
  train: boolean;
  /** Takes check (Verilator) and build (yosys, nextpnr) jobs. */
  builds: boolean;
  boards: readonly BoardOffer[];
  /** This host's power monitor spec for physical runs (null: none). */
  power: string | null;
  /** Job slots. */
  jobs: number;
  cacheDir?: string;
  /** How long a claim holds without renewal (see BullQueueOptions.lockMs). */
  lockMs: number;
  log(line: string): void;
}

export interface QueueWorkerHandle {
  readonly queues: readonly string[];
  /** Stop taking jobs; jobs held now are abandoned (they stall and go to other workers). */
  stop(): Promise<void>;
  /** Resolves when stopped: how many jobs this worker finished and failed. */
  readonly done: Promise<{ finished: number; failed: number }>;
}

const STAGE_MAIN = fileURLToPath(new URL('./stageMain.js', import.meta.url));
/** Kept of a failing stage process's stderr for the job's failure reason. */
const STDERR_TAIL = 2000;

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Run a stage job in its own process group (it ends with this worker: see stageMain.ts), its
 * result back over IPC; a crash of the stage process is the job's failure.
 */
function runInChild(request: StageRequest, children: Set<ChildProcess>): Promise<StageResult> {
  return new Promise((resolve, reject) => {
    const child = fork(STAGE_MAIN, [], { detached: true, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    children.add(child);
    let answer: StageAnswer | null = null;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_TAIL)));
    child.once('message', (m: StageAnswer) => (answer = m));
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (answer && 'result' in answer) resolve(answer.result);
      else if (answer) reject(new Error(answer.error));
      else reject(new Error(`the stage process ended with ${signal ?? `exit ${code}`}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`));
    });
    child.send(request);
  });
}

/** Idle slots look for work this often. */
const POLL_MS = 200;

/**
 * The queues a worker takes jobs from, most downstream first: a slot finishes cells already under
 * way before it trains new ones.
 */
export function workerQueues(o: Pick<QueueWorkerOptions, 'train' | 'builds' | 'boards'>): string[] {
  return [...o.boards.map((b) => runQueueName(b)), ...(o.builds ? ['build', 'check'] : []), ...(o.train ? ['train'] : [])];
}

/**
 * A queue worker (`gatebench worker`): up to `jobs` stage jobs at once from the queues of what this
 * host can do, announcing itself (capabilities, running jobs) every HEARTBEAT_MS.
 */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const names = workerQueues(o);
  const redis = await connectQueue('--queue', o.target);
  const queues = names.map((name) => new BullStageQueue<StagePayload>(o.target, name, { worker: o.name, lockMs: o.lockMs }));
  for (const q of queues) q.watchStalls();
  const running = new Map<string, WorkerBeat['running'][number]>();
  const startedAt = Date.now();
  const beat = (): Promise<void> =>
    announceWorker(redis, { name: o.name, host: hostname(), pid: process.pid, queues: names, slots: o.jobs, running: [...running.values()], startedAt, beatAt: Date.now() }).catch(() => undefined);
  await beat();
  const heart = setInterval(() => void beat(), HEARTBEAT_MS);

  const runPlace = (spec: SweepSpec): RunPlace => {
    if (spec.runOn === 'virtual') return { power: spec.power };
    const offer = o.boards.find((b) => !b.virtual && b.board === spec.runOn);
    if (spec.power !== null && o.power === null) throw new Error(`the sweep measures power and this host (${o.name}) has no --power`);
    return { ...(offer?.port ? { port: offer.port } : {}), power: spec.power === null ? null : o.power };
  };

  let stopping = false;
  const children = new Set<ChildProcess>();
  const counts = { finished: 0, failed: 0 };
  const take = async (): Promise<{ queue: BullStageQueue<StagePayload>; claim: Claim<StagePayload> } | null> => {
    for (const queue of queues) {
      const claim = await queue.claim().catch(() => null);
      if (claim) return { queue, claim };
    }
    return null;
  };
  const slot = async (): Promise<void> => {
    while (!stopping) {
      const got = await take();
      if (!got) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        continue;
      }
      const { queue, claim } = got;
      const p = claim.data;
      const what = `${p.sweep} ${p.cell} ${p.stage}`;
      running.set(claim.id, { job: claim.id, sweep: p.sweep, cell: p.cell, stage: p.stage, since: Date.now() });
      void beat();
      o.log(`${what}: started (attempt ${claim.attempt})`);
      try {
        const result = await runInChild({ payload: p, target: o.target, ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), place: p.stage === 'run' ? runPlace(p.spec) : null }, children);
        if (stopping) return;
        await queue.finish(claim, result);
        counts.finished++;
        o.log(`${what}: done`);
      } catch (e) {
        if (stopping) return;
        const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
        const outcome = await queue.fail(claim, reason).catch(() => 'lost' as const);
        counts.failed++;
        o.log(`${what}: failed (${outcome}): ${reason}`);
      } finally {
        running.delete(claim.id);
        void beat();
      }
    }
  };
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (markStopped = r));
  const slots = Array.from({ length: o.jobs }, () => slot());
  // A stopped worker does not wait for the stages it abandoned (a build may take minutes).
  const done = Promise.race([Promise.all(slots), stopped]).then(() => counts);
  return {
    queues: names,
    done,
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(heart);
      await withdrawWorker(redis, o.name).catch(() => undefined);
      for (const child of children) killGroup(child);
      for (const q of queues) await q.close().catch(() => undefined);
      redis.disconnect();
      markStopped();
    },
  };
}
