import { GATE_TRUTH_TABLES } from '../model/gates.js';
import type { DiscreteNetwork } from '../model/network.js';

/**
 * The logic a network really needs, after dead-logic removal: constants folded, gates that ignore
 * an input reduced to a wire or an inverter, identical gates merged, and neurons that reach no
 * class sum dropped. Emitters and reports work from this, never from the raw layers.
 *
 * A signal is a constant or a reference to a node, possibly inverted. Nodes are the model's input
 * bits (ids 0..inputBits-1) and the surviving two-input gates (ids from inputBits up). Every gate
 * is stored in one of five canonical forms whose output is 0 for inputs (0, 0); an inversion of
 * the output moves into the signals that read it, where a LUT absorbs it for free.
 */
export type Signal = { kind: 'const'; value: 0 | 1 } | { kind: 'ref'; node: number; inv: boolean };

/** Canonical two-input functions: output 0 at (0, 0) and depending on both inputs. */
export type GateOp = 'and' | 'and_not' | 'not_and' | 'xor' | 'or';

export interface GateNode {
  id: number;
  /** 0-based layer and index of the first neuron that computes this function (its name in HDL). */
  layer: number;
  neuron: number;
  /**
   * The node holds the complement of that neuron's output: the neuron computes NOT op (a NOR, a
   * NAND, an XNOR, an implication), whose inversion its readers absorb.
   */
  complement: boolean;
  op: GateOp;
  /** Operand node ids; for and_not it is a & ~b, for not_and ~a & b. */
  a: number;
  b: number;
}

export interface RemovalCounts {
  /** Neurons whose output reaches no class sum (after folding). */
  dead: number;
  /** Neurons that fold to constant 0 or 1 (constant gates, or gates fed by constants). */
  constant: number;
  /** Neurons reduced to a wire or an inverter: the gate ignores one input, or both inputs are one signal. */
  wire: number;
  /** Neurons computing the same function of the same signals as an earlier one (merged into it). */
  merged: number;
}

export interface LogicStats {
  inputBits: number;
  /** Input bits that some live gate or class sum reads. */
  usedInputBits: number;
  /** Neurons in the model. */
  nominalGates: number;
  /** Two-input gates left after removal: what the hardware implements before the GroupSum. */
  liveGates: number;
  removed: RemovalCounts;
  /** Per-layer live gates (gates owned by a neuron of that layer). */
  liveGatesPerLayer: number[];
  /** Last-layer neurons that are constant 1 (they add a constant to a class sum) and 0. */
  constantOnes: number;
  constantZeros: number;
}

export interface LogicGraph {
  inputBits: number;
  classes: number;
  layerCount: number;
  /** Live gates in topological order (operands always come first). */
  gates: GateNode[];
  /** Node id -> gate, for gate nodes; input bits are absent. */
  gateById: Map<number, GateNode>;
  /** Input bits read by live logic, ascending. */
  usedInputs: number[];
  /** For each class, the signals of its last-layer neurons in neuron order (constants included). */
  classSignals: Signal[][];
  stats: LogicStats;
}

const ZERO: Signal = { kind: 'const', value: 0 };
const ONE: Signal = { kind: 'const', value: 1 };

/** Table bit (2p + q) for inputs p, q, as in GATE_TRUTH_TABLES. */
function bit(table: number, p: number, q: number): number {
  return (table >> (2 * p + q)) & 1;
}

const CANONICAL: Record<number, GateOp> = { 0b1000: 'and', 0b0100: 'and_not', 0b0010: 'not_and', 0b0110: 'xor', 0b1110: 'or' };

interface Folded {
  signal: Signal;
  /** Nodes the result depends on (0, 1 or 2). */
  deps: number[];
  /** For two-input results: canonical key, op and operands. */
  gate?: { key: string; op: GateOp; a: number; b: number; inv: boolean };
}

