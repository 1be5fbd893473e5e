import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { emitVerilog } from '../../src/hdl/emit.js';
import { applyGate } from '../../src/model/gates.js';
import type { DiscreteNetwork } from '../../src/model/network.js';
import { estimatePower, stressSequence, up5kModel } from '../../src/power/estimate.js';
import { countToggles, shortenIdentifiers } from '../../src/power/toggles.js';
import type { VectorSet } from '../../src/sim/simulate.js';
import { cacheRoot } from '../../src/util/cache.js';
import { UserError } from '../../src/util/errors.js';
import { randomNetwork, randomVectors } from '../helpers.js';

/** Transitions of every neuron's output between consecutive vectors, from the software model. */
function neuronTransitions(net: DiscreteNetwork, v: VectorSet): Map<string, number> {
  const counts = new Map<string, number>();
  let previous: number[][] | null = null;
  for (let s = 0; s < v.count; s++) {
    let values = Array.from(v.bits.subarray(s * v.inputBits, (s + 1) * v.inputBits));
    const layers: number[][] = [];
    for (const layer of net.layers) {
      values = Array.from(layer.gates, (g, j) => applyGate(g, values[layer.a[j]!]!, values[layer.b[j]!]!));
      layers.push(values);
    }
    if (previous) {
      layers.forEach((outs, l) => outs.forEach((o, n) => {
        const key = `g${l}_${n}`;
        counts.set(key, (counts.get(key) ?? 0) + (o !== previous![l]![n] ? 1 : 0));
      }));
    }
    previous = layers;
  }
  return counts;
}

const tiny = randomNetwork(11, 12, [24, 12], 2);
const tinyVectors = randomVectors(12, 150, 12, 2);

test('Verilator counts each gate net transition once, 0->1 and 1->0 alike, as the software model sees them', async () => {
  const design = emitVerilog(tiny);
  const rtl = await countToggles(design, tinyVectors, { level: 'rtl' });
  assert.equal(rtl.steps, tinyVectors.count - 1);
  const expected = neuronTransitions(tiny, tinyVectors);
  // gL_i holds neuron L.i and gL_i_n its complement, which toggles exactly when the neuron does.
  const gateNets = [...rtl.perNet.keys()].filter((k) => /^g\d+_\d+(_n)?$/.test(k));
  assert.ok(gateNets.length >= 10, `only ${gateNets.length} live gate nets`);
  let total = 0;
  for (const name of gateNets) {
    assert.equal(rtl.perNet.get(name), expected.get(name.replace(/_n$/, '')), name);
    total += rtl.perNet.get(name)!;
  }
  assert.ok(total > 0);

  // The netlist keeps the ports' values, so their transitions agree; its nets are the ports and the cells' outputs.
  const netlist = await countToggles(design, tinyVectors, { level: 'netlist' });
  for (let i = 0; i < tiny.inputBits; i++) assert.equal(netlist.perNet.get(`x[${i}]`), rtl.perNet.get(`x[${i}]`), `x[${i}]`);
  for (let i = 0; i < design.ports.classes * design.ports.sumBits; i++) assert.equal(netlist.perNet.get(`sums[${i}]`), rtl.perNet.get(`sums[${i}]`), `sums[${i}]`);
  const cells = netlist.cells!;
  assert.equal(netlist.nets, tiny.inputBits + (cells['SB_LUT4'] ?? 0) + (cells['SB_CARRY'] ?? 0));
});

test('long netlist names are shortened consistently (Verilator would hash them out of reach)', () => {
  const long = `n_${'SB_LUT4_O_I1_'.repeat(12)}`;
  const other = `m_${'SB_CARRY_CO_'.repeat(12)}`;
  const text = `wire [3:0] ${long};\nwire ${other};\n.I0(${long}[2]), .I1(${other}), .I2(short_name)`;
  assert.equal(shortenIdentifiers(text), 'wire [3:0] gatebench_long_0;\nwire gatebench_long_1;\n.I0(gatebench_long_0[2]), .I1(gatebench_long_1), .I2(short_name)');
});

test('escaped netlist names (a flattened submodule\'s nets) become plain ones, the same name for the same net', () => {
  const text = 'wire [3:0] \\c0_add.aa ;\nwire \\c0_add/aa ;\n.I0(\\c0_add.aa [2]), .I1(\\c0_add/aa ), .I2(short_name)';
  assert.equal(shortenIdentifiers(text), 'wire [3:0] gatebench_esc_c0_add_aa ;\nwire gatebench_esc_c0_add_aa_1 ;\n.I0(gatebench_esc_c0_add_aa [2]), .I1(gatebench_esc_c0_add_aa_1 ), .I2(short_name)');
});

test('the STRESS sequence rotates the packed payload down one byte a clock', () => {
  const vector = Uint8Array.from({ length: 12 }, (_, i) => (i === 0 || i === 9 ? 1 : 0));
  const seq = stressSequence(vector, 12, 3);
  assert.equal(seq.count, 3 * 2 + 1);
  const row = (t: number) => Array.from(seq.bits.subarray(t * 12, (t + 1) * 12)).join('');
  assert.equal(row(0), '100000000100');
  // Byte 1 (bits 8..15; 12..15 are padding) moves to byte 0; byte 0 re-enters at the top.
  assert.equal(row(1), '010000001000');
  assert.equal(row(2), row(0));
});

