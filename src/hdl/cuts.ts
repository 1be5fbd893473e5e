import { UserError } from '../util/errors.js';

/**
 * Where a core's pipeline registers go. Every cut adds one clock cycle of latency and splits one
 * combinational stretch in two.
 *
 * Along the datapath, in order: the layers (a cut before layer b, for b = 1..L-1, or b = L:
 * between the last layer and the head), then the head's three positions:
 * - 'adder': inside each class's popcount: the class's bits are counted in groups of about
 *   sqrt(n) bits, the group counts registered, then added;
 * - 'sums': the class sums registered before the argmax (what --head-pipeline 1 always was);
 * - 'argmax': inside the comparator tree, after its first half of levels.
 */
export type HeadCut = 'adder' | 'sums' | 'argmax';

/** The head's cut positions in datapath order. */
export const HEAD_CUT_POSITIONS: readonly HeadCut[] = ['adder', 'sums', 'argmax'];

/** What --head-pipeline N means: the first N of these ('sums' first, as before the other cuts existed). */
export const HEAD_CUTS_BY_COUNT: readonly HeadCut[] = ['sums', 'adder', 'argmax'];

/** Cuts inside the head --head-pipeline offers. */
export const MAX_HEAD_CUTS = HEAD_CUTS_BY_COUNT.length;

export interface PipelineCuts {
  /** Layer boundaries b (1..L, ascending): a register stage before layer b (b = L: before the head). */
  readonly layers: readonly number[];
  /** Cuts inside the head, in datapath order (HEAD_CUT_POSITIONS). */
  readonly head: readonly HeadCut[];
}

export const NO_CUTS: PipelineCuts = { layers: [], head: [] };

/** Cuts of `--pipeline P --head-pipeline N`: a register before every P-th layer boundary, and the first N head cuts. */
export function regularCuts(pipeline: number, headCuts: number, layerCount: number): PipelineCuts {
  if (!Number.isInteger(pipeline) || pipeline < 0 || pipeline > layerCount) {
    throw new UserError(`--pipeline: expected an integer from 0 to ${layerCount} (the model has ${layerCount} layers), got ${pipeline}`);
  }
  if (!Number.isInteger(headCuts) || headCuts < 0 || headCuts > MAX_HEAD_CUTS) throw new UserError(`--head-pipeline: expected 0 to ${MAX_HEAD_CUTS} (cuts inside the popcount head), got ${headCuts}`);
  const layers = pipeline === 0 ? [] : Array.from({ length: Math.floor(layerCount / pipeline) }, (_, i) => (i + 1) * pipeline);
  return normaliseCuts({ layers, head: HEAD_CUTS_BY_COUNT.slice(0, headCuts) }, layerCount);
}

/** The same cuts, checked against the layer count, sorted and without repeats. */
export function normaliseCuts(cuts: PipelineCuts, layerCount: number): PipelineCuts {
  for (const b of cuts.layers) {
    if (!Number.isInteger(b) || b < 1 || b > layerCount) throw new UserError(`pipeline cut before layer ${b}: expected a layer boundary from 1 to ${layerCount} (the model has ${layerCount} layers)`);
  }
  for (const h of cuts.head) if (!HEAD_CUT_POSITIONS.includes(h)) throw new UserError(`pipeline cut '${h}': expected one of ${HEAD_CUT_POSITIONS.join(', ')}`);
  return { layers: [...new Set(cuts.layers)].sort((a, b) => a - b), head: HEAD_CUT_POSITIONS.filter((h) => cuts.head.includes(h)) };
}

/**
 * The (pipeline P, head cuts N) whose regularCuts are exactly these, or null. Such cuts are
 * emitted with the header they always had, so their design (and its cached build) stays the same.
 */
export function asRegular(cuts: PipelineCuts, layerCount: number): { pipeline: number; headCuts: number } | null {
  const headCuts = cuts.head.length;
  if (!sameCuts({ layers: [], head: cuts.head }, regularCuts(0, headCuts, layerCount))) return null;
  for (let p = 0; p <= layerCount; p++) if (sameCuts(regularCuts(p, headCuts, layerCount), cuts)) return { pipeline: p, headCuts };
  return null;
}

export function sameCuts(a: PipelineCuts, b: PipelineCuts): boolean {
  return a.layers.join(',') === b.layers.join(',') && a.head.join(',') === b.head.join(',');
}

/** Register stages the cuts add (cycles of latency on top of the registered inputs and outputs). */
export function cutCount(cuts: PipelineCuts): number {
  return cuts.layers.length + cuts.head.length;
}

/** "none" / "before layers 1,2; head: sums, argmax". */
export function describeCuts(cuts: PipelineCuts): string {
  const parts = [...(cuts.layers.length ? [`before layer${cuts.layers.length > 1 ? 's' : ''} ${cuts.layers.join(',')}`] : []), ...(cuts.head.length ? [`head: ${cuts.head.join(', ')}`] : [])];
  return parts.length ? parts.join('; ') : 'none';
}

/**
 * The pipelining policy a core was built under, in the flags that ask for it: '--pipeline auto'
 * (cuts placed by timing, `searched`), '--pipeline P [--head-pipeline N]' for regular cuts, else
 * 'fixed cuts (...)'. Two builds are comparable under one policy when these texts are equal.
 */
export function describePolicy(cuts: PipelineCuts, searched: boolean, layerCount: number): string {
  if (searched) return '--pipeline auto';
  const regular = asRegular(cuts, layerCount);
  if (!regular) return `fixed cuts (${describeCuts(cuts)})`;
  return `--pipeline ${regular.pipeline}${regular.headCuts ? ` --head-pipeline ${regular.headCuts}` : ''}`;
}
