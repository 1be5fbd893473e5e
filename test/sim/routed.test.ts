import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { execa } from 'execa';
import { buildModel } from '../../src/flow/modelBuild.js';
import { clearToolCache, resolveTool } from '../../src/flow/tools.js';
import { evaluateReference } from '../../src/model/reference.js';
import { routedCellModels } from '../../src/sim/cells.js';
import { randomVectors } from '../../src/sim/check.js';
import { prepareRoutedNetlist, ROUTED_GOWIN_ALU, routedVerilog } from '../../src/sim/routed.js';
import { compareWithReference, simulate } from '../../src/sim/simulate.js';
import { hdlDir } from '../../src/util/paths.js';
import { restoreToolLookup } from '../flow/faults.js';
import { randomNetwork, tempDir, writeModelFile } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const cacheDir = tempDir('gatebench-routed-cache-');
const NET = randomNetwork(31, 20, [60, 60, 40], 4);
const MODEL = writeModelFile(tempDir(), NET);

/**
 * A PATH of every tool but the native yosys (symlinks), so that resolveTool takes yosys 0.70 from
 * .venv-eda: Debian's yosys 0.23 maps Gowin comparisons wrongly (equal class sums pick the wrong
 * class index), which the netlist and routed levels rightly report as mismatches.
 */
function pathWithoutNativeYosys(): string {
  const bin = join(tempDir('gatebench-no-yosys-'), 'bin');
  mkdirSync(bin);
  const seen = new Set(['yosys', 'yosys-config']);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  return bin;
}

describe('prepareRoutedNetlist', () => {
  const module = (cells: Record<string, unknown>, netnames: Record<string, unknown> = {}) =>
    JSON.stringify({ creator: 'nextpnr', modules: { top: { attributes: { top: '1' }, ports: {}, cells, netnames } } });

  test('ECP5: IS_Z1 from the BEL, open LUT inputs high, an absent LSR low, pads by direction, no empty pins', () => {
    const text = module({
      k1: { type: 'TRELLIS_COMB', parameters: { INITVAL: '0000000000001010' }, attributes: { NEXTPNR_BEL: 'X4/Y54/SLICEA.K1' }, connections: { A: [5], F: [6], WD: [] } },
      k0: { type: 'TRELLIS_COMB', parameters: {}, attributes: { NEXTPNR_BEL: 'X4/Y54/SLICEA.K0' }, connections: { D: [5] } },
      ff: { type: 'TRELLIS_FF', parameters: { SD: '0 ' }, attributes: {}, connections: { M: [6], Q: [7], CE: [] } },
      pad: { type: 'TRELLIS_IO', parameters: { DIR: 'OUTPUT' }, attributes: {}, connections: { B: [8], I: [7] } },
    }, { k1: { bits: [9] } });
    const prepared = prepareRoutedNetlist(text, 'ecp5');
    const chip = JSON.parse(prepared.json).modules.chip;
    assert.deepEqual(prepared.cells, { TRELLIS_COMB: 2, TRELLIS_FF: 1, TRELLIS_IO: 1 });
    // The cell named like a net is renamed (yosys keeps cells and nets in one name space).
    assert.equal(chip.cells['k1$cell'].parameters.IS_Z1, '1');
    assert.deepEqual(chip.cells['k1$cell'].connections, { A: [5], F: [6], B: ['1'], C: ['1'], D: ['1'] });
    assert.equal(chip.cells.k0.parameters.IS_Z1, '0');
    assert.deepEqual(chip.cells.ff.connections, { M: [6], Q: [7], LSR: ['0'] });
    assert.equal(chip.cells.pad.type, 'TRELLIS_IO_OUTPUT');
  });

  test('Gowin: ALU as the hardware slice (mode as a string, RAW_ALU_LUT as 16 bits), buffer notes dropped', () => {
    const text = module({
      add: { type: 'ALU', parameters: { ALU_MODE: '00000000000000000000000000000010', RAW_ALU_LUT: '00000000000000000011000000111111' }, attributes: {}, connections: { I0: [], I1: [3], SUM: [4] } },
      head: { type: 'ALU', parameters: { ALU_MODE: 'C2L' }, attributes: {}, connections: { COUT: [5] } },
      first: { type: 'ALU', parameters: { ALU_MODE: '00000000000000000000000000000010', CIN_NETTYPE: 'VCC ' }, attributes: {}, connections: { I0: [6], CIN: [], SUM: [7] } },
      buf: { type: 'IBUF', parameters: { NET_I: 'NET', NET_O: 'NET' }, attributes: {}, connections: { I: [1], O: [2] } },
    });
    const chip = JSON.parse(prepareRoutedNetlist(text, 'gowin').json).modules.chip;
    assert.equal(chip.cells.add.type, ROUTED_GOWIN_ALU);
    assert.deepEqual(chip.cells.add.parameters, { ALU_MODE: '2', RAW_ALU_LUT: '0011000000111111', HAS_RAW_ALU_LUT: '1' });
    assert.deepEqual(chip.cells.add.connections, { I1: [3], SUM: [4] });
    assert.equal(chip.cells.head.parameters.ALU_MODE, 'C2L');
    assert.deepEqual(chip.cells.first.connections, { I0: [6], CIN: ['1'], SUM: [7] }, "a GW5A chain's constant carry-in (CIN_NETTYPE) becomes a tied CIN");
    assert.deepEqual(chip.cells.first.parameters, { ALU_MODE: '2' });
    assert.deepEqual(chip.cells.buf.parameters, {});
  });

  test("Gowin: the GW5A's configuration cells (SPINE_SELECT, PINCFG: inputs only) are left out; one driving a net is refused", () => {
    const text = module({
      spine: { type: 'SPINE_SELECT', parameters: {}, attributes: {}, port_directions: { 'SPINE19.0': 'input' }, connections: { 'SPINE19.0': [1] } },
      PINCFG: { type: 'PINCFG', parameters: {}, attributes: {}, port_directions: { SSPI: 'input' }, connections: { SSPI: [2] } },
      lut: { type: 'LUT1', parameters: { INIT: '10' }, attributes: {}, connections: { I0: [3], F: [4] } },
    });
    const prepared = prepareRoutedNetlist(text, 'gowin');
    assert.deepEqual(Object.keys(JSON.parse(prepared.json).modules.chip.cells), ['lut']);
    assert.deepEqual(prepared.cells, { SPINE_SELECT: 1, PINCFG: 1, LUT1: 1 });
    const driving = module({ spine: { type: 'SPINE_SELECT', parameters: {}, attributes: {}, port_directions: { O: 'output' }, connections: { O: [1] } } });
    assert.throws(() => prepareRoutedNetlist(driving, 'gowin'), /configuration cell spine \(SPINE_SELECT\) drives a net/);
  });

  test('a cell type without a model, or a bidirectional pad, is refused by name', () => {
    const bram = module({ ram: { type: 'DP16KD', parameters: {}, attributes: {}, connections: {} } });
    assert.throws(() => prepareRoutedNetlist(bram, 'ecp5', 'x.json'), /x\.json: cell ram has type DP16KD, which gatebench has no ecp5 simulation model for/);
    const bidir = module({ pad: { type: 'TRELLIS_IO', parameters: { DIR: 'BIDIR' }, attributes: {}, connections: {} } });
    assert.throws(() => prepareRoutedNetlist(bidir, 'ecp5'), /TRELLIS_IO pad has DIR BIDIR/);
  });
});

