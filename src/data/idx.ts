import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../util/errors.js';
import { checkDataset, featureCount, hashSamples, stratifiedSplit, type Dataset, type Samples } from './dataset.js';

interface IdxArray {
  dims: number[];
  values: Float32Array;
  /** Largest value the element type can hold, to scale unsigned bytes to [0, 1]. */
  typeMax: number;
}

const IDX_TYPES: Record<number, { size: number; read: (v: DataView, o: number) => number; max: number }> = {
  0x08: { size: 1, read: (v, o) => v.getUint8(o), max: 255 },
  0x09: { size: 1, read: (v, o) => v.getInt8(o), max: 127 },
  0x0b: { size: 2, read: (v, o) => v.getInt16(o, false), max: 32767 },
  0x0c: { size: 4, read: (v, o) => v.getInt32(o, false), max: 2147483647 },
  0x0d: { size: 4, read: (v, o) => v.getFloat32(o, false), max: 1 },
  0x0e: { size: 8, read: (v, o) => v.getFloat64(o, false), max: 1 },
};

/** Parse one IDX file (raw or gzip), as in the MNIST distribution: magic 0x0000TTNN, big-endian dims. */
export function readIdx(path: string): IdxArray {
  let bytes: Buffer = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new UserError(`${path}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || !(bytes[2]! in IDX_TYPES) || bytes[3] === 0) {
    const magic = bytes.subarray(0, 4).toString('hex').padEnd(8, '?');
    throw new UserError(`${path}: not an IDX file: magic number 0x${magic}, expected 0x0000TTNN with type TT in 08,09,0b,0c,0d,0e`);
  }
  const type = IDX_TYPES[bytes[2]!]!;
  const ndims = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) throw new UserError(`${path}: truncated IDX header (${ndims} dimensions declared)`);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = featureCount(dims);
  const expected = header + count * type.size;
  if (bytes.length !== expected) {
    throw new UserError(`${path}: IDX size mismatch: dimensions ${dims.join('x')} need ${expected} bytes, the file has ${bytes.length}`);
  }
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = type.read(view, header + i * type.size);
  return { dims, values, typeMax: type.max };
}

function findIdx(dir: string, prefix: 'train' | 't10k', kind: 'images' | 'labels'): string | null {
  const pattern = new RegExp(`^${prefix}-${kind}[-.]idx[13]-ubyte(\\.gz)?$`);
  const match = readdirSync(dir).filter((f) => pattern.test(f)).sort();
  return match.length > 0 ? join(dir, match[0]!) : null;
}

function readPair(imagesPath: string, labelsPath: string): { samples: Samples; shape: number[]; typeMax: number } {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.dims.length < 2) throw new UserError(`${imagesPath}: expected an images file with at least 2 dimensions, got ${images.dims.length}`);
  if (labels.dims.length !== 1) throw new UserError(`${labelsPath}: expected a labels file with 1 dimension, got ${labels.dims.length}`);
  if (labels.dims[0] !== images.dims[0]) {
    throw new UserError(`${labelsPath}: ${labels.dims[0]} labels for ${images.dims[0]} images in ${imagesPath}`);
  }
  const labelBytes = new Uint8Array(labels.values.length);
  labels.values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new UserError(`${labelsPath}: label ${i} is ${v}, expected an integer 0..255`);
    labelBytes[i] = v;
  });
  const scale = images.typeMax === 255 ? 1 / 255 : 1;
  const features = images.values.map((v) => v * scale);
  return { samples: { features, labels: labelBytes, count: images.dims[0]! }, shape: images.dims.slice(1), typeMax: images.typeMax };
}

/**
 * A folder in the MNIST layout (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz] and
 * optionally t10k-*): Fashion-MNIST, KMNIST and the like. Without t10k files the last 20% of each
 * class is the test set.
 */
export function loadIdxFolder(dir: string): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`idx:${dir}: no such folder`);
  const trainImages = findIdx(dir, 'train', 'images');
  const trainLabels = findIdx(dir, 'train', 'labels');
  if (!trainImages || !trainLabels) {
    throw new UserError(`idx:${dir}: expected train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] in the folder`);
  }
  const train = readPair(trainImages, trainLabels);
  const testImages = findIdx(dir, 't10k', 'images');
  const testLabels = findIdx(dir, 't10k', 'labels');
  let split: { train: Samples; test: Samples };
  let splitRule: string;
  const maxLabel = (s: Samples) => s.labels.reduce((m, v) => Math.max(m, v), 0);
  let classes = maxLabel(train.samples) + 1;
  if (testImages && testLabels) {
    const test = readPair(testImages, testLabels);
    if (test.shape.join('x') !== train.shape.join('x')) {
      throw new UserError(`${testImages}: images are ${test.shape.join('x')}, the training images are ${train.shape.join('x')}`);
    }
    classes = Math.max(classes, maxLabel(test.samples) + 1);
    split = { train: train.samples, test: test.samples };
    splitRule = 'IDX train-* / t10k-* files';
  } else {
    const width = featureCount(train.shape);
    split = stratifiedSplit(train.samples.features, train.samples.labels, width, classes, 0.2);
    splitRule = 'no t10k files: last 20% of each class are test';
  }
  const dataset: Dataset = {
    spec: `idx:${dir}`,
    shape: train.shape,
    classes,
    classNames: Array.from({ length: classes }, (_, i) => String(i)),
    valueRange: train.typeMax === 255 ? { min: 0, max: 1 } : rangeOf(split.train.features),
    sharedScale: true,
    ...split,
    splitRule,
    hash: hashSamples(split.train, split.test),
  };
  return checkDataset(dataset, `idx:${dir}`, `labels 0 to ${classes - 1} make`);
}

export function rangeOf(values: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
