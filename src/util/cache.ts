import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from './paths.js';

/**
 * The one content-addressed cache of gatebench (simulator builds, syntheses, bitstreams,
 * estimates): `<root>/<kind>/<key>/result.json` plus the entry's files. The root is
 * $GATEBENCH_CACHE, else .cache/ at the project root (gitignored). An entry is built in a private
 * scratch folder and renamed into place when complete, so a crash or a concurrent build never
 * leaves a half-built entry.
 */
export function cacheRoot(override?: string): string {
  return override ?? process.env['GATEBENCH_CACHE'] ?? join(projectRoot(), '.cache');
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hash a JSON-able key with sorted object keys, so field order never changes the hash. */
export function hashKey(key: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)])) : v;
  return sha256(JSON.stringify(canonical(key)));
}

/** The key of a list of strings (texts, versions, command lines). */
export function contentKey(parts: readonly string[]): string {
  return hashKey(parts);
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

/** `<entry>.tmp-<pid>-<random>`: a scratch folder and the process that made it. */
const SCRATCH_NAME = /\.tmp-(\d+)-[0-9a-f]+$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const swept = new Set<string>();

/**
 * Remove the scratch folders in `kindDir` whose process is gone (killed mid-build: a live build
 * removes its own), once per folder and process. The PID is checked on this host: a cache shared
 * between hosts would need the host in the name.
 */
export function removeDeadScratch(kindDir: string): string[] {
  if (swept.has(kindDir)) return [];
  swept.add(kindDir);
  let names: string[];
  try {
    names = readdirSync(kindDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(SCRATCH_NAME.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(kindDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** A private scratch directory next to where the entry will live (first clearing dead processes' ones there). */
export function scratchDir(finalDir: string): string {
  removeDeadScratch(dirname(finalDir));
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

export interface CacheEntry<M> {
  dir: string;
  meta: M;
  hit: boolean;
}

/**
 * The entry `<root>/<kind>/<key>`, built by `build(scratch)` when missing: the common case of
 * readEntry + scratchDir + publishEntry. A build that throws leaves nothing behind.
 */
export async function cached<M>(root: string, kind: string, key: string, build: (dir: string) => Promise<M>): Promise<CacheEntry<M>> {
  const dir = join(root, kind, key.slice(0, 24));
  removeDeadScratch(join(root, kind));
  const hit = readEntry<M>(dir);
  if (hit !== null) return { dir, meta: hit, hit: true };
  mkdirSync(join(root, kind), { recursive: true });
  const scratch = scratchDir(dir);
  try {
    publishEntry(scratch, dir, await build(scratch));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { dir, meta: readEntry<M>(dir)!, hit: false };
}
