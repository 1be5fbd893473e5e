import { existsSync, readFileSync } from 'node:fs';
import type { EncodedSet } from '../data/encoding.js';
import { UserError } from '../util/errors.js';
import { Fields } from '../util/validate.js';
import type { Model } from './modelFile.js';
import { groupSize } from './network.js';

export const VECTORS_FORMAT = 'gatebench-vectors';
export const VECTORS_VERSION = 1;

/**
 * A framework's own answers for an imported model (python/gatebench_export writes them): encoded
 * input vectors and the class scores PyTorch gave for them in eval mode. On disk it is JSON:
 * `{format, version, modelHash, count, inputBits, classes, tau, bits: ['0101...'], scores: [[...]]}`.
 * A score is GroupSum's sum / tau, so the class sum is score x tau, which must be a whole number.
 */
export interface ExportedVectors {
  vectors: EncodedSet;
  /** count x classes, row-major: the framework's class sums. */
  sums: Int32Array;
  /** The class each vector's sums pick (highest, the lowest index on a tie, as everywhere in gatebench). */
  classIdx: Int32Array;
}

/** Largest distance of score x tau from a whole number still taken as that number (float32 scores). */
const SUM_TOLERANCE = 1e-3;

export function loadExportedVectors(path: string, model: Model): ExportedVectors {
  if (!existsSync(path)) throw new UserError(`${path}: no such vectors file`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: not a JSON vectors file (${(e as Error).message})`);
  }
  return parseExportedVectors(path, raw, model);
}

export function parseExportedVectors(source: string, raw: unknown, model: Model): ExportedVectors {
  const doc = new Fields(source, raw);
  doc.field('format').literal(VECTORS_FORMAT);
  doc.field('version').literal(VECTORS_VERSION);
  const hashField = doc.field('modelHash');
  if (hashField.string() !== model.hash) hashField.reject(`${model.hash}, the hash of the model being imported (these vectors belong to another model)`);
  const { inputBits, classes } = model.network;
  doc.field('inputBits').literal(inputBits);
  doc.field('classes').literal(classes);
  const tau = doc.field('tau').literal(model.architecture.tau);
  const count = doc.field('count').int(1);
  const rows = doc.field('bits').items();
  if (rows.length !== count) doc.field('bits').reject(`${count} rows (count)`, `${rows.length} rows`);
  const bits = new Uint8Array(count * inputBits);
  rows.forEach((row, i) => {
    const text = row.string();
    if (text.length !== inputBits || !/^[01]*$/.test(text)) row.reject(`a string of ${inputBits} characters 0 or 1 (one encoded vector)`);
    for (let j = 0; j < inputBits; j++) bits[i * inputBits + j] = text.charCodeAt(j) - 48;
  });
  const scoreRows = doc.field('scores').items();
  if (scoreRows.length !== count) doc.field('scores').reject(`${count} rows (count)`, `${scoreRows.length} rows`);
  const maxSum = groupSize(model.network);
  const sums = new Int32Array(count * classes);
  const classIdx = new Int32Array(count);
  scoreRows.forEach((row, i) => {
    const scores = row.items();
    if (scores.length !== classes) row.reject(`${classes} class scores`, `${scores.length} scores`);
    scores.forEach((score, c) => {
      const sum = score.number() * tau;
      const whole = Math.round(sum);
      if (Math.abs(sum - whole) > SUM_TOLERANCE || whole < 0 || whole > maxSum) {
        score.reject(`a class score (sum / tau) whose sum is a whole number from 0 to ${maxSum}, got sum ${sum}`);
      }
      sums[i * classes + c] = whole;
      if (whole > sums[i * classes + classIdx[i]!]!) classIdx[i] = c;
    });
  });
  return { vectors: { count, inputBits, bits, labels: new Uint8Array(count) }, sums, classIdx };
}
