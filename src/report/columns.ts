/**
 * The columns of the report's three tables, in one place: what each shows, under which group, with
 * its unit in the header (never in the cells). A figure the table has no room for goes into a
 * neighbour's hover text rather than a column of its own.
 */
import { headShares, shareOf } from '../store/index.js';
import { buildStatusLabel, buildWarningNote, type ReportCell } from './cells.js';
import { signedPercent, type FigureChange, type FinalLayerEffect } from './effect.js';
import { integer, milliwatts, MISSING, nanojoules, percentOf, quantity } from './format.js';
import type { Column } from './table.js';

const sweepColumn = <T extends { sweep: string }>(): Column<T> => ({ header: 'Sweep', text: (row) => row.sweep });

function statusText(cell: ReportCell): string {
  if (!cell.build) return cell.state;
  // A marker for a build that carries a warning (the Message column says which).
  const build = `${buildStatusLabel(cell.build.status)}${buildWarningNote(cell) ? ' ⚠' : ''}`;
  return cell.state === 'done' ? build : `${build}; cell ${cell.state}`;
}

/** The cell's error first: a build message beside it may be a success's. */
function messageText(cell: ReportCell): string {
  return [cell.error, buildWarningNote(cell), cell.build?.message].filter((m) => m).join(' — ');
}

/** Flip-flops and carry cells: few and much alike across cells, so a hover text on the LUT4 count. */
function registersTitle(build: ReportCell['build']): string | null {
  if (build?.dff == null && build?.carry == null) return null;
  return `${integer(build?.lut4)} LUT4, ${integer(build?.dff)} DFF, ${integer(build?.carry)} carry`;
}

function pathSplitTitle(build: ReportCell['build']): string | null {
  if (build?.logicNs == null && build?.routingNs == null) return null;
  return `${quantity(build?.logicNs)} ns logic + ${quantity(build?.routingNs)} ns routing`;
}

function logicCellsTitle(build: ReportCell['build']): string | null {
  if (build?.logicCells == null) return null;
  const available = build.logicCellsAvailable ? ` of ${integer(build.logicCellsAvailable)}` : '';
  return `${integer(build.logicCells)}${available} logic cells`;
}

/** The head's (popcounts and argmax) share of the build's LUT4 and of its critical path, whole percents, tight for the table's width: '31/58'. */
function headShareText(build: ReportCell['build']): string {
  const shares = headShares(build ?? {});
  return shares.lut4 === null && shares.path === null ? MISSING : `${percentOf(shares.lut4, 0)}/${percentOf(shares.path, 0)}`;
}

/** The figures behind both shares, or why one is missing. */
function headShareTitle(build: ReportCell['build']): string | null {
  if (!build) return null;
  const status = buildStatusLabel(build.status);
  const lut = build.lut4 == null
    ? `head LUT4: no LUT4 count (${status})`
    : build.headLut4 == null
      ? 'head LUT4: not measured (the head is synthesised alone for sweep builds only)'
      : `head ${integer(build.headLut4)} of ${integer(build.lut4)} LUT4 (the GroupSum and argmax synthesised alone)`;
  const path = build.criticalPathNs == null
    ? `head path: no critical path (${status})`
    : build.headPathNs == null
      ? 'head path: not recorded (build stored before the head path was kept)'
      : `${quantity(build.headPathNs)} of the critical path's ${quantity(build.criticalPathNs)} ns in the popcounts and argmax`;
  return `${lut}; ${path}`;
}

/** The policy, the cuts and the latency at the target clock behind the Core latency column. */
function latencyTitle(build: NonNullable<ReportCell['build']>): string {
  const policy = build.pipelinePolicy ? `${build.pipelinePolicy}: ` : '';
  const cuts = build.cuts ? `pipeline cuts ${build.cuts}; ` : '';
  return `${policy}${cuts}${integer(build.latencyCycles)} cycles x the clock period: ${quantity(build.latencyAtFmaxNs)} ns at the build's Fmax, ${quantity(build.latencyAtClockNs)} ns at the target clock`;
}

/** The board's accuracy beside the software model's on the vectors the board ran (a --limit run is a subset of the split). */
function sameVectorsText(cell: ReportCell): string {
  return cell.boardAccuracy == null ? MISSING : `${percentOf(cell.boardAccuracy)} / ${percentOf(cell.run?.softwareAccuracy)}`;
}

function sameVectorsTitle(cell: ReportCell): string | null {
  return cell.run ? `board / software model on the ${integer(cell.run.vectors)} vectors the board ran` : null;
}

/** The latency with what it is: a clocked core's cycles x clock period, or a combinational core's post-route delay. */
function latencyText(run: ReportCell['run']): string {
  if (run?.latencyKind === 'not-measured') return 'not measured';
  const ns = quantity(run?.latencyNs);
  return run?.latencyKind && ns !== MISSING ? `${ns} (${run.latencyKind})` : ns;
}

