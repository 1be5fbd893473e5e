import { median } from '../util/stats.js';
import type { PowerEstimate } from './estimate.js';
import type { PowerMonitor, PowerSample } from './driver.js';

/** What the device was doing during a window of samples. */
export type PowerPhase = 'idle' | 'load' | 'stream';
export const POWER_PHASES: readonly PowerPhase[] = ['idle', 'load', 'stream'];

export interface PowerWindow {
  phase: PowerPhase;
  /** Host monotonic seconds (the samples' clock). */
  start: number;
  end: number;
  /** Samples inside the window after the settling time. */
  samples: number;
  medianAmps: number | null;
  /** Median power at the measurement point (the monitor's volts x amps). */
  medianSupplyW: number | null;
  /** Standard error of medianAmps (1.2533 sd / sqrt(n) for white noise), amps. */
  medianErrorAmps: number | null;
}

/** Power figures on the FPGA core rail: what the estimate predicts, so the two compare. */
export interface PowerFigures {
  idleW: number | null;
  loadW: number | null;
  dynamicW: number | null;
  streamW: number | null;
  /** P_dynamic / evaluations per second under STRESS. */
  energyPerInferenceJ: number | null;
  /** (P_stream - P_idle) / vectors per second of the streaming run. */
  streamEnergyPerInferenceJ: number | null;
}

export interface PowerMeasurement {
  monitor: { kind: string; target: string; description: string };
  /** The core rail the figures are referred to (board file rails, role core). */
  railVolts: number;
  /** Median voltage the monitor saw (its supply, or the rail's bus voltage). */
  supplyVolts: number | null;
  /**
   * How supply samples become core-rail power: 'voltage' when the monitor sits on the core rail
   * (its voltage is the rail's), 'current' when it supplies the core through a linear regulator
   * (the current passes through; core power = amps x rail volts).
   */
  referredBy: 'voltage' | 'current';
  windows: PowerWindow[];
  /** Evaluations per second: one per clock under STRESS; the streaming run's device rate. */
  rates: { stress: number | null; stream: number | null };
  measured: PowerFigures;
  /** One standard error of the measured figures that are differences (noise of the window medians). */
  uncertainty: { dynamicW: number | null; energyPerInferenceJ: number | null; streamEnergyPerInferenceJ: number | null };
  estimated: PowerFigures | null;
  /** Why there is no estimate, when the board's part has none ("not available for ECP5: ..."; powerEstimateGap). */
  estimateUnavailable: string | null;
  problems: string[];
  sampleCount: number;
}

/** Leading share of a window dropped before taking its median (the step from the last phase settles). */
const SETTLE_FRACTION = 0.1;

const medianOrNull = (values: readonly number[]): number | null => (values.length === 0 ? null : median(values));

/** Samples inside [start, end] after the settling share, and their medians. */
export function windowOf(samples: readonly PowerSample[], phase: PowerPhase, start: number, end: number): PowerWindow {
  const from = start + SETTLE_FRACTION * (end - start);
  const inside = samples.filter((s) => s.t >= from && s.t <= end);
  const amps = inside.map((s) => s.amps);
  let medianErrorAmps: number | null = null;
  if (amps.length > 1) {
    const mean = amps.reduce((a, b) => a + b, 0) / amps.length;
    const sd = Math.sqrt(amps.reduce((a, b) => a + (b - mean) ** 2, 0) / (amps.length - 1));
    medianErrorAmps = (1.2533 * sd) / Math.sqrt(amps.length);
  }
  return { phase, start, end, samples: inside.length, medianAmps: medianOrNull(amps), medianSupplyW: medianOrNull(inside.map((s) => s.watts)), medianErrorAmps };
}

const minus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);
const per = (w: number | null, rate: number | null): number | null => (w === null || rate === null || rate <= 0 ? null : w / rate);

/** P_dynamic and energies from the three phase powers. */
export function powerFigures(idleW: number | null, loadW: number | null, streamW: number | null, rates: PowerMeasurement['rates']): PowerFigures {
  const dynamicW = minus(loadW, idleW);
  return { idleW, loadW, dynamicW, streamW, energyPerInferenceJ: per(dynamicW, rates.stress), streamEnergyPerInferenceJ: per(minus(streamW, idleW), rates.stream) };
}

/** The estimate's figures for the same phases and rates. */
export function estimatedFigures(e: PowerEstimate, rates: PowerMeasurement['rates']): PowerFigures {
  const loadW = e.idleW + e.stress.energyPerInferenceJ * (rates.stress ?? e.clockHz);
  const streamW = rates.stream === null ? null : e.idleW + e.stream.energyPerInferenceJ * rates.stream;
  return powerFigures(e.idleW, loadW, streamW, { stress: rates.stress ?? e.clockHz, stream: rates.stream });
}

/** Median core-rail power of each phase from the monitor's samples, measured beside estimated. */
export function summarisePower(
  monitor: Pick<PowerMonitor, 'kind' | 'target' | 'description' | 'problems'>,
  samples: readonly PowerSample[],
  windows: readonly { phase: PowerPhase; start: number; end: number }[],
  o: { railVolts: number; rates: PowerMeasurement['rates']; estimate: PowerEstimate | null; estimateUnavailable?: string | null },
): PowerMeasurement {
  const ws = windows.map((w) => windowOf(samples, w.phase, w.start, w.end));
  const supplyVolts = medianOrNull(samples.map((s) => s.volts));
  // A monitor within 5% of the rail's voltage sits on the rail; else it feeds a regulator.
  const referredBy = supplyVolts !== null && Math.abs(supplyVolts - o.railVolts) > 0.05 * o.railVolts ? 'current' : 'voltage';
  const core = (phase: PowerPhase): number | null => {
    const w = ws.find((x) => x.phase === phase);
    if (!w) return null;
    return referredBy === 'current' ? (w.medianAmps === null ? null : w.medianAmps * o.railVolts) : w.medianSupplyW;
  };
  // Watts per amp on the core rail: the rail's volts when referred by current, else the supply's.
  const wattsPerAmp = referredBy === 'current' ? o.railVolts : (supplyVolts ?? o.railVolts);
  const errorW = (phase: PowerPhase): number | null => {
    const e = ws.find((x) => x.phase === phase)?.medianErrorAmps;
    return e === undefined || e === null ? null : e * wattsPerAmp;
  };
  const combined = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.hypot(a, b));
  const dynamicError = combined(errorW('idle'), errorW('load'));
  const streamError = combined(errorW('idle'), errorW('stream'));
  return {
    monitor: { kind: monitor.kind, target: monitor.target, description: monitor.description },
    railVolts: o.railVolts,
    supplyVolts,
    referredBy,
    windows: ws,
    rates: o.rates,
    measured: powerFigures(core('idle'), core('load'), core('stream'), o.rates),
    uncertainty: { dynamicW: dynamicError, energyPerInferenceJ: per(dynamicError, o.rates.stress), streamEnergyPerInferenceJ: per(streamError, o.rates.stream) },
    estimated: o.estimate ? estimatedFigures(o.estimate, o.rates) : null,
    estimateUnavailable: o.estimate ? null : (o.estimateUnavailable ?? null),
    problems: [...monitor.problems],
    sampleCount: samples.length,
  };
}
