import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFile, type BuildResult } from '../flow/build.js';
import { dropPortWires, planIceboxVlog } from '../flow/icebox.js';
import { runPlan } from '../flow/run.js';
import { resolveTool } from '../flow/tools.js';
import type { EmittedFile } from '../hdl/emit.js';
import { cached, cacheRoot, hashKey } from '../util/cache.js';

export interface ChipVerilog {
  /** icebox_vlog's Verilog of the placed-and-routed .asc: module `chip`, ports named by the design's pcf. */
  chip: EmittedFile;
  seconds: number;
  cacheHit: boolean;
}

/**
 * The Verilog of a build's placed-and-routed bitstream: icebox_vlog on its .asc, with the build's
 * own pcf (its top's ports only, so the module's ports are the design's) and without the wire
 * re-declarations of the ports that Verilator rejects. Cached by the build's hash.
 */
export async function chipVerilog(build: BuildResult, options: { cacheDir?: string; moduleName?: string } = {}): Promise<ChipVerilog> {
  const moduleName = options.moduleName ?? 'chip';
  const asc = buildFile(build, 'asc');
  const pcf = buildFile(build, 'designPcf');
  if (!asc || !pcf) throw new Error(`internal: build ${build.hash} has no placed-and-routed .asc (status ${build.status})`);
  const icebox = await resolveTool('icebox_vlog');
  const key = hashKey({ build: build.hash, icebox: icebox.version, format: 'chip/1', moduleName });
  const entry = await cached(cacheRoot(options.cacheDir), 'icebox', key, async (dir) => {
    copyFileSync(asc, join(dir, 'pnr.asc'));
    copyFileSync(pcf, join(dir, 'design.pcf'));
    const stage = await runPlan(planIceboxVlog({ asc: 'pnr.asc', out: 'raw.v', plainPcf: 'design.pcf', package: build.board.package, moduleName }), dir);
    if (stage.failed) throw new Error(`icebox_vlog failed on ${asc}: ${stage.error}`);
    writeFileSync(join(dir, 'chip.v'), dropPortWires(readFileSync(join(dir, 'raw.v'), 'utf8')));
    return { seconds: stage.durationMs / 1000, build: build.hash };
  });
  return { chip: { name: 'chip.v', text: readFileSync(join(entry.dir, 'chip.v'), 'utf8') }, seconds: entry.meta.seconds, cacheHit: entry.hit };
}
