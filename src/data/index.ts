import { UserError } from '../util/errors.js';
import type { Dataset } from './dataset.js';
import { loadCsv, type CsvOptions } from './csv.js';
import { loadFashionMnist } from './fashionMnist.js';
import { loadIdxFolder } from './idx.js';
import { loadEmbeddedMnist } from './mnist.js';

export type { Dataset, Samples } from './dataset.js';

/** Load a dataset from its spec: `mnist`, `fashion-mnist`, `idx:DIR` or `csv:FILE`. */
export function loadDataset(spec: string, csv: CsvOptions = {}): Dataset {
  if (spec === 'mnist') return loadEmbeddedMnist();
  if (spec === 'fashion-mnist') return loadFashionMnist();
  if (spec.startsWith('idx:')) return loadIdxFolder(spec.slice(4));
  if (spec.startsWith('csv:')) return loadCsv(spec.slice(4), csv);
  throw new UserError(`--dataset: unknown dataset '${spec}', expected mnist, fashion-mnist, idx:DIR or csv:FILE`);
}
