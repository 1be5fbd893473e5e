/**
 * The 16 two-input logic gates in difflogic's order, with their truth tables and real-valued
 * relaxations. Every relaxation is affine in (1, a, b, ab), so a neuron's soft output is its
 * probability-weighted coefficient vector applied to (1, a, b, ab).
 */
export const GATE_COUNT = 16;

export const GATE_NAMES = [
  'false', 'and', 'a_and_not_b', 'a', 'not_a_and_b', 'b', 'xor', 'or',
  'nor', 'xnor', 'not_b', 'a_or_not_b', 'not_a', 'not_a_or_b', 'nand', 'true',
] as const;

/** Relaxation coefficients [c0, c1, c2, c3] of c0 + c1*a + c2*b + c3*a*b, one row per gate. */
export const GATE_COEFFICIENTS: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 0, 0], // false
  [0, 0, 0, 1], // a*b
  [0, 1, 0, -1], // a - ab
  [0, 1, 0, 0], // a
  [0, 0, 1, -1], // b - ab
  [0, 0, 1, 0], // b
  [0, 1, 1, -2], // a + b - 2ab
  [0, 1, 1, -1], // a + b - ab
  [1, -1, -1, 1], // 1 - (a + b - ab)
  [1, -1, -1, 2], // 1 - (a + b - 2ab)
  [1, 0, -1, 0], // 1 - b
  [1, 0, -1, 1], // 1 - b + ab
  [1, -1, 0, 0], // 1 - a
  [1, -1, 0, 1], // 1 - a + ab
  [1, 0, 0, -1], // 1 - ab
  [1, 0, 0, 0], // true
];

/**
 * Truth table of a gate as 4 bits: bit (2a + b) is the output for inputs a, b. The gate id itself
 * is not the truth table in difflogic's order, hence the table.
 */
export const GATE_TRUTH_TABLES: readonly number[] = GATE_COEFFICIENTS.map(([c0, c1, c2, c3]) => {
  let table = 0;
  for (let a = 0; a <= 1; a++) {
    for (let b = 0; b <= 1; b++) {
      if (c0 + c1 * a + c2 * b + c3 * a * b === 1) table |= 1 << (2 * a + b);
    }
  }
  return table;
});

/** Output of gate `gate` for single bits a and b. */
export function applyGate(gate: number, a: number, b: number): number {
  return (GATE_TRUTH_TABLES[gate]! >> (2 * a + b)) & 1;
}

/** Which inputs a gate's output depends on. */
export function gateInputs(gate: number): { a: boolean; b: boolean } {
  const t = GATE_TRUTH_TABLES[gate]!;
  const dependsOnA = ((t >> 0) & 0b0011) !== ((t >> 2) & 0b0011);
  const b0 = (t & 0b0101) >> 0;
  const b1 = (t & 0b1010) >> 1;
  return { a: dependsOnA, b: b0 !== b1 };
}
