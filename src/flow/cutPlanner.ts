import { normaliseCuts, type HeadCut, type PipelineCuts } from '../hdl/cuts.js';
import type { PathStep } from './nextpnr.js';

/**
 * The pipeline planner of `--pipeline auto`: from the critical path of a build, the next cut to
 * try. Pure (no builds): the loop that builds, reads the path and asks again is src/flow/autoPipeline.ts.
 *
 * The core's datapath is a row of sections: the input register, layers 0..L-1, the popcounts, the
 * argmax, the output register. The emitted net names say which section a cell is in (src/hdl/emit.ts:
 * gL_i for layer L, cK_... and sumK for class K's popcount, cmp... and idx for the argmax, x_q and
 * sums_q/class_idx_q for the I/O registers); nextpnr names its cells after those nets (the core's
 * ports are left out: with registered I/O they are the registers' outputs). The planner
 * puts the cut at the free position nearest the middle of the path's delay: a layer boundary the
 * path crosses, the boundary between popcounts and argmax ('sums'), or inside the popcounts
 * ('adder') or the argmax ('argmax') when the path runs through them.
 */

/** Where a path step is: -1 the input register, 0..L-1 a layer, L the popcounts, L+1 the argmax, L+2 the output registers. */
export function sectionOf(name: string, layerCount: number): number | null {
  // The core's own names, under its instance ("core.") or its input port (x[i]).
  const local = name.replace(/^.*?\bcore\./, '');
  if (/^(sums_q|class_idx_q|valid_q)/.test(local)) return layerCount + 2;
  if (/^(x_q\d|x\d+_s\d|x\[)/.test(local)) return -1;
  const layer = /^g(\d+)_\d+/.exec(local);
  if (layer) return Number(layer[1]);
  if (/^(c\d+|sum\d+)/.test(local)) return layerCount;
  if (/^(cmp\d|idx($|[_[]))/.test(local)) return layerCount + 1;
  return null;
}

/** A readable name of a section. */
export function sectionName(section: number, layerCount: number): string {
  if (section < 0) return 'input register';
  if (section < layerCount) return `layer ${section}`;
  return section === layerCount ? 'popcount' : section === layerCount + 1 ? 'argmax' : 'output register';
}

export interface PathWhere {
  /** The sections the path runs through, in path order (each once). */
  readonly sections: readonly string[];
  /** Delay of the steps in core sections, over the whole path's. */
  readonly coreNs: number;
  /** Delay of the steps in the head (popcounts and argmax: their cells and the nets they drive). */
  readonly headNs: number;
  readonly totalNs: number;
}

interface TimedSection {
  section: number;
  startNs: number;
  endNs: number;
  /** Whether a cell's logic of the section is on the path (not only a register the path starts at). */
  logic: boolean;
}

/** The path as stretches of sections with their start and end time; unnamed steps belong to the section before them. */
function timeline(steps: readonly PathStep[], layerCount: number): { stretches: TimedSection[]; totalNs: number; coreNs: number } {
  const stretches: TimedSection[] = [];
  let t = 0;
  let coreNs = 0;
  let current: number | null = null;
  for (const step of steps) {
    const named = sectionOf(step.name, layerCount);
    // A step outside the core (or unnamed) before any core step is not placed; after one, it stays in its section.
    const section: number | null = named ?? current;
    if (section !== null) {
      coreNs += step.delayNs;
      const last = stretches[stretches.length - 1];
      if (last && last.section === section) last.endNs = t + step.delayNs;
      else stretches.push({ section, startNs: t, endNs: t + step.delayNs, logic: false });
      if (step.type === 'logic') stretches[stretches.length - 1]!.logic = true;
      current = section;
    }
    t += step.delayNs;
  }
  return { stretches, totalNs: t, coreNs };
}

/** Which sections a critical path runs through (for the list of what was tried), and how much of its delay is the head's. */
export function pathWhere(steps: readonly PathStep[], layerCount: number): PathWhere {
  const { stretches, totalNs, coreNs } = timeline(steps, layerCount);
  const sections = [...new Set(stretches.map((s) => sectionName(s.section, layerCount)))];
  const head = stretches.filter((s) => s.section === layerCount || s.section === layerCount + 1);
  return { sections, coreNs, headNs: head.reduce((ns, s) => ns + s.endNs - s.startNs, 0), totalNs };
}

export interface CutCandidate {
  readonly cuts: PipelineCuts;
  /** The position added: "before layer 2", "head: sums". */
  readonly added: string;
  /** Where on the path it falls, ns from the path's start (the planner takes the one nearest the middle). */
  readonly atNs: number;
}

export type PlanOutcome = { readonly next: CutCandidate } | { readonly next: null; readonly reason: string };

/**
 * The next cuts to try after a build whose critical path is `steps`, or why there is none: the
 * path is outside the core, or runs only where no free cut position is (one layer, or every
 * position it crosses already cut).
 */
export function planNextCut(steps: readonly PathStep[], current: PipelineCuts, layerCount: number, classes: number): PlanOutcome {
  const L = layerCount;
  const { stretches, totalNs } = timeline(steps, L);
  if (stretches.length === 0) return { next: null, reason: 'the critical path runs outside the core (the top around it), where no cut helps' };
  const candidates: { layer?: number; head?: HeadCut; atNs: number }[] = [];
  const free = (c: { layer?: number; head?: HeadCut }): boolean => (c.layer !== undefined ? !current.layers.includes(c.layer) : !current.head.includes(c.head!));
  for (let i = 0; i < stretches.length; i++) {
    const s = stretches[i]!;
    // Inside the popcounts or the argmax, when the path runs through their logic: the middle of the stretch.
    if (s.section === L && s.logic) candidates.push({ head: 'adder', atNs: (s.startNs + s.endNs) / 2 });
    if (s.section === L + 1 && s.logic && classes >= 2) candidates.push({ head: 'argmax', atNs: (s.startNs + s.endNs) / 2 });
    const next = stretches[i + 1];
    if (!next || next.section <= s.section) continue;
    // Boundaries crossed going forward: b between sections b-1 and b (b = L: before the head; L+1: 'sums').
    for (let b = Math.max(1, s.section + 1); b <= Math.min(next.section, L + 1); b++) candidates.push(b <= L ? { layer: b, atNs: s.endNs } : { head: 'sums', atNs: s.endNs });
  }
  const open = candidates.filter(free);
  if (open.length === 0) {
    const where = [...new Set(stretches.map((s) => sectionName(s.section, L)))].join(', ');
    return { next: null, reason: `no free cut position on the critical path (${where})` };
  }
  const middle = totalNs / 2;
  const best = open.reduce((w, c) => (Math.abs(c.atNs - middle) < Math.abs(w.atNs - middle) ? c : w));
  const cuts = normaliseCuts(best.layer !== undefined ? { layers: [...current.layers, best.layer], head: current.head } : { layers: current.layers, head: [...current.head, best.head!] }, L);
  const added = best.layer !== undefined ? (best.layer === L ? `before the head (layer boundary ${L})` : `before layer ${best.layer}`) : `head: ${best.head}`;
  return { next: { cuts, added, atNs: best.atNs } };
}
