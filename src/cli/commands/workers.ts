import { requireQueue, QUEUE_USAGE } from '../../app/sweepQueue.js';
import { connectQueue } from '../../sweep/redis.js';
import { listWorkers, WORKER_GONE_MS, type WorkerBeat } from '../../sweep/registry.js';
import { defineCommand } from '../command.js';

export interface WorkersOutput {
  queue: string;
  workers: (WorkerBeat & { ageMs: number; live: boolean })[];
}

function running(w: WorkerBeat): string {
  if (w.running.length === 0) return 'idle';
  return w.running.map((r) => `${r.sweep} ${r.cell} ${r.stage}`).join('; ');
}

export const workersCommand = defineCommand<WorkersOutput>({
  name: 'workers',
  usage: `gatebench workers ${QUEUE_USAGE} [--json]`,
  summary: 'the queue workers of distributed sweeps: what each can do, what it runs, its heartbeat age',
  details: `A worker not heard from for ${WORKER_GONE_MS / 1000} s is shown as gone (its jobs go to other workers after their stall interval).`,
  flags: { queue: { type: 'string' } },
  async run(_positionals, options) {
    const target = requireQueue(options);
    const redis = await connectQueue('--queue', target);
    try {
      const workers = (await listWorkers(redis)).map((w) => ({ ...w, live: w.ageMs <= WORKER_GONE_MS }));
      return { queue: target.shown, workers };
    } finally {
      redis.disconnect();
    }
  },
  render(r) {
    if (r.workers.length === 0) return `no workers on ${r.queue} (start one: gatebench worker --queue URL --train --builds)`;
    const rows = r.workers.map((w) => [w.name, `${w.host}:${w.pid}`, w.queues.join(','), String(w.slots), running(w), `${(w.ageMs / 1000).toFixed(1)} s${w.live ? '' : ' (gone)'}`]);
    const head = ['worker', 'process', 'queues', 'slots', 'running', 'heartbeat'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    return [line(head), ...rows.map(line)].join('\n');
  },
});
