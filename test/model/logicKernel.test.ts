import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GATE_COEFFICIENTS } from '../../src/model/gates.js';
import { gateMixture, gateMixtureBackward, groupSum, groupSumBackward, logicBackward, logicForward } from '../../src/model/logicKernel.js';
import { Rng } from '../../src/util/rng.js';

const TABLE = Float32Array.from(GATE_COEFFICIENTS.flat());

/** loss = sum(y * w) for fixed random w, so dloss/dy = w. */
function layerLoss(x: Float64Array, logits: Float64Array, a: Int32Array, b: Int32Array, batch: number, w: Float32Array): number {
  const n = a.length;
  const p = new Float32Array(n * 16);
  const coef = new Float32Array(n * 4);
  gateMixture(Float32Array.from(logits), TABLE, p, coef);
  const y = new Float32Array(n * batch);
  logicForward({ a, b, batch }, Float32Array.from(x), coef, y);
  return y.reduce((s, v, i) => s + v * w[i]!, 0);
}

test('the fused logic layer gradient matches finite differences', () => {
  const rng = new Rng(7);
  const inDim = 5;
  const n = 4;
  const batch = 3;
  const a = Int32Array.from({ length: n }, () => rng.int(inDim));
  const b = Int32Array.from({ length: n }, () => rng.int(inDim));
  const x = Float64Array.from({ length: inDim * batch }, () => rng.next());
  const logits = Float64Array.from({ length: n * 16 }, () => rng.normal());
  const w = Float32Array.from({ length: n * batch }, () => rng.normal());

  const p = new Float32Array(n * 16);
  const coef = new Float32Array(n * 4);
  gateMixture(Float32Array.from(logits), TABLE, p, coef);
  const dx = new Float32Array(inDim * batch);
  const dcoef = new Float32Array(n * 4);
  logicBackward({ a, b, batch }, Float32Array.from(x), coef, w, dx, dcoef);
  const dlogits = new Float32Array(n * 16);
  gateMixtureBackward(p, TABLE, dcoef, dlogits);

  const h = 1e-3;
  const check = (values: Float64Array, analytic: Float32Array, what: string) => {
    for (let i = 0; i < values.length; i++) {
      const saved = values[i]!;
      values[i] = saved + h;
      const up = layerLoss(x, logits, a, b, batch, w);
      values[i] = saved - h;
      const down = layerLoss(x, logits, a, b, batch, w);
      values[i] = saved;
      const numeric = (up - down) / (2 * h);
      assert.ok(Math.abs(numeric - analytic[i]!) < 2e-2 * Math.max(1, Math.abs(numeric)), `${what}[${i}]: numeric ${numeric}, analytic ${analytic[i]}`);
    }
  };
  check(x, dx, 'dx');
  check(logits, dlogits, 'dlogits');
});

test('groupSum adds each class block over tau, and its gradient spreads back', () => {
  const batch = 2;
  const classes = 2;
  // width 4, neuron-major [4, 2]
  const h = Float32Array.from([1, 0, 1, 1, 0, 1, 1, 1]);
  const scores = new Float32Array(batch * classes);
  groupSum(h, batch, classes, 2, scores);
  assert.deepEqual(Array.from(scores), [1, 0.5, 0.5, 1]);
  const dh = new Float32Array(8);
  groupSumBackward(Float32Array.from([1, 2, 3, 4]), batch, classes, 2, dh);
  assert.deepEqual(Array.from(dh), [0.5, 1.5, 0.5, 1.5, 1, 2, 1, 2]);
});
