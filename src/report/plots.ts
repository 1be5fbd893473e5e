/**
 * The report's plots as Vega-Lite specs built from the cells, each with a caption that names the
 * cells it could not show and why, so a failed or pending cell never vanishes silently. A plot with
 * nothing to show has no spec, only the caption.
 */
import type { TopLevelSpec } from 'vega-lite';
import { buildStatusLabel, cellStatusLabel, isFullWidth, missingReason, sortCells, type BuildStatus, type ReportCell } from './cells.js';
import { integer } from './format.js';

export interface Plot {
  readonly id: string;
  readonly title: string;
  /** Null when no cell has the figures this plot needs. */
  readonly spec: TopLevelSpec | null;
  readonly caption: string;
}

const SHAPES: Record<BuildStatus, string> = {
  ok: 'circle',
  'timing-failed': 'triangle-up',
  'does-not-fit': 'cross',
  'routing-failed': 'triangle-down',
  failed: 'square',
  'not-built': 'diamond',
};

type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];
type ConcatItem = Extract<TopLevelSpec, { hconcat: unknown }>['hconcat'][number];

const PANEL = { width: 240, height: 180 } as const;

/** A shape per build status, listing only the statuses present so the legend stays honest. */
function buildShapeEncoding(cells: readonly ReportCell[]) {
  const statuses = (Object.keys(SHAPES) as BuildStatus[]).filter((s) => cells.some((c) => c.build?.status === s));
  return {
    field: 'build',
    type: 'nominal',
    title: 'Build',
    scale: { domain: statuses.map(buildStatusLabel), range: statuses.map((s) => SHAPES[s]) },
  } as const;
}

type Channel = Record<string, unknown>;

/**
 * Points shaped by build status, plus a black ring around each failed build's point so it stays
 * visible where points crowd. Each plotted row needs a boolean `failed` field.
 */
function statusPoints(x: Channel, y: Channel, color: Channel, shown: readonly ReportCell[]): Layer[] {
  return [
    { mark: { type: 'point', filled: true, size: 60 }, encoding: { x, y, color, shape: buildShapeEncoding(shown) } } as Layer,
    { transform: [{ filter: 'datum.failed' }], mark: { type: 'point', filled: false, size: 150, color: 'black', strokeWidth: 1 }, encoding: { x, y } } as Layer,
  ];
}

function failedBuild(cell: ReportCell): boolean {
  return cell.build !== null && cell.build.status !== 'ok';
}

function finalLayerLabel(cell: ReportCell): string {
  return isFullWidth(cell) ? 'full-width final layer' : `final layer ${cell.finalWidth}`;
}

/**
 * "Not shown (no LUT4 count): 2 pending, 1 build failed (d3-w2000-f2000)." or '' when every cell is
 * shown. `builtReason` says why a successful build lacks the figure.
 */
function notShown(figure: string, left: readonly ReportCell[], builtReason: string): string {
  if (left.length === 0) return '';
  const byReason = new Map<string, string[]>();
  for (const cell of left) {
    const reason = cell.build?.status === 'ok' ? builtReason : missingReason(cell);
    const names = byReason.get(reason) ?? [];
    names.push(cell.cell);
    byReason.set(reason, names);
  }
  const parts = [...byReason.entries()].map(([reason, names]) =>
    names.length <= 4 ? `${names.length} ${reason} (${names.join(', ')})` : `${names.length} ${reason}`);
  return ` Not shown (no ${figure}): ${parts.join(', ')}.`;
}

function shownText(shown: number, total: number): string {
  return `${integer(shown)} of ${integer(total)} cell${total === 1 ? '' : 's'} shown.`;
}

/** Failed builds that still have figures are plotted; the caption says how they are marked. */
function markedText(shown: readonly ReportCell[]): string {
  const failed = shown.filter((c) => c.build && c.build.status !== 'ok');
  if (failed.length === 0) return '';
  return ` ${failed.length} failed build${failed.length === 1 ? '' : 's'} shown with ${failed.length === 1 ? 'its' : 'their'} figures, ringed and shaped by status: ${failed.map((c) => `${c.cell} (${cellStatusLabel(c)})`).join(', ')}.`;
}