/** Fold gate `table` applied to signals sa, sb into a constant, an alias, or a canonical gate. */
function fold(table: number, sa: Signal, sb: Signal): Folded {
  // Absorb input inversions and constants: t2 is the table over the underlying nodes' values.
  let t = table;
  const restrict = (which: 'a' | 'b', value: number): void => {
    let out = 0;
    for (let p = 0; p <= 1; p++) {
      for (let q = 0; q <= 1; q++) {
        const v = which === 'a' ? bit(t, value, q) : bit(t, p, value);
        out |= v << (2 * p + q);
      }
    }
    t = out;
  };
  const invert = (which: 'a' | 'b'): void => {
    let out = 0;
    for (let p = 0; p <= 1; p++) for (let q = 0; q <= 1; q++) out |= (which === 'a' ? bit(t, 1 - p, q) : bit(t, p, 1 - q)) << (2 * p + q);
    t = out;
  };
  if (sa.kind === 'const') restrict('a', sa.value);
  else if (sa.inv) invert('a');
  if (sb.kind === 'const') restrict('b', sb.value);
  else if (sb.inv) invert('b');
  let na = sa.kind === 'ref' ? sa.node : -1;
  let nb = sb.kind === 'ref' ? sb.node : -1;
  // Same node on both inputs: only the diagonal of the table matters.
  if (na >= 0 && na === nb) {
    const f0 = bit(t, 0, 0);
    const f1 = bit(t, 1, 1);
    t = f0 | (f0 << 1) | (f1 << 2) | (f1 << 3);
    nb = -1;
  }
  const dependsOnA = bit(t, 0, 0) !== bit(t, 1, 0) || bit(t, 0, 1) !== bit(t, 1, 1);
  const dependsOnB = bit(t, 0, 0) !== bit(t, 0, 1) || bit(t, 1, 0) !== bit(t, 1, 1);
  if (!dependsOnA) na = -1;
  if (!dependsOnB) nb = -1;
  if (na < 0 && nb < 0) return { signal: bit(t, 0, 0) ? ONE : ZERO, deps: [] };
  if (nb < 0) return { signal: { kind: 'ref', node: na, inv: bit(t, 0, 0) === 1 }, deps: [na] };
  if (na < 0) return { signal: { kind: 'ref', node: nb, inv: bit(t, 0, 0) === 1 }, deps: [nb] };
  // Two inputs: order operands by node id (swap the table), then pull out the output inversion.
  if (nb < na) {
    let swapped = 0;
    for (let p = 0; p <= 1; p++) for (let q = 0; q <= 1; q++) swapped |= bit(t, q, p) << (2 * p + q);
    t = swapped;
    [na, nb] = [nb, na];
  }
  const inv = bit(t, 0, 0) === 1;
  if (inv) t ^= 0b1111;
  const op = CANONICAL[t];
  if (!op) throw new Error(`internal: table ${t.toString(2)} is not a canonical two-input function`);
  return { signal: { kind: 'ref', node: -1, inv }, deps: [na, nb], gate: { key: `${op}:${na}:${nb}`, op, a: na, b: nb, inv } };
}

/**
 * Dead-logic removal. Pass 1 folds every neuron into a signal (hash-consing two-input gates so
 * identical functions share a node). Pass 2 walks backwards from the class sums to find the
 * neurons some class sum depends on. Pass 3 keeps the gates those neurons compute, each owned by
 * the first live neuron that computes it.
 */
