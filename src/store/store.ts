import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { RunReport } from '../device/run.js';
import type { BuildResult } from '../flow/build.js';
import { describeCuts, describePolicy, type PipelineCuts } from '../hdl/cuts.js';
import { buildLogicGraph } from '../hdl/graph.js';
import type { Model } from '../model/modelFile.js';
import { gateCount } from '../model/network.js';
import { hashKey } from '../util/cache.js';
import { UserError } from '../util/errors.js';
import type { Provenance } from './provenance.js';
import type {
  BuildPipeline,
  BuildRecord,
  BuildSummary,
  CellLinks,
  CellSpec,
  CellState,
  ModelRecord,
  PowerSampleRow,
  PowerSummary,
  ResultRow,
  RunPower,
  RunRecord,
  SimulationInput,
  SimulationRecord,
  SweepCell,
  SweepRecord,
  SweepStatus,
  StageRecord,
} from './records.js';
import { checkIdentity, migrate } from './schema.js';

export interface OpenOptions {
  /** Create the file when it does not exist (default true; `results` only reads an existing one). */
  readonly create?: boolean;
  /** How long a write waits for another process's write to finish (default 15 s). */
  readonly busyTimeoutMs?: number;
}

/** A build's stage logs kept in the store, per stage: the tail when a log is longer. */
const MAX_STAGE_LOG_BYTES = 1 << 20;

type Row = Record<string, unknown>;

const now = (): string => new Date().toISOString();
const json = (value: unknown): string => JSON.stringify(value);
const parsed = <T>(text: unknown): T => JSON.parse(text as string) as T;
const flag = (b: boolean): number => (b ? 1 : 0);
/** W -> mW and J -> nJ, keeping nulls. */
const scaled = (value: unknown, factor: number): number | null => (value === null || value === undefined ? null : (value as number) * factor);

/** This process as a sweep worker: host:pid, so a later process can tell whether it is still alive. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** Whether a worker is a process of this host that no longer exists (its cell was interrupted). */
function deadLocalWorker(worker: string | null): boolean {
  if (!worker) return false;
  const colon = worker.lastIndexOf(':');
  const pid = Number(worker.slice(colon + 1));
  if (worker.slice(0, colon) !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** SQLite's error for a bad file, as one line naming the file. */
function storeError(path: string, e: unknown): unknown {
  if (!(e instanceof Database.SqliteError)) return e;
  const code = e.code;
  if (code === 'SQLITE_NOTADB') return new UserError(`${path}: not a SQLite database`, { cause: e });
  if (code.startsWith('SQLITE_CORRUPT')) return new UserError(`${path}: the SQLite database is corrupt (${e.message})`, { cause: e });
  if (code.startsWith('SQLITE_CANTOPEN')) return new UserError(`${path}: cannot open the database (${e.message})`, { cause: e });
  if (code.startsWith('SQLITE_READONLY')) return new UserError(`${path}: the database is not writable (${e.message})`, { cause: e });
  if (code.startsWith('SQLITE_BUSY')) return new UserError(`${path}: the database stayed locked by another process (${e.message})`, { cause: e });
  return e;
}

function checkPath(path: string, create: boolean): void {
  let isFile: boolean | null = null;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UserError(`${path}: is a directory, expected a SQLite database file`);
    isFile = st.isFile();
  } catch (e) {
    if (e instanceof UserError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`${path}: cannot open the database (${(e as NodeJS.ErrnoException).code})`);
  }
  if (isFile === false) throw new UserError(`${path}: not a regular file, expected a SQLite database file`);
  if (isFile === null && !create) throw new UserError(`${path}: no such database (nothing has been stored there yet)`);
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${path}: cannot create the database, ${dir} is not a directory`);
  // SQLite would open a read-only file read-only without a word and fail at the first write;
  // the folder must be writable too, for the -wal and -shm files.
  for (const target of isFile ? [path, dir] : [dir]) {
    try {
      accessSync(target, constants.R_OK | constants.W_OK);
    } catch {
      throw new UserError(`${path}: the database is not writable (no write permission on ${target})`);
    }
  }
}

/**
 * Open (and create or migrate) a gatebench store: one SQLite file in WAL mode with foreign keys on
 * and a busy timeout, so several processes of a sweep can write to it at once. A bad path (a
 * directory, a file that is not SQLite, no write permission) or a database from a newer gatebench
 * is a UserError of one line.
 */
export function openStore(path: string, options: OpenOptions = {}): Store {
  checkPath(path, options.create ?? true);
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: !(options.create ?? true) });
  } catch (e) {
    throw storeError(path, e);
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 15_000}`);
    // Before anything that writes (WAL mode is a write to the file's header): a foreign file stays as it was.
    checkIdentity(db, path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
    return new Store(db, path);
  } catch (e) {
    db.close();
    throw storeError(path, e);
  }
}

