import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers.js';
import { Proc } from './proc.js';
import { RedisServer } from './redisServer.js';
import { rows } from './rows.js';

const one = (db: string, sql: string): number => Object.values(rows<Record<string, number>>(db, sql)[0]!)[0]!;

describe('distributed sweep: coordinator, two train/build workers, one board host (2 x 2 x 2 on the virtual iCEstick)', () => {
  let dir: string;
  let redis: RedisServer;
  const procs: Proc[] = [];
  before(async () => {
    dir = tempDir('gatebench-queue-sweep-');
    redis = await RedisServer.start();
  });
  after(async () => {
    for (const p of procs) await p.kill();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives a build worker SIGKILLed mid-build, Redis restarted empty and the coordinator killed and resumed: every cell once, 0 mismatches', { timeout: 600_000 }, async () => {
    const db = join(dir, 'sweep.db');
    const cache = (name: string): Record<string, string> => {
      const path = join(dir, `cache-${name}`);
      mkdirSync(path, { recursive: true });
      return { GATEBENCH_CACHE: path };
    };
    const sweepArgs = ['sweep', '--queue', redis.url, '--depth', '2,3', '--width', '20,40', '--final-width', '10,same', '--crop', '8', '--iterations', '30', '--vectors', '100', '--board', 'icestick', '--power', 'none', '--id', 'dist', '--db', db, '--report', join(dir, 'report.html')];
    const worker = (name: string, ...caps: string[]): Proc => {
      const p = new Proc(['worker', '--queue', redis.url, ...caps, '--name', name, '--lock-seconds', '4'], cache(name));
      procs.push(p);
      return p;
    };
    let coordinator = new Proc(sweepArgs, cache('coordinator'));
    procs.push(coordinator);
    const doomed = worker('builder-a', '--train', '--builds');
    const survivor = worker('builder-b', '--train', '--builds');
    worker('bench', '--board', 'virtual:icestick');

    // 1. The first build builder-a starts: SIGKILL it (its stage process and yosys/nextpnr go with it).
    const started = await doomed.line(/ build: started/);
    const killedJob = /^(\S+) (\S+) build/.exec(started)!;
    await doomed.kill();
    // 2. Once builder-b has taken that job over (after the stall interval), kill Redis and start it again, empty.
    await survivor.line(new RegExp(`${killedJob[2]} build: started`));
    await redis.restart();
    await coordinator.line(/Redis is back/);
    // 3. Once three cells are stored done, SIGKILL the coordinator and resume it.
    await coordinator.line(/: done \(build /, 3);
    await coordinator.kill();
    coordinator = new Proc(['sweep', '--resume', 'dist', '--queue', redis.url, '--db', db, '--report', join(dir, 'report.html')], cache('coordinator'));
    procs.push(coordinator);
    const code = await coordinator.exited;
    assert.equal(code, 0, coordinator.stderr);

    assert.deepEqual(rows(db, `SELECT state, count(*) AS n FROM sweep_cells GROUP BY state`), [{ state: 'done', n: 8 }]);
    // Every stage stored once per cell, and one row of each kind per cell: no duplicates.
    assert.equal(one(db, 'SELECT count(*) FROM sweep_stages'), 32);
    assert.equal(one(db, 'SELECT count(DISTINCT cell_key || stage) FROM sweep_stages'), 32);
    assert.equal(one(db, 'SELECT count(*) FROM simulations'), 8);
    assert.equal(one(db, 'SELECT count(*) FROM builds'), 8);
    assert.equal(one(db, 'SELECT count(*) FROM builds WHERE head_path_ns IS NULL OR head_path_ns > critical_path_ns'), 0, "each build worker's head share of the path reached the store");
    assert.equal(one(db, 'SELECT count(*) FROM runs'), 8);
    assert.equal(one(db, 'SELECT count(*) FROM models'), 8);
    assert.equal(one(db, 'SELECT count(*) FROM sweep_cells WHERE model_hash IS NULL OR simulation_id IS NULL OR build_id IS NULL OR run_id IS NULL'), 0);
    assert.equal(one(db, 'SELECT sum(mismatches) FROM runs') + one(db, 'SELECT sum(mismatches) FROM simulations'), 0);
    assert.equal(one(db, 'SELECT count(*) FROM runs WHERE complete = 0 OR answered = 0'), 0);
    // The killed build was done by the survivor; runs only by the board host.
    const build = rows<{ worker: string }>(db, `SELECT worker FROM sweep_stages WHERE cell_key = '${killedJob[2]}' AND stage = 'build'`);
    assert.deepEqual(build, [{ worker: 'builder-b' }]);
    assert.deepEqual(rows(db, `SELECT DISTINCT worker FROM sweep_stages WHERE stage = 'run'`), [{ worker: 'bench' }]);
  });
});
