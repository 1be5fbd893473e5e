/**
 * The final-layer effect as numbers: how LUT4s and the critical path change when the final layer is
 * narrowed at the same depth and hidden width. With random wiring a narrow final layer both shrinks
 * the popcount head and leaves whole upstream cones dead, so nominal and live gates are compared too:
 * a live-gate drop far beyond the nominal one is the pruned cones' share.
 */
import { median } from '../util/stats.js';
import { cellStatusLabel, isFullWidth, missingReason, type ReportCell } from './cells.js';

export interface FigureChange {
  /** The full-width cell's figure. */
  readonly from: number;
  /** The narrow cell's figure. */
  readonly to: number;
  /** (to - from) / from, in percent. */
  readonly percent: number;
}

export interface PairSide {
  readonly cell: string;
  readonly finalWidth: number;
  readonly status: string;
}

/** One narrow cell against the full-width cell of the same sweep, depth and width. */
export interface FinalLayerEffect {
  readonly sweep: string;
  readonly depth: number;
  readonly width: number;
  readonly full: PairSide;
  readonly narrow: PairSide;
  readonly gates: FigureChange | null;
  readonly liveGates: FigureChange | null;
  readonly lut4: FigureChange | null;
  readonly criticalPathNs: FigureChange | null;
  readonly fmaxMHz: FigureChange | null;
  /**
   * The LUT4 change split in percentage points of the full-width cell's LUT4: the head's (GroupSum
   * and argmax, synthesised alone) and the rest's (the layers: pruned cones); null without head figures.
   */
  readonly lut4Split: { readonly headPoints: number; readonly restPoints: number } | null;
  /** Which headline figure (LUT4, critical path) is missing and why; empty when both are there. */
  readonly missing: readonly string[];
}

export interface MedianChange {
  readonly percent: number;
  readonly pairs: number;
}

/** The median effect over all pairs that narrow to the same final width. */
export interface EffectSummary {
  readonly narrowFinalWidth: number;
  /** Distinct full widths the pairs narrow from, ascending. */
  readonly fromWidths: readonly number[];
  readonly pairs: number;
  readonly lut4: MedianChange | null;
  readonly criticalPathNs: MedianChange | null;
  readonly gates: MedianChange | null;
  readonly liveGates: MedianChange | null;
  /** Medians of the LUT4 change's split (percentage points), over the pairs that have it. */
  readonly lut4Split: { readonly headPoints: number; readonly restPoints: number; readonly pairs: number } | null;
  /** Pairs with neither a LUT4 nor a critical-path change (failed or pending builds). */
  readonly skipped: number;
}

interface ShapeGroup {
  readonly full: ReportCell[];
  readonly narrow: ReportCell[];
}

function groupByShape(cells: readonly ReportCell[]): ShapeGroup[] {
  const groups = new Map<string, ShapeGroup>();
  for (const cell of cells) {
    const key = JSON.stringify([cell.sweep, cell.depth, cell.width]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { full: [], narrow: [] }));
    if (isFullWidth(cell)) group.full.push(cell);
    else if (cell.finalWidth < cell.width) group.narrow.push(cell);
  }
  return [...groups.values()];
}

function change(from: number | null | undefined, to: number | null | undefined): FigureChange | null {
  if (from == null || to == null || from === 0) return null;
  return { from, to, percent: ((to - from) / from) * 100 };
}

function splitOf(lut4: FigureChange | null, fullHead: number | null | undefined, narrowHead: number | null | undefined): FinalLayerEffect['lut4Split'] {
  if (!lut4 || fullHead == null || narrowHead == null) return null;
  const headPoints = ((narrowHead - fullHead) / lut4.from) * 100;
  return { headPoints, restPoints: lut4.percent - headPoints };
}

function medianSplit(effects: readonly FinalLayerEffect[]): EffectSummary['lut4Split'] {
  const splits = effects.flatMap((e) => (e.lut4Split ? [e.lut4Split] : []));
  if (splits.length === 0) return null;
  return { headPoints: median(splits.map((x) => x.headPoints)), restPoints: median(splits.map((x) => x.restPoints)), pairs: splits.length };
}

function side(cell: ReportCell): PairSide {
  return { cell: cell.cell, finalWidth: cell.finalWidth, status: cellStatusLabel(cell) };
}

function missingNote(figure: string, full: ReportCell, narrow: ReportCell, has: (cell: ReportCell) => boolean): string {
  const without = [full, narrow].filter((cell) => !has(cell));
  const why = without.map((cell) => {
    const reason = missingReason(cell);
    const message = cell.build?.message || cell.error;
    if (!message) return `${cell.cell} ${reason}`;
    return message.startsWith(reason) ? `${cell.cell} ${message}` : `${cell.cell} ${reason} (${message})`;
  });
  return `no ${figure}: ${why.join('; ')}`;
}

/**
 * Every (narrow, full-width) pair at the same sweep, depth and width, in the input's order. Narrow
 * cells without a full-width partner make no pair. A pair whose builds lack figures is kept, with
 * null changes and `missing` saying why, so a caller can report it rather than lose it.
 */
