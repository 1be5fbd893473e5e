import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { dropPortWires } from '../../src/flow/icebox.js';
import { loadModel } from '../../src/model/modelFile.js';
import { randomNetwork, tempDir, writeModelFile } from '../helpers.js';
import { NO_CHIPDB, pathWithIcetimeWithoutChipdb } from './faults.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
// A private cache: the first build really builds.
const env = { GATEBENCH_CACHE: tempDir('gatebench-cli-cache-') };
const dir = tempDir();
const TINY = writeModelFile(dir, randomNetwork(31, 20, [60, 60, 40], 4), 'tiny.json');
// Few inputs (a small loader) but far more logic than an iCE40HX1K's 1,280 logic cells.
const BIG = writeModelFile(dir, randomNetwork(5, 64, [1500, 1500, 1500], 10), 'big.json');

const gatebench = (...args: string[]) => execa('node', [CLI, ...args], { env, reject: false });

describe('gatebench build (real tools)', () => {
  it('builds a tiny model for the iCEBreaker end to end, prints the figures, and serves the same build from the cache', async () => {
    const r = await gatebench('build', TINY, '--board', 'icebreaker', '--json');
    assert.equal(r.exitCode, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.status, 'ok');
    assert.equal(result.cached, false);
    assert.equal(result.top, 'gatebench_bench_top');
    assert.ok(existsSync(result.bin) && statSync(result.bin).size === 104090, result.bin);
    const f = result.figures;
    assert.ok(f.lut4 > 0 && f.dff > 0 && f.carry !== null && f.bram === 0, JSON.stringify(f));
    assert.equal(f.logicCells.available, 5280);
    assert.ok(f.fmaxMHz > 0 && f.constraintMHz === 12 && f.clocks[0].name === 'clk');
    assert.ok(f.criticalPath.logicLevels >= 1 && f.criticalPath.routingNs > 0);
    // The tiny model's worst path ends in its popcount and argmax (test/flow/headPath.test.ts has the exact split).
    assert.ok(result.headPathNs > 0 && result.headPathNs <= f.criticalPath.totalNs, `${result.headPathNs} of ${f.criticalPath.totalNs} ns`);
    assert.ok(f.icetimeMHz > 0);
    assert.deepEqual(result.stages.map((s: { stage: string }) => s.stage), ['synth', 'pnr', 'pack', 'icetime']);
    assert.equal(result.provenance.model, loadModel(TINY).hash);
    assert.equal(result.provenance.board, 'icebreaker');
    assert.equal(result.provenance.seed, 1);
    assert.ok('git' in result.provenance);
    assert.match(result.provenance.tools.yosys, /^native Yosys/);

    const human = await gatebench('build', TINY, '--board', 'icebreaker');
    assert.equal(human.exitCode, 0);
    for (const line of [/^built for icebreaker: \d+\/5280 LCs/m, /^resources: [\d,]+ LUT4, [\d,]+ carry, [\d,]+ FF, 0 BRAM after synthesis; logic cells/m, /^placed \(ice40's names\): ICESTORM_LC [\d,]+\/5,280, .*SB_IO \d+\/\d+/m, /^timing: Fmax clk [\d.]+ MHz \(target 12 MHz, met\); critical path \d+ logic levels, [\d.]+ ns logic \+ [\d.]+ ns routing = [\d.]+ ns \([\d.]+ ns in the popcounts and argmax\)/m, /served from the cache/m, /^tools: yosys native/m]) {
      assert.match(human.stdout, line);
    }
    // Served from the cache (how fast is scripts/bench-build's figure, not a test's: it depends on the machine's load).
    const again = await gatebench('build', TINY, '--board', 'icebreaker', '--json');
    assert.equal(JSON.parse(again.stdout).cached, true);
    assert.equal(JSON.parse(again.stdout).hash, result.hash);
  });

  it('prints a failed icetime cross-check as a warning, in the text and in --json', async () => {
    // Its own cache: the copied icetime hashes like the real one, so the shared cache would serve the good build.
    const broken = { GATEBENCH_CACHE: tempDir('gatebench-cli-cache-'), PATH: pathWithIcetimeWithoutChipdb() };
    const json = await execa('node', [CLI, 'build', TINY, '--board', 'icebreaker', '--json'], { env: broken, reject: false });
    assert.equal(json.exitCode, 0, json.stderr);
    const result = JSON.parse(json.stdout);
    assert.equal(result.status, 'ok');
    assert.equal(result.figures.icetimeMHz, null);
    assert.deepEqual(result.warnings, [`no icetime cross-check: icetime exited with code 1: ${NO_CHIPDB}`]);
    const text = await execa('node', [CLI, 'build', TINY, '--board', 'icebreaker'], { env: broken, reject: false });
    assert.equal(text.exitCode, 0, text.stderr);
    assert.equal(text.stdout.split('\n')[1], `warning: no icetime cross-check: icetime exited with code 1: ${NO_CHIPDB}`);
  });

  it('--spread FACTOR: refused on an iCE40 board (spread placement is for ECP5 and Gowin) and out of range, exit 2', async () => {
    const onIce40 = await gatebench('build', TINY, '--board', 'icebreaker', '--spread', '2');
    assert.equal(onIce40.exitCode, 2);
    assert.match(onIce40.stderr, /spread placement is for ECP5 and Gowin, not ice40, got 2/);
    const tooFar = await gatebench('build', TINY, '--board', 'tangnano20k', '--spread', '9');
    assert.equal(tooFar.exitCode, 2);
    assert.match(tooFar.stderr, /--spread: expected auto, off or a factor from 1.25 to 4, got '9'/);
  });

  it('reports a model too big for the iCEstick as "does not fit" with the numbers, after the report, and exits 2', async () => {
    const r = await gatebench('build', BIG, '--board', 'icestick', '--json');
    assert.equal(r.exitCode, 2);
    const result = JSON.parse(r.stdout);
    assert.equal(result.status, 'does-not-fit');
    assert.equal(result.bin, null);
    const m = /^does not fit \(needs (\d+) LCs, the board has 1280\)$/.exec(result.message);
    assert.ok(m, result.message);
    assert.ok(Number(m[1]) > 1280);
    assert.equal(r.stderr.trim(), `gatebench: build: ${result.message}`);
  });
});

describe('gatebench estimate (real yosys)', () => {
  it('prints LUT counts for all four families', async () => {
    const r = await gatebench('estimate', TINY, '--family', 'all', '--json');
    assert.equal(r.exitCode, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(result.estimates.map((e: { family: string }) => e.family), ['ice40', 'ecp5', 'gowin', 'xilinx']);
    for (const e of result.estimates) {
      assert.equal(e.ok, true, e.message);
      assert.ok(e.luts > 0, `${e.family}: ${e.luts}`);
      assert.equal(e.lutInputs, e.family === 'xilinx' ? 6 : 4);
    }
    // Each family gets the core its build would: the automatic head is the family's own.
    assert.deepEqual(result.estimates.map((e: { groupSum: string }) => e.groupSum), ['carry', 'carry', 'tree', 'tree']);
    assert.ok(result.estimates[0].carries > 0, 'the iCE40 carry head uses SB_CARRY cells');
    const one = await gatebench('estimate', TINY, '--family', 'gowin');
    assert.match(one.stdout, /^gowin\s+tree\s+synth_gowin\s+[\d,]+ LUT4/m);
    const carryOnXilinx = await gatebench('estimate', TINY, '--family', 'xilinx', '--groupsum', 'carry');
    assert.equal(carryOnXilinx.exitCode, 2);
    assert.match(carryOnXilinx.stderr, /--groupsum carry: not for xilinx/);
    const bad = await gatebench('estimate', TINY, '--family', 'altera');
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /--family: expected ice40 or ecp5 or gowin or xilinx or all, got 'altera'/);
  });
});

describe('dropPortWires', () => {
  it("drops the ports from icebox_vlog's wire lists, keeping escaped names intact", () => {
    const text = 'module chip (output uart_tx, input uart_rx, output [1:0] \\led , input clk);\n\nwire clk, uart_rx, n8, \\led , uart_tx,\n  n9;\nwire uart_tx;\nreg n2 = 0;\n';
    assert.equal(dropPortWires(text), 'module chip (output uart_tx, input uart_rx, output [1:0] \\led , input clk);\n\nwire n8, n9;\n\nreg n2 = 0;\n');
  });
});
