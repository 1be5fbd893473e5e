import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { openStore, workerName, type CellSpec } from '../../src/store/index.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';
import { fixtureModel, fixturePower, fixtureProvenance, fixtureRun, fixtureSamples, STORE_MODULE } from './fixtures.js';

function grid(depths: number[], widths: number[], finals: number[]): CellSpec[] {
  return depths.flatMap((depth) => widths.flatMap((width) => finals.map((finalWidth) => ({ key: `d${depth}-w${width}-f${finalWidth}`, depth, width, finalWidth, params: { seed: 1 } }))));
}

const SPEC = { grid: { depth: [2, 3], width: [500, 1000], finalWidth: [100, 'same'] }, dataset: 'mnist', board: 'icebreaker', training: { iterations: 2000, seed: 1 } };

describe('sweeps', () => {
  it('creates a sweep once per spec: the same spec (in any key order) returns the existing sweep without new cells', () => {
    const store = openStore(join(tempDir(), 'sweeps.db'));
    const cells = grid([2, 3], [500, 1000], [100]);
    const first = store.createSweep(SPEC, cells);
    assert.equal(first.created, true);
    assert.equal(first.sweep.id, 's1');
    assert.equal(first.sweep.status, 'pending');
    assert.deepEqual(first.sweep.cells, { total: 4, pending: 4, running: 0, done: 0, failed: 0 });
    assert.deepEqual(first.sweep.spec, SPEC);

    const reordered = { training: { seed: 1, iterations: 2000 }, board: 'icebreaker', dataset: 'mnist', grid: SPEC.grid };
    const again = store.createSweep(reordered, cells);
    assert.equal(again.created, false);
    assert.equal(again.sweep.id, 's1');
    assert.deepEqual(store.sweepCells('s1').map((c) => c.key), cells.map((c) => c.key));

    const other = store.createSweep({ ...SPEC, board: 'icestick' }, cells);
    assert.equal(other.sweep.id, 's2');
    const named = store.createSweep({ ...SPEC, board: 'upduino3' }, cells.slice(0, 1), { id: 'narrow-final' });
    assert.equal(named.sweep.id, 'narrow-final');
    assert.deepEqual(store.listSweeps().map((s) => s.id), ['narrow-final', 's2', 's1']);
    assert.throws(() => store.createSweep({ other: true }, [], { id: 's1' }), (e: Error) => e instanceof UserError && /sweep 's1' already exists with a different spec/.test(e.message));
    assert.throws(() => store.createSweep({ other: true }, [], { id: 'no spaces' }), /Expected a sweep id/);
    assert.throws(() => store.createSweep({ other: 2 }, [cells[0]!, cells[0]!]), /appears twice/);
    store.close();
  });

  it('claims cells in grid order, finishes and fails them, and derives the sweep status', () => {
    const store = openStore(join(tempDir(), 'claims.db'));
    const model = fixtureModel(1);
    store.addModel(model);
    const { sweep } = store.createSweep(SPEC, grid([2], [500], [100, 500]));
    const a = store.claimCell(sweep.id)!;
    assert.equal(a.key, 'd2-w500-f100');
    assert.equal(a.state, 'running');
    assert.equal(a.attempts, 1);
    assert.equal(a.worker, workerName());
    assert.ok(a.startedAt);
    assert.equal(store.getSweep(sweep.id)!.status, 'running');

    const linked = store.linkCell(a.id, { modelHash: model.hash });
    assert.equal(linked.modelHash, model.hash);
    assert.equal(linked.state, 'running');
    const runId = store.addRun(fixtureRun(), fixtureProvenance(model.hash));
    const done = store.finishCell(a.id, { runId });
    assert.equal(done.state, 'done');
    assert.equal(done.runId, runId);
    assert.equal(done.modelHash, model.hash, 'an earlier link is kept');
    assert.ok(done.finishedAt! >= done.startedAt!);
    assert.throws(() => store.finishCell(a.id), /sweep cell \d+ is done, not running/);

    const b = store.claimCell(sweep.id, { worker: 'other-host:1' })!;
    assert.equal(b.key, 'd2-w500-f500');
    assert.equal(store.claimCell(sweep.id), null, 'nothing left to claim');
    const failed = store.failCell(b.id, 'does not fit (needs 5727 LCs, the board has 5280)');
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error, 'does not fit (needs 5727 LCs, the board has 5280)');
    assert.equal(store.getSweep(sweep.id)!.status, 'failed');
    assert.deepEqual(store.getSweep(sweep.id)!.cells, { total: 2, pending: 0, running: 0, done: 1, failed: 1 });
    assert.throws(() => store.claimCell('s9'), /no sweep 's9'/);
    assert.throws(() => store.finishCell(a.id, { runId: 999 }), /not running/);
    store.close();
  });

  it('gives a cell of a dead worker, or an old claim, back to the next claimer', async () => {
    const store = openStore(join(tempDir(), 'stale.db'));
    const { sweep } = store.createSweep(SPEC, grid([2], [500], [100, 200, 300]));
    // A process that existed on this host and has exited.
    const gone = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadWorker = workerName().replace(/:\d+$/, `:${gone.stdout}`);
    const dead = store.claimCell(sweep.id, { worker: deadWorker })!;
    assert.equal(store.resetStaleCells(sweep.id), 1);
    const interrupted = store.sweepCells(sweep.id)[0]!;
    assert.equal(interrupted.state, 'pending');
    assert.equal(interrupted.error, `interrupted: worker ${deadWorker} stopped before finishing`);
    const reclaimed = store.claimCell(sweep.id)!;
    assert.equal(reclaimed.key, dead.key);
    assert.equal(reclaimed.attempts, 2);
    assert.equal(reclaimed.error, null);

    // claimCell itself takes a dead worker's cell back before anything later in the grid.
    const second = store.claimCell(sweep.id, { worker: deadWorker })!;
    const remote = store.claimCell(sweep.id, { worker: 'other-host:42' })!;
    assert.equal(remote.key, second.key);
    assert.equal(remote.attempts, 2);
    const mine = store.claimCell(sweep.id)!;
    assert.equal(mine.key, 'd2-w500-f300');
    assert.equal(store.resetStaleCells(sweep.id), 0);
    assert.equal(store.claimCell(sweep.id), null, 'a live local worker and a remote one keep their cells');
    await new Promise((r) => setTimeout(r, 20));
    const old = store.claimCell(sweep.id, { staleAfterMs: 10 })!;
    assert.ok([remote.key, mine.key, reclaimed.key].includes(old.key), 'a claim older than staleAfterMs is taken over');
    assert.ok(old.attempts >= 2);
    store.close();
  });

  it('never gives the same cell to two processes claiming at once', async () => {
    const dir = tempDir();
    const path = join(dir, 'race.db');
    const store = openStore(path);
    const cells = grid([1, 2, 3, 4, 5, 6], [100, 200, 300, 400, 500], [10, 20]);
    store.createSweep(SPEC, cells);
    store.close();
    const ready = join(dir, 'ready');
    mkdirSync(ready);
    // A barrier: every worker has its store open before any claims.
    const script = `
      const { readdirSync, writeFileSync } = await import('node:fs');
      const { openStore } = await import(${JSON.stringify(STORE_MODULE)});
      const store = openStore(${JSON.stringify(path)});
      writeFileSync(${JSON.stringify(ready)} + '/' + process.pid, '');
      while (readdirSync(${JSON.stringify(ready)}).length < 4) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      const keys = [];
      for (let cell; (cell = store.claimCell('s1')); ) {
        keys.push(cell.key);
        // The cell's work happens outside any transaction, so the others claim meanwhile.
        for (const until = Date.now() + 5; Date.now() < until; );
        store.finishCell(cell.id);
      }
      process.stdout.write(JSON.stringify(keys));`;
    const workers = await Promise.all(Array.from({ length: 4 }, () => execa(process.execPath, ['--input-type=module', '-e', script])));
    const claimed = workers.map((w) => JSON.parse(w.stdout) as string[]);
    const all = claimed.flat();
    assert.equal(all.length, cells.length, 'every cell claimed exactly once');
    assert.equal(new Set(all).size, cells.length);
    assert.ok(claimed.filter((k) => k.length > 0).length >= 2, `the workers overlapped (${claimed.map((k) => k.length).join(', ')} cells each)`);
    console.log(`# 4 processes claimed ${claimed.map((k) => k.length).join(' + ')} cells`);
    const after = openStore(path);
    assert.ok(after.sweepCells('s1').every((c) => c.state === 'done' && c.attempts === 1));
    after.close();
  });

  it('keeps every finished cell and no partial row when the writing process is killed', async () => {
    const dir = tempDir();
    const path = join(dir, 'killed.db');
    const store = openStore(path);
    const model = fixtureModel(2);
    store.addModel(model);
    store.createSweep(SPEC, grid([1, 2, 3, 4], [100, 200, 300, 400, 500], [10]));
    store.close();
    const SAMPLES = 4000;
    const script = `
      const { openStore } = await import(${JSON.stringify(STORE_MODULE)});
      const { readFileSync } = await import('node:fs');
      const [report, provenance, summary, samples] = JSON.parse(readFileSync(process.argv[1], 'utf8'));
      const store = openStore(${JSON.stringify(path)});
      for (let cell; (cell = store.claimCell('s1')); ) {
        store.atomically(() => {
          const runId = store.addRun(report, provenance, { power: { summary, samples } });
          store.finishCell(cell.id, { runId, modelHash: provenance.modelHash });
        });
        process.stdout.write(cell.key + '\\n');
      }`;
    const payload = join(dir, 'payload.json');
    writeFileSync(payload, JSON.stringify([fixtureRun(), fixtureProvenance(model.hash), fixturePower(), fixtureSamples(SAMPLES)]));
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, payload], { stdio: ['ignore', 'pipe', 'inherit'] });
    const reported: string[] = [];
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    for await (const line of createInterface({ input: child.stdout })) {
      reported.push(line);
      if (reported.length === 5) child.kill('SIGKILL');
    }
    assert.equal(await exited, 'SIGKILL');

    const after = openStore(path);
    const cells = after.sweepCells('s1');
    const done = cells.filter((c) => c.state === 'done');
    assert.ok(reported.every((key) => done.some((c) => c.key === key)), 'every cell reported finished is done');
    assert.ok(done.length < cells.length, 'the kill landed before the sweep ended');
    for (const cell of done) {
      assert.equal(after.getRun(cell.runId!)!.report.vectors, 200);
      assert.equal(after.runPower(cell.runId!).samples.length, SAMPLES, `run of ${cell.key} has all its samples`);
    }
    const raw = (after as unknown as { db: import('better-sqlite3').Database }).db;
    assert.equal(raw.prepare('SELECT count(*) FROM runs').pluck().get(), done.length, 'no run without its finished cell');
    assert.equal(raw.prepare('SELECT count(*) FROM power_samples').pluck().get(), done.length * SAMPLES, 'no stray samples');
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    const interrupted = cells.filter((c) => c.state === 'running');
    assert.ok(interrupted.length <= 1);
    assert.equal(after.resetStaleCells('s1'), interrupted.length, "the killed worker's cell goes back to pending");
    assert.ok(after.sweepCells('s1').every((c) => c.state === 'done' || (c.state === 'pending' && (c.attempts === 0 || /^interrupted: worker .* stopped before finishing$/.test(c.error!)))));
    console.log(`# killed after ${reported.length} reported cells: ${done.length} done, ${interrupted.length} interrupted`);
    after.close();
  });
});
