import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import type { FpgaFamily } from '../../src/board/devices.js';
import { parseNextpnrReport } from '../../src/flow/nextpnr.js';
import { resolveTool, yosysShareDir } from '../../src/flow/tools.js';
import { CARRY_FAMILIES, CHAINED_FAMILIES, CHAIN_CELLS_MAX, carryTreeLines, iceCounterFloorCells } from '../../src/hdl/carryHead.js';
import { bitsFor } from '../../src/hdl/bits.js';
import { emitGroupSumModule } from '../../src/hdl/groupSumModule.js';
import { emitVerilog } from '../../src/hdl/emit.js';
import { resolveGroupSum } from '../../src/hdl/groupSum.js';
import type { EncodedSet } from '../../src/data/encoding.js';
import type { DiscreteNetwork } from '../../src/model/network.js';
import { evaluateReference } from '../../src/model/reference.js';
import { compareWithReference, parseResults, simulate, vectorsToHex } from '../../src/sim/simulate.js';
import { planIverilogBuild, planRun } from '../../src/sim/simulators.js';
import { UserError } from '../../src/util/errors.js';
import { hdlDir } from '../../src/util/paths.js';
import { Rng } from '../../src/util/rng.js';
import { randomNetwork, randomVectors, tempDir } from '../helpers.js';

// Gate ids in difflogic order: FALSE, A (a wire: the final neuron reads its input directly), TRUE.
const FALSE = 0, A = 3, TRUE = 15;

/**
 * A one-layer network whose final neurons are the input bits themselves (gate A on x[i]), so the
 * test sets every class's popcount through x. Every `constantEvery`-th neuron is a constant
 * instead (alternately 1 and 0), to exercise the constant ones the head adds as carry-ins.
 */
function identityNetwork(classes: number, group: number, constantEvery: number): DiscreteNetwork {
  const width = classes * group;
  const gates = Uint8Array.from({ length: width }, (_, i) => (constantEvery > 0 && i % constantEvery === constantEvery - 1 ? ((i / constantEvery) % 2 < 1 ? TRUE : FALSE) : A));
  return { inputBits: width, classes, layers: [{ a: Int32Array.from({ length: width }, (_, i) => i), b: Int32Array.from({ length: width }, (_, i) => (i + 1) % width), gates }] };
}

/**
 * Vectors where every class's count is a base count or one more, so ties (and near ties) between
 * classes are common; the base count sweeps from 0 to the group size across the set.
 */
function tieVectors(seed: number, count: number, classes: number, group: number): EncodedSet {
  const rng = new Rng(seed);
  const inputBits = classes * group;
  const bits = new Uint8Array(count * inputBits);
  for (let v = 0; v < count; v++) {
    const base = Math.min(group, Math.floor((v / Math.max(1, count - 1)) * group));
    for (let c = 0; c < classes; c++) {
      const ones = Math.min(group, base + (rng.next() < 0.5 ? 1 : 0));
      const order = Array.from({ length: group }, (_, j) => j);
      for (let j = group - 1; j > 0; j--) {
        const k = rng.int(j + 1);
        [order[j], order[k]] = [order[k]!, order[j]!];
      }
      for (const j of order.slice(0, ones)) bits[v * inputBits + c * group + j] = 1;
    }
  }
  return { count, inputBits, bits, labels: new Uint8Array(count) };
}

/** Simulate the emitted core with the family's own cell models (SYNTHESIS defined: the primitive branch). */
async function simulateWithCells(net: DiscreteNetwork, family: FpgaFamily, data: EncodedSet, dir: string): Promise<{ sums: Int32Array; classIdx: Int32Array; text: string }> {
  const design = emitVerilog(net, { groupSum: 'carry', family });
  const share = await yosysShareDir();
  mkdirSync(dir, { recursive: true });
  const sources = design.files.map((f) => {
    writeFileSync(join(dir, f.name), f.text);
    return f.name;
  });
  writeFileSync(join(dir, 'tb_lgn_core.v'), readFileSync(join(hdlDir(), 'sim', 'tb_lgn_core.v'), 'utf8'));
  const plan = planIverilogBuild(dir, design.ports, [join(share, family, 'cells_sim.v'), ...sources], 'tb_lgn_core.v');
  const build = plan.commands[0]!;
  await execa(build.tool, ['-DSYNTHESIS', `-I${join(share, family)}`, ...build.argv], { cwd: dir });
  writeFileSync(join(dir, 'vectors.hex'), vectorsToHex(data));
  const run = planRun('iverilog', join(dir, plan.artifact), 'vectors.hex', 'results.hex', dir);
  await execa(run.tool, run.argv, { cwd: dir });
  const parsed = parseResults(readFileSync(join(dir, 'results.hex'), 'utf8'), data.count, net.classes, design.ports.sumBits);
  assert.equal(parsed.lines, data.count);
  return { ...parsed, text: design.files[0]!.text };
}

