import type { FpgaFamily } from '../board/devices.js';
import { bitsFor, zext } from './bits.js';

/**
 * The 'carry' popcount: a tree of ripple-carry adders mapped by hand onto the family's carry
 * logic, so that one logic cell (iCE40 SB_LUT4 + SB_CARRY, half an ECP5 CCU2C, one Gowin ALU)
 * does a full adder, where yosys' own mapping of a sum of bits uses two LUT4s per full adder.
 *
 * Each adder takes two operands of width w and a carry-in, and gives w or w+1 bits: w cells, plus
 * one for the carry out when the sum can reach 2^w (on every family a carry leaves the chain only
 * through the next cell's sum), plus one the placer adds to bring a carry-in from logic onto the
 * chain. Half of the class's bits are operands, the other half enter as carry-ins (constant ones
 * of folded neurons first: a constant carry-in costs nothing), so the leaves add three bits and
 * every adder of width w holds up to 2^(w+1)-1 with no wasted bit. The leaves (three bits into
 * two) are LUT full adders: two LUTs, where a chain would take three cells.
 * The adders are written as instances of one small module per design (carryAdderModule), whose
 * primitives yosys keeps as they are (yosys defines SYNTHESIS); simulators without SYNTHESIS
 * see the same sum written as `+`, so RTL simulation needs no cell library.
 *
 * On ECP5 an adder whose carry-in is a signal rides on the chain above an earlier adder, whose top
 * cell brings it in (carryTreeLines' `chain`): 1000-bit final layer, k = 10, 2,401 TRELLIS_COMB
 * instead of 3,025 (nextpnr-ecp5 spends about four on each chain's ends). On iCE40 the adders do
 * not chain and the argmax stays in LUTs: chained adders (1,654 logic cells instead of 1,889 for
 * that head) and comparators on carry chains (20-60 cells fewer) left the demo's full-width cells
 * unroutable by nextpnr-ice40 0.4 (router1 stalled with thousands of arcs left, router2 at one or
 * two overused wires for hours, sending the argmax's nets through the LUTs of carry-only cells).
 *
 * How far this can go on iCE40: a cell gives one signal to logic, and its carry reaches only the
 * cell above. The carry is the majority of the cell's own inputs I1, I2 and CI, not of its LUT's
 * output (as on ECP5 and Gowin, where the LUT's propagate steers the carry), so no LUT can
 * compress bits before the carry sees them. A chain cell turns three bits of one weight into two
 * (one on the chain), like a full adder; a LUT full adder takes two cells. So a class of n bits
 * summed into s bits needs n - s full-adder steps, one cell each at best; and every step on
 * weight-1 bits needs its third bit brought onto a chain (the cell below, whose LUT sees only that
 * bit and two more) or a second LUT: about n / 2 cells more. That is about 1.5n - s cells (143 for
 * n = 100; this tree takes 147 LUTs, 173 logic cells unchained), against yosys' two LUTs per step
 * (about 2n), for any tree of counters and carry chains.
 */

/**
 * That floor in logic cells: the fewest any tree of counters and carry chains on iCE40 can sum n
 * bits in, n - s full-adder steps at one cell each and one cell more for each of the
 * ceil((n - 1) / 2) steps that bring the weight-1 bits down to one. It leaves out the argmax.
 */
export function iceCounterFloorCells(n: number): number {
  return n <= 1 ? 0 : n - bitsFor(n) + Math.ceil((n - 1) / 2);
}

/** Families with a carry adder here (every FpgaFamily). */
export const CARRY_FAMILIES: readonly FpgaFamily[] = ['ice40', 'ecp5', 'gowin'];

interface Item {
  expr: string;
  width: number;
  max: number;
}

/** One ripple-carry adder of the tree (operands of width >= 2; the leaves are LUT full adders). */
interface Adder {
  name: string;
  a: Item;
  b: Item;
  width: number;
  carryOut: boolean;
  /** The carry-in as the tree assigned it: a class bit, 1'b1 (a constant one) or none. */
  ci: string | undefined;
  /** The adder directly below on the same carry chain, whose top cell brings ci onto the chain. */
  below?: Adder;
  /** The adder chained above this one (its carry-in rides on this adder's top cell). */
  above?: Adder;
  /** Cells of the chain up to and including this adder. */
  chainCells: number;
}

