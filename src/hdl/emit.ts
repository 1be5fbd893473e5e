import { createHash } from 'node:crypto';
import { networkHash, sumBits, type DiscreteNetwork } from '../model/network.js';
import { UserError } from '../util/errors.js';
import { buildLogicGraph, type GateNode, type LogicStats, type Signal } from './graph.js';
import type { FpgaFamily } from '../board/devices.js';
import { asRegular, cutCount, describeCuts, normaliseCuts, regularCuts, type PipelineCuts } from './cuts.js';
import { bitsFor, GROUPSUM_DESCRIPTIONS, headLines, resolveGroupSum, type ClassBits, type GroupSumChoice, type GroupSumStyle } from './groupSum.js';

export interface EmitOptions {
  /** Pipeline registers after every P layers; 0 (the default) is purely combinational logic. */
  pipeline?: number;
  /** Pipeline cuts inside the head: the first N of HEAD_CUTS_BY_COUNT (1: the class sums registered before the argmax). */
  headCuts?: number;
  /** Where the registers go, in place of pipeline and headCuts (what --pipeline auto chooses). */
  cuts?: PipelineCuts;
  /** Register the inputs and the outputs (a meaningful Fmax needs both). */
  registeredIo?: boolean;
  /** The popcount head; default 'auto' (the family's best, 'tree' without a family). */
  groupSum?: GroupSumChoice;
  /** The FPGA family the design is for: 'carry' instantiates its carry cells. */
  family?: FpgaFamily;
  /** Module name; default lgn_core. */
  moduleName?: string;
}

/** What a wrapper needs to instantiate the core. */
export interface CorePorts {
  module: string;
  /** Width of `x`; model input bit i is x[i]. */
  inputBits: number;
  classes: number;
  /** Width of each class sum; class c is sums[c*sumBits +: sumBits]. */
  sumBits: number;
  /** Width of class_idx. */
  classIdxBits: number;
  /** Whether the core has clk, rst, in_valid and out_valid. */
  clocked: boolean;
  /** Clock edges from an in_valid vector to its out_valid result (0 when combinational). */
  latency: number;
}

export interface EmitStats extends LogicStats {
  /** Pipeline, input and output register bits (the valid chain included). */
  registerBits: number;
  /** The P of regular cuts (a register stage every P layers), null for cuts no P gives. */
  pipeline: number | null;
  registeredIo: boolean;
  /** Pipeline cuts inside the head (cycles it adds to the latency). */
  headCuts: number;
  /** Every cut: between layers and inside the head. */
  cuts: PipelineCuts;
  /** Register-to-register stretches of the core's logic: the cuts plus one. */
  stages: number;
  /** The head emitted ('auto' resolved). */
  groupSum: GroupSumStyle;
  /** The family whose cells the head instantiates, null for a portable head. */
  headFamily: FpgaFamily | null;
}

export interface EmittedFile {
  name: string;
  text: string;
}

export interface EmittedDesign {
  files: EmittedFile[];
  top: string;
  ports: CorePorts;
  stats: EmitStats;
  /** networkHash of the model. */
  modelHash: string;
  /** sha256 of the emitted files (names and text): the content key of this design. */
  designHash: string;
}

const INDENT = '  ';

export { MAX_HEAD_CUTS } from './cuts.js';

/**
 * The net of a live gate, named after the first neuron L.i that computes it: `gL_i` holds that
 * neuron's output, `gL_i_n` its complement (the neuron is a NOR, NAND, XNOR or implication, built
 * as the gate without its output inversion, which the readers absorb as a `~`).
 */
export function gateNetName(g: Pick<GateNode, 'layer' | 'neuron' | 'complement'>): string {
  return `g${g.layer}_${g.neuron}${g.complement ? '_n' : ''}`;
}

/**
 * Synthesisable Verilog-2005 for a discrete LGN: one module with the dead logic removed, an
 * optional pipeline, the GroupSum popcounts and the argmax. Output depends only on the network and
 * the options (no dates, no paths), so the same model always gives byte-identical files.
 */
