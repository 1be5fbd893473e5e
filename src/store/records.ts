import type { Encoding } from '../data/encoding.js';
import type { LatencyKind, RunReport } from '../device/run.js';
import type { BuildResult } from '../flow/build.js';
import type { PipelineSearch } from '../flow/autoPipeline.js';
import type { PipelineCuts } from '../hdl/cuts.js';
import type { Metrics, ModelOrigin, TrainingInfo } from '../model/modelFile.js';
import type { CheckResult } from '../sim/check.js';
import type { PowerMeasurement } from '../power/measure.js';
import type { Provenance } from './provenance.js';

export type PowerPhase = 'idle' | 'load' | 'stream' | 'other';

/** One reading of a power monitor: host seconds, supply volts and amps, their product. */
export interface PowerSampleRow {
  readonly t: number;
  readonly volts: number;
  readonly amps: number;
  readonly watts: number;
  readonly phase: PowerPhase;
}

export interface PowerSummary {
  /** The monitor's kind (e.g. 'lpm01a', 'ppk2', 'virtual'). */
  readonly monitor: string;
  readonly target: string;
  readonly description: string;
  readonly measured: {
    readonly idleW: number | null;
    readonly loadW: number | null;
    readonly dynamicW: number | null;
    readonly streamW: number | null;
    readonly energyPerInferenceJ: number | null;
    readonly streamEnergyPerInferenceJ: number | null;
  };
  /** The model's estimate for the same phases (a figure the estimate cannot give is null). */
  readonly estimated: {
    readonly idleW: number | null;
    readonly loadW: number | null;
    readonly dynamicW: number | null;
    readonly energyPerInferenceJ: number | null;
    readonly streamEnergyPerInferenceJ: number | null;
  } | null;
  /** Why there is no estimate ("not available for ECP5: ..."); absent in summaries stored before it existed. */
  readonly estimateUnavailable?: string | null;
  readonly windows: readonly { readonly phase: string; readonly start: number; readonly end: number; readonly samples: number; readonly medianW: number | null }[];
  readonly problems: readonly string[];
}

export interface RunPower {
  readonly summary: PowerSummary | null;
  /** In time order. */
  readonly samples: readonly PowerSampleRow[];
}

/** A simulation check as stored: the figures, and the result whole as JSON. */
export interface SimulationInput {
  readonly modelHash: string;
  readonly designHash: string | null;
  readonly simulator: string;
  readonly level: string;
  readonly vectors: number;
  readonly mismatches: number;
  readonly vectorsPerSecond: number;
  /** Clock cycles from a vector in to its result out; 0 when combinational, null when unknown. */
  readonly cyclesPerInference: number | null;
  readonly report: unknown;
}

/** The stored form of checkDesign()'s result: the per-vector sums and the Verilog text are left out. */
export function simulationFromCheck(check: CheckResult): SimulationInput {
  const { design, run, comparison } = check;
  const { sums: _sums, classIdx: _classIdx, ...figures } = run;
  return {
    modelHash: design.modelHash,
    designHash: design.designHash,
    simulator: run.simulator,
    level: run.level,
    vectors: comparison.checked,
    mismatches: comparison.mismatches,
    vectorsPerSecond: run.vectorsPerSecond,
    cyclesPerInference: design.ports.latency,
    report: { ...figures, comparison, design: { top: design.top, ports: design.ports, stats: design.stats, modelHash: design.modelHash, designHash: design.designHash } },
  };
}

export interface ModelRecord {
  readonly hash: string;
  /** Absolute path the model was stored from, if any. */
  readonly path: string | null;
  readonly inputBits: number;
  readonly classes: number;
  readonly depth: number;
  readonly widths: readonly number[];
  readonly finalWidth: number;
  readonly gates: number;
  readonly liveGates: number | null;
  readonly tau: number;
  readonly wiring: string;
  readonly encoding: Encoding;
  readonly dataset: string | null;
  readonly datasetHash: string | null;
  readonly training: TrainingInfo | null;
  /** An imported model's framework and exporter (`gatebench import`); null for gatebench's own. */
  readonly origin: ModelOrigin | null;
  readonly metrics: Metrics;
  readonly addedAt: string;
}

/** Where a build's core has its registers (store column `pipeline`, with latency_cycles and pipeline_stages). */
export interface BuildPipeline {
  /** Clock cycles from in_valid to out_valid (the cuts plus the registered inputs and outputs). */
  readonly latencyCycles: number;
  /** Register-to-register stretches of the core's logic: the cuts plus one. */
  readonly stages: number;
  readonly cuts: PipelineCuts;
  /** What --pipeline auto tried; null for fixed cuts. */
  readonly search: PipelineSearch | null;
}

export interface BuildRecord {
  readonly id: number;
  readonly modelHash: string | null;
  readonly result: BuildResult;
  /** The stages' logs, each after a `==> stage: command` line; null when none were on disk. */
  readonly log: string | null;
  readonly provenance: Provenance;
  readonly createdAt: string;
}