const MODEL_SELECT = `SELECT hash, path, input_bits AS inputBits, classes, depth, widths, final_width AS finalWidth, gates, live_gates AS liveGates,
    tau, wiring, encoding, dataset, dataset_hash AS datasetHash, training, relaxed_test_accuracy AS relaxedTestAccuracy,
    discrete_test_accuracy AS discreteTestAccuracy, discrete_train_accuracy AS discreteTrainAccuracy, added_at AS addedAt, origin
  FROM models`;

function modelFrom(row: Row): ModelRecord {
  const { relaxedTestAccuracy, discreteTestAccuracy, discreteTrainAccuracy, widths, encoding, training, origin, ...rest } = row;
  return {
    ...(rest as unknown as ModelRecord),
    widths: parsed(widths),
    encoding: parsed(encoding),
    training: training === null ? null : parsed(training),
    origin: origin === null ? null : parsed(origin),
    metrics: { relaxedTestAccuracy, discreteTestAccuracy, discreteTrainAccuracy } as ModelRecord['metrics'],
  };
}

const CELL_COLUMNS = `id, sweep_id AS sweepId, key, position, depth, width, final_width AS finalWidth, params, state, error, attempts, worker,
  started_at AS startedAt, finished_at AS finishedAt, model_hash AS modelHash, build_id AS buildId, simulation_id AS simulationId, run_id AS runId,
  stage, stage_detail AS stageDetail, stage_at AS stageAt, queue_worker AS queueWorker`;
const STAGE_COLUMNS = `sweep_id AS sweepId, cell_key AS cellKey, stage, worker, attempt, result, artifact, enqueued_at AS enqueuedAt, started_at AS startedAt, finished_at AS finishedAt`;

function cellFrom(row: Row): SweepCell {
  return { ...(row as unknown as SweepCell), params: parsed(row['params']) };
}

/** Items of the results table: every sweep cell, and the runs no cell points to. */
const RESULT_ITEMS = `
  SELECT 'cell' AS kind, c.sweep_id AS sweep, c.key AS cell, c.state AS state, c.error AS error, c.attempts AS attempts,
         COALESCE(c.finished_at, c.started_at, s.created_at) AS at, c.id AS item_id, c.position AS position,
         c.depth AS depth, c.width AS width, c.final_width AS final_width,
         c.model_hash AS model_hash, c.build_id AS build_id, c.simulation_id AS simulation_id, c.run_id AS run_id
    FROM sweep_cells c JOIN sweeps s ON s.id = c.sweep_id
   WHERE @sweep IS NULL OR c.sweep_id = @sweep
  UNION ALL
  SELECT 'run', NULL, NULL, CASE WHEN r.complete THEN 'done' ELSE 'failed' END, r.error, NULL,
         r.created_at, r.id, NULL, NULL, NULL, NULL, r.model_hash, r.build_id, NULL, r.id
    FROM runs r
   WHERE @sweep IS NULL AND NOT EXISTS (SELECT 1 FROM sweep_cells c WHERE c.run_id = r.id)`;

const RESULT_SELECT = `
  WITH items AS (${RESULT_ITEMS})
  SELECT i.kind, i.sweep, i.cell, i.state, i.error, i.attempts, i.at, COALESCE(r.board, b.board) AS board,
         m.hash AS modelHash, b.id AS buildId, r.id AS runId,
         COALESCE(i.depth, m.depth) AS depth, COALESCE(i.width, json_extract(m.widths, '$[0]')) AS width,
         COALESCE(i.final_width, m.final_width) AS finalWidth, m.widths AS widths,
         m.gates AS gates, m.live_gates AS liveGates, m.discrete_test_accuracy AS softwareAccuracy, r.accuracy AS boardAccuracy,
         r.software_accuracy AS runSoftwareAccuracy,
         b.status AS buildStatus, b.message AS buildMessage, b.warnings AS buildWarnings, b.lut4, b.head_lut4 AS headLut4, b.carry, b.dff, b.logic_cells AS logicCells,
         b.logic_cells_available AS logicCellsAvailable, b.fmax_mhz AS fmaxMHz, b.critical_path_ns AS criticalPathNs,
         b.critical_logic_ns AS logicNs, b.critical_routing_ns AS routingNs, b.head_path_ns AS headPathNs,
         b.latency_cycles AS latencyCycles, b.pipeline_stages AS pipelineStages, json_extract(b.pipeline, '$.cuts') AS pipelineCuts,
         CASE WHEN b.pipeline IS NULL THEN NULL WHEN json_type(b.pipeline, '$.search') = 'object' THEN 1 ELSE 0 END AS pipelineSearched,
         b.latency_cycles * 1000.0 / b.fmax_mhz AS latencyAtFmaxNs, b.latency_cycles * 1000.0 / b.target_mhz AS latencyAtClockNs,
         COALESCE(r.vectors, sim.vectors) AS vectors, COALESCE(r.mismatches, sim.mismatches) AS mismatches,
         r.latency_ns AS latencyNs, r.latency_kind AS latencyKind, r.latency_source AS latencySource, r.throughput_vps AS throughputVps,
         p.idle_w, p.load_w, p.dynamic_w, p.energy_per_inference_j, p.est_idle_w, p.est_load_w, p.est_dynamic_w, p.est_energy_per_inference_j
    FROM items i
    LEFT JOIN runs r ON r.id = i.run_id
    LEFT JOIN builds b ON b.id = COALESCE(i.build_id, r.build_id)
    LEFT JOIN simulations sim ON sim.id = i.simulation_id
    LEFT JOIN models m ON m.hash = COALESCE(i.model_hash, r.model_hash, b.model_hash, sim.model_hash)
    LEFT JOIN power_summaries p ON p.run_id = r.id`;