/**
 * Longest run of chained adders (in logic cells). The top cell of a chained adder passes the next
 * adder's carry-in, but static timing sees a path through it (0.3 ns a cell on the UP5K, measured
 * when iCE40 chained too). Runs of unrelated adders lengthened the placed critical path of a
 * 1000-bit head from 63.8 to 73.5 ns; hence runs follow the tree (a parent above its child) and
 * are capped.
 */
export const CHAIN_CELLS_MAX = 32;

/**
 * Logic cells of one adder of operand width w: one per bit, one for the carry out when used, and
 * one when the carry-in comes from logic (no family routes logic into a chain's carry input: the
 * placer puts a cell in front whose carry out is that signal; yosys' counts do not show it).
 */
export function adderCells(width: number, carryOut: boolean, carryInFromLogic: boolean): number {
  return width + (carryOut ? 1 : 0) + (carryInFromLogic ? 1 : 0);
}

/** A carry-in that would need a cell of its own to enter a chain (a signal, not a constant). */
function fromLogic(ci: string | undefined): boolean {
  return ci !== undefined && ci !== "1'b1";
}

/**
 * Lines declaring `wire [sumWidth-1:0] out` = the number of ones among `bits` plus `constant`, as
 * a balanced tree of instances of `adder` (the module of carryAdderModule). Intermediate wires
 * are named `${prefix}_r${n}`. Returns the lines, the logic cells they take and how many adder
 * instances they hold (none for up to three bits: a LUT full adder does).
 *
 * With `chain` (ECP5), an adder whose carry-in is a signal sits on the carry chain directly above
 * an earlier adder with a carry out (a child first): that adder's top cell, which brings its own
 * carry out to logic anyway, takes the carry-in on both carry inputs, so the carry-in costs no
 * cell of its own (the carry-in cell and the carry-out cell are one).
 */