export function buildLogicGraph(net: DiscreteNetwork): LogicGraph {
  const { inputBits, classes, layers } = net;
  interface Info {
    folded: Folded;
    node: number;
  }
  const keyToNode = new Map<string, number>();
  const nodeDef = new Map<number, { op: GateOp; a: number; b: number }>();
  let nextNode = inputBits;
  let prev: Signal[] = Array.from({ length: inputBits }, (_, i) => ({ kind: 'ref', node: i, inv: false }) as Signal);
  const infos: Info[][] = [];
  const signals: Signal[][] = [];
  for (const layer of layers) {
    const row: Info[] = [];
    const out: Signal[] = [];
    for (let j = 0; j < layer.gates.length; j++) {
      const folded = fold(GATE_TRUTH_TABLES[layer.gates[j]!]!, prev[layer.a[j]!]!, prev[layer.b[j]!]!);
      let signal = folded.signal;
      let node = signal.kind === 'ref' ? signal.node : -1;
      if (folded.gate) {
        const g = folded.gate;
        let id = keyToNode.get(g.key);
        if (id === undefined) {
          id = nextNode++;
          keyToNode.set(g.key, id);
          nodeDef.set(id, { op: g.op, a: g.a, b: g.b });
        }
        node = id;
        signal = { kind: 'ref', node: id, inv: g.inv };
      }
      row.push({ folded, node });
      out.push(signal);
    }
    infos.push(row);
    signals.push(out);
    prev = out;
  }

  // Pass 2: liveness, layer by layer from the last. A neuron is live when a live neuron of the
  // next layer depends on its node through one of its (folded) inputs.
  const L = layers.length;
  const live: Uint8Array[] = layers.map((l) => new Uint8Array(l.gates.length));
  const last = infos[L - 1]!;
  for (let j = 0; j < last.length; j++) if (last[j]!.folded.deps.length > 0) live[L - 1]![j] = 1;
  const usedInput = new Uint8Array(inputBits);
  for (let l = L - 1; l >= 0; l--) {
    const layer = layers[l]!;
    const prevSignals = l > 0 ? signals[l - 1]! : null;
    for (let j = 0; j < layer.gates.length; j++) {
      if (!live[l]![j]) continue;
      const deps = infos[l]![j]!.folded.deps;
      for (const input of [layer.a[j]!, layer.b[j]!]) {
        const s = prevSignals ? prevSignals[input]! : ({ kind: 'ref', node: input, inv: false } as Signal);
        if (s.kind !== 'ref' || !deps.includes(s.node)) continue;
        if (l > 0) live[l - 1]![input] = 1;
        else usedInput[input] = 1;
      }
    }
  }

  // Pass 3: classify neurons and collect live gates in creation (topological) order.
  const removed: RemovalCounts = { dead: 0, constant: 0, wire: 0, merged: 0 };
  const owner = new Map<number, { layer: number; neuron: number; complement: boolean }>();
  const liveGatesPerLayer = new Array<number>(L).fill(0);
  for (let l = 0; l < L; l++) {
    for (let j = 0; j < infos[l]!.length; j++) {
      const info = infos[l]![j]!;
      if (!info.folded.gate && info.folded.signal.kind === 'const') removed.constant++;
      else if (!live[l]![j]) removed.dead++;
      else if (!info.folded.gate) removed.wire++;
      else if (owner.has(info.node)) removed.merged++;
      else {
        owner.set(info.node, { layer: l, neuron: j, complement: info.folded.gate.inv });
        liveGatesPerLayer[l]!++;
      }
    }
  }
  const gates: GateNode[] = [];
  const gateById = new Map<number, GateNode>();
  for (const id of [...owner.keys()].sort((x, y) => x - y)) {
    const def = nodeDef.get(id)!;
    const o = owner.get(id)!;
    const gate: GateNode = { id, layer: o.layer, neuron: o.neuron, complement: o.complement, op: def.op, a: def.a, b: def.b };
    gates.push(gate);
    gateById.set(id, gate);
  }
  // A live gate's operands are live gates or used inputs (induction over the liveness pass).
  for (const g of gates) {
    for (const operand of [g.a, g.b]) {
      if (operand < inputBits ? !usedInput[operand] : !gateById.has(operand)) {
        throw new Error(`internal: live gate ${g.layer}.${g.neuron} reads node ${operand}, which was removed`);
      }
    }
  }
  const lastSignals = signals[L - 1]!;
  const group = lastSignals.length / classes;
  const classSignals = Array.from({ length: classes }, (_, c) => lastSignals.slice(c * group, (c + 1) * group));
  for (const s of lastSignals) {
    if (s.kind === 'ref' && s.node < inputBits && !usedInput[s.node]) throw new Error('internal: class sum reads an unused input');
  }
  const usedInputs: number[] = [];
  for (let i = 0; i < inputBits; i++) if (usedInput[i]) usedInputs.push(i);
  let constantOnes = 0;
  let constantZeros = 0;
  for (const s of lastSignals) {
    if (s.kind === 'const') {
      if (s.value) constantOnes++;
      else constantZeros++;
    }
  }
  return {
    inputBits,
    classes,
    layerCount: L,
    gates,
    gateById,
    usedInputs,
    classSignals,
    stats: {
      inputBits,
      usedInputBits: usedInputs.length,
      nominalGates: layers.reduce((n, l) => n + l.gates.length, 0),
      liveGates: gates.length,
      removed,
      liveGatesPerLayer,
      constantOnes,
      constantZeros,
    },
  };
}

/** Evaluate the folded graph on one input vector (bits 0/1): class sums. For tests and checks. */
export function evaluateGraph(graph: LogicGraph, x: ArrayLike<number>): number[] {
  const value = new Map<number, number>();
  for (let i = 0; i < graph.inputBits; i++) value.set(i, x[i]! & 1);
  for (const g of graph.gates) {
    const a = value.get(g.a)!;
    const b = value.get(g.b)!;
    const r = g.op === 'and' ? a & b : g.op === 'and_not' ? a & (1 - b) : g.op === 'not_and' ? (1 - a) & b : g.op === 'xor' ? a ^ b : a | b;
    value.set(g.id, r);
  }
  const read = (s: Signal): number => (s.kind === 'const' ? s.value : value.get(s.node)! ^ (s.inv ? 1 : 0));
  return graph.classSignals.map((signals) => signals.reduce((n, s) => n + read(s), 0));
}
