// One stage job in its own process (forked by src/sweep/queueWorker.ts), so that training and the
// tools never block the worker's lock renewals and heartbeats. Gets {payload, target, cacheDir,
// place} over IPC, answers {result} or {error}, and ends.
import { connectQueue, type QueueTarget } from './redis.js';
import type { RunPlace } from './job.js';
import { runStageJob, type StagePayload, type StageResult } from './stageJobs.js';

export interface StageRequest {
  payload: StagePayload;
  target: QueueTarget;
  cacheDir?: string;
  place: RunPlace | null;
}
export type StageAnswer = { result: StageResult } | { error: string };

// The worker is gone (killed): end with every child (yosys, nextpnr, the virtual board).
process.on('disconnect', () => process.kill(-process.pid, 'SIGKILL'));
process.once('message', (request: StageRequest) => {
  void (async () => {
    let answer: StageAnswer;
    const redis = await connectQueue('--queue', request.target);
    try {
      const result = await runStageJob(request.payload, {
        redis,
        ...(request.cacheDir ? { cacheDir: request.cacheDir } : {}),
        runPlace: () => {
          if (!request.place) throw new Error('internal: a run job without a place to run');
          return request.place;
        },
      });
      answer = { result };
    } catch (e) {
      answer = { error: (e instanceof Error ? e.message : String(e)).split('\n')[0]! };
    } finally {
      redis.disconnect();
    }
    process.send!(answer, () => process.exit(0));
  })().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
});