export function carryTreeLines(
  prefix: string,
  out: string,
  adder: string,
  bits: readonly string[],
  constant: number,
  sumWidth: number,
  o: { chain?: boolean } = {},
): { lines: string[]; cells: number; adders: number } {
  const total = bits.length + constant;
  if (bitsFor(total) > sumWidth) throw new Error(`internal: ${total} does not fit in ${sumWidth} bits`);
  const decl = `wire [${sumWidth - 1}:0] ${out}`;
  if (total === 0) return { lines: [`${decl} = ${sumWidth}'d0;`], cells: 0, adders: 0 };
  // n raw bits: L operands and n - L carry-ins for the L - 1 adders, so L = ceil((n + 1) / 2).
  // Constant ones go last among the carry-ins, to the upper adders, where a carry-in from logic
  // would cost a cell.
  const carryInCount = total - Math.ceil((total + 1) / 2);
  const onesIn = Math.min(constant, carryInCount);
  const ones = (k: number): string[] => Array.from({ length: k }, () => "1'b1");
  const carryIns = [...bits.slice(0, carryInCount - onesIn), ...ones(onesIn)];
  // A FIFO of equal-weight leaves with each sum appended at the back pairs them level by level,
  // so the tree is balanced and every adder's operands are of (nearly) the same width.
  const queue: Item[] = [...bits.slice(carryInCount - onesIn), ...ones(constant - onesIn)].map((expr) => ({ expr, width: 1, max: 1 }));
  // Built first, written after: an adder's instance names the carry-in of the adder chained above it.
  const nodes: ({ kind: 'leaf'; name: string; a: Item; b: Item; ci: string | undefined } | { kind: 'adder'; adder: Adder })[] = [];
  const byName = new Map<string, Adder>();
  for (let n = 0; queue.length > 1; n++) {
    const a = queue.shift()!;
    const b = queue.shift()!;
    const ci = carryIns.shift();
    const width = Math.max(a.width, b.width);
    const max = a.max + b.max + (ci === undefined ? 0 : 1);
    const outWidth = bitsFor(max);
    const name = `${prefix}_r${n}`;
    if (width === 1) {
      // A leaf: a full (or half) adder in two LUTs. As a chain it would take three cells: the
      // sum, the carry out, and the cell that brings a carry-in from logic onto the chain.
      nodes.push({ kind: 'leaf', name, a, b, ci });
    } else {
      const node: Adder = { name, a, b, width, carryOut: outWidth > width, ci, chainCells: width + (outWidth > width ? 1 : 0) + (fromLogic(ci) ? 1 : 0) };
      if (o.chain && fromLogic(ci)) {
        const children = [a.expr, b.expr].map((e) => byName.get(e)).filter((x): x is Adder => x !== undefined);
        const free = (x: Adder): boolean => x.carryOut && !x.above && x.chainCells + width + (node.carryOut ? 1 : 0) <= CHAIN_CELLS_MAX;
        // A child first: the chain then runs along the tree's own path, where the carry's way
        // through the top cells is shorter than the real one through the sums. Else an adder that
        // starts a chain (its sibling, usually): the false path gains that one adder's carries.
        const below = children.filter(free).sort((x, y) => x.chainCells - y.chainCells)[0] ?? [...byName.values()].reverse().find((x) => free(x) && !x.below);
        if (below) {
          below.above = node;
          node.below = below;
          node.chainCells = below.chainCells + width + (node.carryOut ? 1 : 0);
        }
      }
      byName.set(name, node);
      nodes.push({ kind: 'adder', adder: node });
    }
    queue.push({ expr: name, width: outWidth, max });
  }
  if (carryIns.length > 0) throw new Error(`internal: ${carryIns.length} carry-ins left over`);
  const lines: string[] = [];
  let cells = 0;
  let adders = 0;
  for (const node of nodes) {
    if (node.kind === 'leaf') {
      const { name, a, b, ci } = node;
      const c = ci ?? "1'b0";
      lines.push(ci === undefined ? `wire [1:0] ${name} = {${a.expr} & ${b.expr}, ${a.expr} ^ ${b.expr}};` : `wire [1:0] ${name} = {(${a.expr} & ${b.expr}) | (${c} & (${a.expr} ^ ${b.expr})), ${a.expr} ^ ${b.expr} ^ ${c}};`);
      cells += 2;
      continue;
    }
    const adderNode = node.adder;
    const { name, a, b, width, carryOut, below, above } = adderNode;
    const outWidth = width + (carryOut ? 1 : 0);
    const ci = below ? `${below.name}_zc` : (adderNode.ci ?? "1'b0");
    const chainPorts = o.chain ? `, .z(${above ? above.ci! : "1'b0"}), .zc(${name}_${above ? 'zc' : 'unused_zc'})` : '';
    lines.push(
      `wire [${outWidth - 1}:0] ${name};`,
      ...(o.chain ? [`wire ${name}_${above ? 'zc' : 'unused_zc'};`] : []),
      `${adder} #(.W(${width}), .CO(${carryOut ? 1 : 0})) ${name}_add (.a(${zext(a.expr, a.width, width)}), .b(${zext(b.expr, b.width, width)}), .ci(${ci})${chainPorts}, .s(${name}));`,
    );
    cells += adderCells(width, carryOut, !below && fromLogic(adderNode.ci));
    adders++;
  }
  const root = queue[0]!;
  lines.push(`${decl} = ${zext(root.expr, root.width, sumWidth)};`);
  return { lines, cells, adders };
}