/** A build's main figures, for lists (BuildRecord has the whole result and the logs). */
export interface BuildSummary {
  readonly id: number;
  readonly modelHash: string | null;
  readonly board: string;
  readonly status: string;
  readonly message: string;
  readonly lut4: number | null;
  readonly logicCells: number | null;
  readonly logicCellsAvailable: number | null;
  readonly fmaxMHz: number | null;
  readonly buildSeconds: number;
  readonly cached: boolean;
  readonly createdAt: string;
}

export interface SimulationRecord {
  readonly id: number;
  readonly buildId: number | null;
  readonly simulation: SimulationInput;
  readonly provenance: Provenance;
  readonly createdAt: string;
}

export interface RunRecord {
  readonly id: number;
  readonly modelHash: string | null;
  readonly buildId: number | null;
  readonly report: RunReport;
  readonly provenance: Provenance;
  readonly createdAt: string;
}

export type CellState = 'pending' | 'running' | 'done' | 'failed';

/**
 * A sweep's status follows from its cells: done when all are done, failed when none is left to
 * run and some failed, pending when none has started, else running.
 */
export type SweepStatus = CellState;

export interface SweepRecord {
  readonly id: string;
  readonly spec: unknown;
  readonly specHash: string;
  readonly createdAt: string;
  readonly status: SweepStatus;
  readonly cells: { readonly total: number } & Readonly<Record<CellState, number>>;
}

