import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiscreteNetwork } from '../../src/model/network.js';
import { evaluateReference } from '../../src/model/reference.js';
import { naiveEvaluate, randomNetwork, randomVectors } from '../helpers.js';

test('the bit-parallel reference equals a one-sample-at-a-time evaluation, across block boundaries', () => {
  for (const [seed, widths, count] of [
    [1, [64, 64, 400], 2049],
    [2, [100, 130], 5000],
    [3, [24, 12, 10], 31],
  ] as const) {
    const net = randomNetwork(seed, 48, [...widths], 10);
    const data = randomVectors(seed + 100, count, 48, 10);
    const fast = evaluateReference(net, data);
    const slow = naiveEvaluate(net, data);
    for (let s = 0; s < count; s++) {
      assert.deepEqual(Array.from(fast.sums.subarray(s * 10, s * 10 + 10)), slow.sums[s], `sums of vector ${s}`);
      assert.equal(fast.predictions[s], slow.predictions[s], `prediction of vector ${s}`);
    }
  }
});

test('ties go to the lowest class index', () => {
  // Two classes, each one neuron that copies input 0: the sums always tie.
  const net: DiscreteNetwork = {
    inputBits: 1,
    classes: 2,
    layers: [{ a: Int32Array.from([0, 0]), b: Int32Array.from([0, 0]), gates: Uint8Array.from([3, 3]) }],
  };
  const result = evaluateReference(net, { count: 2, inputBits: 1, bits: Uint8Array.from([0, 1]), labels: Uint8Array.from([0, 0]) });
  assert.deepEqual(Array.from(result.sums), [0, 0, 1, 1]);
  assert.deepEqual(Array.from(result.predictions), [0, 0]);
});
