/**
 * The relaxed logic layer as plain typed-array loops. Activations are neuron-major ([width, batch]),
 * so each neuron reads two contiguous rows. A neuron's output is c0 + c1*a + c2*b + c3*ab with its
 * softmax-weighted gate coefficients c (see gates.ts).
 */

export interface LayerShape {
  a: Int32Array;
  b: Int32Array;
  batch: number;
}

/** y[j, s] = c0 + c1*a + c2*b + c3*a*b for a = x[a_j, s], b = x[b_j, s]. */
export function logicForward(shape: LayerShape, x: Float32Array, coef: Float32Array, y: Float32Array): void {
  const { a, b, batch: B } = shape;
  for (let j = 0; j < a.length; j++) {
    const pa = a[j]! * B;
    const pb = b[j]! * B;
    const o = j * B;
    const c0 = coef[4 * j]!;
    const c1 = coef[4 * j + 1]!;
    const c2 = coef[4 * j + 2]!;
    const c3 = coef[4 * j + 3]!;
    for (let s = 0; s < B; s++) {
      const va = x[pa + s]!;
      const vb = x[pb + s]!;
      y[o + s] = c0 + c1 * va + c2 * vb + c3 * va * vb;
    }
  }
}

/**
 * Gradients of logicForward. dx must be zeroed by the caller (it accumulates: an input feeds many
 * neurons); dcoef is overwritten.
 */
export function logicBackward(
  shape: LayerShape,
  x: Float32Array,
  coef: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  dcoef: Float32Array,
): void {
  const { a, b, batch: B } = shape;
  for (let j = 0; j < a.length; j++) {
    const pa = a[j]! * B;
    const pb = b[j]! * B;
    const o = j * B;
    const c1 = coef[4 * j + 1]!;
    const c2 = coef[4 * j + 2]!;
    const c3 = coef[4 * j + 3]!;
    let g0 = 0;
    let g1 = 0;
    let g2 = 0;
    let g3 = 0;
    for (let s = 0; s < B; s++) {
      const g = dy[o + s]!;
      const va = x[pa + s]!;
      const vb = x[pb + s]!;
      g0 += g;
      g1 += g * va;
      g2 += g * vb;
      g3 += g * va * vb;
      dx[pa + s]! += g * (c1 + c3 * vb);
      dx[pb + s]! += g * (c2 + c3 * va);
    }
    dcoef[4 * j] = g0;
    dcoef[4 * j + 1] = g1;
    dcoef[4 * j + 2] = g2;
    dcoef[4 * j + 3] = g3;
  }
}

/**
 * Per neuron: p = softmax(logits) over the 16 gates, coef = p @ GATE_COEFFICIENTS. Writes p (kept
 * for the backward pass) and coef.
 */
export function gateMixture(logits: Float32Array, gateCoefficients: Float32Array, probabilities: Float32Array, coef: Float32Array): void {
  const neurons = coef.length / 4;
  for (let j = 0; j < neurons; j++) {
    const o = j * 16;
    let max = -Infinity;
    for (let i = 0; i < 16; i++) if (logits[o + i]! > max) max = logits[o + i]!;
    let total = 0;
    for (let i = 0; i < 16; i++) {
      const e = Math.exp(logits[o + i]! - max);
      probabilities[o + i] = e;
      total += e;
    }
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let i = 0; i < 16; i++) {
      const p = probabilities[o + i]! / total;
      probabilities[o + i] = p;
      c0 += p * gateCoefficients[4 * i]!;
      c1 += p * gateCoefficients[4 * i + 1]!;
      c2 += p * gateCoefficients[4 * i + 2]!;
      c3 += p * gateCoefficients[4 * i + 3]!;
    }
    coef[4 * j] = c0;
    coef[4 * j + 1] = c1;
    coef[4 * j + 2] = c2;
    coef[4 * j + 3] = c3;
  }
}

/** Gradient of gateMixture: from d(coef) to d(logits), through the softmax Jacobian. */
export function gateMixtureBackward(probabilities: Float32Array, gateCoefficients: Float32Array, dcoef: Float32Array, dlogits: Float32Array): void {
  const neurons = dcoef.length / 4;
  const dp = new Float64Array(16);
  for (let j = 0; j < neurons; j++) {
    const o = j * 16;
    const g0 = dcoef[4 * j]!;
    const g1 = dcoef[4 * j + 1]!;
    const g2 = dcoef[4 * j + 2]!;
    const g3 = dcoef[4 * j + 3]!;
    let dot = 0;
    for (let i = 0; i < 16; i++) {
      const d = g0 * gateCoefficients[4 * i]! + g1 * gateCoefficients[4 * i + 1]! + g2 * gateCoefficients[4 * i + 2]! + g3 * gateCoefficients[4 * i + 3]!;
      dp[i] = d;
      dot += probabilities[o + i]! * d;
    }
    for (let i = 0; i < 16; i++) dlogits[o + i] = probabilities[o + i]! * (dp[i]! - dot);
  }
}

/** GroupSum: scores[s, c] = sum of h[j, s] over class c's neurons, divided by tau. */
export function groupSum(h: Float32Array, batch: number, classes: number, tau: number, scores: Float32Array): void {
  const group = h.length / batch / classes;
  scores.fill(0);
  for (let j = 0; j < classes * group; j++) {
    const c = Math.floor(j / group);
    for (let s = 0; s < batch; s++) scores[s * classes + c]! += h[j * batch + s]!;
  }
  for (let i = 0; i < scores.length; i++) scores[i]! /= tau;
}

/** Gradient of groupSum: each neuron gets its class's score gradient over tau. */
export function groupSumBackward(dscores: Float32Array, batch: number, classes: number, tau: number, dh: Float32Array): void {
  const group = dh.length / batch / classes;
  for (let j = 0; j < classes * group; j++) {
    const c = Math.floor(j / group);
    for (let s = 0; s < batch; s++) dh[j * batch + s] = dscores[s * classes + c]! / tau;
  }
}
