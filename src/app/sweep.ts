import { loadBoard, requireBoardAttached } from '../board/index.js';
import { openStore, type SweepRecord } from '../store/index.js';
import { createSweep } from '../sweep/create.js';
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
  const store = openStore(db);
  try {
    if (resume) {
      const found = store.getSweep(resume);
      if (!found) throw new UserError(`--resume: no sweep '${resume}' in ${db} (gatebench results --db ${db} lists them)`);
      return { sweep: found, created: false };
    }
    const id = stringOption(options, 'id');
    return createSweep(store, sweepSpecFromOptions(options), id ? { id } : {});
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
