import { powerEstimateGapOfBoard } from '../power/estimate.js';
import type { ResultRow, Store } from '../store/index.js';
import { gatebenchVersion, gitRevision } from '../util/provenance.js';
import type { BuildStatus, ReportCell, ReportMeta } from './cells.js';

const mwToW = (v: number | null): number | null => (v === null ? null : v / 1e3);
const njToJ = (v: number | null): number | null => (v === null ? null : v / 1e9);

function buildStatusOf(status: string | null): BuildStatus {
  if (status === null) return 'not-built';
  return status === 'ok' || status === 'timing-failed' || status === 'does-not-fit' ? status : 'failed';
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

/** The cells and page header of one sweep's report. */
export function sweepReportInput(store: Store, sweep: string): { cells: ReportCell[]; meta: ReportMeta } {
  const record = store.getSweep(sweep);
  const spec = (record?.spec ?? {}) as { board?: string; dataset?: string; runOn?: string };
  const rows = store.resultRows({ sweep });
  return {
    cells: rows.map(reportCellOf),
    meta: {
      title: `gatebench sweep ${sweep}`,
      sweep,
      generated: new Date().toISOString(),
      board: spec.board ?? null,
      dataset: spec.dataset ?? null,
      provenance: {
        gatebench: gatebenchVersion(),
        git: gitRevision() ?? 'not a git checkout',
        'runs on': spec.runOn ?? 'n/a',
        'sweep created': record?.createdAt ?? 'n/a',
      },
    },
  };
}
