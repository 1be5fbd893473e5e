import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { randomNetwork, tempDir, writeModelFile } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

test('--pipeline auto with a clock no cut reaches: the fastest build, timing-failed, with every try and why the search stopped', async () => {
  const env = { GATEBENCH_CACHE: tempDir('gatebench-auto-cache-') };
  // The same tiny model as autoPipeline.test.ts: under 100 MHz with every cut on the UP5K.
  const model = writeModelFile(tempDir(), randomNetwork(31, 20, [60, 60, 40], 4), 'tiny.json');
  const r = await execa('node', [CLI, 'build', model, '--board', 'icebreaker', '--freq', '200', '--json'], { env, reject: false });
  assert.equal(r.exitCode, 2, r.stderr);
  const result = JSON.parse(r.stdout);
  const tries: { description: string; latency: number; status: string; fmaxMHz: number; next: string }[] = result.search.tries;
  assert.equal(result.status, 'timing-failed');
  assert.equal(result.search.met, false);
  assert.ok(tries.length >= 3, JSON.stringify(tries));
  assert.ok(tries.every((t) => t.status === 'timing-failed' && t.fmaxMHz < 200));
  assert.match(tries[tries.length - 1]!.next, /^stopped: no free cut position on the critical path \(.+\)$/);
  // The result is the fastest try: its Fmax, its cuts and latency.
  const best = tries.reduce((w, t) => (t.fmaxMHz > w.fmaxMHz ? t : w));
  assert.equal(result.figures.fmaxMHz, best.fmaxMHz);
  assert.equal(result.core.latency, best.latency);
  assert.match(r.stderr, /^gatebench: build: failed timing at 200 MHz/m);
});
