import type { EncodedSet } from '../data/encoding.js';
import { UserError } from '../util/errors.js';
import { groupSize, sumBits, type DiscreteNetwork } from './network.js';

/** Per-vector class sums and predictions: the oracle every simulation and board is checked against. */
export interface ReferenceResult {
  count: number;
  classes: number;
  /** count x classes, row-major. */
  sums: Uint16Array;
  predictions: Uint8Array;
}

/** Words per neuron per block: 64 words of 32 lanes, 2,048 samples at a time. */
const BLOCK_WORDS = 64;
const LANES = 32;

/**
 * Bit-parallel evaluation: each neuron's outputs for 32 samples sit in one 32-bit word, a block of
 * words per neuron, so one gate decision serves 2,048 samples. Class sums come from bit-sliced
 * counters (a ripple of half adders per word), so the popcount is also word-parallel.
 */
export function evaluateReference(net: DiscreteNetwork, data: EncodedSet): ReferenceResult {
  if (data.inputBits !== net.inputBits) {
    throw new UserError(`the vectors have ${data.inputBits} input bits, the model expects ${net.inputBits}`);
  }
  const { classes } = net;
  const sums = new Uint16Array(data.count * classes);
  const predictions = new Uint8Array(data.count);
  const maxWidth = Math.max(net.inputBits, ...net.layers.map((l) => l.gates.length));
  let current = new Int32Array(maxWidth * BLOCK_WORDS);
  let next = new Int32Array(maxWidth * BLOCK_WORDS);
  const planes = sumBits(net);
  const counters = new Int32Array(classes * planes * BLOCK_WORDS);
  const perBlock = BLOCK_WORDS * LANES;

  for (let start = 0; start < data.count; start += perBlock) {
    const n = Math.min(perBlock, data.count - start);
    packInputs(data, start, n, current);
    for (const layer of net.layers) {
      evaluateLayer(layer.a, layer.b, layer.gates, current, next);
      const t = current;
      current = next;
      next = t;
    }
    countGroups(current, classes, groupSize(net), planes, counters);
    for (let s = 0; s < n; s++) {
      const word = s >>> 5;
      const lane = s & 31;
      let best = 0;
      let bestSum = -1;
      for (let c = 0; c < classes; c++) {
        let sum = 0;
        const base = c * planes * BLOCK_WORDS + word;
        for (let p = 0; p < planes; p++) sum |= ((counters[base + p * BLOCK_WORDS]! >>> lane) & 1) << p;
        sums[(start + s) * classes + c] = sum;
        if (sum > bestSum) {
          bestSum = sum;
          best = c;
        }
      }
      predictions[start + s] = best;
    }
  }
  return { count: data.count, classes, sums, predictions };
}

function packInputs(data: EncodedSet, start: number, n: number, out: Int32Array): void {
  const bits = data.inputBits;
  const words = Math.ceil(n / LANES);
  out.fill(0, 0, bits * BLOCK_WORDS);
  // 32 samples at a time: their rows stay in L1 while each input's word is assembled.
  for (let word = 0; word < words; word++) {
    const first = start + word * LANES;
    const lanes = Math.min(LANES, n - word * LANES);
    for (let i = 0; i < bits; i++) {
      let v = 0;
      for (let lane = 0, p = first * bits + i; lane < lanes; lane++, p += bits) v |= (data.bits[p]! & 1) << lane;
      out[i * BLOCK_WORDS + word] = v;
    }
  }
}

