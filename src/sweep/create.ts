import { loadDataset } from '../data/index.js';
import type { Store, SweepRecord } from '../store/index.js';
import { planCells, type SweepSpec } from './spec.js';

/**
 * Store a sweep and its cells from a spec (the grid planned against the dataset's classes), or
 * return the sweep already made from the same spec: the `sweep` command and the TUI both start here.
 */
export function createSweep(store: Store, spec: SweepSpec, o: { id?: string } = {}): { sweep: SweepRecord; created: boolean } {
  const dataset = loadDataset(spec.dataset, spec.csv);
  const cells = planCells(spec, dataset.classes).map((c) => ({ key: c.key, depth: c.depth, width: c.width, finalWidth: c.finalWidth, params: { widths: c.widths } }));
  return store.createSweep(spec, cells, o);
}
