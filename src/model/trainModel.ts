import { shiftAugmenter } from '../data/augment.js';
import { encodeSamples, inputBitCount, relaxSamples, trainingBits, type Encoding } from '../data/encoding.js';
import type { Dataset, Samples } from '../data/index.js';
import { UserError } from '../util/errors.js';
import { gatebenchVersion, gitRevision } from '../util/provenance.js';
import { checkTrainingFits } from './memory.js';
import { accuracy } from './metrics.js';
import { makeModel, type Model } from './modelFile.js';
import type { InitMode, TrainInputs } from './network.js';
import { evaluateReference } from './reference.js';
import { trainNetwork, type TrainProgress } from './train.js';
import type { WiringMode } from './wiring.js';

/** Everything that decides a trained model besides the data: plain data, so sweeps can store it. */
export interface TrainSpec {
  widths: number[];
  tau: number;
  wiring: WiringMode;
  init: InitMode;
  seed: number;
  batch: number;
  lr: number;
  iterations: number;
  /** The epochs the iterations were derived from, if they were. */
  epochs: number | null;
  /** 'none' or 'shift:N'. */
  augment: string;
  /** What the relaxed network trains on: the encoded bits (absent: the default) or their real values (relaxSamples). */
  inputs?: TrainInputs;
}

/** `none` or `shift:N`: random image shifts of up to N pixels in training batches. */
export function parseAugment(raw: string): number {
  if (raw === 'none') return 0;
  const match = /^shift:(\d+)$/.exec(raw);
  if (!match || Number(match[1]) < 1) throw new UserError(`--augment: expected none or shift:N with N >= 1 pixels, got '${raw}'`);
  return Number(match[1]);
}

/** Train, discretise and evaluate: the model file's content, with its provenance and accuracies. */
export async function trainModel(dataset: Dataset, encoding: Encoding, spec: TrainSpec, onProgress?: (p: TrainProgress) => void): Promise<{ model: Model; seconds: number; samplesPerSecond: number; backend: string }> {
  const last = spec.widths[spec.widths.length - 1]!;
  if (last % dataset.classes !== 0) {
    throw new UserError(`--widths: the last layer has ${last} neurons, which is not divisible by the ${dataset.classes} classes of ${dataset.spec}`);
  }
  const maxShift = parseAugment(spec.augment);
  checkTrainingFits('--widths', { inputBits: inputBitCount(encoding), widths: spec.widths, batch: spec.batch, testCount: dataset.test.count });
  const train = encodeSamples(encoding, dataset.train);
  const test = encodeSamples(encoding, dataset.test);
  const inputs = spec.inputs ?? 'bits';
  const relax = inputs === 'real' ? (samples: Samples) => relaxSamples(encoding, samples, dataset.valueRange) : null;
  const result = await trainNetwork(relax ? relax(dataset.train) : trainingBits(train), trainingBits(test), {
    architecture: { inputBits: train.inputBits, widths: spec.widths, classes: dataset.classes, tau: spec.tau, wiring: spec.wiring },
    init: spec.init,
    seed: spec.seed,
    batch: spec.batch,
    augment: maxShift > 0 ? shiftAugmenter(encoding, dataset.train, maxShift, ...(relax ? [relax] : [])) : undefined,
    lr: spec.lr,
    iterations: spec.iterations,
    ...(onProgress ? { onProgress } : {}),
  });
  const model = makeModel(result.network, { tau: spec.tau, wiring: spec.wiring }, {
    encoding,
    dataset: {
      spec: dataset.spec,
      hash: dataset.hash,
      splitRule: dataset.splitRule,
      classNames: dataset.classNames,
      trainCount: train.count,
      testCount: test.count,
    },
    training: {
      seed: spec.seed,
      init: spec.init,
      augment: spec.augment,
      inputs,
      iterations: spec.iterations,
      epochs: spec.epochs,
      batch: spec.batch,
      lr: spec.lr,
      backend: result.backend,
      seconds: result.seconds,
      samplesPerSecond: result.samplesPerSecond,
      finalLoss: result.finalLoss,
      gatebenchVersion: gatebenchVersion(),
      gitRevision: gitRevision(),
      node: process.version,
      createdAt: new Date().toISOString(),
    },
    metrics: {
      relaxedTestAccuracy: result.relaxedTestAccuracy,
      discreteTestAccuracy: test.count === 0 ? null : accuracy(evaluateReference(result.network, test), test.labels),
      discreteTrainAccuracy: accuracy(evaluateReference(result.network, train), train.labels),
    },
  });
  return { model, seconds: result.seconds, samplesPerSecond: result.samplesPerSecond, backend: result.backend };
}
