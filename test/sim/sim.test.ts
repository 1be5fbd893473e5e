import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emitVerilog, type EmitOptions, type EmittedDesign } from '../../src/hdl/emit.js';
import { evaluateReference } from '../../src/model/reference.js';
import { checkDesign, randomVectors } from '../../src/sim/check.js';
import { compareWithReference, simulate } from '../../src/sim/simulate.js';
import { LEVELS, SIMULATORS } from '../../src/sim/simulators.js';
import { randomNetwork, tempDir } from '../helpers.js';
import { handMadeNetwork } from '../hdl/fixtures.js';

// Small enough to build in seconds, big enough for every structure: 3 layers, dead cones,
// constants, wires, 6 classes of 20 (5-bit sums) and a 3-level argmax tree.
const NET = randomNetwork(21, 48, [200, 200, 120], 6);
const VECTORS = randomVectors(300, 48, 5);
const CONFIGS: EmitOptions[] = [{}, { pipeline: 1, registeredIo: true }];

for (const simulator of SIMULATORS) {
  for (const level of LEVELS) {
    test(`${simulator} ${level}: bit-exact on every vector, combinational and pipelined`, async () => {
      for (const emit of CONFIGS) {
        const { design, run, comparison } = await checkDesign(NET, VECTORS, { simulator, level, emit });
        assert.equal(comparison.checked, 300);
        assert.equal(comparison.mismatches, 0, `${JSON.stringify(emit)}: ${JSON.stringify(comparison.first)}`);
        assert.equal(run.measuredLatency, design.ports.clocked ? design.ports.latency : null);
        if (emit.pipeline) {
          assert.equal(design.ports.latency, 5);
          assert.equal(run.cycles, 300 + 5 - 1, 'one vector per cycle, then the pipeline drains');
        }
        if (level === 'netlist') assert.ok((run.synth?.cells['SB_LUT4'] ?? 0) > 0, 'the netlist is made of iCE40 LUTs');
        // The same design again comes from the cache.
        const again = await simulate(design, VECTORS, { simulator, level });
        assert.equal(again.cacheHit, true);
        assert.deepEqual(again.sums, run.sums);
      }
    });
  }
}

test('the hand-made network (constants, inverters, unused inputs) simulates exactly', async () => {
  const net = handMadeNetwork();
  const all = randomVectors(16, 4, 1);
  for (let v = 0; v < 16; v++) for (let b = 0; b < 4; b++) all.bits[v * 4 + b] = (v >> b) & 1;
  for (const emit of [{}, { pipeline: 1 }] as EmitOptions[]) {
    const { comparison } = await checkDesign(net, all, { simulator: 'iverilog', level: 'rtl', emit });
    assert.equal(comparison.mismatches, 0, JSON.stringify(comparison.first));
  }
});

/** Flip the operator of one live last-layer gate: the design no longer matches the model. */
function corrupt(design: EmittedDesign): { design: EmittedDesign; line: string } {
  const text = design.files[0]!.text;
  const last = new RegExp(`^ {2}wire g${NET.layers.length - 1}_\\d+ = \\S+ (&|\\||\\^) \\S+;$`, 'm');
  const match = last.exec(text);
  assert.ok(match, 'a live two-input gate in the last layer');
  const flipped = match[0].replace(` ${match[1]} `, match[1] === '&' ? ' | ' : ' & ');
  return { design: { ...design, files: [{ name: design.files[0]!.name, text: text.replace(match[0], flipped) }] }, line: flipped.trim() };
}

test('a corrupted gate is caught: the simulation reports mismatches against the reference', async () => {
  const good = emitVerilog(NET);
  const { design, line } = corrupt(good);
  assert.notEqual(design.files[0]!.text, good.files[0]!.text);
  const reference = evaluateReference(NET, { ...VECTORS, labels: new Uint8Array(VECTORS.count) });
  for (const simulator of SIMULATORS) {
    const run = await simulate(design, VECTORS, { simulator, level: 'rtl' });
    const comparison = compareWithReference(run, reference);
    assert.ok(comparison.mismatches > 0, `${simulator} missed the corrupted gate (${line})`);
    assert.ok(comparison.mismatches < VECTORS.count, 'only the vectors where the two gates differ');
    const m = comparison.first[0]!;
    const diff = m.expected.sums.map((s, c) => Math.abs(s - m.actual.sums[c]!));
    assert.equal(diff.filter((d) => d > 0).length, 1, `one class changes: ${JSON.stringify(m)}`);
    assert.equal(Math.max(...diff), 1, 'by exactly one (one gate of one class flipped)');
  }
});

test('the build cache: a fresh cache misses, the second run hits and does not rebuild', async () => {
  const cacheDir = tempDir('gatebench-cache-');
  const design = emitVerilog(randomNetwork(4, 16, [40, 20], 2));
  const vectors = randomVectors(50, 16, 2);
  const first = await simulate(design, vectors, { simulator: 'iverilog', level: 'rtl', cacheDir });
  const second = await simulate(design, vectors, { simulator: 'iverilog', level: 'rtl', cacheDir });
  assert.equal(first.cacheHit, false);
  assert.equal(second.cacheHit, true);
  assert.equal(second.compileSeconds, first.compileSeconds, 'the recorded build time is the original one');
  assert.deepEqual(second.sums, first.sums);
});