test('the estimate is consistent and every constant has a source', async () => {
  const e = await estimatePower(tiny, tinyVectors, { clockHz: 12e6, device: 'up5k' });
  assert.equal(e.idleW, e.staticW + e.clockW);
  assert.equal(e.stress.energyPerInferenceJ, e.stress.togglesPerEvaluation * e.energyPerToggleJ);
  assert.equal(e.stress.dynamicW, e.stress.energyPerInferenceJ * e.clockHz);
  assert.equal(e.stress.loadW, e.idleW + e.stress.dynamicW);
  assert.equal(e.stream.energyPerInferenceJ, e.stream.togglesPerEvaluation * e.energyPerToggleJ);
  assert.equal(e.stream.evaluations, tinyVectors.count);
  assert.equal(e.stream.toggles / (e.stream.evaluations - 1), e.stream.togglesPerEvaluation);
  assert.ok(e.stress.togglesPerEvaluation > 0 && e.stream.togglesPerEvaluation > 0);
  assert.equal(e.rail.volts, 1.2);
  for (const c of e.constants) assert.ok(c.source.length > 0 && Number.isFinite(c.value) && c.value > 0, c.name);
  // Orders of magnitude the measurements imply: ~100 uW static, ~0.6 mW of clock at 12 MHz.
  assert.ok(e.staticW > 50e-6 && e.staticW < 200e-6, `staticW ${e.staticW}`);
  assert.ok(e.clockW > 300e-6 && e.clockW < 1.5e-3, `clockW ${e.clockW}`);

  // The clock term scales with the frequency and the flip-flops clocked.
  const fast = await estimatePower(tiny, tinyVectors, { clockHz: 24e6, device: 'up5k' });
  assert.ok(Math.abs(fast.clockW - 2 * e.clockW) < 1e-12);
  const big = await estimatePower(tiny, tinyVectors, { clockHz: 12e6, device: 'up5k', flipFlops: e.flipFlops + 1000 });
  const model = await up5kModel();
  assert.ok(Math.abs(big.clockW - e.clockW - 1000 * model.flipFlopEnergyJ * 12e6) < 1e-12);
  assert.equal(big.stress.energyPerInferenceJ, e.stress.energyPerInferenceJ);
});

test('the energy per toggle is calibrated on the measured Math logic', async () => {
  const model = await up5kModel();
  assert.equal(model.run.steps, 1024);
  assert.equal(model.run.cells!['SB_DFF'], 16);
  // (996 - 645) uA at 1.219 V and 12 MHz, less 16 flip-flops' clocking, over the toggles per clock.
  const mathJ = (351e-6 * 1.219) / 12e6 - 16 * model.flipFlopEnergyJ;
  assert.ok(Math.abs(model.energyPerToggleJ * model.calibrationTogglesPerClock - mathJ) < 1e-18);
  assert.ok(model.calibrationTogglesPerClock > 20 && model.calibrationTogglesPerClock < 200);
});

test('XOR gates toggle more per evaluation than constant gates', async () => {
  const withGates = (gate: number): DiscreteNetwork => {
    const net = randomNetwork(21, 16, [32, 16], 2);
    return { ...net, layers: net.layers.map((l) => ({ ...l, gates: new Uint8Array(l.gates.length).fill(gate) })) };
  };
  const vectors = randomVectors(22, 120, 16, 2);
  const xor = await estimatePower(withGates(6), vectors, { clockHz: 12e6, device: 'up5k' });
  const constant = await estimatePower(withGates(0), vectors, { clockHz: 12e6, device: 'up5k' });
  assert.ok(xor.stream.togglesPerEvaluation > constant.stream.togglesPerEvaluation + 5, `${xor.stream.togglesPerEvaluation} vs ${constant.stream.togglesPerEvaluation}`);
  assert.ok(xor.stress.togglesPerEvaluation > constant.stress.togglesPerEvaluation);
  assert.ok(xor.stress.loadW > constant.stress.loadW);
});

test('STRESS on an all-zero vector toggles no core net', async () => {
  const vectors: VectorSet = { ...tinyVectors, bits: tinyVectors.bits.slice() };
  vectors.bits.fill(0, 0, tiny.inputBits);
  const e = await estimatePower(tiny, vectors, { clockHz: 12e6, device: 'up5k', stressVector: 0 });
  assert.equal(e.stress.toggles, 0);
  assert.equal(e.stress.dynamicW, 0);
  assert.equal(e.stress.loadW, e.idleW);
  assert.ok(e.stress.nets > tiny.inputBits);
});

test('a second estimate comes from the cache (no new toggle build) and is identical', async () => {
  const first = await estimatePower(tiny, tinyVectors, { clockHz: 12e6, device: 'up5k', core: { registeredIo: true } });
  const builds = (): number => readdirSync(join(cacheRoot(), 'toggles')).length;
  const before = builds();
  const second = await estimatePower(tiny, tinyVectors, { clockHz: 12e6, device: 'up5k', core: { registeredIo: true } });
  assert.deepEqual(second, first);
  assert.equal(builds(), before, 'the second estimate built nothing');
  // A registered core clocks its input and output registers.
  assert.ok(first.flipFlops > tiny.inputBits / 2);
});

test('devices without measured constants and bad options are user errors', async () => {
  await assert.rejects(estimatePower(tiny, tinyVectors, { clockHz: 12e6, device: 'hx1k' }), (e: unknown) => e instanceof UserError && /^power estimate not available for iCE40HX1K: /.test(e.message));
  await assert.rejects(estimatePower(tiny, tinyVectors, { clockHz: 12e6, device: 'xc7a35t' }), (e: unknown) => e instanceof UserError && /^no power model for device 'xc7a35t': expected a device id of src\/board\/devices\.ts/.test(e.message));
  await assert.rejects(estimatePower(tiny, tinyVectors, { clockHz: 12e6, device: 'up5k', stressVector: 150 }), UserError);
  await assert.rejects(estimatePower(tiny, tinyVectors, { clockHz: 0, device: 'up5k' }), UserError);
});
