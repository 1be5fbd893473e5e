import { chmodSync, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { findOnPath } from '../../src/flow/tools.js';

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
