import { randomUUID } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import type { Store, SweepCell } from '../store/index.js';
import { KEY_PREFIX, lastingConnection, type QueueTarget } from './redis.js';

/** Work handed to one worker until it finishes or fails it. */
export interface Claim<T> {
  readonly id: string;
  readonly data: T;
  /** 1 for the first try, 2 for the first retry... */
  readonly attempt: number;
}

export interface QueueCounts {
  pending: number;
  running: number;
  done: number;
  failed: number;
}

/**
 * The seam between a sweep and where its work waits. Contracts, for every backend:
 * - claim(): the next pending item, now running for this worker and for no other; null when none
 *   is pending right now.
 * - finish(c, result): c is done (its result is returned to whoever enqueued it, if they read it).
 * - fail(c, reason): c failed this attempt; 'retrying' if it goes back to pending for another
 *   worker, 'failed' if it will not run again (reason kept).
 * - reset(): items whose worker is gone (died without finishing or failing them) go back to
 *   pending, or to failed when they have used up their attempts.
 * - status(): how many items are in each state.
 * Backends: SqliteCellQueue (the local pool: cells of a sweep in the store) and BullStageQueue
 * (a distributed sweep: stage jobs in Redis, for workers on other machines).
 */
export interface CellQueue<T> {
  claim(): Promise<Claim<T> | null>;
  finish(claim: Claim<T>, result: unknown): Promise<void>;
  fail(claim: Claim<T>, reason: string): Promise<'retrying' | 'failed'>;
  reset(): Promise<void>;
  status(): Promise<QueueCounts>;
  close(): Promise<void>;
}

/**
 * The local pool's queue: the pending cells of one sweep in the SQLite store, claimed atomically
 * (several processes share one file). A cell runs once per claim; a failed cell stays failed until
 * the sweep is run again.
 */
export class SqliteCellQueue implements CellQueue<SweepCell> {
  constructor(
    private readonly store: Store,
    private readonly sweep: string,
    private readonly worker?: string,
  ) {}

  async claim(): Promise<Claim<SweepCell> | null> {
    const cell = this.store.claimCell(this.sweep, this.worker ? { worker: this.worker } : {});
    return cell ? { id: String(cell.id), data: cell, attempt: cell.attempts } : null;
  }

  /** The cell's results are in the store already (its recorder wrote them stage by stage). */
  async finish(claim: Claim<SweepCell>, _result?: unknown): Promise<void> {
    this.store.finishCell(claim.data.id);
  }

  async fail(claim: Claim<SweepCell>, reason: string): Promise<'failed'> {
    this.store.failCell(claim.data.id, reason);
    return 'failed';
  }

  async reset(): Promise<void> {
    this.store.resetStaleCells(this.sweep);
  }

  async status(): Promise<QueueCounts> {
    const { pending, running, done, failed } = this.store.getSweep(this.sweep)!.cells;
    return { pending, running, done, failed };
  }

  async close(): Promise<void> {
    // The store belongs to the caller.
  }
}

/** How often a job runs at most: its attempts for failures, and (minus one) restarts after a stall. */
export const JOB_ATTEMPTS = 3;

/**
 * Enqueue a job under a fixed id: BullMQ ignores an add whose id is already in the queue, so a
 * job enqueued twice (a retried enqueue, a resumed coordinator) is one job. Finished jobs stay a
 * day: the coordinator reads their results from there.
 */
export async function addStageJob(queue: Queue, id: string, data: unknown): Promise<void> {
  await queue.add(queue.name, data, { jobId: id, attempts: JOB_ATTEMPTS, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 } });
}

export interface BullQueueOptions {
  /** This worker's name in job records and heartbeats. */
  worker: string;
  /**
   * How long a claim holds without its worker renewing it (renewed at half this): a worker killed
   * mid-job loses its job after about this long plus one stall check.
   */
  lockMs: number;
}

