import { DATASET_FLAGS, DATASET_USAGE, ENCODING_FLAGS, ENCODING_USAGE, TRAINING_FLAGS, datasetFromOptions, encodingFromOptions, trainingFromOptions } from '../../app/dataOptions.js';
import { intListOption, intOption, numberOption, stringOption, type RawOptions } from '../../app/options.js';
import { pct } from '../../app/format.js';
import { saveModel } from '../../model/modelFile.js';
import { trainModel, type TrainSpec } from '../../model/trainModel.js';
import { UserError } from '../../util/errors.js';
import { OUTPUT_RULE, checkOutputFile } from '../../util/outputPath.js';
import { defineCommand } from '../command.js';
import { Progress } from '../progress.js';
import { summariseModel, type ModelSummary } from './info.js';

/** Widths from --widths, or from --depth/--width/--final-width. */
export function widthsFromOptions(options: RawOptions): number[] {
  const explicit = intListOption(options, 'widths');
  const depth = intOption(options, 'depth', null);
  if (explicit) {
    if (depth !== null || options['width'] !== undefined || options['final-width'] !== undefined) {
      throw new UserError('--widths: give either --widths or --depth/--width/--final-width, not both');
    }
    return explicit;
  }
  if (depth === null) throw new UserError('--widths: required (e.g. --widths 2000,2000,500), or --depth D --width W [--final-width F]');
  const width = intOption(options, 'width', null);
  if (width === null) throw new UserError('--width: required with --depth');
  const finalWidth = intOption(options, 'final-width', width);
  return Array.from({ length: depth }, (_, i) => (i === depth - 1 ? finalWidth : width));
}

export interface TrainResultJson {
  out: string;
  backend: string;
  seconds: number;
  samplesPerSecond: number;
  model: ModelSummary;
}

export const trainCommand = defineCommand<TrainResultJson>({
  name: 'train',
  usage: `gatebench train ${DATASET_USAGE} ${ENCODING_USAGE} (--widths W1,W2,...|--depth D --width W [--final-width F]) [--wiring random|unique] [--init normal|residual] [--augment none|shift:N] [--train-inputs bits|real] [--epochs E|--iterations I] [--batch B] [--lr LR] [--tau T] [--seed S] --out model.json [--json]`,
  summary: 'train an LGN, discretise it and save the model file',
  details: OUTPUT_RULE,
  flags: {
    ...DATASET_FLAGS,
    ...ENCODING_FLAGS,
    widths: { type: 'string' },
    depth: { type: 'string' },
    width: { type: 'string' },
    'final-width': { type: 'string' },
    ...TRAINING_FLAGS,
    epochs: { type: 'string' },
    out: { type: 'string' },
  },
  async run(_positionals, options) {
    const out = stringOption(options, 'out');
    if (!out) throw new UserError('--out: required, the model file to write');
    checkOutputFile('--out', out);
    const widths = widthsFromOptions(options);
    const dataset = datasetFromOptions(options, 'mnist');
    const encoding = encodingFromOptions(options, dataset);
    const epochs = options['epochs'] === undefined ? null : numberOption(options, 'epochs', 1);
    if (epochs !== null && options['iterations'] !== undefined) throw new UserError('--epochs: give either --epochs or --iterations, not both');
    const iterations = epochs !== null ? Math.ceil((epochs * dataset.train.labels.length) / intOption(options, 'batch', 128)) : intOption(options, 'iterations', 1000);
    const spec: TrainSpec = { widths, ...trainingFromOptions(options), iterations, epochs };
    const progress = new Progress('train');
    const result = await trainModel(dataset, encoding, spec, (p) => progress.update(p.iteration, p.iterations, `loss ${p.loss.toFixed(4)} ${p.samplesPerSecond.toFixed(0)} samples/s`));
    const model = result.model;
    saveModel(out, model);
    return { out, backend: result.backend, seconds: result.seconds, samplesPerSecond: result.samplesPerSecond, model: summariseModel(model) };
  },
  render(r) {
    return [
      `trained ${gateCountLine(r.model)} in ${r.seconds.toFixed(1)} s (${r.samplesPerSecond.toFixed(0)} samples/s, backend ${r.backend})`,
      `test accuracy: relaxed ${pct(r.model.metrics.relaxedTestAccuracy)}, discrete ${pct(r.model.metrics.discreteTestAccuracy)} (train, discrete: ${pct(r.model.metrics.discreteTrainAccuracy)})`,
      `model ${r.model.hash.slice(0, 16)} written to ${r.out}`,
    ].join('\n');
  },
});

function gateCountLine(m: ModelSummary): string {
  return `${m.gates} gates (${m.widths.join(',')})`;
}

