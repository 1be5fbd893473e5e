import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { sweepSpecFromOptions } from '../../src/app/sweepSpec.js';
import { prepareRun } from '../../src/device/target.js';
import { buildVirtualBoard, VirtualBoard } from '../../src/device/virtual.js';
import { loadModel } from '../../src/model/modelFile.js';
import { fetchArtifact } from '../../src/sweep/artifacts.js';
import { runBoardOf } from '../../src/sweep/job.js';
import { connectQueue, parseQueueUrl } from '../../src/sweep/redis.js';
import { planCells } from '../../src/sweep/spec.js';
import { runStageJob, type StagePayload } from '../../src/sweep/stageJobs.js';
import { tempDir } from '../helpers.js';
import { RedisServer } from './redisServer.js';

describe('stage jobs', () => {
  let dir: string;
  let server: RedisServer;
  let redis: Redis;
  before(async () => {
    dir = tempDir('gatebench-stage-jobs-');
    server = await RedisServer.start();
    redis = await connectQueue('--queue', parseQueueUrl('--queue', server.url));
  });
  after(async () => {
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run that stops part-way (the virtual board killed as the stream starts) comes back with its partial report and the reason, not as a failed job', { timeout: 180_000 }, async () => {
    const csv = join(dir, 'two.csv');
    writeFileSync(csv, Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'a' : 'b'}`).join('\n') + '\n');
    const spec = sweepSpecFromOptions({ dataset: `csv:${csv}`, depth: '2', width: '20', iterations: '10', vectors: '8', board: 'icebreaker', power: 'none' });
    const [job] = planCells(spec, 2);
    const cacheDir = join(dir, 'cache');
    const payload = (stage: StagePayload['stage'], model: StagePayload['model']): StagePayload => ({ sweep: 's1', cell: job!.key, stage, spec, job: job!, model, image: null });
    const trained = await runStageJob(payload('train', null), { redis, cacheDir, runPlace: () => ({ power: null }) });
    assert.equal(trained.stage, 'train');
    if (trained.stage !== 'train') return;

    // The virtual board this run's request makes, started here so the test can pull its plug.
    const net = loadModel(await fetchArtifact(redis, trained.model, cacheDir)).network;
    const { design } = await prepareRun({ net, ...runBoardOf(spec) }, { lookForBoard: false });
    const vboard = await VirtualBoard.start(await buildVirtualBoard(design, { level: 'rtl', cacheDir }));
    const result = await runStageJob(payload('run', trained.model), {
      redis,
      cacheDir,
      runPlace: () => ({ port: vboard.path, power: null }),
      log: (line) => {
        if (line.startsWith('streaming ')) vboard.kill();
      },
    }).finally(() => vboard.stop());
    assert.equal(result.stage, 'run');
    if (result.stage !== 'run') return;
    assert.match(result.stopped ?? '', /^the run on virtual \(icebreaker\) stopped: /);
    assert.equal(result.report.complete, false);
    assert.equal(result.report.error !== null, true);
    assert.ok(result.report.answered < 8, `answered ${result.report.answered}`);
    assert.equal(result.report.device?.before.modelId, design.modelId, 'the run had connected to the board before it stopped');
  });
});
