import { loadBoard, requireBoardAttached } from '../board/index.js';
import { openStore, type SweepRecord } from '../store/index.js';
import { planSweepCells } from '../sweep/create.js';
import type { SweepSpec } from '../sweep/spec.js';
import { UserError } from '../util/errors.js';
import { stringOption, type RawOptions } from './options.js';
import { sweepSpecFromOptions } from './sweepSpec.js';

/**
 * The sweep `gatebench sweep` flags name: the stored one with --resume ID, else the one made from
 * the spec (created, or found: the same spec is the same sweep). The sweep command and the TUI's n.
 */
export function sweepFromOptions(db: string, options: RawOptions): { sweep: SweepRecord; created: boolean } {
  const resume = stringOption(options, 'resume');
  if (resume) {
    const store = openStore(db, { create: false });
    try {
      const found = store.getSweep(resume);
      if (!found) throw new UserError(`--resume: no sweep '${resume}' in ${db} (gatebench results --db ${db} lists them)`);
      return { sweep: found, created: false };
    } finally {
      store.close();
    }
  }
  // The spec is checked whole before the database is opened: a refused sweep leaves no file behind.
  const spec = sweepSpecFromOptions(options);
  const cells = planSweepCells(spec);
  const id = stringOption(options, 'id');
  const store = openStore(db);
  try {
    return store.createSweep(spec, cells, id ? { id } : {});
  } finally {
    store.close();
  }
}

/**
 * A sweep that runs on a physical board needs it attached: say so before the first cell trains and
 * builds (minutes each), not when its first run fails.
 */
export async function requireSweepBoard(sweep: SweepRecord): Promise<void> {
  const { runOn } = sweep.spec as SweepSpec;
  if (runOn === 'virtual' || runOn === 'none') return;
  await requireBoardAttached(loadBoard(runOn), { nextStep: 'to build every cell without the board, use --run-on none' });
}
