import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sweepFromOptions } from '../../src/app/sweep.js';
import { makeModel, saveModel } from '../../src/model/modelFile.js';
import { openStore } from '../../src/store/index.js';
import { randomNetwork, tempDir } from '../helpers.js';

/** A model file for the embedded digits' 20x20 crop (as an imported difflogic model would be). */
function digitModelFile(dir: string, name: string, classes: number, seed: number): string {
  const path = join(dir, name);
  saveModel(path, makeModel(randomNetwork(seed, 400, [60, 20], classes), { tau: 10, wiring: 'random' }, {
    encoding: { method: 'threshold', shape: [28, 28], crop: { top: 4, left: 4, height: 20, width: 20 }, thresholds: [[0.5]] },
    dataset: null,
    training: null,
    metrics: { relaxedTestAccuracy: null, discreteTestAccuracy: null, discreteTrainAccuracy: null },
    origin: { framework: 'difflogic', frameworkVersion: '0.1.0', exporter: 'gatebench_export', exporterVersion: '0.1.0', torch: null, python: null, dataset: 'mnist', exportedAt: null },
  }));
  return path;
}

describe('sweep --model: model files as cells', () => {
  const dir = tempDir();
  const model = digitModelFile(dir, 'imported.json', 10, 1);

  it('makes a cell of each model file beside the grid, which it loads instead of training', () => {
    const db = join(dir, 'cells.db');
    const { sweep } = sweepFromOptions(db, { model, depth: '2', width: '40', 'run-on': 'none', power: 'none' });
    const store = openStore(db, { create: false });
    try {
      const cells = store.sweepCells(sweep.id);
      const hash = (JSON.parse(JSON.stringify(sweep.spec)) as { models: { hash: string }[] }).models[0]!.hash;
      assert.deepEqual(cells.map((c) => c.key), ['d2-w40-f40', `model-${hash.slice(0, 12)}`]);
      const fileCell = cells[1]!;
      assert.deepEqual([fileCell.depth, fileCell.width, fileCell.finalWidth], [2, 60, 20]);
      assert.deepEqual(fileCell.params, { widths: [60, 20], model: { path: model, hash } });
    } finally {
      store.close();
    }
    // Model files alone make a sweep too.
    const alone = sweepFromOptions(join(dir, 'alone.db'), { model, 'run-on': 'none', power: 'none' });
    assert.equal(alone.sweep.cells.total, 1);
  });

  it('refuses a model file that does not fit the dataset, and a sweep with no cells, in one line', () => {
    const twoClasses = digitModelFile(dir, 'two-classes.json', 2, 2);
    assert.throws(() => sweepFromOptions(join(dir, 'bad.db'), { model: twoClasses, 'run-on': 'none', power: 'none' }), /^UserError: --model .*two-classes\.json: has 2 classes, mnist has 10$/m);
    assert.throws(() => sweepFromOptions(join(dir, 'none.db'), { 'run-on': 'none' }), /--depth: required, e\.g\. --depth 2,3,4 \(or --model FILE, or --resume ID\)/);
    assert.throws(() => sweepFromOptions(join(dir, 'none.db'), { model: join(dir, 'missing.json') }), /missing\.json: no such model file/);
  });
});
