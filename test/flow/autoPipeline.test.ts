import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { randomNetwork, tempDir, writeModelFile } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
// A private cache: the search's builds really build the first time.
const env = { GATEBENCH_CACHE: tempDir('gatebench-auto-cache-') };
const dir = tempDir();
// Combinational at about 26 MHz on the UP5K (input register -> layers -> popcount -> argmax -> output
// register), so 35 MHz needs at least one cut; 12 MHz none.
const TINY = writeModelFile(dir, randomNetwork(31, 20, [60, 60, 40], 4), 'tiny.json');
const gatebench = (...args: string[]) => execa('node', [CLI, ...args], { env, reject: false });

interface Try {
  description: string;
  latency: number;
  status: string;
  fmaxMHz: number | null;
  cached: boolean;
  criticalPath: string[];
  next: string;
}

describe('--pipeline auto (real iCE40 builds)', () => {
  it('adds cuts where the critical path runs until the clock is met, reports every try, and a rerun is all cached', async () => {
    const r = await gatebench('build', TINY, '--board', 'icebreaker', '--freq', '35', '--json');
    assert.equal(r.exitCode, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    const tries: Try[] = result.search.tries;
    assert.ok(tries.length >= 2, JSON.stringify(tries));
    assert.equal(tries[0]!.description, 'none');
    assert.ok(tries.every((t) => !t.cached), 'a private cache: every try built');
    assert.equal(tries[0]!.status, 'timing-failed');
    assert.ok(tries[0]!.fmaxMHz! < 35);
    assert.ok(tries[0]!.criticalPath.includes('popcount'), `the first path runs through the head: ${tries[0]!.criticalPath}`);
    assert.match(tries[0]!.next, /^add (before|head: )/);
    const last = tries[tries.length - 1]!;
    assert.deepEqual([last.status, last.next], ['ok', 'meets the clock']);
    assert.equal(result.search.met, true);
    assert.equal(result.status, 'ok');
    assert.ok(result.figures.fmaxMHz >= 35);
    // The chosen design is the last try: its cuts and latency are the manifest's.
    const cuts = result.core.cuts.layers.length + result.core.cuts.head.length;
    assert.equal(cuts, tries.length - 1, 'one cut per failed try');
    assert.equal(result.core.latency, cuts + 2);
    assert.equal(last.latency, result.core.latency);
    assert.equal(result.core.stages, cuts + 1);
    assert.ok(tries.every((t, i) => i === 0 || t.latency === tries[i - 1]!.latency + 1));
    const human = await gatebench('build', TINY, '--board', 'icebreaker', '--freq', '35');
    assert.equal(human.exitCode, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^pipeline: auto, cuts [^;]+(; [^;]+)?; ${cuts + 1} stages, latency ${cuts + 2} cycles = [\\d.]+ ns at Fmax, [\\d.]+ ns at 35 MHz$`, 'm'));
    assert.match(human.stdout, /^ {2}try 1: cuts none, 2 cycles: timing-failed, Fmax [\d.]+ MHz \(cached\) \(critical path: .*popcount.*\); add /m);
    // Every build of the search is cached by content: the rerun builds nothing.
    assert.equal((human.stdout.match(/^ {2}try \d+: .* \(cached\)/gm) ?? []).length, tries.length, human.stdout);

    const fixed = await gatebench('build', TINY, '--board', 'icebreaker', '--freq', '35', '--pipeline', 'auto', '--head-pipeline', '1');
    assert.equal(fixed.exitCode, 2);
    assert.match(fixed.stderr, /^gatebench: --head-pipeline: only with a fixed --pipeline P/m);
  });

  it('run --board virtual runs the core auto chose (no cut at 12 MHz: registered inputs and outputs) and counts the manifest latency', async () => {
    const model = join(dir, 'trained.json');
    const trained = await gatebench('train', '--widths', '60,40', '--crop', '8', '--iterations', '20', '--out', model);
    assert.equal(trained.exitCode, 0, trained.stderr);
    const run = await gatebench('run', model, '--board', 'virtual', '--limit', '40', '--db', join(dir, 'runs.db'), '--json');
    assert.equal(run.exitCode, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.mismatches, 0);
    assert.equal(report.latency.kind, 'clocked');
    assert.equal(report.latency.cycles, 2, 'in_valid to out_valid: the input and output registers');
    assert.match(run.stderr, /--pipeline auto: placing the core's registers for icebreaker at 12 MHz/);
    assert.match(run.stderr, /pipeline cuts none: ok, Fmax [\d.]+ MHz.*; meets the clock/);
  });
});