// Several widths and k: odd and even class sizes, a class of one neuron, sums of 2 to 7 bits.
const SHAPES: { classes: number; group: number; constantEvery: number }[] = [
  { classes: 2, group: 1, constantEvery: 0 },
  { classes: 3, group: 7, constantEvery: 0 },
  { classes: 4, group: 33, constantEvery: 5 },
  { classes: 10, group: 10, constantEvery: 0 },
  { classes: 5, group: 64, constantEvery: 9 },
  { classes: 10, group: 100, constantEvery: 0 },
];

for (const family of CARRY_FAMILIES) {
  test(`the carry head on ${family} cells (yosys' cells_sim.v) gives the reference's class sums and argmax, ties included`, async () => {
    const dir = tempDir();
    for (const [s, shape] of SHAPES.entries()) {
      const net = identityNetwork(shape.classes, shape.group, shape.constantEvery);
      const data = tieVectors(100 + s, 120, shape.classes, shape.group);
      const reference = evaluateReference(net, data);
      const run = await simulateWithCells(net, family, data, join(dir, `${family}-${s}`));
      // Up to three bits per class a LUT full adder does it all: no carry chain to see.
      if (shape.group > 3) assert.match(run.text, family === 'ice40' ? /SB_CARRY/ : family === 'ecp5' ? /CCU2C/ : /ALU #/, 'the primitive branch is the one simulated');
      // On a chained family (ECP5) adders ride on each other's chains.
      if (CHAINED_FAMILIES.includes(family) && shape.group >= 33) assert.match(run.text, /\.ci\(c\d+_r\d+_zc\)/);
      const comparison = compareWithReference({ ...run, vectors: data.count }, reference);
      assert.equal(comparison.mismatches, 0, `${family} ${JSON.stringify(shape)}: ${JSON.stringify(comparison.first)}`);
      if (shape.group > 1) {
        let ties = 0;
        for (let v = 0; v < data.count; v++) {
          const sums = Array.from(reference.sums.subarray(v * shape.classes, (v + 1) * shape.classes));
          if (sums.filter((x) => x === Math.max(...sums)).length > 1) ties++;
        }
        assert.ok(ties >= 10, `${JSON.stringify(shape)}: only ${ties} vectors with a tie for the maximum`);
      }
    }
  });
}

test('the carry tree: LUT full adders at the leaves, then one cell per adder bit, the carry out and the carry-in', () => {
  const bits = (n: number): string[] => Array.from({ length: n }, (_, i) => `x${i}`);
  // Three bits: one LUT full adder (two LUTs), no chain.
  const three = carryTreeLines('p', 'o', 'add', bits(3), 0, 2);
  assert.equal(three.cells, 2);
  assert.doesNotMatch(three.lines.join('\n'), /add #/);
  // Seven bits: two full adders, then a 2-bit chain with x2 as carry-in: 2 + 2 + (2 bits + carry out + carry-in).
  const seven = carryTreeLines('p', 'o', 'add', bits(7), 0, 3);
  assert.equal(seven.cells, 8);
  assert.match(seven.lines.join('\n'), /add #\(\.W\(2\), \.CO\(1\)\) p_r2_add \(\.a\(p_r0\), \.b\(p_r1\), \.ci\(x2\), \.s\(p_r2\)\);/);
  for (const n of [15, 100, 500, 1000]) {
    const { cells } = carryTreeLines('p', 'o', 'add', bits(n), 0, bitsFor(n));
    assert.ok(cells <= 1.75 * n, `${n} bits: ${cells} cells`);
  }
  // Constant ones are carry-ins of the upper adders, where they save the carry-in cell.
  const withOnes = carryTreeLines('p', 'o', 'add', bits(5), 2, 3);
  assert.match(withOnes.lines.join('\n'), /\.ci\(1'b1\)/);
  assert.equal(withOnes.cells, seven.cells - 1);
});

test('no carry tree is counted below the floor of counters on iCE40 cells (143 cells for 100 bits)', () => {
  assert.equal(iceCounterFloorCells(100), 143);
  assert.equal(iceCounterFloorCells(3), 2, 'three bits: one full adder, two cells');
  for (let n = 2; n <= 300; n++) {
    const bits = Array.from({ length: n }, (_, i) => `x${i}`);
    for (const chain of [false, true]) {
      const { cells } = carryTreeLines('p', 'o', 'add', bits, 0, bitsFor(n), { chain });
      assert.ok(cells >= iceCounterFloorCells(n), `${n} bits${chain ? ', chained' : ''}: ${cells} cells, floor ${iceCounterFloorCells(n)}`);
    }
  }
});

test('chained (ECP5): an adder whose carry-in is a signal rides on an earlier adder\'s top cell, one cell saved each, runs capped', () => {
  const bits = Array.from({ length: 100 }, (_, i) => `x${i}`);
  const plain = carryTreeLines('p', 'o', 'add', bits, 0, 7);
  const chained = carryTreeLines('p', 'o', 'add', bits, 0, 7, { chain: true });
  const text = chained.lines.join('\n');
  const rides = [...text.matchAll(/\.ci\((p_r\d+)_zc\)/g)].map((m) => m[1]!);
  assert.ok(rides.length >= 15, `${rides.length} chained adders`);
  assert.equal(plain.cells - chained.cells, rides.length, 'each chained adder saves its carry-in cell');
  assert.equal(chained.adders, plain.adders);
  for (const below of rides) {
    // The adder below takes the carry-in (a class bit) on its top cell, and has a carry out.
    assert.match(text, new RegExp(`#\\(\\.W\\(\\d+\\), \\.CO\\(1\\)\\) ${below}_add \\(.*\\.z\\(x\\d+\\), \\.zc\\(${below}_zc\\)`));
  }
  // Each adder is chained to at most one above it, and no run is longer than CHAIN_CELLS_MAX.
  assert.equal(new Set(rides).size, rides.length);
  const widthOf = (name: string): number => Number(new RegExp(`\\.W\\((\\d+)\\), \\.CO\\(1\\)\\) ${name}_add`).exec(text)?.[1] ?? 0) + 1;
  const aboveOf = new Map([...text.matchAll(/\.ci\((p_r\d+)_zc\), \.z\([^)]*\), \.zc\([^)]*\), \.s\((p_r\d+)\)/g)].map((m) => [m[1]!, m[2]!]));
  for (const start of rides.filter((r) => ![...aboveOf.values()].includes(r))) {
    let cells = 1 + widthOf(start);
    for (let at = aboveOf.get(start); at; at = aboveOf.get(at)) cells += widthOf(at);
    assert.ok(cells <= CHAIN_CELLS_MAX + 1, `a run of ${cells} cells from ${start}`);
  }
});

test("on iCE40 nextpnr packs the carry head into fewer logic cells than yosys' chain of +", async () => {
  const dir = tempDir();
  const [yosys, nextpnr] = [await resolveTool('yosys'), await resolveTool('nextpnr-ice40')];
  const packed = async (style: 'carry' | 'chain'): Promise<number> => {
    const module = emitGroupSumModule(200, 10, style, true, 'ice40');
    writeFileSync(join(dir, `${style}.v`), module.text);
    await execa(yosys.command, [...yosys.prefixArgs, '-q', '-p', `synth_ice40 -top ${module.top}; write_json ${style}.json`, `${style}.v`], { cwd: dir });
    await execa(nextpnr.command, [...nextpnr.prefixArgs, '--up5k', '--package', 'sg48', '--pack-only', '--json', `${style}.json`, '--report', `${style}-pack.json`], { cwd: dir });
    return parseNextpnrReport(readFileSync(join(dir, `${style}-pack.json`), 'utf8')).logicCells.used;
  };
  const carry = await packed('carry');
  const chain = await packed('chain');
  // 432 against 461 logic cells (0.94x) when measured: unchained adders and a LUT argmax on iCE40.
  assert.ok(carry < 0.95 * chain, `carry ${carry} vs chain ${chain} logic cells`);
});

test("--groupsum: 'auto' is the carry head on iCE40 and ECP5, 'tree' on Gowin and without a family; 'carry' without a family is a user error", () => {
  assert.equal(resolveGroupSum('auto', 'ice40'), 'carry');
  assert.equal(resolveGroupSum('auto', 'ecp5'), 'carry');
  assert.equal(resolveGroupSum('auto', 'gowin'), 'tree');
  assert.equal(resolveGroupSum('auto', undefined), 'tree');
  assert.equal(resolveGroupSum('chain', 'ecp5'), 'chain');
  assert.throws(() => resolveGroupSum('carry', undefined), (e: unknown) => e instanceof UserError && /--groupsum carry: needs the FPGA family/.test(e.message));
  const net = identityNetwork(3, 7, 0);
  assert.equal(emitVerilog(net, { family: 'ecp5' }).stats.groupSum, 'carry');
  assert.equal(emitVerilog(net, { family: 'ecp5' }).stats.headFamily, 'ecp5');
  assert.equal(emitVerilog(net, { family: 'gowin', groupSum: 'carry' }).stats.groupSum, 'carry');
  assert.equal(emitVerilog(net).stats.groupSum, 'tree');
  assert.equal(emitVerilog(net).stats.headFamily, null);
});

test('a trained-shape model with the carry head passes the netlist check (synth_ice40, then yosys cell models)', async () => {
  const net = randomNetwork(21, 40, [120, 90], 3);
  const design = emitVerilog(net, { groupSum: 'carry', family: 'ice40', registeredIo: true, pipeline: 1 });
  assert.equal(design.stats.groupSum, 'carry');
  assert.doesNotMatch(design.files[0]!.text, /_zc\b/, 'iCE40 adders do not ride on each other (carryHead.ts says why)');
  const vectors = randomVectors(22, 150, net.inputBits, net.classes);
  const run = await simulate(design, vectors, { simulator: 'iverilog', level: 'netlist', cacheDir: tempDir() });
  assert.ok((run.synth?.cells['SB_CARRY'] ?? 0) > 0, 'the carry chains survive synthesis');
  const comparison = compareWithReference(run, evaluateReference(net, vectors));
  assert.equal(comparison.checked, 150);
  assert.equal(comparison.mismatches, 0, JSON.stringify(comparison.first));
});

test('--head-pipeline 1 registers the class sums before the argmax: one cycle more, still bit-exact (RTL and netlist)', async () => {
  const net = randomNetwork(23, 30, [80, 60], 4);
  const plain = emitVerilog(net, { groupSum: 'carry', family: 'ice40', registeredIo: true });
  const cut = emitVerilog(net, { groupSum: 'carry', family: 'ice40', registeredIo: true, headCuts: 1 });
  assert.equal(cut.ports.latency, plain.ports.latency + 1);
  assert.equal(cut.stats.headCuts, 1);
  assert.equal(cut.stats.registerBits, plain.stats.registerBits + net.classes * cut.ports.sumBits + 1);
  assert.throws(() => emitVerilog(net, { headCuts: 4 }), (e: unknown) => e instanceof UserError && /--head-pipeline: expected 0 to 3/.test(e.message));
  const vectors = randomVectors(24, 100, net.inputBits, net.classes);
  const reference = evaluateReference(net, vectors);
  const cacheDir = tempDir();
  for (const level of ['rtl', 'netlist'] as const) {
    const run = await simulate(cut, vectors, { simulator: 'iverilog', level, cacheDir });
    assert.equal(run.measuredLatency, cut.ports.latency, `${level}: the testbench counts the manifest's latency`);
    const comparison = compareWithReference(run, reference);
    assert.equal(comparison.mismatches, 0, `${level}: ${JSON.stringify(comparison.first)}`);
  }
});
