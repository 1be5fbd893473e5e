import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildLogicGraph, evaluateGraph } from '../../src/hdl/graph.js';
import { evaluateReference } from '../../src/model/reference.js';
import { randomNetwork, randomVectors } from '../helpers.js';
import { handMadeNetwork } from './fixtures.js';


test('dead-logic removal counts every kind of removal on a hand-made network', () => {
  const graph = buildLogicGraph(handMadeNetwork());
  assert.deepEqual(graph.stats.removed, { dead: 1, constant: 4, wire: 2, merged: 1 });
  assert.equal(graph.stats.nominalGates, 10);
  assert.equal(graph.stats.liveGates, 2);
  assert.deepEqual(graph.stats.liveGatesPerLayer, [1, 1]);
  assert.deepEqual(graph.usedInputs, [0, 1, 2]);
  assert.equal(graph.stats.usedInputBits, 3);
  assert.equal(graph.stats.constantOnes, 1);
  assert.equal(graph.stats.constantZeros, 1);
  // The two live gates: n0 = x0 & x1 and m0 = n0 & x2 (n1 is a wire to x2).
  assert.deepEqual(
    graph.gates.map((g) => [g.layer, g.neuron, g.op, g.a, g.b]),
    [
      [0, 0, 'and', 0, 1],
      [1, 0, 'and', 2, graph.gates[0]!.id],
    ],
  );
  // m1 reads n0 inverted; class 1 is two constants.
  assert.deepEqual(graph.classSignals[0]![1], { kind: 'ref', node: graph.gates[0]!.id, inv: true });
  assert.deepEqual(graph.classSignals[1], [
    { kind: 'const', value: 0 },
    { kind: 'const', value: 1 },
  ]);
  for (let v = 0; v < 16; v++) {
    const x = [v & 1, (v >> 1) & 1, (v >> 2) & 1, (v >> 3) & 1];
    const n0 = x[0]! & x[1]!;
    assert.deepEqual(evaluateGraph(graph, x), [(n0 & x[2]!) + (1 - n0), 1], `input ${x}`);
  }
});

test('the folded graph computes the same class sums as the reference on random networks', () => {
  for (const seed of [1, 2, 3]) {
    const net = randomNetwork(seed, 24, [60, 60, 40], 4);
    const graph = buildLogicGraph(net);
    const data = randomVectors(seed + 10, 200, 24, 4);
    const reference = evaluateReference(net, data);
    for (let i = 0; i < data.count; i++) {
      const sums = evaluateGraph(graph, data.bits.subarray(i * 24, (i + 1) * 24));
      assert.deepEqual(sums, Array.from(reference.sums.subarray(i * 4, (i + 1) * 4)), `seed ${seed} vector ${i}`);
    }
    const r = graph.stats.removed;
    assert.equal(graph.stats.liveGates + r.dead + r.constant + r.wire + r.merged, graph.stats.nominalGates, 'every neuron is counted once');
    assert.ok(r.dead > 0 && r.constant > 0 && r.wire > 0, `random gates give dead, constant and wire neurons: ${JSON.stringify(r)}`);
  }
});
