import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { buildBitstream } from '../../src/flow/index.js';
import { openStore } from '../../src/store/index.js';
import { App, JobController, StoreReader } from '../../src/ui/index.js';
import { COUNTER, writeVerilog } from '../flow/verilog.js';
import { tempDir } from '../helpers.js';
import { fixtureModel, fixtureProvenance } from '../store/fixtures.js';
import { fillStore, runnableModel, type Filled } from './fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ESC = '\u001b';
const DOWN = '\u001b[B';
const ENTER = '\r';

type Rendered = ReturnType<typeof render>;

/** A frame's text with line breaks and runs of spaces as one space: prose wraps at the frame's width. */
const flat = (frame: string): string => frame.replace(/\s+/g, ' ');

/** Key presses with a pause after each, so Ink's input handler and the effects run in between. */
async function press(app: Rendered, ...keys: string[]): Promise<string> {
  for (const k of keys) {
    app.stdin.write(k);
    await sleep(80);
  }
  return app.lastFrame() ?? '';
}

async function until(app: Rendered, pattern: RegExp, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const frame = app.lastFrame() ?? '';
    if (pattern.test(frame)) return frame;
    if (Date.now() > end) assert.fail(`no ${pattern} within ${timeoutMs} ms; last frame:\n${frame}`);
    await sleep(100);
  }
}

/** The first field of each line of the results table under its header. */
function firstColumn(frame: string): string[] {
  const lines = frame.split('\n');
  const header = lines.findIndex((l) => l.includes('sweep/cell'));
  return lines.slice(header + 1).map((l) => l.replace(/^[> ] /, '').trim()).filter((l) => /^(s\d+\/|run \d+)/.test(l)).map((l) => l.match(/^(s\d+\/\S+|run \d+)/)![1]!);
}

