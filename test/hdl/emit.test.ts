import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { emitVerilog, type EmitOptions } from '../../src/hdl/emit.js';
import { emitGroupSumModule } from '../../src/hdl/groupSumModule.js';
import { applyGate } from '../../src/model/gates.js';
import { randomNetwork, randomVectors, tempDir } from '../helpers.js';
import { handMadeNetwork } from './fixtures.js';

const VARIANTS: EmitOptions[] = [
  {},
  { pipeline: 1 },
  { pipeline: 2, registeredIo: true },
  { registeredIo: true, groupSum: 'chain' },
  { groupSum: 'binary' },
  { groupSum: 'carry', family: 'ice40' },
  { groupSum: 'carry', family: 'ecp5', pipeline: 1, registeredIo: true },
  { headCuts: 1 },
  { headCuts: 1, pipeline: 1, registeredIo: true, groupSum: 'carry', family: 'ice40' },
];

async function lint(file: string): Promise<{ verilator: string; iverilog: string }> {
  const v = await execa('verilator', ['--lint-only', '-Wall', file], { reject: false });
  // Into a scratch file, never /dev/null: iverilog marks its output executable, and as root that chmods /dev/null.
  const i = await execa('iverilog', ['-Wall', '-o', `${file}.vvp`, file], { reject: false });
  assert.equal(v.exitCode, 0, `verilator --lint-only -Wall ${file}: ${v.stderr}`);
  assert.equal(i.exitCode, 0, `iverilog -Wall ${file}: ${i.stderr}`);
  return { verilator: (v.stdout + v.stderr).trim(), iverilog: (i.stdout + i.stderr).trim() };
}

test('emitted Verilog lints clean under verilator -Wall and iverilog -Wall, every option', async () => {
  const dir = tempDir();
  const nets = [randomNetwork(5, 40, [100, 100, 60], 6), handMadeNetwork(), randomNetwork(6, 10, [8, 4], 1)];
  for (const [n, net] of nets.entries()) {
    for (const [k, options] of VARIANTS.entries()) {
      if (options.pipeline && options.pipeline > net.layers.length) continue;
      const design = emitVerilog(net, options);
      const file = join(dir, `n${n}_v${k}`, design.files[0]!.name);
      await import('node:fs').then((fs) => fs.mkdirSync(join(dir, `n${n}_v${k}`)));
      writeFileSync(file, design.files[0]!.text);
      assert.deepEqual(await lint(file), { verilator: '', iverilog: '' }, `net ${n} ${JSON.stringify(options)}`);
    }
  }
  const groupSum = join(dir, 'lgn_groupsum.v');
  for (const style of ['tree', 'binary', 'chain', 'carry'] as const) {
    writeFileSync(groupSum, emitGroupSumModule(120, 6, style, true, 'gowin').text);
    assert.deepEqual(await lint(groupSum), { verilator: '', iverilog: '' }, style);
  }
});

test('emission is deterministic: the same network gives byte-identical files', () => {
  for (const options of VARIANTS) {
    const a = emitVerilog(randomNetwork(9, 32, [80, 80, 40], 4), options);
    const b = emitVerilog(randomNetwork(9, 32, [80, 80, 40], 4), options);
    assert.equal(a.files[0]!.text, b.files[0]!.text);
    assert.equal(a.designHash, b.designHash);
  }
  const other = emitVerilog(randomNetwork(10, 32, [80, 80, 40], 4));
  assert.notEqual(other.designHash, emitVerilog(randomNetwork(9, 32, [80, 80, 40], 4)).designHash);
  assert.doesNotMatch(emitVerilog(randomNetwork(9, 32, [80, 80, 40], 4)).files[0]!.text, /\d{4}-\d{2}-\d{2}|\/tmp|\/work/, 'no dates or paths');
});