/** A build's pipelining policy; fixed cuts need the model's layer count to be named as --pipeline P. */
function policyOf(cuts: PipelineCuts | null, searched: boolean, layerCount: number | null): string | null {
  if (cuts === null || (!searched && layerCount === null)) return null;
  return describePolicy(cuts, searched, layerCount ?? 0);
}

function resultRowFrom(row: Row): ResultRow {
  const { idle_w, load_w, dynamic_w, energy_per_inference_j, est_idle_w, est_load_w, est_dynamic_w, est_energy_per_inference_j, widths, buildWarnings, pipelineCuts, pipelineSearched, ...rest } = row;
  const r = rest as unknown as Omit<ResultRow, 'widths' | 'buildWarnings' | 'pipelineCuts' | 'pipelinePolicy'>;
  const cuts = pipelineCuts === null || pipelineCuts === undefined ? null : parsed<PipelineCuts>(pipelineCuts);
  // A cell not trained yet still has the widths its grid point asks for (as train --depth/--width/--final-width).
  const gridWidths = r.depth !== null && r.width !== null && r.finalWidth !== null ? Array.from({ length: r.depth }, (_, i) => (i === r.depth! - 1 ? r.finalWidth! : r.width!)) : null;
  return {
    ...r,
    widths: widths === null ? gridWidths : parsed<number[]>(widths),
    buildWarnings: buildWarnings === null ? null : parsed<string[]>(buildWarnings),
    pipelineCuts: cuts === null ? null : describeCuts(cuts),
    pipelinePolicy: policyOf(cuts, pipelineSearched === 1, r.depth),
    idleMw: scaled(idle_w, 1e3),
    loadMw: scaled(load_w, 1e3),
    dynamicMw: scaled(dynamic_w, 1e3),
    nJPerInference: scaled(energy_per_inference_j, 1e9),
    estIdleMw: scaled(est_idle_w, 1e3),
    estLoadMw: scaled(est_load_w, 1e3),
    estDynamicMw: scaled(est_dynamic_w, 1e3),
    estNJPerInference: scaled(est_energy_per_inference_j, 1e9),
  };
}

function sweepStatus(c: Record<CellState, number> & { total: number }): SweepStatus {
  if (c.done === c.total) return 'done';
  if (c.pending + c.running === 0) return 'failed';
  if (c.pending === c.total) return 'pending';
  return 'running';
}

/** The stages' logs of a build, read from its directory while it still exists. */
function readBuildLog(build: BuildResult): string | null {
  const parts = build.stages.flatMap((stage) => {
    const file = join(build.dir, stage.logFile);
    if (!existsSync(file)) return [];
    const text = readFileSync(file);
    const kept = text.length > MAX_STAGE_LOG_BYTES ? `[... ${text.length - MAX_STAGE_LOG_BYTES} bytes left out]\n${text.subarray(text.length - MAX_STAGE_LOG_BYTES).toString('utf8')}` : text.toString('utf8');
    return [`==> ${stage.stage}: ${stage.command.join(' ')}\n${kept}`];
  });
  return parts.length ? parts.join('\n') : null;
}

/** The provenance columns every result table has. */
function provenanceColumns(p: Provenance): Row {
  return { gatebench_version: p.gatebenchVersion, git_revision: p.gitRevision, seeds: json(p.seeds), tools: json(p.tools), provenance: json(p) };
}

/**
 * The results store. Every method that writes runs in one IMMEDIATE transaction (taking the write
 * lock up front, so concurrent writers wait for each other instead of failing); `atomically`
 * groups several calls into one. All SQL of gatebench lives in src/store.
 */
