import { ENCODING_METHODS, type EncodingOptions } from '../data/encoding.js';
import { INIT_MODES } from '../model/network.js';
import { parseAugment } from '../model/trainModel.js';
import { WIRING_MODES } from '../model/wiring.js';
import { parseFinalWidths, SWEEP_FORMAT, type SweepSpec } from '../sweep/spec.js';
import { UserError } from '../util/errors.js';
import { choiceOption, intListOption, intOption, numberOption, stringOption, type RawOptions } from './options.js';

/** The sweep's plain-data description from the command line. */
export function sweepSpecFromOptions(options: RawOptions): SweepSpec {
  const depth = intListOption(options, 'depth');
  const width = intListOption(options, 'width');
  const finalRaw = stringOption(options, 'final-width') ?? 'same';
  if (!depth) throw new UserError('--depth: required, e.g. --depth 2,3,4 (or --resume ID)');
  if (!width) throw new UserError('--width: required, e.g. --width 250,500,1000');
  const header = stringOption(options, 'csv-header');
  if (header !== undefined && header !== 'yes' && header !== 'no') throw new UserError(`--csv-header: expected yes or no, got '${header}'`);
  const labelColumn = stringOption(options, 'label-column');
  const encoding: EncodingOptions = {
    method: choiceOption(options, 'encoding', ENCODING_METHODS, 'threshold'),
    levels: intOption(options, 'levels', 3),
    ...(options['threshold'] !== undefined ? { threshold: numberOption(options, 'threshold', 0, { positive: false }) } : {}),
    ...(options['crop'] !== undefined ? { crop: intOption(options, 'crop', 0) } : {}),
  };
  const runOn = stringOption(options, 'run-on') ?? 'virtual';
  const powerRaw = stringOption(options, 'power') ?? (runOn === 'virtual' ? 'virtual' : 'none');
  const augment = stringOption(options, 'augment') ?? 'none';
  parseAugment(augment);
  return {
    format: SWEEP_FORMAT,
    dataset: stringOption(options, 'dataset') ?? 'mnist',
    csv: { ...(labelColumn !== undefined ? { labelColumn } : {}), ...(header !== undefined ? { header: header === 'yes' } : {}) },
    encoding,
    grid: { depth, width, finalWidth: parseFinalWidths(finalRaw) },
    training: {
      tau: numberOption(options, 'tau', 10),
      wiring: choiceOption(options, 'wiring', WIRING_MODES, 'random'),
      init: choiceOption(options, 'init', INIT_MODES, 'normal'),
      seed: intOption(options, 'seed', 0, 0),
      batch: intOption(options, 'batch', 128),
      lr: numberOption(options, 'lr', 0.01),
      iterations: intOption(options, 'iterations', 1000),
      epochs: null,
      augment,
    },
    board: stringOption(options, 'board') ?? 'icebreaker',
    runOn,
    vectors: intOption(options, 'vectors', 500),
    power: powerRaw === 'none' ? null : powerRaw,
    powerWindowSeconds: options['power-window'] === undefined ? null : numberOption(options, 'power-window', 2),
  };
}
