import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAnswers } from '../../src/device/check.js';
import type { RunReport } from '../../src/device/run.js';
import { emptyAnswers, type StreamAnswers } from '../../src/link/stream.js';
import { evaluateReference } from '../../src/model/reference.js';
import { randomNetwork, randomVectors } from '../helpers.js';
import { fixtureRun } from '../store/fixtures.js';

const net = randomNetwork(3, 24, [48, 24], 4);
const data = randomVectors(4, 20, 24, 4);
const ref = evaluateReference(net, data);

/** A report before checking: nothing answered, latency not measured, at 25 MHz. */
function blankReport(): RunReport {
  return {
    ...fixtureRun({ vectors: data.count }),
    clockHz: 25e6,
    answered: 0,
    mismatches: 0,
    firstMismatches: [],
    accuracy: null,
    softwareAccuracy: null,
    latency: { kind: 'not-measured', source: 'no answer arrived to count cycles on', cycles: null, ns: null, criticalPathNs: null, hostRoundTripMs: null, deviceRoundTripMs: null, pipelinedRoundTripMs: null },
  };
}

/** The answers a correct device gives for vectors [0, answered), with `cycles` each. */
function correctAnswers(answered: number, cycles: number): StreamAnswers {
  const answers = emptyAnswers(data.count, ref.classes);
  for (let i = 0; i < answered; i++) {
    answers.classIdx[i] = ref.predictions[i]!;
    answers.cycles[i] = cycles;
    for (let c = 0; c < ref.classes; c++) answers.sums[i * ref.classes + c] = ref.sums[i * ref.classes + c]!;
  }
  answers.received = answered;
  return answers;
}

describe('checking a run\'s answers against the software model', () => {
  it('counts the answered vectors and gives the board the software model\'s accuracy when every answer matches', () => {
    const report = blankReport();
    checkAnswers(report, correctAnswers(15, 0), net, data, false);
    const softwareCorrect = Array.from(ref.predictions.subarray(0, 15)).filter((p, i) => p === data.labels[i]).length;
    assert.deepEqual([report.answered, report.mismatches, report.firstMismatches], [15, 0, []]);
    assert.equal(report.softwareAccuracy, softwareCorrect / 15);
    assert.equal(report.accuracy, report.softwareAccuracy);
    assert.equal(report.latency.kind, 'not-measured', 'a combinational core gets no latency from the counter');
  });

  it('finds a wrong sum even where the class is right, and keeps the first five mismatches in full', () => {
    const answers = correctAnswers(data.count, 0);
    for (const i of [2, 4, 6, 8, 10, 12]) answers.sums[i * ref.classes] = ref.sums[i * ref.classes]! + 1;
    const report = blankReport();
    checkAnswers(report, answers, net, data, false);
    assert.equal(report.mismatches, 6);
    assert.deepEqual(report.firstMismatches.map((m) => m.index), [2, 4, 6, 8, 10]);
    assert.equal(report.firstMismatches[0]!.actual.sums[0], report.firstMismatches[0]!.expected.sums[0]! + 1);
    assert.equal(report.firstMismatches[0]!.actual.classIdx, ref.predictions[2]);
  });

  it('gives a clocked core its latency in the device\'s cycles at the run\'s clock', () => {
    const report = blankReport();
    checkAnswers(report, correctAnswers(data.count, 5), net, data, true);
    assert.deepEqual([report.latency.kind, report.latency.cycles, report.latency.ns, report.latency.source], ['clocked', 5, 200, 'device counter: 5 cycles at 25 MHz']);
  });
});
