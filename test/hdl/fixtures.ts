import type { DiscreteNetwork } from '../../src/model/network.js';

// Gate ids in difflogic order.
const FALSE = 0, AND = 1, A = 3, XOR = 6, OR = 7, NOT_A = 12, TRUE = 15;

/**
 * Every kind of removal, once or twice, with known answers:
 *   layer 0: n0 = x0 & x1 (live), n1 = a(x2, x3) (wire to x2), n2 = false (constant),
 *            n3 = x1 & x0 (merged into n0), n4 = x3 ^ x3 (constant 0), n5 = x0 | x3 (dead)
 *   layer 1: m0 = n0 & n1 (live), m1 = not_a(n3, n5) (inverter of n0, n5 ignored),
 *            m2 = n2 | n4 (constant 0), m3 = true(n5, n5) (constant 1)
 * Class 0 = m0 + m1 = (x0 & x1 & x2) + ~(x0 & x1); class 1 = m2 + m3 = 1. x3 is unused.
 */
export function handMadeNetwork(): DiscreteNetwork {
  return {
    inputBits: 4,
    classes: 2,
    layers: [
      { a: Int32Array.from([0, 2, 0, 1, 3, 0]), b: Int32Array.from([1, 3, 1, 0, 3, 3]), gates: Uint8Array.from([AND, A, FALSE, AND, XOR, OR]) },
      { a: Int32Array.from([0, 3, 2, 5]), b: Int32Array.from([1, 5, 4, 5]), gates: Uint8Array.from([AND, NOT_A, OR, TRUE]) },
    ],
  };
}
