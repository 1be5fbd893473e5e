import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildResult } from '../flow/build.js';
import { familyFlow } from '../flow/families.js';
import { runPlan, type CommandPlan } from '../flow/run.js';
import { resolveTool } from '../flow/tools.js';
import type { EmittedFile } from '../hdl/emit.js';
import { cached, cacheRoot, hashKey } from '../util/cache.js';
import { routedCellModels, type RoutedFamily } from './cells.js';

/** The module name the routed netlist gets: hdl/sim/bitstream_adapter.v drives a `chip`. */
const CHIP = 'chip';

/** Cell types each family's routed netlist may hold: anything else has no model here and stops the check. */
const ROUTED_CELL_TYPES: Record<RoutedFamily, RegExp> = {
  ecp5: /^(TRELLIS_COMB|TRELLIS_FF|TRELLIS_IO|DCCA)$/,
  gowin: /^(LUT[1-4]|MUX2_LUT[5-8]|DFFN?([SRPC]E?|E)?|IBUF|OBUF|GSR|BUFG|GOWIN_GND|GOWIN_VCC|ALU)$/,
};

/**
 * Configuration cells nextpnr writes on the GW5A (a clock spine's selection, the pin configuration):
 * inputs only, so nothing downstream sees them; they are left out of the simulated netlist.
 */
const GOWIN_CONFIG_CELLS = /^(SPINE_SELECT|PINCFG)$/;

/** The type nextpnr's Gowin ALU cells are simulated as (hdl/sim/gowin_routed_cells.v). */
export const ROUTED_GOWIN_ALU = 'NEXTPNR_GOWIN_ALU';

type Bits = (number | string)[];
interface JsonCell {
  type: string;
  parameters: Record<string, string>;
  attributes: Record<string, string>;
  port_directions?: Record<string, string>;
  connections: Record<string, Bits>;
}
interface JsonModule {
  attributes?: Record<string, string>;
  ports: Record<string, unknown>;
  cells: Record<string, JsonCell>;
  netnames: Record<string, { hide_name?: number; bits: Bits; attributes?: unknown }>;
}

export interface PreparedNetlist {
  /** The netlist as yosys' read_json takes it: one module `chip`, only what simulation needs. */
  json: string;
  /** Cell counts by type, as nextpnr wrote them. */
  cells: Record<string, number>;
}

/**
 * Prepare nextpnr's routed netlist (`--write`) for yosys' read_json and the cell models: the top
 * module renamed `chip`; unconnected pins dropped (left open, not tied, as in the fabric's model);
 * placement and routing attributes dropped (the Verilog keeps the logic only); and what the models
 * need and nextpnr leaves implicit: on ECP5 IS_Z1 of each TRELLIS_COMB from its BEL (K1 drives the
 * wide mux), unconnected LUT inputs tied high, an absent LSR low, TRELLIS_IO as TRELLIS_IO_INPUT/_OUTPUT; on Gowin ALU cells renamed NEXTPNR_GOWIN_ALU with ALU_MODE as a string and
 * RAW_ALU_LUT as 16 bits (as gowin_pack reads it), a GW5A chain's constant carry-in tied, and the
 * I/O buffers' NET_* notes and the GW5A's configuration cells (inputs only) dropped. A cell type
 * without a model throws.
 */