export function emitVerilog(net: DiscreteNetwork, options: EmitOptions = {}): EmittedDesign {
  const registeredIo = options.registeredIo ?? false;
  const groupSum = resolveGroupSum(options.groupSum ?? 'auto', options.family);
  const headFamily = groupSum === 'carry' ? options.family! : null;
  const moduleName = options.moduleName ?? 'lgn_core';
  const L = net.layers.length;
  const cuts = options.cuts ? normaliseCuts(options.cuts, L) : regularCuts(options.pipeline ?? 0, options.headCuts ?? 0, L);
  // Regular cuts keep the header they always had (so their design and its cached build stay the same).
  const regular = asRegular(cuts, L);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(moduleName)) throw new UserError(`module name '${moduleName}' is not a Verilog identifier`);
  const graph = buildLogicGraph(net);
  const S = sumBits(net);
  const K = net.classes;
  const C = bitsFor(K - 1);
  const N = net.inputBits;
  // The stage of layer l: the layer cuts at or before it.
  const stageOfLayer = (l: number): number => cuts.layers.filter((b) => b <= l).length;
  const headStage = cuts.layers.length;
  const headCuts = cuts.head.length;
  const latency = cutCount(cuts) + (registeredIo ? 2 : 0);
  const clocked = latency > 0;

  // Which stages need each node's value: its own, and its consumers'.
  const stageOf = (node: number): number => (node < N ? 0 : stageOfLayer(graph.gateById.get(node)!.layer));
  const lastNeeded = new Map<number, number>();
  const need = (node: number, stage: number): void => {
    if ((lastNeeded.get(node) ?? -1) < stage) lastNeeded.set(node, stage);
  };
  for (const g of graph.gates) {
    const s = stageOfLayer(g.layer);
    need(g.a, s);
    need(g.b, s);
  }
  for (const signals of graph.classSignals) for (const s of signals) if (s.kind === 'ref') need(s.node, headStage);

  const baseName = (node: number): string => {
    if (node < N) return registeredIo ? `x_q${node}` : `x[${node}]`;
    const g = graph.gateById.get(node)!;
    return gateNetName(g);
  };
  const flatName = (node: number): string => (node < N ? `x${node}` : baseName(node));
  const nameAt = (node: number, stage: number): string => (stage === stageOf(node) ? baseName(node) : `${flatName(node)}_s${stage}`);
  const signalAt = (s: Signal, stage: number): string => (s.kind === 'const' ? `1'b${s.value}` : `${s.inv ? '~' : ''}${nameAt(s.node, stage)}`);

  const body: string[] = [];
  const regs: string[] = [];
  const seq: string[] = [];
  let registerBits = 0;

  if (registeredIo) {
    body.push('// Input register (used bits only).');
    for (const i of graph.usedInputs) {
      regs.push(`reg x_q${i};`);
      seq.push(`x_q${i} <= x[${i}];`);
      registerBits++;
    }
  }
  const unusedInputs: string[] = [];
  for (let i = N - 1, u = graph.usedInputs.length - 1; i >= 0; i--) {
    if (u >= 0 && graph.usedInputs[u] === i) u--;
    else unusedInputs.push(`x[${i}]`);
  }

  // Gates, layer by layer (graph.gates is topological; grouping by layer keeps it so).
  const byLayer: GateNode[][] = Array.from({ length: L }, () => []);
  for (const g of graph.gates) byLayer[g.layer]!.push(g);
  for (let l = 0; l < L; l++) {
    const stage = stageOfLayer(l);
    body.push(`// Layer ${l}: ${byLayer[l]!.length} live of ${net.layers[l]!.gates.length} gates${cuts.layers.length ? `, stage ${stage}` : ''}.`);
    for (const g of byLayer[l]!) {
      const a = nameAt(g.a, stage);
      const b = nameAt(g.b, stage);
      const expr = g.op === 'and' ? `${a} & ${b}` : g.op === 'and_not' ? `${a} & ~${b}` : g.op === 'not_and' ? `~${a} & ${b}` : g.op === 'xor' ? `${a} ^ ${b}` : `${a} | ${b}`;
      body.push(`wire ${baseName(g.id)} = ${expr};`);
    }
  }
  // Pipeline copies: a node computed in stage s0 and read in stage s1 > s0 gets registers s0+1..s1.
  const copies: string[] = [];
  for (const [node, last] of [...lastNeeded.entries()].sort((p, q) => p[0] - q[0])) {
    for (let s = stageOf(node) + 1; s <= last; s++) {
      regs.push(`reg ${nameAt(node, s)};`);
      copies.push(`${nameAt(node, s)} <= ${nameAt(node, s - 1)};`);
      registerBits++;
    }
  }

  // GroupSum and argmax, in the head stage.
  body.push(`// GroupSum: ${K} classes of ${graph.classSignals[0]!.length} neurons, ${GROUPSUM_DESCRIPTIONS[groupSum]}${headFamily ? ` (${headFamily})` : ''}; argmax: comparator tree, lowest class index on ties.`);
  const classes: ClassBits[] = graph.classSignals.map((signals) => {
    const bits: string[] = [];
    let constant = 0;
    for (const s of signals) {
      if (s.kind === 'const') constant += s.value;
      else bits.push(signalAt(s, headStage));
    }
    return { bits, constant };
  });
  const head = headLines(classes, { style: groupSum, ...(headFamily ? { family: headFamily } : {}), modulePrefix: moduleName, sumWidth: S, idxWidth: C, cuts: cuts.head });
  body.push(...head.lines);
  regs.push(...head.regs);
  seq.push(...head.seq);
  registerBits += head.regs.reduce((bits, decl) => bits + regWidth(decl), 0);
  const sumNames = head.sums;
  const sumsConcat = `{${[...sumNames].reverse().join(', ')}}`;
  if (registeredIo) {
    regs.push(`reg [${K * S - 1}:0] sums_q;`, `reg [${C - 1}:0] class_idx_q;`);
    seq.push(`sums_q <= ${sumsConcat};`, 'class_idx_q <= idx;');
    registerBits += K * S + C;
    body.push('assign sums = sums_q;', 'assign class_idx = class_idx_q;');
  } else {
    body.push(`assign sums = ${sumsConcat};`, 'assign class_idx = idx;');
  }
  if (clocked) {
    regs.push(`reg [${latency - 1}:0] valid_q;`);
    registerBits += latency;
    body.push(`assign out_valid = valid_q[${latency - 1}];`);
  }
  if (unusedInputs.length > 0) {
    body.push(`// Input bits no live gate reads (named unused_* so lint accepts them).`);
    body.push(`wire unused_inputs = &{1'b0, ${unusedInputs.join(', ')}};`);
  }

  const stats: EmitStats = { ...graph.stats, registerBits, pipeline: regular?.pipeline ?? null, registeredIo, headCuts, cuts, stages: cutCount(cuts) + 1, groupSum, headFamily };
  const ports: CorePorts = { module: moduleName, inputBits: N, classes: K, sumBits: S, classIdxBits: C, clocked, latency };
  const hash = networkHash(net);
  const text = render({ net, ports, stats, hash, body, regs, seq: [...seq, ...copies], modules: head.modules });
  const files = [{ name: `${moduleName}.v`, text }];
  const designHash = createHash('sha256');
  for (const f of files) designHash.update(`${f.name}\0${f.text}\0`);
  return { files, top: moduleName, ports, stats, modelHash: hash, designHash: designHash.digest('hex') };
}

