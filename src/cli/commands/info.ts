import { pct } from '../../app/format.js';
import type { Encoding } from '../../data/encoding.js';
import { GATE_NAMES } from '../../model/gates.js';
import { loadModel, type Metrics, type Model, type ModelOrigin, type TrainingInfo } from '../../model/modelFile.js';
import { gateCount, gateHistogram, groupSize, sumBits } from '../../model/network.js';
import { UserError } from '../../util/errors.js';
import { defineCommand } from '../command.js';

export interface ModelSummary {
  hash: string;
  inputBits: number;
  classes: number;
  widths: number[];
  gates: number;
  groupSize: number;
  sumBits: number;
  tau: number;
  wiring: string;
  gateHistogram: Record<string, number>;
  encoding: Encoding;
  dataset: string | null;
  training: TrainingInfo | null;
  /** Where an imported model came from; null for gatebench's own. */
  origin: ModelOrigin | null;
  metrics: Metrics;
}

export function summariseModel(model: Model): ModelSummary {
  const { network, architecture } = model;
  const histogram = gateHistogram(network);
  return {
    hash: model.hash,
    inputBits: network.inputBits,
    classes: network.classes,
    widths: architecture.widths,
    gates: gateCount(network),
    groupSize: groupSize(network),
    sumBits: sumBits(network),
    tau: architecture.tau,
    wiring: architecture.wiring,
    gateHistogram: Object.fromEntries(GATE_NAMES.map((name, i) => [name, histogram[i]!])),
    encoding: model.encoding,
    dataset: model.dataset?.spec ?? null,
    training: model.training,
    origin: model.origin ?? null,
    metrics: model.metrics,
  };
}

export function modelPath(positionals: string[], usage: string): string {
  const path = positionals[0];
  if (!path) throw new UserError(`expected a model file: ${usage}`);
  return path;
}

export const infoCommand = defineCommand<ModelSummary>({
  name: 'info',
  usage: 'gatebench info model.json [--json]',
  summary: 'architecture, gate histogram, hash and accuracy of a model',
  flags: {},
  async run(positionals) {
    return summariseModel(loadModel(modelPath(positionals, this.usage)));
  },
  render(s) {
    const e = s.encoding;
    const levels = e.thresholds[0]!.length;
    const total = s.gates;
    const histogram = Object.entries(s.gateHistogram)
      .filter(([, n]) => n > 0)
      .sort((x, y) => y[1] - x[1])
      .map(([name, n]) => `  ${name.padEnd(12)} ${String(n).padStart(7)}  ${((n / total) * 100).toFixed(1).padStart(5)}%`);
    const t = s.training;
    return [
      `model ${s.hash}`,
      `network: ${s.inputBits} inputs -> ${s.widths.join(' -> ')} (${total} gates, ${s.wiring} wiring) -> GroupSum ${s.classes} x ${s.groupSize}, sums ${s.sumBits} bits, tau ${s.tau}`,
      `encoding: ${e.method}${e.method === 'thermometer' ? ` K=${levels}` : ` at ${e.thresholds[0]![0]}`}, shape ${e.shape.join('x')}${e.crop ? `, crop ${e.crop.height}x${e.crop.width} at (${e.crop.top},${e.crop.left})` : ''}`,
      `dataset: ${s.dataset ?? 'unknown'}`,
      ...(s.origin ? [`imported: ${s.origin.framework} ${s.origin.frameworkVersion ?? '(version unknown)'} via ${s.origin.exporter} ${s.origin.exporterVersion}${s.origin.dataset ? `, trained on ${s.origin.dataset}` : ''}`] : []),
      t ? `training: seed ${t.seed}, ${t.iterations} iterations of ${t.batch}, lr ${t.lr}, ${t.seconds.toFixed(1)} s on ${t.backend}, gatebench ${t.gatebenchVersion} ${t.gitRevision ?? ''}` : 'training: not recorded',
      `accuracy (test): relaxed ${pct(s.metrics.relaxedTestAccuracy)}, discrete ${pct(s.metrics.discreteTestAccuracy)}; discrete train ${pct(s.metrics.discreteTrainAccuracy)}`,
      'gates:',
      ...histogram,
    ].join('\n');
  },
});