export function finalLayerEffect(cells: readonly ReportCell[]): FinalLayerEffect[] {
  const effects: FinalLayerEffect[] = [];
  for (const group of groupByShape(cells)) {
    for (const narrow of group.narrow) {
      for (const full of group.full) {
        const lut4 = change(full.build?.lut4, narrow.build?.lut4);
        const criticalPathNs = change(full.build?.criticalPathNs, narrow.build?.criticalPathNs);
        const missing: string[] = [];
        if (!lut4) missing.push(missingNote('LUT4', full, narrow, (cell) => cell.build?.lut4 != null));
        if (!criticalPathNs) missing.push(missingNote('critical path', full, narrow, (cell) => cell.build?.criticalPathNs != null));
        effects.push({
          sweep: narrow.sweep,
          depth: narrow.depth,
          width: narrow.width,
          full: side(full),
          narrow: side(narrow),
          gates: change(full.gates, narrow.gates),
          liveGates: change(full.liveGates, narrow.liveGates),
          lut4,
          criticalPathNs,
          fmaxMHz: change(full.build?.fmaxMHz, narrow.build?.fmaxMHz),
          lut4Split: splitOf(lut4, full.build?.headLut4, narrow.build?.headLut4),
          missing,
        });
      }
    }
  }
  return effects;
}

/** Narrow cells with no full-width cell at the same sweep, depth and width. */
export function unpairedNarrowCells(cells: readonly ReportCell[]): ReportCell[] {
  return groupByShape(cells).flatMap((group) => (group.full.length === 0 ? group.narrow : []));
}

function medianChange(changes: ReadonlyArray<FigureChange | null>): MedianChange | null {
  const percents = changes.flatMap((c) => (c ? [c.percent] : []));
  return percents.length === 0 ? null : { percent: median(percents), pairs: percents.length };
}

/** One summary per narrow final width, ascending. */
export function summariseFinalLayerEffect(effects: readonly FinalLayerEffect[]): EffectSummary[] {
  const byNarrowWidth = new Map<number, FinalLayerEffect[]>();
  for (const effect of effects) {
    const list = byNarrowWidth.get(effect.narrow.finalWidth) ?? [];
    list.push(effect);
    byNarrowWidth.set(effect.narrow.finalWidth, list);
  }
  return [...byNarrowWidth.entries()]
    .sort(([a], [b]) => a - b)
    .map(([narrowFinalWidth, list]) => ({
      narrowFinalWidth,
      fromWidths: [...new Set(list.map((e) => e.full.finalWidth))].sort((a, b) => a - b),
      pairs: list.length,
      lut4: medianChange(list.map((e) => e.lut4)),
      criticalPathNs: medianChange(list.map((e) => e.criticalPathNs)),
      gates: medianChange(list.map((e) => e.gates)),
      liveGates: medianChange(list.map((e) => e.liveGates)),
      lut4Split: medianSplit(list),
      skipped: list.filter((e) => !e.lut4 && !e.criticalPathNs).length,
    }));
}

/** A signed percentage with one decimal: '-71.3%', '+4.0%', '0.0%'. */
export function signedPercent(percent: number): string {
  const text = percent.toFixed(1);
  if (Number(text) === 0) return '0.0%';
  return `${percent > 0 ? '+' : ''}${text}%`;
}

function pairsText(pairs: number): string {
  return `median over ${pairs} pair${pairs === 1 ? '' : 's'}`;
}

/**
 * The effect in one plain sentence, e.g. "Narrowing the final layer from 1000 to 100 changed LUT4
 * by -71.3% and the critical path by -18.2% (median over 4 pairs)."
 */
export function effectSentence(summary: EffectSummary): string {
  const widths = summary.fromWidths;
  const from = widths.length === 1 ? `${widths[0]}` : `full width (${widths[0]} to ${widths[widths.length - 1]})`;
  const subject = `Narrowing the final layer from ${from} to ${summary.narrowFinalWidth}`;
  const { lut4, criticalPathNs: path } = summary;
  let sentence: string;
  if (lut4 && path && lut4.pairs === path.pairs) {
    sentence = `${subject} changed LUT4 by ${signedPercent(lut4.percent)} and the critical path by ${signedPercent(path.percent)} (${pairsText(lut4.pairs)}).`;
  } else if (lut4 || path) {
    const parts = [
      lut4 ? `LUT4 by ${signedPercent(lut4.percent)} (${pairsText(lut4.pairs)})` : null,
      path ? `the critical path by ${signedPercent(path.percent)} (${pairsText(path.pairs)})` : null,
    ].filter((part) => part !== null);
    const absent = lut4 ? 'no pair has a critical path on both sides' : 'no pair has LUT4 counts on both sides';
    sentence = `${subject} changed ${parts.join(' and ')}${lut4 && path ? '' : `; ${absent}`}.`;
  } else {
    sentence = `${subject}: no pair has LUT4 or critical-path figures on both sides yet.`;
  }
  if (summary.skipped > 0) sentence += ` ${summary.skipped} of ${summary.pairs} pairs skipped for want of figures (failed or pending builds).`;
  if (summary.gates && summary.liveGates) {
    sentence += ` Nominal gates changed by ${signedPercent(summary.gates.percent)}, live gates by ${signedPercent(summary.liveGates.percent)} (medians).`;
  }
  if (summary.lut4Split) {
    const points = (x: number): string => `${signedPercent(x).replace('%', '')} points`;
    sentence += ` Of the LUT4 change, the popcount head (GroupSum and argmax synthesised alone) accounts for ${points(summary.lut4Split.headPoints)} and the layers (cones pruned or kept) for ${points(summary.lut4Split.restPoints)} (medians over ${summary.lut4Split.pairs} pair${summary.lut4Split.pairs === 1 ? '' : 's'}).`;
  }
  return sentence;
}
