import { createHash } from 'node:crypto';
import { UserError } from '../util/errors.js';

/** Real-valued samples with integer labels, as read from a source, before any encoding. */
export interface Samples {
  /** count x features, row-major. */
  features: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  /** The spec it was loaded from, e.g. 'mnist' or 'idx:/data/fashion'. */
  spec: string;
  /** Shape of one sample: [height, width] for images, [features] for tables. */
  shape: number[];
  classes: number;
  classNames: string[];
  /** Range of the raw values, for encodings that spread thresholds over it. */
  valueRange: { min: number; max: number };
  /** Whether every feature shares one scale (pixels) or each has its own (table columns). */
  sharedScale: boolean;
  train: Samples;
  test: Samples;
  /** How train and test were separated, in words, for provenance. */
  splitRule: string;
  /** sha256 of features and labels of both splits. */
  hash: string;
}

export function featureCount(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

export function hashSamples(...sets: Samples[]): string {
  const h = createHash('sha256');
  for (const s of sets) {
    h.update(new Uint8Array(s.features.buffer, s.features.byteOffset, s.features.byteLength));
    h.update(s.labels);
  }
  return h.digest('hex');
}

/** Gather the rows `indices` of a flat samples buffer. */
export function selectSamples(features: Float32Array, labels: Uint8Array, width: number, indices: ArrayLike<number>): Samples {
  const out = new Float32Array(indices.length * width);
  const outLabels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i]!;
    out.set(features.subarray(src * width, (src + 1) * width), i * width);
    outLabels[i] = labels[src]!;
  }
  return { features: out, labels: outLabels, count: indices.length };
}

/**
 * The split used for sources without their own test set: the last `testFraction` of each class, in
 * source order, is the test set. Deterministic and stratified, with no seed to remember.
 */
export function stratifiedSplit(
  features: Float32Array,
  labels: Uint8Array,
  width: number,
  classes: number,
  testFraction: number,
): { train: Samples; test: Samples } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (const members of byClass) {
    const testCount = Math.round(members.length * testFraction);
    trainIdx.push(...members.slice(0, members.length - testCount));
    testIdx.push(...members.slice(members.length - testCount));
  }
  trainIdx.sort((x, y) => x - y);
  testIdx.sort((x, y) => x - y);
  return {
    train: selectSamples(features, labels, width, trainIdx),
    test: selectSamples(features, labels, width, testIdx),
  };
}

/** Classes a model can have: GroupSum needs two to tell apart, the device protocol carries a byte. */
export const MIN_CLASSES = 2;
export const MAX_CLASSES = 255;

/**
 * The checks every source passes before a dataset is used: samples to train on, 2 to 255 classes
 * (`classesFrom` says where the count comes from, e.g. "label column 'y' has"), and samples to test
 * on. A dataset that fails would otherwise crash inside training or make a model no command reads.
 */
export function checkDataset(dataset: Dataset, source: string, classesFrom: string): Dataset {
  if (dataset.train.count === 0) throw new UserError(`${source}: no training samples (${dataset.splitRule}), expected at least one`);
  if (dataset.classes < MIN_CLASSES || dataset.classes > MAX_CLASSES) {
    throw new UserError(`${source}: ${classesFrom} ${dataset.classes} class${dataset.classes === 1 ? '' : 'es'}, expected ${MIN_CLASSES} to ${MAX_CLASSES}`);
  }
  if (dataset.test.count === 0) throw new UserError(`${source}: no test samples (${dataset.splitRule}), expected at least one`);
  return dataset;
}
