import { powerEstimateGapOfBoard } from '../power/estimate.js';
import { headShares, type ResultRow } from '../store/index.js';
import { pct } from './format.js';

export interface TableColumn {
  header: string;
  text: (r: ResultRow) => string | null;
  /** Numbers align right. */
  right?: boolean;
}

const fixed = (digits: number) => (v: number | null) => (v === null ? null : v.toFixed(digits));
const int = (v: number | null) => (v === null ? null : String(Math.round(v)));
const mw = fixed(3);
const nj = (v: number | null) => (v === null ? null : v.toPrecision(3));

/** The latency with its kind: 'clk' (cycles x clock period) or 'comb' (a build's critical path). */
function latencyCell(r: ResultRow): string | null {
  if (r.latencyKind === 'not-measured') return 'not measured';
  const ns = fixed(1)(r.latencyNs);
  return ns === null ? null : r.latencyKind === 'clocked' ? `${ns} clk` : `${ns} comb`;
}

/** The head's share of the build's LUT4 and of its critical path's delay, whole percents: '31/58', '-/58'. */
function headShareCell(r: ResultRow): string | null {
  const shares = headShares(r);
  const percent = (share: number | null) => (share === null ? '-' : String(Math.round(share * 100)));
  return shares.lut4 === null && shares.path === null ? null : `${percent(shares.lut4)}/${percent(shares.path)}`;
}

const gaps = new Map<string, string | null>();
/** An estimate column of a run with measured power but no estimate: why, in short ("n/a (ECP5)"). */
function estimated(figure: string | null, r: ResultRow): string | null {
  if (figure !== null || r.idleMw === null || r.board === null) return figure;
  if (!gaps.has(r.board)) gaps.set(r.board, powerEstimateGapOfBoard(r.board)?.label ?? null);
  return gaps.get(r.board)!;
}

/** The columns of the results table (`results`, `sweep`, the TUI's results screen). */
export const RESULT_TABLE: readonly TableColumn[] = [
  { header: 'sweep/cell', text: (r) => (r.kind === 'cell' ? `${r.sweep}/${r.cell}` : `run ${r.runId}`) },
  { header: 'state', text: (r) => r.state },
  { header: 'depth', text: (r) => int(r.depth), right: true },
  { header: 'widths', text: (r) => r.widths?.join(',') ?? null },
  { header: 'gates/live', text: (r) => (r.gates === null ? null : `${r.gates}/${r.liveGates ?? '-'}`), right: true },
  { header: 'acc sw (split)', text: (r) => (r.softwareAccuracy === null ? null : pct(r.softwareAccuracy)), right: true },
  { header: 'acc board', text: (r) => (r.boardAccuracy === null ? null : pct(r.boardAccuracy)), right: true },
  { header: 'acc sw (same)', text: (r) => (r.runSoftwareAccuracy === null ? null : pct(r.runSoftwareAccuracy)), right: true },
  { header: 'build', text: (r) => r.buildStatus },
  { header: 'LUT4', text: (r) => int(r.lut4), right: true },
  { header: 'LC', text: (r) => int(r.logicCells), right: true },
  { header: 'DFF', text: (r) => int(r.dff), right: true },
  { header: 'Fmax MHz', text: (r) => fixed(1)(r.fmaxMHz), right: true },
  { header: 'crit ns', text: (r) => fixed(2)(r.criticalPathNs), right: true },
  { header: 'head% LUT/path', text: headShareCell, right: true },
  { header: 'cyc', text: (r) => int(r.latencyCycles), right: true },
  { header: 'stages', text: (r) => int(r.pipelineStages), right: true },
  { header: 'cyc ns@Fmax', text: (r) => fixed(1)(r.latencyAtFmaxNs), right: true },
  { header: 'cyc ns@clk', text: (r) => fixed(1)(r.latencyAtClockNs), right: true },
  { header: 'mism', text: (r) => int(r.mismatches), right: true },
  { header: 'lat ns', text: latencyCell, right: true },
  { header: 'vec/s', text: (r) => int(r.throughputVps), right: true },
  { header: 'P_idle mW', text: (r) => mw(r.idleMw), right: true },
  { header: 'P_load mW', text: (r) => mw(r.loadMw), right: true },
  { header: 'P_dyn mW', text: (r) => mw(r.dynamicMw), right: true },
  { header: 'nJ/inf', text: (r) => nj(r.nJPerInference), right: true },
  { header: 'est P_idle', text: (r) => estimated(mw(r.estIdleMw), r), right: true },
  { header: 'est P_load', text: (r) => estimated(mw(r.estLoadMw), r), right: true },
  { header: 'est P_dyn', text: (r) => estimated(mw(r.estDynamicMw), r), right: true },
  { header: 'est nJ/inf', text: (r) => estimated(nj(r.estNJPerInference), r), right: true },
  { header: 'error', text: (r) => r.error?.replace(/\s*\n\s*/g, ' ') ?? null },
];

/** Aligned columns (all of RESULT_TABLE unless given); '-' where a row has no figure. */
export function resultsTable(rows: readonly ResultRow[], columns: readonly TableColumn[] = RESULT_TABLE): string {
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => c.text(r) ?? '-'))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) => line.map((text, i) => (columns[i]!.right ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}
