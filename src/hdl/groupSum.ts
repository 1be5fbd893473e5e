import type { FpgaFamily } from '../board/devices.js';
import { UserError } from '../util/errors.js';
import { bitsFor, zext } from './bits.js';
import { carryAdderModule, carryTreeLines, CHAINED_FAMILIES } from './carryHead.js';
import type { HeadCut } from './cuts.js';

export { bitsFor, zext };

/**
 * GroupSum and argmax in Verilog: per-class popcounts and the comparator tree that picks the class.
 *
 * 'tree' (the default without a family): a carry-save tree of full adders. The class's bits sit in columns by
 * weight; every round, each column's bits are taken three at a time by full adders (sum to the
 * same column, carry to the next), until no column holds more than two bits, and one adder of
 * exactly the sum's width adds the two rows. Every full adder removes one bit, so n bits cost
 * n - log2(n) full adders (two LUT4s each): the least any 3-input compressor can do on LUT4s.
 * Columns at or above the sum's width are never produced (those carries are provably 0).
 * 'binary': a balanced binary tree of `+`, every adder just wide enough for the largest value it
 * can produce, over full-adder leaves. 'chain': one `+` per bit, left to right, each at full sum
 * width; the plain form of public LGN exporters, kept for the benchmark. (Yosys merges a chain of
 * `+` into one multi-operand adder, so 'chain' is not as bad on iCE40 as it reads.)
 * 'carry': a tree of ripple-carry adders on the family's carry cells, one logic cell per full
 * adder (src/hdl/carryHead.ts); it needs the FPGA family.
 * 'auto' chooses per family: the head measured smallest there (scripts/bench-sim), 'tree' when the
 * family is not known (a bare `gatebench emit`).
 */
export type GroupSumStyle = 'tree' | 'binary' | 'chain' | 'carry';
export const GROUPSUM_STYLES: readonly GroupSumStyle[] = ['tree', 'binary', 'chain', 'carry'];
export type GroupSumChoice = GroupSumStyle | 'auto';
export const GROUPSUM_CHOICES: readonly GroupSumChoice[] = ['auto', ...GROUPSUM_STYLES];

/**
 * The head 'auto' picks per family: the fewest LUTs in scripts/bench-sim (100 to 1000 bits, k = 10).
 * Not yet 'carry' on Gowin: its adders take carry-ins from logic, and nextpnr-himbaechel's routed
 * netlist of such a head simulated with X class sums (95 of 150 vectors, sim --level routed), which
 * is unresolved (our ALU model, or the placement bug public notes describe for that case).
 */
export const DEFAULT_GROUPSUM: Readonly<Record<FpgaFamily, GroupSumStyle>> = { ice40: 'carry', ecp5: 'carry', gowin: 'tree' };

/** The style a choice means for a family (undefined: not known), checked: 'carry' needs a family. */
export function resolveGroupSum(choice: GroupSumChoice, family: FpgaFamily | undefined): GroupSumStyle {
  if (choice === 'auto') return family ? DEFAULT_GROUPSUM[family] : 'tree';
  if (choice === 'carry' && !family) throw new UserError("--groupsum carry: needs the FPGA family whose carry cells it uses (a --board, or emit's --family)");
  return choice;
}


interface Item {
  expr: string;
  width: number;
  max: number;
}

/**
 * Lines declaring `wire [sumWidth-1:0] out` = number of ones among `bits` (Verilog expressions of
 * one bit each) plus the constant `constant`. Names of intermediate wires start with `prefix`.
 */
