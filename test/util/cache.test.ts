import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cached } from '../../src/util/cache.js';
import { tempDir } from '../helpers.js';

test('scratch folders of dead processes are removed when the cache is used; live ones are kept', async () => {
  const root = tempDir();
  // A process that has exited: its pid is free (the kernel does not hand it out again at once).
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  assert.ok(deadPid > 0);
  const key = 'a'.repeat(64);
  const killedScratch = join(root, 'kind', `${'b'.repeat(24)}.tmp-${deadPid}-0badc0de`);
  const liveScratch = join(root, 'kind', `${'c'.repeat(24)}.tmp-${process.ppid}-00c0ffee`);
  const entry = join(root, 'kind', 'd'.repeat(24));
  for (const d of [killedScratch, liveScratch, entry]) mkdirSync(d, { recursive: true });

  const result = await cached(root, 'kind', key, async () => ({ built: true }));
  assert.deepEqual(result.meta, { built: true });
  assert.equal(existsSync(killedScratch), false, 'the dead process scratch is gone');
  assert.equal(existsSync(liveScratch), true, 'a live process scratch is kept');
  assert.equal(existsSync(entry), true, 'entries are never touched');
});
