import { powerEstimateGapOfBoard } from '../power/estimate.js';
import type { ResultRow, Store } from '../store/index.js';
import { gatebenchVersion, gitRevision } from '../util/provenance.js';
import { loadBoard } from '../board/board.js';
import { familyFlow } from '../flow/families.js';
import type { BuildStatus, ReportCell, ReportMeta, SweepBoard } from './cells.js';

const mwToW = (v: number | null): number | null => (v === null ? null : v / 1e3);
const njToJ = (v: number | null): number | null => (v === null ? null : v / 1e9);

function buildStatusOf(status: string | null): BuildStatus {
  if (status === null) return 'not-built';
  return status === 'ok' || status === 'timing-failed' || status === 'does-not-fit' || status === 'routing-failed' ? status : 'failed';
}

/** A stored sweep cell as the report draws it. */
export function reportCellOf(r: ResultRow): ReportCell {
  return {
    sweep: r.sweep ?? '',
    cell: r.cell ?? `run ${r.runId}`,
    depth: r.depth ?? 0,
    width: r.width ?? 0,
    finalWidth: r.finalWidth ?? 0,
    gates: r.gates ?? 0,
    liveGates: r.liveGates,
    accuracy: r.softwareAccuracy,
    boardAccuracy: r.boardAccuracy,
    build:
      r.buildStatus === null
        ? null
        : {
            status: buildStatusOf(r.buildStatus),
            message: r.buildMessage ?? '',
            lut4: r.lut4,
            dff: r.dff,
            carry: r.carry,
            logicCells: r.logicCells,
            logicCellsAvailable: r.logicCellsAvailable,
            fmaxMHz: r.fmaxMHz,
            criticalPathNs: r.criticalPathNs,
            logicNs: r.logicNs,
            routingNs: r.routingNs,
            headLut4: r.headLut4,
            warnings: r.buildWarnings ?? [],
            latencyCycles: r.latencyCycles,
            stages: r.pipelineStages,
            cuts: r.pipelineCuts,
            latencyAtFmaxNs: r.latencyAtFmaxNs,
            latencyAtClockNs: r.latencyAtClockNs,
            pipelinePolicy: r.pipelinePolicy,
            headPathNs: r.headPathNs,
          },
    run:
      r.runId === null
        ? null
        : { vectors: r.vectors ?? 0, mismatches: r.mismatches ?? 0, latencyNs: r.latencyNs, latencyKind: r.latencyKind, latencySource: r.latencySource, softwareAccuracy: r.runSoftwareAccuracy, throughputVps: r.throughputVps },
    power:
      r.idleMw === null && r.estIdleMw === null
        ? null
        : {
            measured: { idleW: mwToW(r.idleMw), loadW: mwToW(r.loadMw), dynamicW: mwToW(r.dynamicMw), energyPerInferenceJ: njToJ(r.nJPerInference) },
            estimated:
              r.estIdleMw === null || r.estLoadMw === null || r.estDynamicMw === null || r.estNJPerInference === null
                ? null
                : { idleW: r.estIdleMw / 1e3, loadW: r.estLoadMw / 1e3, dynamicW: r.estDynamicMw / 1e3, energyPerInferenceJ: r.estNJPerInference / 1e9 },
            estimateUnavailable: r.estIdleMw === null && r.board !== null ? powerEstimateGapOfBoard(r.board) : null,
          },
    state: r.state,
    error: r.error,
  };
}

interface StoredSpec {
  board?: string;
  dataset?: string;
  runOn?: string;
  /** The virtual board's level ('bitstream'); absent for the RTL and in sweeps stored before levels. */
  level?: string;
}

/** Where a sweep's cells run, with what the virtual board simulates: "virtual (bitstream)". */
function runsOn(spec: StoredSpec): string | undefined {
  return spec.runOn === 'virtual' ? `virtual (${spec.level ?? 'rtl'})` : spec.runOn;
}

/** A sweep's board with its capacity, from the board file (only the name if it no longer loads). */
function sweepBoard(sweep: string, board: string): SweepBoard {
  try {
    const b = loadBoard(board);
    return { sweep, board, family: b.fpga.family, device: b.device.part, logicCells: b.fpga.logicCells, logicCellUnit: familyFlow(b.fpga.family).logicCellUnit };
  } catch {
    return { sweep, board, family: null, device: null, logicCells: null, logicCellUnit: null };
  }
}

/**
 * The cells and page header of a report of one sweep, or of several side by side (e.g. one sweep
 * per FPGA family): the cells of all, each sweep's board with its capacity in `meta.boards`.
 */
export function sweepReportInput(store: Store, sweeps: string | readonly string[]): { cells: ReportCell[]; meta: ReportMeta } {
  const ids = typeof sweeps === 'string' ? [sweeps] : [...sweeps];
  const records = ids.map((id) => ({ id, record: store.getSweep(id) }));
  const specs = records.map(({ record }) => (record?.spec ?? {}) as StoredSpec);
  const one = (read: (spec: StoredSpec) => string | undefined): string | null => {
    const values = [...new Set(specs.map((s) => read(s) ?? 'n/a'))];
    return values.length === 1 && values[0] !== 'n/a' ? values[0]! : values.length > 1 ? values.join(', ') : null;
  };
  const boards = records.flatMap(({ id }, i) => (specs[i]!.board ? [sweepBoard(id, specs[i]!.board!)] : []));
  return {
    cells: ids.flatMap((sweep) => store.resultRows({ sweep }).map(reportCellOf)),
    meta: {
      title: ids.length === 1 ? `gatebench sweep ${ids[0]}` : `gatebench sweeps ${ids.join(', ')}`,
      sweep: ids.join(', '),
      generated: new Date().toISOString(),
      board: one((s) => s.board),
      dataset: one((s) => s.dataset),
      provenance: {
        gatebench: gatebenchVersion(),
        git: gitRevision() ?? 'not a git checkout',
        'runs on': one(runsOn) ?? 'n/a',
        ...Object.fromEntries(records.map(({ id, record }) => [ids.length === 1 ? 'sweep created' : `sweep ${id} created`, record?.createdAt ?? 'n/a'])),
      },
      boards,
    },
  };
}