function partition(cells: readonly ReportCell[], has: (cell: ReportCell) => boolean): [ReportCell[], ReportCell[]] {
  const shown: ReportCell[] = [];
  const left: ReportCell[] = [];
  for (const cell of cells) (has(cell) ? shown : left).push(cell);
  return [shown, left];
}

/** The one logic-cell capacity of the builds' board, or null when there is none or several. */
function boardCapacity(cells: readonly ReportCell[]): number | null {
  const capacities = new Set(cells.flatMap((c) => (c.build?.logicCellsAvailable != null ? [c.build.logicCellsAvailable] : [])));
  return capacities.size === 1 ? [...capacities][0]! : null;
}

export function lutPlot(cells: readonly ReportCell[]): Plot {
  const [shown, left] = partition(sortCells(cells), (c) => c.build?.lut4 != null);
  const title = 'LUT4 against depth and width';
  const capacity = boardCapacity(shown);
  const caption = `LUT4 cells against the hidden width, one line per depth, one panel per final-layer width.${capacity === null ? '' : ` The dashed line is the board's ${integer(capacity)} logic cells.`} ${shownText(shown.length, cells.length)}${markedText(shown)}${notShown('LUT4 count', left, 'built without a count')}`;
  if (shown.length === 0) return { id: 'luts', title, spec: null, caption };
  const facets = [...new Set(shown.map(finalLayerLabel))];
  const values = shown.map((c) => ({ cell: c.cell, depth: c.depth, width: c.width, lut4: c.build!.lut4, final: finalLayerLabel(c), build: cellStatusLabel(c), failed: failedBuild(c) }));
  const x = { field: 'width', type: 'quantitative', title: 'Hidden width (neurons)', scale: { type: 'log', nice: false, padding: 12 }, axis: { values: widthTicks(shown.map((c) => c.width)) } } as const;
  const y = { field: 'lut4', type: 'quantitative', title: 'LUT4 (cells)' } as const;
  const color = { field: 'depth', type: 'nominal', title: 'Depth (layers)' } as const;
  const spec: TopLevelSpec = {
    data: { values },
    facet: { column: { field: 'final', type: 'nominal', title: null, sort: facets } },
    spec: {
      ...PANEL,
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color } },
        ...statusPoints(x, y, color, shown),
        ...(capacity === null ? [] : [{ mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { datum: capacity } } } satisfies Layer]),
      ],
    },
  };
  return { id: 'luts', title, spec, caption };
}

/** Widths are few and usually double: tick exactly the ones in the sweep. */
function widthTicks(widths: readonly number[]): number[] {
  return [...new Set(widths)].sort((a, b) => a - b);
}

function seriesLabel(cell: ReportCell): string {
  return `depth ${cell.depth}, width ${cell.width}`;
}

/** One panel of a plot against the final-layer width: a figure of each cell, with its axis. */
interface FinalWidthPanel {
  readonly field: string;
  readonly title: string;
  readonly value: (cell: ReportCell) => number | null | undefined;
  readonly y?: Channel;
}

/** Panels side by side against the final-layer width (log), one line per depth and hidden width, points shaped by build status. */
function againstFinalWidth(shown: readonly ReportCell[], panels: readonly FinalWidthPanel[]): TopLevelSpec {
  const values = shown.map((c) => ({
    cell: c.cell, series: seriesLabel(c), finalWidth: c.finalWidth, build: cellStatusLabel(c), failed: failedBuild(c),
    ...Object.fromEntries(panels.map((p) => [p.field, p.value(c) ?? null])),
  }));
  const x = { field: 'finalWidth', type: 'quantitative', title: 'Final-layer width (neurons)', scale: { type: 'log', nice: false, padding: 12 }, axis: { values: widthTicks(shown.map((c) => c.finalWidth)) } } as const;
  const series = [...new Set(values.map((v) => v.series))];
  const color = { field: 'series', type: 'nominal', title: 'Depth, width', sort: series } as const;
  const panel = (p: FinalWidthPanel): ConcatItem => {
    const y = { field: p.field, type: 'quantitative', title: p.title, ...p.y };
    return { ...PANEL, layer: [{ mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color } } as Layer, ...statusPoints(x, y, color, shown)] };
  };
  return { data: { values }, hconcat: panels.map(panel) };
}

