import { writeFileSync } from 'node:fs';
import { DATASET_FLAGS, DATASET_USAGE, datasetFromOptions } from '../../app/dataOptions.js';
import { choiceOption, stringOption } from '../../app/options.js';
import { pct } from '../../app/format.js';
import { encodeSamples, type EncodedSet } from '../../data/encoding.js';
import { loadModel } from '../../model/modelFile.js';
import { accuracy } from '../../model/metrics.js';
import { evaluateReference, type ReferenceResult } from '../../model/reference.js';
import { defineCommand } from '../command.js';
import { OUTPUT_RULE, checkOutputFile } from '../../util/outputPath.js';
import { modelPath } from './info.js';

export interface EvalResult {
  model: string;
  dataset: string;
  split: string;
  vectors: number;
  accuracy: number;
  relaxedTestAccuracy: number | null;
  vectorsPerSecond: number;
  sumsFile: string | null;
}

/**
 * Per-vector class sums as CSV: `index,label,predicted,sum_0,...,sum_{k-1}`. This is the file
 * external checks (and later stages) compare against.
 */
export function sumsCsv(result: ReferenceResult, data: EncodedSet): string {
  const header = ['index', 'label', 'predicted', ...Array.from({ length: result.classes }, (_, c) => `sum_${c}`)].join(',');
  const lines = [header];
  for (let i = 0; i < result.count; i++) {
    const sums = Array.from(result.sums.subarray(i * result.classes, (i + 1) * result.classes));
    lines.push([i, data.labels[i], result.predictions[i], ...sums].join(','));
  }
  return lines.join('\n') + '\n';
}

export const evalCommand = defineCommand<EvalResult>({
  name: 'eval',
  usage: `gatebench eval model.json [${DATASET_USAGE}] [--split test|train] [--sums FILE] [--json]`,
  summary: 'accuracy of the discrete model (the bit-parallel reference), optionally every class sum',
  details: OUTPUT_RULE,
  flags: { ...DATASET_FLAGS, split: { type: 'string' }, sums: { type: 'string' } },
  async run(positionals, options) {
    const path = modelPath(positionals, this.usage);
    const sumsFile = stringOption(options, 'sums') ?? null;
    if (sumsFile) checkOutputFile('--sums', sumsFile);
    const model = loadModel(path);
    const dataset = datasetFromOptions(options, model.dataset?.spec);
    const split = choiceOption(options, 'split', ['test', 'train'] as const, 'test');
    const data = encodeSamples(model.encoding, split === 'test' ? dataset.test : dataset.train);
    const started = performance.now();
    const result = evaluateReference(model.network, data);
    const seconds = (performance.now() - started) / 1000;
    if (sumsFile) writeFileSync(sumsFile, sumsCsv(result, data));
    return {
      model: model.hash,
      dataset: dataset.spec,
      split,
      vectors: data.count,
      accuracy: accuracy(result, data.labels),
      relaxedTestAccuracy: model.metrics.relaxedTestAccuracy,
      vectorsPerSecond: data.count / seconds,
      sumsFile,
    };
  },
  render(r) {
    return [
      `discrete accuracy on ${r.dataset} (${r.split}, ${r.vectors} vectors): ${pct(r.accuracy)}`,
      `relaxed test accuracy at training: ${pct(r.relaxedTestAccuracy)}`,
      ...(r.sumsFile ? [`class sums written to ${r.sumsFile}`] : []),
    ].join('\n');
  },
});