/** The Cells table: one row per cell, every figure the store has for it. */
export function cellColumns(options: { sweeps: boolean; paretoFront: ReadonlySet<ReportCell> }): Column<ReportCell>[] {
  return [
    ...(options.sweeps ? [sweepColumn<ReportCell>()] : []),
    { header: 'Cell', text: (c) => c.cell },
    { group: 'Model', header: 'Depth (layers)', numeric: true, text: (c) => String(c.depth) },
    { group: 'Model', header: 'Width → final (neurons)', numeric: true, text: (c) => `${integer(c.width)} → ${integer(c.finalWidth)}` },
    { group: 'Model', header: 'Nominal gates', numeric: true, text: (c) => integer(c.gates) },
    { group: 'Model', header: 'Live gates', numeric: true, text: (c) => integer(c.liveGates) },
    { group: 'Model', header: 'Live (%)', numeric: true, text: (c) => percentOf(shareOf(c.liveGates, c.gates), 1) },
    { group: 'Accuracy (%)', header: 'Software, whole test split', numeric: true, text: (c) => percentOf(c.accuracy) },
    { group: 'Accuracy (%)', header: 'Board / software, same vectors', numeric: true, text: sameVectorsText, title: sameVectorsTitle },
    { group: 'Accuracy (%)', header: 'Pareto front', text: (c) => (options.paretoFront.has(c) ? 'yes' : '') },
    { group: 'Build', header: 'Status', text: statusText },
    { group: 'Build', header: 'LUT4', numeric: true, text: (c) => integer(c.build?.lut4), title: (c) => registersTitle(c.build) },
    { group: 'Build', header: 'Logic cells used (%)', numeric: true, text: (c) => percentOf(shareOf(c.build?.logicCells, c.build?.logicCellsAvailable), 1), title: (c) => logicCellsTitle(c.build) },
    { group: 'Timing', header: 'Fmax (MHz)', numeric: true, text: (c) => quantity(c.build?.fmaxMHz) },
    { group: 'Timing', header: 'Critical path (ns)', numeric: true, text: (c) => quantity(c.build?.criticalPathNs), title: (c) => pathSplitTitle(c.build) },
    // Two shares in one column, their figures and any gap's reason on hover: the table has no room for two.
    { header: 'Head share (%): LUT4 / path', numeric: true, text: (c) => headShareText(c.build), title: (c) => headShareTitle(c.build) },
    // One column of three figures (the ns at the target clock, cycles x its period, on hover): more would widen the table past a laptop screen.
    {
      group: 'Core latency',
      header: 'Cycles (stages): ns at Fmax',
      numeric: true,
      text: (c) => (c.build?.latencyCycles == null ? MISSING : `${integer(c.build.latencyCycles)} (${integer(c.build.stages)}): ${quantity(c.build.latencyAtFmaxNs)}`),
      title: (c) => (c.build?.latencyCycles == null ? null : latencyTitle(c.build)),
    },
    { header: 'Message', long: true, text: messageText },
  ];
}

type Power = { idleW: number | null; loadW: number | null; dynamicW: number | null; energyPerInferenceJ: number | null };

function powerColumns(source: 'measured' | 'estimated'): Column<ReportCell>[] {
  const group = source === 'measured' ? 'Measured power' : 'Estimated power';
  const figures = (c: ReportCell): Power | null => c.power?.[source] ?? null;
  // A part without an estimate says so in each estimate cell ("n/a (ECP5)"), the reason in its hover text.
  const gap = (c: ReportCell) => (source === 'estimated' ? (c.power?.estimateUnavailable ?? null) : null);
  const cell = (text: (c: ReportCell) => string): Pick<Column<ReportCell>, 'text' | 'title'> => ({
    text: (c) => gap(c)?.label ?? text(c),
    title: (c) => gap(c)?.reason ?? null,
  });
  return [
    { group, header: 'Idle (mW)', numeric: true, ...cell((c) => milliwatts(figures(c)?.idleW)) },
    { group, header: 'Load (mW)', numeric: true, ...cell((c) => milliwatts(figures(c)?.loadW)) },
    { group, header: 'Dynamic (mW)', numeric: true, ...cell((c) => milliwatts(figures(c)?.dynamicW)) },
    { group, header: 'Energy (nJ/inference)', numeric: true, ...cell((c) => nanojoules(figures(c)?.energyPerInferenceJ)) },
  ];
}

/** The Runs and power table: the board run and the power figures of each cell that has them. */
export function runColumns(options: { sweeps: boolean }): Column<ReportCell>[] {
  return [
    ...(options.sweeps ? [sweepColumn<ReportCell>()] : []),
    { header: 'Cell', text: (c) => c.cell },
    { group: 'Board run', header: 'Vectors', numeric: true, text: (c) => integer(c.run?.vectors) },
    { group: 'Board run', header: 'Mismatches', numeric: true, text: (c) => integer(c.run?.mismatches), className: (c) => ((c.run?.mismatches ?? 0) > 0 ? 'bad' : null) },
    { group: 'Board run', header: 'Latency (ns)', numeric: true, text: (c) => latencyText(c.run), title: (c) => c.run?.latencySource ?? null },
    { group: 'Board run', header: 'Throughput (vectors/s)', numeric: true, text: (c) => integer(c.run?.throughputVps) },
    ...powerColumns('measured'),
    ...powerColumns('estimated'),
  ];
}

