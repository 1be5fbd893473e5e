import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { RunError, runOnBoard } from '../../src/device/run.js';
import { deviceDesign } from '../../src/device/top.js';
import { buildVirtualBoard, VirtualBoard } from '../../src/device/virtual.js';
import { randomNetwork, randomVectors, tempDir } from '../helpers.js';

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

  it('--board virtual checks 1,000 test vectors with 0 mismatches and reports latency and throughput', async () => {
    const r = await execa(process.execPath, [CLI, 'run', model, '--board', 'virtual', '--limit', '1000', '--db', join(dir, 'runs.db'), '--json'], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.answered, 1000);
    assert.equal(report.mismatches, 0);
    assert.equal(report.complete, true);
    assert.equal(report.latency.cycles, 0);
    assert.ok(report.latency.hostRoundTripMs.p99 > 0 && report.latency.deviceRoundTripMs > 0);
    assert.ok(report.throughput.percentOfTheoretical >= 90, `${report.throughput.percentOfTheoretical}%`);
    assert.equal(report.device.after.rxOverflows, 0);
  });

  it('--board icebreaker without hardware fails cleanly: no cable, non-zero exit', async () => {
    const r = await execa(process.execPath, [CLI, 'run', model, '--board', 'icebreaker', '--limit', '10', '--db', join(dir, 'runs.db')], { reject: false });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /gatebench: flashing icebreaker failed: no programming cable or board found \(openFPGALoader: unable to open ftdi device: -3 \(device not found\)\)/);
    assert.doesNotMatch(r.stderr, /internal error|at .*\.js/);
  });

  it('runs a pipelined core and reports its latency in clock cycles', async () => {
    const net = randomNetwork(5, 40, [64, 64, 32], 4);
    const r = await runOnBoard({ net, data: randomVectors(6, 300, 40, 4), board: 'virtual', core: { pipeline: 1, registeredIo: true } });
    assert.equal(r.answered, 300);
    assert.equal(r.mismatches, 0);
    assert.equal(r.latency.cycles, 5, '3 pipeline stages (one per layer) + 2 I/O registers');
    assert.equal(r.latency.ns, (5 / 12e6) * 1e9);
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
