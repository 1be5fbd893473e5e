import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadIdxFolder, readIdx } from '../../src/data/idx.js';
import { idx, tempDir } from '../helpers.js';


/** 2x2 images: label = 1 when the top-left pixel is bright. */
function writeMnistLike(dir: string, gz: boolean, withTest: boolean): void {
  const count = 10;
  const images: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    images.push(i % 2 ? 255 : 0, 10, 20, i);
    labels.push(i % 2);
  }
  const suffix = gz ? '.gz' : '';
  const pack = (b: Buffer) => (gz ? gzipSync(b) : b);
  writeFileSync(join(dir, `train-images-idx3-ubyte${suffix}`), pack(idx(0x08, [count, 2, 2], images)));
  writeFileSync(join(dir, `train-labels-idx1-ubyte${suffix}`), pack(idx(0x08, [count], labels)));
  if (withTest) {
    writeFileSync(join(dir, `t10k-images-idx3-ubyte${suffix}`), pack(idx(0x08, [2, 2, 2], [255, 0, 0, 0, 0, 0, 0, 0])));
    writeFileSync(join(dir, `t10k-labels-idx1-ubyte${suffix}`), pack(idx(0x08, [2], [1, 0])));
  }
}

test('an IDX folder loads raw and gzipped, with its own test files or a stratified split', () => {
  for (const gz of [false, true]) {
    const dir = tempDir();
    writeMnistLike(dir, gz, true);
    const ds = loadIdxFolder(dir);
    assert.deepEqual(ds.shape, [2, 2]);
    assert.equal(ds.classes, 2);
    assert.equal(ds.train.count, 10);
    assert.equal(ds.test.count, 2);
    assert.equal(ds.train.features[4], 1); // sample 1, pixel 0: 255 -> 1
    assert.ok(Math.abs(ds.train.features[5]! - 10 / 255) < 1e-7);
    assert.deepEqual(Array.from(ds.test.labels), [1, 0]);
  }
  const dir = tempDir();
  writeMnistLike(dir, false, false);
  const split = loadIdxFolder(dir);
  assert.equal(split.train.count, 8);
  assert.equal(split.test.count, 2);
  assert.deepEqual(Array.from(split.test.labels).sort(), [0, 1]);
});

test('a wrong magic number or a truncated IDX file is a one-line error naming the file', () => {
  const dir = tempDir();
  const bad = join(dir, 'bad.idx');
  writeFileSync(bad, Buffer.from([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 7]));
  assert.throws(() => readIdx(bad), (e: Error) => e.name === 'UserError' && e.message.includes(bad) && /magic number 0x12340801/.test(e.message));
  const short = join(dir, 'short.idx');
  writeFileSync(short, idx(0x08, [5], [1, 2, 3]));
  assert.throws(() => readIdx(short), /dimensions 5 need 13 bytes, the file has 11/);
});
