import { queueWorkerSettings, QUEUE_USAGE } from '../../app/sweepQueue.js';
import { startQueueWorker } from '../../sweep/queueWorker.js';
import { defineCommand } from '../command.js';

export interface WorkerOutput {
  name: string;
  queues: readonly string[];
  finished: number;
  failed: number;
}

export const workerCommand = defineCommand<WorkerOutput>({
  name: 'worker',
  usage: `gatebench worker ${QUEUE_USAGE} [--train] [--builds] [--board NAME[@PORT]]... [--board virtual[:BOARD]] [--power SPEC] [--jobs N] [--name ID] [--lock-seconds S]`,
  summary: 'take the stages of distributed sweeps this host can do (train, check + build, runs on its boards) until stopped',
  details: [
    'Connects to the Redis of a coordinator (gatebench sweep --queue URL) and takes jobs from the queues of what it',
    'can do: --train (training), --builds (Verilator check and yosys + nextpnr build), --board NAME[@PORT] (runs on',
    'that attached board; repeat for several), --board virtual[:BOARD] (runs on the virtual board standing in for',
    'BOARD, or for every board). --power SPEC is the monitor of this host used for runs that measure power.',
    'Models and device bitstreams travel through Redis by content hash, checked on arrival; each host keeps its own',
    'cache (GATEBENCH_CACHE). A build worker builds the bitstream a run flashes, so a board host needs no yosys or nextpnr.',
    'A killed worker loses its jobs to others after --lock-seconds (default 30) plus one stall check;',
    'a job runs at most 3 times. Stop with Ctrl-C (its jobs go to other workers).',
  ].join('\n'),
  flags: {
    queue: { type: 'string' },
    train: { type: 'boolean' },
    builds: { type: 'boolean' },
    board: { type: 'string', multiple: true },
    power: { type: 'string' },
    jobs: { type: 'string' },
    name: { type: 'string' },
    'lock-seconds': { type: 'string' },
  },
  async run(_positionals, options) {
    const boards = (options['board'] as unknown as string[] | undefined) ?? [];
    const settings = queueWorkerSettings(options, boards);
    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    const handle = await startQueueWorker({ ...settings, log });
    log(`worker ${settings.name}: taking jobs from ${handle.queues.join(', ')} (${settings.jobs} slot${settings.jobs === 1 ? '' : 's'})`);
    const stop = (): void => {
      log(`worker ${settings.name}: stopping`);
      void handle.stop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const counts = await handle.done;
    return { name: settings.name, queues: handle.queues, ...counts };
  },
  render(r) {
    return `worker ${r.name}: ${r.finished} jobs done, ${r.failed} failed (queues ${r.queues.join(', ')})`;
  },
});
