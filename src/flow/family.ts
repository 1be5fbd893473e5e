import type { Board } from '../board/board.js';
import type { FpgaFamily, FpgaPart } from '../board/devices.js';
import type { CommandPlan } from './run.js';
import type { LogicTiles } from './spread.js';
import type { ToolName } from './tools.js';
import type { YosysStat } from './yosys.js';

/** What a family's planner gets besides the board: the build's resolved options. */
export interface FamilyPlanOptions {
  readonly abc9: boolean;
  readonly seed: number;
  readonly freqMHz: number;
  readonly router: 'router1' | 'router2' | null;
}

/**
 * Spread placement (spread.ts) where a family has it: nextpnr places without routing, gatebench
 * stretches that placement over the part and locks it, and the place-and-route stage reads the
 * locked netlist (`FamilyFiles.spread.netlist`) instead of the synthesised one.
 */
export interface PlacementSpreader {
  /** nextpnr placing the synthesised netlist without routing it, writing `FamilyFiles.spread.placement`. */
  planPlace(board: Board, options: FamilyPlanOptions): CommandPlan;
  /** The synthesised design's logic cells as nextpnr will count them, from yosys' statistics. */
  logicCells(stat: YosysStat): number;
  /** The part's logic tiles, from the installed tools' device database. */
  logicTiles(board: Board): Promise<LogicTiles>;
}

/** The files every family's stages read and write, relative to the build directory. */
export interface FamilyFiles {
  /** The board's constraints as nextpnr reads them (board.pcf, board.lpf). */
  readonly constraints: string;
  readonly netlist: string;
  readonly stat: string;
  /** nextpnr's placed and routed design (pnr.asc, pnr.config). */
  readonly placed: string;
  /** nextpnr's routed netlist as JSON (`sim --level routed`), where the flow writes one. */
  readonly routed?: string;
  readonly report: string;
  /** What the programmer loads (design.bin, design.bit). */
  readonly bitstream: string;
  /** Spread placement's files: nextpnr's unrouted placement and the netlist with it stretched and locked. */
  readonly spread?: { readonly placement: string; readonly netlist: string; readonly report: string };
}

/**
 * One FPGA family's build: synthesis -> place and route -> packing, each one planner, run by the
 * one runner in build.ts. The family names its own resources (ICESTORM_LC, TRELLIS_COMB ...):
 * results keep them rather than translating to a common unit.
 */
export interface FamilyFlow {
  readonly family: FpgaFamily;
  /** The tools a build cannot do without, in stage order. */
  readonly tools: readonly ToolName[];
  readonly files: FamilyFiles;
  /** nextpnr's BEL type counting logic cells, and its I/O BEL type (keys of its utilisation report). */
  readonly logicCellResource: string;
  readonly ioResource: string;
  /** How messages name logic cells ("LCs" on iCE40). */
  readonly logicCellUnit: string;
  /**
   * Place-and-route defaults measured for this family on LGN designs (random wiring is routing-
   * bound): the router when the build names none, and the CPU time nextpnr gets before the build is
   * recorded as routing-failed (or placement-failed) with the router's progress instead of
   * running on.
   */
  readonly pnrDefaults: { readonly router: 'router1' | 'router2' | null; readonly budgetMs: number };
  /** Spread placement, on the families that have it (ECP5, Gowin). */
  readonly spreader?: PlacementSpreader;
  /**
   * The three stages, planned with paths relative to the build directory; place and route reads
   * `pnrNetlist` (default: the synthesised netlist; the spread one after spread placement).
   */
  plan(board: Board, sources: readonly string[], top: string, options: FamilyPlanOptions, pnrNetlist?: string): readonly [synth: CommandPlan, pnr: CommandPlan, pack: CommandPlan];
}

/** Netlist, stat and report have the same names in every family. */
export const COMMON_FILES = { netlist: 'synth.json', stat: 'stat.json', report: 'pnr-report.json' } as const;

/** The board's part as its family's type (the board loader pairs family and part, so a mismatch is a bug). */
export function partOf<F extends FpgaFamily>(board: Board, family: F): Extract<FpgaPart, { family: F }> {
  const part = board.device;
  if (part.family !== family) throw new Error(`internal: ${board.name} is a ${part.family} board, not ${family}`);
  return part as Extract<FpgaPart, { family: F }>;
}

/**
 * Place-and-route defaults of the families gatebench places with YoWASP's WebAssembly nextpnr
 * (ECP5, Gowin): router2 and a budget of 60 minutes of CPU time. Measured with nextpnr 0.11.1 at nice 10 on 2 cores
 * at load 12-16 (so slower than on a quiet machine), LGN cores being routing-bound (random wiring,
 * a wide popcount head), before synthesis took -nowidelut (yosys.ts):
 * - ECP5, router1, a random 3 x 4000 model (12,000 live gates): 23,258 of 41,133 arcs still
 *   unrouted after 37.5 min of routing.
 * - ECP5, router2, a trained 3 x 4000 model (5,530 live gates; 15,473 / 83,640 TRELLIS_COMB):
 *   placement 24.5 min (HeAP 458 s, SA refinement 1,008 s), then router2 passes of 4.5-7 min
 *   leaving 25,706 / 23,884 / 22,503 / 21,400 wires overused (-5% a pass); stopped at 45.5 min.
 * - ECP5, router2: 2 x 2000 (6,067 TRELLIS_COMB) placed and routed in 707 s, 2 x 2000 / 200
 *   (838) in 54 s.
 * - ECP5, router2 after spread placement (spread.ts): a trained 3 x 4000 model (11,201
 *   TRELLIS_COMB) placed alone in 108 s and, stretched 2x, placed and routed in 180 s (pass 76).
 * - Gowin (GW5AST-138C), router2: the same model (11,156 LUT4) not routed at the budget (pass 129,
 *   532 wires overused, 74 min); spread 2x, placed alone in 120 s, then placed and routed in 70 s
 *   (pass 10).
 * The budget keeps a build that will not route from running forever: it is recorded as
 * routing-failed (or placement-failed) with the router's progress (build.ts).
 */
export const PNR_DEFAULTS_YOWASP: FamilyFlow['pnrDefaults'] = { router: 'router2', budgetMs: 60 * 60_000 };