export function popcountLines(style: GroupSumStyle, prefix: string, out: string, bits: string[], constant: number, sumWidth: number): string[] {
  const lines: string[] = [];
  const total = bits.length + constant;
  if (bitsFor(total) > sumWidth) throw new Error(`internal: ${total} does not fit in ${sumWidth} bits`);
  const decl = `wire [${sumWidth - 1}:0] ${out}`;
  if (total === 0) return [`${decl} = ${sumWidth}'d0;`];
  if (style === 'carry') throw new Error("internal: the 'carry' popcount is emitted by headLines (it needs the adder module)");
  if (style === 'chain') {
    const terms = bits.map((b) => zext(b, 1, sumWidth));
    if (constant > 0) terms.push(`${sumWidth}'d${constant}`);
    return [`${decl} = ${terms.join(' + ')};`];
  }
  if (style === 'tree') return [...lines, ...carrySaveLines(prefix, out, bits, constant, sumWidth)];
  const items: Item[] = [];
  let n = 0;
  for (let i = 0; i < bits.length; i += 3) {
    const group = bits.slice(i, i + 3);
    const name = `${prefix}_f${n++}`;
    if (group.length === 1) {
      items.push({ expr: group[0]!, width: 1, max: 1 });
    } else if (group.length === 2) {
      const [a, b] = group as [string, string];
      lines.push(`wire [1:0] ${name} = {${a} & ${b}, ${a} ^ ${b}};`);
      items.push({ expr: name, width: 2, max: 2 });
    } else {
      const [a, b, c] = group as [string, string, string];
      lines.push(`wire [1:0] ${name} = {(${a} & ${b}) | (${c} & (${a} ^ ${b})), ${a} ^ ${b} ^ ${c}};`);
      items.push({ expr: name, width: 2, max: 3 });
    }
  }
  if (constant > 0) items.push({ expr: `${bitsFor(constant)}'d${constant}`, width: bitsFor(constant), max: constant });
  return [...lines, ...addTreeLines(prefix, out, items, sumWidth)];
}

/**
 * Lines declaring `wire [sumWidth-1:0] out` = the sum of `items` (at least one), as a balanced
 * binary tree of `+`, every adder just wide enough for the largest value it can produce.
 */
function addTreeLines(prefix: string, out: string, operands: readonly Item[], sumWidth: number): string[] {
  const lines: string[] = [];
  let items = [...operands];
  for (let level = 0; items.length > 1; level++) {
    const next: Item[] = [];
    for (let i = 0; i + 1 < items.length; i += 2) {
      const a = items[i]!;
      const b = items[i + 1]!;
      const max = a.max + b.max;
      const width = bitsFor(max);
      const name = `${prefix}_t${level}_${i / 2}`;
      lines.push(`wire [${width - 1}:0] ${name} = ${zext(a.expr, a.width, width)} + ${zext(b.expr, b.width, width)};`);
      next.push({ expr: name, width, max });
    }
    if (items.length % 2 === 1) next.push(items[items.length - 1]!);
    items = next;
  }
  const root = items[0]!;
  lines.push(`wire [${sumWidth - 1}:0] ${out} = ${zext(root.expr, root.width, sumWidth)};`);
  return lines;
}

/** The carry-save full-adder tree of 'tree' (see the top of this file). */
function carrySaveLines(prefix: string, out: string, bits: string[], constant: number, sumWidth: number): string[] {
  const lines: string[] = [];
  let columns: string[][] = Array.from({ length: sumWidth }, () => []);
  columns[0]!.push(...bits);
  for (let w = 0; w < sumWidth; w++) if ((constant >> w) & 1) columns[w]!.push("1'b1");
  let n = 0;
  while (columns.some((c) => c.length > 2)) {
    const next: string[][] = Array.from({ length: sumWidth }, () => []);
    for (let w = 0; w < sumWidth; w++) {
      const column = columns[w]!;
      let i = 0;
      for (; column.length - i >= 3; i += 3) {
        const [a, b, c] = column.slice(i, i + 3) as [string, string, string];
        const name = `${prefix}_a${n++}`;
        lines.push(`wire ${name}_s = ${a} ^ ${b} ^ ${c};`);
        next[w]!.push(`${name}_s`);
        // The top column's carries would have weight 2^sumWidth: the sum fits, so they are 0.
        if (w + 1 < sumWidth) {
          lines.push(`wire ${name}_c = (${a} & ${b}) | (${c} & (${a} ^ ${b}));`);
          next[w + 1]!.push(`${name}_c`);
        }
      }
      next[w]!.push(...column.slice(i));
    }
    columns = next;
  }
  const row = (k: number): string => `{${columns.map((c) => c[k] ?? "1'b0").reverse().join(', ')}}`;
  const decl = `wire [${sumWidth - 1}:0] ${out}`;
  if (columns.every((c) => c.length < 2)) lines.push(`${decl} = ${row(0)};`);
  else lines.push(`${decl} = ${row(0)} + ${row(1)};`);
  return lines;
}

