import { emitVerilog, type EmitOptions, type EmittedDesign } from '../hdl/emit.js';
import type { DiscreteNetwork } from '../model/network.js';
import { evaluateReference } from '../model/reference.js';
import { Rng } from '../util/rng.js';
import { compareWithReference, simulate, type Comparison, type SimulateOptions, type SimulationRun, type VectorSet } from './simulate.js';

/** `count` uniformly random vectors of `inputBits` bits from a seeded Rng. */
export function randomVectors(count: number, inputBits: number, seed: number): VectorSet {
  const rng = new Rng(seed);
  const bits = new Uint8Array(count * inputBits);
  for (let i = 0; i < bits.length; i += 32) {
    const word = rng.nextUint32();
    for (let b = 0; b < 32 && i + b < bits.length; b++) bits[i + b] = (word >>> b) & 1;
  }
  return { count, inputBits, bits };
}

export interface CheckResult {
  design: EmittedDesign;
  run: SimulationRun;
  comparison: Comparison;
}

/**
 * Emit a network (unless a design is given), simulate every vector and compare the class sums and
 * class index of each with the software reference.
 */
export async function checkDesign(
  net: DiscreteNetwork,
  vectors: VectorSet,
  options: SimulateOptions & { emit?: EmitOptions; design?: EmittedDesign },
): Promise<CheckResult> {
  const design = options.design ?? emitVerilog(net, options.emit);
  const reference = evaluateReference(net, { ...vectors, labels: new Uint8Array(vectors.count) });
  const run = await simulate(design, vectors, options);
  return { design, run, comparison: compareWithReference(run, reference) };
}