export function timingPlot(cells: readonly ReportCell[]): Plot {
  const [shown, left] = partition(sortCells(cells), (c) => c.build?.fmaxMHz != null || c.build?.criticalPathNs != null);
  const title = 'Fmax and critical path against final-layer width';
  const caption = `nextpnr's Fmax and critical path against the width of the final layer, one line per depth and hidden width. ${shownText(shown.length, cells.length)}${markedText(shown)}${notShown('timing figures', left, 'built without timing')}`;
  if (shown.length === 0) return { id: 'timing', title, spec: null, caption };
  const spec = againstFinalWidth(shown, [
    { field: 'fmax', title: 'Fmax (MHz)', value: (c) => c.build!.fmaxMHz },
    { field: 'path', title: 'Critical path (ns)', value: (c) => c.build!.criticalPathNs },
  ]);
  return { id: 'timing', title, spec, caption };
}

/** "Built under --pipeline auto." / "Built under --pipeline auto (5 cells), --pipeline 0 (2 cells)." / ''. */
function policyText(shown: readonly ReportCell[]): string {
  const counts = new Map<string, number>();
  for (const cell of shown) {
    const policy = cell.build?.pipelinePolicy ?? 'pipelining not recorded';
    counts.set(policy, (counts.get(policy) ?? 0) + 1);
  }
  if (counts.size === 0 || (counts.size === 1 && counts.has('pipelining not recorded'))) return '';
  if (counts.size === 1) return ` Built under ${[...counts.keys()][0]}.`;
  return ` Built under ${[...counts.entries()].map(([policy, n]) => `${policy} (${n} cell${n === 1 ? '' : 's'})`).join(', ')}.`;
}

export function latencyPlot(cells: readonly ReportCell[]): Plot {
  const [shown, left] = partition(sortCells(cells), (c) => c.build?.latencyCycles != null);
  const withoutNs = shown.filter((c) => c.build!.latencyAtFmaxNs == null);
  const title = "The core's latency against final-layer width";
  const caption = `The core's latency from in_valid to out_valid (its registered inputs and outputs and its pipeline cuts) in clock cycles and in ns at the build's achieved Fmax, against the width of the final layer, one line per depth and hidden width.${policyText(shown)} ${shownText(shown.length, cells.length)}${markedText(shown)}${withoutNs.length ? ` In cycles only (no Fmax): ${withoutNs.map((c) => c.cell).join(', ')}.` : ''}${notShown('latency', left, 'stored before latencies were kept')}`;
  if (shown.length === 0) return { id: 'latency', title, spec: null, caption };
  const spec = againstFinalWidth(shown, [
    { field: 'cycles', title: 'Latency (cycles)', value: (c) => c.build!.latencyCycles, y: { scale: { zero: true }, axis: { tickMinStep: 1, format: 'd' } } },
    { field: 'ns', title: 'Latency at Fmax (ns)', value: (c) => c.build!.latencyAtFmaxNs },
  ]);
  return { id: 'latency', title, spec, caption };
}

export interface FrontPoint {
  readonly lut4: number;
  readonly accuracy: number;
}

/**
 * The points no other point beats on both counts (no more LUT4s and at least the accuracy, one
 * strictly better), by ascending LUT4. Equal points are all on the front.
 */
export function paretoFront<T extends FrontPoint>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => a.lut4 - b.lut4 || b.accuracy - a.accuracy);
  const front: T[] = [];
  for (const point of sorted) {
    const last = front[front.length - 1];
    if (!last || point.accuracy > last.accuracy || (point.accuracy === last.accuracy && point.lut4 === last.lut4)) front.push(point);
  }
  return front;
}

/** Builds that can run on the board (timing-failed ones run at a lower clock) compete for the front. */
function runnable(cell: ReportCell): boolean {
  return cell.build?.status === 'ok' || cell.build?.status === 'timing-failed';
}

/** The cells on the accuracy/LUT4 Pareto front among runnable builds. */
export function paretoCells(cells: readonly ReportCell[]): ReportCell[] {
  const candidates = cells.flatMap((cell) =>
    runnable(cell) && cell.build!.lut4 != null && cell.accuracy != null ? [{ cell, lut4: cell.build!.lut4, accuracy: cell.accuracy }] : []);
  return paretoFront(candidates).map((p) => p.cell);
}

