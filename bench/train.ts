/**
 * Training throughput at difflogic's small MNIST shape: 20x20 crop (400 inputs), 6 x 8,000 gates,
 * k = 10, batch 128. Target: >= 1,000 samples/s on the 2 cores here. The first iterations (JIT
 * warm-up) are left out of the figure.
 */
import { encodeSamples, makeEncoding, trainingBits } from '../src/data/encoding.js';
import { loadEmbeddedMnist } from '../src/data/mnist.js';
import { trainNetwork } from '../src/model/train.js';

const WARMUP = 40;
const ITERATIONS = 240;
const dataset = loadEmbeddedMnist();
const encoding = makeEncoding(dataset, { method: 'threshold', crop: 20 });
const train = encodeSamples(encoding, dataset.train);
const test = encodeSamples(encoding, { ...dataset.test, count: 200, features: dataset.test.features.subarray(0, 200 * 784) });
const marks: { iteration: number; at: number }[] = [];
const result = await trainNetwork(trainingBits(train), trainingBits(test), {
  architecture: { inputBits: train.inputBits, widths: [8000, 8000, 8000, 8000, 8000, 8000], classes: 10, tau: 10, wiring: 'random' },
  init: 'normal',
  seed: 1,
  batch: 128,
  lr: 0.01,
  iterations: ITERATIONS,
  onProgress: (p) => marks.push({ iteration: p.iteration, at: performance.now() }),
});
const from = marks.find((m) => m.iteration >= WARMUP)!;
const to = marks[marks.length - 1]!;
const rate = ((to.iteration - from.iteration) * 128) / ((to.at - from.at) / 1000);
console.log(`training, 6 x 8000 gates, 400 inputs, k=10, batch 128, backend ${result.backend}`);
console.log(`  ${Math.round(rate).toLocaleString('en')} samples/s over iterations ${from.iteration}-${to.iteration} (whole run incl. warm-up: ${Math.round(result.samplesPerSecond).toLocaleString('en')}); target >= 1,000`);
