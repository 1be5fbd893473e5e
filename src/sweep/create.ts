import { loadBoard } from '../board/index.js';
import { inputBitCount, makeEncoding } from '../data/encoding.js';
import { loadDataset, type Dataset } from '../data/index.js';
import { checkTrainingFits } from '../model/memory.js';
import { loadModel } from '../model/modelFile.js';
import { parseAugment } from '../model/trainModel.js';
import { parseMonitorSpec } from '../power/monitor.js';
import type { CellSpec } from '../store/index.js';
import { UserError } from '../util/errors.js';
import { modelCell, planCells, type SweepJob, type SweepSpec } from './spec.js';

/** A board the sweep names, loaded now so a typo is one line before any cell trains. */
function checkBoard(flag: string, name: string): void {
  try {
    loadBoard(name);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`${flag}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Everything in a spec that a cell would otherwise find wrong only after training: the boards, the
 * power monitor, the encoding, the augmentation and whether the largest cell fits in memory.
 */
export function checkSweepSpec(spec: SweepSpec, dataset: Dataset, cells: readonly SweepJob[]): void {
  checkBoard('--board', spec.board);
  if (spec.runOn !== 'virtual' && spec.runOn !== 'none') checkBoard('--run-on', spec.runOn);
  // icebox_vlog turns only an iCE40 bitstream back into Verilog.
  const family = loadBoard(spec.board).fpga.family;
  if (spec.level === 'bitstream' && family !== 'ice40') throw new UserError(`--level bitstream: only for an iCE40 --board (icebox_vlog), not ${spec.board} (${family}); use --level rtl`);
  if (spec.power !== null) {
    if (spec.runOn === 'none') throw new UserError(`--power ${spec.power}: nothing runs with --run-on none, expected --power none`);
    if (spec.power === 'virtual') {
      if (spec.runOn !== 'virtual') throw new UserError(`--power virtual: only with --run-on virtual, got --run-on ${spec.runOn}`);
      if (spec.level === 'bitstream') throw new UserError('--power virtual: needs --level rtl (the bitstream netlist has no activity port to watch the core through)');
    } else parseMonitorSpec(spec.power);
  }
  const encoding = makeEncoding(dataset, spec.encoding);
  parseAugment(spec.training.augment);
  const trained = cells.filter((c) => !c.model);
  if (trained.length === 0) return;
  const gates = (c: SweepJob): number => c.widths.reduce((s, w) => s + w, 0);
  const largest = trained.reduce((a, b) => (gates(b) > gates(a) ? b : a));
  checkTrainingFits(`cell ${largest.key}: widths`, { inputBits: inputBitCount(encoding), widths: largest.widths, batch: spec.training.batch, testCount: dataset.test.count });
}

/**
 * The cells of the sweep's model files, each checked against the sweep's dataset now (its classes
 * and sample shape) and against the hash it had when named, so a replaced file is one line.
 */
function modelFileCells(spec: SweepSpec, dataset: Dataset): SweepJob[] {
  return (spec.models ?? []).map((file) => {
    const model = loadModel(file.path);
    if (model.hash !== file.hash) throw new UserError(`--model ${file.path}: the file now holds model ${model.hash}, the sweep was made with ${file.hash}`);
    if (model.network.classes !== dataset.classes) throw new UserError(`--model ${file.path}: has ${model.network.classes} classes, ${dataset.spec} has ${dataset.classes}`);
    if (model.encoding.shape.join('x') !== dataset.shape.join('x')) {
      throw new UserError(`--model ${file.path}: encodes samples of shape [${model.encoding.shape}], ${dataset.spec} has samples of shape [${dataset.shape}]`);
    }
    return modelCell(file, model.architecture.widths);
  });
}

/**
 * The cells to store for a spec (the grid planned against the dataset's classes, then the model
 * files), the whole spec checked first: the `sweep` command calls this before it opens the database,
 * so a bad spec is refused before anything is stored or run.
 */
export function planSweepCells(spec: SweepSpec): CellSpec[] {
  const dataset = loadDataset(spec.dataset, spec.csv);
  const jobs = [...(spec.grid.depth.length > 0 ? planCells(spec, dataset.classes) : []), ...modelFileCells(spec, dataset)];
  if (jobs.length === 0) throw new UserError('the sweep has no cells: give --depth and --width, or --model');
  checkSweepSpec(spec, dataset, jobs);
  return jobs.map((c) => ({ key: c.key, depth: c.depth, width: c.width, finalWidth: c.finalWidth, params: { widths: c.widths, ...(c.model ? { model: c.model } : {}) } }));
}
