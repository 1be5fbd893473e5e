import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NOT_LOCATED, pathWhere, planNextCut, sectionOf, type CoreShape } from '../../src/flow/cutPlanner.js';
import { criticalPathSteps, type PathStep } from '../../src/flow/nextpnr.js';
import { NO_CUTS } from '../../src/hdl/cuts.js';

const shape = (layerCount: number, classes: number): CoreShape => ({ layerCount, classes, groupBits: 100 });

/** A path as nextpnr's report gives it: each cell's logic delay, the routing into the next. */
function path(...cells: [name: string, ns: number][]): PathStep[] {
  return cells.flatMap(([name, ns], i) => [
    ...(i > 0 ? [{ type: 'routing', name: `${name}[0]`, delayNs: 1 }] : []),
    { type: i === 0 ? 'clk-to-q' : i === cells.length - 1 ? 'setup' : 'logic', name, delayNs: ns },
  ]);
}

test('net and cell names tell the section: input register, layer, popcount, argmax, output register', () => {
  const L = 3;
  assert.equal(sectionOf('core.x_q17_SB_DFF_Q', L), -1);
  assert.equal(sectionOf('x[17]', L), -1);
  assert.equal(sectionOf('core.g0_33_SB_LUT4_I0_O_SB_LUT4_O_I3_SB_LUT4_O_LC', L), 0);
  assert.equal(sectionOf('core.g2_5_n', L), 2);
  assert.equal(sectionOf('core.c2_r2_add.slice[1].lut_LC', L), 3);
  assert.equal(sectionOf('core.c9g3_r0', L), 3, "a group of the 'adder' cut");
  assert.equal(sectionOf('core.sum4_h', L), 3);
  assert.equal(sectionOf('core.cmp0_1_max_SB_LUT4_O_1_I3_SB_CARRY_CO$CARRY', L), 4);
  assert.equal(sectionOf('core.idx_SB_LUT4_O', L), 4);
  assert.equal(sectionOf('core.sums_q_SB_DFF_Q_5', L), 5);
  assert.equal(sectionOf('core.class_idx_q[1]', L), 5);
  assert.equal(sectionOf('$nextpnr_ICESTORM_LC_26', L), null);
  assert.equal(sectionOf('device.crc_tx_i.data_SB_LUT4_O_2', L), null);
});

test('a path through layers, popcount and argmax gets its cut nearest the middle of its delay', () => {
  // 2 layers; delays put the middle (of 2+1+3+1+3+1+8+1+4+1+1 = 26 ns) at the popcount.
  const steps = path(['core.x_q3', 2], ['core.g0_1', 3], ['core.g1_7', 3], ['core.c0_r1_add.slice[0].lut_LC', 8], ['core.cmp0_0_gt', 4], ['core.class_idx_q', 1]);
  const plan = planNextCut(steps, NO_CUTS, shape(2, 10));
  assert.ok(plan.next, 'a cut');
  assert.deepEqual(plan.next.cuts, { layers: [], head: ['adder'] });
  assert.equal(plan.next.added, 'head: adder');
  assert.deepEqual(pathWhere(steps, 2).sections, ['input register', 'layer 0', 'layer 1', 'popcount', 'argmax', 'output register']);
  // The head's share: the popcount's 1+8 ns and the argmax's 1+4 ns of the path's 26.
  assert.deepEqual([pathWhere(steps, 2).headNs, pathWhere(steps, 2).totalNs], [14, 26]);

  // With the popcount cut already there, the next free position nearest the middle: the layer-to-head boundary.
  const again = planNextCut(steps, { layers: [], head: ['adder'] }, shape(2, 10));
  assert.ok(again.next);
  assert.deepEqual(again.next.cuts, { layers: [2], head: ['adder'] });
  assert.equal(again.next.added, 'before the head (layer boundary 2)');
});

test('a path mostly in the layers is cut between layers; unnamed cells belong to the section before them', () => {
  const steps = path(['core.x_q0', 1], ['core.g0_1', 2], ['$nextpnr_ICESTORM_LC_3', 6], ['core.g1_2', 1], ['core.g2_2', 2], ['core.g3_9', 2], ['core.sums_q', 1]);
  const plan = planNextCut(steps, NO_CUTS, shape(4, 10));
  assert.ok(plan.next);
  // 0 1 | routing: x_q 1, g0 1+2, LC_3 (layer 0) 1+6 = 11 of 20 ns at the end of layer 0.
  assert.deepEqual(plan.next.cuts, { layers: [1], head: [] });
  assert.equal(plan.next.added, 'before layer 1');
});

