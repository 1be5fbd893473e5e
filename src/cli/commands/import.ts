import { importModel, type ImportResult } from '../../app/importModel.js';
import { DB_FLAG, DB_USAGE, dbPathFromOptions } from '../../app/dbOptions.js';
import { stringOption } from '../../app/options.js';
import { defineCommand } from '../command.js';
import { modelPath } from './info.js';

export const importCommand = defineCommand<ImportResult>({
  name: 'import',
  usage: `gatebench import model.json [--vectors model.vectors.json] ${DB_USAGE} [--json]`,
  summary: 'check and store a model exported from difflogic or torchlogix (python -m gatebench_export)',
  details: [
    'Validates the model file and its hash; with --vectors, evaluates the exported vectors with the reference and requires',
    "the very class sums PyTorch gave for them (a mismatch is reported like sim's and nothing is stored). The model is stored",
    'with its origin (framework and version, exporter and version); emit, sim, build, run and reports then take it like any model.',
  ].join('\n'),
  flags: { vectors: { type: 'string' }, ...DB_FLAG },
  async run(positionals, options) {
    return importModel({ file: modelPath(positionals, this.usage), vectors: stringOption(options, 'vectors') ?? null, db: dbPathFromOptions(options) });
  },
  render(r) {
    const from = r.origin ? `${r.origin.framework} ${r.origin.frameworkVersion ?? '(version unknown)'} via ${r.origin.exporter} ${r.origin.exporterVersion}` : 'a gatebench model file';
    const check = r.vectors
      ? [
          `${r.vectors.mismatches === 0 ? 'PASS' : 'FAIL'}: ${r.vectors.checked} vectors from ${r.vectors.file}, ${r.vectors.mismatches} mismatches` +
            (r.vectors.classIdxOnly ? ` (${r.vectors.classIdxOnly} in class_idx only)` : ''),
          ...r.vectors.firstMismatches.map(
            (m) => `  vector ${m.index}: reference sums [${m.expected.sums.join(' ')}] class ${m.expected.classIdx}, ${r.origin?.framework ?? 'exported'} [${m.actual.sums.join(' ')}] class ${m.actual.classIdx}`,
          ),
        ]
      : ['no vectors given: the class sums were not checked against the framework (--vectors)'];
    return [
      `model ${r.hash.slice(0, 16)}: ${r.gates} gates (${r.widths.join(',')}), ${r.classes} classes, tau ${r.tau}, from ${from}`,
      ...check,
      r.stored ? `stored in ${r.stored}` : 'not stored',
    ].join('\n');
  },
  failure(r) {
    return r.ok ? null : `import: ${r.vectors?.mismatches} of ${r.vectors?.checked} vectors differ between the reference and ${r.origin?.framework ?? 'the exported scores'}; the model was not stored`;
  },
});
