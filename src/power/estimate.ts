import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOARDS_DIR, loadBoard } from '../board/board.js';
import { FPGA_FAMILIES, FPGA_PARTS, type FpgaFamily } from '../board/devices.js';
import { emitVerilog, type EmitOptions } from '../hdl/emit.js';
import type { DiscreteNetwork } from '../model/network.js';
import type { VectorSet } from '../sim/simulate.js';
import { UserError } from '../util/errors.js';
import { hdlDir } from '../util/paths.js';
import { countToggles, type ToggleRun } from './toggles.js';

/**
 * Activity-based power estimate of an LGN core on an iCE40 UP5K (docs/power-estimate.md):
 *
 *   P_idle = P_static + f * (E_clock + FF * E_ff)        (clock network, flip-flops, idle logic)
 *   P_load = P_idle + f * T * E_toggle                   (STRESS: one evaluation per clock)
 *
 * T is the net transitions per evaluation counted by Verilator's toggle coverage on the yosys
 * synth_ice40 netlist of the core (src/power/toggles.ts). Every constant comes from public
 * measurements of a UP5K core rail (tinyvision-ai-inc/ice40_power); E_toggle is calibrated by
 * counting, with the same tools, the toggles of the very logic whose current was measured.
 */

export interface ActivityProfile {
  /** Toggles are counted on the synthesised iCE40 netlist's nets (LUT/carry/FF outputs and the core's ports). */
  level: 'netlist';
  /** Nets counted. */
  nets: number;
  /** Input vectors presented; the first sets the starting state, the others are evaluations counted. */
  evaluations: number;
  /** Net transitions over the counted evaluations (0->1 and 1->0 each count one). */
  toggles: number;
  /** toggles / (evaluations - 1): the transitions one new input causes. */
  togglesPerEvaluation: number;
  /** togglesPerEvaluation x energyPerToggleJ. */
  energyPerInferenceJ: number;
}

export interface PowerEstimate {
  device: string;
  /** The FPGA core rail (VCC, 1.2 V nominal on the UP5K). */
  rail: { name: string; volts: number };
  clockHz: number;
  /** Leakage and bias of the configured device (a blank design). */
  staticW: number;
  /** Clock network, flip-flops and idle logic of the design at clockHz (protocol engine idle). */
  clockW: number;
  /** staticW + clockW. */
  idleW: number;
  energyPerToggleJ: number;
  /** The device's STRESS sequence at one evaluation per clock: loadW = idleW + dynamicW. */
  stress: ActivityProfile & { dynamicW: number; loadW: number };
  /** The given vectors in order, one evaluation each. */
  stream: ActivityProfile;
  /** Clocked flip-flops the clock term counts (options.flipFlops, else the core's own). */
  flipFlops: number;
  constants: PowerConstant[];
  provenance: { yosys: string; verilator: string; designHash: string };
}

export interface PowerConstant {
  name: string;
  value: number;
  unit: string;
  source: string;
}

export interface PowerOptions {
  clockHz: number;
  /** Device id as in boards/*.json (only 'up5k' has measured constants: see powerEstimateGap). */
  device: string;
  /** How the core is emitted (as the device design emits it). */
  core?: Omit<EmitOptions, 'moduleName'>;
  /** Which vector the STRESS profile rotates (default 0: the last INFER payload). */
  stressVector?: number;
  /** At most this many vectors for the stream profile (default 1000). */
  limit?: number;
  cacheDir?: string;
  /** Clocked flip-flops of the whole device design, if known; default: the core's own. */
  flipFlops?: number;
}

/** The one part whose core-rail currents gatebench has measurements of, so the one it estimates for. */
export const POWER_MODEL_DEVICE = 'up5k';

/** How estimates and messages name a family. */
const FAMILY_NAMES: Record<FpgaFamily, string> = { ice40: 'iCE40', ecp5: 'ECP5', gowin: 'GOWIN' };

