import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitGroupSumModule } from '../hdl/groupSumModule.js';
import type { FpgaFamily } from '../board/devices.js';
import type { GroupSumStyle } from '../hdl/groupSum.js';
import { cacheRoot } from '../util/cache.js';
import { estimateResources } from './estimate.js';

/**
 * LUT4 of a core's head alone: the GroupSum popcounts and the argmax over a final layer of
 * `finalWidth` neurons, synthesised by itself (yosys synth_<family>, default iCE40, cached). With
 * it, a change of a core's LUT4 splits into the head's share and the rest (the layers, cones
 * pruned or not). It counts every final neuron as live, so it is the head's cost before constant
 * folding. Pass the style (and family) the core was emitted with (its stats.groupSum, headFamily).
 */
export async function headLut4(finalWidth: number, classes: number, o: { style?: GroupSumStyle; family?: FpgaFamily; cacheDir?: string } = {}): Promise<number | null> {
  const family = o.family ?? 'ice40';
  const module = emitGroupSumModule(finalWidth, classes, o.style ?? 'tree', true, family);
  const dir = mkdtempSync(join(tmpdir(), 'gatebench-head-'));
  try {
    const file = join(dir, module.name);
    writeFileSync(file, module.text);
    const r = await estimateResources([file], module.top, family, { cacheDir: join(cacheRoot(o.cacheDir), 'estimates') });
    return r.ok ? (r.stat?.luts ?? null) : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
