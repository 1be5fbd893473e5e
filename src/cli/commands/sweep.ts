import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { DATASET_FLAGS, DATASET_USAGE, ENCODING_FLAGS, ENCODING_USAGE, TRAINING_FLAGS } from '../../app/dataOptions.js';
import { DB_FLAG, DB_USAGE, dbPathFromOptions } from '../../app/dbOptions.js';
import { intOption, stringOption } from '../../app/options.js';
import { resultsTable } from '../../app/resultsTable.js';
import { requireSweepBoard, sweepFromOptions } from '../../app/sweep.js';
import { renderReport } from '../../report/html.js';
import { sweepReportInput } from '../../report/fromStore.js';
import { openStore, type ResultRow, type SweepRecord } from '../../store/index.js';
import { startQueuedSweep, type QueuedSweepEvent } from '../../sweep/coordinator.js';
import { startSweep } from '../../sweep/executor.js';
import { connectQueue } from '../../sweep/redis.js';
import { queueFromOptions, QUEUE_USAGE } from '../../app/sweepQueue.js';
import { UserError } from '../../util/errors.js';
import { OUTPUT_RULE, checkOutputFile, checkOutputFolder } from '../../util/outputPath.js';
import { defineCommand } from '../command.js';

export interface SweepOutput {
  db: string;
  sweep: SweepRecord;
  created: boolean;
  rows: ResultRow[];
  report: string | null;
}

function describe(e: QueuedSweepEvent): string | null {
  switch (e.type) {
    case 'waiting':
      return `  ${e.cell}: ${e.message}`;
    case 'queue':
      return `  ${e.line}`;
    case 'started':
      return `sweep ${e.sweep}: ${e.total} cells, ${e.pending} to run ${e.workers === 0 && e.pending > 0 ? 'on queue workers' : `on ${e.workers} worker${e.workers === 1 ? '' : 's'}`}`;
    case 'stage':
      return `  ${e.cell}: ${e.stage} ${e.detail}`;
    case 'cell-done':
      return `  ${e.cell}: done (build ${e.outcome.buildStatus}${e.outcome.skippedRun ? `; not run: ${e.outcome.skippedRun}` : ''})`;
    case 'cell-failed':
      return `  ${e.cell}: FAILED: ${e.error}`;
    case 'worker-failed':
      return `  worker ${e.pid} ended with exit ${e.code}: ${e.stderr.trim().split('\n').slice(-3).join(' | ')}`;
    default:
      return null;
  }
}

/** A line per step: training progress (every 100 iterations) and repeated steps are left out. */
function quietStages(): (e: QueuedSweepEvent) => boolean {
  const last = new Map<string, string>();
  return (e) => {
    if (e.type !== 'stage') return true;
    const step = e.stage === 'train' ? e.stage : `${e.stage} ${e.detail}`;
    if (last.get(e.cell) === step) return false;
    last.set(e.cell, step);
    return true;
  };
}

