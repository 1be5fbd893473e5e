import { UserError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';

export const WIRING_MODES = ['random', 'unique'] as const;
export type WiringMode = (typeof WIRING_MODES)[number];

/** The two input indices of every neuron of one layer. */
export interface LayerWiring {
  a: Int32Array;
  b: Int32Array;
}

/**
 * Fixed wiring of one layer, as difflogic draws it. 'random': 2n draws that spread over the inputs
 * as evenly as a permutation allows; a layer narrower than half its inputs reads 2n distinct random
 * ones and leaves the rest unread (their cones go dead: the narrow-final-layer effect). 'unique':
 * every input is used and no pair repeats, so the layer needs at least half as many neurons as inputs.
 */
export function drawWiring(mode: WiringMode, inDim: number, outDim: number, rng: Rng): LayerWiring {
  if (mode === 'unique' && outDim * 2 < inDim) {
    throw new UserError(
      `with unique wiring, a layer of ${outDim} neurons cannot read all ${inDim} inputs: widths must be at least half of the layer before (${Math.ceil(inDim / 2)}), or use --wiring random`,
    );
  }
  return mode === 'random' ? randomWiring(inDim, outDim, rng) : uniqueWiring(inDim, outDim, rng);
}

function randomWiring(inDim: number, outDim: number, rng: Rng): LayerWiring {
  const draw = rng.permutation(2 * outDim);
  const inputOrder = rng.permutation(inDim);
  const a = new Int32Array(outDim);
  const b = new Int32Array(outDim);
  for (let j = 0; j < outDim; j++) {
    a[j] = inputOrder[draw[j]! % inDim]!;
    b[j] = inputOrder[draw[outDim + j]! % inDim]!;
  }
  return { a, b };
}

function uniqueWiring(inDim: number, outDim: number, rng: Rng): LayerWiring {
  const pairsA: number[] = [];
  const pairsB: number[] = [];
  // Neighbouring pairs (0,1),(2,3)..., then (1,2),(3,4)..., then offsets 2, 3, ... until enough.
  for (let i = 0; i + 1 < inDim; i += 2) {
    pairsA.push(i);
    pairsB.push(i + 1);
  }
  if (pairsA.length < outDim) {
    for (let i = 1; i + 1 < inDim; i += 2) {
      pairsA.push(i);
      pairsB.push(i + 1);
    }
  }
  for (let offset = 2; pairsA.length < outDim && pairsA.length > offset; offset++) {
    for (let i = 0; i + offset < inDim; i++) {
      pairsA.push(i);
      pairsB.push(i + offset);
    }
  }
  if (pairsA.length < outDim) {
    throw new UserError(`unique wiring cannot give ${outDim} distinct pairs of ${inDim} inputs`);
  }
  const order = rng.permutation(outDim);
  const a = new Int32Array(outDim);
  const b = new Int32Array(outDim);
  for (let j = 0; j < outDim; j++) {
    a[j] = pairsA[order[j]!]!;
    b[j] = pairsB[order[j]!]!;
  }
  return { a, b };
}
