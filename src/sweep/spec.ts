import type { EncodingOptions } from '../data/encoding.js';
import type { VirtualLevel } from '../device/virtual.js';
import type { TrainSpec } from '../model/trainModel.js';
import { UserError } from '../util/errors.js';

export const SWEEP_FORMAT = 'gatebench-sweep/1';

/** A final-layer width: a number of neurons, or 'same' as the hidden width. */
export type FinalWidth = number | 'same';

/**
 * A sweep is plain data: the grid and every setting a cell needs, so that its jobs can be stored,
 * resumed, and handed to any worker (another process now, another machine later).
 */
export interface SweepSpec {
  format: typeof SWEEP_FORMAT;
  /** mnist | idx:DIR | csv:FILE */
  dataset: string;
  csv: { labelColumn?: string; header?: boolean };
  encoding: EncodingOptions;
  grid: { depth: number[]; width: number[]; finalWidth: FinalWidth[] };
  /**
   * Models given by file (`--model`, e.g. imported from difflogic): each is a cell that is loaded,
   * not trained, beside the grid's. Absent in sweeps stored before model files.
   */
  models?: SweepModelFile[];
  training: Omit<TrainSpec, 'widths'>;
  /** The board every cell is built for (resource, timing figures). */
  board: string;
  /**
   * Where the cores' registers go: 'auto' (the cuts that meet the board's clock, build and run alike)
   * or P (registers every P layers). Absent in sweeps stored before it: 0, and a combinational core on the board.
   */
  pipeline?: 'auto' | number;
  /**
   * Minutes each cell's place and route may take before its build is stored as routing-failed
   * (or placement-failed) with the router's progress. Absent: the board family's default.
   */
  pnrBudgetMinutes?: number;
  /** Where the cells run: 'virtual' (the Verilator board), a board name, or 'none'. */
  runOn: string;
  /**
   * With runOn 'virtual': what the virtual board simulates, 'bitstream' for the icebox_vlog netlist
   * of the placed-and-routed device build (iCE40 boards only). Absent: the RTL (and in sweeps stored before levels).
   */
  level?: VirtualLevel;
  /** Test vectors streamed per run (and simulated in the bit-exactness check). */
  vectors: number;
  /** Power monitor spec for runs ('virtual', lpm01a:PORT, ...), or null for none. */
  power: string | null;
  powerWindowSeconds: number | null;
}

/** A model file a sweep takes as a cell: its absolute path and the hash it had when the sweep was made. */
export interface SweepModelFile {
  path: string;
  hash: string;
}

/** One cell of the grid (or a model file) as a job: the spec travels with it. */
export interface SweepJob {
  key: string;
  depth: number;
  width: number;
  finalWidth: number;
  widths: number[];
  /** The model file this cell runs instead of training one. */
  model?: SweepModelFile;
}

export function cellKey(depth: number, width: number, finalWidth: number): string {
  return `d${depth}-w${width}-f${finalWidth}`;
}

/** A stored cell as the job its stages run (its widths and model file are kept in its params). */
export function jobOfCell(cell: { key: string; depth: number; width: number; finalWidth: number; params: Record<string, unknown> }): SweepJob {
  const model = cell.params['model'] as SweepModelFile | undefined;
  return { key: cell.key, depth: cell.depth, width: cell.width, finalWidth: cell.finalWidth, widths: cell.params['widths'] as number[], ...(model ? { model } : {}) };
}

/** A model file's cell: named by its hash, as the same network is the same cell whatever the path. */
export function modelCell(model: SweepModelFile, widths: number[]): SweepJob {
  return { key: `model-${model.hash.slice(0, 12)}`, depth: widths.length, width: widths[0]!, finalWidth: widths[widths.length - 1]!, widths, model };
}

/** `--final-width 50,100,same`. */
export function parseFinalWidths(raw: string): FinalWidth[] {
  return raw.split(',').map((part) => {
    const t = part.trim();
    if (t === 'same') return 'same';
    const n = Number(t);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`--final-width: expected positive integers or 'same', got '${t}'`);
    return n;
  });
}

/**
 * The cells of a grid, in order: depth, then width, then final width. A final width equal to the
 * hidden width (given as 'same' or as the number) is one cell; a final width wider than the hidden
 * width is skipped (the study narrows the last layer, it does not widen it).
 */
export function planCells(spec: Pick<SweepSpec, 'grid'>, classes: number): SweepJob[] {
  const jobs: SweepJob[] = [];
  const seen = new Set<string>();
  for (const depth of spec.grid.depth) {
    if (!Number.isInteger(depth) || depth < 1) throw new UserError(`--depth: expected positive integers, got ${depth}`);
    for (const width of spec.grid.width) {
      if (!Number.isInteger(width) || width < 1) throw new UserError(`--width: expected positive integers, got ${width}`);
      for (const f of spec.grid.finalWidth) {
        const finalWidth = f === 'same' ? width : f;
        if (finalWidth > width) continue;
        if (finalWidth % classes !== 0) throw new UserError(`--final-width: ${finalWidth} is not divisible by the ${classes} classes (GroupSum needs equal groups)`);
        if (depth === 1 && finalWidth !== width) continue;
        const key = cellKey(depth, width, finalWidth);
        if (seen.has(key)) continue;
        seen.add(key);
        jobs.push({ key, depth, width, finalWidth, widths: Array.from({ length: depth }, (_, i) => (i === depth - 1 ? finalWidth : width)) });
      }
    }
  }
  if (jobs.length === 0) throw new UserError('the sweep grid has no cells (every final width is wider than its hidden width?)');
  return jobs;
}
