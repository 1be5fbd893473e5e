import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EncodedSet } from '../src/data/encoding.js';
import { applyGate, GATE_COUNT } from '../src/model/gates.js';
import type { DiscreteNetwork } from '../src/model/network.js';
import { makeModel, saveModel } from '../src/model/modelFile.js';
import { drawWiring } from '../src/model/wiring.js';
import { Rng } from '../src/util/rng.js';

/** The built CLI (dist/src/cli/main.js), as users run it. */
export const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** Run the CLI to its end: exit status and both outputs. `cwd` and `env` (added to ours) are optional. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...(options.cwd ? { cwd: options.cwd } : {}), env: { ...process.env, ...options.env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** An IDX file (MNIST's format): element type, dimensions, then the values as bytes. */
export function idx(type: number, dims: number[], values: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(type, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(values)]);
}

export function tempDir(prefix = 'gatebench-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A network with seeded random wiring and gates, for tests that need no training. */
export function randomNetwork(seed: number, inputBits: number, widths: number[], classes: number): DiscreteNetwork {
  const rng = new Rng(seed);
  let inDim = inputBits;
  const layers = widths.map((w) => {
    const wiring = drawWiring('random', inDim, w, rng);
    inDim = w;
    return { ...wiring, gates: Uint8Array.from({ length: w }, () => rng.int(GATE_COUNT)) };
  });
  return { inputBits, classes, layers };
}

export function randomVectors(seed: number, count: number, inputBits: number, classes: number): EncodedSet {
  const rng = new Rng(seed);
  return {
    count,
    inputBits,
    bits: Uint8Array.from({ length: count * inputBits }, () => (rng.next() < 0.5 ? 1 : 0)),
    labels: Uint8Array.from({ length: count }, () => rng.int(classes)),
  };
}

/** The slowest possible evaluation, one sample and one gate at a time: an independent oracle. */
export function naiveEvaluate(net: DiscreteNetwork, data: EncodedSet): { sums: number[][]; predictions: number[] } {
  const sums: number[][] = [];
  const predictions: number[] = [];
  for (let s = 0; s < data.count; s++) {
    let values = Array.from(data.bits.subarray(s * data.inputBits, (s + 1) * data.inputBits));
    for (const layer of net.layers) {
      values = Array.from(layer.gates, (g, j) => applyGate(g, values[layer.a[j]!]!, values[layer.b[j]!]!));
    }
    const group = values.length / net.classes;
    const row = Array.from({ length: net.classes }, (_, c) => values.slice(c * group, (c + 1) * group).reduce((x, y) => x + y, 0));
    sums.push(row);
    predictions.push(row.indexOf(Math.max(...row)));
  }
  return { sums, predictions };
}

/** Save a network as a model file (no dataset, threshold encoding) for CLI tests; returns its path. */
export function writeModelFile(dir: string, network: DiscreteNetwork, name = 'model.json'): string {
  const model = makeModel(network, { tau: 10, wiring: 'random' }, {
    encoding: { method: 'threshold', shape: [network.inputBits], crop: null, thresholds: [[0.5]] },
    dataset: null,
    training: null,
    metrics: { relaxedTestAccuracy: null, discreteTestAccuracy: null, discreteTrainAccuracy: null },
  } as unknown as Parameters<typeof makeModel>[2]);
  const path = join(dir, name);
  saveModel(path, model);
  return path;
}
