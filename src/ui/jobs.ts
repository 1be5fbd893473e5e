import { availableParallelism } from 'node:os';
import { buildAndStore } from '../app/build.js';
import { datasetFromOptions } from '../app/dataOptions.js';
import type { RawOptions } from '../app/options.js';
import { runAndStore, UnstoredRunError, type StoredRun } from '../app/run.js';
import { sweepFromOptions } from '../app/sweep.js';
import { encodeSamples } from '../data/encoding.js';
import type { RunPhase, RunProgress, RunReport } from '../device/run.js';
import { loadModel, type Model } from '../model/modelFile.js';
import type { ModelRecord } from '../store/index.js';
import { startSweep, type SweepEvent, type SweepHandle } from '../sweep/executor.js';

/** Lines of log kept per job for the views. */
const LOG_LINES = 200;
/** Progress arrives with every answer; views need a few frames a second. */
const NOTIFY_EVERY_MS = 100;

export type JobState = 'running' | 'done' | 'failed';

/** The latest figure of each kind a run reported, kept after its phase ends (the stream phase may last a blink). */
export interface RunFigures {
  /** Answers per second of the latest phase that had answers, and that phase. */
  answersPerSecond: number | null;
  ratePhase: RunPhase | null;
  roundTripMs: number | null;
  watts: number | null;
}

export interface RunJob {
  readonly modelHash: string;
  readonly board: string;
  state: JobState;
  progress: RunProgress | null;
  figures: RunFigures;
  log: string[];
  report: RunReport | null;
  runId: number | null;
  error: string | null;
}

export interface BuildJob {
  readonly modelHash: string;
  readonly board: string;
  state: JobState;
  /** Stages in order, with their time once ended. */
  stages: { stage: string; seconds: number | null; failed: boolean }[];
  message: string | null;
  buildId: number | null;
  error: string | null;
}

export interface SweepJob {
  readonly sweep: string;
  state: JobState;
  /** The latest stage of each cell this job's workers ran, as the executor reports it. */
  cells: Record<string, { stage: string; detail: string; outcome: 'done' | 'failed' | null }>;
  log: string[];
  error: string | null;
}

export interface JobsView {
  run: RunJob | null;
  build: BuildJob | null;
  sweep: SweepJob | null;
  /** The last thing worth telling the user that belongs to no job (a refused key press). */
  notice: string | null;
}

export interface JobOptions {
  db: string;
  /** The board builds are made for (default icebreaker). */
  buildBoard?: string;
  /** Runs started with r: on the virtual board with the virtual power monitor unless told otherwise. */
  run?: { board?: string; limit?: number; baud?: number; power?: string | null; powerWindowSeconds?: number | null };
  /** The small sweep n starts, as `gatebench sweep` flags (default: MNIST, depth 2, widths 100 and 200, 300 iterations). */
  sweepFlags?: RawOptions;
  jobs?: number;
  cacheDir?: string;
}

export const SMALL_SWEEP_FLAGS: RawOptions = { depth: '2', width: '100,200', iterations: '300', vectors: '300', 'power-window': '1' };

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
const pushLine = (log: string[], line: string): void => {
  log.push(line);
  if (log.length > LOG_LINES) log.splice(0, log.length - LOG_LINES);
};

/**
 * Starts runs, builds and sweeps for the TUI through the application layer the CLI uses too
 * (runAndStore, buildAndStore, sweepFromOptions + startSweep) and keeps their live state.
 * Views subscribe and read view(); one job of each kind at a time.
 */
export class JobController {
  private readonly listeners = new Set<() => void>();
  private state: JobsView = { run: null, build: null, sweep: null, notice: null };
  private snapshot: JobsView = this.state;
  private timer: NodeJS.Timeout | null = null;
  private sweepHandle: SweepHandle | null = null;
  private sweepDone: Promise<void> = Promise.resolve();

  constructor(readonly options: JobOptions) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** An immutable copy, new after each change (for useSyncExternalStore). */
  view = (): JobsView => this.snapshot;

  private publish(): void {
    const copy = <T>(job: T | null): T | null => (job ? structuredClone(job) : null);
    this.snapshot = { run: copy(this.state.run), build: copy(this.state.build), sweep: copy(this.state.sweep), notice: this.state.notice };
    for (const l of this.listeners) l();
  }

