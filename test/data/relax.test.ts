import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeSamples, relaxSamples, type Encoding } from '../../src/data/encoding.js';

const samples = (values: number[]) => ({ features: Float32Array.from(values), labels: new Uint8Array(values.length), count: values.length });

test('relaxed inputs of a 0.5 threshold on [0, 1] are the pixels themselves, as difflogic trains', () => {
  const encoding: Encoding = { method: 'threshold', shape: [1], crop: null, thresholds: [[0.5]] };
  const values = [0, 0.1, 0.5, 0.50390625, 0.75, 1];
  const relaxed = relaxSamples(encoding, samples(values), { min: 0, max: 1 });
  assert.equal(relaxed.inputBits, 1);
  assert.deepEqual(Array.from(relaxed.inputs), Array.from(Float32Array.from(values)));
});

test('relaxed thermometer inputs ramp through 0.5 at each threshold and lie on their bit\'s side of it', () => {
  const encoding: Encoding = { method: 'thermometer', shape: [1], crop: null, thresholds: [[0.25, 0.5, 0.75]] };
  const values = Array.from({ length: 41 }, (_, i) => i / 40);
  const s = samples(values);
  const relaxed = relaxSamples(encoding, s, { min: 0, max: 1 });
  const bits = encodeSamples(encoding, s).bits;
  assert.equal(relaxed.inputs.length, bits.length);
  relaxed.inputs.forEach((v, i) => {
    assert.ok(v >= 0 && v <= 1, `input ${i} is ${v}`);
    assert.equal(v > 0.5 ? 1 : 0, bits[i], `input ${i}: relaxed ${v}, bit ${bits[i]}`);
  });
  // At 0.5: level 0 has reached the next threshold (1), level 1 sits on its own (0.5), level 2 is at the one
  // below it (0). At 0.625, halfway between 0.5 and 0.75: 1, 0.75, 0.25.
  assert.deepEqual(Array.from(relaxed.inputs.subarray(20 * 3, 21 * 3)), [1, 0.5, 0]);
  assert.deepEqual(Array.from(relaxed.inputs.subarray(25 * 3, 26 * 3)).map((v) => +v.toFixed(4)), [1, 0.75, 0.25]);
});
