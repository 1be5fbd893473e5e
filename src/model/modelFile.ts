import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { MAX_CLASSES, MIN_CLASSES } from '../data/dataset.js';
import { ENCODING_METHODS, inputBitCount, type Encoding } from '../data/encoding.js';
import { UserError } from '../util/errors.js';
import { Fields } from '../util/validate.js';
import { GATE_COUNT } from './gates.js';
import { INIT_MODES, networkHash, TRAIN_INPUTS, type Architecture, type DiscreteNetwork, type InitMode, type TrainInputs } from './network.js';
import { WIRING_MODES } from './wiring.js';

export const MODEL_FORMAT = 'gatebench-lgn';
export const MODEL_VERSION = 1;

export interface DatasetInfo {
  spec: string;
  hash: string;
  splitRule: string;
  classNames: string[];
  trainCount: number;
  testCount: number;
}

export interface TrainingInfo {
  seed: number;
  init: InitMode;
  /** Training-batch augmentation: 'none' or 'shift:N'. */
  augment: string;
  /** What the relaxed network trained on: the encoded bits or their real values. */
  inputs: TrainInputs;
  iterations: number;
  epochs: number | null;
  batch: number;
  lr: number;
  backend: string;
  seconds: number;
  samplesPerSecond: number;
  finalLoss: number;
  gatebenchVersion: string;
  gitRevision: string | null;
  node: string;
  createdAt: string;
}

/**
 * Where an imported model came from (`gatebench import`, written by python/gatebench_export): the
 * framework that trained it and the exporter that wrote the file. Absent for gatebench's own models.
 */
export interface ModelOrigin {
  framework: string;
  frameworkVersion: string | null;
  exporter: string;
  exporterVersion: string;
  /** torch and Python versions of the export, when the exporter gives them. */
  torch: string | null;
  python: string | null;
  /** What the model was trained on, as the user declared it to the exporter. */
  dataset: string | null;
  exportedAt: string | null;
}

export interface Metrics {
  relaxedTestAccuracy: number | null;
  discreteTestAccuracy: number | null;
  discreteTrainAccuracy: number | null;
}

/**
 * Everything later stages need from a trained model. On disk it is JSON:
 * `{format, version, hash, network: {inputBits, classes, tau, wiring, layers: [{a, b, gates}]},
 * encoding, dataset, training, metrics, origin?}` (origin only for imported models), where `gates` is one hex digit per neuron (the gate id)
 * and `hash` is networkHash() of the network, checked on load.
 */
export interface Model {
  hash: string;
  network: DiscreteNetwork;
  architecture: Architecture;
  encoding: Encoding;
  dataset: DatasetInfo | null;
  training: TrainingInfo | null;
  metrics: Metrics;
  origin?: ModelOrigin;
}

export function makeModel(network: DiscreteNetwork, architecture: Omit<Architecture, 'widths' | 'inputBits' | 'classes'>, rest: Omit<Model, 'hash' | 'network' | 'architecture'>): Model {
  return {
    hash: networkHash(network),
    network,
    architecture: {
      inputBits: network.inputBits,
      classes: network.classes,
      widths: network.layers.map((l) => l.gates.length),
      tau: architecture.tau,
      wiring: architecture.wiring,
    },
    ...rest,
  };
}

export function modelToJson(model: Model): string {
  const { network, architecture } = model;
  const doc = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    hash: model.hash,
    network: {
      inputBits: network.inputBits,
      classes: network.classes,
      tau: architecture.tau,
      wiring: architecture.wiring,
      widths: architecture.widths,
      layers: network.layers.map((l) => ({
        a: Array.from(l.a),
        b: Array.from(l.b),
        gates: Array.from(l.gates, (g) => g.toString(16)).join(''),
      })),
    },
    encoding: model.encoding,
    dataset: model.dataset,
    training: model.training,
    metrics: model.metrics,
    ...(model.origin ? { origin: model.origin } : {}),
  };
  return JSON.stringify(doc);
}

export function saveModel(path: string, model: Model): void {
  writeFileSync(path, modelToJson(model) + '\n');
}

