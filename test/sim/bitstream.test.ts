import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { buildModel } from '../../src/flow/modelBuild.js';
import { ToolError } from '../../src/flow/run.js';
import { evaluateReference } from '../../src/model/reference.js';
import { chipVerilog } from '../../src/sim/bitstream.js';
import { randomVectors } from '../../src/sim/check.js';
import { compareWithReference, simulate } from '../../src/sim/simulate.js';
import { randomNetwork, tempDir, writeModelFile } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const cacheDir = tempDir('gatebench-bitstream-cache-');
const NET = randomNetwork(31, 20, [60, 60, 40], 4);
const MODEL = writeModelFile(tempDir(), NET);

test('sim --level bitstream: the placed-and-routed bench top is bit-exact (Verilator and Icarus)', async () => {
  for (const [simulator, count] of [['verilator', '300'], ['iverilog', '60']] as const) {
    const r = await execa('node', [CLI, 'sim', MODEL, '--level', 'bitstream', '--simulator', simulator, '--random', count, '--pipeline', '1', '--json'], { env: { GATEBENCH_CACHE: cacheDir }, reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.level, 'bitstream');
    assert.equal(result.checked, Number(count));
    assert.equal(result.mismatches, 0);
    assert.equal(result.registeredIo, true);
    assert.equal(result.bitstream.board, 'icebreaker');
    assert.equal(result.bitstream.top, 'gatebench_bench_top');
    assert.equal(result.bitstream.status, 'ok');
    assert.ok(result.cycles > Number(count) * 20, 'every vector goes through the serial pins');
  }
});

test('a corrupted LUT in the bitstream-level netlist is detected', async () => {
  const { build, core } = await buildModel(NET, { board: 'icebreaker', pipeline: 1, cacheDir: join(cacheDir, 'builds') });
  assert.equal(build.status, 'ok', build.message);
  const { chip } = await chipVerilog(build, { cacheDir });
  // Invert the function of one look-up table of the placed-and-routed design.
  const luts = [...chip.text.matchAll(/^assign (n\d+) = (.*[?&|^].*);$/gm)];
  assert.ok(luts.length > 50, `${luts.length} LUT assignments`);
  const victim = luts[Math.floor(luts.length / 2)]!;
  const corrupted = { ...chip, text: chip.text.replace(victim[0], `assign ${victim[1]} = !(${victim[2]});`) };
  assert.notEqual(corrupted.text, chip.text);
  const vectors = randomVectors(100, NET.inputBits, 9);
  const reference = evaluateReference(NET, { ...vectors, labels: new Uint8Array(vectors.count) });
  const good = await simulate(core, vectors, { simulator: 'iverilog', level: 'bitstream', chip, cacheDir });
  assert.equal(compareWithReference(good, reference).mismatches, 0);
  try {
    const bad = await simulate(core, vectors, { simulator: 'iverilog', level: 'bitstream', chip: corrupted, cacheDir });
    assert.ok(compareWithReference(bad, reference).mismatches > 0, `inverting ${victim[0]} went unnoticed`);
  } catch (e) {
    // A LUT of the serial loader can also stop results from coming out: detected as well.
    assert.ok((e instanceof ToolError || e instanceof Error) && /out_valid stuck|did not finish|results for/.test(e.message), String(e));
  }
});
