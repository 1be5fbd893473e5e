import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { acquireTarget, prepareRun } from '../../src/device/target.js';
import { buildBitstream, buildFile } from '../../src/flow/build.js';
import { fetchArtifact, shareArtifact } from '../../src/sweep/artifacts.js';
import { fetchDeviceImage, shareDeviceImage } from '../../src/sweep/deviceImage.js';
import { KEY_PREFIX } from '../../src/sweep/redis.js';
import { COUNTER, writeVerilog } from '../flow/verilog.js';
import { randomNetwork, runCli, tempDir } from '../helpers.js';
import { Proc } from './proc.js';
import { RedisServer } from './redisServer.js';
import { rows } from './rows.js';


/** The build toolchain a board host goes without: synthesis, place and route, packing. */
const TOOLCHAIN = /^(yosys|yosys-.*|nextpnr-.*|icepack|icetime|ecppack|gowin_pack)$/;

/**
 * A PATH of this machine's programs less the build toolchain: a folder of links to everything in
 * PATH's folders but those. (/bin is /usr/bin on Debian, so the folders cannot just be left out.)
 */
function pathWithoutToolchain(dir: string): string {
  mkdirSync(dir);
  for (const folder of (process.env.PATH ?? '').split(':')) {
    if (!folder || !existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (TOOLCHAIN.test(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(folder, name), join(dir, name));
    }
  }
  return dir;
}

describe('distributed sweep: the board host takes the bitstream built by a build worker', () => {
  let dir: string;
  let redis: RedisServer;
  const procs: Proc[] = [];
  before(async () => {
    dir = tempDir('gatebench-board-host-');
    redis = await RedisServer.start();
  });
  after(async () => {
    for (const p of procs) await p.kill();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--level bitstream is refused in one line, exit 2, for a run not on the virtual board, a board that is not iCE40, or with the virtual power monitor', () => {
    const csv = join(dir, 'two.csv');
    writeFileSync(csv, Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'a' : 'b'}`).join('\n') + '\n');
    const db = join(dir, 'refused.db');
    for (const [args, expected] of [
      [['--run-on', 'icebreaker', '--power', 'none', '--level', 'bitstream'], 'gatebench: --level: only with --run-on virtual (what the virtual board simulates), got --run-on icebreaker'],
      [['--board', 'ulx3s', '--level', 'bitstream'], 'gatebench: --level bitstream: only for an iCE40 --board (icebox_vlog), not ulx3s (ecp5); use --level rtl'],
      [['--level', 'gates'], "gatebench: --level: expected rtl or bitstream, got 'gates'"],
      [['--level', 'bitstream', '--power', 'virtual'], 'gatebench: --power virtual: needs --level rtl (the bitstream netlist has no activity port to watch the core through)'],
    ] as const) {
      const r = runCli(['sweep', '--dataset', `csv:${csv}`, '--depth', '2', '--width', '20', ...args, '--db', db]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr.trim(), expected);
    }
    assert.equal(existsSync(db), false, 'a refused sweep is not stored: not even an empty database is left');
  });

  it('an artifact whose bytes in Redis do not match its hash is refused on arrival, and nothing is kept', async () => {
    const client = new Redis(redis.url);
    try {
      const ref = await shareArtifact(client, Buffer.from('the bytes a build worker shared'), join(dir, 'cache-sharer'));
      await client.set(`${KEY_PREFIX}:artifact:${ref.hash}`, Buffer.from('the bytes a build worker shared, changed'));
      const receiver = join(dir, 'cache-receiver');
      await assert.rejects(fetchArtifact(client, ref, receiver), new RegExp(`^Error: artifact ${ref.hash} arrived as 40 bytes hashing to [0-9a-f]{64}: refused`));
      assert.equal(existsSync(join(receiver, 'artifacts', ref.hash)), false, 'the damaged bytes were kept');
    } finally {
      client.disconnect();
    }
  });

  it("a physical board's image carries the programmer's bitstream, fetched elsewhere under the build's own file name; a run of another design refuses it", { timeout: 120_000 }, async () => {
    const client = new Redis(redis.url);
    try {
      const build = await buildBitstream({ verilogFiles: [writeVerilog(dir, 'counter.v', COUNTER)], top: 'top', board: 'icebreaker', cacheDir: join(dir, 'counter-builds'), options: { icetime: false } });
      assert.equal(build.status, 'ok', build.message);
      const ref = await shareDeviceImage(client, { designHash: 'counter', build, virtual: false }, join(dir, 'cache-counter-builder'));
      const image = await fetchDeviceImage(client, ref, join(dir, 'cache-counter-host'));
      assert.equal(image.hash, ref.hash);
      const bin = buildFile(image.build, 'bin')!;
      assert.ok(bin.startsWith(join(dir, 'cache-counter-host', 'device-images')), bin);
      assert.equal(bin.split('/').pop(), build.files.bin);
      assert.deepEqual(readFileSync(bin), readFileSync(buildFile(build, 'bin')!));
      assert.deepEqual([image.build.files.asc, image.build.files.designPcf, image.build.hash], [null, null, build.hash]);
      // The virtual board at the bitstream level, for a model's device design: not the counter's bitstream.
      const setup = await prepareRun({ net: randomNetwork(1, 16, [20, 20], 2), board: 'virtual', as: 'icebreaker', level: 'bitstream' }, { lookForBoard: false });
      await assert.rejects(acquireTarget(setup, { image }, () => undefined), new RegExp(`the prebuilt bitstream ${ref.hash.slice(0, 12)} is of device design counter for icebreaker, this run needs design ${setup.design.hash.slice(0, 12)} for icebreaker: refusing it`));
    } finally {
      client.disconnect();
    }
  });

  it('builds on the build worker, runs the fetched bitstream (icebox_vlog, Verilator) on a host without yosys or nextpnr, and records its hash', { timeout: 300_000 }, async () => {
    const db = join(dir, 'bits.db');
    const cache = (name: string): string => {
      const path = join(dir, `cache-${name}`);
      mkdirSync(path, { recursive: true });
      return path;
    };
    const coordinator = new Proc(
      ['sweep', '--queue', redis.url, '--depth', '2', '--width', '20', '--crop', '8', '--iterations', '30', '--vectors', '50', '--board', 'icebreaker', '--run-on', 'virtual', '--level', 'bitstream', '--power', 'none', '--id', 'bits', '--db', db, '--report', join(dir, 'report.html')],
      { GATEBENCH_CACHE: cache('coordinator') },
    );
    procs.push(coordinator);
    const builder = new Proc(['worker', '--queue', redis.url, '--train', '--builds', '--name', 'builder'], { GATEBENCH_CACHE: cache('builder') });
    procs.push(builder);
    const hostCache = cache('host');
    // No native toolchain on PATH and no Python one (the EDA venv): the host can only take the image.
    const host = new Proc(['worker', '--queue', redis.url, '--board', 'virtual:icebreaker', '--name', 'host'], { GATEBENCH_CACHE: hostCache, PATH: pathWithoutToolchain(join(dir, 'host-bin')), GATEBENCH_EDA_VENV: join(dir, 'no-venv') });
    procs.push(host);

    const code = await coordinator.exited;
    assert.equal(code, 0, `${coordinator.stderr}\n--- builder\n${builder.stderr}\n--- host\n${host.stderr}`);
    assert.deepEqual(rows(db, 'SELECT key, state FROM sweep_cells'), [{ key: 'd2-w20-f20', state: 'done' }]);
    const stages = rows<{ stage: string; worker: string; artifact: string | null }>(db, `SELECT stage, worker, artifact FROM sweep_stages WHERE stage IN ('build', 'run') ORDER BY stage`);
    assert.deepEqual(stages.map((s) => [s.stage, s.worker]), [['build', 'builder'], ['run', 'host']]);
    const image = stages[0]!.artifact;
    assert.match(image ?? '', /^[0-9a-f]{64}$/, 'the build stage hands on a device image');
    // The run took that very image: its hash is stored with the stage and in the run's report.
    assert.equal(stages[1]!.artifact, image);
    const [run] = rows<{ report: string; complete: number; answered: number; mismatches: number }>(db, 'SELECT report, complete, answered, mismatches FROM runs');
    const report = JSON.parse(run!.report) as { level: string; board: string; build: { image?: string; hash: string } };
    assert.deepEqual({ complete: run!.complete, answered: run!.answered, mismatches: run!.mismatches, level: report.level, board: report.board }, { complete: 1, answered: 50, mismatches: 0, level: 'bitstream', board: 'virtual (icebreaker)' });
    assert.equal(report.build.image, image);
    // The host built nothing: no build folder in its cache; the image's files were laid out there.
    assert.equal(existsSync(join(hostCache, 'builds')), false, `the host built: ${existsSync(join(hostCache, 'builds')) ? readdirSync(join(hostCache, 'builds')).join(', ') : ''}`);
    assert.ok(existsSync(join(hostCache, 'artifacts', image!)), 'the host fetched the image by its hash');
    // The builder's device build is the one the run reports.
    assert.ok(existsSync(join(dir, 'cache-builder', 'builds', report.build.hash)), 'the run reports the build worker\'s build');
  });
});
