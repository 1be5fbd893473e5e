import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadBoard } from '../../src/board/index.js';
import { buildBitstream, buildFile, clearToolCache, findCachedBuild, icetimeOutcome, planBuild, planIceboxVlog, runPlan, type BuildResult, type StageRun } from '../../src/flow/index.js';
import { NO_CHIPDB, pathWithIcetimeWithoutChipdb, restoreToolLookup } from './faults.js';
import { COUNTER, tempDir, TOO_BIG_FOR_HX1K, writeVerilog } from './verilog.js';

const FLOW_INDEX = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'flow', 'index.js');

describe('planBuild', () => {
  it('plans yosys -> nextpnr-ice40 -> icepack and icetime with the board and options, without running anything', () => {
    const board = loadBoard('icebreaker');
    const [synth, pnr, pack, icetime] = planBuild(board, ['src/0-top.v'], 'top', { abc9: true, seed: 7, freqMHz: 24, router: null, icetime: true, spread: 'off' });
    assert.equal(synth!.tool, 'yosys');
    assert.deepEqual(synth!.argv, ['-p', 'synth_ice40 -top top -abc9 -device u; write_json synth.json; tee -q -o stat.json stat -json', 'src/0-top.v']);
    assert.equal(pnr!.tool, 'nextpnr-ice40');
    assert.deepEqual(pnr!.argv.slice(0, 3), ['--up5k', '--package', 'sg48']);
    for (const [flag, value] of [['--freq', '24'], ['--seed', '7'], ['--pcf', 'board.pcf'], ['--report', 'pnr-report.json']]) {
      assert.equal(pnr!.argv[pnr!.argv.indexOf(flag!) + 1], value, flag);
    }
    assert.deepEqual(pack!.argv, ['pnr.asc', 'design.bin']);
    assert.deepEqual(icetime!.argv.slice(0, 4), ['-d', 'up5k', '-P', 'sg48']);
    assert.deepEqual(pnr!.inputs, synth!.outputs.slice(0, 1).concat('board.pcf'));
  });
});

