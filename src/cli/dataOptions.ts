import { ENCODING_METHODS, makeEncoding, type Encoding } from '../data/encoding.js';
import { loadDataset, type Dataset } from '../data/index.js';
import { UserError } from '../util/errors.js';
import type { Flags } from './command.js';
import { choiceOption, intOption, numberOption, stringOption, type RawOptions } from './options.js';

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

export const DATASET_USAGE = '--dataset mnist|idx:DIR|csv:FILE [--label-column C] [--csv-header yes|no]';
export const ENCODING_USAGE = '[--encoding threshold|thermometer] [--levels K] [--threshold T] [--crop N]';

export function datasetFromOptions(options: RawOptions, fallback?: string): Dataset {
  const spec = stringOption(options, 'dataset') ?? fallback;
  if (spec === undefined) throw new UserError('--dataset: required (mnist, idx:DIR or csv:FILE)');
  const header = stringOption(options, 'csv-header');
  if (header !== undefined && header !== 'yes' && header !== 'no') throw new UserError(`--csv-header: expected yes or no, got '${header}'`);
  return loadDataset(spec, {
    labelColumn: stringOption(options, 'label-column'),
    header: header === undefined ? undefined : header === 'yes',
  });
}

export function encodingFromOptions(options: RawOptions, dataset: Dataset): Encoding {
  const crop = intOption(options, 'crop', null);
  const threshold = options['threshold'] === undefined ? undefined : numberOption(options, 'threshold', 0, { positive: false });
  return makeEncoding(dataset, {
    method: choiceOption(options, 'encoding', ENCODING_METHODS, 'threshold'),
    levels: intOption(options, 'levels', 3),
    threshold,
    crop: crop ?? undefined,
  });
}
