import { UserError } from '../util/errors.js';
import { featureCount, type Dataset, type Samples } from './dataset.js';

export const ENCODING_METHODS = ['threshold', 'thermometer'] as const;
export type EncodingMethod = (typeof ENCODING_METHODS)[number];

export interface CropWindow {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * How raw samples become input bits. It is stored in the model file, and every stage (training,
 * eval, simulation, the board's host) encodes through `encodeSamples` with it, so all of them see the
 * same bits.
 *
 * Bit order: kept features in row-major order (after the crop), and for each feature its levels in
 * ascending threshold order: bit f*K + j is 1 when feature f is greater than thresholds[f][j].
 */
export interface Encoding {
  method: EncodingMethod;
  /** Shape of a raw sample, before the crop. */
  shape: number[];
  crop: CropWindow | null;
  /** One ascending list shared by every feature, or one list per kept feature. */
  thresholds: number[][];
}

export interface EncodingOptions {
  method: EncodingMethod;
  /** Thermometer levels K (threshold: 1). */
  levels?: number;
  /** Threshold for `threshold`, in raw units; default: the middle of the value range. */
  threshold?: number;
  /** Centre crop to size x size (images only). */
  crop?: number;
}

/** Encoded samples: one byte (0 or 1) per input bit, row-major. */
export interface EncodedSet {
  count: number;
  inputBits: number;
  bits: Uint8Array;
  labels: Uint8Array;
}

/**
 * `n` samples spread evenly over the set (indices floor(i * count / n)): a prefix of a split
 * stored class by class would hold one class only, and its accuracy would mean nothing.
 */
export function evenSubset(set: EncodedSet, n: number): EncodedSet {
  if (n >= set.count) return set;
  const bits = new Uint8Array(n * set.inputBits);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * set.count) / n);
    bits.set(set.bits.subarray(from * set.inputBits, (from + 1) * set.inputBits), i * set.inputBits);
    labels[i] = set.labels[from]!;
  }
  return { count: n, inputBits: set.inputBits, bits, labels };
}

export function inputBitCount(encoding: Encoding): number {
  const features = encoding.crop ? encoding.crop.height * encoding.crop.width : featureCount(encoding.shape);
  return features * encoding.thresholds[0]!.length;
}

export function makeEncoding(dataset: Dataset, options: EncodingOptions): Encoding {
  const levels = options.method === 'threshold' ? 1 : (options.levels ?? 3);
  if (!Number.isInteger(levels) || levels < 1 || levels > 255) {
    throw new UserError(`--levels: expected an integer from 1 to 255, got ${options.levels}`);
  }
  let crop: CropWindow | null = null;
  if (options.crop !== undefined) {
    if (dataset.shape.length !== 2) throw new UserError(`--crop: needs 2-D images, ${dataset.spec} has samples of shape [${dataset.shape}]`);
    const [h, w] = dataset.shape as [number, number];
    if (!Number.isInteger(options.crop) || options.crop < 1 || options.crop > Math.min(h, w)) {
      throw new UserError(`--crop: expected an integer from 1 to ${Math.min(h, w)}, got ${options.crop}`);
    }
    crop = { top: Math.floor((h - options.crop) / 2), left: Math.floor((w - options.crop) / 2), height: options.crop, width: options.crop };
  }
  const spread = (min: number, max: number): number[] =>
    options.method === 'threshold'
      ? [options.threshold ?? (min + max) / 2]
      : Array.from({ length: levels }, (_, j) => min + ((max - min) * (j + 1)) / (levels + 1));
  let thresholds: number[][];
  if (dataset.sharedScale) {
    thresholds = [spread(dataset.valueRange.min, dataset.valueRange.max)];
  } else {
    const width = featureCount(dataset.shape);
    const { features, count } = dataset.train;
    thresholds = Array.from({ length: width }, (_, f) => {
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < count; i++) {
        const v = features[i * width + f]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return spread(min, max);
    });
  }
  return { method: options.method, shape: [...dataset.shape], crop, thresholds };
}

