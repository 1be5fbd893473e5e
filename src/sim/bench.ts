/**
 * Benchmark of the simulators (scripts/bench-sim runs this, then the head's LUTs in
 * src/flow/headBench.ts): Verilator vs Icarus vectors/s on the same design and vectors, side by
 * side with the ratio.
 *
 *   node dist/src/sim/bench.js [model.json] [--vectors N] [--json]
 * Without a model it uses a seeded random network of 784 inputs and widths 1000,1000,1000.
 */
import { parseArgs } from 'node:util';
import { emitVerilog } from '../hdl/emit.js';
import { loadModel } from '../model/modelFile.js';
import type { DiscreteNetwork } from '../model/network.js';
import { evaluateReference } from '../model/reference.js';
import { drawWiring } from '../model/wiring.js';
import { Rng } from '../util/rng.js';
import { randomVectors } from './check.js';
import { compareWithReference, simulate } from './simulate.js';
import { SIMULATORS } from './simulators.js';

function benchNetwork(): DiscreteNetwork {
  const rng = new Rng(2024);
  let inDim = 784;
  const layers = [1000, 1000, 1000].map((w) => {
    const wiring = drawWiring('random', inDim, w, rng);
    inDim = w;
    return { ...wiring, gates: Uint8Array.from({ length: w }, () => rng.int(16)) };
  });
  return { inputBits: 784, classes: 10, layers };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { vectors: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true });
  const net = positionals[0] ? loadModel(positionals[0]).network : benchNetwork();
  const count = Number(values.vectors ?? 5000);
  const vectors = randomVectors(count, net.inputBits, 7);
  const reference = evaluateReference(net, { ...vectors, labels: new Uint8Array(count) });
  const design = emitVerilog(net);
  const speed: Record<string, { vectorsPerSecond: number; compileSeconds: number; cacheHit: boolean; mismatches: number }> = {};
  for (const simulator of SIMULATORS) {
    // Verilator at -O2: this measures simulation speed, not build time.
    const run = await simulate(design, vectors, { simulator, level: 'rtl', optimize: true });
    speed[simulator] = {
      vectorsPerSecond: run.vectorsPerSecond,
      compileSeconds: run.compileSeconds,
      cacheHit: run.cacheHit,
      mismatches: compareWithReference(run, reference).mismatches,
    };
  }
  const result = {
    design: { liveGates: design.stats.liveGates, nominalGates: design.stats.nominalGates, vectors: count },
    speed,
    verilatorOverIcarus: speed['verilator']!.vectorsPerSecond / speed['iverilog']!.vectorsPerSecond,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } else {
    const v = speed['verilator']!;
    const i = speed['iverilog']!;
    process.stdout.write(
      [
        `design: ${design.stats.liveGates} live of ${design.stats.nominalGates} gates, ${count} random vectors (rtl, P=0)`,
        `                 vectors/s    build s   mismatches`,
        `  verilator  ${v.vectorsPerSecond.toFixed(0).padStart(12)} ${v.compileSeconds.toFixed(1).padStart(10)}${v.cacheHit ? '*' : ' '} ${String(v.mismatches).padStart(11)}`,
        `  iverilog   ${i.vectorsPerSecond.toFixed(0).padStart(12)} ${i.compileSeconds.toFixed(1).padStart(10)}${i.cacheHit ? '*' : ' '} ${String(i.mismatches).padStart(11)}`,
        `  verilator / iverilog: ${result.verilatorOverIcarus.toFixed(1)}x   (* build from the cache; time of the original build)`,
      ].join('\n') + '\n',
    );
  }
  if (Object.values(speed).some((s) => s.mismatches > 0)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-sim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