/** The primitive instances of one family's adder (inside `ifdef SYNTHESIS`; aa, bb: the operands padded to T = W + CO bits). */
const PRIMITIVES: Record<FpgaFamily, string[]> = {
  // yosys' own iCE40 adder cell (techlibs/ice40/arith_map.v): O = I1 ^ I2 ^ I3 with I3 the carry in; SB_CARRY: CO = maj(I0, I1, CI).
  // With CO = 1 the top cell adds 0 + 0 + the carry: its LUT brings the carry out to logic.
  ice40: [
    '  wire [T - 1:0] c;',
    '  assign c[0] = ci;',
    '  genvar i;',
    '  generate',
    '    for (i = 0; i < T; i = i + 1) begin : slice',
    "      SB_LUT4 #(.LUT_INIT(16'h6996)) lut (.I0(1'b0), .I1(aa[i]), .I2(bb[i]), .I3(c[i]), .O(s[i]));",
    '      if (i + 1 < T) begin : chain',
    '        SB_CARRY cy (.I0(aa[i]), .I1(bb[i]), .CI(c[i]), .CO(c[i + 1]));',
    '      end',
    '    end',
    '  endgenerate',
  ],
  // Two cells per CCU2C, as yosys' techlibs/ecp5/arith_map.v sets them: with C = 0 and D = 1 the
  // LUT4 is A ^ B (propagate), the LUT2 is A (generate), S = LUT4 ^ CIN.
  // With CO = 1 the top bit and the padding read z on both operands: propagate A ^ B = 0, so
  // S = the carry in and COUT = the generate (A) = z, the chained adder's carry-in.
  ecp5: [
    '  localparam P = (T + 1) / 2;',
    '  wire [2 * P - 1:0] pa;',
    '  wire [2 * P - 1:0] pb;',
    '  wire [2 * P - 1:0] ps;',
    '  wire [P:0] c;',
    '  assign c[0] = ci;',
    '  genvar i;',
    '  generate',
    '    if (CO) begin : top',
    '      assign pa = {{(2 * P - W){z}}, a};',
    '      assign pb = {{(2 * P - W){z}}, b};',
    '      assign zc = c[P];',
    '    end else begin : no_top',
    '      assign pa = aa;',
    '      assign pb = bb;',
    '      assign zc = z;',
    '    end',
    '    for (i = 0; i < P; i = i + 1) begin : slice',
    "      CCU2C #(.INIT0(16'b1001011010101010), .INIT1(16'b1001011010101010), .INJECT1_0(\"NO\"), .INJECT1_1(\"NO\")) pair (",
    "        .CIN(c[i]), .A0(pa[2 * i]), .B0(pb[2 * i]), .C0(1'b0), .D0(1'b1), .A1(pa[2 * i + 1]), .B1(pb[2 * i + 1]), .C1(1'b0), .D1(1'b1),",
    '        .S0(ps[2 * i]), .S1(ps[2 * i + 1]), .COUT(c[i + 1]));',
    '    end',
    '  endgenerate',
    '  assign s = ps[T - 1:0];',
  ],
  // Gowin ALU in yosys' own mode (techlibs/gowin/arith_map.v): ADDSUB with I3 = 1 adds, SUM = I0 ^ I1 ^ CIN.
  gowin: [
    '  wire [T:0] c;',
    '  assign c[0] = ci;',
    '  genvar i;',
    '  generate',
    '    for (i = 0; i < T; i = i + 1) begin : slice',
    "      ALU #(.ALU_MODE(2)) alu (.I0(aa[i]), .I1(bb[i]), .I3(1'b1), .CIN(c[i]), .COUT(c[i + 1]), .SUM(s[i]));",
    '    end',
    '  endgenerate',
  ],
};

/** Families whose adders chain (carryTreeLines' `chain`): the module has the ports z and zc. */
export const CHAINED_FAMILIES: readonly FpgaFamily[] = ['ecp5'];

/**
 * Module `name` (#(W, CO)): s = a + b + ci on W + CO bits, as a ripple-carry chain of `family`'s
 * carry cells (one per bit; with CO = 1 one more, whose sum is the carry out). On a chained family
 * zc = z, through the top cell's carry when CO = 1 (the next adder's carry-in, on the chain).
 */
export function carryAdderModule(name: string, family: FpgaFamily): string {
  const chained = CHAINED_FAMILIES.includes(family);
  return [
    `// ${name}: s = a + b + ci on W + CO bits, one ${family} carry cell per bit (CO = 1: one more for the carry out).`,
    '/* verilator lint_off DECLFILENAME */',
    `module ${name} #(`,
    '  parameter W = 1,',
    '  parameter CO = 1',
    ') (',
    '  input wire [W - 1:0] a,',
    '  input wire [W - 1:0] b,',
    '  input wire ci,',
    ...(chained ? ['  input wire z,', '  output wire zc,'] : []),
    '  output wire [W + CO - 1:0] s',
    ');',
    '  localparam T = W + CO;',
    '  // a and b zero-extended to T bits (a replication by 0 is not Verilog-2005, hence the generate).',
    '  wire [T - 1:0] aa;',
    '  wire [T - 1:0] bb;',
    '  generate',
    '    if (CO) begin : extended',
    "      assign aa = {1'b0, a};",
    "      assign bb = {1'b0, b};",
    '    end else begin : exact',
    '      assign aa = a;',
    '      assign bb = b;',
    '    end',
    '  endgenerate',
    '`ifdef SYNTHESIS',
    ...PRIMITIVES[family],
    '`else',
    "  wire [T:0] total = {1'b0, aa} + {1'b0, bb} + {{T{1'b0}}, ci};",
    '  assign s = total[T - 1:0];',
    '  wire unused_top = total[T];',
    ...(chained ? ['  assign zc = z;'] : []),
    '`endif',
    'endmodule',
  ].join('\n');
}
