import { resolve } from 'node:path';
import { loadModel } from '../model/modelFile.js';
import { VIRTUAL_LEVELS, type VirtualLevel } from '../device/virtual.js';
import { parseFinalWidths, SWEEP_FORMAT, type SweepModelFile, type SweepSpec } from '../sweep/spec.js';
import { UserError } from '../util/errors.js';
import { csvOptionsFromOptions, encodingOptionsFromOptions, trainingFromOptions } from './dataOptions.js';
import { intListOption, intOption, numberOption, pipelineOptions, stringOption, type RawOptions } from './options.js';

/** The sweep's plain-data description from the command line. */
export function sweepSpecFromOptions(options: RawOptions): SweepSpec {
  const depth = intListOption(options, 'depth');
  const width = intListOption(options, 'width');
  const finalRaw = stringOption(options, 'final-width') ?? 'same';
  const models = modelFilesFromOptions(options);
  // Model files alone make a sweep without a grid; a grid needs both of its axes.
  if (!depth && (width || models.length === 0)) throw new UserError('--depth: required, e.g. --depth 2,3,4 (or --model FILE, or --resume ID)');
  if (depth && !width) throw new UserError('--width: required, e.g. --width 250,500,1000');
  const runOn = stringOption(options, 'run-on') ?? 'virtual';
  const level = levelFromOptions(options, runOn);
  // The virtual monitor watches the RTL's activity port, which the bitstream netlist has not.
  const powerRaw = stringOption(options, 'power') ?? (runOn === 'virtual' && level === 'rtl' ? 'virtual' : 'none');
  return {
    format: SWEEP_FORMAT,
    dataset: stringOption(options, 'dataset') ?? 'mnist',
    csv: csvOptionsFromOptions(options),
    encoding: encodingOptionsFromOptions(options),
    grid: { depth: depth ?? [], width: width ?? [], finalWidth: parseFinalWidths(finalRaw) },
    ...(models.length > 0 ? { models } : {}),
    training: { ...trainingFromOptions(options), iterations: intOption(options, 'iterations', 1000), epochs: null },
    board: stringOption(options, 'board') ?? 'icebreaker',
    pipeline: pipelineOptions(options, 'auto').pipeline,
    ...(options['pnr-budget'] !== undefined ? { pnrBudgetMinutes: numberOption(options, 'pnr-budget', 0) } : {}),
    runOn,
    // The RTL level is left out, so a sweep made before levels existed resumes as the same spec.
    ...(level === 'bitstream' ? { level } : {}),
    vectors: intOption(options, 'vectors', 500),
    power: powerRaw === 'none' ? null : powerRaw,
    powerWindowSeconds: options['power-window'] === undefined ? null : numberOption(options, 'power-window', 2),
  };
}

/** `--level rtl|bitstream`: what the virtual board of `--run-on virtual` simulates. */
function levelFromOptions(options: RawOptions, runOn: string): VirtualLevel {
  const raw = stringOption(options, 'level');
  if (raw === undefined) return 'rtl';
  if (!(VIRTUAL_LEVELS as readonly string[]).includes(raw)) throw new UserError(`--level: expected ${VIRTUAL_LEVELS.join(' or ')}, got '${raw}'`);
  if (runOn !== 'virtual') throw new UserError(`--level: only with --run-on virtual (what the virtual board simulates), got --run-on ${runOn}`);
  return raw as VirtualLevel;
}

/** `--model A.json,B.json`: model files (imported or trained elsewhere) that join the sweep as cells. */
function modelFilesFromOptions(options: RawOptions): SweepModelFile[] {
  const raw = stringOption(options, 'model');
  if (raw === undefined) return [];
  return raw.split(',').map((path) => ({ path: resolve(path), hash: loadModel(path).hash }));
}
