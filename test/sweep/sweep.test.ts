import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { openStore } from '../../src/store/index.js';
import { planCells, parseFinalWidths, type SweepSpec } from '../../src/sweep/spec.js';
import { tempDir } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

describe('sweep grid', () => {
  it('plans depth x width x final width in order, "same" and duplicates as one cell, wider final layers skipped', () => {
    const cells = planCells({ grid: { depth: [2, 3], width: [20, 40], finalWidth: parseFinalWidths('10,20,same,80') } }, 10);
    assert.deepEqual(
      cells.map((c) => c.key),
      ['d2-w20-f10', 'd2-w20-f20', 'd2-w40-f10', 'd2-w40-f20', 'd2-w40-f40', 'd3-w20-f10', 'd3-w20-f20', 'd3-w40-f10', 'd3-w40-f20', 'd3-w40-f40'],
    );
    assert.deepEqual(cells[2]!.widths, [40, 10]);
    assert.deepEqual(cells[7]!.widths, [40, 40, 10]);
  });

  it('refuses a final width the classes do not divide, and bad lists, in one line', () => {
    assert.throws(() => planCells({ grid: { depth: [2], width: [40], finalWidth: [25] } }, 10), /--final-width: 25 is not divisible by the 10 classes/);
    assert.throws(() => parseFinalWidths('10,wide'), /--final-width: expected positive integers or 'same', got 'wide'/);
  });
});

/** Rows of a table, straight from SQLite (the store's own API is what is under test). */
function count(db: string, sql: string): number {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare(sql).pluck().get() as number) ?? 0;
  } finally {
    d.close();
  }
}

describe('gatebench sweep (3 x 3 x 2 on the virtual board, killed and resumed)', () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = tempDir('gatebench-sweep-');
    db = join(dir, 'sweep.db');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // iCEstick (1,280 logic cells): the 1500-wide full-width cells do not fit; the narrow ones do.
  const args = () => [
    CLI, 'sweep', '--depth', '2,3,4', '--width', '20,40,1500', '--final-width', '10,same',
    '--crop', '8', '--iterations', '30', '--vectors', '100', '--board', 'icestick', '--power', 'none',
    '--jobs', '2', '--db', db, '--report', join(dir, 'report.html'),
  ];

  it('survives being killed mid-sweep and, resumed, finishes every cell once: measured or a recorded failed build', { timeout: 1_500_000 }, async () => {
    const first = spawn(process.execPath, args(), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    first.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Kill the sweep (SIGKILL: no clean-up of its own) once three cells are stored.
    const until = Date.now() + 900_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      if (existsSync(db) && count(db, "SELECT count(*) FROM sweep_cells WHERE state = 'done'") >= 3) break;
      assert.ok(first.exitCode === null, `the sweep ended before it was killed: ${stderr}`);
      assert.ok(Date.now() < until, 'no cell finished in time');
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const doneBefore = new Database(db, { readonly: true }).prepare("SELECT key, finished_at FROM sweep_cells WHERE state = 'done'").all() as { key: string; finished_at: string }[];
    assert.ok(doneBefore.length >= 3 && doneBefore.length < 18, `${doneBefore.length} cells done before the kill`);

    // The workers notice and end (with the tools they started) instead of finishing the sweep alone.
    await new Promise((r) => setTimeout(r, 3000));
    const running = count(db, "SELECT count(*) FROM sweep_cells WHERE state = 'done'");
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(count(db, "SELECT count(*) FROM sweep_cells WHERE state = 'done'"), running, 'nothing finishes after the kill');

    const resumed = await execa(process.execPath, [...args(), '--json'], { reject: false });
    assert.equal(resumed.exitCode, 0, resumed.stderr);
    const out = JSON.parse(resumed.stdout);
    assert.equal(out.created, false, 'the same command resumes the same sweep');
    assert.equal(out.sweep.cells.total, 18);
    assert.equal(out.sweep.cells.done, 18, JSON.stringify(out.rows.filter((r: { state: string }) => r.state !== 'done').map((r: { cell: string; error: string }) => [r.cell, r.error])));
    assert.equal(out.rows.length, 18);

    // Cells finished before the kill were skipped, not run again.
    const store = openStore(db, { create: false });
    try {
      const cells = store.sweepCells(out.sweep.id);
      for (const d of doneBefore) assert.equal(cells.find((c) => c.key === d.key)!.finishedAt, d.finished_at, `${d.key} untouched`);
      const rows = store.resultRows({ sweep: out.sweep.id });
      let measured = 0;
      let failedBuilds = 0;
      for (const r of rows) {
        assert.ok(r.buildStatus !== null, `${r.cell} has a build result`);
        if (r.buildStatus === 'ok' || r.buildStatus === 'timing-failed') {
          assert.ok(r.runId !== null, `${r.cell} built and was run`);
          assert.equal(r.mismatches, 0, `${r.cell}: bit-exact on the virtual board`);
          assert.equal(r.vectors, 100);
          // The head's share of the critical path, read from nextpnr's report when the worker built it.
          assert.ok(r.headPathNs !== null && r.headPathNs >= 0 && r.headPathNs <= r.criticalPathNs!, `${r.cell}: head path ${r.headPathNs} of ${r.criticalPathNs} ns`);
          measured++;
        } else {
          assert.equal(r.runId, null, `${r.cell}: a failed build is not run`);
          failedBuilds++;
        }
      }
      assert.ok(measured >= 12, `${measured} measured`);
      assert.ok(failedBuilds >= 1, 'the 1500-wide full-width cells do not fit the iCEstick and are recorded as such');
      assert.ok(rows.some((r) => r.buildStatus === 'does-not-fit'));
    } finally {
      store.close();
    }
    // No duplicate or lost rows: every result row belongs to exactly one cell.
    for (const [table, column] of [['builds', 'build_id'], ['simulations', 'simulation_id'], ['runs', 'run_id']] as const) {
      assert.equal(count(db, `SELECT count(*) FROM ${table}`), count(db, `SELECT count(DISTINCT ${column}) FROM sweep_cells WHERE ${column} IS NOT NULL`), `${table}: one row per cell`);
    }
    assert.equal(count(db, 'SELECT count(*) FROM sweep_cells'), 18);

    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /Narrowing the final layer from full width/);
    assert.match(html, /does not fit/i);

    // The report command gives the final-layer effect as measured percentages.
    const report = await execa(process.execPath, [CLI, 'report', '--db', db, '--out', join(dir, 'again.html'), '--json']);
    const r = JSON.parse(report.stdout);
    assert.equal(r.cells, 18);
    assert.ok(r.effect.length >= 1);
    assert.match(r.effect[0], /changed LUT4 by [-+]\d+(\.\d)?%/);
    const none = await execa(process.execPath, [CLI, 'report', '--db', db, '--sweep', 'nope', '--out', join(dir, 'x.html')], { reject: false });
    assert.equal(none.exitCode, 2);
    assert.match(none.stderr, /--sweep: no sweep 'nope'/);
  });
});

