import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GowinYosysFamily } from '../board/devices.js';
import { cached, cacheRoot, hashKey } from '../util/cache.js';
import { runPlan, type CommandPlan, type StageRun } from './run.js';
import { resolveTool, type ResolvedTool } from './tools.js';

/** Synthesis targets: iCE40 is built end to end; the others are synthesis-only estimates. */
export type Family = 'ice40' | 'ecp5' | 'gowin' | 'xilinx';
export const FAMILIES: readonly Family[] = ['ice40', 'ecp5', 'gowin', 'xilinx'];

export interface SynthOptions {
  readonly top: string;
  readonly family: Family;
  readonly abc9?: boolean;
  /** synth_ice40 -device (timing model for abc9): hx, lp or u. */
  readonly ice40Device?: 'hx' | 'lp' | 'u';
  /** Write the mapped netlist (JSON, for nextpnr); estimates skip it. */
  readonly netlist?: string | null;
  /** Write the mapped netlist as Verilog (for simulation with yosys' cell models). */
  readonly verilog?: string | null;
  readonly stat?: string;
  /**
   * ECP5/Gowin: -nowidelut, LUT4s only instead of LUT5-LUT8 built from the slices' muxes
   * (PFUMX/L6MUX21, MUX2_LUT5..8): wide-mux clusters make nextpnr's placement legaliser crawl.
   * A trained 3 x 2000 core on the Tang Nano 20K: 8,887 LUTs + 4,124 MUX2_LUT5-8 were not placed
   * in 20 min; with -nowidelut, 6,795 LUT4 placed (15 min) and routed by router2 in 28 passes,
   * Fmax 200.6 MHz. The ULX3S 3 x 4000 core: 10,378 LUT4 instead of 15,243 + 5,546 muxes.
   */
  readonly noWideLut?: boolean;
  /** Gowin: synth_gowin -family, for a part yosys' default gw1n does not fit (GowinPart.yosysFamily). */
  readonly gowinFamily?: GowinYosysFamily;
}

/** The yosys script: synth_<family>, optional netlist, then `stat -json` into a file. */
export function synthScript(o: SynthOptions): string {
  const flags = [`-top ${o.top}`];
  if (o.abc9) flags.push('-abc9');
  if (o.family === 'ice40' && o.ice40Device) flags.push(`-device ${o.ice40Device}`);
  if (o.family === 'xilinx') flags.push('-flatten');
  if (o.noWideLut && (o.family === 'ecp5' || o.family === 'gowin')) flags.push('-nowidelut');
  if (o.family === 'gowin' && o.gowinFamily) flags.push(`-family ${o.gowinFamily}`);
  const commands = [`synth_${o.family} ${flags.join(' ')}`];
  if (o.netlist) commands.push(`write_json ${o.netlist}`);
  commands.push(`tee -q -o ${o.stat ?? 'stat.json'} stat -json`);
  if (o.verilog) commands.push(`write_verilog -noattr ${o.verilog}`);
  return commands.join('; ');
}

/** Plan `yosys -p <script> sources...`; sources are read before the script runs. */
/**
 * The oldest yosys each family's synthesis may use. Debian 12's yosys 0.23 maps Gowin designs
 * wrongly: on a small LGN its synth_gowin netlist picked the wrong class on 5 of 200 random vectors
 * whenever two class sums tied (the sums themselves right; both 0.23's and 0.70's cell models agree),
 * and it infers block RAM as DPX9, which nextpnr-himbaechel cannot place. 0.70 (the pinned PyPI
 * build) gives 0 mismatches; versions in between are untested, so the bound is the verified one.
 */
const MIN_YOSYS: Partial<Record<Family, string>> = { gowin: '0.70' };

/** The yosys a family's synthesis runs: native first, unless it is older than the family allows. */
export function yosysFor(family: Family): Promise<ResolvedTool> {
  return resolveTool('yosys', MIN_YOSYS[family]);
}