test('ports, widths and latency follow the network and the options', () => {
  const net = randomNetwork(3, 40, [100, 100, 60], 6); // 10 per class: 4-bit sums, 3-bit class_idx
  const comb = emitVerilog(net);
  assert.deepEqual(comb.ports, { module: 'lgn_core', inputBits: 40, classes: 6, sumBits: 4, classIdxBits: 3, clocked: false, latency: 0 });
  assert.match(comb.files[0]!.text, /^module lgn_core \(\n {2}input wire \[39:0\] x,\n {2}output wire \[23:0\] sums,\n {2}output wire \[2:0\] class_idx\n\);/m);
  assert.doesNotMatch(comb.files[0]!.text, /clk|always/);
  assert.equal(emitVerilog(net, { pipeline: 1 }).ports.latency, 3); // after layers 0, 1 and 2
  assert.equal(emitVerilog(net, { pipeline: 2 }).ports.latency, 1); // after layer 1 only
  assert.equal(emitVerilog(net, { pipeline: 3 }).ports.latency, 1); // after layer 2, before GroupSum
  assert.equal(emitVerilog(net, { registeredIo: true }).ports.latency, 2);
  const piped = emitVerilog(net, { pipeline: 1, registeredIo: true });
  assert.equal(piped.ports.latency, 5);
  assert.match(piped.files[0]!.text, /input wire clk,\n {2}input wire rst,\n {2}input wire in_valid,/);
  assert.match(piped.files[0]!.text, /output wire out_valid\n\);/);
  assert.throws(() => emitVerilog(net, { pipeline: 4 }), /--pipeline: expected an integer from 0 to 3/);
});

test('the hand-made network emits exactly its two live gates and folds the rest', () => {
  const design = emitVerilog(handMadeNetwork());
  const text = design.files[0]!.text;
  const gates = text.split('\n').filter((l) => /^\s*wire g\d+_\d+ =/.test(l)).map((l) => l.trim());
  assert.deepEqual(gates, ['wire g0_0 = x[0] & x[1];', 'wire g1_0 = x[2] & g0_0;']);
  assert.match(text, /wire unused_inputs = &\{1'b0, x\[3\]\};/);
  assert.match(text, /removed: 1 dead, 4 constant, 2 wire\/inverter, 1 merged/);
  // Class 1 is the constant 1 (m2 = 0, m3 = 1); class 0 adds g1_0 and ~g0_0.
  assert.match(text, /wire \[1:0\] sum0 = \{1'b0, g1_0\} \+ \{1'b0, ~g0_0\};/);
  assert.match(text, /wire \[1:0\] sum1 = \{1'b0, 1'b1\};/);
});

test('a gate net is named after the neuron whose value it holds: gL_i its output, gL_i_n its complement', () => {
  // Evaluate the emitted gate assignments themselves and compare each net with its neuron in the model.
  const net = randomNetwork(12, 16, [48, 48, 24], 4);
  const text = emitVerilog(net).files[0]!.text;
  const assigns = [...text.matchAll(/^\s*wire (g(\d+)_(\d+)(_n)?) = (.+);$/gm)].map((m) => ({ name: m[1]!, layer: Number(m[2]), neuron: Number(m[3]), complement: m[4] !== undefined, expr: m[5]! }));
  assert.ok(assigns.some((w) => w.complement) && assigns.some((w) => !w.complement), `both kinds of net: ${assigns.map((w) => w.name).join(' ')}`);
  const data = randomVectors(13, 64, 16, 4);
  for (let s = 0; s < data.count; s++) {
    const x = data.bits.subarray(s * 16, (s + 1) * 16);
    const neurons: number[][] = [];
    let values = Array.from(x);
    for (const layer of net.layers) {
      values = Array.from(layer.gates, (g, j) => applyGate(g, values[layer.a[j]!]!, values[layer.b[j]!]!));
      neurons.push(values);
    }
    const nets = new Map<string, number>();
    const operand = (term: string): number => {
      const inverted = term.startsWith('~');
      const name = inverted ? term.slice(1) : term;
      const input = /^x\[(\d+)\]$/.exec(name);
      const value = input ? x[Number(input[1])]! : nets.get(name);
      assert.ok(value !== undefined, `operand ${name} is assigned before it is read`);
      return inverted ? 1 - value : value;
    };
    for (const w of assigns) {
      const [left, op, right] = w.expr.split(' ') as [string, '&' | '|' | '^', string];
      const a = operand(left);
      const b = operand(right);
      const value = op === '&' ? a & b : op === '|' ? a | b : a ^ b;
      nets.set(w.name, value);
      assert.equal(value, neurons[w.layer]![w.neuron]! ^ (w.complement ? 1 : 0), `${w.name} = ${w.expr}, vector ${s}`);
    }
  }
  assert.match(text, /^\/\/ {3}gL_i_n {5}the complement of that output/m, 'the header states the convention');
});