test('an argmax path from the registered sums is cut inside the argmax, never in the popcount it only starts at', () => {
  const steps = path(['core.sum3_h', 1], ['core.cmp0_1_gt', 3], ['core.cmp1_0_max', 3], ['core.cmp2_0_idx', 3], ['core.class_idx_q', 1]);
  const plan = planNextCut(steps, { layers: [2], head: ['sums'] }, shape(2, 10));
  assert.ok(plan.next);
  assert.deepEqual(plan.next.cuts, { layers: [2], head: ['sums', 'argmax'] });
  const one = planNextCut(steps, { layers: [2], head: ['sums'] }, shape(2, 1));
  assert.equal(one.next, null, 'one class: no argmax to cut, and the sums cut is taken');
});

test('no cut: a path outside the core, or within one layer, or every position on it taken', () => {
  const outside = planNextCut(path(['device.uart_rx_q', 1], ['device.crc_tx_i.data', 5], ['device.shift', 1]), NO_CUTS, shape(3, 10));
  assert.equal(outside.next, null);
  assert.match(outside.next === null ? outside.reason : '', /outside the core/);
  const oneLayer = planNextCut(path(['core.g1_0_s1', 1], ['core.g1_4', 3], ['core.g1_9', 1]), { layers: [1, 2], head: [] }, shape(3, 10));
  assert.equal(oneLayer.next, null);
  assert.match(oneLayer.next === null ? oneLayer.reason : '', /no free cut position on the critical path \(layer 1\)/);
  const popcount = planNextCut(path(['core.c0g1_h', 1], ['core.c0_p_t0_0', 4], ['core.sum0_h', 1]), { layers: [], head: ['adder', 'sums'] }, shape(2, 10));
  assert.equal(popcount.next, null);
});

test("a path whose cells lost the core's names (abc9, then autoname after the nearest register) is cut by the depth model: sums, adder, argmax, then the layers", () => {
  // As nextpnr-himbaechel reported the 3 x 4000 model on the GW5AST-138C (yosys 0.70's synth_gowin).
  assert.equal(sectionOf('core.x_q675_DFF_Q', 3), -1);
  assert.equal(sectionOf('core.x_q41_LUT4_I3', 3), null, 'a LUT reading the input register is not the register');
  assert.equal(sectionOf('core.sums_DFF_Q_52', 3), 5, 'the output register, on its Q');
  assert.equal(sectionOf('core.class_idx_DFFE_Q', 3), 5);
  assert.equal(sectionOf('core.sums_DFF_Q_52_D_ALU_I1_COUT_ALU_CIN', 3), null, 'an ALU feeding the output register is not the register');
  const steps = path(
    ['core.x_q675_DFF_Q', 0.2], ['core.x_q41_LUT4_I3', 0.6], ['core.x_q477_LUT4_I0_F_LUT4_F_1_I2_LUT3_I2_F_LUT4_F', 0.5],
    ['core.sums_DFF_Q_52_D_ALU_I1_COUT_ALU_CIN', 0.6], ['core.sums_DFF_Q_52', 0.1],
  );
  assert.deepEqual([pathWhere(steps, 3).sections, pathWhere(steps, 3).headNs], [[NOT_LOCATED], null], 'no share of the head is claimed');
  const bits = { layerCount: 3, classes: 10, groupBits: 400 };
  const order: string[] = [];
  let cuts = NO_CUTS;
  for (;;) {
    const plan = planNextCut(steps, cuts, bits);
    if (!plan.next) {
      assert.match(plan.reason, /every cut position is taken/);
      break;
    }
    assert.match(plan.next.added, /by the depth model/);
    order.push(plan.next.added.replace(/ \(by the depth model.*/, ''));
    cuts = plan.next.cuts;
  }
  assert.deepEqual(order, ['head: sums', 'head: adder', 'head: argmax', 'before the head (layer boundary 3)', 'before layer 1', 'before layer 2']);
});

test("criticalPathSteps reads the slowest register-to-register path of nextpnr's report", () => {
  const report = {
    critical_paths: [
      { from: '<async>', to: 'posedge clk', path: [{ type: 'routing', net: 'uart_rx', delay: 90 }] },
      { from: 'posedge clk', to: 'posedge clk', path: [{ type: 'clk-to-q', delay: 1, to: { cell: 'core.x_q1' } }, { type: 'routing', net: 'core.x_q1', delay: 2 }, { type: 'logic', delay: 1, to: { cell: 'core.g0_1_LC' } }] },
      { from: 'posedge clk', to: 'posedge clk', path: [{ type: 'clk-to-q', delay: 1, to: { cell: 'core.sum0_h' } }] },
    ],
  };
  assert.deepEqual(criticalPathSteps(JSON.stringify(report)), [
    { type: 'clk-to-q', name: 'core.x_q1', delayNs: 1 },
    { type: 'routing', name: 'core.x_q1', delayNs: 2 },
    { type: 'logic', name: 'core.g0_1_LC', delayNs: 1 },
  ]);
  assert.deepEqual(criticalPathSteps('{}'), []);
});
