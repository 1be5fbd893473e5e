import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's .cache/ (dist/src/flow -> repository root). */
export const CACHE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '.cache');

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hash a JSON-able key with sorted object keys, so field order never changes the hash. */
export function hashKey(key: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)])) : v;
  return sha256(JSON.stringify(canonical(key)));
}

const RESULT = 'result.json';

/** A finished entry's result, or null when there is none (or it is unreadable). */
export function readEntry<T>(dir: string): T | null {
  const file = join(dir, RESULT);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** A private scratch directory next to where the entry will live. */
export function scratchDir(finalDir: string): string {
  const dir = `${finalDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Write result.json into the scratch directory and move it into place atomically. If another
 * process published the same entry first, keep theirs and drop ours.
 */
export function publishEntry(scratch: string, finalDir: string, result: unknown): void {
  writeFileSync(join(scratch, RESULT), JSON.stringify(result, null, 2) + '\n');
  try {
    renameSync(scratch, finalDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    rmSync(scratch, { recursive: true, force: true });
  }
}
