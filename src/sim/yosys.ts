import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmittedFile } from '../hdl/emit.js';
import { cached, cacheRoot, contentKey } from './cache.js';
import { runTool, type ToolCommand } from './exec.js';
import { toolVersion } from './tools.js';

export interface SynthResult {
  /** The synthesised netlist as Verilog (SB_* cells of yosys' iCE40 library). */
  netlist: EmittedFile;
  /** Cell counts from `stat -json` (SB_LUT4, SB_CARRY, SB_DFF...). */
  cells: Record<string, number>;
  /** Time yosys took (when the cached netlist was built, on a cache hit). */
  seconds: number;
  /** Time this call took: the synthesis, or just the cache lookup on a hit. */
  lookupSeconds: number;
  cacheHit: boolean;
}

/** The yosys script: read the files, synth_ice40, write the netlist and the cell counts. */
export function synthScript(files: string[], top: string, extra: string[] = []): string {
  return [
    ...files.map((f) => `read_verilog ${f}`),
    `synth_ice40 -top ${top}${extra.length ? ' ' + extra.join(' ') : ''}`,
    'tee -q -o stat.json stat -json',
    'write_verilog -noattr netlist.v',
  ].join('; ');
}

export function planSynth(dir: string, files: string[], top: string, extra: string[] = []): ToolCommand {
  return { tool: 'yosys', argv: ['-q', '-p', synthScript(files, top, extra)], cwd: dir };
}

/** Parse yosys' `stat -json`: the cell counts of the top module (or of the design). */
export function parseStat(json: string, top: string): Record<string, number> {
  type Stat = { num_cells_by_type?: Record<string, number> };
  const doc = JSON.parse(json) as { modules?: Record<string, Stat>; design?: Stat };
  const module = doc.modules?.[top] ?? doc.modules?.[`\\${top}`];
  return { ...(module?.num_cells_by_type ?? doc.design?.num_cells_by_type ?? {}) };
}

/**
 * Synthesise files with yosys synth_ice40, cached by content (yosys version, script, sources): a
 * second call with the same design returns at once.
 */
export async function synthIce40(files: EmittedFile[], top: string, options: { cacheDir?: string; extra?: string[] } = {}): Promise<SynthResult> {
  const version = await toolVersion('yosys');
  const extra = options.extra ?? [];
  const script = synthScript(
    files.map((f) => f.name),
    top,
    extra,
  );
  const key = contentKey([version, script, ...files.flatMap((f) => [f.name, f.text])]);
  const started = performance.now();
  const entry = await cached(cacheRoot(options.cacheDir), 'synth', key, async (dir) => {
    for (const f of files) writeFileSync(join(dir, f.name), f.text);
    const run = await runTool(planSynth(dir, files.map((f) => f.name), top, extra));
    return { seconds: run.durationMs / 1000, yosys: version, top };
  });
  const netlist = { name: `${top}_netlist.v`, text: readFileSync(join(entry.dir, 'netlist.v'), 'utf8') };
  const cells = parseStat(readFileSync(join(entry.dir, 'stat.json'), 'utf8'), top);
  return { netlist, cells, seconds: entry.meta.seconds, lookupSeconds: (performance.now() - started) / 1000, cacheHit: entry.hit };
}