/** Bits of a `reg [h:0] name;` declaration (1 for a plain `reg name;`). */
function regWidth(decl: string): number {
  const m = /^reg \[(\d+):0\]/.exec(decl);
  return m ? Number(m[1]) + 1 : 1;
}

interface RenderInput {
  net: DiscreteNetwork;
  ports: CorePorts;
  stats: EmitStats;
  hash: string;
  body: string[];
  regs: string[];
  seq: string[];
  /** Modules the core instantiates (the carry head's adder), written after it. */
  modules: string[];
}

function render({ net, ports, stats, hash, body, regs, seq, modules }: RenderInput): string {
  const { module, inputBits: N, classes: K, sumBits: S, classIdxBits: C, clocked, latency } = ports;
  const r = stats.removed;
  const header = [
    `// ${module}: a discrete logic gate network, generated by gatebench. Do not edit.`,
    `// Model ${hash}`,
    `// Layers ${net.layers.map((l) => l.gates.length).join(',')}; ${stats.liveGates} live of ${stats.nominalGates} gates`,
    `// (removed: ${r.dead} dead, ${r.constant} constant, ${r.wire} wire/inverter, ${r.merged} merged);`,
    `// ${stats.usedInputBits} of ${N} input bits used; ${stats.registerBits} register bits.`,
    `// Options: ${stats.pipeline !== null ? `pipeline ${stats.pipeline}, head cuts ${stats.headCuts}` : `pipeline cuts ${describeCuts(stats.cuts)}`}, registered I/O ${stats.registeredIo ? 'yes' : 'no'}, GroupSum ${stats.groupSum}${stats.headFamily ? ` (${stats.headFamily} carry cells)` : ''}.`,
    '//',
    '// Nets',
    '//   gL_i       output of neuron i of layer L (0-based), the first neuron computing that function;',
    '//   gL_i_n     the complement of that output (a NOR, NAND, XNOR or implication neuron is built',
    '//              as OR, AND, XOR or AND-NOT; every reader applies the ~).',
    '//   N_sS       the pipeline-stage-S copy of net N (xI_sS for input bit I); x_qI the registered x[I].',
    '//',
    '// Ports',
    `//   x          [${N - 1}:0] model input bits: x[i] is bit i of the encoding (gatebench's`,
    '//                         encodeSamples order: feature-major, thresholds ascending).',
    `//   sums       [${K * S - 1}:0] class sums, class c in sums[c*${S} +: ${S}] (popcount of its ${net.layers[net.layers.length - 1]!.gates.length / K} neurons).`,
    `//   class_idx  [${C - 1}:0] index of the largest sum, lowest index on ties.`,
    ...(clocked
      ? [
          '//   clk                 rising-edge clock.',
          '//   rst                 synchronous, active high; clears only the valid pipeline.',
          '//   in_valid            x holds a vector to evaluate this cycle.',
          `//   out_valid           sums/class_idx hold the result of the vector given ${latency} cycle${latency === 1 ? '' : 's'} earlier.`,
          `//   Latency ${latency} cycles, one new vector per cycle.`,
        ]
      : ['//   Purely combinational: no clock, no registers.']),
  ];
  const portDecls = [
    ...(clocked ? ['input wire clk', 'input wire rst', 'input wire in_valid'] : []),
    `input wire [${N - 1}:0] x`,
    `output wire [${K * S - 1}:0] sums`,
    `output wire [${C - 1}:0] class_idx`,
    ...(clocked ? ['output wire out_valid'] : []),
  ];
  const lines = [
    ...header,
    '',
    '`default_nettype none',
    '',
    `module ${module} (`,
    ...portDecls.map((p, i) => `${INDENT}${p}${i + 1 < portDecls.length ? ',' : ''}`),
    ');',
    ...regs.map((l) => INDENT + l),
    ...body.map((l) => INDENT + l),
  ];
  if (clocked) {
    lines.push(`${INDENT}always @(posedge clk) begin`);
    lines.push(`${INDENT}${INDENT}if (rst) valid_q <= ${latency}'d0;`);
    lines.push(`${INDENT}${INDENT}else valid_q <= ${latency === 1 ? 'in_valid' : `{valid_q[${latency - 2}:0], in_valid}`};`);
    lines.push(`${INDENT}end`);
    if (seq.length > 0) {
      lines.push(`${INDENT}always @(posedge clk) begin`);
      lines.push(...seq.map((l) => INDENT + INDENT + l));
      lines.push(`${INDENT}end`);
    }
  }
  lines.push('endmodule', '', ...modules.flatMap((m) => [m, '']), '`default_nettype wire', '');
  return lines.join('\n');
}
