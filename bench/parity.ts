/**
 * Training parity with difflogic, side by side (scripts/bench-parity): the same architecture, split,
 * steps, batch, lr and tau, trained by gatebench and by difflogic's Python implementation
 * (bench/parity_difflogic.py in .venv-ml), both evaluated as discrete networks on the same
 * thresholded test split. Prints both accuracies and wall times per seed and the means.
 * Fashion-MNIST (Debian's dataset-fashion-mnist, the official 60,000/10,000 split) is the second
 * benchmark beside the embedded digits; the 20 x 20 crop is for digits (their borders are empty), so
 * other datasets keep all 28 x 28 pixels unless --crop says otherwise.
 * Flags: --datasets (comma-separated: mnist, fashion-mnist, idx:DIR), --widths, --steps, --seeds, --wiring, --batch, --lr, --tau,
 * --crop, --threshold, --train-inputs real|bits (what gatebench's relaxed network trains on; default
 * real, as difflogic always does), --export-dir DIR (also write each difflogic model and its test vectors, for
 * `gatebench import`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { datasetFromOptions, encodingFromOptions } from '../src/app/dataOptions.js';
import { featureCount, type Dataset, type Samples } from '../src/data/dataset.js';
import type { CropWindow } from '../src/data/encoding.js';
import { trainModel } from '../src/model/trainModel.js';
import { TRAIN_INPUTS, type TrainInputs } from '../src/model/network.js';
import type { WiringMode } from '../src/model/wiring.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'mnist,fashion-mnist' },
    widths: { type: 'string', default: '4000,4000,4000' },
    steps: { type: 'string', default: '5000' },
    seeds: { type: 'string', default: '1,2,3' },
    wiring: { type: 'string', default: 'random' },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.01' },
    tau: { type: 'string', default: '10' },
    crop: { type: 'string' },
    threshold: { type: 'string', default: '0.5' },
    'train-inputs': { type: 'string', default: 'real' },
    'export-dir': { type: 'string' },
  },
});
const widths = values.widths!.split(',').map(Number);
const steps = Number(values.steps);
const seeds = values.seeds!.split(',').map(Number);
const wiring = values.wiring as WiringMode;
const batch = Number(values.batch);
const lr = Number(values.lr);
const tau = Number(values.tau);
const threshold = Number(values.threshold);
const trainInputs = values['train-inputs'] as TrainInputs;
if (!TRAIN_INPUTS.includes(trainInputs)) throw new Error(`--train-inputs: expected ${TRAIN_INPUTS.join(' or ')}, got '${trainInputs}'`);
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** The crop a dataset is benchmarked with: --crop if given, else 20 x 20 for the digits and none otherwise. */
function cropFor(dataset: Dataset): string | undefined {
  if (dataset.shape.length !== 2) return undefined;
  return values.crop ?? (dataset.spec === 'mnist' ? '20' : undefined);
}

/** The kept (cropped) raw features of a split, row-major, as float32: what difflogic trains on. */
function keptFeatures(dataset: Dataset, samples: Samples, crop: CropWindow | null): Float32Array {
  const width = featureCount(dataset.shape);
  if (!crop) return samples.features.slice(0, samples.count * width);
  const out = new Float32Array(samples.count * crop.height * crop.width);
  let o = 0;
  for (let i = 0; i < samples.count; i++) {
    for (let r = 0; r < crop.height; r++) {
      const from = i * width + (crop.top + r) * dataset.shape[1]! + crop.left;
      out.set(samples.features.subarray(from, from + crop.width), o);
      o += crop.width;
    }
  }
  return out;
}

