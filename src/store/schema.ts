import type Database from 'better-sqlite3';
import { UserError } from '../util/errors.js';

/** 'gbch' in PRAGMA application_id: marks a SQLite file as a gatebench store. */
export const APPLICATION_ID = 0x67626368;

/**
 * The schema, one migration per version: migration i (0-based) takes the database from
 * PRAGMA user_version i to i + 1. Never edit a released migration; append a new one.
 *
 * Provenance is kept whole as JSON (`provenance`) with the fields one filters on as columns
 * (gatebench_version, git_revision, board, model_hash, seeds, tools). Every result row keeps its
 * source record whole as JSON beside the figures, so nothing is lost when a column is missing.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE models (
    hash TEXT PRIMARY KEY,
    path TEXT,
    input_bits INTEGER NOT NULL,
    classes INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    widths TEXT NOT NULL,              -- JSON array of layer widths
    final_width INTEGER NOT NULL,
    gates INTEGER NOT NULL,
    live_gates INTEGER,
    tau REAL NOT NULL,
    wiring TEXT NOT NULL,
    encoding TEXT NOT NULL,            -- JSON
    dataset TEXT,                      -- dataset spec, e.g. 'mnist'
    dataset_hash TEXT,
    training_seed INTEGER,
    training TEXT,                     -- JSON TrainingInfo
    relaxed_test_accuracy REAL,
    discrete_test_accuracy REAL,
    discrete_train_accuracy REAL,
    added_at TEXT NOT NULL
  );

  CREATE TABLE builds (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,                -- the flow's content hash (cache key)
    model_hash TEXT REFERENCES models(hash),
    board TEXT NOT NULL,
    device TEXT NOT NULL,
    top TEXT NOT NULL,
    status TEXT NOT NULL,
    ok INTEGER NOT NULL,
    message TEXT NOT NULL,
    placement_seed INTEGER NOT NULL,
    target_mhz REAL NOT NULL,
    lut4 INTEGER, carry INTEGER, dff INTEGER, bram INTEGER,
    logic_cells INTEGER, logic_cells_available INTEGER,
    fmax_mhz REAL,
    critical_path_ns REAL, critical_logic_ns REAL, critical_routing_ns REAL, logic_levels INTEGER,
    icetime_mhz REAL,
    build_seconds REAL NOT NULL,
    cached INTEGER NOT NULL,
    result TEXT NOT NULL,              -- JSON BuildResult
    log TEXT,
    gatebench_version TEXT NOT NULL, git_revision TEXT, seeds TEXT NOT NULL, tools TEXT NOT NULL,
    provenance TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX builds_model ON builds(model_hash);

  CREATE TABLE simulations (
    id INTEGER PRIMARY KEY,
    model_hash TEXT REFERENCES models(hash),
    build_id INTEGER REFERENCES builds(id),
    design_hash TEXT,
    simulator TEXT NOT NULL,
    level TEXT NOT NULL,
    vectors INTEGER NOT NULL,
    mismatches INTEGER NOT NULL,
    vectors_per_second REAL NOT NULL,
    cycles_per_inference INTEGER,
    report TEXT NOT NULL,              -- JSON
    gatebench_version TEXT NOT NULL, git_revision TEXT, board TEXT, seeds TEXT NOT NULL, tools TEXT NOT NULL,
    provenance TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX simulations_model ON simulations(model_hash);

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    model_hash TEXT REFERENCES models(hash),
    build_id INTEGER REFERENCES builds(id),
    board TEXT NOT NULL,
    virtual INTEGER NOT NULL,
    level TEXT,
    port TEXT NOT NULL,
    baud INTEGER NOT NULL,
    clock_hz INTEGER NOT NULL,
    device_model_id TEXT NOT NULL,
    complete INTEGER NOT NULL,
    error TEXT,
    vectors INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    mismatches INTEGER NOT NULL,
    accuracy REAL,
    latency_cycles INTEGER,
    latency_ns REAL,
    critical_path_ns REAL,
    host_rtt_p50_ms REAL,
    throughput_vps REAL,               -- by the device clock when known, else wall clock
    wall_vps REAL,
    device_vps REAL,
    theoretical_vps REAL,
    report TEXT NOT NULL,              -- JSON RunReport
    gatebench_version TEXT NOT NULL, git_revision TEXT, seeds TEXT NOT NULL, tools TEXT NOT NULL,
    provenance TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX runs_model ON runs(model_hash);

  CREATE TABLE power_summaries (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    monitor TEXT NOT NULL,
    target TEXT NOT NULL,
    description TEXT NOT NULL,
    idle_w REAL, load_w REAL, dynamic_w REAL, stream_w REAL,
    energy_per_inference_j REAL, stream_energy_per_inference_j REAL,
    est_idle_w REAL, est_load_w REAL, est_dynamic_w REAL,
    est_energy_per_inference_j REAL, est_stream_energy_per_inference_j REAL,
    summary TEXT NOT NULL              -- JSON PowerSummary (windows, problems)
  );

  -- Clustered by (run, time): reading one run's samples in time order is a range scan.
  CREATE TABLE power_samples (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    t REAL NOT NULL,
    seq INTEGER NOT NULL,              -- insertion order, tells equal times apart
    volts REAL NOT NULL,
    amps REAL NOT NULL,
    watts REAL NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('idle', 'load', 'stream', 'other')),
    PRIMARY KEY (run_id, t, seq)
  ) WITHOUT ROWID;

  CREATE TABLE sweeps (
    id TEXT PRIMARY KEY,
    spec_hash TEXT NOT NULL UNIQUE,
    spec TEXT NOT NULL,                -- JSON
    created_at TEXT NOT NULL
  );

  CREATE TABLE sweep_cells (
    id INTEGER PRIMARY KEY,
    sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    width INTEGER NOT NULL,
    final_width INTEGER NOT NULL,
    params TEXT NOT NULL,              -- JSON, the cell's own settings beyond the grid
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    worker TEXT,                       -- host:pid of the claimer
    started_at TEXT,
    finished_at TEXT,
    model_hash TEXT REFERENCES models(hash),
    build_id INTEGER REFERENCES builds(id),
    simulation_id INTEGER REFERENCES simulations(id),
    run_id INTEGER REFERENCES runs(id),
    UNIQUE (sweep_id, key)
  );
  CREATE INDEX sweep_cells_state ON sweep_cells(sweep_id, state, position);
  CREATE INDEX sweep_cells_run ON sweep_cells(run_id);
  `,
  // 2: the stage a running cell is in, for live views (the TUI's sweep grid and pipeline).
  `
  ALTER TABLE sweep_cells ADD COLUMN stage TEXT;
  ALTER TABLE sweep_cells ADD COLUMN stage_detail TEXT;
  ALTER TABLE sweep_cells ADD COLUMN stage_at TEXT;
  `,
  // 3: the LUT4 of a build's popcount head synthesised alone, to split the final-layer effect.
  `
  ALTER TABLE builds ADD COLUMN head_lut4 INTEGER;
  `,
  // 4: what a build could not do without failing (a failed icetime cross-check), JSON array of lines;
  // NULL for builds stored before this column existed.
  `
  ALTER TABLE builds ADD COLUMN warnings TEXT;
  `,
  // 5: what a run's latency is (clocked: cycles x clock period; combinational: a build's critical
  // path; not-measured) and where it comes from, and the software model's accuracy on the vectors
  // the board answered. Runs stored before kept the device's count of 0 cycles as 0 ns for a
  // combinational core: their latency becomes the build's critical path when the run made a build,
  // else not measured (each report JSON stays as it was stored).
  `
  ALTER TABLE runs ADD COLUMN latency_kind TEXT CHECK (latency_kind IN ('clocked', 'combinational', 'not-measured'));
  ALTER TABLE runs ADD COLUMN latency_source TEXT;
  ALTER TABLE runs ADD COLUMN software_accuracy REAL;
  UPDATE runs SET
    latency_kind = CASE WHEN latency_cycles > 0 THEN 'clocked' WHEN critical_path_ns IS NOT NULL THEN 'combinational' ELSE 'not-measured' END,
    latency_source = CASE
      WHEN latency_cycles > 0 THEN 'device counter: ' || latency_cycles || CASE WHEN latency_cycles = 1 THEN ' cycle' ELSE ' cycles' END || ' at ' || printf('%g', clock_hz / 1e6) || ' MHz'
      WHEN critical_path_ns IS NOT NULL THEN 'nextpnr critical path of the bitstream this run used (stored before latency kinds)'
      ELSE 'stored before latency kinds: no build of the run to take a combinational delay from' END,
    latency_ns = CASE WHEN latency_cycles > 0 THEN latency_ns ELSE critical_path_ns END;
  `,
  // 6: where an imported model came from (framework and version, exporter and version), JSON
  // ModelOrigin; NULL for gatebench's own models and for models stored before imports.
  `
  ALTER TABLE models ADD COLUMN origin TEXT;
  `,
  // 7: distributed sweeps. Each stage result a coordinator
  // stored, keyed by (sweep, cell, stage), so a retried or duplicated job never adds a second row;
  // and the queue worker running a cell's current stage, for live views.
  `
  ALTER TABLE sweep_cells ADD COLUMN queue_worker TEXT;
  CREATE TABLE sweep_stages (
    sweep_id TEXT NOT NULL,
    cell_key TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('train', 'check', 'build', 'run')),
    worker TEXT NOT NULL,              -- the queue worker's name
    attempt INTEGER NOT NULL,
    result TEXT,                       -- the stored row: a model hash or a simulation, build, run id
    artifact TEXT,                     -- sha256 of what the stage handed on (the model file), if any
    enqueued_at TEXT, started_at TEXT,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (sweep_id, cell_key, stage),
    FOREIGN KEY (sweep_id, cell_key) REFERENCES sweep_cells(sweep_id, key) ON DELETE CASCADE
  ) WITHOUT ROWID;
  `,
  // 8: where a build's pipeline registers are and what they cost: the core's latency in cycles
  // (in_valid to out_valid), its register-to-register stages, and as JSON the cuts and, for
  // --pipeline auto, every build the search tried (BuildPipeline). NULL for builds stored before.
  `
  ALTER TABLE builds ADD COLUMN latency_cycles INTEGER;
  ALTER TABLE builds ADD COLUMN pipeline_stages INTEGER;
  ALTER TABLE builds ADD COLUMN pipeline TEXT;
  `,
  // 9: how much of the build's critical path (critical_path_ns) runs through the head, the popcounts
  // and the argmax, ns, read from nextpnr's path when the build ran. NULL for builds stored before
  // and for builds without a placed design.
  `
  ALTER TABLE builds ADD COLUMN head_path_ns REAL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Whether a SQLite file is gatebench's, read without writing anything: gatebench marks its files
 * with APPLICATION_ID in the same transaction as their first migration, so a file is either a
 * gatebench store (the id; its user_version is then our schema version) or a new, empty file (no
 * id, no version, no tables). Anything else is refused as it is, whatever its user_version says.
 * Returns the schema version found.
 */
