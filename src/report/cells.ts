/**
 * What the sweep report reads: one record per sweep cell, as the store hands it over. Every figure
 * may be missing (a cell still pending, a build that failed before timing), so the report never
 * assumes one is there.
 */

export type BuildStatus = 'ok' | 'timing-failed' | 'does-not-fit' | 'routing-failed' | 'failed' | 'not-built';

export interface ReportCell {
  /** Sweep id. */
  sweep: string;
  /** Cell id, e.g. 'd3-w500-f100'. */
  cell: string;
  /** Logic layers. */
  depth: number;
  /** Width of the hidden layers. */
  width: number;
  /** Width of the final layer (== width for a 'same' cell). */
  finalWidth: number;
  /** Nominal gates. */
  gates: number;
  /** Gates left after dead-logic removal. */
  liveGates: number | null;
  /** Software (discrete) accuracy over the whole test split, 0..1. */
  accuracy: number | null;
  /** The board's accuracy over the vectors it answered (the software's over the same ones: run.softwareAccuracy). */
  boardAccuracy: number | null;
  build: {
    status: BuildStatus;
    message: string;
    lut4: number | null;
    dff: number | null;
    carry: number | null;
    logicCells: number | null;
    logicCellsAvailable: number | null;
    fmaxMHz: number | null;
    criticalPathNs: number | null;
    logicNs: number | null;
    routingNs: number | null;
    /** LUT4 of the GroupSum + argmax head synthesised alone (src/flow/headCost.ts), when known. */
    headLut4?: number | null;
    /** What the build could not do without failing (a failed icetime cross-check), one line each. */
    warnings?: readonly string[];
    /** The core's latency in cycles (in_valid to out_valid), its register-to-register stages and its cuts in words; null for builds stored before. */
    latencyCycles?: number | null;
    stages?: number | null;
    cuts?: string | null;
    /** latencyCycles at the achieved Fmax and at the build's target clock, ns. */
    latencyAtFmaxNs?: number | null;
    latencyAtClockNs?: number | null;
    /** The pipelining policy the build was made under ('--pipeline auto', '--pipeline 1', 'fixed cuts (...)'); null when not recorded. */
    pipelinePolicy?: string | null;
    /** The critical path's delay in the head (popcounts and argmax), ns; null for builds stored before it was kept. */
    headPathNs?: number | null;
  } | null;
  run: {
    vectors: number;
    mismatches: number;
    /** Never 0; null when not measured (see latencyKind). */
    latencyNs: number | null;
    /** clocked: cycles x clock period; combinational: a build's post-route critical path. Null for runs without one. */
    latencyKind?: 'clocked' | 'combinational' | 'not-measured' | null;
    /** Where latencyNs comes from (the device counter, which build's critical path), or why there is none. */
    latencySource?: string | null;
    /** The software model's accuracy over the vectors the board answered, 0..1. */
    softwareAccuracy?: number | null;
    throughputVps: number | null;
  } | null;
  power: {
    measured: { idleW: number | null; loadW: number | null; dynamicW: number | null; energyPerInferenceJ: number | null };
    estimated: { idleW: number; loadW: number; dynamicW: number; energyPerInferenceJ: number } | null;
    /** Why there is no estimate for the board's part ("not available for ECP5: ..." and "n/a (ECP5)"), else null. */
    estimateUnavailable?: { reason: string; label: string } | null;
  } | null;
  state: 'done' | 'failed' | 'pending' | 'running';
  error: string | null;
}

export interface ReportMeta {
  title: string;
  sweep: string | null;
  /** ISO time. */
  generated: string;
  board: string | null;
  dataset: string | null;
  provenance: Record<string, string>;
  /**
   * The board of each sweep on the page with its capacity, so a report of several sweeps (families
   * side by side) says what each one's LUT counts are out of. Absent: the single `board` above.
   */
  boards?: readonly SweepBoard[];
}

/** A sweep's board: "ulx3s: ECP5 LFE5U-85F, 83,640 TRELLIS_COMB". */
export interface SweepBoard {
  sweep: string;
  board: string;
  /** Null when the board file cannot be loaded any more (then only its name is known). */
  family: string | null;
  device: string | null;
  logicCells: number | null;
  /** The family's name for its logic cells (LCs, TRELLIS_COMB, LUT4). */
  logicCellUnit: string | null;
}

const BUILD_STATUS_LABELS: Record<BuildStatus, string> = {
  ok: 'built',
  'timing-failed': 'timing failed',
  'does-not-fit': 'does not fit',
  'routing-failed': 'routing failed',
  failed: 'build failed',
  'not-built': 'not built',
};

export function buildStatusLabel(status: BuildStatus): string {
  return BUILD_STATUS_LABELS[status];
}

/**
 * The cell's build status in words, or its state when it has no build yet ('pending', 'running',
 * 'failed' before the build).
 */
export function cellStatusLabel(cell: ReportCell): string {
  return cell.build ? buildStatusLabel(cell.build.status) : cell.state;
}

/** The build's warnings as one note ("warning: ..."), or null when it has none. */
export function buildWarningNote(cell: ReportCell): string | null {
  const warnings = cell.build?.warnings ?? [];
  return warnings.length ? `warning: ${warnings.join('; ')}` : null;
}

/** Why a cell has no figure of some kind, in a few words (for "not shown: ..." notes). */
export function missingReason(cell: ReportCell): string {
  if (cell.build) return buildStatusLabel(cell.build.status);
  return cell.state === 'done' ? 'no build' : cell.state;
}

/** A full-width final layer, the reference the narrow ones are compared with. */
export function isFullWidth(cell: ReportCell): boolean {
  return cell.finalWidth === cell.width;
}

/** Cells in reading order: sweep, depth, width, then final width from full to narrow. */
export function sortCells(cells: readonly ReportCell[]): ReportCell[] {
  return [...cells].sort((a, b) =>
    a.sweep.localeCompare(b.sweep) || a.depth - b.depth || a.width - b.width || b.finalWidth - a.finalWidth || a.cell.localeCompare(b.cell));
}
