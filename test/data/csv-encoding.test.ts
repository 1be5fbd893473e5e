import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCsv } from '../../src/data/csv.js';
import { encodeSamples, inputBitCount, makeEncoding, type Encoding } from '../../src/data/encoding.js';
import { loadEmbeddedMnist } from '../../src/data/mnist.js';
import { shiftAugmenter } from '../../src/data/augment.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers.js';

test('a CSV with a header and named labels loads with classes in sorted label order', () => {
  const file = join(tempDir(), 'iris.csv');
  const rows = ['sepal,petal,species'];
  for (let i = 0; i < 10; i++) rows.push(`${i},${10 - i},${i < 5 ? 'setosa' : 'virginica'}`);
  writeFileSync(file, rows.join('\n'));
  const ds = loadCsv(file);
  assert.deepEqual(ds.classNames, ['setosa', 'virginica']);
  assert.deepEqual(ds.shape, [2]);
  assert.equal(ds.train.count, 8);
  assert.equal(ds.test.count, 2);
});

test('the label column can be chosen by index in a CSV without a header', () => {
  const file = join(tempDir(), 'plain.csv');
  writeFileSync(file, Array.from({ length: 10 }, (_, i) => `${i % 3},${i * 0.5}`).join('\n'));
  const ds = loadCsv(file, { labelColumn: '0' });
  assert.equal(ds.classes, 3);
  assert.deepEqual(ds.shape, [1]);
  assert.equal(ds.train.count + ds.test.count, 10);
});

test('a CSV cell that is not a number is reported with file, line and column', () => {
  const file = join(tempDir(), 'bad.csv');
  writeFileSync(file, 'a,b,label\n1,2,0\n3,x,1\n');
  assert.throws(() => loadCsv(file), new RegExp(`${file}:3: column 'b' is 'x', expected a number`));
  assert.throws(() => loadCsv(file, { labelColumn: 'nope' }), /--label-column nope names no column/);
});

test('thermometer encoding: bit f*K+j is feature f above threshold j, after the crop', () => {
  const encoding: Encoding = { method: 'thermometer', shape: [3, 3], crop: { top: 1, left: 1, height: 2, width: 2 }, thresholds: [[0.25, 0.5, 0.75]] };
  assert.equal(inputBitCount(encoding), 12);
  const sample = Float32Array.from([9, 9, 9, 9, 0.3, 0.8, 9, 0.1, 0.6]);
  const encoded = encodeSamples(encoding, { features: sample, labels: Uint8Array.from([0]), count: 1 });
  assert.deepEqual(Array.from(encoded.bits), [1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0]);
});

test('the embedded MNIST split is 8,000 train and a balanced 2,000 test, the same every time', () => {
  const ds = loadEmbeddedMnist();
  assert.equal(ds.train.count, 8000);
  assert.equal(ds.test.count, 2000);
  const perClass = new Array<number>(10).fill(0);
  for (const l of ds.test.labels) perClass[l]!++;
  assert.deepEqual(perClass, new Array(10).fill(200));
  assert.equal(loadEmbeddedMnist().hash, ds.hash);
  const encoding = makeEncoding(ds, { method: 'thermometer', levels: 2, crop: 20 });
  assert.deepEqual(encoding.crop, { top: 4, left: 4, height: 20, width: 20 });
  assert.deepEqual(encoding.thresholds, [[1 / 3, 2 / 3]]);
  assert.equal(inputBitCount(encoding), 800);
});

test('shift augmentation moves the raw image before encoding and fills with zeros', () => {
  const encoding: Encoding = { method: 'threshold', shape: [3, 3], crop: null, thresholds: [[0.5]] };
  const image = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0]); // one bright pixel at (0,0)
  const augment = shiftAugmenter(encoding, { features: image, labels: Uint8Array.from([7]), count: 1 }, 1);
  const seen = new Set<string>();
  const rng = new Rng(4);
  for (let i = 0; i < 200; i++) {
    const batch = augment(Int32Array.from([0]), rng);
    assert.equal(batch.labels[0], 7);
    const ones = Array.from(batch.inputs).reduce((a, b) => a + b, 0);
    assert.ok(ones <= 1);
    seen.add(Array.from(batch.inputs).join(''));
  }
  // Shifts by -1..1: the pixel lands at (0,0), (0,1), (1,0), (1,1), or leaves the image.
  assert.deepEqual([...seen].sort(), ['000000000', '000010000', '010000000', '000100000', '100000000'].sort());
});
