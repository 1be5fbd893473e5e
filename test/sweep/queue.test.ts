import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { BullStageQueue, JOB_ATTEMPTS, SqliteCellQueue, type CellQueue, type Claim } from '../../src/sweep/queue.js';
import { parseQueueUrl } from '../../src/sweep/redis.js';
import { tempDir } from '../helpers.js';
import { RedisServer } from './redisServer.js';

/** What the shared suite needs of a backend: a queue holding items, opened by named workers. */
interface Backend {
  /** A fresh queue with these items pending. */
  fill(items: string[]): Promise<void>;
  open(worker: string): CellQueue<unknown>;
  /** A claimer that takes one item and dies without finishing or failing it. */
  abandonOne(): Promise<string>;
  /** The item name of a claim's data. */
  itemOf(data: unknown): string;
}

async function claimAll(q: CellQueue<unknown>, backend: Backend): Promise<string[]> {
  const got: string[] = [];
  for (let c = await q.claim(); c; c = await q.claim()) got.push(backend.itemOf(c.data));
  return got;
}

/** The same contract, run against every backend. */
function queueContract(name: string, backend: () => Backend): void {
  describe(`CellQueue contract: ${name}`, () => {
    it('hands each pending item to exactly one of two workers, then null; status counts them', async () => {
      const b = backend();
      await b.fill(['a', 'b', 'c', 'd']);
      const one = b.open('one');
      const two = b.open('two');
      try {
        const first = await one.claim();
        const second = await two.claim();
        assert.ok(first && second);
        assert.equal(first.attempt, 1);
        assert.notEqual(b.itemOf(first.data), b.itemOf(second.data));
        const rest = await claimAll(one, b);
        assert.deepEqual([b.itemOf(first.data), b.itemOf(second.data), ...rest].sort(), ['a', 'b', 'c', 'd']);
        assert.equal(await two.claim(), null);
        assert.deepEqual(await one.status(), { pending: 0, running: 4, done: 0, failed: 0 });
        await one.finish(first, { ok: true });
        await two.finish(second, { ok: true });
        assert.deepEqual(await two.status(), { pending: 0, running: 2, done: 2, failed: 0 });
      } finally {
        await one.close();
        await two.close();
      }
    });

    it('a failed item is retried (attempt + 1) until it fails for good, at most JOB_ATTEMPTS times', async () => {
      const b = backend();
      await b.fill(['x']);
      const q = b.open('w');
      try {
        const attempts: number[] = [];
        let outcome: 'retrying' | 'failed' = 'retrying';
        while (outcome === 'retrying') {
          const c = await q.claim();
          assert.ok(c, 'a retried item is claimable again');
          attempts.push(c.attempt);
          outcome = await q.fail(c, `broken on attempt ${c.attempt}`);
        }
        assert.ok(attempts.length <= JOB_ATTEMPTS);
        assert.deepEqual(attempts, attempts.map((_, i) => i + 1));
        assert.equal(await q.claim(), null);
        assert.deepEqual(await q.status(), { pending: 0, running: 0, done: 0, failed: 1 });
      } finally {
        await q.close();
      }
    });

    it('reset gives an item held by a dead worker back to pending, and another worker takes it', async () => {
      const b = backend();
      await b.fill(['lost', 'kept']);
      const lost = await b.abandonOne();
      const q = b.open('survivor');
      try {
        // The dead worker's claim lapses (at once for a dead local process, after its lock for Redis).
        const held = new Map<string, Claim<unknown>>();
        const until = Date.now() + 30_000;
        while (held.size < 2) {
          assert.ok(Date.now() < until, `the abandoned item never came back (holding ${[...held.keys()].join(', ')})`);
          const c = await q.claim();
          if (c) held.set(b.itemOf(c.data), c);
          else {
            await q.reset();
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        assert.deepEqual([...held.keys()].sort(), ['kept', 'lost']);
        assert.equal(held.get(lost)!.attempt, 2);
        assert.equal(held.get('kept')!.attempt, 1);
        for (const c of held.values()) await q.finish(c, null);
        assert.deepEqual(await q.status(), { pending: 0, running: 0, done: 2, failed: 0 });
      } finally {
        await q.close();
      }
    });
  });
}

// ---- the local pool: cells of a sweep in a real SQLite file ----
let dir: string;
let store: Store;
let sweepCount = 0;
let currentSweep = '';
before(() => {
  dir = tempDir('gatebench-queue-');
  store = openStore(join(dir, 'queue.db'));
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A pid no process has any more: a worker of this host that died. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

queueContract('SQLite (local pool)', () => ({
  async fill(items) {
    currentSweep = `q${++sweepCount}`;
    store.createSweep({ test: currentSweep }, items.map((key, i) => ({ key, depth: 2, width: 10 + i, finalWidth: 10 })), { id: currentSweep });
  },
  // Live local workers are processes of this host; this test process stands in for each of them.
  open: () => new SqliteCellQueue(store, currentSweep, `${hostname()}:${process.pid}`),
  async abandonOne() {
    const cell = await new SqliteCellQueue(store, currentSweep, `${hostname()}:${deadPid()}`).claim();
    return cell!.data.key;
  },
  itemOf: (data) => (data as { key: string }).key,
}));

// ---- the distributed queue: BullMQ on a private redis-server ----
let redis: RedisServer;
let queueCount = 0;
let currentQueue = '';
before(async () => {
  redis = await RedisServer.start();
});
after(() => redis.stop());

const LOCK_MS = 400;
function bull(worker: string): BullStageQueue<{ item: string }> {
  return new BullStageQueue(parseQueueUrl('--queue', redis.url), currentQueue, { worker, lockMs: LOCK_MS });
}

queueContract('BullMQ (distributed)', () => ({
  async fill(items) {
    currentQueue = `contract-${++queueCount}`;
    const q = bull('filler');
    for (const item of items) await q.add(`job-${item}`, { item });
    // Adding the same id again is a no-op: a duplicated enqueue never makes a second job.
    await q.add(`job-${items[0]}`, { item: items[0]! });
    assert.equal((await q.status()).pending, items.length);
    await q.close();
  },
  open: (worker) => bull(worker),
  async abandonOne() {
    const q = bull('doomed');
    const c = await q.claim();
    await q.close();
    return c!.data.item;
  },
  itemOf: (data) => (data as { item: string }).item,
}));
