import { parseFinalWidths, SWEEP_FORMAT, type SweepSpec } from '../sweep/spec.js';
import { UserError } from '../util/errors.js';
import { csvOptionsFromOptions, encodingOptionsFromOptions, trainingFromOptions } from './dataOptions.js';
import { intListOption, intOption, numberOption, stringOption, type RawOptions } from './options.js';

/** The sweep's plain-data description from the command line. */
export function sweepSpecFromOptions(options: RawOptions): SweepSpec {
  const depth = intListOption(options, 'depth');
  const width = intListOption(options, 'width');
  const finalRaw = stringOption(options, 'final-width') ?? 'same';
  if (!depth) throw new UserError('--depth: required, e.g. --depth 2,3,4 (or --resume ID)');
  if (!width) throw new UserError('--width: required, e.g. --width 250,500,1000');
  const runOn = stringOption(options, 'run-on') ?? 'virtual';
  const powerRaw = stringOption(options, 'power') ?? (runOn === 'virtual' ? 'virtual' : 'none');
  return {
    format: SWEEP_FORMAT,
    dataset: stringOption(options, 'dataset') ?? 'mnist',
    csv: csvOptionsFromOptions(options),
    encoding: encodingOptionsFromOptions(options),
    grid: { depth, width, finalWidth: parseFinalWidths(finalRaw) },
    training: { ...trainingFromOptions(options), iterations: intOption(options, 'iterations', 1000), epochs: null },
    board: stringOption(options, 'board') ?? 'icebreaker',
    runOn,
    vectors: intOption(options, 'vectors', 500),
    power: powerRaw === 'none' ? null : powerRaw,
    powerWindowSeconds: options['power-window'] === undefined ? null : numberOption(options, 'power-window', 2),
  };
}
