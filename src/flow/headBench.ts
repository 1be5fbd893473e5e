/**
 * The popcount head against yosys' own `+` chain (scripts/bench-sim runs this): for 100-, 500- and
 * 1000-bit final layers, k = 10, GroupSum plus argmax synthesised alone, on iCE40 (the native
 * yosys, synth_ice40) and ECP5 (YoWASP yosys, synth_ecp5).
 *
 *   node dist/src/flow/headBench.js [--family ice40|ecp5] [--json]
 *
 * Two counts, two ratios. LUTs as yosys counts them: SB_LUT4 on iCE40 (its SB_CARRY shares the
 * logic cell); LUT4 + 2 x CCU2C on ECP5 (a CCU2C is the two LUT4s of a slice). Logic cells as
 * nextpnr packs them (--pack-only: ICESTORM_LC, TRELLIS_COMB), the honest measure: they include
 * the cells yosys' count omits (a carry with no LUT, a cell bringing a carry-in from logic onto a
 * chain). The head's ports exceed any package's pins; packing does not place them, so it still
 * counts. On iCE40 a third figure: the floor of any counter tree on its cells (src/hdl/carryHead.ts)
 * for the popcounts alone, against the chain's LUTs, the least ratio a carry head there can reach.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import type { FpgaFamily } from '../board/devices.js';
import { iceCounterFloorCells } from '../hdl/carryHead.js';
import { emitGroupSumModule } from '../hdl/groupSumModule.js';
import type { GroupSumStyle } from '../hdl/groupSum.js';
import { UserError } from '../util/errors.js';
import { parseNextpnrReport } from './nextpnr.js';
import { pypiTool, resolveTool, type ResolvedTool } from './tools.js';
import { parseYosysStat, synthScript } from './yosys.js';

type BenchFamily = Extract<FpgaFamily, 'ice40' | 'ecp5'>;
const FAMILIES: readonly BenchFamily[] = ['ice40', 'ecp5'];
const WIDTHS = [100, 500, 1000];
const CLASSES = 10;
/** The heads compared: the carry head, today's carry-save tree, and yosys' own (a chain of `+`). */
const STYLES: readonly GroupSumStyle[] = ['carry', 'tree', 'chain'];

/** nextpnr's packer per family: a device large enough for the logic, and the logic-cell resource. */
const PACKERS: Record<BenchFamily, { tool: string; device: string[]; logicCells: string }> = {
  ice40: { tool: 'nextpnr-ice40', device: ['--up5k', '--package', 'sg48'], logicCells: 'ICESTORM_LC' },
  ecp5: { tool: 'nextpnr-ecp5', device: ['--85k', '--package', 'CABGA381'], logicCells: 'TRELLIS_COMB' },
};

interface HeadFigure {
  luts: number;
  /** Carry cells as yosys counts them (SB_CARRY, CCU2C). */
  carries: number;
  /** Logic cells after nextpnr's packing (ICESTORM_LC, TRELLIS_COMB). */
  cells: number;
  seconds: number;
}

interface Tools {
  yosys: ResolvedTool;
  nextpnr: ResolvedTool;
}

async function synthesise(tools: Tools, family: BenchFamily, width: number, style: GroupSumStyle): Promise<HeadFigure> {
  const module = emitGroupSumModule(width, CLASSES, style, true, family);
  const dir = mkdtempSync(join(tmpdir(), 'gatebench-headbench-'));
  try {
    writeFileSync(join(dir, module.name), module.text);
    const started = performance.now();
    const { yosys, nextpnr } = tools;
    await execa(yosys.command, [...yosys.prefixArgs, '-q', '-p', synthScript({ top: module.top, family, netlist: 'synth.json', stat: 'stat.json' }), module.name], { cwd: dir });
    const stat = parseYosysStat(readFileSync(join(dir, 'stat.json'), 'utf8'), family);
    const packer = PACKERS[family];
    await execa(nextpnr.command, [...nextpnr.prefixArgs, ...packer.device, '--pack-only', '--json', 'synth.json', '--report', 'pack.json'], { cwd: dir });
    const cells = parseNextpnrReport(readFileSync(join(dir, 'pack.json'), 'utf8'), packer.logicCells).logicCells.used;
    const luts = family === 'ecp5' ? stat.luts + 2 * stat.carries : stat.luts;
    return { luts, carries: stat.carries, cells, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function familyTools(family: BenchFamily): Promise<Tools> {
  if (family === 'ice40') return { yosys: await resolveTool('yosys'), nextpnr: await resolveTool(PACKERS.ice40.tool) };
  const yosys = pypiTool('yosys');
  const nextpnr = pypiTool(PACKERS.ecp5.tool);
  if (!yosys || !nextpnr) throw new UserError('YoWASP yosys and nextpnr-ecp5 are not installed (.venv-eda): run scripts/setup-eda');
  return { yosys, nextpnr };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, family: { type: 'string' } } });
  const family = values.family;
  if (family !== undefined && !FAMILIES.includes(family as BenchFamily)) throw new UserError(`--family: expected one of ${FAMILIES.join(', ')}, got '${family}'`);
  const families = family ? [family as BenchFamily] : FAMILIES;
  const rows: { family: string; tools: string; width: number; heads: Record<string, HeadFigure>; lutRatio: number; cellRatio: number; floor?: { cells: number; lutRatio: number } }[] = [];
  for (const f of families) {
    const tools = await familyTools(f);
    for (const width of WIDTHS) {
      const heads: Record<string, HeadFigure> = {};
      for (const style of STYLES) heads[style] = await synthesise(tools, f, width, style);
      const carry = heads['carry']!;
      const chain = heads['chain']!;
      // On iCE40, the fewest cells any counter tree can take for the popcounts alone (argmax free).
      const floorCells = f === 'ice40' ? CLASSES * iceCounterFloorCells(width / CLASSES) : undefined;
      const floor = floorCells === undefined ? undefined : { cells: floorCells, lutRatio: floorCells / chain.luts };
      rows.push({ family: f, tools: `yosys ${tools.yosys.version}, ${tools.nextpnr.name} ${tools.nextpnr.version}`, width, heads, lutRatio: carry.luts / chain.luts, cellRatio: carry.cells / chain.cells, floor });
      if (!values.json) process.stderr.write(`headbench: ${f} ${width} bits done\n`);
    }
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ classes: CLASSES, rows }, null, 2) + '\n');
    return;
  }
  const lines = [`GroupSum + argmax, k = ${CLASSES}, synthesised alone: LUTs (iCE40 SB_LUT4; ECP5 LUT4 + 2 x CCU2C) / logic cells after nextpnr's packing (ICESTORM_LC, TRELLIS_COMB)`];
  for (const r of rows) {
    const h = (s: string): string => `${s} ${String(r.heads[s]!.luts).padStart(5)} / ${String(r.heads[s]!.cells).padStart(5)}`;
    const floor = r.floor ? `; floor of counter trees (popcounts alone): ${r.floor.cells} cells = ${r.floor.lutRatio.toFixed(3)} x chain LUTs` : '';
    lines.push(`  ${r.family.padEnd(5)} ${String(r.width).padStart(4)} bits: ${STYLES.map(h).join('  ')}  carry/chain: LUTs ${r.lutRatio.toFixed(3)}, cells ${r.cellRatio.toFixed(3)}${floor}`);
  }
  lines.push(`  tools: ${[...new Set(rows.map((r) => `${r.family}: ${r.tools}`))].join('; ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`headbench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof UserError ? 2 : 1);
});
