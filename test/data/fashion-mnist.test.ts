import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../src/data/index.js';

test('fashion-mnist loads the official split from Debian\'s dataset-fashion-mnist, balanced, named', () => {
  const d = loadDataset('fashion-mnist');
  assert.equal(d.spec, 'fashion-mnist');
  assert.deepEqual(d.shape, [28, 28]);
  assert.equal(d.train.count, 60000);
  assert.equal(d.test.count, 10000);
  assert.equal(d.classNames[9], 'Ankle boot');
  // The official test split has exactly 1,000 images per class; MNIST digits do not (../shared/README.md).
  const perClass = new Array<number>(10).fill(0);
  for (let i = 0; i < d.test.count; i++) perClass[d.test.labels[i]!]!++;
  assert.deepEqual(perClass, new Array<number>(10).fill(1000));
  assert.deepEqual(d.valueRange, { min: 0, max: 1 });
});
