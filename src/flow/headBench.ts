/**
 * The popcount head against yosys' own `+` chain (scripts/bench-sim runs this): for 100-, 500- and
 * 1000-bit final layers, k = 10, GroupSum plus argmax synthesised alone, on iCE40 (the native
 * yosys, synth_ice40) and ECP5 (YoWASP yosys, synth_ecp5).
 *
 *   node dist/src/flow/headBench.js [--json]
 *
 * LUTs: SB_LUT4 on iCE40 (its SB_CARRY shares the logic cell); LUT4 + 2 x CCU2C on ECP5 (a CCU2C
 * is the two LUT4s of a slice). Yosys' counts omit the cell the placer adds in front of a chain
 * whose carry-in comes from logic; the carry head has one per adder ('carry-ins' below), so the
 * placed figure is LUTs + carry-ins.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import type { FpgaFamily } from '../board/devices.js';
import { emitGroupSumModule } from '../hdl/groupSumModule.js';
import type { GroupSumStyle } from '../hdl/groupSum.js';
import { pypiTool, resolveTool, type ResolvedTool } from './tools.js';
import { parseYosysStat, synthScript } from './yosys.js';

const WIDTHS = [100, 500, 1000];
const CLASSES = 10;
/** The heads compared: the carry head, today's carry-save tree, and yosys' own (a chain of `+`). */
const STYLES: readonly GroupSumStyle[] = ['carry', 'tree', 'chain'];

interface HeadFigure {
  luts: number;
  /** Carry cells as yosys counts them (SB_CARRY, CCU2C). */
  carries: number;
  /** Carry chains fed by logic: one placed cell each, beyond yosys' count. */
  carryIns: number;
  seconds: number;
}

/** Adder instances of the carry head whose carry-in is a signal, not a constant. */
function carryInsFromLogic(text: string): number {
  return [...text.matchAll(/\.ci\((?!1'b)/g)].length;
}

async function synthesise(yosys: ResolvedTool, family: Extract<FpgaFamily, 'ice40' | 'ecp5'>, width: number, style: GroupSumStyle): Promise<HeadFigure> {
  const module = emitGroupSumModule(width, CLASSES, style, true, family);
  const dir = mkdtempSync(join(tmpdir(), 'gatebench-headbench-'));
  try {
    writeFileSync(join(dir, module.name), module.text);
    const started = performance.now();
    await execa(yosys.command, [...yosys.prefixArgs, '-q', '-p', synthScript({ top: module.top, family, stat: 'stat.json' }), module.name], { cwd: dir });
    const stat = parseYosysStat(readFileSync(join(dir, 'stat.json'), 'utf8'), family);
    const luts = family === 'ecp5' ? stat.luts + 2 * stat.carries : stat.luts;
    return { luts, carries: stat.carries, carryIns: style === 'carry' ? carryInsFromLogic(module.text) : 0, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' } } });
  const ecp5Yosys = pypiTool('yosys');
  if (!ecp5Yosys) throw new Error('YoWASP yosys is not installed (.venv-eda): run scripts/setup-eda');
  const tools = { ice40: await resolveTool('yosys'), ecp5: ecp5Yosys } as const;
  const rows: { family: string; yosys: string; width: number; heads: Record<string, HeadFigure>; carryOverChain: number; placedOverChain: number }[] = [];
  for (const family of ['ice40', 'ecp5'] as const) {
    for (const width of WIDTHS) {
      const heads: Record<string, HeadFigure> = {};
      for (const style of STYLES) heads[style] = await synthesise(tools[family], family, width, style);
      const carry = heads['carry']!;
      const chain = heads['chain']!;
      rows.push({ family, yosys: `${tools[family].origin} ${tools[family].version}`, width, heads, carryOverChain: carry.luts / chain.luts, placedOverChain: (carry.luts + carry.carryIns) / (chain.luts + chain.carryIns) });
      if (!values.json) process.stderr.write(`headbench: ${family} ${width} bits done\n`);
    }
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ classes: CLASSES, rows }, null, 2) + '\n');
    return;
  }
  const lines = [`GroupSum + argmax, k = ${CLASSES}, synthesised alone: LUTs (iCE40 SB_LUT4; ECP5 LUT4 + 2 x CCU2C), carry cells, carry-ins from logic`];
  for (const r of rows) {
    const h = (s: string): string => `${s} ${String(r.heads[s]!.luts).padStart(5)} (${r.heads[s]!.carries} carry${r.heads[s]!.carryIns ? `, ${r.heads[s]!.carryIns} carry-ins` : ''})`;
    lines.push(`  ${r.family.padEnd(5)} ${String(r.width).padStart(4)} bits: ${STYLES.map(h).join('  ')}  carry/chain ${r.carryOverChain.toFixed(3)}, with carry-in cells ${r.placedOverChain.toFixed(3)}`);
  }
  lines.push(`  yosys: ${[...new Set(rows.map((r) => `${r.family} ${r.yosys}`))].join('; ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`headbench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