describe('gatebench sweep --pnr-budget', () => {
  let dir: string;
  before(() => (dir = tempDir('gatebench-sweep-budget-')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('records a cell whose place and route outlasts the budget as a failed build with the reason, and keeps the budget for a resume', { timeout: 600_000 }, async () => {
    const db = join(dir, 'sweep.db');
    // 0.0001 minutes (6 ms): nextpnr is stopped before it has placed anything.
    const r = await execa(process.execPath, [
      CLI, 'sweep', '--depth', '2', '--width', '20', '--crop', '8', '--iterations', '10', '--board', 'icestick', '--run-on', 'none',
      '--pipeline', '0', '--pnr-budget', '0.0001', '--db', db, '--report', join(dir, 'report.html'), '--json',
    ], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.sweep.cells.done, 1);
    const store = openStore(db, { create: false });
    try {
      const [row] = store.resultRows({ sweep: out.sweep.id });
      assert.equal(row!.buildStatus, 'placement-failed');
      assert.equal(row!.runId, null);
      assert.equal((store.getSweep(out.sweep.id)!.spec as SweepSpec).pnrBudgetMinutes, 0.0001);
    } finally {
      store.close();
    }
    const bad = await execa(process.execPath, [CLI, 'sweep', '--depth', '2', '--width', '20', '--pnr-budget', 'soon', '--db', join(dir, 'other.db')], { reject: false });
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /--pnr-budget: expected a positive number, got 'soon'/);
    assert.equal(existsSync(join(dir, 'other.db')), false, 'a refused sweep leaves no database behind');
    const lost = await execa(process.execPath, [CLI, 'sweep', '--resume', 'nope', '--db', join(dir, 'missing.db')], { reject: false });
    assert.equal(lost.exitCode, 2);
    assert.match(lost.stderr, /missing\.db: no such database/);
    assert.equal(existsSync(join(dir, 'missing.db')), false);
  });
});
