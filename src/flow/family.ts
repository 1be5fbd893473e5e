import type { Board } from '../board/board.js';
import type { FpgaFamily, FpgaPart } from '../board/devices.js';
import type { CommandPlan } from './run.js';
import type { ToolName } from './tools.js';

/** What a family's planner gets besides the board: the build's resolved options. */
export interface FamilyPlanOptions {
  readonly abc9: boolean;
  readonly seed: number;
  readonly freqMHz: number;
  readonly router: 'router1' | 'router2' | null;
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
  /** The three stages, planned with paths relative to the build directory. */
  plan(board: Board, sources: readonly string[], top: string, options: FamilyPlanOptions): readonly [synth: CommandPlan, pnr: CommandPlan, pack: CommandPlan];
}

/** Netlist, stat and report have the same names in every family. */
export const COMMON_FILES = { netlist: 'synth.json', stat: 'stat.json', report: 'pnr-report.json' } as const;

/** The board's part as its family's type (the board loader pairs family and part, so a mismatch is a bug). */
export function partOf<F extends FpgaFamily>(board: Board, family: F): Extract<FpgaPart, { family: F }> {
  const part = board.device;
  if (part.family !== family) throw new Error(`internal: ${board.name} is a ${part.family} board, not ${family}`);
  return part as Extract<FpgaPart, { family: F }>;
}
