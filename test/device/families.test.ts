import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { loadBoard, programmerCommand } from '../../src/board/board.js';
import { buildBitstream } from '../../src/flow/build.js';
import { estimateResources } from '../../src/flow/estimate.js';
import { FlashError, flashBitstream } from '../../src/device/flash.js';
import { runOnBoard } from '../../src/device/run.js';
import { buildRunBitstream, deviceBuildRequest, prepareRun, writeSources } from '../../src/device/target.js';
import { deviceDesign, isSynthesisOnly } from '../../src/device/top.js';
import { PRIMITIVE_MODELS } from '../../src/device/virtual.js';
import { hdlDir } from '../../src/util/paths.js';
import { randomNetwork, randomVectors, tempDir, writeModelFile } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

/** A small network: the device engine is most of the logic, the core a few hundred gates. */
const net = randomNetwork(31, 20, [60, 60, 40], 4);

describe('the device on ECP5 and Gowin boards', () => {
  let dir: string;
  before(() => {
    dir = tempDir('gatebench-families-');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is lint clean in Verilator -Wall on Gowin, with the SDPB model the virtual board compiles', async () => {
    const design = deviceDesign(net, { family: 'gowin', clockHz: 27e6, baud: 115200 });
    const models = PRIMITIVE_MODELS.gowin.map((name) => ({ name, text: readFileSync(join(hdlDir(), 'virtual', name), 'utf8') }));
    const files = [...models, ...design.files.filter((f) => !isSynthesisOnly(f))];
    assert.deepEqual(design.files.filter(isSynthesisOnly).map((f) => f.name), ['gowin_sdpb.il']);
    const src = mkdtempSync(join(dir, 'lint-'));
    for (const f of files) writeFileSync(join(src, f.name), f.text);
    const r = await execa('verilator', ['--lint-only', '-Wall', '--top-module', 'gatebench_top', ...files.map((f) => f.name)], { cwd: src, reject: false, all: true });
    assert.equal(r.exitCode, 0, r.all);
  });

  it('puts the Gowin FIFOs in block RAM (two SDPB), none in LUT RAM', async () => {
    const design = deviceDesign(net, { family: 'gowin', clockHz: 27e6, baud: 115200 });
    const synth = await estimateResources(writeSources(design, dir), design.top, 'gowin', { cacheDir: join(dir, 'estimates') });
    assert.ok(synth.ok, synth.message);
    assert.equal(synth.stat!.cells['SDPB'], 2, JSON.stringify(synth.stat!.cells));
    assert.equal(synth.stat!.brams, 2);
    assert.equal(synth.stat!.cells['RAM16SDP4'] ?? 0, 0, 'no LUT RAM');
  });

  it('builds the ULX3S bitstream with both FIFOs in DP16KD, and names the openFPGALoader command a run flashes it with', async () => {
    const board = loadBoard('ulx3s');
    const { design } = await prepareRun({ net, board: 'ulx3s' }, { lookForBoard: false });
    assert.deepEqual([design.family, design.clockHz, design.baud, design.clocksPerBit], ['ecp5', 25e6, 115200, 217]);
    // The request a run makes (its builds live in the cache root's builds/, as a run's do).
    const build = await buildBitstream(deviceBuildRequest(design, board, dir));
    assert.equal(build.status, 'ok', build.message);
    assert.equal(build.synth!.cells['DP16KD'], 2, JSON.stringify(build.synth!.cells));
    assert.equal(build.synth!.cells['TRELLIS_DPR16X4'] ?? 0, 0, 'no LUT RAM');
    assert.deepEqual(build.figures.resources.find((r) => r.name === 'DP16KD'), { name: 'DP16KD', used: 2, available: 208 });

    // What `run --build-only` reports: the same build, from the cache, and the flash command.
    const report = await buildRunBitstream({ net, board: 'ulx3s', cacheDir: dir });
    assert.equal(report.build.cached, true);
    assert.ok(report.bin!.endsWith('.bit') && statSync(report.bin!).size > 0, report.bin!);
    assert.deepEqual(report.flashCommand, programmerCommand(board, report.bin!));
    assert.deepEqual(report.flashCommand, [...board.programmer.command.slice(0, -1), report.bin]);

    // That command, run for real with no board here: the programmer finds no cable, and says so.
    await assert.rejects(flashBitstream(board, report.bin!, { timeoutMs: 20_000 }), (e: unknown) => {
      assert.ok(e instanceof FlashError, String(e));
      assert.equal(e.reason, 'no-cable', e.outputTail);
      assert.deepEqual(e.command, report.flashCommand);
      return true;
    });
  });

  for (const name of ['ulx3s', 'tangnano20k']) {
    it(`run --board ${name} with no board attached (the real /sys): exit 2 at once naming the board and its cable, nothing built`, async () => {
      const board = loadBoard(name);
      const cache = tempDir('gatebench-families-cache-');
      const model = writeModelFile(dir, net, `${name}.json`);
      try {
        const r = await execa(process.execPath, [CLI, 'run', model, '--board', name, '--limit', '10', '--db', join(dir, 'absent.db')], { env: { GATEBENCH_CACHE: cache }, reject: false });
        assert.equal(r.exitCode, 2, r.stderr);
        const cable = board.programmer.cable ? `, the ${board.programmer.cable}` : '';
        assert.equal(r.stderr.trim().split('\n')[0], `gatebench: no programming cable or board found for ${name}: no USB device ${board.programmer.usb}${cable}, under /sys/bus/usb/devices; plug the board in (a data USB cable, not a charge-only one); if it is, check lsusb shows its FTDI chip; to build the bitstream without the board, add --build-only`);
        assert.deepEqual(readdirSync(cache), [], 'nothing built, nothing cached');
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    });
  }

  for (const [name, clockHz] of [['ulx3s', 25e6], ['tangnano20k', 27e6]] as const) {
    it(`run --board virtual --as ${name}: that board's family's device at its clock, 0 mismatches, latency in its cycles`, async () => {
      const pipelined = randomNetwork(5, 40, [64, 64, 32], 4);
      const r = await runOnBoard({ net: pipelined, data: randomVectors(6, 200, 40, 4), board: 'virtual', as: name, core: { pipeline: 1, registeredIo: true } });
      assert.equal(r.board, `virtual (${name})`);
      assert.deepEqual([r.clockHz, r.baud, r.device!.before.clockHz, r.device!.before.baud], [clockHz, clockHz / 4, clockHz, clockHz / 4]);
      assert.deepEqual([r.answered, r.mismatches], [200, 0]);
      assert.equal(r.latency.kind, 'clocked');
      assert.equal(r.latency.cycles, 5, '3 pipeline stages (one per layer) + 2 I/O registers');
      assert.equal(r.latency.ns, (5 / clockHz) * 1e9);
      assert.equal(r.latency.source, `device counter: 5 cycles at ${clockHz / 1e6} MHz`);
      assert.equal(r.device!.after!.rxOverflows, 0);
    });
  }

  it('refuses --as without --board virtual, and --level bitstream for a board that is not iCE40, before anything runs', async () => {
    const data = randomVectors(6, 10, 20, 4);
    await assert.rejects(runOnBoard({ net, data, board: 'ulx3s', as: 'tangnano20k' }), /^UserError: --as: only with --board virtual \(the board the virtual board stands for\), not with --board ulx3s$/);
    await assert.rejects(runOnBoard({ net, data, board: 'virtual', as: 'ulx3s', level: 'bitstream' }), /^UserError: --level bitstream: only for a virtual board standing for an iCE40 board \(icebox_vlog\), not ulx3s \(ecp5\); use --level rtl$/);
    await assert.rejects(runOnBoard({ net, data, board: 'virtual', as: 'no-such-board' }), /unknown board 'no-such-board'/);
  });
});