test('the carry models (ECP5 CCU2 TRELLIS_COMB, Gowin ALU) add every pair of 4-bit numbers as the hardware does', async () => {
  // The INITVAL and ALU_MODE an adder gets in the routed netlists: ECP5 0x66AA (with D = 1 the LUT
  // gives A ^ B; the low bits generate A), Gowin mode 2 (ADDSUB, I3 = 1 adds) with C = I2 = 1.
  const tb = `
module tb;
  reg [3:0] a, b;
  wire [4:0] c;
  wire [3:0] se, sg;
  wire [4:0] cg;
  integer i, errors;
  assign c[0] = 1'b0;
  assign cg[0] = 1'b0;
  genvar k;
  generate for (k = 0; k < 4; k = k + 1) begin : bit_
    TRELLIS_COMB #(.MODE("CCU2"), .INITVAL(16'h66AA), .CCU2_INJECT1("NO")) e (.A(a[k]), .B(b[k]), .C(1'b1), .D(1'b1), .FCI(c[k]), .F(se[k]), .FCO(c[k + 1]));
    NEXTPNR_GOWIN_ALU #(.ALU_MODE("2")) g (.I0(a[k]), .I1(b[k]), .I2(1'b1), .I3(1'b1), .CIN(cg[k]), .SUM(sg[k]), .COUT(cg[k + 1]));
  end endgenerate
  initial begin
    errors = 0;
    for (i = 0; i < 256; i = i + 1) begin
      {a, b} = i; #1;
      if ({c[4], se} !== a + b) errors = errors + 1;
      if ({cg[4], sg} !== a + b) errors = errors + 1;
    end
    $display("errors %0d", errors);
  end
endmodule`;
  const dir = tempDir('gatebench-carry-');
  writeFileSync(join(dir, 'tb.v'), tb);
  const models = [join(hdlDir(), 'sim', 'ecp5_routed_cells.v'), join(hdlDir(), 'sim', 'gowin_routed_cells.v')];
  await execa('iverilog', ['-g2012', '-o', join(dir, 'tb.vvp'), join(dir, 'tb.v'), ...models]);
  const r = await execa('vvp', ['-n', join(dir, 'tb.vvp')]);
  assert.match(r.stdout, /^errors 0$/m);
});