/** Lines of a head part, with the registers of the pipeline cuts inside it (declarations and clocked assignments). */
export interface StagedLines {
  lines: string[];
  regs: string[];
  seq: string[];
}

/** The comparator levels of an argmax over `classes` sums. */
export function argmaxLevels(classes: number): number {
  return classes <= 1 ? 0 : Math.ceil(Math.log2(classes));
}

/**
 * Lines computing `wire [idxWidth-1:0] out`: the index of the largest of `sums` (each sumWidth
 * bits), lowest index on ties. A balanced tree of comparators where the right (higher-index) side
 * wins only when strictly greater; since every left subtree holds lower indices than its right
 * sibling, the lowest index wins ties at every level, as in the reference.
 * `cutAfterLevel` L registers what leaves level L (the maxima and indices, and any item passed
 * through unpaired) as `${name}_h`: a pipeline cut inside the argmax.
 */
export function argmaxLines(prefix: string, out: string, sums: string[], sumWidth: number, idxWidth: number, cutAfterLevel?: number): StagedLines {
  const regs: string[] = [];
  const seq: string[] = [];
  if (sums.length === 1) return { lines: [`wire [${idxWidth - 1}:0] ${out} = ${idxWidth}'d0;`], regs, seq };
  const lines: string[] = [];
  const register = (expr: string, width: number): string => {
    // A constant index needs no register.
    if (/^\d+'d\d+$/.test(expr)) return expr;
    const name = `${expr}_h`;
    regs.push(`reg [${width - 1}:0] ${name};`);
    seq.push(`${name} <= ${expr};`);
    return name;
  };
  let items = sums.map((expr, c) => ({ value: expr, index: `${idxWidth}'d${c}` }));
  for (let level = 0; items.length > 1; level++) {
    const next: { value: string; index: string }[] = [];
    const finalLevel = items.length === 2;
    for (let i = 0; i + 1 < items.length; i += 2) {
      const a = items[i]!;
      const b = items[i + 1]!;
      const name = `${prefix}${level}_${i / 2}`;
      lines.push(`wire ${name}_gt = ${b.value} > ${a.value};`);
      if (!finalLevel) lines.push(`wire [${sumWidth - 1}:0] ${name}_max = ${name}_gt ? ${b.value} : ${a.value};`);
      lines.push(`wire [${idxWidth - 1}:0] ${name}_idx = ${name}_gt ? ${b.index} : ${a.index};`);
      next.push({ value: `${name}_max`, index: `${name}_idx` });
    }
    if (items.length % 2 === 1) next.push(items[items.length - 1]!);
    // After the final level only the index is left (its maximum is never declared).
    items = level === cutAfterLevel ? next.map((item) => (finalLevel ? { ...item, index: register(item.index, idxWidth) } : { value: register(item.value, sumWidth), index: register(item.index, idxWidth) })) : next;
  }
  lines.push(`wire [${idxWidth - 1}:0] ${out} = ${items[0]!.index};`);
  return { lines, regs, seq };
}

export const GROUPSUM_DESCRIPTIONS: Record<GroupSumStyle, string> = {
  carry: 'tree of ripple-carry adders on the carry cells',
  tree: 'carry-save full-adder tree, then one adder',
  binary: 'full adders, then a balanced binary tree of minimal-width adders',
  chain: 'a chain of +',
};

/** One class's popcount input: bits (one-bit Verilog expressions) plus a constant count of ones. */
export interface ClassBits {
  bits: string[];
  constant: number;
}

export interface HeadOptions {
  style: GroupSumStyle;
  /** The family whose carry cells 'carry' uses (required for it). */
  family?: FpgaFamily;
  /** Prefix of the extra modules' names (the carry adder is `${modulePrefix}_add`). */
  modulePrefix: string;
  sumWidth: number;
  idxWidth: number;
  /** Emit the argmax (default true). */
  argmax?: boolean;
  /** Pipeline cuts inside the head (src/hdl/cuts.ts); default none. */
  cuts?: readonly HeadCut[];
}

export interface Head extends StagedLines {
  /** Lines inside the module: wires sum0..sum{K-1} of sumWidth bits and idx (the argmax, idxWidth bits). */
  lines: string[];
  /** The class sums in the stage of idx, as the outputs read them (sumK, or its registered copy after a cut). */
  sums: string[];
  /** Modules the lines instantiate, to be written after the module (may be empty). */
  modules: string[];
  /** The cuts' register declarations and their clocked assignments. */
  regs: string[];
  seq: string[];
}

/** The groups the 'adder' cut counts separately: about sqrt(n) groups of about sqrt(n) bits, so the cut halves the tree's depth. */
export function adderCutGroups<T>(bits: readonly T[]): T[][] {
  const count = Math.max(1, Math.round(Math.sqrt(bits.length)));
  const size = Math.ceil(bits.length / count);
  const groups: T[][] = [];
  for (let i = 0; i < bits.length; i += size) groups.push(bits.slice(i, i + size));
  return groups;
}

/** The GroupSum popcounts of every class and the argmax over them: the head of a core. */
export function headLines(classes: readonly ClassBits[], o: HeadOptions): Head {
  const lines: string[] = [];
  const sums: string[] = [];
  const modules: string[] = [];
  const regs: string[] = [];
  const seq: string[] = [];
  const cuts = o.cuts ?? [];
  const adder = `${o.modulePrefix}_add`;
  let adders = 0;
  const registered = (name: string, width: number, suffix = '_h'): string => {
    regs.push(`reg [${width - 1}:0] ${name}${suffix};`);
    seq.push(`${name}${suffix} <= ${name};`);
    return `${name}${suffix}`;
  };
  const popcount = (prefix: string, out: string, bits: string[], constant: number, width: number): void => {
    if (o.style === 'carry') {
      const tree = carryTreeLines(prefix, out, adder, bits, constant, width, { chain: o.family !== undefined && CHAINED_FAMILIES.includes(o.family) });
      lines.push(...tree.lines);
      adders += tree.adders;
    } else {
      lines.push(...popcountLines(o.style, prefix, out, bits, constant, width));
    }
  };
  classes.forEach((c, k) => {
    const out = `sum${k}`;
    if (cuts.includes('adder') && c.bits.length > 0) {
      // The cut inside the adder tree: each group's count registered, the counts (and the constant) added after it.
      const counts = adderCutGroups(c.bits).map((group, g) => {
        const width = bitsFor(group.length);
        popcount(`c${k}g${g}`, `c${k}_g${g}`, group, 0, width);
        return { expr: registered(`c${k}_g${g}`, width), width, max: group.length };
      });
      if (c.constant > 0) counts.push({ expr: `${bitsFor(c.constant)}'d${c.constant}`, width: bitsFor(c.constant), max: c.constant });
      lines.push(...addTreeLines(`c${k}_p`, out, counts, o.sumWidth));
    } else {
      popcount(`c${k}`, out, c.bits, c.constant, o.sumWidth);
    }
    sums.push(out);
  });
  // The adder module only when instantiated (an unused module is a second top for lint and yosys).
  if (adders > 0) {
    if (!o.family) throw new Error("internal: the 'carry' head needs a family");
    modules.push(carryAdderModule(adder, o.family));
  }
  // The 'sums' cut: the argmax and the outputs read the registered sums, one cycle later.
  let stageSums = cuts.includes('sums') ? sums.map((name) => registered(name, o.sumWidth)) : sums;
  if (o.argmax ?? true) {
    if (cuts.includes('argmax') && classes.length < 2) throw new UserError("pipeline cut 'argmax': the model has one class, so no argmax to cut");
    // After the first half of the levels (a two-class argmax: after its only level, registering idx).
    const argmaxCut = cuts.includes('argmax') ? Math.max(0, Math.floor(argmaxLevels(classes.length) / 2) - 1) : undefined;
    const argmax = argmaxLines('cmp', 'idx', stageSums, o.sumWidth, o.idxWidth, argmaxCut);
    lines.push(...argmax.lines);
    regs.push(...argmax.regs);
    seq.push(...argmax.seq);
    // The outputs' copy of the sums, one cycle later like idx (argmax levels of 1: the cut registers idx itself).
    if (argmaxCut !== undefined) stageSums = stageSums.map((name) => registered(name, o.sumWidth, '_o'));
  }
  return { lines, sums: stageSums, modules, regs, seq };
}
