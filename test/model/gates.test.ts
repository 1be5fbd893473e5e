import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyGate, GATE_COEFFICIENTS, GATE_NAMES, gateInputs } from '../../src/model/gates.js';

const EXPECTED: Record<string, (a: number, b: number) => number> = {
  false: () => 0,
  and: (a, b) => a & b,
  a_and_not_b: (a, b) => a & (1 - b),
  a: (a) => a,
  not_a_and_b: (a, b) => (1 - a) & b,
  b: (_a, b) => b,
  xor: (a, b) => a ^ b,
  or: (a, b) => a | b,
  nor: (a, b) => 1 - (a | b),
  xnor: (a, b) => 1 - (a ^ b),
  not_b: (_a, b) => 1 - b,
  a_or_not_b: (a, b) => a | (1 - b),
  not_a: (a) => 1 - a,
  not_a_or_b: (a, b) => (1 - a) | b,
  nand: (a, b) => 1 - (a & b),
  true: () => 1,
};

test('gates follow difflogic order and their relaxations agree with the truth tables on {0,1}', () => {
  assert.equal(GATE_NAMES.length, 16);
  GATE_NAMES.forEach((name, g) => {
    for (const a of [0, 1]) {
      for (const b of [0, 1]) {
        const [c0, c1, c2, c3] = GATE_COEFFICIENTS[g]!;
        assert.equal(applyGate(g, a, b), EXPECTED[name]!(a, b), `${name}(${a},${b})`);
        assert.equal(c0 + c1 * a + c2 * b + c3 * a * b, EXPECTED[name]!(a, b), `relaxation of ${name}(${a},${b})`);
      }
    }
  });
});

test('gateInputs says which inputs a gate reads', () => {
  assert.deepEqual(gateInputs(0), { a: false, b: false });
  assert.deepEqual(gateInputs(3), { a: true, b: false });
  assert.deepEqual(gateInputs(5), { a: false, b: true });
  assert.deepEqual(gateInputs(10), { a: false, b: true });
  assert.deepEqual(gateInputs(12), { a: true, b: false });
  assert.deepEqual(gateInputs(6), { a: true, b: true });
  assert.deepEqual(gateInputs(15), { a: false, b: false });
});