/** Why a part has no power estimate: "not available for ECP5: ..." and the short form for tables, "n/a (ECP5)". */
export interface PowerEstimateGap {
  readonly reason: string;
  readonly label: string;
}

/**
 * Why a part has no power estimate, or null when it has one (the iCE40 UP5K). Every constant of
 * the estimate is a UP5K measurement: on another family, or another iCE40, they would give figures
 * with nothing behind them, so the estimate says "not available for ECP5" (GOWIN; iCE40HX8K for
 * another iCE40 part) instead.
 */
export function powerEstimateGap(fpga: { readonly family: FpgaFamily; readonly device: string }): PowerEstimateGap | null {
  if (fpga.family === 'ice40' && fpga.device.toLowerCase() === POWER_MODEL_DEVICE) return null;
  const part = FPGA_PARTS[fpga.family].find((p) => p.id === fpga.device.toLowerCase());
  const what = fpga.family === 'ice40' ? (part?.part ?? fpga.device) : FAMILY_NAMES[fpga.family];
  return {
    reason: `not available for ${what}: gatebench's power constants are measured on the iCE40 UP5K core rail (docs/power-estimate.md), and none exist for ${fpga.family === 'ice40' ? 'this part' : 'this family'}`,
    label: `n/a (${what})`,
  };
}

/**
 * powerEstimateGap of a board as results name it ('ulx3s', or 'virtual (ulx3s)' for the virtual
 * board standing for it); null when it has an estimate or is not a board file here.
 */
export function powerEstimateGapOfBoard(name: string): PowerEstimateGap | null {
  const file = join(BOARDS_DIR, `${/^virtual \((.+)\)$/.exec(name)?.[1] ?? name}.json`);
  return existsSync(file) ? powerEstimateGap(loadBoard(file).fpga) : null;
}

/** The family of a device id as boards/*.json name it ('lfe5u-85f' -> ecp5), or null for an unknown id. */
function familyOfDevice(device: string): FpgaFamily | null {
  return FPGA_FAMILIES.find((f) => FPGA_PARTS[f].some((p) => p.id === device.toLowerCase())) ?? null;
}

const MEASURED = 'tinyvision-ai-inc/ice40_power README (iCE40 UltraPlus breakout, Joulescope JS110 on the 1.219 V core rail)';

/** Measured UP5K core-rail currents (A) and their conditions; see docs/power-estimate.md. */
const UP5K = {
  volts: 1.219,
  blankA: 85.6e-6,
  /** External 12 MHz clock; a 28-bit counter (28 flip-flops, 32 LCs) ... */
  counterA: 613.5e-6,
  counterFlipFlops: 28,
  /** ... and a 224-bit counter (224 flip-flops, 228 LCs): its toggles per clock are the same (~2 FF outputs). */
  wideCounterA: 641.3e-6,
  wideCounterFlipFlops: 224,
  /** HFOSC at 12 MHz with a 24-bit counter, without and with the Math logic (hdl/sim/power_calibration_math.v). */
  hfoscCounterA: 645e-6,
  hfoscMathA: 996e-6,
  mathFlipFlops: 16,
  hz: 12e6,
} as const;

/** Clocks the Math calibration design runs: 4 periods of its 256-state counters. */
const CALIBRATION_CLOCKS = 4 * 256;

export interface Up5kModel {
  staticW: number;
  /** Energy of the clock network and a free-running counter per clock (the idle protocol engine). */
  clockEnergyJ: number;
  /** Energy per clocked flip-flop per clock. */
  flipFlopEnergyJ: number;
  energyPerToggleJ: number;
  calibrationTogglesPerClock: number;
  constants: PowerConstant[];
  run: ToggleRun;
}

/**
 * The UP5K constants: read from the measurements, and E_toggle calibrated by counting the toggles
 * per clock of the measured Math logic on its synth_ice40 netlist (cached like every build).
 */
