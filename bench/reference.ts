/**
 * Reference inference throughput on difflogic's small MNIST shape: 400 inputs (20x20 crop),
 * 6 x 8,000 gates, k = 10. Target: >= 250,000 samples/s on the 2 cores here.
 */
import { cpus } from 'node:os';
import { randomNetwork, randomVectors } from '../test/helpers.js';
import { evaluateReference } from '../src/model/reference.js';

const net = randomNetwork(1, 400, [8000, 8000, 8000, 8000, 8000, 8000], 10);
const data = randomVectors(2, 65536, 400, 10);
evaluateReference(net, randomVectors(3, 4096, 400, 10));
const rounds = 5;
const rates: number[] = [];
for (let r = 0; r < rounds; r++) {
  const started = performance.now();
  evaluateReference(net, data);
  rates.push(data.count / ((performance.now() - started) / 1000));
}
rates.sort((a, b) => a - b);
console.log(`reference inference, 48,000 gates (6 x 8000, 400 inputs, k=10), ${data.count} vectors x ${rounds} rounds on ${cpus().length} cores`);
console.log(`  median ${Math.round(rates[2]!).toLocaleString('en')} samples/s (min ${Math.round(rates[0]!).toLocaleString('en')}, max ${Math.round(rates[4]!).toLocaleString('en')}); target >= 250,000`);