  /** Publish now for state changes, at most every NOTIFY_EVERY_MS for progress. */
  private changed(urgent = true): void {
    if (urgent) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.publish();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.publish();
      }, NOTIFY_EVERY_MS);
    }
  }

  notify(text: string | null): void {
    this.state.notice = text;
    this.changed();
  }

  /** Run a job's work without waiting for it: a failure becomes the job's state, and views hear of the end. */
  private inBackground(job: { state: string; error: string | null }, work: () => Promise<void>): void {
    void work()
      .catch((e: unknown) => {
        job.state = 'failed';
        job.error = message(e);
      })
      .finally(() => this.changed());
  }

  private busy(kind: 'run' | 'build' | 'sweep'): boolean {
    if (this.state[kind]?.state !== 'running') return false;
    this.notify(`a ${kind} is already running: wait for it to end`);
    return true;
  }

  /** The model file a stored model came from, loaded; a notice when there is none. */
  private modelFile(record: ModelRecord, action: string): Model | null {
    if (!record.path) {
      this.notify(`model ${record.hash.slice(0, 12)} has no file in the store: ${action} it with the CLI from its model.json`);
      return null;
    }
    try {
      return loadModel(record.path);
    } catch (e) {
      this.notify(`model ${record.hash.slice(0, 12)}: ${message(e)}`);
      return null;
    }
  }

  /** Run a stored model on the board (the virtual one by default) with power; the run is stored like `gatebench run`'s. */
  startRun(record: ModelRecord): boolean {
    if (this.busy('run')) return false;
    const model = this.modelFile(record, 'run');
    if (!model) return false;
    if (!model.dataset) {
      this.notify(`model ${record.hash.slice(0, 12)} names no dataset: run it with gatebench run ${record.path} --dataset ...`);
      return false;
    }
    const o = this.options.run ?? {};
    const board = o.board ?? 'virtual';
    const power = o.power === undefined ? (board === 'virtual' ? 'virtual' : null) : o.power;
    const job: RunJob = { modelHash: model.hash, board, state: 'running', progress: null, figures: { answersPerSecond: null, ratePhase: null, roundTripMs: null, watts: null }, log: [], report: null, runId: null, error: null };
    this.state = { ...this.state, run: job, notice: null };
    this.changed();
    const log = (line: string): void => {
      pushLine(job.log, line);
      this.changed(false);
    };
    this.inBackground(job, async () => {
      const data = encodeSamples(model.encoding, datasetFromOptions({}, model.dataset!.spec).test);
      let stored: StoredRun;
      try {
        stored = await runAndStore({
          model,
          path: record.path!,
          db: this.options.db,
          run: {
            data,
            board,
            limit: o.limit ?? 500,
            ...(o.baud ? { baud: o.baud } : {}),
            ...(power ? { power: { spec: power, ...(o.powerWindowSeconds ? { windowSeconds: o.powerWindowSeconds } : {}) } } : {}),
            ...(this.options.cacheDir ? { cacheDir: this.options.cacheDir } : {}),
            log,
            onProgress: (p) => {
              job.progress = p;
              const f = job.figures;
              if (p.answersPerSecond !== null && p.answersPerSecond > 0) Object.assign(f, { answersPerSecond: p.answersPerSecond, ratePhase: p.phase });
              if (p.latestRoundTripMs !== null) f.roundTripMs = p.latestRoundTripMs;
              if (p.watts !== null) f.watts = p.watts;
              this.changed(false);
            },
          },
        });
      } catch (e) {
        // Measured but not stored (the database failed at the end): show it; the error names the file that keeps it.
        if (e instanceof UnstoredRunError) job.report = e.report;
        throw e;
      }
      // A run that stopped part-way is stored all the same, as the run command's is.
      job.report = stored.report;
      job.runId = stored.runId;
      if (stored.error) throw stored.error;
      job.state = 'done';
    });
    return true;
  }

  /** Build a stored model for the build board and store the build (as a sweep cell's build is stored). */
  startBuild(record: ModelRecord): boolean {
    if (this.busy('build')) return false;
    const model = this.modelFile(record, 'build');
    if (!model) return false;
    const board = this.options.buildBoard ?? 'icebreaker';
    const job: BuildJob = { modelHash: model.hash, board, state: 'running', stages: [], message: null, buildId: null, error: null };
    this.state = { ...this.state, build: job, notice: null };
    this.changed();
    this.inBackground(job, async () => {
      const { build, buildId } = await buildAndStore({
        model,
        path: record.path,
        db: this.options.db,
        board,
        ...(this.options.cacheDir ? { cacheDir: this.options.cacheDir } : {}),
        onStage: (e) => {
          if (e.state === 'start') job.stages.push({ stage: e.stage, seconds: null, failed: false });
          else {
            const s = job.stages.find((x) => x.stage === e.stage && x.seconds === null);
            if (s) Object.assign(s, { seconds: e.run.durationMs / 1000, failed: e.run.failed });
          }
          this.changed();
        },
      });
      job.buildId = buildId;
      job.message = build.message;
      job.state = build.ok ? 'done' : 'failed';
      if (!build.ok) job.error = build.message;
    });
    return true;
  }

  /** Create the small sweep (or find it: the same spec is the same sweep) and run it. */
  startSmallSweep(): boolean {
    if (this.busy('sweep')) return false;
    let id: string;
    try {
      id = sweepFromOptions(this.options.db, this.options.sweepFlags ?? SMALL_SWEEP_FLAGS).sweep.id;
    } catch (e) {
      this.notify(`new sweep: ${message(e)}`);
      return false;
    }
    return this.resumeSweep(id);
  }

  /** Run the pending cells of a stored sweep (cells left running by a dead worker go back to pending first). */
  resumeSweep(id: string): boolean {
    if (this.busy('sweep')) return false;
    const job: SweepJob = { sweep: id, state: 'running', cells: {}, log: [], error: null };
    this.state = { ...this.state, sweep: job, notice: null };
    this.changed();
    const cell = (key: string) => (job.cells[key] ??= { stage: '', detail: '', outcome: null });
    const onEvent = (e: SweepEvent): void => {
      switch (e.type) {
        case 'started':
          pushLine(job.log, `sweep ${e.sweep}: ${e.pending} of ${e.total} cells to run on ${e.workers} worker${e.workers === 1 ? '' : 's'}`);
          break;
        case 'stage':
          Object.assign(cell(e.cell), { stage: e.stage, detail: e.detail });
          break;
        case 'log':
          pushLine(job.log, `${e.cell}: ${e.line}`);
          break;
        case 'cell-done':
          cell(e.cell).outcome = 'done';
          pushLine(job.log, `${e.cell}: done (build ${e.outcome.buildStatus})`);
          break;
        case 'cell-failed':
          cell(e.cell).outcome = 'failed';
          pushLine(job.log, `${e.cell}: FAILED: ${e.error}`);
          break;
        case 'worker-failed':
          pushLine(job.log, `worker ${e.pid} ended with exit ${e.code}: ${e.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
          break;
        case 'finished':
          pushLine(job.log, `sweep ${e.sweep.id}: ${e.sweep.cells.done} done, ${e.sweep.cells.failed} failed, ${e.sweep.cells.pending} pending of ${e.sweep.cells.total}`);
          break;
      }
      this.changed(e.type !== 'stage' && e.type !== 'log');
    };
    try {
      this.sweepHandle = startSweep({ db: this.options.db, sweep: id, jobs: this.options.jobs ?? availableParallelism(), ...(this.options.cacheDir ? { cacheDir: this.options.cacheDir } : {}) }, onEvent);
    } catch (e) {
      job.state = 'failed';
      job.error = message(e);
      this.changed();
      return false;
    }
    this.sweepDone = this.sweepHandle.done.then(
        (record) => {
          job.state = record.cells.pending + record.cells.running === 0 ? 'done' : 'failed';
          if (job.state === 'failed') job.error = `stopped with ${record.cells.pending + record.cells.running} cells not run: press n on the sweep to resume`;
          this.changed();
        },
        (e: unknown) => {
          job.state = 'failed';
          job.error = message(e);
          this.changed();
        },
      );
    return true;
  }

  /** Stop the sweep's workers (their cells go back to pending on resume). */
  stopSweep(): void {
    this.sweepHandle?.cancel();
  }

  /**
   * Stop the sweep's workers and wait for them; a run or build still going is abandoned (nothing
   * of it is stored) and its tools end with this process.
   */
  async close(): Promise<void> {
    this.stopSweep();
    await this.sweepDone;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}
