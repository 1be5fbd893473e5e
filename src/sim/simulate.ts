import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GowinYosysFamily } from '../board/devices.js';
import { benchTopCycles } from '../hdl/benchTop.js';
import type { EmittedDesign, EmittedFile } from '../hdl/emit.js';
import type { ReferenceResult } from '../model/reference.js';
import { runTool } from '../flow/run.js';
import { toolVersion } from '../flow/tools.js';
import { synthNetlist, type SynthResult } from '../flow/yosys.js';
import { cached, cacheRoot, contentKey, publishEntry, readEntry, scratchDir } from '../util/cache.js';
import { UserError } from '../util/errors.js';
import { hdlDir } from '../util/paths.js';
import { yosysCellModels, type NetlistFamily } from './cells.js';
import { isChipLevel, planIverilogBuild, planRun, planVerilatorBuild, VERILATOR_RUNTIME_OBJECTS, type SimLevel, type SimulatorName } from './simulators.js';

/** Input vectors: one byte (0/1) per bit, row-major; bit i of a row drives x[i]. */
export interface VectorSet {
  count: number;
  inputBits: number;
  bits: Uint8Array;
}

export interface SimulateOptions {
  simulator: SimulatorName;
  level: SimLevel;
  /** Cache root; default .cache at the project root (or $GATEBENCH_CACHE). */
  cacheDir?: string;
  /** Verilator only: compile the model at -O2 instead of -O0 (slower build, faster simulation). */
  optimize?: boolean;
  /** Level netlist: the family whose synthesis (synth_<family>) and cell models are simulated; default ice40. */
  family?: NetlistFamily;
  /** Level netlist on Gowin: synth_gowin -family for a part yosys' default does not fit (GowinPart.yosysFamily). */
  gowinFamily?: GowinYosysFamily;
  /**
   * Levels bitstream and routed: the Verilog (module `chip`) of a placed-and-routed bench top holding
   * this design: icebox_vlog's (src/sim/bitstream.ts) or nextpnr's routed netlist
   * (src/sim/routed.ts); it is simulated behind hdl/sim/bitstream_adapter.v.
   */
  chip?: EmittedFile;
  /** Level routed: the cell models of the chip's cells (RoutedVerilog.cellModels). */
  cellModels?: EmittedFile[];
}

export interface SimulationRun {
  simulator: SimulatorName;
  level: SimLevel;
  vectors: number;
  /** vectors x classes, row-major; -1 where the simulator gave x/z bits. */
  sums: Int32Array;
  classIdx: Int32Array;
  /** Clock cycles simulated after reset (0 for a combinational core). */
  cycles: number;
  /** Latency measured by the testbench (in_valid to out_valid), null for a combinational core. */
  measuredLatency: number | null;
  compileSeconds: number;
  cacheHit: boolean;
  runSeconds: number;
  vectorsPerSecond: number;
  /** Netlist level only: the synthesis step. */
  synth: { seconds: number; cacheHit: boolean; cells: Record<string, number> } | null;
}

/** One line per vector: x as hex, x[N-1] first. */
export function vectorsToHex(v: VectorSet): string {
  const digits = Math.ceil(v.inputBits / 4);
  const out: string[] = new Array(v.count);
  const hex = '0123456789abcdef';
  for (let i = 0; i < v.count; i++) {
    const row = i * v.inputBits;
    let line = '';
    for (let d = digits - 1; d >= 0; d--) {
      let nibble = 0;
      for (let b = 0; b < 4; b++) {
        const bit = d * 4 + b;
        if (bit < v.inputBits && v.bits[row + bit]) nibble |= 1 << b;
      }
      line += hex[nibble];
    }
    out[i] = line;
  }
  return out.join('\n') + (v.count ? '\n' : '');
}

/** Parse the testbench's result lines into sums and class indices (x/z bits give -1). */
export function parseResults(text: string, count: number, classes: number, sumBits: number): { sums: Int32Array; classIdx: Int32Array; lines: number } {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const sums = new Int32Array(count * classes).fill(-1);
  const classIdx = new Int32Array(count).fill(-1);
  const mask = (1n << BigInt(sumBits)) - 1n;
  for (let i = 0; i < Math.min(count, lines.length); i++) {
    const [sumHex, idxHex] = lines[i]!.trim().split(/\s+/);
    if (sumHex && /^[0-9a-f]+$/i.test(sumHex)) {
      let v = BigInt('0x' + sumHex);
      for (let c = 0; c < classes; c++) {
        sums[i * classes + c] = Number(v & mask);
        v >>= BigInt(sumBits);
      }
    }
    if (idxHex && /^[0-9a-f]+$/i.test(idxHex)) classIdx[i] = parseInt(idxHex, 16);
  }
  return { sums, classIdx, lines: lines.length };
}

