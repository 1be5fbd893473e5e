import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers.js';
import { Proc } from './proc.js';
import { RedisServer } from './redisServer.js';
import { rows } from './rows.js';


const TINY = ['--crop', '8', '--iterations', '30', '--vectors', '100', '--board', 'icestick', '--power', 'none'];

describe('distributed sweep: refusals and failures', () => {
  let dir: string;
  let redis: RedisServer;
  let locked: RedisServer;
  const procs: Proc[] = [];
  before(async () => {
    dir = tempDir('gatebench-queue-fail-');
    redis = await RedisServer.start();
    locked = await RedisServer.start({ password: 'right' });
  });
  after(async () => {
    for (const p of procs) await p.kill();
    await redis.stop();
    await locked.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unreachable Redis or a wrong password is one line, exit 2, before any sweep is stored', () => {
    const db = join(dir, 'refused.db');
    for (const [url, expected] of [
      [`redis://127.0.0.1:${redis.port + 1 === locked.port ? redis.port + 2 : redis.port + 1}`, /connection refused/],
      [`redis://:wrong@127.0.0.1:${locked.port}`, /refused the credentials \(WRONGPASS/],
      ['http://127.0.0.1:1', /--queue: expected redis:\/\//],
    ] as const) {
      const r = runCli(['sweep', '--queue', url, '--depth', '2', '--width', '20', ...TINY, '--db', db]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /wrong/, 'the password is not printed');
    }
    const w = runCli(['workers', '--queue', `redis://:wrong@127.0.0.1:${locked.port}`]);
    assert.equal(w.status, 2);
    assert.match(w.stderr, /WRONGPASS/);
  });

  it('a stage no worker can do is reported as waiting, naming the stage and the board', { timeout: 60_000 }, async () => {
    const coordinator = new Proc(['sweep', '--queue', redis.url, '--depth', '2', '--width', '20', ...TINY, '--db', join(dir, 'waiting.db'), '--report', join(dir, 'w.html')]);
    procs.push(coordinator);
    assert.match(await coordinator.line(/waiting/), /d2-w20-f20: waiting: no worker can train for icestick/);
    await coordinator.kill();
    const cells = rows<{ stage: string; stage_detail: string }>(join(dir, 'waiting.db'), 'SELECT stage, stage_detail FROM sweep_cells');
    assert.deepEqual(cells, [{ stage: 'train', stage_detail: 'waiting: no worker can train for icestick' }]);
  });

  it('a job failing on every attempt is retried up to 3 times, then its cell is failed with the reason', { timeout: 120_000 }, async () => {
    // An empty Redis: no job of the tests before is left for this test's worker.
    await redis.restart();
    const csv = join(dir, 'two.csv');
    writeFileSync(csv, Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'a' : 'b'}`).join('\n') + '\n');
    const db = join(dir, 'attempts.db');
    const args = ['sweep', '--queue', redis.url, '--dataset', `csv:${csv}`, '--depth', '2', '--width', '20', '--iterations', '10', '--vectors', '4', '--board', 'icestick', '--power', 'none', '--id', 'gone', '--db', db, '--report', join(dir, 'a.html')];
    const coordinator = new Proc(args);
    procs.push(coordinator);
    await coordinator.line(/train queued/);
    // The worker's machine lacks the dataset the coordinator's has: every training attempt fails.
    rmSync(csv);
    const cache = join(dir, 'w-cache');
    mkdirSync(cache);
    const worker = new Proc(['worker', '--queue', redis.url, '--train', '--name', 'lacking', '--lock-seconds', '5'], { GATEBENCH_CACHE: cache });
    procs.push(worker);
    // `workers` lists it with what it takes and its heartbeat.
    await worker.line(/taking jobs from train/);
    const listed = runCli(['workers', '--queue', redis.url]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^worker\s+process\s+queues\s+slots\s+running\s+heartbeat/);
    assert.match(listed.stdout, /\nlacking\s+\S+:\d+\s+train\s+1\s+(idle|gone d2-w20-f20 train)\s+\d+\.\d s\n?$/);
    const code = await coordinator.exited;
    await worker.kill('SIGTERM');
    assert.equal(code, 1, coordinator.stderr);
    const [cell] = rows<{ state: string; error: string }>(db, 'SELECT state, error FROM sweep_cells');
    assert.equal(cell!.state, 'failed');
    assert.match(cell!.error, /^train failed after 3 attempts \(last on lacking\): .*two\.csv/);
    assert.equal((worker.stderr.match(/gone d2-w20-f20 train: started/g) ?? []).length, 3, worker.stderr);
  });
});
