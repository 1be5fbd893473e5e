import type { Redis } from 'ioredis';
import { KEY_PREFIX } from './redis.js';

/** A queue worker as it announces itself every HEARTBEAT_MS: what it can do and what it is doing. */
export interface WorkerBeat {
  name: string;
  host: string;
  pid: number;
  /** The queues it takes jobs from (train, check, build, run.BOARD, run.virtual.BOARD). */
  queues: string[];
  /** Its job slots (--jobs). */
  slots: number;
  running: { job: string; sweep: string; cell: string; stage: string; since: number }[];
  startedAt: number;
  beatAt: number;
}

export const HEARTBEAT_MS = 2000;
/** A worker not heard from for this long is taken as gone (its jobs stall and move on). */
export const WORKER_GONE_MS = 15_000;
/** Entries of workers gone this long are dropped from the registry. */
const FORGET_MS = 86_400_000;

const REGISTRY = `${KEY_PREFIX}:workers`;

export async function announceWorker(redis: Redis, beat: WorkerBeat): Promise<void> {
  await redis.hset(REGISTRY, beat.name, JSON.stringify(beat));
}

export async function withdrawWorker(redis: Redis, name: string): Promise<void> {
  await redis.hdel(REGISTRY, name);
}

/** Every announced worker with its heartbeat age (ms), live ones first; long-gone ones are dropped. */
export async function listWorkers(redis: Redis, now = Date.now()): Promise<(WorkerBeat & { ageMs: number })[]> {
  const entries = await redis.hgetall(REGISTRY);
  const workers = Object.values(entries).map((text) => {
    const beat = JSON.parse(text) as WorkerBeat;
    return { ...beat, ageMs: Math.max(0, now - beat.beatAt) };
  });
  const forgotten = workers.filter((w) => w.ageMs > FORGET_MS).map((w) => w.name);
  if (forgotten.length > 0) await redis.hdel(REGISTRY, ...forgotten);
  return workers.filter((w) => w.ageMs <= FORGET_MS).sort((a, b) => a.ageMs - b.ageMs || a.name.localeCompare(b.name));
}

/** The queues some live worker takes jobs from. */
export async function servedQueues(redis: Redis): Promise<Set<string>> {
  const live = (await listWorkers(redis)).filter((w) => w.ageMs <= WORKER_GONE_MS);
  return new Set(live.flatMap((w) => w.queues));
}