const vectors = randomVectors(150, NET.inputBits, 9);
const reference = evaluateReference(NET, { ...vectors, labels: new Uint8Array(vectors.count) });

/** Build NET spread 2x on the board (spread.ts), then simulate its routed netlist: it must route and match the software. */
async function assertSpreadBuildBitExact(board: string): Promise<void> {
  const { build, core } = await buildModel(NET, { board, pipeline: 1, spread: 2, cacheDir: join(cacheDir, 'builds') });
  assert.equal(build.status, 'ok', build.message);
  assert.equal(build.figures.spread?.factor, 2);
  assert.ok(build.figures.spread.lockedCells > 50, JSON.stringify(build.figures.spread));
  assert.deepEqual(build.stages.map((s) => s.stage), ['synth', 'place', 'pnr', 'pack']);
  const routed = await routedVerilog(build, { cacheDir });
  const run = await simulate(core, vectors, { simulator: 'iverilog', level: 'routed', chip: routed.chip, cellModels: routed.cellModels, cacheDir });
  const compared = compareWithReference(run, reference);
  assert.equal(compared.checked, 150);
  assert.equal(compared.mismatches, 0);
}

describe('ECP5 (ulx3s): netlist and routed levels', () => {
  test('sim --level netlist --board ulx3s and --level routed --board ulx3s: 0 mismatches (Icarus, Verilator)', async () => {
    for (const [level, simulator] of [['netlist', 'iverilog'], ['routed', 'iverilog'], ['routed', 'verilator']] as const) {
      const r = await execa('node', [CLI, 'sim', MODEL, '--level', level, '--board', 'ulx3s', '--simulator', simulator, '--random', '150', '--pipeline', '1', '--json'], { env: { GATEBENCH_CACHE: cacheDir }, reject: false });
      assert.equal(r.exitCode, 0, r.stderr);
      const result = JSON.parse(r.stdout);
      assert.equal(result.checked, 150);
      assert.equal(result.mismatches, 0);
      if (level === 'netlist') {
        assert.equal(result.family, 'ecp5');
        assert.ok(result.synth.cells['LUT4'] > 50, JSON.stringify(result.synth.cells));
      } else {
        assert.equal(result.routed.family, 'ecp5');
        assert.ok(result.routed.cells['TRELLIS_COMB'] > 50, JSON.stringify(result.routed.cells));
        assert.ok(result.cycles > 150 * 20, 'every vector goes through the serial pins');
      }
    }
  });

  test('a corrupted LUT in the routed netlist is reported as mismatches', async () => {
    const { build, core } = await buildModel(NET, { board: 'ulx3s', pipeline: 1, cacheDir: join(cacheDir, 'builds') });
    const routed = await routedVerilog(build, { cacheDir });
    // Invert one look-up table of the core (not of the serial loader, which must keep answering).
    const luts = [...routed.chip.text.matchAll(/\.INITVAL\(16'h([0-9a-f]{4})\),\n\s*\.IS_Z1\(1'h[01]\)\n\s*\) \\core\.g\d+_\S+\s+\(/g)];
    assert.ok(luts.length > 10, `${luts.length} core LUTs`);
    const victim = luts[Math.floor(luts.length / 2)]!;
    const inverted = (0xffff ^ parseInt(victim[1]!, 16)).toString(16).padStart(4, '0');
    const chip = { ...routed.chip, text: routed.chip.text.replace(victim[0], victim[0].replace(`16'h${victim[1]}`, `16'h${inverted}`)) };
    assert.notEqual(chip.text, routed.chip.text);
    const run = await simulate(core, vectors, { simulator: 'iverilog', level: 'routed', chip, cellModels: routed.cellModels, cacheDir });
    assert.ok(compareWithReference(run, reference).mismatches > 0, `inverting ${victim[0]} went unnoticed`);
  });

  test('spread placement (--spread 2): the stretched, locked placement routes and its routed netlist is bit-exact', async () => {
    await assertSpreadBuildBitExact('ulx3s');
  });
});

