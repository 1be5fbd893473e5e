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
  // yosys' autoname names a cell "<net>_<TYPE>_<PORT>..." after a public net on one of its ports:
  // the register itself is on its Q; a cell reading x_q on an input lies somewhere downstream.
  // After abc9 an output register's Q net is the port's (sums_DFF_Q_52), a cell feeding it is not.
  if (/^(sums_q|class_idx_q|valid_q)/.test(local) || /^(sums|class_idx|valid)_[A-Z0-9_]*?FF[A-Z]*_Q(_\d+)?$/.test(local)) return layerCount + 2;
  if (/^(x_q\d|x\d+_s\d|x\[)/.test(local)) return /^x_q\d+_[A-Z0-9_]*?(LUT\d|ALU|CCU2C|CARRY|MUX\w*)_(I\d|[A-D]\d?|CIN|SEL)/.test(local) ? null : -1;
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
  /** Delay of the steps in the head (popcounts and argmax: their cells and the nets they drive); null when the path is not located. */
  readonly headNs: number | null;
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

/**
 * Whether any logic on the path has a core section by name (a layer, the popcounts, the argmax).
 * Not when synthesis renamed the cells: abc9 (synth_gowin's only LUT mapper in yosys 0.70) maps the
 * logic anew, and autoname then names each cell after the nearest register net.
 */
const located = (stretches: readonly TimedSection[], layerCount: number): boolean => stretches.some((s) => s.logic && s.section >= 0 && s.section <= layerCount + 1);

/** What pathWhere lists for a path in the core whose logic carries no section names. */
export const NOT_LOCATED = 'not located (cells renamed in synthesis)';

/**
 * Which sections a critical path runs through (for the list of what was tried), and how much of its
 * delay is the head's (null when the path is not located).
 */
export function pathWhere(steps: readonly PathStep[], layerCount: number): PathWhere {
  const { stretches, totalNs, coreNs } = timeline(steps, layerCount);
  if (stretches.length > 0 && !located(stretches, layerCount)) return { sections: [NOT_LOCATED], coreNs, headNs: null, totalNs };
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

/** What the planner knows of a core besides the path: layers, classes, and bits counted per class. */
export interface CoreShape {
  readonly layerCount: number;
  readonly classes: number;
  /** The final layer's width over the classes: each class's popcount input. */
  readonly groupBits: number;
}

type Position = { readonly layer: number; readonly head?: undefined } | { readonly head: HeadCut; readonly layer?: undefined };

/**
 * The cut positions along the datapath with their modelled depth from the input register, in
 * LUT levels: a LUT4 takes in about two layers of 2-input gates; a popcount of g bits is about
 * log2 g adder levels, 'adder' halving them (groups of sqrt g); the argmax is ceil(log2 k)
 * comparator levels of a compare and a select each, 'argmax' after the first half. Only the
 * order and the rough proportions matter: each cut it proposes is confirmed by a real build.
 */
function modelledPositions(shape: CoreShape): { positions: { at: Position; depth: number }[]; total: number } {
  const L = shape.layerCount;
  const layers = L / 2;
  const popcount = Math.log2(Math.max(2, shape.groupBits));
  const argmax = 2 * Math.ceil(Math.log2(Math.max(1, shape.classes)));
  const positions: { at: Position; depth: number }[] = Array.from({ length: L }, (_, i) => ({ at: { layer: i + 1 }, depth: (i + 1) / 2 }));
  positions.push({ at: { head: 'adder' }, depth: layers + popcount / 2 }, { at: { head: 'sums' }, depth: layers + popcount });
  if (shape.classes >= 2) positions.push({ at: { head: 'argmax' }, depth: layers + popcount + argmax / 2 });
  return { positions, total: layers + popcount + argmax };
}

const isCut = (current: PipelineCuts, p: Position): boolean => (p.layer !== undefined ? current.layers.includes(p.layer) : current.head.includes(p.head));

/**
 * Where the depth model (modelledPositions) puts the next cut: the free position nearest the
 * middle of the deepest stage between the cuts already made that has one. For a path that is not
 * located (`located`).
 */
function planByDepth(current: PipelineCuts, shape: CoreShape): { at: Position; depth: number } | null {
  const { positions, total } = modelledPositions(shape);
  const bounds = [0, ...positions.filter((p) => isCut(current, p.at)).map((p) => p.depth), total];
  const stages = bounds.slice(1).map((end, i) => ({ start: bounds[i]!, end })).sort((a, b) => b.end - b.start - (a.end - a.start));
  for (const stage of stages) {
    const inside = positions.filter((p) => !isCut(current, p.at) && p.depth > stage.start && p.depth < stage.end);
    const middle = (stage.start + stage.end) / 2;
    if (inside.length) return inside.reduce((w, p) => (Math.abs(p.depth - middle) < Math.abs(w.depth - middle) ? p : w));
  }
  return null;
}

const describePosition = (p: Position, L: number): string => (p.layer !== undefined ? (p.layer === L ? `before the head (layer boundary ${L})` : `before layer ${p.layer}`) : `head: ${p.head}`);
const withCut = (current: PipelineCuts, p: Position, L: number): PipelineCuts =>
  normaliseCuts(p.layer !== undefined ? { layers: [...current.layers, p.layer], head: current.head } : { layers: current.layers, head: [...current.head, p.head] }, L);

/**
 * The next cuts to try after a build whose critical path is `steps`, or why there is none: the
 * path is outside the core, or runs only where no free cut position is (one layer, or every
 * position it crosses already cut). A path in the core whose logic cells carry none of its names
 * is cut where the depth model says (planByDepth).
 */
export function planNextCut(steps: readonly PathStep[], current: PipelineCuts, shape: CoreShape): PlanOutcome {
  const L = shape.layerCount;
  const { stretches, totalNs } = timeline(steps, L);
  if (stretches.length === 0) return { next: null, reason: 'the critical path runs outside the core (the top around it), where no cut helps' };
  if (!located(stretches, L)) {
    const byDepth = planByDepth(current, shape);
    if (!byDepth) return { next: null, reason: 'every cut position is taken (the path is not located: its cells carry no core names)' };
    return { next: { cuts: withCut(current, byDepth.at, L), added: `${describePosition(byDepth.at, L)} (by the depth model: the path's cells carry no core names)`, atNs: totalNs / 2 } };
  }
  const candidates: (Position & { atNs: number })[] = [];
  for (let i = 0; i < stretches.length; i++) {
    const s = stretches[i]!;
    // Inside the popcounts or the argmax, when the path runs through their logic: the middle of the stretch.
    if (s.section === L && s.logic) candidates.push({ head: 'adder', atNs: (s.startNs + s.endNs) / 2 });
    if (s.section === L + 1 && s.logic && shape.classes >= 2) candidates.push({ head: 'argmax', atNs: (s.startNs + s.endNs) / 2 });
    const next = stretches[i + 1];
    if (!next || next.section <= s.section) continue;
    // Boundaries crossed going forward: b between sections b-1 and b (b = L: before the head; L+1: 'sums').
    for (let b = Math.max(1, s.section + 1); b <= Math.min(next.section, L + 1); b++) candidates.push(b <= L ? { layer: b, atNs: s.endNs } : { head: 'sums', atNs: s.endNs });
  }
  const open = candidates.filter((c) => !isCut(current, c));
  if (open.length === 0) {
    const where = [...new Set(stretches.map((s) => sectionName(s.section, L)))].join(', ');
    return { next: null, reason: `no free cut position on the critical path (${where})` };
  }
  const middle = totalNs / 2;
  const best = open.reduce((w, c) => (Math.abs(c.atNs - middle) < Math.abs(w.atNs - middle) ? c : w));
  return { next: { cuts: withCut(current, best, L), added: describePosition(best, L), atNs: best.atNs } };
}
