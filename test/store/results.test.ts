import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { execa } from 'execa';
import { buildBitstream, type BuildResult } from '../../src/flow/index.js';
import { RESULT_TABLE } from '../../src/app/resultsTable.js';
import { openStore, RESULT_COLUMNS, type ResultRow } from '../../src/store/index.js';
import { COUNTER, writeVerilog } from '../flow/verilog.js';
import { tempDir } from '../helpers.js';
import { CLI, fixtureModel, fixturePower, fixtureProvenance, fixtureRun } from './fixtures.js';

async function gatebench(args: string[], o: { withoutPrivileges?: boolean; stripFinalNewline?: boolean } = {}) {
  const { withoutPrivileges, ...options } = o;
  const argv = [process.execPath, CLI, 'results', ...args];
  // Root writes anything: with every capability dropped (same uid, so a checkout in a private
  // directory stays readable), file permissions bind root as they bind anyone.
  const [file, ...rest] = withoutPrivileges ? ['setpriv', '--inh-caps=-all', '--bounding-set=-all', ...argv] : argv;
  return execa(file!, rest, { reject: false, ...options });
}

/** RFC 4180: records end in CRLF; a quoted field may hold commas, CRLF and doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      for (i++; ; i++) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') field += text[i++];
        else if (text[i] === '"') break;
        else field += text[i];
      }
      i++;
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '\n' || text[i] === '"') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else throw new Error(`expected , or CRLF at ${i}`);
  }
  return records;
}

const ERROR = 'synthesis failed: src/0-top.v:2: ERROR: syntax error, unexpected ";"\nsecond line';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('gatebench results', () => {
  const dir = tempDir();
  const db = join(dir, 'gatebench.db');
  let build: BuildResult;

  before(async () => {
    build = await buildBitstream({ verilogFiles: [writeVerilog(dir, 'counter.v', COUNTER)], top: 'top', board: 'icebreaker' });
    const store = openStore(db);
    const model = fixtureModel(1, [40, 20]);
    const other = fixtureModel(2, [30, 30, 20]);
    store.addModel(model);
    store.addModel(other);
    const spec = { grid: { depth: [2], width: [40], finalWidth: [20, 10, 40] }, board: 'icebreaker' };
    const cells = [20, 10, 40].map((f) => ({ key: `d2-w40-f${f}`, depth: 2, width: 40, finalWidth: f }));
    store.createSweep(spec, cells);
    const done = store.claimCell('s1')!;
    const headPathNs = build.figures.criticalPath!.totalNs / 4;
    const buildId = store.addBuild(build, fixtureProvenance(model.hash), { headLut4: Math.round(build.figures.lut4! / 2), headPathNs, pipeline: { latencyCycles: 3, stages: 2, cuts: { layers: [], head: ['sums'] }, search: null } });
    const runId = store.addRun(fixtureRun({ mismatches: 2 }), fixtureProvenance(model.hash), { buildId, power: { summary: fixturePower() } });
    store.finishCell(done.id, { modelHash: model.hash, buildId, runId });
    await sleep(5);
    const failed = store.claimCell('s1')!;
    store.failCell(failed.id, ERROR);
    await sleep(5);
    store.createSweep({ ...spec, board: 'icestick' }, cells.slice(2));
    await sleep(5);
    const stopped = fixtureRun({ complete: false, error: 'device stopped answering' });
    const combinational = { kind: 'combinational', source: 'nextpnr critical path (register to register, 14 logic levels) of build 0123456789ab: the bitstream this run used (icebreaker)', cycles: null, ns: 39.114 } as const;
    store.addRun({ ...stopped, latency: { ...stopped.latency, ...combinational } }, fixtureProvenance(other.hash));
    store.close();
  });

  it('--json: every sweep cell and every run outside a sweep, newest first, with the linked figures', async () => {
    const r = await gatebench(['--db', db, '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const { rows } = JSON.parse(r.stdout) as { rows: ResultRow[] };
    assert.deepEqual(rows.map((x) => (x.kind === 'cell' ? `${x.sweep}/${x.cell}` : `run:${x.state}`)), ['run:failed', 's2/d2-w40-f40', 's1/d2-w40-f10', 's1/d2-w40-f20', 's1/d2-w40-f40']);
    assert.ok(rows.every((x, i) => i === 0 || rows[i - 1]!.at >= x.at));

    const cell = rows.find((x) => x.cell === 'd2-w40-f20')!;
    assert.equal(cell.state, 'done');
    assert.deepEqual(cell.widths, [40, 20]);
    assert.equal(cell.gates, 60);
    assert.ok(cell.liveGates !== null && cell.liveGates <= 60);
    assert.equal(cell.softwareAccuracy, 0.685);
    assert.equal(cell.boardAccuracy, 0.68);
    assert.equal(cell.runSoftwareAccuracy, 0.69, 'the software model on the vectors the board ran');
    assert.equal(cell.buildStatus, 'ok');
    assert.deepEqual(cell.buildWarnings, []);
    assert.equal(cell.lut4, build.figures.lut4);
    assert.equal(cell.dff, build.figures.dff);
    assert.equal(cell.logicCells, build.figures.logicCells!.used);
    assert.equal(cell.fmaxMHz, build.figures.fmaxMHz);
    assert.equal(cell.criticalPathNs, build.figures.criticalPath!.totalNs);
    assert.deepEqual([cell.latencyCycles, cell.pipelineStages, cell.pipelineCuts], [3, 2, 'head: sums'], "the core's latency, stages and cuts");
    assert.equal(cell.pipelinePolicy, '--pipeline 0 --head-pipeline 1', 'fixed cuts of a 2-layer model, named by their flags');
    assert.equal(cell.headPathNs, build.figures.criticalPath!.totalNs / 4);
    assert.equal(RESULT_TABLE.find((c) => c.header === 'head% LUT/path')!.text(cell), `${Math.round((Math.round(build.figures.lut4! / 2) / build.figures.lut4!) * 100)}/25`);
    assert.ok(Math.abs(cell.latencyAtFmaxNs! - 3000 / build.figures.fmaxMHz!) < 1e-9);
    assert.ok(Math.abs(cell.latencyAtClockNs! - 250) < 1e-9, '3 cycles at the 12 MHz target');
    assert.deepEqual(['cyc', 'stages', 'cyc ns@clk'].map((h) => RESULT_TABLE.find((c) => c.header === h)!.text(cell)), ['3', '2', '250.0']);
    assert.equal(cell.mismatches, 2);
    assert.equal(cell.latencyNs, 250);
    assert.equal(cell.latencyKind, 'clocked');
    assert.equal(cell.latencySource, 'device counter: 3 cycles at 12 MHz');
    assert.equal(cell.throughputVps, 500, 'by the device clock');
    assert.equal(cell.dynamicMw, 0.5);
    assert.ok(Math.abs(cell.nJPerInference! - 0.042) < 1e-12);
    assert.ok(Math.abs(cell.estDynamicMw! - 0.46) < 1e-12);

    const pending = rows.find((x) => x.sweep === 's1' && x.cell === 'd2-w40-f40')!;
    assert.equal(pending.state, 'pending');
    assert.deepEqual(pending.widths, [40, 40], 'from the grid point until a model exists');
    assert.equal(pending.buildStatus, null);
    assert.equal(pending.buildWarnings, null);
    assert.deepEqual([pending.latencyCycles, pending.pipelineCuts, pending.pipelinePolicy, pending.latencyAtFmaxNs, pending.headPathNs], [null, null, null, null, null]);
    const run = rows[0]!;
    assert.equal(run.error, 'device stopped answering');
    assert.deepEqual([run.latencyKind, run.latencyNs], ['combinational', 39.114]);
    assert.match(run.latencySource!, /^nextpnr critical path .* of build 0123456789ab/);
    const latencyColumn = RESULT_TABLE.find((c) => c.header === 'lat ns')!;
    assert.deepEqual([cell, run].map((r) => latencyColumn.text(r)), ['250.0 clk', '39.1 comb']);
    assert.equal(latencyColumn.text({ ...run, latencyKind: 'not-measured', latencyNs: null }), 'not measured');
    assert.deepEqual(run.widths, [30, 30, 20]);
    assert.equal(run.depth, 3);
  });

  it('--sweep: the cells of that sweep in grid order, pending and failed ones with their state and error', async () => {
    const r = await gatebench(['--db', db, '--sweep', 's1', '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const { rows } = JSON.parse(r.stdout) as { rows: ResultRow[] };
    assert.deepEqual(rows.map((x) => [x.cell, x.state, x.error]), [
      ['d2-w40-f20', 'done', null],
      ['d2-w40-f10', 'failed', ERROR],
      ['d2-w40-f40', 'pending', null],
    ]);
  });

  it('prints an aligned table', async () => {
    const r = await gatebench(['--db', db, '--sweep', 's1']);
    assert.equal(r.exitCode, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines.length, 4);
    const [header, done, failed, pending] = lines as [string, string, string, string];
    assert.match(header, /^sweep\/cell\s+state\s+depth\s+widths\s+gates\/live\s+acc sw \(split\)\s+acc board\s+acc sw \(same\)\s+build\s+LUT4\s+LC\s+DFF\s+Fmax MHz\s+crit ns/);
    // Numbers are right-aligned under their header.
    const lutEnd = header.indexOf('LUT4') + 4;
    assert.equal(done.slice(0, lutEnd).trimEnd().split(' ').at(-1), String(build.figures.lut4));
    assert.equal(done[lutEnd], ' ');
    // Right-aligned: a column's text ends where its header does.
    const under = (line: string, title: string): string => line.slice(0, header.indexOf(title) + title.length).split('  ').at(-1)!.trim();
    assert.equal(under(done, 'acc sw (split)'), '68.50%');
    assert.equal(under(done, 'acc board'), '68.00%');
    assert.equal(under(done, 'acc sw (same)'), '69.00%');
    assert.equal(under(done, 'lat ns'), '250.0 clk');
    assert.equal(under(pending, 'lat ns'), '-');
    assert.match(done, /^s1\/d2-w40-f20\s+done\s+2\s+40,20\s+60\/\d+\s/);
    assert.match(pending, /^s1\/d2-w40-f40\s+pending\s+2\s+40,40\s+-\s/);
    assert.ok(failed.endsWith('synthesis failed: src/0-top.v:2: ERROR: syntax error, unexpected ";" second line'), 'the error on one line');
  });

  it('--csv: RFC 4180 that parses back to the --json rows', async () => {
    const [csv, json] = await Promise.all([gatebench(['--db', db, '--csv'], { stripFinalNewline: false }), gatebench(['--db', db, '--json'])]);
    assert.equal(csv.exitCode, 0, csv.stderr);
    assert.ok(csv.stdout.endsWith('\r\n'));
    const [header, ...records] = parseCsv(csv.stdout);
    const { rows } = JSON.parse(json.stdout) as { rows: ResultRow[] };
    assert.deepEqual(header, [...RESULT_COLUMNS]);
    assert.deepEqual(new Set(RESULT_COLUMNS), new Set(Object.keys(rows[0]!)), 'one column per field');
    assert.equal(records.length, rows.length);
    records.forEach((record, i) => {
      const expected = RESULT_COLUMNS.map((k) => {
        const v = rows[i]![k];
        return v === null ? '' : Array.isArray(v) ? v.join(',') : String(v);
      });
      assert.deepEqual(record, expected);
    });
    assert.equal(records.find((x) => x[2] === 'd2-w40-f10')![4], ERROR, 'quotes, comma and line break survive');
  });

  it('fails in one line with exit code 2 on a bad --db or --sweep', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'not sqlite at all, just some text that is long enough to have a header\n');
    const cases: [string[], RegExp][] = [
      [['--db', folder], /folder: is a directory, expected a SQLite database file$/],
      [['--db', text], /notes\.db: not a SQLite database$/],
      [['--db', join(dir, 'nothing.db')], /nothing\.db: no such database/],
      [['--db', db, '--sweep', 's9'], /no sweep 's9'$/],
      [['--db', db, '--csv', '--json'], /give either --csv or --json/],
    ];
    for (const [args, message] of cases) {
      const r = await gatebench(args);
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trimEnd(), message);
    }
  });

  it('fails in one line with exit code 2 on a database it may not write', async () => {
    const shared = tempDir();
    const copy = join(shared, 'readonly.db');
    copyFileSync(db, copy);
    chmodSync(copy, 0o444);
    const r = await gatebench(['--db', copy], { withoutPrivileges: process.getuid?.() === 0 });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /readonly\.db: the database is not writable \(no write permission on .*readonly\.db\)/);
  });
});
