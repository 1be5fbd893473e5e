import { resolve } from 'node:path';
import { loadExportedVectors } from '../model/exportedVectors.js';
import { loadModel, type ModelOrigin } from '../model/modelFile.js';
import { gateCount } from '../model/network.js';
import { evaluateReference } from '../model/reference.js';
import { compareWithReference, type Mismatch } from '../sim/simulate.js';
import { openStore } from '../store/index.js';

export interface ImportResult {
  ok: boolean;
  file: string;
  hash: string;
  origin: ModelOrigin | null;
  widths: number[];
  gates: number;
  classes: number;
  tau: number;
  /** The framework's answers checked against gatebench's reference, when --vectors was given. */
  vectors: {
    file: string;
    checked: number;
    mismatches: number;
    /** Of the mismatches, those with the same sums but another class index. */
    classIdxOnly: number;
    /** `expected` is gatebench's reference, `actual` the framework's (PyTorch's) answer. */
    firstMismatches: Mismatch[];
  } | null;
  /** The store the model went into; null when the vectors disagreed (nothing is stored then). */
  stored: string | null;
}

/**
 * `gatebench import`: validate a model file (an exported difflogic or torchlogix network, or any
 * gatebench model file), check the framework's class sums for its vectors against the reference,
 * and store the model with its origin. From then on every stage treats it like a model trained here.
 */
export function importModel(o: { file: string; vectors: string | null; db: string }): ImportResult {
  const model = loadModel(o.file);
  const exported = o.vectors === null ? null : loadExportedVectors(o.vectors, model);
  // The store is opened (and migrated, or refused) before the evaluation, which may take a while.
  const store = openStore(o.db);
  try {
    let vectors: ImportResult['vectors'] = null;
    if (exported && o.vectors !== null) {
      const reference = evaluateReference(model.network, exported.vectors);
      const comparison = compareWithReference({ vectors: exported.vectors.count, sums: exported.sums, classIdx: exported.classIdx }, reference);
      vectors = { file: o.vectors, checked: comparison.checked, mismatches: comparison.mismatches, classIdxOnly: comparison.classIdxOnly, firstMismatches: comparison.first };
    }
    const ok = vectors === null || vectors.mismatches === 0;
    if (ok) store.addModel(model, { path: resolve(o.file) });
    return {
      ok,
      file: o.file,
      hash: model.hash,
      origin: model.origin ?? null,
      widths: model.architecture.widths,
      gates: gateCount(model.network),
      classes: model.network.classes,
      tau: model.architecture.tau,
      vectors,
      stored: ok ? o.db : null,
    };
  } finally {
    store.close();
  }
}
