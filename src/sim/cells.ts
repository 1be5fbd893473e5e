import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Family } from '../flow/yosys.js';
import { yosysShareDir } from '../flow/tools.js';
import { yosysFor } from '../flow/yosys.js';
import type { EmittedFile } from '../hdl/emit.js';
import { hdlDir } from '../util/paths.js';

/** Families whose synthesised netlist `sim --level netlist` simulates (yosys ships their cell models). */
export const NETLIST_FAMILIES = ['ice40', 'ecp5', 'gowin'] as const satisfies readonly Family[];
export type NetlistFamily = (typeof NETLIST_FAMILIES)[number];

/** Families whose nextpnr routed netlist `sim --level routed` simulates (iCE40 has the bitstream level instead). */
export const ROUTED_FAMILIES = ['ecp5', 'gowin'] as const satisfies readonly Family[];
export type RoutedFamily = (typeof ROUTED_FAMILIES)[number];

/**
 * A Verilog file with its `include`s inlined, each included file once (yosys' ECP5 library includes
 * cells_ff.vh from two places), so simulators get one self-contained source.
 */
export function inlineIncludes(path: string, seen = new Set<string>()): string {
  return readFileSync(path, 'utf8').replace(/^\s*`include\s+"([^"]+)"\s*$/gm, (_line, name: string) => {
    const included = join(dirname(path), name);
    if (seen.has(included)) return '';
    seen.add(included);
    if (!existsSync(included)) throw new Error(`${path} includes ${name}, which is not in ${dirname(path)}`);
    return inlineIncludes(included, seen);
  });
}

/** Yosys' simulation models of a family's cells, from the share folder of the yosys that synthesises. */
export async function yosysCellModels(family: NetlistFamily): Promise<EmittedFile> {
  const path = join(await yosysShareDir(await yosysFor(family)), family, 'cells_sim.v');
  if (!existsSync(path)) throw new Error(`yosys' share folder has no ${family}/cells_sim.v (${path})`);
  return { name: `${family}_cells_sim.v`, text: inlineIncludes(path) };
}

/**
 * The cell models of a family's routed netlist: on ECP5 gatebench's own (hdl/sim/ecp5_routed_cells.v:
 * every post-pack cell type, since yosys' models miss or mis-model them); on Gowin yosys' library
 * for the cells synthesis made (LUTs, muxes, flip-flops, buffers) plus hdl/sim/gowin_routed_cells.v
 * for the ones nextpnr adds (its ALU, constant drivers, BUFG).
 */
export async function routedCellModels(family: RoutedFamily): Promise<EmittedFile[]> {
  const own = (name: string): EmittedFile => ({ name, text: readFileSync(join(hdlDir(), 'sim', name), 'utf8') });
  return family === 'ecp5' ? [own('ecp5_routed_cells.v')] : [await yosysCellModels('gowin'), own('gowin_routed_cells.v')];
}
