import { availableParallelism } from 'node:os';
import type { CorePorts } from '../hdl/emit.js';
import type { ToolCommand } from '../flow/run.js';

export const SIMULATORS = ['verilator', 'iverilog'] as const;
export type SimulatorName = (typeof SIMULATORS)[number];
/** Levels simulate() reaches from an emitted design alone. */
export const LEVELS = ['rtl', 'netlist'] as const;
/**
 * Every level: rtl (the emitted Verilog), netlist (yosys synth_<family> with yosys' cell models),
 * bitstream (an iCE40 placed-and-routed .asc turned back into Verilog by icebox_vlog; see
 * src/sim/bitstream.ts), routed (ECP5/Gowin: nextpnr's routed netlist, not the bitstream; see
 * src/sim/routed.ts). The last two simulate a bench top behind hdl/sim/bitstream_adapter.v.
 */
export const SIM_LEVELS = ['rtl', 'netlist', 'bitstream', 'routed'] as const;
export type SimLevel = (typeof SIM_LEVELS)[number];

/** Levels that simulate a placed-and-routed bench top (module `chip`) through its serial pins. */
export function isChipLevel(level: SimLevel): boolean {
  return level === 'bitstream' || level === 'routed';
}

/** Macros both testbenches (and the bitstream adapter) read (see hdl/sim/tb_lgn_core.*). */
export function tbDefines(ports: CorePorts, level: SimLevel = 'rtl'): Record<string, string> {
  return {
    N_INPUTS: String(ports.inputBits),
    SUM_WIDTH: String(ports.classes * ports.sumBits),
    IDX_BITS: String(ports.classIdxBits),
    LATENCY: String(ports.latency),
    ...(ports.clocked ? { CLOCKED: '1' } : {}),
    ...(isChipLevel(level) ? { READY: '1' } : {}),
  };
}

export interface BuildPlan {
  commands: ToolCommand[];
  /** Path of the runnable artifact, relative to the build folder. */
  artifact: string;
}

/** Verilator's run-time objects: the same for every design, so built once and reused. */
export const VERILATOR_RUNTIME_OBJECTS = ['verilated.o', 'verilated_threads.o'];

/**
 * Verilator: `verilator --cc --exe` writes the C++ model, then make builds it with the streaming
 * testbench into obj/Vtb. The run-time objects are built at -O2 once (see simulate.ts); the model
 * itself at -O0 by default, because gcc's time on the large straight-line functions of a
 * gate-level model grows fast with the level (a 1,500-gate MNIST core: about 30 s at -O0, 85 s at
 * -O1), while a check of a few thousand vectors runs in well under a second either way.
 * Netlists read yosys' cell library, which needs -DNO_ICE40_DEFAULT_ASSIGNMENTS and is not lint
 * clean, so warnings are not fatal there (the RTL's lint is checked separately and strictly).
 * `extraFlags` go to verilator before the sources (e.g. --coverage-toggle for src/power/toggles.ts).
 */
export function planVerilatorBuild(dir: string, ports: CorePorts, sources: string[], tb: string, level: SimLevel, optimize = false, extraFlags: readonly string[] = []): BuildPlan {
  const defines = Object.entries(tbDefines(ports, level)).map(([k, v]) => `-D${k}=${v}`);
  const verilate = [
    '--cc',
    '--exe',
    '--top-module',
    ports.module,
    '--prefix',
    'Vlgn_core',
    '-Mdir',
    'obj',
    '-o',
    'Vtb',
    '-Wno-fatal',
    ...(level === 'netlist' ? ['-Wno-lint', '-Wno-style', '-DNO_ICE40_DEFAULT_ASSIGNMENTS'] : []),
    // icebox_vlog's chip and nextpnr's routed netlist are not lint clean either; the adapter reads the testbench's macros.
    ...(isChipLevel(level) ? ['-Wno-lint', '-Wno-style', ...defines] : []),
    '-CFLAGS',
    defines.join(' '),
    ...extraFlags,
    tb,
    ...sources,
  ];
  const jobs = String(Math.max(1, Math.min(8, availableParallelism())));
  const make = ['-C', 'obj', '-f', 'Vlgn_core.mk', '-j', jobs, `OPT_FAST=${optimize ? '-O2' : '-O0'}`, 'OPT_SLOW=-O0', 'OPT_GLOBAL=-O2', 'Vtb'];
  return {
    commands: [
      { tool: 'verilator', argv: verilate, cwd: dir },
      { tool: 'make', argv: make, cwd: dir },
    ],
    artifact: 'obj/Vtb',
  };
}

/**
 * Icarus: one vvp file. Icarus 11 cannot parse input-port default values, which yosys' iCE40 cell
 * library uses unless NO_ICE40_DEFAULT_ASSIGNMENTS is defined (-g2012 alone is not enough), so the
 * define is always given; yosys' netlists connect every cell input, so the defaults are not needed.
 */
export function planIverilogBuild(dir: string, ports: CorePorts, sources: string[], tb: string, level: SimLevel = 'rtl'): BuildPlan {
  const defines = [...Object.entries(tbDefines(ports, level)).map(([k, v]) => `-D${k}=${v}`), '-DNO_ICE40_DEFAULT_ASSIGNMENTS'];
  const argv = ['-g2012', '-o', 'sim.vvp', '-s', 'tb', ...defines, tb, ...sources];
  return { commands: [{ tool: 'iverilog', argv, cwd: dir }], artifact: 'sim.vvp' };
}

export function planRun(simulator: SimulatorName, artifact: string, vectors: string, results: string, cwd: string): ToolCommand {
  return simulator === 'verilator'
    ? { tool: artifact, argv: [vectors, results], cwd }
    : { tool: 'vvp', argv: ['-n', artifact, `+in=${vectors}`, `+out=${results}`], cwd };
}