interface BuildMeta {
  simulator: SimulatorName;
  level: SimLevel;
  version: string;
  seconds: number;
}

/**
 * Build (or fetch from the cache) the simulator for a design at one level, run every vector
 * through it in one process, and return what the design computed.
 */
export async function simulate(design: EmittedDesign, vectors: VectorSet, options: SimulateOptions): Promise<SimulationRun> {
  const { simulator, level } = options;
  let { ports } = design;
  if (vectors.inputBits !== ports.inputBits) throw new Error(`vectors have ${vectors.inputBits} bits, the design's x has ${ports.inputBits}`);
  const root = cacheRoot(options.cacheDir);
  let sources: EmittedFile[] = design.files;
  let synth: SynthResult | null = null;
  if (isChipLevel(level)) {
    if (!options.chip) throw new Error(`internal: simulate at level ${level} needs options.chip (see src/sim/bitstream.ts, src/sim/routed.ts)`);
    if (level === 'routed' && !options.cellModels) throw new Error('internal: simulate at level routed needs options.cellModels (see src/sim/routed.ts)');
    const adapter = { name: 'bitstream_adapter.v', text: readFileSync(join(hdlDir(), 'sim', 'bitstream_adapter.v'), 'utf8') };
    sources = [options.chip, ...(options.cellModels ?? []), adapter];
    // The adapter takes one vector at a time; LATENCY bounds the cycles per vector (for the stall check).
    ports = { ...ports, clocked: true, latency: benchTopCycles(design) };
  }
  if (level === 'netlist') {
    const family = options.family ?? 'ice40';
    synth = await synthNetlist(design.files, design.top, family, { cacheDir: root, ...(options.gowinFamily ? { gowinFamily: options.gowinFamily } : {}) });
    sources = [synth.netlist, await yosysCellModels(family)];
  }
  const tbName = simulator === 'verilator' ? 'tb_lgn_core.cpp' : 'tb_lgn_core.v';
  const tbText = readFileSync(join(hdlDir(), 'sim', tbName), 'utf8');
  const version = await toolVersion(simulator);
  const optimize = simulator === 'verilator' && (options.optimize ?? false);
  const names = sources.map((s) => s.name);
  const planFor = (dir: string) =>
    simulator === 'verilator' ? planVerilatorBuild(dir, ports, names, tbName, level, optimize) : planIverilogBuild(dir, ports, names, tbName, level);
  const plan = planFor('.');
  const key = contentKey([simulator, level, version, JSON.stringify(plan), tbName, tbText, ...sources.flatMap((s) => [s.name, s.text])]);
  const entry = await cached<BuildMeta>(root, `sim-${simulator}`, key, buildWithoutSpaces(async (dir) => {
    writeFileSync(join(dir, tbName), tbText);
    for (const s of sources) writeFileSync(join(dir, s.name), s.text);
    const started = performance.now();
    const [first, ...rest] = planFor(dir).commands;
    await runTool(first!);
    if (simulator === 'verilator') reuseVerilatorRuntime(root, version, join(dir, 'obj'), 'get');
    for (const command of rest) await runTool(command);
    if (simulator === 'verilator') reuseVerilatorRuntime(root, version, join(dir, 'obj'), 'put');
    return { simulator, level, version, seconds: (performance.now() - started) / 1000 };
  }));

  const work = mkdtempSync(join(tmpdir(), 'gatebench-sim-'));
  try {
    const vectorPath = join(work, 'vectors.hex');
    const resultPath = join(work, 'results.hex');
    writeFileSync(vectorPath, vectorsToHex(vectors));
    const artifact = join(entry.dir, plan.artifact);
    const run = await runTool(planRun(simulator, artifact, vectorPath, resultPath, work));
    const summary = /tb: vectors (\d+) cycles (\d+) latency (-?\d+)/.exec(run.stdout);
    if (!summary) throw new Error(`the ${simulator} testbench did not finish: ${(run.stdout + run.stderr).trim().split('\n').slice(-5).join(' | ')}`);
    const parsed = parseResults(readFileSync(resultPath, 'utf8'), vectors.count, ports.classes, ports.sumBits);
    if (parsed.lines !== vectors.count || Number(summary[1]) !== vectors.count) {
      throw new Error(`the ${simulator} testbench returned ${parsed.lines} results for ${vectors.count} vectors`);
    }
    const runSeconds = run.durationMs / 1000;
    const latency = Number(summary[3]);
    return {
      simulator,
      level,
      vectors: vectors.count,
      sums: parsed.sums,
      classIdx: parsed.classIdx,
      cycles: Number(summary[2]),
      measuredLatency: latency >= 0 ? latency : null,
      compileSeconds: entry.meta.seconds,
      cacheHit: entry.hit,
      runSeconds,
      vectorsPerSecond: vectors.count / runSeconds,
      synth: synth ? { seconds: synth.seconds, cacheHit: synth.cacheHit, cells: synth.cells } : null,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A cache build step for Verilator that works wherever the cache is: Verilator's make refuses a
 * folder whose path holds a space (verilated.mk: "GNU Make cannot build in directories containing
 * spaces"), so such a build runs in a temporary folder and its files are copied into `dir`.
 */
export function buildWithoutSpaces<M>(build: (dir: string) => Promise<M>): (dir: string) => Promise<M> {
  return async (dir) => {
    if (!/\s/.test(dir)) return build(dir);
    const work = mkdtempSync(join(tmpdir(), 'gatebench-build-'));
    try {
      if (/\s/.test(work)) {
        throw new UserError(`${dir}: Verilator's make cannot build in a path with a space, nor in the temporary folder ${work}; set TMPDIR (or GATEBENCH_CACHE) to a path without one`);
      }
      const meta = await build(work);
      cpSync(work, dir, { recursive: true });
      return meta;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };
}

/**
 * Verilator's run-time objects do not depend on the design: copy them into a fresh obj/ folder
 * before make ('get'; newer than their sources, so make keeps them), and store them after the
 * first build ('put'), as a cache entry per Verilator version and `variant` (another harness's
 * build flags). Saves about 10 s of every build.
 */
export function reuseVerilatorRuntime(root: string, version: string, obj: string, mode: 'get' | 'put', variant?: string): void {
  const dir = join(root, 'verilator-runtime', contentKey([version, ...(variant ? [variant] : []), 'OPT_GLOBAL=-O2']).slice(0, 24));
  const have = readEntry(dir) !== null;
  if (mode === 'get') {
    if (have) for (const o of VERILATOR_RUNTIME_OBJECTS) copyFileSync(join(dir, o), join(obj, o));
    return;
  }
  if (have || !VERILATOR_RUNTIME_OBJECTS.every((o) => existsSync(join(obj, o)))) return;
  mkdirSync(dirname(dir), { recursive: true });
  const scratch = scratchDir(dir);
  for (const o of VERILATOR_RUNTIME_OBJECTS) copyFileSync(join(obj, o), join(scratch, o));
  publishEntry(scratch, dir, { version, variant: variant ?? null, objects: VERILATOR_RUNTIME_OBJECTS });
}

export interface Mismatch {
  index: number;
  expected: { sums: number[]; classIdx: number };
  actual: { sums: number[]; classIdx: number };
}

export interface Comparison {
  checked: number;
  mismatches: number;
  /** Vectors whose class sums agree but whose class index does not (counted in mismatches). */
  classIdxOnly: number;
  first: Mismatch[];
}

/** Compare every vector's class sums and class index with the reference. */
export function compareWithReference(run: Pick<SimulationRun, 'sums' | 'classIdx' | 'vectors'>, reference: ReferenceResult, keep = 5): Comparison {
  if (reference.count !== run.vectors) throw new Error(`reference has ${reference.count} vectors, the simulation ${run.vectors}`);
  const k = reference.classes;
  let mismatches = 0;
  let classIdxOnly = 0;
  const first: Mismatch[] = [];
  for (let i = 0; i < run.vectors; i++) {
    let sumsDiffer = false;
    for (let c = 0; c < k; c++) if (run.sums[i * k + c] !== reference.sums[i * k + c]) sumsDiffer = true;
    const idxDiffers = run.classIdx[i] !== reference.predictions[i];
    if (!sumsDiffer && !idxDiffers) continue;
    mismatches++;
    if (!sumsDiffer) classIdxOnly++;
    if (first.length < keep) {
      first.push({
        index: i,
        expected: { sums: Array.from(reference.sums.subarray(i * k, (i + 1) * k)), classIdx: reference.predictions[i]! },
        actual: { sums: Array.from(run.sums.subarray(i * k, (i + 1) * k)), classIdx: run.classIdx[i]! },
      });
    }
  }
  return { checked: run.vectors, mismatches, classIdxOnly, first };
}
