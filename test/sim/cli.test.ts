import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { makeModel, saveModel } from '../../src/model/modelFile.js';
import { randomNetwork, tempDir } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

function writeModel(dir: string): string {
  const network = randomNetwork(31, 20, [60, 60, 40], 4);
  const model = makeModel(network, { tau: 10, wiring: 'random' }, {
    encoding: { method: 'threshold', shape: [20], crop: null, thresholds: [[0.5]] },
    dataset: null,
    training: null,
    metrics: { relaxedTestAccuracy: null, discreteTestAccuracy: null, discreteTrainAccuracy: null },
  } as unknown as Parameters<typeof makeModel>[2]);
  const path = join(dir, 'model.json');
  saveModel(path, model);
  return path;
}

test('gatebench emit writes lgn_core.v and its manifest, byte-identical on a second run', async () => {
  const dir = tempDir();
  const model = writeModel(dir);
  const a = await execa('node', [CLI, 'emit', model, '--out', join(dir, 'a'), '--pipeline', '1', '--json']);
  await execa('node', [CLI, 'emit', model, '--out', join(dir, 'b'), '--pipeline', '1']);
  const result = JSON.parse(a.stdout);
  assert.equal(result.ports.latency, 3);
  assert.equal(result.stats.nominalGates, 160);
  assert.equal(readFileSync(join(dir, 'a', 'lgn_core.v'), 'utf8'), readFileSync(join(dir, 'b', 'lgn_core.v'), 'utf8'));
  assert.equal(JSON.parse(readFileSync(join(dir, 'a', 'lgn_core.json'), 'utf8')).design, result.design);
  const bad = await execa('node', [CLI, 'emit', model, '--out', join(dir, 'c'), '--pipeline', '7'], { reject: false });
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /--pipeline: expected an integer from 0 to 3/);
});

test('gatebench sim --random checks every vector and reports the figures', async () => {
  const dir = tempDir();
  const model = writeModel(dir);
  const r = await execa('node', [CLI, 'sim', model, '--simulator', 'iverilog', '--random', '250', '--pipeline', '2', '--registered-io', '--json']);
  const result = JSON.parse(r.stdout);
  assert.equal(result.ok, true);
  assert.equal(result.checked, 250);
  assert.equal(result.vectors.random, 250);
  assert.equal(result.mismatches, 0);
  assert.equal(result.cyclesPerInference, 3);
  assert.equal(result.measuredLatency, 3);
  assert.ok(result.vectorsPerSecond > 0 && result.compileSeconds >= 0);
  const missing = await execa('node', [CLI, 'sim', model, '--simulator', 'iverilog'], { reject: false });
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /--dataset: required/);
});

test('gatebench sim --limit N --random M takes the model\'s own dataset as eval does, beside the random vectors', async () => {
  const dir = tempDir();
  const model = join(dir, 'mnist.json');
  await execa('node', [CLI, 'train', '--dataset', 'mnist', '--crop', '10', '--widths', '60,40', '--iterations', '20', '--out', model]);
  const both = JSON.parse((await execa('node', [CLI, 'sim', model, '--simulator', 'iverilog', '--limit', '20', '--random', '5', '--json'])).stdout);
  assert.deepEqual(both.vectors, { dataset: 20, random: 5, total: 25, source: 'mnist', split: 'test' });
  assert.equal(both.checked, 25);
  assert.equal(both.mismatches, 0);
  const randomOnly = JSON.parse((await execa('node', [CLI, 'sim', model, '--simulator', 'iverilog', '--limit', '0', '--random', '5', '--json'])).stdout);
  assert.deepEqual(randomOnly.vectors, { dataset: 0, random: 5, total: 5, source: null, split: null });
  const none = await execa('node', [CLI, 'sim', model, '--simulator', 'iverilog', '--limit', '0'], { reject: false });
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /no vectors to simulate: --limit is 0 and --random is 0/);
});