export function checkIdentity(db: Database.Database, source: string, known: number = MIGRATIONS.length): number {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (appId === APPLICATION_ID) {
    if (version > known) {
      throw new UserError(`${source}: written by a newer gatebench (database schema version ${version}, this gatebench knows up to ${known}); upgrade gatebench or use another --db`);
    }
    return version;
  }
  if (appId !== 0) throw new UserError(`${source}: not a gatebench database (SQLite application_id ${appId}, gatebench's is ${APPLICATION_ID})`);
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 3`).pluck().all() as string[];
  if (tables.length > 0) throw new UserError(`${source}: not a gatebench database (it already has tables ${tables.join(', ')})`);
  if (version !== 0) throw new UserError(`${source}: not a gatebench database (user_version ${version} and no gatebench application_id)`);
  return 0;
}

/**
 * Bring a database up to the last migration. Each migration runs once, in its own IMMEDIATE
 * transaction together with the user_version bump, so two processes opening a new file at the same
 * time cannot both apply it, and a failed migration leaves the previous version intact.
 * Returns the versions applied.
 */
export function migrate(db: Database.Database, source: string, migrations: readonly string[] = MIGRATIONS): number[] {
  const userVersion = (): number => db.pragma('user_version', { simple: true }) as number;
  const found = checkIdentity(db, source, migrations.length);
  const applied: number[] = [];
  for (let version = found + 1; version <= migrations.length; version++) {
    db.transaction(() => {
      // Another process may have migrated between our read and the write lock.
      if (userVersion() >= version) return;
      db.exec(migrations[version - 1]!);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${version}`);
      applied.push(version);
    }).immediate();
  }
  return applied;
}