export async function up5kModel(cacheDir?: string): Promise<Up5kModel> {
  const m = UP5K;
  const perClock = (amps: number): number => (amps * m.volts) / m.hz;
  const staticW = m.blankA * m.volts;
  const flipFlopEnergyJ = perClock(m.wideCounterA - m.counterA) / (m.wideCounterFlipFlops - m.counterFlipFlops);
  const clockEnergyJ = perClock(m.counterA - m.blankA) - m.counterFlipFlops * flipFlopEnergyJ;
  const text = readFileSync(join(hdlDir(), 'sim', 'power_calibration_math.v'), 'utf8');
  const top = 'power_calibration_math';
  const design = {
    files: [{ name: `${top}.v`, text }],
    top,
    ports: { module: top, inputBits: 1, classes: 1, sumBits: 1, classIdxBits: 1, clocked: true, latency: 1 },
  };
  const clocks: VectorSet = { count: CALIBRATION_CLOCKS + 1, inputBits: 1, bits: new Uint8Array(CALIBRATION_CLOCKS + 1) };
  const run = await countToggles(design, clocks, { level: 'netlist', ...(cacheDir ? { cacheDir } : {}) });
  const calibrationTogglesPerClock = run.toggles / run.steps;
  const mathEnergyJ = perClock(m.hfoscMathA - m.hfoscCounterA) - m.mathFlipFlops * flipFlopEnergyJ;
  const energyPerToggleJ = mathEnergyJ / calibrationTogglesPerClock;
  const constants: PowerConstant[] = [
    { name: 'core rail voltage (measured)', value: m.volts, unit: 'V', source: MEASURED },
    { name: 'blank design core current', value: m.blankA, unit: 'A', source: MEASURED },
    { name: '28-bit counter, external 12 MHz (32 LCs)', value: m.counterA, unit: 'A', source: MEASURED },
    { name: '224-bit counter, external 12 MHz (228 LCs)', value: m.wideCounterA, unit: 'A', source: MEASURED },
    { name: '24-bit counter, HFOSC 12 MHz', value: m.hfoscCounterA, unit: 'A', source: MEASURED },
    { name: 'same + Math (8x8 multiply of two counters, no DSP)', value: m.hfoscMathA, unit: 'A', source: MEASURED },
    { name: 'static power (blank x 1.219 V)', value: staticW, unit: 'W', source: 'derived' },
    { name: 'energy per flip-flop per clock ((641.3 - 613.5) uA / 196 FFs)', value: flipFlopEnergyJ, unit: 'J', source: 'derived' },
    { name: 'clock network + idle counter per clock ((613.5 - 85.6) uA - 28 FFs)', value: clockEnergyJ, unit: 'J', source: 'derived' },
    { name: 'Math logic net toggles per clock (synth_ice40 netlist, Verilator toggle coverage)', value: calibrationTogglesPerClock, unit: 'toggles', source: 'simulated: hdl/sim/power_calibration_math.v' },
    { name: 'energy per net toggle ((996 - 645) uA - 16 FFs) / toggles per clock', value: energyPerToggleJ, unit: 'J', source: 'derived' },
  ];
  return { staticW, clockEnergyJ, flipFlopEnergyJ, energyPerToggleJ, calibrationTogglesPerClock, constants, run };
}

/**
 * The input sequence the device presents under STRESS (hdl/device/gatebench_device.v): the payload
 * register holds X = ceil(N/8) bytes, bit i in byte i/8 at bit i%8 (the padding bits zero), and
 * rotates down one byte every clock (byte 0 re-enters at the top); x is its low N bits. The
 * sequence has `periods` whole periods of X steps after its first vector.
 */
export function stressSequence(vector: Uint8Array, inputBits: number, periods: number): VectorSet {
  const registerBits = 8 * Math.ceil(inputBits / 8);
  const steps = periods * (registerBits / 8);
  const count = steps + 1;
  const bits = new Uint8Array(count * inputBits);
  for (let t = 0; t < count; t++) {
    for (let i = 0; i < inputBits; i++) {
      const j = (i + 8 * t) % registerBits;
      bits[t * inputBits + i] = j < inputBits ? vector[j]! : 0;
    }
  }
  return { count, inputBits, bits };
}

