import { constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from './errors.js';
import { mayAccess } from './paths.js';

/**
 * The rule every command follows for what it writes, checked before any work so that a bad path
 * never throws a finished result away: an output file may replace an existing file (never a
 * folder), an output folder may be an existing folder or is created (never over a file), and the
 * folder holding either must already exist and be writable: nothing is created above it.
 */
export const OUTPUT_RULE = 'Outputs: an existing output file is replaced; the folder it goes in must exist (it is not created).';

function statOf(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    // ENOTDIR: a file stands where a folder of the path should be; the parent check says which.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

const writable = (path: string): boolean => mayAccess(path, constants.W_OK);

/** The existing, writable folder `path` will be created in, or a UserError naming `flag`. */
function checkParent(flag: string, path: string): void {
  const parent = dirname(path);
  const st = statOf(parent);
  if (!st) throw new UserError(`${flag} ${path}: the folder ${parent} does not exist (create it first)`);
  if (!st.isDirectory()) throw new UserError(`${flag} ${path}: ${parent} is not a folder`);
  if (!writable(parent)) throw new UserError(`${flag} ${path}: no write permission on the folder ${parent}`);
}

/**
 * Check that a file can be written at `path` (given by `flag`, e.g. '--out'), before the work that
 * produces it. Returns the absolute path.
 */
export function checkOutputFile(flag: string, path: string): string {
  const full = resolve(path);
  const st = statOf(full);
  if (st?.isDirectory()) throw new UserError(`${flag} ${path}: is a folder, expected a file to write`);
  if (st && !st.isFile()) throw new UserError(`${flag} ${path}: is not a regular file, expected a file to write`);
  if (st && !writable(full)) throw new UserError(`${flag} ${path}: no write permission on the file`);
  checkParent(flag, full);
  return full;
}

/** Check that `path` is a writable folder or can be created as one in an existing folder. Returns the absolute path. */
export function checkOutputFolder(flag: string, path: string): string {
  const full = resolve(path);
  const st = statOf(full);
  if (st && !st.isDirectory()) throw new UserError(`${flag} ${path}: is a file, expected a folder to write into`);
  if (st && !writable(full)) throw new UserError(`${flag} ${path}: no write permission on the folder`);
  if (!st) checkParent(flag, full);
  return full;
}