export function accuracyPlot(cells: readonly ReportCell[]): Plot {
  const [shown, left] = partition(sortCells(cells), (c) => c.build?.lut4 != null && c.accuracy != null);
  const front = new Set(paretoCells(shown));
  const title = 'Accuracy against LUT4, with the Pareto front';
  const caption = `Software (discrete) accuracy on the whole test split against LUT4 cells. The black step line joins the Pareto front (${front.size} cell${front.size === 1 ? '' : 's'}: ${[...front].map((c) => c.cell).join(', ') || 'none'}), the cells no other runnable build beats on both LUT4 and accuracy; builds that do not fit or failed are shown but cannot be on it. ${shownText(shown.length, cells.length)}${markedText(shown)}${notShown('LUT4 count or accuracy', left, 'built, accuracy unknown')}`;
  if (shown.length === 0) return { id: 'accuracy', title, spec: null, caption };
  const values = shown.map((c) => ({
    cell: c.cell,
    lut4: c.build!.lut4,
    accuracy: c.accuracy! * 100,
    final: isFullWidth(c) ? 'full width' : 'narrow',
    build: cellStatusLabel(c),
    failed: failedBuild(c),
    front: front.has(c),
  }));
  const x = { field: 'lut4', type: 'quantitative', title: 'LUT4 (cells)' } as const;
  const y = { field: 'accuracy', type: 'quantitative', title: 'Software accuracy, whole test split (%)', scale: { zero: false, padding: 8 } } as const;
  const spec: TopLevelSpec = {
    ...PANEL,
    width: 360,
    data: { values },
    layer: [
      {
        transform: [{ filter: 'datum.front' }],
        mark: { type: 'line', interpolate: 'step-after', color: 'black', strokeWidth: 1.5 },
        encoding: { x, y, order: { field: 'lut4', type: 'quantitative' } },
      },
      ...statusPoints(x, y, { field: 'final', type: 'nominal', title: 'Final layer' }, shown),
    ],
  };
  return { id: 'accuracy', title, spec, caption };
}

export function powerPlot(cells: readonly ReportCell[]): Plot {
  const hasPower = (c: ReportCell) => {
    const m = c.power?.measured;
    return c.build?.lut4 != null && (c.power?.estimated != null || (m != null && (m.loadW ?? m.dynamicW ?? m.energyPerInferenceJ) != null));
  };
  const [shown, left] = partition(sortCells(cells), hasPower);
  const title = 'Power and energy per inference against size';
  const caption = `Measured and estimated power (load and dynamic) and energy per inference against LUT4 cells. ${shownText(shown.length, cells.length)}${notShown('power figures with a LUT4 count', left, 'not measured or estimated')}`;
  if (shown.length === 0) return { id: 'power', title, spec: null, caption };
  const milli = (w: number | null) => (w == null ? null : w * 1e3);
  const nano = (j: number | null) => (j == null ? null : j * 1e9);
  const values = shown.flatMap((c) => {
    const lut4 = c.build!.lut4;
    const sources = [
      { source: 'measured', figures: c.power!.measured },
      ...(c.power!.estimated ? [{ source: 'estimated', figures: c.power!.estimated }] : []),
    ];
    return sources.flatMap(({ source, figures }) => [
      { cell: c.cell, lut4, source, quantity: 'load', power: milli(figures.loadW), energy: nano(figures.energyPerInferenceJ) },
      { cell: c.cell, lut4, source, quantity: 'dynamic', power: milli(figures.dynamicW), energy: null },
    ]);
  });
  const x = { field: 'lut4', type: 'quantitative', title: 'LUT4 (cells)' } as const;
  const color = { field: 'source', type: 'nominal', title: 'Source', scale: { domain: ['measured', 'estimated'] } } as const;
  const spec: TopLevelSpec = {
    data: { values },
    hconcat: [
      {
        ...PANEL,
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { x, y: { field: 'power', type: 'quantitative', title: 'Power (mW)' }, color, shape: { field: 'quantity', type: 'nominal', title: 'Power' } },
      },
      {
        ...PANEL,
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { x, y: { field: 'energy', type: 'quantitative', title: 'Energy per inference (nJ)' }, color },
      },
    ],
  };
  return { id: 'power', title, spec, caption };
}

export function reportPlots(cells: readonly ReportCell[]): Plot[] {
  return [lutPlot(cells), timingPlot(cells), latencyPlot(cells), accuracyPlot(cells), powerPlot(cells)];
}