/** A grid point of a sweep, as createSweep() takes it. */
export interface CellSpec {
  /** Unique in the sweep, e.g. 'd3-w500-f100'. */
  readonly key: string;
  readonly depth: number;
  readonly width: number;
  readonly finalWidth: number;
  /** The cell's own settings beyond the grid (seed, ...), JSON. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Results a cell points to; a link left undefined keeps its current value. */
export interface CellLinks {
  readonly modelHash?: string;
  readonly buildId?: number;
  readonly simulationId?: number;
  readonly runId?: number;
}

export interface SweepCell {
  readonly id: number;
  readonly sweepId: string;
  readonly key: string;
  /** Order in the grid. */
  readonly position: number;
  readonly depth: number;
  readonly width: number;
  readonly finalWidth: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly state: CellState;
  readonly error: string | null;
  readonly attempts: number;
  /** host:pid of the process that claimed it last. */
  readonly worker: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly modelHash: string | null;
  readonly buildId: number | null;
  readonly simulationId: number | null;
  readonly runId: number | null;
  /** The stage the cell is in or last was in (train, check, build, run), with its progress. */
  readonly stage: string | null;
  readonly stageDetail: string | null;
  readonly stageAt: string | null;
  /** Distributed sweeps: the queue worker running the cell's current stage. */
  readonly queueWorker: string | null;
}

/** A stage of a cell done by a queue worker and stored by the coordinator (once per sweep, cell, stage). */
export interface StageRecord {
  readonly sweepId: string;
  readonly cellKey: string;
  readonly stage: 'train' | 'check' | 'build' | 'run';
  readonly worker: string;
  readonly attempt: number;
  /** The stored row: a model hash, or a simulation, build or run id. */
  readonly result: string | null;
  /** sha256 of the artifact the stage handed on (train: the model file; build: the run's device image), or a run's: the device image it flashed. */
  readonly artifact: string | null;
  readonly enqueuedAt: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string;
}

/**
 * One line of `gatebench results`: a sweep cell (whatever its state) or a run outside any sweep,
 * with the figures of the model, build, run and power measurement it links to. Power is in mW and
 * nJ per inference; est* are the power model's estimates beside the measured figures.
 */
export interface ResultRow {
  readonly kind: 'cell' | 'run';
  readonly sweep: string | null;
  readonly cell: string | null;
  /** A run's state is done when it answered every vector, else failed. */
  readonly state: CellState;
  readonly error: string | null;
  readonly attempts: number | null;
  /** When the row last changed (ISO time). */
  readonly at: string;
  readonly board: string | null;
  readonly modelHash: string | null;
  readonly buildId: number | null;
  readonly runId: number | null;
  readonly depth: number | null;
  readonly width: number | null;
  readonly finalWidth: number | null;
  readonly widths: readonly number[] | null;
  readonly gates: number | null;
  readonly liveGates: number | null;
  /** The model's software (discrete) accuracy over the whole test split (the model file's figure). */
  readonly softwareAccuracy: number | null;
  /** The board's accuracy over the vectors it answered. */
  readonly boardAccuracy: number | null;
  /** The software model's accuracy over the same vectors as boardAccuracy (equal to it with 0 mismatches). */
  readonly runSoftwareAccuracy: number | null;
  readonly buildStatus: string | null;
  readonly buildMessage: string | null;
  /** The build's warnings (a failed icetime cross-check); null without a build or for one stored before warnings were kept. */
  readonly buildWarnings: readonly string[] | null;
  readonly lut4: number | null;
  /** LUT4 of the build's GroupSum + argmax head synthesised alone (sweep builds). */
  readonly headLut4: number | null;
  readonly carry: number | null;
  readonly dff: number | null;
  readonly logicCells: number | null;
  readonly logicCellsAvailable: number | null;
  readonly fmaxMHz: number | null;
  readonly criticalPathNs: number | null;
  readonly logicNs: number | null;
  readonly routingNs: number | null;
  /** The critical path's delay in the head (popcounts and argmax), ns; null for builds stored before it was kept. */
  readonly headPathNs: number | null;
  /** The core's latency in cycles, its stages, its cuts in words ("before layer 2; head: sums"); null for builds stored before. */
  readonly latencyCycles: number | null;
  readonly pipelineStages: number | null;
  readonly pipelineCuts: string | null;
  /** The pipelining policy of the build ('--pipeline auto', '--pipeline 1', 'fixed cuts (...)': describePolicy); null for builds stored before. */
  readonly pipelinePolicy: string | null;
  /** latencyCycles at the achieved Fmax, and at the build's target clock (the board's unless --freq), ns. */
  readonly latencyAtFmaxNs: number | null;
  readonly latencyAtClockNs: number | null;
  readonly vectors: number | null;
  /** The run's mismatches against the reference, else the cell's simulation's. */
  readonly mismatches: number | null;
  /** See latencyKind: never 0; null when not measured. */
  readonly latencyNs: number | null;
  /** clocked: cycles x clock period; combinational: a build's post-route critical path; not-measured. */
  readonly latencyKind: LatencyKind | null;
  /** Where latencyNs comes from, or why there is none. */
  readonly latencySource: string | null;
  readonly throughputVps: number | null;
  readonly idleMw: number | null;
  readonly loadMw: number | null;
  readonly dynamicMw: number | null;
  readonly nJPerInference: number | null;
  readonly estIdleMw: number | null;
  readonly estLoadMw: number | null;
  readonly estDynamicMw: number | null;
  readonly estNJPerInference: number | null;
}

/** A build's four figures behind the head's shares (ResultRow's names; the report's cells use them too). */
export interface HeadFigures {
  readonly lut4?: number | null;
  readonly headLut4?: number | null;
  readonly criticalPathNs?: number | null;
  readonly headPathNs?: number | null;
}

/** part / whole, 0..1; null where either is missing or whole is 0. */
export function shareOf(part: number | null | undefined, whole: number | null | undefined): number | null {
  return part == null || whole == null || whole === 0 ? null : part / whole;
}

/** The head's (popcounts and argmax) share of a build's LUT4 and of its critical path's delay, 0..1; null where a figure is missing. */
export function headShares(b: HeadFigures): { readonly lut4: number | null; readonly path: number | null } {
  return { lut4: shareOf(b.headLut4, b.lut4), path: shareOf(b.headPathNs, b.criticalPathNs) };
}

/** ResultRow's fields in column order (the CSV header). */
export const RESULT_COLUMNS = [
  'kind', 'sweep', 'cell', 'state', 'error', 'attempts', 'at', 'board', 'modelHash', 'buildId', 'runId',
  'depth', 'width', 'finalWidth', 'widths', 'gates', 'liveGates', 'softwareAccuracy', 'boardAccuracy', 'runSoftwareAccuracy',
  'buildStatus', 'buildMessage', 'buildWarnings', 'lut4', 'headLut4', 'carry', 'dff', 'logicCells', 'logicCellsAvailable', 'fmaxMHz', 'criticalPathNs', 'logicNs', 'routingNs', 'headPathNs',
  'latencyCycles', 'pipelineStages', 'pipelineCuts', 'pipelinePolicy', 'latencyAtFmaxNs', 'latencyAtClockNs',
  'vectors', 'mismatches', 'latencyNs', 'latencyKind', 'latencySource', 'throughputVps',
  'idleMw', 'loadMw', 'dynamicMw', 'nJPerInference', 'estIdleMw', 'estLoadMw', 'estDynamicMw', 'estNJPerInference',
] as const satisfies readonly (keyof ResultRow)[];

/** A run's power measurement as the store keeps it. */
export function powerSummaryOf(m: PowerMeasurement): PowerSummary {
  return {
    monitor: m.monitor.kind,
    target: m.monitor.target,
    description: m.monitor.description,
    measured: m.measured,
    estimated: m.estimated,
    estimateUnavailable: m.estimateUnavailable,
    windows: m.windows.map((w) => ({ phase: w.phase, start: w.start, end: w.end, samples: w.samples, medianW: w.medianSupplyW })),
    problems: m.problems,
  };
}