export const sweepCommand = defineCommand<SweepOutput>({
  name: 'sweep',
  usage: `gatebench sweep (--depth D1,D2,.. --width W1,W2,.. [--final-width F1,..,same] [--model A.json,..] | --model A.json,.. | --resume ID) [--board icebreaker] [--pipeline auto|P (default auto)] [--pnr-budget MINUTES] [--run-on virtual|BOARD|none] [--level rtl|bitstream] [--power virtual|SPEC|none] [--power-window S] [--vectors N] [--jobs N] [--iterations I] [--batch B] [--lr LR] [--tau T] [--wiring random|unique] [--init normal|residual] [--augment none|shift:N] [--train-inputs bits|real] [--seed S] [${DATASET_USAGE}] ${ENCODING_USAGE} [--id NAME] [--report FILE] ${DB_USAGE} [${QUEUE_USAGE}] [--json]`,
  summary: 'depth x width x final-layer-width grid: train -> check -> build -> run -> store, in parallel, resumable',
  details: [
    'Every cell: train (cached), check bit-exactness in Verilator, build for --board (a failed build is a result),',
    'run on --run-on with --power (--level bitstream: the virtual board simulates the placed-and-routed iCE40',
    'bitstream, icebox_vlog), store each result as it is made. --model adds model files (e.g. imported with',
    '`gatebench import`) as cells that are loaded instead of trained; they must fit the dataset (classes, sample shape).',
    'Killed or Ctrl-C: run the same command',
    "again (or --resume ID) and finished cells are skipped. Ends with the results table and writes the report",
    '(default out/report-ID.html, out/ created in the current folder). Exits 1 when every cell failed.',
    'With --queue URL the cells run on queue workers (gatebench worker) on any machine, through that Redis: this',
    'process owns the database, enqueues each stage as its turn comes and stores each result once as it arrives.',
    OUTPUT_RULE,
  ].join('\n'),
  flags: {
    ...DATASET_FLAGS,
    ...ENCODING_FLAGS,
    ...DB_FLAG,
    depth: { type: 'string' },
    width: { type: 'string' },
    'final-width': { type: 'string' },
    model: { type: 'string' },
    board: { type: 'string' },
    'run-on': { type: 'string' },
    level: { type: 'string' },
    power: { type: 'string' },
    'power-window': { type: 'string' },
    pipeline: { type: 'string' },
    'pnr-budget': { type: 'string' },
    vectors: { type: 'string' },
    jobs: { type: 'string' },
    ...TRAINING_FLAGS,
    id: { type: 'string' },
    resume: { type: 'string' },
    report: { type: 'string' },
    queue: { type: 'string' },
  },
  async run(_positionals, options) {
    const db = dbPathFromOptions(options);
    const jobs = intOption(options, 'jobs', availableParallelism());
    const reportFlag = stringOption(options, 'report');
    // The default report goes to out/ (created here); a --report FILE goes into an existing folder.
    if (reportFlag) checkOutputFile('--report', reportFlag);
    else checkOutputFolder('--report', 'out');
    const queue = queueFromOptions(options);
    // A wrong password or an unreachable Redis is one line now, before any sweep is stored.
    if (queue) (await connectQueue('--queue', queue)).disconnect();
    const { sweep, created } = sweepFromOptions(db, options);
    // On the queue, the board hangs off a worker's host, not this one.
    if (!queue) await requireSweepBoard(sweep);

    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    const worth = quietStages();
    const onEvent = (e: QueuedSweepEvent): void => {
      const line = worth(e) ? describe(e) : null;
      if (line) log(line);
    };
    const handle = queue ? startQueuedSweep({ db, sweep: sweep.id, target: queue }, onEvent) : startSweep({ db, sweep: sweep.id, jobs }, onEvent);
    // Ctrl-C: stop the workers; what they finished is stored, the rest resumes next time.
    const interrupt = (): void => {
      log(`interrupted: stopping ${queue ? 'the coordinator' : 'the workers'}; resume with gatebench sweep --resume ${sweep.id} --db ${db}${queue ? ` --queue ${queue.shown}` : ''}`);
      handle.cancel();
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    let finished: SweepRecord;
    try {
      finished = await handle.done;
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }

    const reportPath = resolve(reportFlag ?? `out/report-${sweep.id}.html`);
    const reader = openStore(db);
    let rows: ResultRow[];
    try {
      rows = reader.resultRows({ sweep: sweep.id });
      const { cells, meta } = sweepReportInput(reader, sweep.id);
      if (!reportFlag) mkdirSync(dirname(reportPath), { recursive: true });
      writeFileSync(reportPath, await renderReport(cells, meta));
    } finally {
      reader.close();
    }
    if (finished.cells.pending > 0 || finished.cells.running > 0) {
      throw new UserError(`sweep ${sweep.id} stopped with ${finished.cells.pending + finished.cells.running} cells not run (stored so far: ${finished.cells.done} done, ${finished.cells.failed} failed); resume with gatebench sweep --resume ${sweep.id} --db ${db}`);
    }
    return { db, sweep: finished, created, rows, report: reportPath };
  },
  render(r) {
    const c = r.sweep.cells;
    return [
      resultsTable(r.rows),
      '',
      `sweep ${r.sweep.id}${r.created ? '' : ' (resumed)'}: ${c.done} done, ${c.failed} failed of ${c.total} cells; database ${r.db}`,
      `report: ${r.report}`,
    ].join('\n');
  },
  failure(r) {
    const c = r.sweep.cells;
    return c.total > 0 && c.failed === c.total ? `sweep ${r.sweep.id}: all ${c.total} cells failed (the errors are in the table above and in gatebench results --db ${r.db})` : null;
  },
});
