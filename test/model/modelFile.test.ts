import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModel, makeModel, saveModel } from '../../src/model/modelFile.js';
import { randomNetwork, tempDir } from '../helpers.js';

function sampleModelFile(): string {
  const net = randomNetwork(3, 16, [20, 10], 5);
  const model = makeModel(net, { tau: 2, wiring: 'random' }, {
    encoding: { method: 'threshold', shape: [16], crop: null, thresholds: [[0.5]] },
    dataset: null,
    training: null,
    metrics: { relaxedTestAccuracy: null, discreteTestAccuracy: 0.5, discreteTrainAccuracy: null },
  });
  const path = join(tempDir(), 'model.json');
  saveModel(path, model);
  return path;
}

/** Each case corrupts a copy of the model document; loading it must fail naming the file, as the pattern says. */
function assertEachRefused(path: string, doc: unknown, cases: [(d: any) => void, RegExp][]): void {
  for (const [corrupt, message] of cases) {
    const copy = structuredClone(doc);
    corrupt(copy);
    const bad = path + '.bad';
    writeFileSync(bad, JSON.stringify(copy));
    assert.throws(() => loadModel(bad), (e: Error) => e.name === 'UserError' && e.message.startsWith(bad) && message.test(e.message), `expected ${message}`);
  }
}

test('a saved model loads back identical, hash included', () => {
  const path = sampleModelFile();
  const model = loadModel(path);
  assert.equal(model.network.layers.length, 2);
  assert.deepEqual(model.architecture.widths, [20, 10]);
  saveModel(path + '.again', model);
  assert.equal(readFileSync(path + '.again', 'utf8'), readFileSync(path, 'utf8'));
});

test('every corruption is reported with the file and the field', () => {
  const path = sampleModelFile();
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  const cases: [(d: any) => void, RegExp][] = [
    [(d) => (d.version = 9), /field version is 9, expected 1/],
    [(d) => (d.network.layers[1].a[3] = 99), /field network\.layers\[1\]\.a\[3\] is 99, expected an integer from 0 to 19/],
    [(d) => (d.network.layers[0].gates = 'zz' + d.network.layers[0].gates.slice(2)), /field network\.layers\[0\]\.gates .* expected one hex digit/],
    [(d) => (d.network.layers[1].gates = d.network.layers[1].gates.replace(/^./, (c: string) => (c === '0' ? '1' : '0'))), /field hash .*the file was edited or is corrupt/],
    [(d) => delete d.encoding, /field encoding is missing, expected an object/],
    [(d) => (d.network.classes = 3), /a last layer whose width is a multiple of 3 classes/],
  ];
  assertEachRefused(path, doc, cases);
  writeFileSync(path + '.trunc', '{"format": "gatebench-lgn", ');
  assert.throws(() => loadModel(path + '.trunc'), /not a JSON model file/);
});

test('fields that make no sense or contradict each other are refused, naming the field', () => {
  const path = sampleModelFile();
  const text = readFileSync(path, 'utf8');
  const doc = JSON.parse(text);
  const cases: [(d: any) => void, RegExp][] = [
    [(d) => (d.network.tau = -5), /field network\.tau is -5, expected a positive number/],
    [(d) => (d.network.tau = 0), /field network\.tau is 0, expected a positive number/],
    [(d) => (d.network.widths = [20, 20]), /field network\.widths is \[20,20\], expected \[20,10\], the widths of the layers/],
    [(d) => (d.network.classes = 1), /field network\.classes is 1, expected an integer from 2 to 255/],
    [(d) => (d.metrics.discreteTestAccuracy = 1.5), /field metrics\.discreteTestAccuracy is 1\.5, expected an accuracy from 0 to 1/],
    [
      (d) => (d.dataset = { spec: 'mnist', hash: 'h', splitRule: 'r', classNames: ['a', 'b'], trainCount: 1, testCount: 1 }),
      /field dataset\.classNames is "2 names", expected 5 names, one per class/,
    ],
  ];
  assertEachRefused(path, doc, cases);
  // JSON's 1e400 parses to Infinity, which JSON.stringify would show as null.
  writeFileSync(path + '.huge', text.replace(/"tau":2/, '"tau":1e400'));
  assert.throws(() => loadModel(path + '.huge'), /field network\.tau is Infinity \(out of range\), expected a positive number/);
});

test("an imported model's origin survives saving and loading; a malformed origin is refused naming the field", () => {
  const path = sampleModelFile();
  const origin = { framework: 'difflogic', frameworkVersion: '0.1.0', exporter: 'gatebench_export', exporterVersion: '0.1.0', torch: '1.13.0', python: '3.11.2', dataset: 'mnist', exportedAt: '2026-11-30T14:00:00+00:00' };
  const imported = { ...loadModel(path), origin };
  assert.equal(loadModel(path).origin, undefined, "gatebench's own models have no origin");
  saveModel(path, imported);
  assert.deepEqual(loadModel(path).origin, origin);
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  assertEachRefused(path, doc, [
    [(d) => delete d.origin.framework, /field origin\.framework is missing, expected a string/],
    [(d) => (d.origin.exporterVersion = 1), /field origin\.exporterVersion is 1, expected a string/],
  ]);
});