/** Both trainers on one dataset, seed by seed; prints each result as it comes and the means. */
async function benchDataset(spec: string): Promise<void> {
  const dataset = datasetFromOptions({ dataset: spec });
  const crop = cropFor(dataset);
  const encoding = encodingFromOptions({ encoding: 'threshold', threshold: values.threshold, ...(crop ? { crop } : {}) }, dataset);
  const data = mkdtempSync(join(tmpdir(), 'gatebench-parity-'));
  const features = encoding.crop ? encoding.crop.height * encoding.crop.width : featureCount(dataset.shape);
  for (const [name, split] of [['train', dataset.train], ['test', dataset.test]] as const) {
    writeFileSync(join(data, `${name}.f32`), keptFeatures(dataset, split, encoding.crop));
    writeFileSync(join(data, `${name}.u8`), split.labels.subarray(0, split.count));
  }
  writeFileSync(join(data, 'meta.json'), JSON.stringify({ dataset: dataset.spec, shape: dataset.shape, crop: encoding.crop, features, classes: dataset.classes, train: dataset.train.count, test: dataset.test.count }));

  console.log(`parity: ${dataset.spec} (${dataset.train.count} train, ${dataset.test.count} test), widths ${widths.join(',')}, ${steps} steps, batch ${batch}, lr ${lr}, tau ${tau}, ${wiring} wiring, threshold ${threshold}, gatebench trains on ${trainInputs === 'real' ? 'real-valued inputs' : 'bits'}${encoding.crop ? `, crop ${encoding.crop.height}x${encoding.crop.width}` : ', no crop'}`);
  const rows: { seed: number; ours: number; oursSeconds: number; theirs: number; theirsSeconds: number }[] = [];
  try {
    for (const seed of seeds) {
      const started = performance.now();
      const trained = await trainModel(dataset, encoding, { widths, tau, wiring, init: 'normal', seed, batch, lr, iterations: steps, epochs: null, augment: 'none', ...(trainInputs === 'real' ? { inputs: 'real' as const } : {}) });
      const oursSeconds = (performance.now() - started) / 1000;
      const ours = trained.model.metrics.discreteTestAccuracy!;
      // Said now: difflogic's side of the same seed takes much longer.
      console.log(`  seed ${seed}: gatebench ${pct(ours)} discrete (${oursSeconds.toFixed(0)} s wall, backend ${trained.backend}); difflogic training...`);
      const exportTo = values['export-dir'] ? ['--export', join(values['export-dir'], `difflogic-${dataset.spec.replace(/[^a-z0-9]+/gi, '_')}-seed${seed}.json`)] : [];
      const pythonStarted = performance.now();
      const run = await execa(join(ROOT, '.venv-ml', 'bin', 'python'), [
        join(ROOT, 'bench', 'parity_difflogic.py'), data, '--widths', widths.join(','), '--tau', String(tau), '--lr', String(lr), '--batch', String(batch),
        '--steps', String(steps), '--seed', String(seed), '--wiring', wiring, '--threshold', String(threshold), ...exportTo,
      ]);
      const theirsSeconds = (performance.now() - pythonStarted) / 1000;
      const theirs = JSON.parse(run.stdout.trim().split('\n').pop()!) as { discreteTestAccuracy: number; trainSeconds: number; torchThreads: number };
      rows.push({ seed, ours, oursSeconds, theirs: theirs.discreteTestAccuracy, theirsSeconds });
      console.log(`  seed ${seed}: difflogic ${pct(theirs.discreteTestAccuracy)} discrete (${theirsSeconds.toFixed(0)} s wall, ${theirs.trainSeconds.toFixed(0)} s training, ${theirs.torchThreads} torch threads)`);
    }
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  const gap = 100 * (mean((r) => r.ours) - mean((r) => r.theirs));
  console.log(`${dataset.spec}, mean over ${rows.length} seeds: gatebench ${pct(mean((r) => r.ours))} (${mean((r) => r.oursSeconds).toFixed(0)} s), difflogic ${pct(mean((r) => r.theirs))} (${mean((r) => r.theirsSeconds).toFixed(0)} s); gatebench - difflogic = ${gap >= 0 ? '+' : ''}${gap.toFixed(2)} points (target >= -0.50)`);
}

if (values['export-dir']) mkdirSync(values['export-dir'], { recursive: true });
for (const spec of values.datasets!.split(',')) await benchDataset(spec);