/**
 * One BullMQ queue of stage jobs, processed manually (getNextJob / moveToCompleted /
 * moveToFailed) so that the same claim loop serves both backends. A claim's lock is renewed while
 * it is held; BullMQ's stall check (run by every worker) gives an abandoned job to another worker.
 */
export class BullStageQueue<T> implements CellQueue<T> {
  readonly queue: Queue;
  private readonly worker: Worker;
  private readonly tokens = new Map<string, { token: string; job: Job; renew: NodeJS.Timeout }>();

  constructor(
    target: QueueTarget,
    readonly name: string,
    private readonly o: BullQueueOptions,
  ) {
    const connection = lastingConnection(target);
    this.queue = new Queue(name, { connection, prefix: KEY_PREFIX });
    this.worker = new Worker(name, null, {
      connection,
      prefix: KEY_PREFIX,
      autorun: false,
      name: o.worker,
      lockDuration: o.lockMs,
      stalledInterval: o.lockMs,
      maxStalledCount: JOB_ATTEMPTS - 1,
    });
    // Connection errors while Redis restarts: BullMQ reconnects; the claim loop retries.
    this.queue.on('error', () => undefined);
    this.worker.on('error', () => undefined);
  }

  /** Enqueue one job; a job with this id already in Redis is left as it is (idempotent). */
  add(id: string, data: T): Promise<void> {
    return addStageJob(this.queue, id, data);
  }

  /** Check for abandoned jobs every lock period from now on (each worker process does). */
  watchStalls(): void {
    void this.worker.startStalledCheckTimer().catch(() => undefined);
  }

  async claim(): Promise<Claim<T> | null> {
    const token = randomUUID();
    const job = (await this.worker.getNextJob(token, { block: false })) as Job | undefined;
    if (!job?.id) return null;
    const renew = setInterval(() => void job.extendLock(token, this.o.lockMs).catch(() => undefined), this.o.lockMs / 2);
    this.tokens.set(job.id, { token, job, renew });
    return { id: job.id, data: job.data as T, attempt: job.attemptsStarted ?? job.attemptsMade + 1 };
  }

  private release(claim: Claim<T>): { token: string; job: Job } {
    const held = this.tokens.get(claim.id);
    if (!held) throw new Error(`internal: job ${claim.id} of ${this.name} is not claimed here`);
    clearInterval(held.renew);
    this.tokens.delete(claim.id);
    return held;
  }

  async finish(claim: Claim<T>, result: unknown): Promise<void> {
    const { token, job } = this.release(claim);
    await job.moveToCompleted(result, token, false);
  }

  async fail(claim: Claim<T>, reason: string): Promise<'retrying' | 'failed'> {
    const { token, job } = this.release(claim);
    await job.moveToFailed(new Error(reason), token, false);
    return (await job.getState()) === 'failed' ? 'failed' : 'retrying';
  }

  /**
   * Jobs whose lock expired go back to waiting (or fail after JOB_ATTEMPTS - 1 stalls). BullMQ
   * marks active jobs on one pass and moves those still unlocked on the next: two passes.
   */
  async reset(): Promise<void> {
    // The worker's own backend (its stall options: maxStalledCount, the lock) runs the pass
    // through IQueueBackend, BullMQ's public interface; the Worker's wrapper is private.
    const backend = this.worker.getBackend();
    await backend.moveStalledJobsToWait();
    await backend.moveStalledJobsToWait();
  }

  async status(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
    return { pending: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0) + (c['delayed'] ?? 0), running: c['active'] ?? 0, done: c['completed'] ?? 0, failed: c['failed'] ?? 0 };
  }

  /** Stop renewing held claims (their jobs stall and go to other workers) and disconnect. */
  async close(): Promise<void> {
    for (const { renew } of this.tokens.values()) clearInterval(renew);
    this.tokens.clear();
    await this.worker.close(true);
    await this.queue.close();
  }
}
