import { readFileSync } from 'node:fs';
import { describeCuts, NO_CUTS, type PipelineCuts } from '../hdl/cuts.js';
import { buildFile, type BuildResult, type BuildStatus } from './build.js';
import { pathWhere, planNextCut, type CoreShape } from './cutPlanner.js';
import { criticalPathSteps, type PathStep } from './nextpnr.js';

/** One build of the search: its cuts and what its timing said. */
export interface PipelineTry {
  readonly cuts: PipelineCuts;
  /** describeCuts(cuts). */
  readonly description: string;
  /** Cycles from in_valid to out_valid (the cuts plus the registered inputs and outputs). */
  readonly latency: number;
  readonly status: BuildStatus;
  readonly fmaxMHz: number | null;
  /** Served from the build cache. */
  readonly cached: boolean;
  /** The sections the critical path ran through. */
  readonly criticalPath: readonly string[];
  /** The position the planner added after this build, or why it stopped. */
  readonly next: string;
}

/** What `--pipeline auto` did: every build it made, in order, and whether the chosen one meets the clock. */
export interface PipelineSearch {
  readonly targetMHz: number;
  readonly met: boolean;
  readonly tries: readonly PipelineTry[];
}

/** The steps of a build's critical path (from its nextpnr report), empty when it has none. */
export function buildPathSteps(build: BuildResult): PathStep[] {
  const report = buildFile(build, 'report');
  return report === null ? [] : criticalPathSteps(readFileSync(report, 'utf8'));
}

/**
 * `--pipeline auto`: build with no cuts; while the build misses timing, read where its critical
 * path runs, add the cut the planner (cutPlanner.ts) chooses there and build again. Stops at the
 * first build that meets the clock (the fewest cuts the planner's path takes), at a build that
 * fails for another reason (does not fit, ...), or when no cut is left on the path: then the
 * fastest build is the result, timing-failed, with every try listed. Each build is cached by
 * content, so running the search again makes no build.
 */
export async function searchPipeline<T extends { build: BuildResult; core: { ports: { latency: number } } }>(
  buildWith: (cuts: PipelineCuts) => Promise<T>,
  shape: CoreShape,
  log: (line: string) => void = () => undefined,
): Promise<{ chosen: T; cuts: PipelineCuts; search: PipelineSearch }> {
  const tries: PipelineTry[] = [];
  const built: { result: T; cuts: PipelineCuts }[] = [];
  let cuts = NO_CUTS;
  for (;;) {
    const result = await buildWith(cuts);
    const { build } = result;
    built.push({ result, cuts });
    const steps = build.status === 'timing-failed' ? buildPathSteps(build) : [];
    const plan = build.status === 'timing-failed' ? planNextCut(steps, cuts, shape) : null;
    const next = plan === null ? (build.status === 'ok' ? 'meets the clock' : `stopped: ${build.status}`) : plan.next ? `add ${plan.next.added}` : `stopped: ${plan.reason}`;
    const fmax = build.figures.fmaxMHz;
    tries.push({ cuts, description: describeCuts(cuts), latency: result.core.ports.latency, status: build.status, fmaxMHz: fmax, cached: build.cached, criticalPath: pathWhere(steps, shape.layerCount).sections, next });
    log(`pipeline cuts ${describeCuts(cuts)}: ${build.status}${fmax !== null ? `, Fmax ${fmax.toFixed(1)} MHz` : ''}${build.cached ? ' (cached)' : ''}; ${next}`);
    if (plan?.next) {
      cuts = plan.next.cuts;
      continue;
    }
    const search = { targetMHz: build.options.freqMHz, met: build.status === 'ok', tries };
    if (build.status !== 'timing-failed') return { chosen: result, cuts, search };
    // Cuts exhausted: the fastest build stands for the design.
    const best = built.reduce((w, b) => ((b.result.build.figures.fmaxMHz ?? 0) > (w.result.build.figures.fmaxMHz ?? 0) ? b : w));
    return { chosen: best.result, cuts: best.cuts, search };
  }
}