/** Indices of the raw features kept by the crop, in bit order. */
function keptFeatures(encoding: Encoding): Int32Array {
  if (!encoding.crop) return Int32Array.from({ length: featureCount(encoding.shape) }, (_, i) => i);
  const { top, left, height, width } = encoding.crop;
  const rowLength = encoding.shape[1]!;
  const kept = new Int32Array(height * width);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) kept[r * width + c] = (top + r) * rowLength + left + c;
  return kept;
}

/**
 * Visit every input of every sample in bit order (sample i, kept feature f, level j at index
 * i * inputBits + f * K + j) with the raw value and its feature's thresholds: the one loop behind
 * the bits and their relaxed values. Returns the input count per sample.
 */
function forEachInput(encoding: Encoding, samples: Samples, visit: (index: number, value: number, thresholds: number[], level: number) => void): number {
  const kept = keptFeatures(encoding);
  const levels = encoding.thresholds[0]!.length;
  const inputBits = kept.length * levels;
  const rawWidth = featureCount(encoding.shape);
  if (samples.features.length !== samples.count * rawWidth) {
    throw new UserError(`samples have ${samples.features.length / samples.count} features, the model's encoding expects ${rawWidth}`);
  }
  const shared = encoding.thresholds.length === 1;
  for (let i = 0; i < samples.count; i++) {
    const row = i * rawWidth;
    const out = i * inputBits;
    for (let f = 0; f < kept.length; f++) {
      const value = samples.features[row + kept[f]!]!;
      const t = encoding.thresholds[shared ? 0 : f]!;
      for (let j = 0; j < levels; j++) visit(out + f * levels + j, value, t, j);
    }
  }
  return inputBits;
}

export function encodeSamples(encoding: Encoding, samples: Samples): EncodedSet {
  const bits = new Uint8Array(samples.count * inputBitCount(encoding));
  const inputBits = forEachInput(encoding, samples, (index, value, t, j) => {
    bits[index] = value > t[j]! ? 1 : 0;
  });
  return { count: samples.count, inputBits, bits, labels: samples.labels };
}

/**
 * What training reads: the encoded bits, or their relaxed real values in [0, 1] (relaxSamples),
 * one number per input, row-major.
 */
export interface TrainingSet {
  count: number;
  inputBits: number;
  inputs: Uint8Array | Float32Array;
  labels: Uint8Array;
}

export const trainingBits = (set: EncodedSet): TrainingSet => ({ count: set.count, inputBits: set.inputBits, inputs: set.bits, labels: set.labels });

/**
 * Each input bit as a real value in [0, 1] on the bit's side of 0.5: a ramp crossing 0.5 at the
 * bit's threshold, reaching 0 at the threshold below (or the value range's
 * minimum) and 1 at the threshold above (or the maximum). With one threshold at 0.5 on pixels in
 * [0, 1] it is the pixel itself, which is how difflogic's recipes train (real-valued pixels in
 * training, thresholded ones in evaluation); the relaxed gates then see how far a pixel is from its
 * threshold. Only training uses it: every stage evaluates the stored encoding's bits.
 */
export function relaxSamples(encoding: Encoding, samples: Samples, range: { min: number; max: number }): TrainingSet {
  const inputs = new Float32Array(samples.count * inputBitCount(encoding));
  const ramp = (value: number, from: number, to: number): number => (to > from ? Math.min(1, Math.max(0, (value - from) / (to - from))) : value > from ? 1 : 0);
  const inputBits = forEachInput(encoding, samples, (index, value, t, j) => {
    const threshold = t[j]!;
    inputs[index] = value > threshold ? 0.5 + 0.5 * ramp(value, threshold, j + 1 < t.length ? t[j + 1]! : range.max) : 0.5 * ramp(value, j > 0 ? t[j - 1]! : range.min, threshold);
  });
  return { count: samples.count, inputBits, inputs, labels: samples.labels };
}