function profile(run: ToggleRun, energyPerToggleJ: number): ActivityProfile {
  const togglesPerEvaluation = run.steps > 0 ? run.toggles / run.steps : 0;
  return { level: 'netlist', nets: run.nets, evaluations: run.vectors, toggles: run.toggles, togglesPerEvaluation, energyPerInferenceJ: togglesPerEvaluation * energyPerToggleJ };
}

/**
 * Estimate the idle and STRESS power of the device running this network's core at clockHz, and
 * the energy per inference of the STRESS sequence and of the given vectors.
 */
export async function estimatePower(net: DiscreteNetwork, vectors: VectorSet, options: PowerOptions): Promise<PowerEstimate> {
  const device = options.device.toLowerCase();
  const family = familyOfDevice(device);
  if (family === null) throw new UserError(`no power model for device '${options.device}': expected a device id of src/board/devices.ts (gatebench's constants are measured on the iCE40 UP5K, docs/power-estimate.md)`);
  const gap = powerEstimateGap({ family, device });
  if (gap !== null) throw new UserError(`power estimate ${gap.reason}`);
  if (!(options.clockHz > 0)) throw new UserError(`Expected the clock frequency to be a positive number of Hz, got ${options.clockHz}`);
  if (vectors.inputBits !== net.inputBits) throw new UserError(`Expected vectors of ${net.inputBits} bits (the model's input), got ${vectors.inputBits}`);
  const stressVector = options.stressVector ?? 0;
  if (!Number.isInteger(stressVector) || stressVector < 0 || stressVector >= vectors.count) {
    throw new UserError(`Expected the STRESS vector to be an index from 0 to ${vectors.count - 1}, got ${stressVector}`);
  }
  const limit = Math.min(vectors.count, options.limit ?? 1000);
  if (limit < 2) throw new UserError(`Expected at least 2 vectors for the stream profile (transitions between them are counted), got ${limit}`);
  if (options.flipFlops !== undefined && !(Number.isInteger(options.flipFlops) && options.flipFlops >= 0)) {
    throw new UserError(`Expected flipFlops to be a non-negative integer, got ${options.flipFlops}`);
  }

  const model = await up5kModel(options.cacheDir);
  const design = emitVerilog(net, { ...options.core, moduleName: 'lgn_core' });
  const N = net.inputBits;
  const toggleOptions = { level: 'netlist' as const, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) };
  const stressBits = vectors.bits.subarray(stressVector * N, (stressVector + 1) * N);
  // Several periods of the rotation, and at least 64 evaluations when the period is short.
  const periods = Math.max(4, Math.ceil(64 / Math.ceil(N / 8)));
  const stressRun = await countToggles(design, stressSequence(stressBits, N, periods), toggleOptions);
  const streamRun = await countToggles(design, { count: limit, inputBits: N, bits: vectors.bits.subarray(0, limit * N) }, toggleOptions);

  const coreFlipFlops = Object.entries(stressRun.cells ?? {}).reduce((n, [cell, count]) => (cell.startsWith('SB_DFF') ? n + count : n), 0);
  const flipFlops = options.flipFlops ?? coreFlipFlops;
  const f = options.clockHz;
  const clockW = f * (model.clockEnergyJ + flipFlops * model.flipFlopEnergyJ);
  const idleW = model.staticW + clockW;
  const stress = profile(stressRun, model.energyPerToggleJ);
  const dynamicW = stress.energyPerInferenceJ * f;
  return {
    device,
    rail: { name: 'VCC (core)', volts: 1.2 },
    clockHz: f,
    staticW: model.staticW,
    clockW,
    idleW,
    energyPerToggleJ: model.energyPerToggleJ,
    stress: { ...stress, dynamicW, loadW: idleW + dynamicW },
    stream: profile(streamRun, model.energyPerToggleJ),
    flipFlops,
    constants: model.constants,
    provenance: { yosys: stressRun.yosys ?? '', verilator: stressRun.verilator, designHash: design.designHash },
  };
}