function evaluateLayer(a: Int32Array, b: Int32Array, gates: Uint8Array, x: Int32Array, y: Int32Array): void {
  const W = BLOCK_WORDS;
  for (let j = 0; j < gates.length; j++) {
    const pa = a[j]! * W;
    const pb = b[j]! * W;
    const o = j * W;
    switch (gates[j]) {
      case 0: for (let k = 0; k < W; k++) y[o + k] = 0; break;
      case 1: for (let k = 0; k < W; k++) y[o + k] = x[pa + k]! & x[pb + k]!; break;
      case 2: for (let k = 0; k < W; k++) y[o + k] = x[pa + k]! & ~x[pb + k]!; break;
      case 3: for (let k = 0; k < W; k++) y[o + k] = x[pa + k]!; break;
      case 4: for (let k = 0; k < W; k++) y[o + k] = ~x[pa + k]! & x[pb + k]!; break;
      case 5: for (let k = 0; k < W; k++) y[o + k] = x[pb + k]!; break;
      case 6: for (let k = 0; k < W; k++) y[o + k] = x[pa + k]! ^ x[pb + k]!; break;
      case 7: for (let k = 0; k < W; k++) y[o + k] = x[pa + k]! | x[pb + k]!; break;
      case 8: for (let k = 0; k < W; k++) y[o + k] = ~(x[pa + k]! | x[pb + k]!); break;
      case 9: for (let k = 0; k < W; k++) y[o + k] = ~(x[pa + k]! ^ x[pb + k]!); break;
      case 10: for (let k = 0; k < W; k++) y[o + k] = ~x[pb + k]!; break;
      case 11: for (let k = 0; k < W; k++) y[o + k] = x[pa + k]! | ~x[pb + k]!; break;
      case 12: for (let k = 0; k < W; k++) y[o + k] = ~x[pa + k]!; break;
      case 13: for (let k = 0; k < W; k++) y[o + k] = ~x[pa + k]! | x[pb + k]!; break;
      case 14: for (let k = 0; k < W; k++) y[o + k] = ~(x[pa + k]! & x[pb + k]!); break;
      default: for (let k = 0; k < W; k++) y[o + k] = -1; break;
    }
  }
}

/**
 * Bit-sliced counters: plane p of class c holds bit p of every lane's running sum. Neurons are
 * first combined eight at a time with carry-save adders (Harley-Seal), so the data-dependent
 * ripple into the counters runs once per eight neurons instead of once per neuron.
 */
function countGroups(last: Int32Array, classes: number, group: number, planes: number, counters: Int32Array): void {
  const W = BLOCK_WORDS;
  counters.fill(0);
  for (let c = 0; c < classes; c++) {
    const base = c * planes * W;
    const first = c * group;
    const octets = Math.floor(group / 8);
    for (let k = 0; k < W; k++) {
      let ones = 0;
      let twos = 0;
      let fours = 0;
      for (let q = 0; q < octets; q++) {
        let o = (first + 8 * q) * W + k;
        const x0 = last[o]!, x1 = last[(o += W)]!, x2 = last[(o += W)]!, x3 = last[(o += W)]!;
        const x4 = last[(o += W)]!, x5 = last[(o += W)]!, x6 = last[(o += W)]!, x7 = last[(o += W)]!;
        // Each step: (carry, sum) = a + b + c, bitwise.
        let u = ones ^ x0;
        const twosA = (ones & x0) | (u & x1);
        ones = u ^ x1;
        u = ones ^ x2;
        const twosB = (ones & x2) | (u & x3);
        ones = u ^ x3;
        u = twos ^ twosA;
        const foursA = (twos & twosA) | (u & twosB);
        twos = u ^ twosB;
        u = ones ^ x4;
        const twosC = (ones & x4) | (u & x5);
        ones = u ^ x5;
        u = ones ^ x6;
        const twosD = (ones & x6) | (u & x7);
        ones = u ^ x7;
        u = twos ^ twosC;
        const foursB = (twos & twosC) | (u & twosD);
        twos = u ^ twosD;
        u = fours ^ foursA;
        const eights = (fours & foursA) | (u & foursB);
        fours = u ^ foursB;
        addAt(counters, base + 3 * W + k, W, eights);
      }
      addAt(counters, base + k, W, ones);
      addAt(counters, base + W + k, W, twos);
      addAt(counters, base + 2 * W + k, W, fours);
      for (let j = first + 8 * octets; j < first + group; j++) addAt(counters, base + k, W, last[j * W + k]!);
    }
  }
}

/** Add one bit-sliced word of weight 2^p (its plane at `at`) into the counters, rippling the carry. */
function addAt(counters: Int32Array, at: number, stride: number, word: number): void {
  let carry = word;
  for (let p = at; carry !== 0; p += stride) {
    const t = counters[p]! & carry;
    counters[p]! ^= carry;
    carry = t;
  }
}