export function prepareRoutedNetlist(text: string, family: RoutedFamily, source = 'routed netlist'): PreparedNetlist {
  const json = JSON.parse(text) as { creator?: string; modules?: Record<string, JsonModule> };
  const modules = Object.entries(json.modules ?? {});
  const top = modules.find(([, m]) => m.attributes?.['top'] !== undefined) ?? (modules.length === 1 ? modules[0] : undefined);
  if (!top) throw new Error(`${source}: expected one top module, found ${modules.map(([name]) => name).join(', ') || 'none'}`);
  const [, module] = top;
  const counts: Record<string, number> = {};
  const cells: Record<string, JsonCell> = {};
  for (const [name, cell] of Object.entries(module.cells)) {
    counts[cell.type] = (counts[cell.type] ?? 0) + 1;
    if (family === 'gowin' && GOWIN_CONFIG_CELLS.test(cell.type)) {
      if (Object.values(cell.port_directions ?? {}).some((d) => d !== 'input')) throw new Error(`${source}: configuration cell ${name} (${cell.type}) drives a net; gatebench has no simulation model for it`);
      continue;
    }
    if (!ROUTED_CELL_TYPES[family].test(cell.type)) throw new Error(`${source}: cell ${name} has type ${cell.type}, which gatebench has no ${family} simulation model for`);
    const connections: Record<string, Bits> = Object.fromEntries(Object.entries(cell.connections).filter(([, bits]) => bits.length > 0));
    const parameters = { ...cell.parameters };
    let type = cell.type;
    if (type === 'TRELLIS_COMB') {
      const bel = cell.attributes['NEXTPNR_BEL'];
      if (!bel) throw new Error(`${source}: TRELLIS_COMB ${name} has no NEXTPNR_BEL (is this nextpnr's routed netlist?)`);
      parameters['IS_Z1'] = bel.endsWith('.K1') ? '1' : '0';
      // The ECP5 fabric reads an unconnected LUT input as 1: nextpnr disconnects inputs tied to VCC
      // (a CCU2's constant operand) without changing INITVAL.
      for (const pin of ['A', 'B', 'C', 'D']) connections[pin] ??= ['1'];
    }
    // A register without a set/reset signal has it switched off (LSRONMUX), not floating.
    if (type === 'TRELLIS_FF') connections['LSR'] ??= ['0'];
    if (type === 'TRELLIS_IO') {
      // One model per direction: the pad pin B is the top's input or output port, which Verilator
      // will not connect to an inout.
      const dir = (parameters['DIR'] ?? '').trim();
      if (dir !== 'INPUT' && dir !== 'OUTPUT') throw new Error(`${source}: TRELLIS_IO ${name} has DIR ${dir}; gatebench models INPUT and OUTPUT pads only`);
      type = `TRELLIS_IO_${dir}`;
    }
    // gowin_pack's notes on what an I/O buffer's pins connect to: no behaviour, and no such parameters in the models.
    if (type === 'IBUF' || type === 'OBUF') for (const p of Object.keys(parameters)) if (p.startsWith('NET_')) delete parameters[p];
    if (type === 'ALU') {
      type = ROUTED_GOWIN_ALU;
      const mode = (parameters['ALU_MODE'] ?? '').trim();
      // nextpnr writes an integer mode as 32 bits, its own modes (C2L, ONE2C) as strings.
      parameters['ALU_MODE'] = /^[01]+$/.test(mode) ? String(parseInt(mode, 2)) : mode;
      const raw = parameters['RAW_ALU_LUT']?.trim();
      if (raw !== undefined) {
        parameters['RAW_ALU_LUT'] = raw.length >= 16 ? raw.slice(-16) : raw.repeat(Math.ceil(16 / raw.length)).slice(0, 16);
        parameters['HAS_RAW_ALU_LUT'] = '1';
      }
      // On the GW5A a chain's first ALU takes a constant carry-in from a mux in the fabric (apicula's
      // ALU notes): nextpnr leaves CIN open and names the constant in CIN_NETTYPE.
      const cin = (parameters['CIN_NETTYPE'] ?? '').trim();
      if ((cin === 'VCC' || cin === 'GND') && !connections['CIN']) connections['CIN'] = [cin === 'VCC' ? '1' : '0'];
      delete parameters['CIN_NETTYPE'];
    }
    // Cells and nets share yosys' name space; nextpnr's may not (its GSR cell drives a net GSR).
    cells[name in module.netnames ? `${name}$cell` : name] = { type, parameters, attributes: {}, connections };
  }
  const netnames = Object.fromEntries(Object.entries(module.netnames).map(([name, net]) => [name, { hide_name: net.hide_name ?? 0, bits: net.bits }]));
  const prepared = { creator: json.creator ?? 'nextpnr', modules: { [CHIP]: { attributes: { top: '00000000000000000000000000000001' }, ports: module.ports, cells, netnames } } };
  return { json: JSON.stringify(prepared), cells: counts };
}

/** Plan yosys turning a prepared routed netlist into Verilog (module `chip`). */
export function planRoutedToVerilog(json: string, verilog: string): CommandPlan {
  return { stage: 'routed-verilog', tool: 'yosys', argv: ['-q', '-p', `read_json ${json}; write_verilog -noattr ${verilog}`], inputs: [json], outputs: [verilog] };
}

export interface RoutedVerilog {
  /** nextpnr's routed netlist as Verilog, module `chip`, ports named as the design's top. */
  chip: EmittedFile;
  /** The cell models it is simulated with (see routedCellModels). */
  cellModels: EmittedFile[];
  /** Cell counts of the routed netlist by nextpnr's type. */
  cells: Record<string, number>;
  /** The routed netlist (JSON) in the build. */
  routedJson: string;
  seconds: number;
  cacheHit: boolean;
}

/** The routed-netlist JSON of a build whose flow writes one, or null when the build has none (an older cache entry, a failed build). */
export function routedJsonOf(build: BuildResult): string | null {
  const family = build.board.family;
  if (family !== 'ecp5' && family !== 'gowin') return null;
  const routed = familyFlow(family).files.routed;
  const path = routed ? join(build.dir, routed) : null;
  return path && existsSync(path) ? path : null;
}

/**
 * The Verilog of a build's routed netlist: nextpnr's `--write` JSON, prepared (prepareRoutedNetlist)
 * and turned into Verilog by yosys (read_json; write_verilog). It verifies synthesis, packing and
 * the netlist nextpnr placed and routed, not the bitstream (ecppack/gowin_pack come after it, and
 * routing is only attributes on its nets). Cached by the build's hash.
 */
export async function routedVerilog(build: BuildResult, options: { cacheDir?: string } = {}): Promise<RoutedVerilog> {
  const family = build.board.family;
  if (family !== 'ecp5' && family !== 'gowin') throw new Error(`internal: no routed-netlist level for ${family} (iCE40 has the bitstream level)`);
  const routedJson = routedJsonOf(build);
  if (!routedJson) throw new Error(`internal: build ${build.hash} has no routed netlist (status ${build.status})`);
  const yosys = await resolveTool('yosys');
  const key = hashKey({ build: build.hash, yosys: `${yosys.origin} ${yosys.version}`, format: 'routed/1' });
  const entry = await cached(cacheRoot(options.cacheDir), 'routed', key, async (dir) => {
    const prepared = prepareRoutedNetlist(readFileSync(routedJson, 'utf8'), family, routedJson);
    writeFileSync(join(dir, 'chip.json'), prepared.json);
    const stage = await runPlan(planRoutedToVerilog('chip.json', 'chip.v'), dir);
    if (stage.failed) throw new Error(`yosys could not turn ${routedJson} into Verilog: ${stage.error}`);
    return { seconds: stage.durationMs / 1000, build: build.hash, cells: prepared.cells };
  });
  return {
    chip: { name: 'chip.v', text: readFileSync(join(entry.dir, 'chip.v'), 'utf8') },
    cellModels: await routedCellModels(family),
    cells: entry.meta.cells,
    routedJson,
    seconds: entry.meta.seconds,
    cacheHit: entry.hit,
  };
}
