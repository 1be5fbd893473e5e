/**
 * The final-layer effect as numbers: how LUT4s, the critical path, Fmax and the core's latency
 * change when the final layer is narrowed at the same depth and hidden width, under the same
 * pipelining policy (a pair built under two policies is named, not compared). With random wiring a
 * narrow final layer both shrinks the popcount head and leaves whole upstream cones dead, so nominal
 * and live gates are compared too: a live-gate drop far beyond the nominal one is the pruned cones' share.
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
  /** The core's latency in cycles, and in ns at each build's achieved Fmax. */
  readonly latencyCycles: FigureChange | null;
  readonly latencyAtFmaxNs: FigureChange | null;
  /** The pipelining policy each side was built under ('--pipeline auto', ...); null where not recorded. */
  readonly pipelining: { readonly full: string | null; readonly narrow: string | null };
  /** Both policies recorded and different: the pair is kept out of the medians. */
  readonly policyDiffers: boolean;
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

/** Pairs built under one pipelining policy (null: not recorded on a side). */
export interface PolicyCount {
  readonly policy: string | null;
  readonly pairs: number;
}

/** The median effect over the pairs that narrow to the same final width, each pair under one pipelining policy. */
export interface EffectSummary {
  readonly narrowFinalWidth: number;
  /** Distinct full widths the pairs narrow from, ascending. */
  readonly fromWidths: readonly number[];
  readonly pairs: number;
  readonly lut4: MedianChange | null;
  readonly criticalPathNs: MedianChange | null;
  readonly fmaxMHz: MedianChange | null;
  /** The median change of the core's latency in cycles (narrow minus full width). */
  readonly latencyCycles: { readonly cycles: number; readonly pairs: number } | null;
  readonly latencyAtFmaxNs: MedianChange | null;
  readonly gates: MedianChange | null;
  readonly liveGates: MedianChange | null;
  /** The policies of the compared pairs, most pairs first. */
  readonly pipelining: readonly PolicyCount[];
  /** Pairs built under two policies, named and left out of every median. */
  readonly policyDiffers: readonly FinalLayerEffect[];
  /** Medians of the LUT4 change's split (percentage points), over the pairs that have it. */
  readonly lut4Split: { readonly headPoints: number; readonly restPoints: number; readonly pairs: number } | null;
  /** Compared pairs with neither a LUT4 nor a critical-path change (failed or pending builds). */
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
        const pipelining = { full: full.build?.pipelinePolicy ?? null, narrow: narrow.build?.pipelinePolicy ?? null };
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
          latencyCycles: change(full.build?.latencyCycles, narrow.build?.latencyCycles),
          latencyAtFmaxNs: change(full.build?.latencyAtFmaxNs, narrow.build?.latencyAtFmaxNs),
          pipelining,
          policyDiffers: pipelining.full !== null && pipelining.narrow !== null && pipelining.full !== pipelining.narrow,
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

/** The policy a compared pair was built under: null unless both sides recorded it. */
function pairPolicy(effect: FinalLayerEffect): string | null {
  return effect.pipelining.full !== null && effect.pipelining.full === effect.pipelining.narrow ? effect.pipelining.full : null;
}

function policyCounts(effects: readonly FinalLayerEffect[]): PolicyCount[] {
  const counts = new Map<string | null, number>();
  for (const effect of effects) counts.set(pairPolicy(effect), (counts.get(pairPolicy(effect)) ?? 0) + 1);
  return [...counts.entries()].map(([policy, pairs]) => ({ policy, pairs })).sort((a, b) => b.pairs - a.pairs);
}

function medianCycles(effects: readonly FinalLayerEffect[]): EffectSummary['latencyCycles'] {
  const deltas = effects.flatMap((e) => (e.latencyCycles ? [e.latencyCycles.to - e.latencyCycles.from] : []));
  return deltas.length === 0 ? null : { cycles: median(deltas), pairs: deltas.length };
}

/** One summary per narrow final width, ascending; pairs built under two pipelining policies are named, not counted. */
export function summariseFinalLayerEffect(effects: readonly FinalLayerEffect[]): EffectSummary[] {
  const byNarrowWidth = new Map<number, FinalLayerEffect[]>();
  for (const effect of effects) {
    const list = byNarrowWidth.get(effect.narrow.finalWidth) ?? [];
    list.push(effect);
    byNarrowWidth.set(effect.narrow.finalWidth, list);
  }
  return [...byNarrowWidth.entries()]
    .sort(([a], [b]) => a - b)
    .map(([narrowFinalWidth, all]) => {
      const list = all.filter((e) => !e.policyDiffers);
      return {
        narrowFinalWidth,
        fromWidths: [...new Set(all.map((e) => e.full.finalWidth))].sort((a, b) => a - b),
        pairs: all.length,
        lut4: medianChange(list.map((e) => e.lut4)),
        criticalPathNs: medianChange(list.map((e) => e.criticalPathNs)),
        fmaxMHz: medianChange(list.map((e) => e.fmaxMHz)),
        latencyCycles: medianCycles(list),
        latencyAtFmaxNs: medianChange(list.map((e) => e.latencyAtFmaxNs)),
        gates: medianChange(list.map((e) => e.gates)),
        liveGates: medianChange(list.map((e) => e.liveGates)),
        pipelining: policyCounts(list),
        policyDiffers: all.filter((e) => e.policyDiffers),
        lut4Split: medianSplit(list),
        skipped: list.filter((e) => !e.lut4 && !e.criticalPathNs).length,
      };
    });
}

/** A signed percentage with one decimal: '-71.3%', '+4.0%', '0.0%'. */
export function signedPercent(percent: number): string {
  const text = percent.toFixed(1);
  if (Number(text) === 0) return '0.0%';
  return `${percent > 0 ? '+' : ''}${text}%`;
}

function pairsText(pairs: number): string {
  return `median over ${pairCount(pairs)}`;
}

function pairCount(pairs: number): string {
  return `${pairs} pair${pairs === 1 ? '' : 's'}`;
}

/** '+1 cycle', '0 cycles', '-0.5 cycles'. */
export function signedCycles(cycles: number): string {
  return `${cycles > 0 ? '+' : ''}${cycles} cycle${Math.abs(cycles) === 1 ? '' : 's'}`;
}

/** " Fmax changed by +21.2%, the core's latency by +1 cycle and by -30.1% in ns at Fmax (medians over 4 pairs)." or ''. */
function timingSentence(summary: EffectSummary): string {
  const { fmaxMHz: fmax, latencyCycles: cycles, latencyAtFmaxNs: ns } = summary;
  const latency = "the core's latency";
  const parts = [
    fmax ? { subject: 'Fmax', change: `by ${signedPercent(fmax.percent)}`, pairs: fmax.pairs } : null,
    cycles ? { subject: latency, change: `by ${signedCycles(cycles.cycles)}`, pairs: cycles.pairs } : null,
    // After the cycles, the same subject goes without saying.
    ns ? { subject: cycles ? '' : latency, change: `by ${signedPercent(ns.percent)} in ns at Fmax`, pairs: ns.pairs } : null,
  ].filter((part) => part !== null);
  if (parts.length === 0) return '';
  const oneCount = parts.every((part) => part.pairs === parts[0]!.pairs);
  const texts = parts.map((part, i) => {
    const subject = i === 0 ? `${part.subject.charAt(0).toUpperCase()}${part.subject.slice(1)} changed` : part.subject;
    return `${subject ? `${subject} ` : ''}${part.change}${oneCount ? '' : ` (${pairsText(part.pairs)})`}`;
  });
  const joined = texts.length === 1 ? texts[0]! : `${texts.slice(0, -1).join(', ')} and ${texts[texts.length - 1]!}`;
  const medians = `median${parts.length > 1 ? 's' : ''} over ${pairCount(parts[0]!.pairs)}`;
  return ` ${joined}${oneCount ? ` (${medians})` : ''}.`;
}

/** Which pipelining policy the compared pairs were built under, and which pairs mixed two; '' when none is recorded. */
function policySentence(summary: EffectSummary): string {
  let sentence = '';
  const recorded = summary.pipelining.filter((p) => p.policy !== null);
  if (recorded.length > 0) {
    const unrecorded = summary.pipelining.find((p) => p.policy === null);
    sentence += recorded.length === 1 && !unrecorded
      ? ` Both cells of every pair compared were built under ${recorded[0]!.policy}.`
      : ` Both cells of each pair compared were built under one pipelining policy: ${recorded.map((p) => `${p.policy} (${pairCount(p.pairs)})`).join(', ')}${unrecorded ? `; not recorded for ${pairCount(unrecorded.pairs)}` : ''}.`;
  }
  const differ = summary.policyDiffers;
  if (differ.length > 0) {
    const named = differ.map((e) => `${e.narrow.cell} (${e.pipelining.narrow}) against ${e.full.cell} (${e.pipelining.full})`);
    sentence += ` ${pairCount(differ.length)} built under two pipelining policies left out of the medians: ${named.join('; ')}.`;
  }
  return sentence;
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
  } else if (summary.policyDiffers.length === summary.pairs) {
    sentence = `${subject}: no pair was built under one pipelining policy on both sides, so none is compared.`;
  } else {
    sentence = `${subject}: no pair has LUT4 or critical-path figures on both sides yet.`;
  }
  if (summary.skipped > 0) sentence += ` ${summary.skipped} of ${summary.pairs} pairs skipped for want of figures (failed or pending builds).`;
  if (summary.gates && summary.liveGates) {
    sentence += ` Nominal gates changed by ${signedPercent(summary.gates.percent)}, live gates by ${signedPercent(summary.liveGates.percent)} (medians).`;
  }
  if (summary.lut4Split) {
    const points = (x: number): string => `${signedPercent(x).replace('%', '')} points`;
    sentence += ` Of the LUT4 change, the popcount head (GroupSum and argmax synthesised alone) accounts for ${points(summary.lut4Split.headPoints)} and the layers (cones pruned or kept) for ${points(summary.lut4Split.restPoints)} (medians over ${pairCount(summary.lut4Split.pairs)}).`;
  }
  return sentence + timingSentence(summary) + policySentence(summary);
}