export function planYosys(sources: readonly string[], o: SynthOptions): CommandPlan {
  const stat = o.stat ?? 'stat.json';
  const minVersion = MIN_YOSYS[o.family];
  return {
    stage: 'synth',
    tool: 'yosys',
    ...(minVersion ? { minVersion } : {}),
    argv: ['-p', synthScript({ ...o, stat }), ...sources],
    inputs: [...sources],
    outputs: [...(o.netlist ? [o.netlist] : []), stat, ...(o.verilog ? [o.verilog] : [])],
  };
}

/**
 * What a finished synthesis stage gave: the cell counts, or the first `ERROR:` line of its log
 * (else the runner's one-line error). The one reading of a yosys run, for builds, estimates and
 * netlist simulation alike.
 */
export function synthOutcome(dir: string, stage: StageRun, family: Family, stat = 'stat.json'): { stat: YosysStat; error: null } | { stat: null; error: string } {
  if (!stage.failed) return { stat: parseYosysStat(readFileSync(join(dir, stat), 'utf8'), family), error: null };
  const log = stage.origin === null ? '' : readFileSync(join(dir, stage.logFile), 'utf8');
  return { stat: null, error: /^.*ERROR: .*$/m.exec(log)?.[0] ?? stage.error ?? `${stage.tool} failed` };
}

export interface SynthResult {
  /** The synthesised netlist as Verilog (cells of yosys' library for the family: SB_* on iCE40). */
  netlist: { name: string; text: string };
  /** Cell counts from `stat -json` (SB_LUT4, SB_CARRY, SB_DFF...). */
  cells: Record<string, number>;
  /** Time yosys took (when the cached netlist was built, on a cache hit). */
  seconds: number;
  /** Time this call took: the synthesis, or just the cache lookup on a hit. */
  lookupSeconds: number;
  cacheHit: boolean;
}

/**
 * Synthesise Verilog texts with yosys synth_<family> (the planner the family's build uses) into a
 * Verilog netlist (for `sim --level netlist` and benchmarks), cached by content (yosys version,
 * script, sources). A synthesis error throws: the input is generated Verilog, so a failure here is
 * a bug, not a result.
 */
export async function synthNetlist(files: readonly { name: string; text: string }[], top: string, family: Family, options: { cacheDir?: string; abc9?: boolean; gowinFamily?: GowinYosysFamily } = {}): Promise<SynthResult> {
  const yosys = await yosysFor(family);
  // The synthesis a build of the family runs (ECP5, Gowin: -nowidelut), so the netlist simulated is the one placed.
  const o: SynthOptions = { top, family, abc9: options.abc9 ?? false, noWideLut: true, ...(options.gowinFamily ? { gowinFamily: options.gowinFamily } : {}), netlist: null, verilog: 'netlist.v', stat: 'stat.json' };
  const plan = planYosys(files.map((f) => f.name), o);
  const key = hashKey({ yosys: `${yosys.origin} ${yosys.version}`, argv: plan.argv, files: files.map((f) => [f.name, f.text]) });
  const started = performance.now();
  const entry = await cached(cacheRoot(options.cacheDir), 'synth', key, async (dir) => {
    for (const f of files) writeFileSync(join(dir, f.name), f.text);
    const stage = await runPlan(plan, dir);
    const outcome = synthOutcome(dir, stage, family);
    if (outcome.error !== null) throw new Error(`synth_${family} of ${top} failed: ${outcome.error}`);
    return { seconds: stage.durationMs / 1000, yosys: yosys.version, top, cells: outcome.stat.cells };
  });
  const netlist = { name: `${top}_netlist.v`, text: readFileSync(join(entry.dir, 'netlist.v'), 'utf8') };
  return { netlist, cells: { ...entry.meta.cells }, seconds: entry.meta.seconds, lookupSeconds: (performance.now() - started) / 1000, cacheHit: entry.hit };
}

/** synthNetlist for iCE40 (synth_ice40). */
export function synthIce40(files: readonly { name: string; text: string }[], top: string, options: { cacheDir?: string; abc9?: boolean } = {}): Promise<SynthResult> {
  return synthNetlist(files, top, 'ice40', options);
}

