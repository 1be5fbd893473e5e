import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitGroupSumModule } from '../hdl/groupSumModule.js';
import type { GroupSumStyle } from '../hdl/groupSum.js';
import { cacheRoot } from '../util/cache.js';
import { estimateResources } from './estimate.js';
import type { Family } from './yosys.js';

/**
 * LUT4 of a core's head alone: the GroupSum popcounts and the argmax over a final layer of
 * `finalWidth` neurons, synthesised by itself (yosys synth_<family>, cached; the family of the board
 * the cores are built for, so the share is in the same LUT4s). With it, a change of a
 * core's LUT4 splits into the head's share and the rest (the layers, cones pruned or not). It
 * counts every final neuron as live, so it is the head's cost before constant folding.
 */
export async function headLut4(finalWidth: number, classes: number, o: { style?: GroupSumStyle; cacheDir?: string; family?: Family } = {}): Promise<number | null> {
  const module = emitGroupSumModule(finalWidth, classes, o.style ?? 'tree', true);
  const dir = mkdtempSync(join(tmpdir(), 'gatebench-head-'));
  try {
    const file = join(dir, module.name);
    writeFileSync(file, module.text);
    const r = await estimateResources([file], module.top, o.family ?? 'ice40', { cacheDir: join(cacheRoot(o.cacheDir), 'estimates') });
    return r.ok ? (r.stat?.luts ?? null) : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