describe('Gowin (tangnano20k, yosys 0.70 from .venv-eda): netlist and routed levels', () => {
  restoreToolLookup(after);

  test('netlist and routed: 0 mismatches', async () => {
    const path = pathWithoutNativeYosys();
    process.env.PATH = path;
    clearToolCache();
    assert.equal((await resolveTool('yosys')).origin, 'yowasp-pypi');
    for (const level of ['netlist', 'routed'] as const) {
      const r = await execa('node', [CLI, 'sim', MODEL, '--level', level, '--board', 'tangnano20k', '--simulator', 'iverilog', '--random', '150', '--pipeline', '1', '--json'], { env: { GATEBENCH_CACHE: cacheDir, PATH: path }, reject: false });
      assert.equal(r.exitCode, 0, r.stdout.slice(0, 2000) + r.stderr);
      const result = JSON.parse(r.stdout);
      assert.equal(result.mismatches, 0);
      if (level === 'routed') {
        assert.ok(result.routed.cells['ALU'] > 0, JSON.stringify(result.routed.cells));
        assert.ok(result.routed.cells['LUT4'] > 0, JSON.stringify(result.routed.cells));
      } else assert.equal(result.family, 'gowin');
    }
    assert.equal((await routedCellModels('gowin'))[0]!.name, 'gowin_cells_sim.v');
  });

  test("spread placement (--spread 2) on the Tang Nano 20K (GW2A-18C's tiles from apycula): the locked placement routes and its routed netlist is bit-exact", async () => {
    process.env.PATH = pathWithoutNativeYosys();
    clearToolCache();
    await assertSpreadBuildBitExact('tangnano20k');
  });

  test('a gowin_pack that is not a Python script: no tile grid to spread over, so the build warns and places unspread', async () => {
    const real = (await resolveTool('gowin_pack')).path;
    const bin = tempDir('gatebench-sh-gowin-pack-');
    writeFileSync(join(bin, 'gowin_pack'), `#!/bin/sh\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const withoutYosys = pathWithoutNativeYosys();
    process.env.PATH = `${bin}${delimiter}${withoutYosys}`;
    clearToolCache();
    // The shell-script gowin_pack is for this test only: the tests after it (and their CLI children) get the real one.
    const { build } = await buildModel(NET, { board: 'tangnano20k', pipeline: 1, spread: 2, cacheDir: join(cacheDir, 'builds-sh-gowin-pack') }).finally(() => {
      process.env.PATH = withoutYosys;
      clearToolCache();
    });
    assert.equal(build.status, 'ok', build.message);
    assert.equal(build.figures.spread, null);
    assert.match(build.warnings.join('\n'), /^not spread: the part's logic tiles could not be read: .*gowin_pack \(gowin_pack\) is not a Python script/m);
    assert.deepEqual(build.stages.map((s) => s.stage), ['synth', 'pnr', 'pack']);
  });

  test('netlist and routed on the Tang Mega 138K (GW5A: synth_gowin -family gw5a as its build; constant carry-ins): 0 mismatches', async () => {
    for (const level of ['netlist', 'routed'] as const) {
      const r = await execa('node', [CLI, 'sim', MODEL, '--level', level, '--board', 'tangmega138k', '--simulator', 'verilator', '--random', '150', '--pipeline', '1', '--json'], { env: { GATEBENCH_CACHE: cacheDir }, reject: false });
      assert.equal(r.exitCode, 0, r.stdout.slice(0, 2000) + r.stderr);
      const result = JSON.parse(r.stdout);
      assert.equal(result.checked, 150);
      assert.equal(result.mismatches, 0);
      if (level === 'routed') assert.ok(result.routed.cells['ALU'] > 0 && result.routed.cells['SPINE_SELECT'] > 0, JSON.stringify(result.routed.cells));
      else assert.equal(result.family, 'gowin');
    }
  });
});

test('sim --level routed needs an ECP5 or Gowin --board; --board needs a level that builds or synthesises', async () => {
  const cases = [
    [['--level', 'routed'], /--board: required with --level routed/],
    [['--level', 'routed', '--board', 'icebreaker'], /--board: icebreaker is in the ice40 family; --level routed is for ecp5 and gowin \(use --level bitstream on iCE40\)/],
    [['--board', 'ulx3s'], /--board: only with --level netlist, bitstream or routed, got --level rtl/],
  ] as const;
  for (const [args, message] of cases) {
    const r: { exitCode?: number; stderr: string } = await execa('node', [CLI, 'sim', MODEL, '--random', '5', ...args], { env: { GATEBENCH_CACHE: cacheDir }, reject: false });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, message);
  }
});
