import { UserError } from '../util/errors.js';
import { encodeSamples, trainingBits, type Encoding, type TrainingSet } from './encoding.js';
import type { Samples } from './dataset.js';
import type { Rng } from '../util/rng.js';

/** Makes a training batch from sample indices, with fresh random variation every call. */
export type Augmenter = (indices: Int32Array, rng: Rng) => TrainingSet;

/**
 * Random translation of images by up to `maxShift` pixels in each direction (zero fill), applied to
 * the raw image before encoding (`toInputs`: the bits, or their relaxed values). Only training
 * batches are shifted; evaluation never is.
 */
export function shiftAugmenter(encoding: Encoding, samples: Samples, maxShift: number, toInputs: (shifted: Samples) => TrainingSet = (shifted) => trainingBits(encodeSamples(encoding, shifted))): Augmenter {
  if (encoding.shape.length !== 2) throw new UserError(`--augment shift: needs 2-D images, the data has samples of shape [${encoding.shape}]`);
  const [height, width] = encoding.shape as [number, number];
  const pixels = height * width;
  return (indices, rng) => {
    const features = new Float32Array(indices.length * pixels);
    const labels = new Uint8Array(indices.length);
    indices.forEach((index, s) => {
      const dy = rng.int(2 * maxShift + 1) - maxShift;
      const dx = rng.int(2 * maxShift + 1) - maxShift;
      const src = index * pixels;
      const dst = s * pixels;
      for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
        for (let x = Math.max(0, dx); x < Math.min(width, width + dx); x++) {
          features[dst + y * width + x] = samples.features[src + (y - dy) * width + (x - dx)]!;
        }
      }
      labels[s] = samples.labels[index]!;
    });
    return toInputs({ features, labels, count: indices.length });
  };
}