function changeText(change: FigureChange | null, format: (v: number) => string, from: number | null | undefined, to: number | null | undefined): string {
  if (change) return `${format(change.from)} → ${format(change.to)} (${signedPercent(change.percent)})`;
  return `${from == null ? MISSING : format(from)} → ${to == null ? MISSING : format(to)}`;
}

/** Cycles of both sides, then the change in ns at each one's Fmax: '2 → 3: 36.0 → 30.1 (-16.4%)'. */
function latencyChangeText(e: FinalLayerEffect, full: ReportCell['build'], narrow: ReportCell['build']): string {
  if (full?.latencyCycles == null && narrow?.latencyCycles == null) return MISSING;
  return `${integer(full?.latencyCycles)} → ${integer(narrow?.latencyCycles)}: ${changeText(e.latencyAtFmaxNs, quantity, full?.latencyAtFmaxNs, narrow?.latencyAtFmaxNs)}`;
}

/** One policy when both sides share it, both when they differ; short ('auto', '1' for --pipeline 1) for the table's width, whole on hover. */
function pipeliningText(e: FinalLayerEffect): string {
  const short = (policy: string | null): string => (policy === null ? MISSING : policy.replace(/^--pipeline /, ''));
  const { full, narrow } = e.pipelining;
  return full === narrow ? short(full) : `${short(full)} → ${short(narrow)}`;
}

function pipeliningTitle(e: FinalLayerEffect): string | null {
  const { full, narrow } = e.pipelining;
  if (e.policyDiffers) return `built under two pipelining policies (${full} at full width, ${narrow} narrow): left out of the medians`;
  if (full === null && narrow === null) return null;
  return full === narrow ? `both built under ${full}` : `full width ${full ?? 'not recorded'}, narrow ${narrow ?? 'not recorded'}`;
}

/** The per-pair table of the final-layer effect: each narrow cell against its full-width partner. */
export function pairColumns(options: { sweeps: boolean; missingFigures: boolean; cellOf: (pair: FinalLayerEffect, side: 'full' | 'narrow') => ReportCell }): Column<FinalLayerEffect>[] {
  const { cellOf } = options;
  const group = 'Full width → narrow (change)';
  return [
    ...(options.sweeps ? [sweepColumn<FinalLayerEffect>()] : []),
    { group: 'Shape', header: 'Depth (layers)', numeric: true, text: (e) => String(e.depth) },
    { group: 'Shape', header: 'Width → final (neurons)', numeric: true, text: (e) => `${integer(e.width)} → ${integer(e.narrow.finalWidth)}` },
    { group, header: 'Nominal gates', numeric: true, text: (e) => changeText(e.gates, integer, cellOf(e, 'full').gates, cellOf(e, 'narrow').gates) },
    { group, header: 'Live gates', numeric: true, text: (e) => changeText(e.liveGates, integer, cellOf(e, 'full').liveGates, cellOf(e, 'narrow').liveGates) },
    { group, header: 'LUT4', numeric: true, text: (e) => changeText(e.lut4, integer, cellOf(e, 'full').build?.lut4, cellOf(e, 'narrow').build?.lut4) },
    {
      group,
      header: 'Critical path (ns)',
      numeric: true,
      text: (e) => changeText(e.criticalPathNs, quantity, cellOf(e, 'full').build?.criticalPathNs, cellOf(e, 'narrow').build?.criticalPathNs),
      // Fmax moves with the critical path; its change is there on hover rather than in a column.
      title: (e) => `Fmax (MHz): ${changeText(e.fmaxMHz, quantity, cellOf(e, 'full').build?.fmaxMHz, cellOf(e, 'narrow').build?.fmaxMHz)}`,
    },
    {
      group,
      header: 'Latency (cycles: ns at Fmax)',
      numeric: true,
      text: (e) => latencyChangeText(e, cellOf(e, 'full').build, cellOf(e, 'narrow').build),
    },
    // The policy heads the builds' statuses: a column of its own would widen the table past a laptop screen.
    {
      header: 'Pipelining: builds (full, narrow)',
      text: (e) => `${pipeliningText(e)}: ${e.full.status}, ${e.narrow.status}`,
      title: pipeliningTitle,
      className: (e) => (e.policyDiffers ? 'bad' : null),
    },
    ...(options.missingFigures ? [{ header: 'Missing figures', long: true, text: (e: FinalLayerEffect) => e.missing.join('; ') }] : []),
  ];
}
