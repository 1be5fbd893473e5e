import { chmodSync, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { clearToolCache, findOnPath } from '../../src/flow/tools.js';

/** What icetime prints when it finds no chip database for the device (a fresh machine without fpga-icestorm-chipdb). */
export const NO_CHIPDB = "Can't find chipdb file for device 5k";

/**
 * A PATH whose icetime fails the way it does on a machine without fpga-icestorm-chipdb: the real
 * binary, copied into a folder of its own. icetime looks for its chip database under a fixed
 * prefix and next to its own bin/ folder (../share/fpga-icestorm/chipdb), which the copy does not
 * have, so it really runs and really fails, while the installed chip database stays in place.
 * (Where a chip database sits under /usr/local/share, as after a source install, the copy finds it.)
 */
export function pathWithIcetimeWithoutChipdb(): string {
  const real = findOnPath('icetime');
  if (!real) throw new Error('icetime is not installed (scripts/setup installs it)');
  const bin = join(mkdtempSync(join(tmpdir(), 'gatebench-no-chipdb-')), 'bin');
  mkdirSync(bin);
  copyFileSync(real, join(bin, 'icetime'));
  chmodSync(join(bin, 'icetime'), 0o755);
  return `${bin}${delimiter}${process.env.PATH ?? ''}`;
}

/**
 * After the suite (`after`) or each test (`afterEach`): PATH and GATEBENCH_EDA_VENV as they were,
 * and the tool lookup cache cleared, for tests that point tool resolution somewhere else.
 */
export function restoreToolLookup(hook: (fn: () => void) => void): void {
  const path = process.env.PATH;
  const venv = process.env.GATEBENCH_EDA_VENV;
  hook(() => {
    process.env.PATH = path;
    if (venv === undefined) delete process.env.GATEBENCH_EDA_VENV;
    else process.env.GATEBENCH_EDA_VENV = venv;
    clearToolCache();
  });
}
