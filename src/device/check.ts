import type { EncodedSet } from '../data/encoding.js';
import type { StreamAnswers } from '../link/stream.js';
import type { DiscreteNetwork } from '../model/network.js';
import { evaluateReference } from '../model/reference.js';
import type { RunReport } from './report.js';

/** Mismatches kept in full in the report (the count covers all of them). */
const MISMATCHES_SHOWN = 5;

/**
 * Checking a run's answers: compare every answer received with the software model
 * (src/model/reference.ts); the board's and the software's accuracy over the answered vectors, and
 * a clocked core's latency from the device's cycle counts. Fills `answered`, `mismatches`,
 * `firstMismatches`, `accuracy`, `softwareAccuracy` and, for a clocked core, `latency`.
 */
export function checkAnswers(report: RunReport, answers: StreamAnswers, net: DiscreteNetwork, subset: EncodedSet, clocked: boolean): void {
  const count = subset.count;
  const ref = evaluateReference(net, subset);
  const k = ref.classes;
  let correct = 0;
  let softwareCorrect = 0;
  const cycles = new Set<number>();
  for (let i = 0; i < count; i++) {
    if (answers.classIdx[i] === -1) continue;
    report.answered++;
    cycles.add(answers.cycles[i]!);
    let differ = answers.classIdx[i] !== ref.predictions[i];
    for (let c = 0; c < k; c++) if (answers.sums[i * k + c] !== ref.sums[i * k + c]) differ = true;
    if (differ) {
      report.mismatches++;
      if (report.firstMismatches.length < MISMATCHES_SHOWN) {
        report.firstMismatches.push({
          index: i,
          expected: { sums: Array.from(ref.sums.subarray(i * k, (i + 1) * k)), classIdx: ref.predictions[i]! },
          actual: { sums: Array.from(answers.sums.subarray(i * k, (i + 1) * k)), classIdx: answers.classIdx[i]! },
        });
      }
    }
    if (answers.classIdx[i] === subset.labels[i]) correct++;
    if (ref.predictions[i] === subset.labels[i]) softwareCorrect++;
  }
  report.accuracy = report.answered ? correct / report.answered : null;
  report.softwareAccuracy = report.answered ? softwareCorrect / report.answered : null;
  if (clocked && cycles.size > 0) {
    const c = Math.max(...cycles);
    Object.assign(report.latency, { kind: 'clocked', cycles: c, ns: (c / report.clockHz) * 1e9, source: `device counter: ${c} cycle${c === 1 ? '' : 's'} at ${report.clockHz / 1e6} MHz` });
  }
}