describe('terminal UI on a filled database', () => {
  const dir = tempDir('gatebench-ui-');
  const db = join(dir, 'gatebench.db');
  let filled: Filled;
  let runnable: ReturnType<typeof runnableModel>;
  let app: Rendered;
  let jobs: JobController;
  let reader: StoreReader;

  before(async () => {
    filled = await fillStore(db, dir);
    runnable = runnableModel(dir);
    const store = openStore(db);
    store.addModel(runnable.model, { path: runnable.path });
    store.close();
    reader = new StoreReader(db);
    // A real board's 115200 baud: at the virtual board's default 3 Mbaud the 300 answers take 40 ms, too short to watch.
    // A cache of its own: the build test watches the stages run, which a cache hit from an earlier run skips.
    jobs = new JobController({ db, cacheDir: join(dir, 'cache'), run: { limit: 300, baud: 115200, powerWindowSeconds: 0.5 } });
    app = render(<App reader={reader} jobs={jobs} pollMs={200} />);
    await until(app, /d853|[0-9a-f]{12}/, 5000);
  });
  after(async () => {
    app.unmount();
    await jobs.close();
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens on the models with the tab bar and the hints', async () => {
    const frame = await until(app, new RegExp(runnable.model.hash.slice(0, 12)), 3000);
    assert.match(frame, /1 Models\s+2 Builds\s+3 Sweeps\s+4 Results\s+5 Run/);
    assert.match(flat(frame), /Enter open · r run on the virtual board · b build for icebreaker · q quit/);
    for (const m of filled.models) assert.match(frame, new RegExp(`${m.hash.slice(0, 12)}\\s+40,20|${m.hash.slice(0, 12)}\\s+30,30,20|${m.hash.slice(0, 12)}\\s+60,20`));
    const lines = frame.split('\n');
    assert.match(lines.find((l) => l.startsWith('>'))!, new RegExp(runnable.model.hash.slice(0, 12)), 'the newest model is selected');

    const detail = await press(app, DOWN, DOWN, ENTER);
    const second = filled.models[1]!.hash;
    assert.match(detail, new RegExp(`model ${second}`));
    assert.match(detail, /widths 30,30,20 \(16 input bits, 10 classes\)/);
    assert.match(detail, /run \d+\s+done/, "the model's run, from the results");
    assert.match(detail, /Esc back/);
    const back = await press(app, ESC);
    assert.doesNotMatch(back, /Esc back/);
  });

  it('2 lists the builds and opens a stored log', async () => {
    const frame = await press(app, '2');
    assert.match(frame, /build\s+model\s+board\s+status\s+LUT4\s+LC/);
    assert.match(frame, new RegExp(`#${filled.buildIds[1]}\\s+${filled.models[1]!.hash.slice(0, 12)}\\s+icebreaker\\s+ok`));
    assert.match(frame, new RegExp(`#${filled.buildIds[0]}\\s+${filled.models[0]!.hash.slice(0, 12)}`));
    assert.match(frame, /Enter open its log/);
    // Newest first: the second build (stored without a log) is on top.
    assert.match(await press(app, ENTER), /no log was stored for this build/);
    const log = await press(app, ESC, DOWN, ENTER);
    assert.match(log, new RegExp(`build #${filled.buildIds[0]} of`));
    assert.match(log, /last \d+ lines of the log/);
    await press(app, ESC);
  });

  it('3 shows the sweeps, and the grid shows each cell in its state with the running one in the pipeline', async () => {
    const list = await press(app, '3');
    assert.match(list, /s1\s+running\s+1\s+1\s+1\s+1\s+4/);
    assert.match(list, /Enter open the grid · n new small sweep/);
    await press(app, ENTER);
    const grid = await until(app, /pipeline/, 3000);
    assert.match(grid, /sweep s1: running; 1 done, 1 failed, 1 running, 1 pending of 4/);
    assert.match(grid, /w40-f20\s+w40-f40/);
    assert.match(grid, /depth 2\s+✓ done\s+✗ failed/);
    assert.match(grid, /depth 3\s+▶ running build\s+· pending/);
    // The worker on the running cell: here a queue worker of a distributed sweep.
    assert.match(grid, new RegExp(`${filled.cells.running} @lab-bench-2: train ✓ -> check ✓ -> \\[build: nextpnr-ice40\\] -> run`));
    for (const [state, key] of Object.entries(filled.cells)) assert.match(grid, new RegExp(`${key}\\s+\\S ${state}`));
    assert.match(grid, /does not fit \(needs 9000 LCs/);
    assert.match(grid, /n resume this sweep/);
    await press(app, ESC);
  });

  it('4 shows the results and sorts them when asked', async () => {
    const frame = await press(app, '4');
    assert.match(frame, /sweep\/cell\s+state\s+widths/);
    assert.match(frame, /sorted newest first/);
    const newest = firstColumn(frame);
    assert.equal(newest.length, 6, frame);
    const byName = await press(app, 's');
    assert.match(byName, /sorted sweep\/cell ascending/);
    const ascending = firstColumn(byName);
    assert.deepEqual(ascending, [...newest].sort((a, b) => a.localeCompare(b)));
    assert.notDeepEqual(ascending, newest);
    const descending = firstColumn(await press(app, 'S'));
    assert.deepEqual(descending, [...ascending].reverse());
    // A number column sorts by value, rows without the figure last.
    const byGates = await press(app, 's', 's', 's');
    assert.match(byGates, /sorted gates\/live descending/);
    const gates = byGates.split('\n').filter((l) => /^[> ] (s\d+\/|run )/.test(l)).map((l) => l.match(/ (\d+)\/\d+ /)?.[1] ?? '-');
    assert.deepEqual(gates, ['80', '80', '60', '-', '-', '-']);
    const ascendingGates = (await press(app, 'S')).split('\n').filter((l) => /^[> ] (s\d+\/|run )/.test(l)).map((l) => l.match(/ (\d+)\/\d+ /)?.[1] ?? '-');
    assert.deepEqual(ascendingGates, ['60', '80', '80', '-', '-', '-']);
  });

  it('5 with no run yet says how to start one', async () => {
    const frame = await press(app, '5');
    assert.match(flat(frame), /no run yet: select a model on 1 Models and press r/);
  });

  it('r runs the selected model on the virtual board: live throughput, latency and power, then the stored run', { timeout: 600_000 }, async () => {
    // Back to the top of the models: the runnable model is the newest.
    const models = await press(app, '1', 'k', 'k', 'k');
    assert.match(models.split('\n').find((l) => l.startsWith('>'))!, new RegExp(runnable.model.hash.slice(0, 12)));
    await press(app, 'r');
    const done = await until(app, /stored as run \d+/, 480_000);
    // Live figures came while the run went: power in the idle and STRESS windows, answers later.
    const during = app.frames.filter((f) => /on virtual: running/.test(f));
    assert.ok(during.some((f) => /preparing/.test(f)), 'the view opens before the virtual board is up');
    assert.ok(during.some((f) => /\[power-(idle|load)\][\s\S]*power \d+\.\d+ (mW|uW)/.test(f)), 'a power reading during the power windows');
    assert.ok(during.some((f) => /\[(latency|stream)\][\s\S]*\[#*\.*\] \d+\/300/.test(f)), 'progress while answers arrive');
    assert.match(done, /run of [0-9a-f]{12} on virtual: done/);
    assert.match(done, /throughput \d+ answers\/s \((latency|stream)\)/);
    assert.match(done, /latency \d+\.\d+ ms host round trip/);
    assert.match(done, /power \d+\.\d+ (mW|uW) supply/);
    assert.match(done, /\[#{30}\] 300\/300/);
    const report = flat(done);
    assert.match(report, /vectors 300\/300 answered, mismatches vs reference 0/);
    assert.match(report, /throughput \d+ vectors\/s by the device clock/);
    assert.match(report, /P_dynamic/);
    const runId = Number(done.match(/stored as run (\d+)/)![1]);
    const store = openStore(db, { create: false });
    try {
      const run = store.getRun(runId)!;
      assert.equal(run.modelHash, runnable.model.hash);
      assert.equal(run.report.answered, 300);
      const power = store.runPower(runId);
      // The virtual monitor is an emulated LPM01A beside the virtual board.
      assert.equal(power.summary?.monitor, 'lpm01a');
      assert.ok(power.summary.measured.dynamicW! > 0);
      assert.ok(power.samples.length > 0);
    } finally {
      store.close();
    }
    await press(app, '4');
    const results = await until(app, new RegExp(`run ${runId}\\s+done`), 3000);
    assert.match(results, new RegExp(`run ${runId}\\s+done\\s+64,32`));
  });

  it('b builds the selected model for icebreaker: the stages live, then the stored build in the list', { timeout: 300_000 }, async () => {
    await press(app, '1', 'k', 'k', 'k');
    const started = await press(app, 'b');
    assert.match(started, new RegExp(`build of ${runnable.model.hash.slice(0, 12)} for icebreaker: running`));
    const done = await until(app, /for icebreaker: (done|failed) \(stored as build #\d+\)/, 280_000);
    assert.match(done, /for icebreaker: done/);
    assert.match(done, /synth ok \d+\.\d s -> pnr ok \d+\.\d s -> pack ok/);
    assert.ok(app.frames.some((f) => /synth \.\.\./.test(f)), 'a frame while synthesis ran');
    const id = Number(done.match(/stored as build #(\d+)/)![1]);
    assert.match(await until(app, new RegExp(`#${id}\\s+${runnable.model.hash.slice(0, 12)}\\s+icebreaker\\s+ok`), 3000), /Enter open its log/);
    const store = openStore(db, { create: false });
    try {
      const build = store.getBuild(id)!;
      assert.equal(build.modelHash, runnable.model.hash);
      assert.match(build.log ?? '', /==> synth: /);
    } finally {
      store.close();
    }
  });
});

describe('terminal UI on an empty database', () => {
  it('says what to do on every screen and creates no file', async () => {
    const dir = tempDir('gatebench-ui-empty-');
    const db = join(dir, 'none.db');
    const reader = new StoreReader(db);
    const jobs = new JobController({ db });
    const app = render(<App reader={reader} jobs={jobs} pollMs={100} />);
    try {
      const models = flat(await until(app, /no models yet/, 3000));
      assert.match(models, /does not exist yet: the first run, build or sweep started here creates it/);
      assert.match(models, /no models yet: press n on 3 Sweeps for a small sweep, or run gatebench run model\.json --board virtual/);
      assert.match(flat(await press(app, '2')), /no builds yet: press b on a model/);
      assert.match(flat(await press(app, '3')), /no sweeps yet: press n or run gatebench sweep/);
      assert.match(await press(app, '4'), /no results yet/);
      assert.match(await press(app, '5'), /no run yet/);
      // Keys with nothing to act on do nothing.
      const frame = await press(app, '1', 'r', 'b', ENTER, 'j', 'k');
      assert.match(frame, /no models yet/);
      assert.equal(jobs.view().run, null);
      assert.throws(() => openStore(db, { create: false }), /no such database/);
    } finally {
      app.unmount();
      await jobs.close();
      reader.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('terminal UI: a finished cell whose build failed', () => {
  it('shows the build status (timing-failed) in the grid and the cell list, not done', async () => {
    const dir = tempDir('gatebench-ui-builds-');
    const db = join(dir, 'gatebench.db');
    const counter = writeVerilog(dir, 'counter.v', COUNTER);
    const met = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker' });
    const missed = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker', options: { freqMHz: 400, icetime: false } });
    assert.deepEqual([met.status, missed.status], ['ok', 'timing-failed']);
    const store = openStore(db);
    try {
      const models = [fixtureModel(1), fixtureModel(2)];
      for (const m of models) store.addModel(m);
      store.createSweep({ grid: { depth: [2], width: [40], finalWidth: [20, 'same'] }, board: 'icebreaker' }, ['d2-w40-f20', 'd2-w40-f40'].map((key) => ({ key, depth: 2, width: 40, finalWidth: Number(key.slice(-2)) })));
      for (const [i, build] of [met, missed].entries()) {
        const cell = store.claimCell('s1')!;
        store.finishCell(cell.id, { modelHash: models[i]!.hash, buildId: store.addBuild(build, fixtureProvenance(models[i]!.hash)) });
      }
    } finally {
      store.close();
    }
    const reader = new StoreReader(db);
    const jobs = new JobController({ db });
    const app = render(<App reader={reader} jobs={jobs} pollMs={100} />);
    try {
      await until(app, /2 Builds/, 3000);
      await press(app, '3');
      await until(app, /s1\s+done/, 3000);
      await press(app, ENTER);
      // The header comes with the sweep list; the cells with the next read of the open sweep.
      const grid = await until(app, /d2-w40-f40\s+\S/, 3000);
      assert.match(grid, /depth 2\s+✓ done\s+⚠ timing-failed/);
      assert.match(grid, /d2-w40-f20\s+✓ done/);
      assert.match(grid, /d2-w40-f40\s+⚠ timing-failed/);
      assert.doesNotMatch(grid, /d2-w40-f40\s+✓/);
    } finally {
      app.unmount();
      await jobs.close();
      reader.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
