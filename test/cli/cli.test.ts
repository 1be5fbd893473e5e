import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../../src/data/index.js';
import { encodeSamples } from '../../src/data/encoding.js';
import { accuracy } from '../../src/model/metrics.js';
import { loadModel } from '../../src/model/modelFile.js';
import { evaluateReference } from '../../src/model/reference.js';
import { CLI, runCli, tempDir } from '../helpers.js';

const gatebench = (...args: string[]) => runCli(args);

const dir = tempDir();
const modelPath = join(dir, 'small.json');
const TRAIN_ARGS = ['train', '--dataset', 'mnist', '--crop', '20', '--widths', '400,200', '--iterations', '60', '--seed', '3', '--json'];

test('train writes a model whose recorded accuracy, eval and the reference all agree', () => {
  const trained = gatebench(...TRAIN_ARGS, '--out', modelPath);
  assert.equal(trained.status, 0, trained.stderr);
  const summary = JSON.parse(trained.stdout);
  assert.deepEqual(summary.model.widths, [400, 200]);
  assert.equal(summary.model.inputBits, 400);
  assert.equal(summary.model.gates, 600);
  assert.ok(summary.model.metrics.relaxedTestAccuracy > 0 && summary.model.metrics.discreteTestAccuracy > 0.2);

  const sumsPath = join(dir, 'sums.csv');
  const evaluated = gatebench('eval', modelPath, '--sums', sumsPath, '--json');
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const result = JSON.parse(evaluated.stdout);

  const model = loadModel(modelPath);
  const test = encodeSamples(model.encoding, loadDataset('mnist').test);
  const reference = evaluateReference(model.network, test);
  assert.equal(result.vectors, 2000);
  assert.equal(result.accuracy, accuracy(reference, test.labels));
  assert.equal(result.accuracy, summary.model.metrics.discreteTestAccuracy);

  const rows = readFileSync(sumsPath, 'utf8').trim().split('\n');
  assert.equal(rows.length, 2001);
  const [index, label, predicted, ...sums] = rows[1234]!.split(',').map(Number);
  assert.equal(index, 1233);
  assert.equal(label, test.labels[1233]);
  assert.equal(predicted, reference.predictions[1233]);
  assert.deepEqual(sums, Array.from(reference.sums.subarray(1233 * 10, 1234 * 10)));

  const info = JSON.parse(gatebench('info', modelPath, '--json').stdout);
  assert.equal(info.hash, model.hash);
  assert.equal(Object.values(info.gateHistogram as Record<string, number>).reduce((a, b) => a + b, 0), 600);
});

test('the same seed trains the same model', () => {
  const again = join(dir, 'again.json');
  assert.equal(gatebench(...TRAIN_ARGS, '--out', again).status, 0);
  assert.equal(loadModel(again).hash, loadModel(modelPath).hash);
});

test('--train-inputs real trains on the relaxed pixels, records it, and is evaluated on the stored bits', () => {
  const realPath = join(dir, 'real.json');
  const trained = gatebench(...TRAIN_ARGS, '--train-inputs', 'real', '--out', realPath);
  assert.equal(trained.status, 0, trained.stderr);
  const model = loadModel(realPath);
  assert.equal(model.training?.inputs, 'real');
  assert.equal(loadModel(modelPath).training?.inputs, 'bits');
  assert.notEqual(model.hash, loadModel(modelPath).hash);
  const test = encodeSamples(model.encoding, loadDataset('mnist').test);
  assert.equal(accuracy(evaluateReference(model.network, test), test.labels), model.metrics.discreteTestAccuracy);
  assert.ok(model.metrics.discreteTestAccuracy! > 0.2);
});

test('bad input is one line on stderr and exit code 2', () => {
  const corrupt = join(dir, 'corrupt.json');
  writeFileSync(corrupt, '{"format":"gatebench-lgn","version":1,"network":{}}');
  const badIdx = tempDir();
  writeFileSync(join(badIdx, 'train-images-idx3-ubyte'), Buffer.from([1, 2, 3, 4, 0, 0, 0, 0]));
  writeFileSync(join(badIdx, 'train-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 0]));
  const cases: [string[], RegExp][] = [
    [['info', join(dir, 'missing.json')], /missing\.json: no such model file/],
    [['eval', corrupt], /corrupt\.json: field network\.inputBits is missing, expected an integer from 1/],
    [['train', '--dataset', 'cifar', '--widths', '100', '--out', 'x.json'], /--dataset: unknown dataset 'cifar', expected mnist, fashion-mnist, idx:DIR or csv:FILE/],
    [['train', '--widths', '400,95', '--out', 'x.json'], /--widths: the last layer has 95 neurons, which is not divisible by the 10 classes of mnist/],
    [['train', '--dataset', `idx:${badIdx}`, '--widths', '100', '--out', 'x.json'], /train-images-idx3-ubyte: not an IDX file: magic number 0x01020304/],
    [['train', '--widths', '100', '--lr', 'fast', '--out', 'x.json'], /--lr: expected a positive number, got 'fast'/],
    [['train', '--widths', '100', '--train-inputs', 'floats', '--out', 'x.json'], /--train-inputs: expected bits or real, got 'floats'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const r = gatebench(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('the package exposes the gatebench binary', () => {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'));
  assert.equal(pkg.bin.gatebench, 'dist/src/cli/main.js');
  assert.match(execFileSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }), /usage: gatebench <command>/);
});
