import type { CsvOptions } from '../data/csv.js';
import { ENCODING_METHODS, makeEncoding, type Encoding, type EncodingOptions } from '../data/encoding.js';
import { loadDataset, type Dataset } from '../data/index.js';
import { INIT_MODES, TRAIN_INPUTS } from '../model/network.js';
import { parseAugment, type TrainSpec } from '../model/trainModel.js';
import { WIRING_MODES } from '../model/wiring.js';
import { UserError } from '../util/errors.js';
import { choiceOption, intOption, numberOption, stringOption, type Flags, type RawOptions } from './options.js';

export const DATASET_FLAGS: Flags = {
  dataset: { type: 'string' },
  'label-column': { type: 'string' },
  'csv-header': { type: 'string' },
};

export const ENCODING_FLAGS: Flags = {
  encoding: { type: 'string' },
  levels: { type: 'string' },
  threshold: { type: 'string' },
  crop: { type: 'string' },
};

export const DATASET_USAGE = '--dataset mnist|fashion-mnist|idx:DIR|csv:FILE [--label-column C] [--csv-header yes|no]';
export const ENCODING_USAGE = '[--encoding threshold|thermometer] [--levels K] [--threshold T] [--crop N]';

/** `--label-column` and `--csv-header`, as plain data (a sweep stores them). */
export function csvOptionsFromOptions(options: RawOptions): CsvOptions {
  const header = stringOption(options, 'csv-header');
  if (header !== undefined && header !== 'yes' && header !== 'no') throw new UserError(`--csv-header: expected yes or no, got '${header}'`);
  const labelColumn = stringOption(options, 'label-column');
  return { ...(labelColumn !== undefined ? { labelColumn } : {}), ...(header !== undefined ? { header: header === 'yes' } : {}) };
}

export function datasetFromOptions(options: RawOptions, fallback?: string): Dataset {
  const spec = stringOption(options, 'dataset') ?? fallback;
  if (spec === undefined) throw new UserError('--dataset: required (mnist, fashion-mnist, idx:DIR or csv:FILE)');
  return loadDataset(spec, csvOptionsFromOptions(options));
}

/** The encoding flags as plain data, before they meet a dataset (a sweep stores them). */
export function encodingOptionsFromOptions(options: RawOptions): EncodingOptions {
  return {
    method: choiceOption(options, 'encoding', ENCODING_METHODS, 'threshold'),
    levels: intOption(options, 'levels', 3),
    ...(options['threshold'] !== undefined ? { threshold: numberOption(options, 'threshold', 0, { positive: false }) } : {}),
    ...(options['crop'] !== undefined ? { crop: intOption(options, 'crop', 0) } : {}),
  };
}

export function encodingFromOptions(options: RawOptions, dataset: Dataset): Encoding {
  return makeEncoding(dataset, encodingOptionsFromOptions(options));
}

/** Flags of the training settings every trained model takes (train, sweep). */
export const TRAINING_FLAGS: Flags = {
  wiring: { type: 'string' },
  init: { type: 'string' },
  augment: { type: 'string' },
  'train-inputs': { type: 'string' },
  iterations: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  tau: { type: 'string' },
  seed: { type: 'string' },
};

/** The training settings besides widths and length (--iterations or --epochs, which differ by command). */
export function trainingFromOptions(options: RawOptions): Omit<TrainSpec, 'widths' | 'iterations' | 'epochs'> {
  const augment = stringOption(options, 'augment') ?? 'none';
  parseAugment(augment);
  return {
    tau: numberOption(options, 'tau', 10),
    wiring: choiceOption(options, 'wiring', WIRING_MODES, 'random'),
    init: choiceOption(options, 'init', INIT_MODES, 'normal'),
    seed: intOption(options, 'seed', 0, 0),
    batch: intOption(options, 'batch', 128),
    lr: numberOption(options, 'lr', 0.01),
    augment,
    // Absent for the default, so specs and cache keys of bit-trained models stay what they were.
    ...(choiceOption(options, 'train-inputs', TRAIN_INPUTS, 'bits') === 'real' ? { inputs: 'real' as const } : {}),
  };
}
