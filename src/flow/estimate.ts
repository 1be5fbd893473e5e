import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { cacheRoot, hashKey, publishEntry, readEntry, scratchDir, sha256 } from '../util/cache.js';
import { runPlan, type StageRun } from './run.js';
import type { ToolOrigin } from './tools.js';
import { FAMILIES, planYosys, synthOutcome, yosysFor, type Family, type YosysStat } from './yosys.js';

export const ESTIMATE_VERSION = 'gatebench-estimate/2';

export interface EstimateOptions {
  readonly abc9?: boolean;
  /** Default: <cache root>/estimates (see src/util/cache.ts). */
  readonly cacheDir?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface EstimateResult {
  readonly format: typeof ESTIMATE_VERSION;
  readonly ok: boolean;
  readonly message: string;
  readonly family: Family;
  /** The yosys command that did the counting, e.g. synth_xilinx. */
  readonly synth: string;
  readonly top: string;
  readonly abc9: boolean;
  readonly hash: string;
  readonly cached: boolean;
  readonly dir: string;
  readonly stat: YosysStat | null;
  readonly stage: StageRun;
  readonly yosys: { readonly origin: ToolOrigin; readonly version: string };
  readonly durationMs: number;
}

/**
 * Synthesis-only resource counts with yosys synth_<family> (ice40, ecp5, gowin, xilinx), for
 * sizing models on parts that cannot be placed and routed here. Cached by content hash like
 * builds; a synthesis failure is a result with ok false and the error line.
 */
export async function estimateResources(verilogFiles: readonly string[], top: string, family: Family, options: EstimateOptions = {}): Promise<EstimateResult> {
  const started = performance.now();
  if (!FAMILIES.includes(family)) throw new UserError(`Expected the family to be one of ${FAMILIES.join(', ')}, got '${family}'`);
  if (verilogFiles.length === 0) throw new UserError('expected at least one Verilog file to estimate');
  const texts = verilogFiles.map((f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (e) {
      throw new UserError(`${f}: cannot read Verilog file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  });
  const sources = verilogFiles.map((f, i) => `src/${i}-${basename(f)}`);
  const abc9 = options.abc9 ?? false;
  const yosys = await yosysFor(family);
  const hash = hashKey({ flow: ESTIMATE_VERSION, top, family, abc9, sources: texts.map((t, i) => ({ name: sources[i], sha256: sha256(t) })), yosys: `${yosys.origin} ${yosys.version}` });
  const cacheDir = resolve(options.cacheDir ?? join(cacheRoot(), 'estimates'));
  const finalDir = join(cacheDir, hash);
  const hit = readEntry<EstimateResult>(finalDir);
  if (hit && hit.format === ESTIMATE_VERSION) return { ...hit, cached: true, dir: finalDir, durationMs: performance.now() - started };

  mkdirSync(cacheDir, { recursive: true });
  const work = scratchDir(finalDir);
  mkdirSync(join(work, 'src'), { recursive: true });
  texts.forEach((t, i) => writeFileSync(join(work, sources[i]!), t));
  // The same synthesis as a build of the family (ECP5, Gowin: LUT4s only, see SynthOptions.noWideLut).
  const plan = planYosys(sources, { top, family, abc9, noWideLut: true, netlist: null, stat: 'stat.json' });
  const stage = await runPlan(plan, work, { ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const { stat, error } = synthOutcome(work, stage, family);
  const message = stat
    ? `${family}: ${stat.luts} LUT${stat.lutInputs}s, ${stat.flipFlops} FFs, ${stat.carries} carry cells, ${stat.brams} block RAMs`
    : `synthesis for ${family} failed: ${error}`;
  const result: EstimateResult = {
    format: ESTIMATE_VERSION,
    ok: stat !== null,
    message,
    family,
    synth: `synth_${family}`,
    top,
    abc9,
    hash,
    cached: false,
    dir: finalDir,
    stat,
    stage: { ...stage, cwd: finalDir },
    yosys: { origin: yosys.origin, version: yosys.version },
    durationMs: performance.now() - started,
  };
  if (stage.timedOut || stage.signal !== null) return { ...result, dir: work, stage };
  publishEntry(work, finalDir, result);
  return result;
}
