import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, SCHEMA_VERSION } from '../../src/store/index.js';
import { APPLICATION_ID, migrate, MIGRATIONS } from '../../src/store/schema.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';

const TABLES = ['builds', 'models', 'power_samples', 'power_summaries', 'runs', 'simulations', 'sweep_cells', 'sweep_stages', 'sweeps'];

function tables(db: Database.Database): string[] {
  return db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
}

describe('store schema', () => {
  it('creates every table on an empty file with WAL, foreign keys and a busy timeout, and reopening changes nothing', () => {
    const path = join(tempDir(), 'gatebench.db');
    openStore(path).close();
    const raw = new Database(path);
    assert.deepEqual(tables(raw), TABLES);
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(raw.pragma('application_id', { simple: true }), APPLICATION_ID);
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    const schema = raw.prepare('SELECT group_concat(sql) FROM sqlite_master').pluck().get();
    raw.close();

    const store = openStore(path);
    const db = (store as unknown as { db: Database.Database }).db;
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 15_000);
    assert.equal(db.prepare('SELECT group_concat(sql) FROM sqlite_master').pluck().get(), schema);
    assert.deepEqual(migrate(db, path), [], 'no migration runs twice');
    store.close();
  });

  it('applies each migration once, in order, and rolls a failed one back', () => {
    const db = new Database(join(tempDir(), 'm.db'));
    const steps = ['CREATE TABLE a (x INTEGER)', 'INSERT INTO a VALUES (1)'];
    assert.deepEqual(migrate(db, 'm.db', steps), [1, 2]);
    assert.deepEqual(migrate(db, 'm.db', steps), []);
    assert.deepEqual(migrate(db, 'm.db', [...steps, 'INSERT INTO a VALUES (2)']), [3]);
    assert.deepEqual(db.prepare('SELECT x FROM a ORDER BY x').pluck().all(), [1, 2]);

    assert.throws(() => migrate(db, 'm.db', [...steps, 'INSERT INTO a VALUES (2)', 'INSERT INTO a VALUES (3); INSERT INTO nowhere VALUES (1)']), /no such table: nowhere/);
    assert.equal(db.pragma('user_version', { simple: true }), 3);
    assert.deepEqual(db.prepare('SELECT x FROM a ORDER BY x').pluck().all(), [1, 2], 'the failed migration left nothing behind');
    db.close();
  });

  it('migration 5 gives runs stored before it a latency kind: 0 cycles is no longer 0 ns, and the old rows stay readable', () => {
    const path = join(tempDir(), 'old.db');
    const old = new Database(path);
    migrate(old, path, MIGRATIONS.slice(0, 4));
    const insert = old.prepare(`INSERT INTO runs (board, virtual, port, baud, clock_hz, device_model_id, complete, vectors, answered, mismatches,
        accuracy, latency_cycles, latency_ns, critical_path_ns, report, gatebench_version, seeds, tools, provenance, created_at)
      VALUES (?, 1, '/dev/pts/3', 3000000, 12000000, 'd853638242154503', 1, 500, 500, 0, 0.564, ?, ?, ?, '{}', '0.1.0', '{}', '{}', '{}', ?)`);
    insert.run('virtual (icebreaker)', 0, 0, null, '2025-01-01T00:00:01.000Z'); // a combinational core on the RTL: no build
    insert.run('icebreaker', 0, 0, 51.9, '2025-01-01T00:00:02.000Z'); // a combinational core on a board: its build's critical path
    insert.run('virtual (icebreaker)', 5, 416.66, null, '2025-01-01T00:00:03.000Z'); // a pipelined core
    old.close();

    const store = openStore(path);
    const rows = store.resultRows();
    store.close();
    assert.deepEqual(rows.map((r) => [r.latencyKind, r.latencyNs, r.runSoftwareAccuracy, r.boardAccuracy]), [
      ['clocked', 416.66, null, 0.564],
      ['combinational', 51.9, null, 0.564],
      ['not-measured', null, null, 0.564],
    ]);
    assert.deepEqual(rows.map((r) => r.latencySource), [
      'device counter: 5 cycles at 12 MHz',
      'nextpnr critical path of the bitstream this run used (stored before latency kinds)',
      'stored before latency kinds: no build of the run to take a combinational delay from',
    ]);
  });

  it('migration 9 opens a database of builds stored before the head path was kept: head_path_ns is null, the rows stay readable', () => {
    const path = join(tempDir(), 'v8.db');
    const old = new Database(path);
    migrate(old, path, MIGRATIONS.slice(0, 8));
    const build = old.prepare(`INSERT INTO builds (hash, board, device, top, status, ok, message, placement_seed, target_mhz, lut4, fmax_mhz, critical_path_ns,
        build_seconds, cached, result, gatebench_version, seeds, tools, provenance, created_at, latency_cycles, pipeline_stages, pipeline)
      VALUES ('h', 'icebreaker', 'up5k', 'top', 'ok', 1, 'built', 1, 12, 900, 40, 25, 1, 0, '{}', '0.1.0', '{}', '{}', '{}', '2026-01-01T00:00:00.000Z', 2, 1, ?)`);
    const buildId = build.run(JSON.stringify({ cuts: { layers: [], head: [] }, search: { targetMHz: 12, met: true, tries: [] } })).lastInsertRowid;
    old.prepare(`INSERT INTO runs (build_id, board, virtual, port, baud, clock_hz, device_model_id, complete, vectors, answered, mismatches,
        report, gatebench_version, seeds, tools, provenance, created_at)
      VALUES (?, 'icebreaker', 0, '/dev/ttyUSB1', 3000000, 12000000, 'd', 1, 10, 10, 0, '{}', '0.1.0', '{}', '{}', '{}', '2026-01-01T00:00:01.000Z')`).run(buildId);
    old.close();

    const store = openStore(path);
    const [row] = store.resultRows();
    store.close();
    const raw = new Database(path, { readonly: true });
    assert.equal(raw.prepare('SELECT head_path_ns FROM builds').pluck().get(), null);
    raw.close();
    assert.deepEqual([row!.lut4, row!.criticalPathNs, row!.headPathNs, row!.latencyCycles], [900, 25, null, 2]);
    assert.equal(row!.pipelinePolicy, '--pipeline auto', 'the stored search says so');
  });

  it('refuses a database from a newer gatebench in one line', () => {
    const path = join(tempDir(), 'newer.db');
    openStore(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(
      () => openStore(path),
      (e: Error) => e instanceof UserError && !e.message.includes('\n') && e.message.includes(`schema version ${SCHEMA_VERSION + 1}`) && /newer gatebench/.test(e.message),
    );
  });

  it('refuses SQLite files of other programs and paths that are not databases', () => {
    const dir = tempDir();
    const foreign = join(dir, 'other.db');
    const raw = new Database(foreign);
    raw.exec('CREATE TABLE customers (id INTEGER)');
    raw.close();
    assert.throws(() => openStore(foreign), /other\.db: not a gatebench database \(it already has tables customers\)/);

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'these are not the tables you are looking for\n'.repeat(20));
    assert.throws(() => openStore(text), (e: Error) => e instanceof UserError && e.message === `${text}: not a SQLite database`);

    const folder = join(dir, 'folder.db');
    mkdirSync(folder);
    assert.throws(() => openStore(folder), /folder\.db: is a directory, expected a SQLite database file/);
    assert.throws(() => openStore(join(dir, 'missing', 'x.db')), /cannot create the database, .*missing is not a directory/);
    assert.throws(() => openStore(join(dir, 'absent.db'), { create: false }), /absent\.db: no such database/);
  });

  it('refuses a foreign SQLite file without changing a byte of it, whatever its user_version', () => {
    const dir = tempDir();
    const cases: [string, string, RegExp][] = [
      ['tables.db', 'CREATE TABLE customers (id INTEGER)', /tables\.db: not a gatebench database \(it already has tables customers\)/],
      ['versioned.db', 'CREATE TABLE customers (id INTEGER); PRAGMA user_version = 7', /versioned\.db: not a gatebench database/],
      ['bare-version.db', 'PRAGMA user_version = 7', /bare-version\.db: not a gatebench database \(user_version 7 and no gatebench application_id\)/],
      ['other-app.db', 'PRAGMA application_id = 1234', /other-app\.db: not a gatebench database \(SQLite application_id 1234/],
    ];
    for (const [name, sql, message] of cases) {
      const path = join(dir, name);
      const raw = new Database(path);
      raw.exec(sql);
      raw.close();
      const before = readFileSync(path);
      assert.throws(
        () => openStore(path),
        (e: Error) => e instanceof UserError && message.test(e.message) && !/newer gatebench/.test(e.message) && !e.message.includes('\n'),
        name,
      );
      assert.deepEqual(readFileSync(path), before, `${name} is unchanged (no WAL switch, no migration)`);
    }
  });
});
