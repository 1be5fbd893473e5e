import { readFileSync, existsSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import { checkDataset, hashSamples, stratifiedSplit, type Dataset } from './dataset.js';
import { rangeOf } from './idx.js';

export interface CsvOptions {
  /** Column name (needs a header) or 0-based index; default: the last column. */
  labelColumn?: string;
  /** Whether the first line names the columns; default: yes when it holds a non-number feature. */
  header?: boolean;
}

function splitLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

/**
 * A table with one label column and numeric features. Labels may be numbers or names; classes are
 * numbered in sorted label order. The last 20% of each class, in file order, is the test set.
 */
export function loadCsv(path: string, options: CsvOptions = {}): Dataset {
  if (!existsSync(path)) throw new UserError(`csv:${path}: no such file`);
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UserError(`${path}: the file is empty`);
  const rows = lines.map(splitLine);
  const columns = rows[0]!.length;
  if (columns < 2) throw new UserError(`${path}: expected at least 2 comma-separated columns, line 1 has ${columns}`);

  const header = options.header ?? rows[0]!.some((c) => c !== '' && !Number.isFinite(Number(c)));
  const names = header ? rows[0]! : rows[0]!.map((_, i) => String(i));
  let labelIndex = columns - 1;
  if (options.labelColumn !== undefined) {
    const byName = names.indexOf(options.labelColumn);
    const byIndex = /^\d+$/.test(options.labelColumn) ? Number(options.labelColumn) : -1;
    labelIndex = byName >= 0 ? byName : byIndex;
    if (labelIndex < 0 || labelIndex >= columns) {
      throw new UserError(`${path}: --label-column ${options.labelColumn} names no column (columns: ${names.join(', ')})`);
    }
  }
  const body = header ? rows.slice(1) : rows;
  const firstLine = header ? 2 : 1;
  const width = columns - 1;
  const features = new Float32Array(body.length * width);
  const rawLabels: string[] = [];
  body.forEach((cells, r) => {
    if (cells.length !== columns) {
      throw new UserError(`${path}:${r + firstLine}: ${cells.length} columns, expected ${columns}`);
    }
    let f = 0;
    cells.forEach((cell, c) => {
      if (c === labelIndex) {
        rawLabels.push(cell);
        return;
      }
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v)) {
        throw new UserError(`${path}:${r + firstLine}: column '${names[c]}' is '${cell}', expected a number`);
      }
      features[r * width + f++] = v;
    });
  });
  const distinct = [...new Set(rawLabels)];
  const numeric = distinct.every((l) => Number.isFinite(Number(l)));
  distinct.sort(numeric ? (x, y) => Number(x) - Number(y) : undefined);
  const classOf = new Map(distinct.map((l, i) => [l, i]));
  const labels = Uint8Array.from(rawLabels, (l) => classOf.get(l)!);
  const split = stratifiedSplit(features, labels, width, distinct.length, 0.2);
  const dataset: Dataset = {
    spec: `csv:${path}`,
    shape: [width],
    classes: distinct.length,
    classNames: distinct,
    valueRange: rangeOf(split.train.features),
    sharedScale: false,
    ...split,
    splitRule: 'last 20% of each class (file order) are test',
    hash: hashSamples(split.train, split.test),
  };
  return checkDataset(dataset, path, `label column '${names[labelIndex]}' has`);
}