export function loadModel(path: string): Model {
  if (!existsSync(path)) throw new UserError(`${path}: no such model file`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: not a JSON model file (${(e as Error).message})`);
  }
  return parseModel(path, raw);
}

export function parseModel(source: string, raw: unknown): Model {
  const doc = new Fields(source, raw);
  doc.field('format').literal(MODEL_FORMAT);
  doc.field('version').literal(MODEL_VERSION);
  const net = doc.field('network');
  const inputBits = net.field('inputBits').int(1);
  const classes = net.field('classes').int(MIN_CLASSES, MAX_CLASSES);
  const tau = net.field('tau').numberWhere((v) => v > 0, 'a positive number (GroupSum divides by it)');
  const wiring = net.field('wiring').oneOf(WIRING_MODES);
  let inDim = inputBits;
  const layers = net.field('layers').items().map((layer) => {
    const gatesField = layer.field('gates');
    const hex = gatesField.string();
    if (!/^[0-9a-f]+$/.test(hex)) gatesField.reject(`one hex digit (gate id 0-${GATE_COUNT - 1}) per neuron`);
    const width = hex.length;
    const a = layer.field('a').intArray(0, inDim - 1, width);
    const b = layer.field('b').intArray(0, inDim - 1, width);
    inDim = width;
    return { a, b, gates: Uint8Array.from(hex, (ch) => parseInt(ch, 16)) };
  });
  if (layers.length === 0) net.field('layers').reject('at least one layer');
  if (inDim % classes !== 0) net.field('layers').reject(`a last layer whose width is a multiple of ${classes} classes`, `a last layer of ${inDim}`);
  const widths = layers.map((l) => l.gates.length);
  // Written for people and tools that read the file; the layers are what counts, so they must agree.
  if (net.has('widths')) {
    const written = net.field('widths').intArray(1, Number.MAX_SAFE_INTEGER);
    if (written.join(',') !== widths.join(',')) net.field('widths').reject(`[${widths.join(',')}], the widths of the layers`, Array.from(written));
  }
  const network: DiscreteNetwork = { inputBits, classes, layers };
  const hash = doc.field('hash').string();
  if (hash !== networkHash(network)) doc.field('hash').reject(`the network's hash ${networkHash(network)} (the file was edited or is corrupt)`);
  const encoding = parseEncoding(doc.field('encoding'));
  if (inputBitCount(encoding) !== inputBits) {
    net.field('inputBits').reject(`${inputBitCount(encoding)}, the number of bits the encoding produces`);
  }
  const metrics = doc.field('metrics');
  const accuracyOf = (name: string) => (metrics.has(name) ? metrics.field(name).numberWhere((v) => v >= 0 && v <= 1, 'an accuracy from 0 to 1, or null') : null);
  const dataset = doc.optional('dataset', (d) => {
    const classNames = d.field('classNames').items().map((c) => c.string());
    if (classNames.length !== classes) d.field('classNames').reject(`${classes} names, one per class of network.classes`, `${classNames.length} names`);
    return {
      spec: d.field('spec').string(),
      hash: d.field('hash').string(),
      splitRule: d.field('splitRule').string(),
      classNames,
      trainCount: d.field('trainCount').int(0),
      testCount: d.field('testCount').int(0),
    };
  });
  const origin = doc.optional('origin', (o): ModelOrigin => {
    const optionalString = (name: string) => (o.has(name) ? o.field(name).string() : null);
    return {
      framework: o.field('framework').string(),
      frameworkVersion: optionalString('frameworkVersion'),
      exporter: o.field('exporter').string(),
      exporterVersion: o.field('exporterVersion').string(),
      torch: optionalString('torch'),
      python: optionalString('python'),
      dataset: optionalString('dataset'),
      exportedAt: optionalString('exportedAt'),
    };
  });
  return {
    hash,
    network,
    architecture: { inputBits, classes, tau, wiring, widths },
    encoding,
    dataset,
    training: doc.optional('training', (t) => ({
      seed: t.field('seed').int(),
      init: t.field('init').oneOf(INIT_MODES),
      augment: t.has('augment') ? t.field('augment').string() : 'none',
      inputs: t.has('inputs') ? t.field('inputs').oneOf(TRAIN_INPUTS) : 'bits',
      iterations: t.field('iterations').int(0),
      epochs: t.has('epochs') ? t.field('epochs').number() : null,
      batch: t.field('batch').int(1),
      lr: t.field('lr').numberWhere((v) => v > 0, 'a positive number'),
      backend: t.field('backend').string(),
      seconds: t.field('seconds').number(),
      samplesPerSecond: t.field('samplesPerSecond').number(),
      finalLoss: t.field('finalLoss').number(),
      gatebenchVersion: t.field('gatebenchVersion').string(),
      gitRevision: t.has('gitRevision') ? t.field('gitRevision').string() : null,
      node: t.field('node').string(),
      createdAt: t.field('createdAt').string(),
    })),
    metrics: {
      relaxedTestAccuracy: accuracyOf('relaxedTestAccuracy'),
      discreteTestAccuracy: accuracyOf('discreteTestAccuracy'),
      discreteTrainAccuracy: accuracyOf('discreteTrainAccuracy'),
    },
    ...(origin ? { origin } : {}),
  };
}

function parseEncoding(f: Fields): Encoding {
  const method = f.field('method').oneOf(ENCODING_METHODS);
  const shape = f.field('shape').items().map((d) => d.int(1));
  const crop = f.optional('crop', (c) => {
    if (shape.length !== 2) c.reject('null: a crop needs a 2-D encoding.shape');
    const top = c.field('top').int(0, shape[0]! - 1);
    const left = c.field('left').int(0, shape[1]! - 1);
    return { top, left, height: c.field('height').int(1, shape[0]! - top), width: c.field('width').int(1, shape[1]! - left) };
  });
  const thresholdsField = f.field('thresholds');
  const thresholds = thresholdsField.items().map((t) => t.numberArray());
  const levels = thresholds[0]?.length ?? 0;
  const features = crop ? crop.height * crop.width : shape.reduce((p, d) => p * d, 1);
  if (levels === 0 || thresholds.some((t) => t.length !== levels) || (thresholds.length !== 1 && thresholds.length !== features)) {
    thresholdsField.reject(`1 or ${features} lists of thresholds, all of the same non-zero length`);
  }
  return { method, shape, crop, thresholds };
}
