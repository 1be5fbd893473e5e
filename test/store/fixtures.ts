import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunReport } from '../../src/device/run.js';
import { makeModel, type Model } from '../../src/model/modelFile.js';
import type { PowerSampleRow, PowerSummary, Provenance } from '../../src/store/index.js';
import { randomNetwork } from '../helpers.js';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The compiled store, for scripts run in child processes. */
export const STORE_MODULE = pathToFileURL(join(DIST, 'src', 'store', 'index.js')).href;
export const CLI = join(DIST, 'src', 'cli', 'main.js');

/** A trained-looking model: random network, full training and dataset records. */
export function fixtureModel(seed: number, widths: number[] = [40, 20]): Model {
  return makeModel(randomNetwork(seed, 16, widths, 10), { tau: 10, wiring: 'random' }, {
    encoding: { method: 'threshold', shape: [16], crop: null, thresholds: [[0.5]] },
    dataset: { spec: 'csv:digits.csv', hash: 'ab'.repeat(32), splitRule: 'last 20% of each class', classNames: [...'0123456789'], trainCount: 800, testCount: 200 },
    training: {
      seed,
      init: 'normal',
      augment: 'none',
      inputs: 'bits',
      iterations: 300,
      epochs: null,
      batch: 128,
      lr: 0.01,
      backend: 'cpu',
      seconds: 4.2,
      samplesPerSecond: 9100,
      finalLoss: 1.25,
      gatebenchVersion: '0.1.0',
      gitRevision: 'abc123def456',
      node: 'v20.20.2',
      createdAt: '2025-01-01T00:00:00.000Z',
    },
    metrics: { relaxedTestAccuracy: 0.71, discreteTestAccuracy: 0.685, discreteTrainAccuracy: 0.74 },
  });
}

export function fixtureProvenance(modelHash: string | null, board: string | null = 'icebreaker'): Provenance {
  return {
    gatebenchVersion: '0.1.0',
    gitRevision: 'abc123def456-dirty',
    node: process.version,
    host: 'bench-host',
    board,
    modelHash,
    seeds: { training: 1, placement: 1 },
    tools: { yosys: 'Yosys 0.23 (git sha1 7ce5011c24b)', 'nextpnr-ice40': 'nextpnr-0.4-36-gc8406b8' },
    collectedAt: '2025-01-01T00:00:00.000Z',
  };
}

/** A virtual-board run report of `vectors` vectors, `mismatches` of them wrong. */
export function fixtureRun(o: { vectors?: number; mismatches?: number; complete?: boolean; error?: string | null } = {}): RunReport {
  const vectors = o.vectors ?? 200;
  const complete = o.complete ?? true;
  return {
    board: 'virtual',
    virtual: true,
    level: 'rtl',
    port: '/dev/pts/7',
    baud: 115200,
    clockHz: 12_000_000,
    modelId: 'd853638242154503',
    complete,
    error: o.error ?? null,
    vectors,
    answered: complete ? vectors : vectors >> 1,
    mismatches: o.mismatches ?? 0,
    firstMismatches: o.mismatches ? [{ index: 3, expected: { sums: [1, 2], classIdx: 1 }, actual: { sums: [2, 1], classIdx: 0 } }] : [],
    accuracy: 0.68,
    // Two mismatches may move the board's answers off the software model's.
    softwareAccuracy: o.mismatches ? 0.69 : 0.68,
    latency: { kind: 'clocked', source: 'device counter: 3 cycles at 12 MHz', cycles: 3, ns: 250, criticalPathNs: 31.4, hostRoundTripMs: { p50: 1.9, p99: 3.2, samples: 50 }, deviceRoundTripMs: 1.7, pipelinedRoundTripMs: { p50: 20.1, p99: 22 } },
    throughput: {
      window: 16,
      vectors,
      wallSeconds: 0.5,
      wallVectorsPerSecond: 400,
      deviceSeconds: 0.4,
      deviceVectorsPerSecond: 500,
      theoreticalVectorsPerSecond: 1163,
      percentOfTheoretical: 43,
      requestFrameBytes: 9,
      answerFrameBytes: 8,
    },
    link: null,
    device: null,
    build: { hash: 'cd'.repeat(32), cached: true, message: 'built for icebreaker', lcs: '264/5280', fmaxMHz: 29.3 },
    flash: null,
    simulator: null,
    power: null,
    estimate: null,
  };
}

export function fixturePower(): PowerSummary {
  return {
    monitor: 'virtual',
    target: 'core rail',
    description: 'simulated monitor',
    measured: { idleW: 0.0001, loadW: 0.0006, dynamicW: 0.0005, streamW: 0.00012, energyPerInferenceJ: 4.2e-11, streamEnergyPerInferenceJ: 4e-8 },
    estimated: { idleW: 0.00009, loadW: 0.00055, dynamicW: 0.00046, energyPerInferenceJ: 3.8e-11, streamEnergyPerInferenceJ: 3.5e-8 },
    windows: [
      { phase: 'idle', start: 0, end: 2, samples: 1800, medianW: 0.0001 },
      { phase: 'load', start: 2, end: 4, samples: 1800, medianW: 0.0006 },
    ],
    problems: ['stream window shorter than 10 s'],
  };
}

/** `count` samples at 1 kHz from t0, cycling through the phases. */
export function fixtureSamples(count: number, t0 = 0): PowerSampleRow[] {
  const phases = ['idle', 'load', 'stream', 'other'] as const;
  return Array.from({ length: count }, (_, i) => {
    const amps = 0.0001 + (i % 7) * 1e-5;
    return { t: t0 + i / 1000, volts: 1.2, amps, watts: 1.2 * amps, phase: phases[Math.floor(i / 250) % 4]! };
  });
}
