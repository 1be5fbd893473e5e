import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { RunError, runOnBoard } from '../../src/device/run.js';
import { deviceDesign } from '../../src/device/top.js';
import { buildModel } from '../../src/flow/modelBuild.js';
import { evaluateReference } from '../../src/model/reference.js';
import { buildVirtualBoard, VirtualBoard } from '../../src/device/virtual.js';
import { randomNetwork, randomVectors, tempDir, writeModelFile } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

describe('gatebench run', () => {
  let dir: string;
  let model: string;
  before(async () => {
    dir = tempDir('gatebench-run-');
    model = join(dir, 'model.json');
    await execa(process.execPath, [CLI, 'train', '--widths', '400,200', '--crop', '20', '--iterations', '60', '--out', model]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--board virtual --pipeline 0 checks 1,000 test vectors with 0 mismatches and reports latency and throughput', async () => {
    const r = await execa(process.execPath, [CLI, 'run', model, '--board', 'virtual', '--limit', '1000', '--pipeline', '0', '--db', join(dir, 'runs.db'), '--json'], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.answered, 1000);
    assert.equal(report.mismatches, 0);
    assert.equal(report.complete, true);
    // A combinational core: the device counts 0 cycles, which is never shown as the latency.
    assert.equal(report.latency.cycles, null);
    assert.notEqual(report.latency.kind, 'clocked');
    if (report.latency.kind === 'combinational') assert.ok(report.latency.ns > 0 && /nextpnr critical path/.test(report.latency.source), JSON.stringify(report.latency));
    else assert.deepEqual([report.latency.kind, report.latency.ns], ['not-measured', null]);
    assert.equal(report.softwareAccuracy, report.accuracy, 'the software model on the same 1,000 vectors, 0 mismatches');
    assert.ok(report.latency.hostRoundTripMs.p99 > 0 && report.latency.deviceRoundTripMs > 0);
    assert.ok(report.throughput.percentOfTheoretical >= 90, `${report.throughput.percentOfTheoretical}%`);
    assert.equal(report.device.after.rxOverflows, 0);
  });

  it('--board icebreaker with no board attached (the real /sys): exit 2 at once, nothing built', async (t) => {
    // A model this cache has never built: any build would leave an entry in it.
    const cache = tempDir('gatebench-run-cache-');
    const started = performance.now();
    const r = await execa(process.execPath, [CLI, 'run', model, '--board', 'icebreaker', '--limit', '10', '--db', join(dir, 'absent.db')], { env: { GATEBENCH_CACHE: cache }, reject: false });
    t.diagnostic(`exit ${r.exitCode} after ${Math.round(performance.now() - started)} ms (node start-up included)`);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.equal(
      r.stderr.trim(),
      'gatebench: no programming cable or board found for icebreaker: no USB device 0403:6010, the FT2232H channel A, under /sys/bus/usb/devices; plug the board in (a data USB cable, not a charge-only one); if it is, check lsusb shows its FTDI chip; to build the bitstream without the board, add --build-only',
    );
    assert.deepEqual(readdirSync(cache), [], 'nothing built, nothing cached');
    assert.equal(existsSync(join(dir, 'absent.db')), false, 'no run stored');
    const port = await execa(process.execPath, [CLI, 'run', model, '--board', 'icebreaker', '--port', '/dev/gatebench-no-such-tty'], { env: { GATEBENCH_CACHE: cache }, reject: false });
    assert.equal(port.exitCode, 2, port.stderr);
    assert.match(port.stderr, /^gatebench: --port: \/dev\/gatebench-no-such-tty does not exist \(expected the icebreaker's UART/);
    assert.deepEqual(readdirSync(cache), []);
  });

  it('--build-only builds the device bitstream with no board, and a second time finds it cached', async () => {
    const cache = tempDir('gatebench-run-cache-');
    const tiny = writeModelFile(dir, randomNetwork(31, 20, [60, 60, 40], 4), 'tiny.json');
    const build = async (): Promise<{ buildOnly: boolean; board: string; bin: string; build: { cached: boolean; message: string } }> => {
      const r = await execa(process.execPath, [CLI, 'run', tiny, '--board', 'icebreaker', '--build-only', '--json'], { env: { GATEBENCH_CACHE: cache }, reject: false });
      assert.equal(r.exitCode, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const first = await build();
    assert.equal(first.buildOnly, true);
    assert.equal(first.board, 'icebreaker');
    assert.equal(first.build.cached, false, first.build.message);
    assert.ok(first.bin.startsWith(cache) && statSync(first.bin).size > 0, first.bin);
    const second = await build();
    assert.equal(second.build.cached, true);
    assert.equal(second.bin, first.bin);
  });

  it('runs a pipelined core and reports its latency in clock cycles', async () => {
    const net = randomNetwork(5, 40, [64, 64, 32], 4);
    const r = await runOnBoard({ net, data: randomVectors(6, 300, 40, 4), board: 'virtual', core: { pipeline: 1, registeredIo: true } });
    assert.equal(r.answered, 300);
    assert.equal(r.mismatches, 0);
    assert.equal(r.latency.kind, 'clocked');
    assert.equal(r.latency.cycles, 5, '3 pipeline stages (one per layer) + 2 I/O registers');
    assert.equal(r.latency.ns, (5 / 12e6) * 1e9);
    assert.equal(r.latency.source, 'device counter: 5 cycles at 12 MHz');
    assert.equal(r.softwareAccuracy, r.accuracy);
  });

  it('gives a combinational core the post-route delay of its build (RTL level), not measured before one exists, never 0', async () => {
    const cacheDir = join(dir, 'combinational-cache');
    const net = randomNetwork(21, 40, [80, 40], 4);
    const data = randomVectors(22, 200, 40, 4);
    const before = await runOnBoard({ net, data, board: 'virtual', cacheDir });
    assert.deepEqual([before.latency.kind, before.latency.cycles, before.latency.ns], ['not-measured', null, null]);
    assert.match(before.latency.source, /^no build of this design for icebreaker in the cache/);

    // The build `gatebench build` (and a sweep) makes of this network: its core between registers.
    const { build } = await buildModel(net, { board: 'icebreaker', cacheDir });
    const path = build.figures.criticalPath!;
    assert.ok(path.totalNs > 0, JSON.stringify(build.figures));
    const after = await runOnBoard({ net, data, board: 'virtual', cacheDir });
    assert.equal(after.latency.kind, 'combinational');
    assert.equal(after.latency.ns, path.totalNs);
    assert.equal(after.latency.cycles, null);
    assert.match(after.latency.source, new RegExp(`^nextpnr critical path \\(register to register, ${path.logicLevels} logic levels?\\) of build ${build.hash.slice(0, 12)}: the cached build of this core`));

    // The software model on exactly the vectors the board ran: with 0 mismatches, the same figure.
    assert.equal(after.mismatches, 0);
    const ref = evaluateReference(net, data);
    const softwareCorrect = Array.from(ref.predictions).filter((p, i) => p === data.labels[i]).length;
    assert.equal(after.softwareAccuracy, softwareCorrect / 200);
    assert.equal(after.accuracy, after.softwareAccuracy);
  });

  it('refuses a board whose INFO names another model', async () => {
    const loaded = randomNetwork(1, 32, [64, 32], 4);
    const other = randomNetwork(2, 32, [64, 32], 4);
    const board = await VirtualBoard.start(await buildVirtualBoard(deviceDesign(loaded, { clockHz: 12e6, baud: 3_000_000 })));
    try {
      await assert.rejects(runOnBoard({ net: other, data: randomVectors(3, 10, 32, 4), board: 'virtual', port: board.path }), (e: unknown) => {
        assert.ok(!(e instanceof RunError) && e instanceof Error);
        assert.match(e.message, /runs model [0-9a-f]{16}, not this model \([0-9a-f]{16}\): refusing to run/);
        return true;
      });
    } finally {
      await board.stop();
    }
  });
});
