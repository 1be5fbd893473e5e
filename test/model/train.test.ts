import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainingBits } from '../../src/data/encoding.js';
import { checkTrainingFits, PARAMETER_BYTES_PER_GATE, trainingBytes } from '../../src/model/memory.js';
import { trainNetwork } from '../../src/model/train.js';
import { UserError } from '../../src/util/errors.js';
import { randomVectors } from '../helpers.js';

test('an empty test split gives no relaxed accuracy (null, shown as n/a), not NaN', async () => {
  const train = randomVectors(1, 64, 16, 2);
  const empty = randomVectors(2, 0, 16, 2);
  const result = await trainNetwork(trainingBits(train), trainingBits(empty), {
    architecture: { inputBits: 16, widths: [20, 10], classes: 2, tau: 10, wiring: 'random' },
    init: 'normal',
    seed: 1,
    batch: 16,
    lr: 0.01,
    iterations: 3,
  });
  assert.equal(result.relaxedTestAccuracy, null);
});

test('the training memory estimate grows with gates and batch, and refuses what exceeds the limit', () => {
  const size = { inputBits: 400, widths: [8000, 8000], batch: 128, testCount: 2000 };
  const need = trainingBytes(size);
  assert.equal(need.gates, 16000);
  // 1,000 test samples per evaluation chunk outweigh 3 x 128 floats of a batch.
  assert.equal(need.perGate, PARAMETER_BYTES_PER_GATE + 1000 * 4);
  assert.ok(trainingBytes({ ...size, batch: 1024 }).perGate === PARAMETER_BYTES_PER_GATE + 3 * 1024 * 4);
  checkTrainingFits('--widths', size, need.total);
  assert.throws(
    () => checkTrainingFits('--widths', size, need.total - 1),
    (e: Error) => e instanceof UserError && /^--widths 8000,8000: 16,000 gates need at least [\d.]+ GiB to train \(4,424 bytes per gate at batch 128\), this machine has [\d.]+ GiB$/.test(e.message),
  );
});