describe('buildBitstream (real tools)', () => {
  const cacheDir = tempDir('gatebench-build-cache-');
  let counter: string;
  let first: BuildResult;

  before(async () => {
    counter = writeVerilog(tempDir(), 'counter.v', COUNTER);
    first = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir });
  });

  it('builds a registered counter for the iCEBreaker end to end and parses the figures', () => {
    assert.equal(first.status, 'ok', first.message);
    assert.equal(first.ok, true);
    assert.equal(first.cached, false);
    const bin = buildFile(first, 'bin')!;
    assert.ok(existsSync(bin));
    assert.equal(statSync(bin).size, 104090, 'a UP5K bitstream is 104,090 bytes');
    const f = first.figures;
    assert.ok(f.lut4! > 0 && f.dff! >= 13 && f.carry! > 0, JSON.stringify(f));
    assert.equal(f.logicCells!.available, 5280);
    assert.ok(f.logicCells!.used > 0 && f.logicCells!.used < 100);
    assert.equal(f.constraintMHz, 12);
    assert.ok(f.fmaxMHz! > 12, `Fmax ${f.fmaxMHz}`);
    assert.equal(f.clocks[0]!.name, 'clk');
    assert.ok(f.criticalPath!.registerToRegister);
    assert.ok(f.criticalPath!.logicLevels >= 1);
    assert.ok(f.criticalPath!.logicNs > 0 && f.criticalPath!.routingNs > 0);
    assert.ok(f.icetimeMHz! > 0, 'icetime cross-check present');
    assert.deepEqual(first.warnings, []);
    assert.match(first.message, /^built for icebreaker: \d+\/5280 LCs \([\d.]+%\), Fmax [\d.]+ MHz \(target 12 MHz\)$/);
    assert.deepEqual(first.stages.map((s) => s.stage), ['synth', 'pnr', 'pack', 'icetime']);
    for (const s of first.stages) {
      assert.equal(s.exitCode, 0);
      assert.ok(s.durationMs > 0);
      assert.ok(s.version);
      assert.ok(existsSync(join(first.dir, s.logFile)));
    }
    assert.match(first.toolchain.yosys!.version, /^Yosys \d/);
    assert.match(first.toolchain['nextpnr-ice40']!.version, /nextpnr-ice40/);
  });

  it("keeps a pcf of the design's own ports, which icebox_vlog turns back into the same ports", async () => {
    const pcf = readFileSync(buildFile(first, 'designPcf')!, 'utf8').trim().split('\n').sort();
    assert.deepEqual(pcf, ['set_io clk 35', 'set_io led[0] 11', 'set_io led[1] 37', 'set_io uart_rx 6', 'set_io uart_tx 9']);
    const vlog = await runPlan(planIceboxVlog({ asc: first.files.asc!, out: 'chip.v', plainPcf: first.files.designPcf!, package: 'sg48' }), first.dir);
    assert.equal(vlog.failed, false, vlog.error ?? '');
    const header = readFileSync(join(first.dir, 'chip.v'), 'utf8').split('\n').find((l) => l.startsWith('module chip'))!;
    // icebox_vlog writes buses as escaped identifiers ("\\led "), which mean the same name.
    for (const port of ['input clk', 'input uart_rx', 'output uart_tx', 'output [1:0] \\led ']) assert.ok(header.includes(port), header);
  });

  it('serves an identical build from the cache, even from a fresh process (its time is a bench-build figure)', async () => {
    const again = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir });
    assert.equal(again.cached, true);
    assert.equal(again.hash, first.hash);
    assert.deepEqual(again.figures, first.figures);
    const script = `const { buildBitstream } = await import(${JSON.stringify(pathToFileURL(FLOW_INDEX).href)});
      const r = await buildBitstream({ verilogFiles: [${JSON.stringify(counter)}], top: 'top', board: 'icebreaker', cacheDir: ${JSON.stringify(cacheDir)} });
      console.log(JSON.stringify({ cached: r.cached }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { cached: boolean };
    assert.equal(out.cached, true);
  });

  it('findCachedBuild hands back the build the cache holds, and null for one never made, building nothing', async () => {
    const found = await findCachedBuild({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir });
    assert.equal(found?.hash, first.hash);
    assert.equal(found?.cached, true);
    assert.deepEqual(found?.figures, first.figures);
    const before = readdirSync(cacheDir).sort();
    assert.equal(await findCachedBuild({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir, options: { seed: 7 } }), null);
    assert.deepEqual(readdirSync(cacheDir).sort(), before, 'no entry and no scratch folder made');
  });

  it('misses the cache when an option changes', async () => {
    const other = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir, options: { seed: 2, icetime: false } });
    assert.equal(other.cached, false);
    assert.notEqual(other.hash, first.hash);
    assert.equal(other.status, 'ok');
  });

  it('reports a design too big for the iCEstick as "does not fit" with the numbers', async () => {
    const big = writeVerilog(tempDir(), 'big.v', TOO_BIG_FOR_HX1K);
    const r = await buildBitstream({ verilogFiles: [big], top: 'top', board: 'icestick', cacheDir });
    assert.equal(r.status, 'does-not-fit');
    assert.equal(r.ok, false);
    const m = /^does not fit \(needs (\d+) LCs, the board has 1280\)$/.exec(r.message);
    assert.ok(m, r.message);
    assert.ok(Number(m[1]) >= 1400);
    assert.equal(r.files.bin, null);
    assert.equal(r.stages.at(-1)!.stage, 'pnr');
    assert.match(r.stages.at(-1)!.stderrTail + r.stages.at(-1)!.stdoutTail, /no BELs remaining/);
    const again = await buildBitstream({ verilogFiles: [big], top: 'top', board: 'icestick', cacheDir });
    assert.equal(again.cached, true, 'a failed build is stored like a successful one');
    assert.equal(again.status, 'does-not-fit');
  });

  it('stops nextpnr at the place-and-route budget and says how far it got, without caching that', async () => {
    const r = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir, options: { seed: 5, icetime: false }, pnrBudgetMs: 1 });
    assert.equal(r.status, 'placement-failed');
    assert.match(r.message, /^placement failed: not placed within the 0\.001-second CPU budget for place and route \(stopped after [\d.]+ min\)$/);
    assert.equal(r.stages.at(-1)!.outOfBudget, true);
    assert.equal(r.figures.routing, null);
    const again = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir, options: { seed: 5, icetime: false } });
    assert.equal(again.cached, false, 'a build stopped by its budget depends on the machine: it is not cached');
    assert.equal(again.status, 'ok', again.message);
  });

  it('reports a missed target frequency as failed timing, keeping the bitstream', async () => {
    const r = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir, options: { freqMHz: 400, icetime: false } });
    assert.equal(r.status, 'timing-failed');
    assert.match(r.message, /^failed timing at 400 MHz \(achieved [\d.]+ MHz on clk\)$/);
    assert.ok(existsSync(buildFile(r, 'bin')!));
  });

  it('reports a Verilog error as a synthesis failure with the error line', async () => {
    const broken = writeVerilog(tempDir(), 'broken.v', 'module top(input clk, output q);\n  assign q = clk &;\nendmodule\n');
    const r = await buildBitstream({ verilogFiles: [broken], top: 'top', board: 'icebreaker', cacheDir });
    assert.equal(r.status, 'synthesis-failed');
    assert.match(r.message, /^synthesis failed: src\/0-broken\.v:2: ERROR: syntax error/);
    assert.equal(r.stages.length, 1);
    assert.notEqual(r.stages[0]!.exitCode, 0);
  });

  describe('with an icetime that has no chip database', () => {
    restoreToolLookup(after);

    it('keeps the bitstream and says why the icetime cross-check is missing, never a silent null', async () => {
      process.env.PATH = pathWithIcetimeWithoutChipdb();
      clearToolCache();
      // Its own cache: the copied icetime hashes like the real one, so the shared cache would serve the good build.
      const r = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir: tempDir() });
      assert.equal(r.status, 'ok', r.message);
      assert.ok(existsSync(buildFile(r, 'bin')!));
      assert.equal(r.figures.icetimeMHz, null);
      assert.equal(r.icetime, null);
      assert.deepEqual(r.warnings, [`no icetime cross-check: icetime exited with code 1: ${NO_CHIPDB}`]);
      assert.equal(r.stages.find((s) => s.stage === 'icetime')!.failed, true);
    });
  });
});

describe('icetimeOutcome', () => {
  const ran = (dir: string, stdout: string): StageRun => {
    writeFileSync(join(dir, 'icetime.log'), stdout);
    return { stage: 'icetime', tool: 'icetime', origin: 'native', version: 'v', command: ['icetime'], cwd: dir, exitCode: 0, signal: null, timedOut: false, outOfBudget: false, failed: false, durationMs: 1, logFile: 'icetime.log', stdoutTail: stdout, stderrTail: '', error: null };
  };

  it('reads the estimate from the console log and the report file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'icetime.rpt'), 'Total number of logic levels: 3\n');
    assert.deepEqual(icetimeOutcome(dir, ran(dir, 'Timing estimate: 9.08 ns (110.12 MHz)\n')), { report: { ns: 9.08, mhz: 110.12, logicLevels: 3 }, error: null });
  });

  it('turns output without an estimate into one line with what icetime said last', () => {
    const dir = tempDir();
    assert.deepEqual(icetimeOutcome(dir, ran(dir, '// Reading input .asc file..\nsomething else\n')), {
      report: null,
      error: 'icetime printed no "Timing estimate: X ns (Y MHz)" line; its last line: something else',
    });
  });
});
