import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { runAndStore, UnstoredRunError } from '../../src/app/run.js';
import { encodeSamples } from '../../src/data/encoding.js';
import { loadDataset } from '../../src/data/index.js';
import { openStore, SCHEMA_VERSION } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';
import { CLI } from '../store/fixtures.js';
import { runnableModel } from '../ui/fixtures.js';

const GARBAGE = 'these are not the tables you are looking for\n'.repeat(20);

describe('gatebench run refuses an unusable --db before any work, and keeps a run the store refuses at the end', () => {
  const dir = tempDir('gatebench-app-run-');
  /** The cache the runs build into: still absent after a refused run means nothing was built or simulated. */
  const cache = join(dir, 'cache');
  let model: ReturnType<typeof runnableModel>;
  before(() => {
    model = runnableModel(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const badDbs: { kind: string; make: (db: string) => void; error: RegExp; withoutPrivileges?: boolean }[] = [
    { kind: 'garbage', make: (db) => writeFileSync(db, GARBAGE), error: /: not a SQLite database$/ },
    {
      kind: 'corrupt',
      make: (db) => {
        openStore(db).close();
        // Page 1's b-tree (the schema table) overwritten: the header still says SQLite.
        const fd = openSync(db, 'r+');
        writeSync(fd, Buffer.alloc(200, 0xa5), 0, 200, 100);
        closeSync(fd);
      },
      error: /: the SQLite database is corrupt \(database disk image is malformed\)$/,
    },
    {
      kind: 'from a newer gatebench',
      make: (db) => {
        openStore(db).close();
        const raw = new Database(db);
        raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
        raw.close();
      },
      error: new RegExp(`: written by a newer gatebench \\(database schema version ${SCHEMA_VERSION + 1}, `),
    },
    {
      kind: 'read-only',
      make: (db) => {
        openStore(db).close();
        chmodSync(db, 0o444);
      },
      error: /: the database is not writable \(no write permission on .*read-only\.db\)$/,
      // Root writes anything: with every capability dropped, file permissions bind root as they bind anyone.
      withoutPrivileges: process.getuid?.() === 0,
    },
  ];

  for (const bad of badDbs) {
    it(`--db ${bad.kind}: one line naming the database, exit 2, nothing built or run`, async () => {
      const db = join(dir, `${bad.kind.replace(/ /g, '-')}.db`);
      bad.make(db);
      const before = readFileSync(db);
      const argv = [process.execPath, CLI, 'run', model.path, '--board', 'virtual', '--limit', '50', '--db', db];
      const [file, ...args] = bad.withoutPrivileges ? ['setpriv', '--inh-caps=-all', '--bounding-set=-all', ...argv] : argv;
      const r = await execa(file!, args, { reject: false, env: { GATEBENCH_CACHE: cache } });
      assert.equal(r.exitCode, 2, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0]!.startsWith(`gatebench: ${db}: `), lines[0]);
      assert.match(lines[0]!, bad.error);
      assert.equal(existsSync(cache), false, `the refused run built into the cache: ${existsSync(cache) ? readdirSync(cache).join(', ') : ''}`);
      assert.deepEqual(readFileSync(db), before, 'the refused database is left as it was');
    });
  }

  it('a database that fails at the end: the run is kept in run-<time>.json beside it, named in the error', async () => {
    const db = join(dir, 'late', 'runs.db');
    mkdirSync(dirname(db));
    const data = encodeSamples(model.model.encoding, loadDataset(model.model.dataset!.spec).test);
    let clobbered = false;
    const error = await runAndStore({
      model: model.model,
      path: model.path,
      db,
      run: {
        data,
        board: 'virtual',
        limit: 200,
        cacheDir: cache,
        // Another program overwrites the database while the board runs (checked fine before the run).
        onProgress: () => {
          if (clobbered) return;
          clobbered = true;
          writeFileSync(db, GARBAGE);
        },
      },
    }).then(
      () => assert.fail('the run was stored in a garbage database'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UnstoredRunError, String(error));
    assert.ok(clobbered);
    const kept = readdirSync(dirname(db)).filter((f) => /^run-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/.test(f));
    assert.equal(kept.length, 1, readdirSync(dirname(db)).join(', '));
    const file = join(dirname(db), kept[0]!);
    assert.equal(error.file, file);
    assert.equal(error.message, `the run could not be stored (${db}: not a SQLite database); the run is kept in ${file}`);
    const content = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(content.db, db);
    assert.deepEqual(content.model, { hash: model.model.hash, path: model.path });
    assert.equal(content.report.answered, 200);
    assert.equal(content.report.complete, true);
    assert.equal(content.report.mismatches, 0);
    assert.deepEqual(content.report, JSON.parse(JSON.stringify(error.report)));
    assert.ok(existsSync(cache), 'the run built its virtual board into the cache (what the refused runs never reached)');
  });
});
