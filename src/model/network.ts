import { createHash } from 'node:crypto';
import { GATE_COUNT } from './gates.js';
import type { WiringMode } from './wiring.js';

/** One layer after discretisation: every neuron is a single gate reading inputs a and b. */
export interface DiscreteLayer {
  a: Int32Array;
  b: Int32Array;
  gates: Uint8Array;
}

/**
 * A discrete LGN: layers of gates, then GroupSum. Class c's score is the number of ones among
 * last-layer neurons c*g .. (c+1)*g-1, with g = last width / classes. The predicted class is the
 * highest score; on a tie the lowest class index wins, everywhere in gatebench.
 */
export interface DiscreteNetwork {
  inputBits: number;
  classes: number;
  layers: DiscreteLayer[];
}

/** How training initialises the gate logits (see train.ts). */
export const INIT_MODES = ['normal', 'residual'] as const;
export type InitMode = (typeof INIT_MODES)[number];

/** What the relaxed network trains on: the encoded bits, or their real values (difflogic's recipes). */
export const TRAIN_INPUTS = ['bits', 'real'] as const;
export type TrainInputs = (typeof TRAIN_INPUTS)[number];

/** The shape of a network before training: widths, wiring and GroupSum temperature. */
export interface Architecture {
  inputBits: number;
  widths: number[];
  classes: number;
  tau: number;
  wiring: WiringMode;
}

export function groupSize(net: DiscreteNetwork): number {
  return net.layers[net.layers.length - 1]!.gates.length / net.classes;
}

/** Bits needed for a class sum: enough for 0..groupSize. */
export function sumBits(net: DiscreteNetwork): number {
  return Math.max(1, Math.ceil(Math.log2(groupSize(net) + 1)));
}

export function gateCount(net: DiscreteNetwork): number {
  return net.layers.reduce((n, l) => n + l.gates.length, 0);
}

export function gateHistogram(net: DiscreteNetwork): number[] {
  const histogram = new Array<number>(GATE_COUNT).fill(0);
  for (const layer of net.layers) for (const g of layer.gates) histogram[g]!++;
  return histogram;
}

/**
 * Content hash of what the hardware implements: input width, classes, and every neuron's wiring
 * and gate, as little-endian bytes. Two model files with the same hash give the same class sums.
 */
export function networkHash(net: DiscreteNetwork): string {
  const h = createHash('sha256');
  const header = new Uint32Array([0x4c474e31 /* 'LGN1' */, net.inputBits, net.classes, net.layers.length]);
  h.update(new Uint8Array(header.buffer));
  for (const layer of net.layers) {
    h.update(new Uint8Array(new Uint32Array([layer.gates.length]).buffer));
    h.update(new Uint8Array(layer.a.buffer, layer.a.byteOffset, layer.a.byteLength));
    h.update(new Uint8Array(layer.b.buffer, layer.b.byteOffset, layer.b.byteLength));
    h.update(layer.gates);
  }
  return h.digest('hex');
}
