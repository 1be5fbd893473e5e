import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './tools.js';

/** Content-addressed build cache: .cache/<kind>/<key>/ at the project root (gitignored). */
export function cacheRoot(override?: string): string {
  return override ?? process.env['GATEBENCH_CACHE'] ?? join(projectRoot(), '.cache');
}

export function contentKey(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(String(Buffer.byteLength(p)));
    h.update('\0');
    h.update(p);
  }
  return h.digest('hex');
}

export interface CacheEntry<M> {
  dir: string;
  meta: M;
  hit: boolean;
}

const META = 'meta.json';

/**
 * The cache entry for `key`, built by `build(tmpDir)` when missing. The build happens in a private
 * temporary folder that is renamed into place once complete, so a crashed or concurrent build never
 * leaves a half-built entry; if another process won the race, its entry is used.
 */
export async function cached<M>(root: string, kind: string, key: string, build: (dir: string) => Promise<M>): Promise<CacheEntry<M>> {
  const dir = join(root, kind, key.slice(0, 24));
  const metaPath = join(dir, META);
  if (existsSync(metaPath)) return { dir, meta: JSON.parse(readFileSync(metaPath, 'utf8')) as M, hit: true };
  mkdirSync(join(root, kind), { recursive: true });
  const tmp = join(root, kind, `.tmp-${key.slice(0, 12)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(tmp);
  try {
    const meta = await build(tmp);
    writeFileSync(join(tmp, META), JSON.stringify(meta, null, 2) + '\n');
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (!existsSync(metaPath)) {
        rmSync(dir, { recursive: true, force: true });
        renameSync(tmp, dir);
      }
      void e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { dir, meta: JSON.parse(readFileSync(metaPath, 'utf8')) as M, hit: false };
}