/** Cell counts after synthesis, read once from `stat -json`. */
export interface YosysStat {
  readonly family: Family;
  readonly cells: Readonly<Record<string, number>>;
  readonly totalCells: number;
  /** Look-up tables (LUT4 on iCE40/ECP5/Gowin, LUT1..LUT6 and INV on Xilinx). */
  readonly luts: number;
  readonly lutInputs: 4 | 6;
  readonly flipFlops: number;
  /** Carry cells: SB_CARRY, CCU2C (two bits each), ALU, CARRY4/CARRY8. */
  readonly carries: number;
  readonly brams: number;
  readonly dsps: number;
}

interface FamilyCells {
  lut: RegExp;
  ff: RegExp;
  carry: RegExp;
  bram: RegExp;
  dsp: RegExp;
  lutInputs: 4 | 6;
}

const CELLS: Record<Family, FamilyCells> = {
  ice40: { lut: /^SB_LUT4$/, ff: /^SB_DFF/, carry: /^SB_CARRY$/, bram: /^SB_RAM40_4K/, dsp: /^SB_MAC16$/, lutInputs: 4 },
  ecp5: { lut: /^LUT4$/, ff: /^TRELLIS_FF$/, carry: /^CCU2C$/, bram: /^(DP16KD|PDPW16KD)$/, dsp: /^(MULT18X18D|ALU54B)$/, lutInputs: 4 },
  gowin: { lut: /^LUT[1-4]$/, ff: /^DFF/, carry: /^ALU$/, bram: /^(SP|SPX9|SDP|SDPX9|DP|DPX9|SDPB|DPB|DPX9B|SDPX9B|pROM|pROMX9)$/, dsp: /^(MULT|ALU54D|PADD|MULTALU|MULTADDALU)/, lutInputs: 4 },
  xilinx: { lut: /^(LUT[1-6]|INV)$/, ff: /^FD[CPRS]E?(_1)?$/, carry: /^CARRY(4|8)$/, bram: /^RAMB(18|36)/, dsp: /^DSP48/, lutInputs: 6 },
};

function sum(cells: Record<string, number>, re: RegExp): number {
  return Object.entries(cells).reduce((n, [type, count]) => (re.test(type) ? n + count : n), 0);
}

/** Parse yosys `stat -json`: the whole-design totals (or the sum of modules when absent). */
export function parseYosysStat(text: string, family: Family): YosysStat {
  const json = JSON.parse(text) as {
    modules?: Record<string, { num_cells?: number; num_cells_by_type?: Record<string, number> }>;
    design?: { num_cells?: number; num_cells_by_type?: Record<string, number> };
  };
  let cells: Record<string, number> = {};
  let totalCells = 0;
  if (json.design?.num_cells_by_type) {
    cells = { ...json.design.num_cells_by_type };
    totalCells = json.design.num_cells ?? Object.values(cells).reduce((a, b) => a + b, 0);
  } else {
    for (const m of Object.values(json.modules ?? {})) {
      for (const [type, n] of Object.entries(m.num_cells_by_type ?? {})) cells[type] = (cells[type] ?? 0) + n;
      totalCells += m.num_cells ?? 0;
    }
  }
  const c = CELLS[family];
  return {
    family,
    cells,
    totalCells,
    luts: sum(cells, c.lut),
    lutInputs: c.lutInputs,
    flipFlops: sum(cells, c.ff),
    carries: sum(cells, c.carry),
    brams: sum(cells, c.bram),
    dsps: sum(cells, c.dsp),
  };
}

/**
 * Bit-level port names of a module in a yosys JSON netlist, as a pcf names them: `clk`,
 * `led[0]`, `led[1]` (honouring the bus offset and direction).
 */
export function netlistPortBits(netlistJson: string, top: string): Set<string> {
  const json = JSON.parse(netlistJson) as { modules?: Record<string, { ports?: Record<string, { bits: unknown[]; offset?: number; upto?: number }> }> };
  const module = json.modules?.[top];
  const names = new Set<string>();
  for (const [name, port] of Object.entries(module?.ports ?? {})) {
    const width = port.bits.length;
    if (width === 1) names.add(name);
    const offset = port.offset ?? 0;
    for (let i = 0; i < width; i++) names.add(`${name}[${port.upto ? offset + width - 1 - i : offset + i}]`);
  }
  return names;
}
