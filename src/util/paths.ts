import { accessSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/**
 * The gatebench checkout (the folder holding package.json), found upwards from this file, so it is
 * the same from src/ (tsx, tests) and dist/src/ (the built CLI).
 */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    if (dirname(dir) === dir) throw new Error('internal: cannot find the project root above ' + fileURLToPath(import.meta.url));
    dir = dirname(dir);
  }
}

/** Hand-written HDL and testbenches (hdl/ at the project root). */
export function hdlDir(): string {
  return join(projectRoot(), 'hdl');
}

/** Board files (boards/ at the project root). */
export function boardsDir(): string {
  return join(projectRoot(), 'boards');
}

/** Whether this process may use `path` as `mode` asks (fs.constants.W_OK, X_OK, ...). */
export function mayAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