export class Store {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    /** The database file as given. */
    readonly path: string,
  ) {}

  close(): void {
    this.db.close();
  }

  /** Run fn in one transaction (a savepoint when already inside one): all of its writes or none. */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private sql(text: string): Database.Statement {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  private insert(table: string, values: Row): number {
    const names = Object.keys(values);
    const info = this.sql(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`).run(values);
    return Number(info.lastInsertRowid);
  }

  private requireModel(hash: string | null): void {
    if (hash !== null && !this.sql('SELECT 1 FROM models WHERE hash = ?').get(hash)) {
      throw new Error(`model ${hash} is not in the store ${this.path}: store it with addModel() first`);
    }
  }

  // ---- models ----

  /**
   * Store a model's summary under its hash (the model file itself stays where it is). Storing the
   * same model again only updates its path (and its origin, if it had none). Live gates (after dead-logic removal) are computed
   * unless given.
   */
  addModel(model: Model, o: { path?: string | null; liveGates?: number } = {}): string {
    const path = o.path ? resolve(o.path) : null;
    if (this.sql('SELECT 1 FROM models WHERE hash = ?').get(model.hash)) {
      const origin = model.origin ? json(model.origin) : null;
      if (path || origin) this.atomically(() => this.sql('UPDATE models SET path = COALESCE(?, path), origin = COALESCE(origin, ?) WHERE hash = ?').run(path, origin, model.hash));
      return model.hash;
    }
    const widths = model.architecture.widths;
    const liveGates = o.liveGates ?? buildLogicGraph(model.network).stats.liveGates;
    this.atomically(() =>
      this.sql(`INSERT INTO models (hash, path, input_bits, classes, depth, widths, final_width, gates, live_gates, tau, wiring, encoding,
          dataset, dataset_hash, training_seed, training, relaxed_test_accuracy, discrete_test_accuracy, discrete_train_accuracy, added_at, origin)
        VALUES (@hash, @path, @inputBits, @classes, @depth, @widths, @finalWidth, @gates, @liveGates, @tau, @wiring, @encoding,
          @dataset, @datasetHash, @trainingSeed, @training, @relaxed, @discreteTest, @discreteTrain, @addedAt, @origin)
        ON CONFLICT (hash) DO UPDATE SET path = COALESCE(excluded.path, models.path)`).run({
        hash: model.hash,
        path,
        inputBits: model.network.inputBits,
        classes: model.network.classes,
        depth: widths.length,
        widths: json(widths),
        finalWidth: widths[widths.length - 1]!,
        gates: gateCount(model.network),
        liveGates,
        tau: model.architecture.tau,
        wiring: model.architecture.wiring,
        encoding: json(model.encoding),
        dataset: model.dataset?.spec ?? null,
        datasetHash: model.dataset?.hash ?? null,
        trainingSeed: model.training?.seed ?? null,
        training: model.training ? json(model.training) : null,
        relaxed: model.metrics.relaxedTestAccuracy,
        discreteTest: model.metrics.discreteTestAccuracy,
        discreteTrain: model.metrics.discreteTrainAccuracy,
        addedAt: now(),
        origin: model.origin ? json(model.origin) : null,
      }),
    );
    return model.hash;
  }

  getModel(hash: string): ModelRecord | null {
    const row = this.sql(`${MODEL_SELECT} WHERE hash = ?`).get(hash) as Row | undefined;
    return row ? modelFrom(row) : null;
  }

  /** Newest first. */
  listModels(): ModelRecord[] {
    return (this.sql(`${MODEL_SELECT} ORDER BY added_at DESC, rowid DESC`).all() as Row[]).map(modelFrom);
  }

  // ---- builds and simulations ----

  /**
   * Store a build, failed or not, with its figures as columns and the whole result as JSON. The
   * stage logs are read from the build directory unless `log` is given. The model
   * (provenance.modelHash) must be stored first.
   */
  addBuild(build: BuildResult, provenance: Provenance, o: { log?: string | null; headLut4?: number | null; headPathNs?: number | null; pipeline?: BuildPipeline | null } = {}): number {
    const log = o.log === undefined ? readBuildLog(build) : o.log;
    const f = build.figures;
    return this.atomically(() => {
      this.requireModel(provenance.modelHash);
      return this.insert('builds', {
        hash: build.hash,
        model_hash: provenance.modelHash,
        board: build.board.name,
        device: build.board.device,
        top: build.top,
        status: build.status,
        ok: flag(build.ok),
        message: build.message,
        placement_seed: build.options.seed,
        target_mhz: build.options.freqMHz,
        lut4: f.lut4,
        head_lut4: o.headLut4 ?? null,
        carry: f.carry,
        dff: f.dff,
        bram: f.bram,
        logic_cells: f.logicCells?.used ?? null,
        logic_cells_available: f.logicCells?.available ?? build.board.logicCells,
        fmax_mhz: f.fmaxMHz,
        critical_path_ns: f.criticalPath?.totalNs ?? null,
        critical_logic_ns: f.criticalPath?.logicNs ?? null,
        critical_routing_ns: f.criticalPath?.routingNs ?? null,
        logic_levels: f.criticalPath?.logicLevels ?? null,
        head_path_ns: o.headPathNs ?? null,
        icetime_mhz: f.icetimeMHz,
        latency_cycles: o.pipeline?.latencyCycles ?? null,
        pipeline_stages: o.pipeline?.stages ?? null,
        pipeline: o.pipeline ? json({ cuts: o.pipeline.cuts, search: o.pipeline.search }) : null,
        warnings: json(build.warnings),
        build_seconds: build.buildDurationMs / 1000,
        cached: flag(build.cached),
        result: json(build),
        log,
        ...provenanceColumns(provenance),
        created_at: now(),
      });
    });
  }

  /** Every build's figures without its result JSON and logs (getBuild has those), newest first. */
  listBuilds(): BuildSummary[] {
    return (this.sql(`SELECT id, model_hash AS modelHash, board, status, message, lut4, logic_cells AS logicCells,
        logic_cells_available AS logicCellsAvailable, fmax_mhz AS fmaxMHz, build_seconds AS buildSeconds, cached, created_at AS createdAt
      FROM builds ORDER BY id DESC`).all() as Row[]).map((row) => ({ ...(row as unknown as BuildSummary), cached: row['cached'] === 1 }));
  }

  getBuild(id: number): BuildRecord | null {
    const row = this.sql('SELECT id, model_hash AS modelHash, result, log, provenance, created_at AS createdAt FROM builds WHERE id = ?').get(id) as Row | undefined;
    return row ? { ...(row as unknown as BuildRecord), result: parsed(row['result']), provenance: parsed(row['provenance']) } : null;
  }

  /** The cuts a build's core was made with (null: a build stored without them). */
  buildCuts(id: number): PipelineCuts | null {
    const row = this.sql("SELECT json_extract(pipeline, '$.cuts') AS cuts FROM builds WHERE id = ?").get(id) as { cuts: string | null } | undefined;
    return row?.cuts ? (JSON.parse(row.cuts) as PipelineCuts) : null;
  }

  addSimulation(sim: SimulationInput, provenance: Provenance, o: { buildId?: number } = {}): number {
    return this.atomically(() => {
      this.requireModel(sim.modelHash);
      return this.insert('simulations', {
        model_hash: sim.modelHash,
        build_id: o.buildId ?? null,
        design_hash: sim.designHash,
        simulator: sim.simulator,
        level: sim.level,
        vectors: sim.vectors,
        mismatches: sim.mismatches,
        vectors_per_second: sim.vectorsPerSecond,
        cycles_per_inference: sim.cyclesPerInference,
        report: json(sim.report),
        board: provenance.board,
        ...provenanceColumns(provenance),
        created_at: now(),
      });
    });
  }

  getSimulation(id: number): SimulationRecord | null {
    const row = this.sql(`SELECT id, build_id AS buildId, model_hash AS modelHash, design_hash AS designHash, simulator, level, vectors, mismatches,
        vectors_per_second AS vectorsPerSecond, cycles_per_inference AS cyclesPerInference, report, provenance, created_at AS createdAt
      FROM simulations WHERE id = ?`).get(id) as Row | undefined;
    if (!row) return null;
    const { id: simId, buildId, provenance, createdAt, report, ...figures } = row;
    return {
      id: simId as number,
      buildId: buildId as number | null,
      simulation: { ...(figures as unknown as Omit<SimulationInput, 'report'>), report: parsed(report) },
      provenance: parsed(provenance),
      createdAt: createdAt as string,
    };
  }

  // ---- runs and power ----

  /**
   * Store a run (complete or not) with its main figures as columns and the report as JSON, and
   * its power measurement when it has one, in one transaction. The model (provenance.modelHash)
   * must be stored first.
   */
  addRun(report: RunReport, provenance: Provenance, o: { buildId?: number; power?: { summary: PowerSummary; samples?: readonly PowerSampleRow[] } } = {}): number {
    return this.atomically(() => {
      this.requireModel(provenance.modelHash);
      const t = report.throughput;
      const runId = this.insert('runs', {
        model_hash: provenance.modelHash,
        build_id: o.buildId ?? null,
        board: report.board,
        virtual: flag(report.virtual),
        level: report.level,
        port: report.port,
        baud: report.baud,
        clock_hz: report.clockHz,
        device_model_id: report.modelId,
        complete: flag(report.complete),
        error: report.error,
        vectors: report.vectors,
        answered: report.answered,
        mismatches: report.mismatches,
        accuracy: report.accuracy,
        software_accuracy: report.softwareAccuracy,
        latency_kind: report.latency.kind,
        latency_source: report.latency.source,
        latency_cycles: report.latency.cycles,
        latency_ns: report.latency.ns,
        critical_path_ns: report.latency.criticalPathNs,
        host_rtt_p50_ms: report.latency.hostRoundTripMs?.p50 ?? null,
        throughput_vps: t ? (t.deviceVectorsPerSecond ?? t.wallVectorsPerSecond) : null,
        wall_vps: t?.wallVectorsPerSecond ?? null,
        device_vps: t?.deviceVectorsPerSecond ?? null,
        theoretical_vps: t?.theoreticalVectorsPerSecond ?? null,
        report: json(report),
        ...provenanceColumns(provenance),
        created_at: now(),
      });
      if (o.power) {
        this.setPowerSummary(runId, o.power.summary);
        if (o.power.samples) this.addPowerSamples(runId, o.power.samples);
      }
      return runId;
    });
  }

  getRun(id: number): RunRecord | null {
    const row = this.sql('SELECT id, model_hash AS modelHash, build_id AS buildId, report, provenance, created_at AS createdAt FROM runs WHERE id = ?').get(id) as Row | undefined;
    return row ? { ...(row as unknown as RunRecord), report: parsed(row['report']), provenance: parsed(row['provenance']) } : null;
  }

  /** Store (or replace) a run's power summary. */
  setPowerSummary(runId: number, s: PowerSummary): void {
    this.atomically(() =>
      this.sql(`INSERT OR REPLACE INTO power_summaries (run_id, monitor, target, description, idle_w, load_w, dynamic_w, stream_w,
          energy_per_inference_j, stream_energy_per_inference_j, est_idle_w, est_load_w, est_dynamic_w, est_energy_per_inference_j,
          est_stream_energy_per_inference_j, summary)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        runId, s.monitor, s.target, s.description,
        s.measured.idleW, s.measured.loadW, s.measured.dynamicW, s.measured.streamW, s.measured.energyPerInferenceJ, s.measured.streamEnergyPerInferenceJ,
        s.estimated?.idleW ?? null, s.estimated?.loadW ?? null, s.estimated?.dynamicW ?? null, s.estimated?.energyPerInferenceJ ?? null,
        s.estimated?.streamEnergyPerInferenceJ ?? null, json(s),
      ),
    );
  }

  /** Append a run's power samples (any number, one transaction, one prepared statement). Returns how many the run has now. */
  addPowerSamples(runId: number, samples: readonly PowerSampleRow[]): number {
    return this.atomically(() => {
      let seq = this.sql('SELECT count(*) FROM power_samples WHERE run_id = ?').pluck().get(runId) as number;
      const insert = this.sql('INSERT INTO power_samples (run_id, t, seq, volts, amps, watts, phase) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const s of samples) insert.run(runId, s.t, seq++, s.volts, s.amps, s.watts, s.phase);
      return seq;
    });
  }

  /** A run's power summary and samples in time order. */
  runPower(runId: number): RunPower {
    const summary = this.sql('SELECT summary FROM power_summaries WHERE run_id = ?').pluck().get(runId);
    const samples = this.sql('SELECT t, volts, amps, watts, phase FROM power_samples WHERE run_id = ? ORDER BY t, seq').all(runId) as PowerSampleRow[];
    return { summary: summary === undefined ? null : parsed(summary), samples };
  }

  // ---- sweeps ----

  /**
   * Create a sweep and its cells, or return the sweep already made from the same spec (same JSON
   * up to key order), adding any cells it lacks; cell keys are unique per sweep, so a resumed
   * sweep never duplicates a cell. The id is `id` or the next free `s<N>`.
   */
  createSweep(spec: object, cells: readonly CellSpec[], o: { id?: string } = {}): { sweep: SweepRecord; created: boolean } {
    if (o.id !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(o.id)) {
      throw new UserError(`Expected a sweep id of letters, digits, '.', '_' and '-' (at most 64), got '${o.id}'`);
    }
    const keys = new Set<string>();
    for (const c of cells) {
      if (keys.has(c.key)) throw new Error(`sweep cell key '${c.key}' appears twice`);
      keys.add(c.key);
    }
    const specHash = hashKey(spec);
    return this.atomically(() => {
      const existing = this.sql('SELECT id FROM sweeps WHERE spec_hash = ?').pluck().get(specHash) as string | undefined;
      if (existing !== undefined && o.id !== undefined && o.id !== existing) throw new UserError(`sweep '${existing}' already has this spec; resume it instead of creating '${o.id}'`);
      const id = existing ?? o.id ?? this.nextSweepId();
      if (existing === undefined) {
        if (this.sql('SELECT 1 FROM sweeps WHERE id = ?').get(id)) throw new UserError(`sweep '${id}' already exists with a different spec`);
        this.insert('sweeps', { id, spec_hash: specHash, spec: json(spec), created_at: now() });
      }
      const insertCell = this.sql(`INSERT INTO sweep_cells (sweep_id, key, position, depth, width, final_width, params)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sweep_id, key) DO NOTHING`);
      cells.forEach((c, position) => insertCell.run(id, c.key, position, c.depth, c.width, c.finalWidth, json(c.params ?? {})));
      return { sweep: this.getSweep(id)!, created: existing === undefined };
    });
  }

  private nextSweepId(): string {
    const numbers = (this.sql(`SELECT id FROM sweeps`).pluck().all() as string[]).map((id) => /^s(\d+)$/.exec(id)).map((m) => (m ? Number(m[1]) : 0));
    return `s${Math.max(0, ...numbers) + 1}`;
  }

  private sweepsWhere(where: string, ...params: unknown[]): SweepRecord[] {
    const rows = this.sql(`SELECT s.id, s.spec, s.spec_hash AS specHash, s.created_at AS createdAt, count(c.id) AS total,
        total(c.state = 'pending') AS pending, total(c.state = 'running') AS running, total(c.state = 'done') AS done, total(c.state = 'failed') AS failed
      FROM sweeps s LEFT JOIN sweep_cells c ON c.sweep_id = s.id ${where} GROUP BY s.id ORDER BY s.created_at DESC, s.rowid DESC`).all(...params) as Row[];
    return rows.map(({ id, spec, specHash, createdAt, ...counts }) => {
      const cells = counts as unknown as SweepRecord['cells'];
      return { id: id as string, spec: parsed(spec), specHash: specHash as string, createdAt: createdAt as string, status: sweepStatus(cells), cells };
    });
  }

  getSweep(id: string): SweepRecord | null {
    return this.sweepsWhere('WHERE s.id = ?', id)[0] ?? null;
  }

  /** Newest first. */
  listSweeps(): SweepRecord[] {
    return this.sweepsWhere('');
  }

  /** The cells of a sweep in grid order. */
  sweepCells(sweepId: string): SweepCell[] {
    return (this.sql(`SELECT ${CELL_COLUMNS} FROM sweep_cells WHERE sweep_id = ? ORDER BY position`).all(sweepId) as Row[]).map(cellFrom);
  }

  private requireSweep(sweepId: string): void {
    if (!this.sql('SELECT 1 FROM sweeps WHERE id = ?').get(sweepId)) throw new UserError(`${this.path}: no sweep '${sweepId}'`);
  }

  /**
   * Move running cells whose worker is gone back to pending: a process of this host that no
   * longer exists, or (with staleAfterMs) any claim older than that. Returns how many moved.
   */
  resetStaleCells(sweepId: string, o: { staleAfterMs?: number } = {}): number {
    return this.atomically(() => {
      const running = this.sql(`SELECT id, worker, started_at AS startedAt FROM sweep_cells WHERE sweep_id = ? AND state = 'running'`).all(sweepId) as { id: number; worker: string | null; startedAt: string }[];
      const cutoff = o.staleAfterMs === undefined ? null : new Date(Date.now() - o.staleAfterMs).toISOString();
      const reset = this.sql(`UPDATE sweep_cells SET state = 'pending', error = ? WHERE id = ? AND state = 'running'`);
      let moved = 0;
      for (const cell of running) {
        const reason = deadLocalWorker(cell.worker)
          ? `interrupted: worker ${cell.worker} stopped before finishing`
          : cutoff !== null && cell.startedAt < cutoff
            ? `interrupted: claimed by ${cell.worker ?? 'an unknown worker'} at ${cell.startedAt} and not finished within ${o.staleAfterMs} ms`
            : null;
        if (reason) moved += reset.run(reason, cell.id).changes;
      }
      return moved;
    });
  }

  /**
   * Claim the next cell of a sweep for this worker: the first pending one in grid order after
   * stale running cells went back to pending (see resetStaleCells). Atomic across processes: two
   * workers never get the same cell. Null when nothing is left to claim.
   */
  claimCell(sweepId: string, o: { worker?: string; staleAfterMs?: number } = {}): SweepCell | null {
    return this.atomically(() => {
      this.requireSweep(sweepId);
      this.resetStaleCells(sweepId, o);
      const row = this.sql(`UPDATE sweep_cells SET state = 'running', attempts = attempts + 1, worker = ?, started_at = ?, finished_at = NULL, error = NULL
        WHERE id = (SELECT id FROM sweep_cells WHERE sweep_id = ? AND state = 'pending' ORDER BY position LIMIT 1)
        RETURNING ${CELL_COLUMNS}`).get(o.worker ?? workerName(), now(), sweepId) as Row | undefined;
      return row ? cellFrom(row) : null;
    });
  }

  private updateRunningCell(cellId: number, set: string, values: unknown[], links: CellLinks): SweepCell {
    return this.atomically(() => {
      const row = this.sql(`UPDATE sweep_cells SET ${set}, model_hash = COALESCE(?, model_hash), build_id = COALESCE(?, build_id),
          simulation_id = COALESCE(?, simulation_id), run_id = COALESCE(?, run_id)
        WHERE id = ? AND state = 'running' RETURNING ${CELL_COLUMNS}`).get(
        ...values, links.modelHash ?? null, links.buildId ?? null, links.simulationId ?? null, links.runId ?? null, cellId,
      ) as Row | undefined;
      if (row) return cellFrom(row);
      const state = this.sql('SELECT state FROM sweep_cells WHERE id = ?').pluck().get(cellId) as CellState | undefined;
      throw new Error(state === undefined ? `no sweep cell ${cellId}` : `sweep cell ${cellId} is ${state}, not running (another worker may have reclaimed it)`);
    });
  }

  /** Point a running cell at results so far (its model, then its build...). */
  linkCell(cellId: number, links: CellLinks): SweepCell {
    return this.updateRunningCell(cellId, 'state = state', [], links);
  }

  /** Where a running cell is (its stage and progress), for live views. Not an error if it stopped running. */
  setCellStage(cellId: number, stage: string, detail: string): void {
    this.atomically(() => this.sql(`UPDATE sweep_cells SET stage = ?, stage_detail = ?, stage_at = ? WHERE id = ?`).run(stage, detail, now(), cellId));
  }

  /** The queue worker running a cell's current stage (null: none), for live views. */
  setCellQueueWorker(cellId: number, worker: string | null): void {
    this.atomically(() => this.sql(`UPDATE sweep_cells SET queue_worker = ? WHERE id = ?`).run(worker, cellId));
  }

  /** The stages of a sweep's cells stored so far (distributed sweeps). */
  stageRecords(sweepId: string): StageRecord[] {
    return this.sql(`SELECT ${STAGE_COLUMNS} FROM sweep_stages WHERE sweep_id = ? ORDER BY finished_at`).all(sweepId) as StageRecord[];
  }

  /**
   * Store a stage's result once: `store` writes the result rows and returns what to keep in the
   * stage record, and runs only when (sweep, cell, stage) has no record yet, in the same
   * transaction. Returns the record, the earlier one for a duplicate.
   */
  recordStage(key: Pick<StageRecord, 'sweepId' | 'cellKey' | 'stage'>, store: () => Omit<StageRecord, 'sweepId' | 'cellKey' | 'stage' | 'finishedAt'>): { record: StageRecord; duplicate: boolean } {
    const find = (): StageRecord | undefined => this.sql(`SELECT ${STAGE_COLUMNS} FROM sweep_stages WHERE sweep_id = ? AND cell_key = ? AND stage = ?`).get(key.sweepId, key.cellKey, key.stage) as StageRecord | undefined;
    return this.atomically(() => {
      const earlier = find();
      if (earlier) return { record: earlier, duplicate: true };
      const r = store();
      this.insert('sweep_stages', { sweep_id: key.sweepId, cell_key: key.cellKey, stage: key.stage, worker: r.worker, attempt: r.attempt, result: r.result, artifact: r.artifact, enqueued_at: r.enqueuedAt, started_at: r.startedAt, finished_at: now() });
      return { record: find()!, duplicate: false };
    });
  }

  finishCell(cellId: number, links: CellLinks = {}): SweepCell {
    return this.updateRunningCell(cellId, `state = 'done', error = NULL, finished_at = ?`, [now()], links);
  }

  failCell(cellId: number, error: string, links: CellLinks = {}): SweepCell {
    return this.updateRunningCell(cellId, `state = 'failed', error = ?, finished_at = ?`, [error, now()], links);
  }

  // ---- results ----

  /**
   * One row per sweep cell (pending and failed ones included) and per run outside any sweep.
   * With `sweep`: that sweep's cells in grid order; without: everything, newest first.
   */
  resultRows(o: { sweep?: string } = {}): ResultRow[] {
    if (o.sweep !== undefined) this.requireSweep(o.sweep);
    const order = o.sweep === undefined ? 'ORDER BY i.at DESC, i.item_id DESC' : 'ORDER BY i.position';
    return (this.sql(`${RESULT_SELECT} ${order}`).all({ sweep: o.sweep ?? null }) as Row[]).map(resultRowFrom);
  }
}
