import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEncoding } from '../../src/data/encoding.js';
import { loadDataset } from '../../src/data/index.js';
import { buildBitstream } from '../../src/flow/index.js';
import { makeModel, saveModel, type Model } from '../../src/model/modelFile.js';
import { openStore } from '../../src/store/index.js';
import { COUNTER, writeVerilog } from '../flow/verilog.js';
import { randomNetwork } from '../helpers.js';
import { Rng } from '../../src/util/rng.js';
import { fixtureModel, fixturePower, fixtureProvenance, fixtureRun, fixtureSamples } from '../store/fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A model that can really run: a random 32-input, 4-class network with a CSV dataset of 32
 * features (1,500 rows, so a 300-vector test split) and the threshold encoding made from it.
 */
export function runnableModel(dir: string): { model: Model; path: string } {
  const rng = new Rng(11);
  const rows = Array.from({ length: 1500 }, (_, i) => [...Array.from({ length: 32 }, () => rng.next().toFixed(3)), `c${i % 4}`].join(','));
  const csv = join(dir, 'table.csv');
  writeFileSync(csv, `${[...Array.from({ length: 32 }, (_, i) => `f${i}`), 'label'].join(',')}\n${rows.join('\n')}\n`);
  const dataset = loadDataset(`csv:${csv}`);
  const model = makeModel(randomNetwork(12, 32, [64, 32], 4), { tau: 10, wiring: 'random' }, {
    encoding: makeEncoding(dataset, { method: 'threshold' }),
    dataset: { spec: dataset.spec, hash: dataset.hash, splitRule: dataset.splitRule, classNames: dataset.classNames, trainCount: dataset.train.count, testCount: dataset.test.count },
    training: null,
    metrics: { relaxedTestAccuracy: null, discreteTestAccuracy: 0.25, discreteTrainAccuracy: null },
  });
  const path = join(dir, 'runnable.json');
  saveModel(path, model);
  return { model, path };
}

export interface Filled {
  models: Model[];
  buildIds: number[];
  /** The sweep's cell keys by the state they were left in. */
  cells: Record<'done' | 'failed' | 'running' | 'pending', string>;
}

/**
 * A database as work leaves it, written through the Store API: three models, a real build (a
 * counter, cached), runs with power (one fast, one slow, one stopped part-way) and a sweep with
 * a cell in every state, the running one at its build stage.
 */
export async function fillStore(db: string, dir: string): Promise<Filled> {
  const build = await buildBitstream({ verilogFiles: [writeVerilog(dir, 'counter.v', COUNTER)], top: 'top', board: 'icebreaker' });
  const store = openStore(db);
  try {
    const models = [fixtureModel(1, [40, 20]), fixtureModel(2, [30, 30, 20]), fixtureModel(3, [60, 20])];
    for (const m of models) store.addModel(m);
    const buildIds = [store.addBuild(build, fixtureProvenance(models[0]!.hash)), store.addBuild(build, fixtureProvenance(models[1]!.hash), { log: null })];
    const fast = { ...fixtureRun(), throughput: { ...fixtureRun().throughput!, deviceVectorsPerSecond: 900 } };
    store.addRun(fast, fixtureProvenance(models[1]!.hash), { buildId: buildIds[1]!, power: { summary: fixturePower(), samples: fixtureSamples(100) } });
    store.addRun(fixtureRun({ complete: false, error: 'device stopped answering' }), fixtureProvenance(models[2]!.hash));
    const keys = ['d2-w40-f20', 'd2-w40-f40', 'd3-w40-f20', 'd3-w40-f40'];
    store.createSweep({ grid: { depth: [2, 3], width: [40], finalWidth: [20, 'same'] }, board: 'icebreaker' }, keys.map((key) => ({ key, depth: Number(key[1]), width: 40, finalWidth: Number(key.slice(-2)) })));
    const done = store.claimCell('s1')!;
    const slowRun = store.addRun(fixtureRun(), fixtureProvenance(models[0]!.hash), { buildId: buildIds[0]!, power: { summary: fixturePower() } });
    store.finishCell(done.id, { modelHash: models[0]!.hash, buildId: buildIds[0]!, runId: slowRun });
    await sleep(5);
    const failed = store.claimCell('s1')!;
    store.failCell(failed.id, 'build: does not fit (needs 9000 LCs, the board has 5280)');
    const running = store.claimCell('s1')!;
    store.setCellStage(running.id, 'build', 'nextpnr-ice40');
    store.setCellQueueWorker(running.id, 'lab-bench-2');
    return { models, buildIds, cells: { done: done.key, failed: failed.key, running: running.key, pending: keys[3]! } };
  } finally {
    store.close();
  }
}
