import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadBoard, type Board } from '../board/board.js';
import { requireFlowSupport } from './support.js';
import { plainPcfFor } from '../board/pcf.js';
import { UserError } from '../util/errors.js';
import { cacheRoot, hashKey, publishEntry, readEntry, scratchDir, sha256 } from '../util/cache.js';
import { familyFlow } from './families.js';
import { partOf, type FamilyFiles, type FamilyFlow } from './family.js';
import { icetimeOutcome, planIcetime, type IcetimeReport } from './icetime.js';
import { classifyNextpnrFailure, parseNextpnrReport, parseRoutingProgress, parseUtilisationLog, routingProgressText, worstPath, type ClockFmax, type CriticalPath, type NextpnrReport, type RoutingProgress, type Utilisation } from './nextpnr.js';
import { runPlan, type CommandPlan, type RunOptions, type StageRun } from './run.js';
import { AUTO_SPREAD_MIN_CELLS, isSpreadFactor, MIN_SPREAD, SPREAD_FACTORS, spreadPlacement, type SpreadSummary } from './spread.js';
import { resolveTool, ToolNotFoundError, type ResolvedTool, type ToolName, type ToolOrigin } from './tools.js';
import { netlistPortBits, synthOutcome, yosysFor, type YosysStat } from './yosys.js';

/** Bump when the flow's commands or result shape change: old cache entries then miss. */
export const FLOW_VERSION = 'gatebench-build/5';

export interface BuildOptions {
  /** yosys synth_ice40 -abc9. Default false. */
  readonly abc9?: boolean;
  /** nextpnr placement seed. Default 1. */
  readonly seed?: number;
  /** nextpnr target frequency in MHz. Default: the board's clock. */
  readonly freqMHz?: number;
  /** nextpnr router; default: the family's (FamilyFlow.pnrDefaults); null: nextpnr's own default. */
  readonly router?: 'router1' | 'router2' | null;
  /** Run icetime as a cross-check of nextpnr's timing (iCE40 only). Default true on iCE40. */
  readonly icetime?: boolean;
  /**
   * Spread placement (spread.ts: ECP5, Gowin): 'auto' (the default) spreads designs of at least
   * AUTO_SPREAD_MIN_CELLS logic cells as far as the part allows (up to MAX_SPREAD); a number
   * stretches by that factor; 'off' never. Families without it resolve to 'off'.
   */
  readonly spread?: SpreadOption;
}

export type SpreadOption = 'auto' | 'off' | number;

export interface BuildRequest {
  readonly verilogFiles: readonly string[];
  readonly top: string;
  /** A loaded board, or a board name / board .json path. */
  readonly board: Board | string;
  readonly options?: BuildOptions;
  /** Default: <cache root>/builds (see src/util/cache.ts). */
  readonly cacheDir?: string;
  /** Ignore an existing cache entry and rebuild (the new result replaces it). */
  readonly force?: boolean;
  /** Per-stage time limit. */
  readonly timeoutMs?: number;
  /**
   * CPU time nextpnr gets before the build is recorded as routing-failed (placement-failed if it
   * was still placing) with the router's progress: CPU, not wall-clock, time, so other jobs on the
   * machine do not make a build fail; with spread placement, each of nextpnr's two runs (placing
   * alone, then placing the rest and routing) gets it. Default: the family's (FamilyFlow.pnrDefaults). Not part of
   * the cache key; a build stopped by it is not cached (a faster machine may finish it).
   */
  readonly pnrBudgetMs?: number;
  readonly signal?: AbortSignal;
  /** Called when a stage starts and when it ends (for progress display). */
  readonly onStage?: (event: { stage: string; state: 'start' } | { stage: string; state: 'end'; run: StageRun }) => void;
}

export type BuildStatus =
  | 'ok'
  | 'does-not-fit'
  | 'timing-failed'
  | 'routing-failed'
  | 'placement-failed'
  | 'pin-constraint'
  | 'synthesis-failed'
  | 'tool-failed'
  | 'tool-missing';

/** One resource nextpnr placed, under the family's own name (ICESTORM_LC, TRELLIS_COMB, DP16KD ...). */
export interface ResourceUse extends Utilisation {
  readonly name: string;
}

export interface BuildFigures {
  /** Look-up tables after synthesis (SB_LUT4 on iCE40, LUT4 on ECP5), flip-flops, carry cells, block RAMs. */
  readonly lut4: number | null;
  readonly carry: number | null;
  readonly dff: number | null;
  readonly bram: number | null;
  /** The family's logic cells as nextpnr counts them (ICESTORM_LC, TRELLIS_COMB). */
  readonly logicCells: { readonly used: number; readonly available: number } | null;
  /** Every resource type nextpnr used, with the family's names and capacities. */
  readonly resources: readonly ResourceUse[];
  /** Lowest achieved Fmax over the design's clocks (nextpnr), with its target. */
  readonly fmaxMHz: number | null;
  readonly constraintMHz: number;
  readonly clocks: readonly ClockFmax[];
  readonly criticalPath: CriticalPath | null;
  /** How far the router got when routing failed, ran out of budget or nextpnr was stopped while routing; null otherwise. */
  readonly routing: RoutingProgress | null;
  /** icetime's estimate of the same .asc. */
  readonly icetimeMHz: number | null;
  /** How spread placement stretched the design; null when it was not spread. */
  readonly spread: SpreadSummary | null;
}

export interface ToolUse {
  readonly origin: ToolOrigin;
  readonly version: string;
  readonly path: string;
}

/** Files of a build, relative to BuildResult.dir; null when the stage did not produce them. */
export interface BuildFiles {
  readonly sources: readonly string[];
  /** The board's constraints (.pcf, .lpf) as given to nextpnr. */
  readonly constraints: string;
  /** iCE40: plain `set_io port pin` lines for the top's ports only (for icetime and icebox_vlog). */
  readonly designPcf: string | null;
  readonly netlist: string | null;
  readonly stat: string | null;
  /** nextpnr's placed and routed design: the .asc on iCE40, the text configuration on ECP5. */
  readonly asc: string | null;
  readonly report: string | null;
  /** The bitstream a programmer loads: .bin on iCE40, .bit on ECP5. */
  readonly bin: string | null;
  readonly icetime: string | null;
}

export interface BuildResult {
  readonly format: typeof FLOW_VERSION;
  readonly status: BuildStatus;
  readonly ok: boolean;
  /** One line for people: what was built, or what failed and with which numbers. */
  readonly message: string;
  readonly hash: string;
  readonly cached: boolean;
  /** The build directory (absolute); `files` are relative to it. */
  readonly dir: string;
  readonly board: { readonly name: string; readonly family: string; readonly device: string; readonly package: string; readonly logicCells: number };
  readonly top: string;
  readonly options: { readonly abc9: boolean; readonly seed: number; readonly freqMHz: number; readonly router: 'router1' | 'router2' | null; readonly icetime: boolean; readonly spread: SpreadOption };
  readonly files: BuildFiles;
  readonly stages: readonly StageRun[];
  readonly synth: YosysStat | null;
  readonly pnr: NextpnrReport | null;
  readonly icetime: IcetimeReport | null;
  readonly figures: BuildFigures;
  /**
   * What the build could not do without failing: a cross-check stage (icetime) that was asked for
   * but is missing, failed or printed no estimate, one line each with the tool's reason, e.g.
   * "no icetime cross-check: icetime exited with code 1: Can't find chipdb file for device 5k".
   */
  readonly warnings: readonly string[];
  readonly toolchain: Readonly<Partial<Record<ToolName, ToolUse>>>;
  /** Wall time of the build when it ran; durationMs is this call's (small on a cache hit). */
  readonly buildDurationMs: number;
  readonly durationMs: number;
  readonly createdAt: string;
}

/** Absolute path of one of a result's files. */
export function buildFile(result: BuildResult, file: keyof Omit<BuildFiles, 'sources'>): string | null {
  const f = result.files[file];
  return f === null ? null : join(result.dir, f);
}

/** iCE40's icetime cross-check: its plain pcf and report. */
const ICETIME_FILES = { designPcf: 'design.pcf', icetime: 'icetime.rpt' } as const;

function resolvedOptions(board: Board, flow: FamilyFlow, o: BuildOptions = {}): BuildResult['options'] {
  const freqMHz = o.freqMHz ?? board.clock.mhz;
  if (!(freqMHz > 0) || !Number.isFinite(freqMHz)) throw new UserError(`Expected the target frequency to be a positive number of MHz, got ${o.freqMHz}`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0) throw new UserError(`Expected the seed to be a non-negative integer, got ${o.seed}`);
  const spread = o.spread ?? 'auto';
  if (typeof spread === 'number' && !isSpreadFactor(spread)) throw new UserError(`Expected the spread to be auto, off or ${SPREAD_FACTORS}, got ${spread}`);
  if (typeof spread === 'number' && !flow.spreader) throw new UserError(`Expected the spread to be auto or off for ${board.name}: spread placement is for ECP5 and Gowin, not ${board.fpga.family}, got ${spread}`);
  return { abc9: o.abc9 ?? false, seed, freqMHz, router: o.router === undefined ? flow.pnrDefaults.router : o.router, icetime: board.fpga.family === 'ice40' && (o.icetime ?? true), spread: flow.spreader ? spread : 'off' };
}

/** "20-minute" / "90-second" / "0.001-second". */
function formatBudget(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}-minute` : `${ms / 1000}-second`;
}

/** Names of the Verilog copies inside the build directory, in order. */
function sourceNames(files: readonly string[]): string[] {
  return files.map((f, i) => `src/${i}-${basename(f)}`);
}

/**
 * The commands of one build, planned but not run (relative paths inside the build directory): the
 * board's family's synthesis -> place and route -> packing, and on iCE40 icetime on the same .asc.
 */
export function planBuild(board: Board, sources: readonly string[], top: string, options: BuildResult['options']): CommandPlan[] {
  const flow = familyFlow(board.fpga.family);
  const plans = [...flow.plan(board, sources, top, options)];
  if (options.icetime) plans.push(planIcetime(partOf(board, 'ice40'), board.fpga.package, flow.files.placed, ICETIME_FILES.designPcf, ICETIME_FILES.icetime));
  return plans;
}

/**
 * Resolve the flow's tools. A missing yosys, nextpnr or icepack stops the build (`missing`); icetime
 * is only a cross-check, so its absence is a warning (`crossCheckMissing`).
 */
async function toolchain(flow: FamilyFlow, icetime: boolean): Promise<{ tools: Partial<Record<ToolName, ToolUse>>; missing: ToolNotFoundError | null; crossCheckMissing: ToolNotFoundError | null }> {
  const tools: Partial<Record<ToolName, ToolUse>> = {};
  let missing: ToolNotFoundError | null = null;
  let crossCheckMissing: ToolNotFoundError | null = null;
  const names: ToolName[] = [...flow.tools, ...(icetime ? (['icetime'] as const) : [])];
  const found = await Promise.allSettled(names.map((name) => (name === 'yosys' ? yosysFor(flow.family) : resolveTool(name))));
  names.forEach((name, i) => {
    const r = found[i]!;
    if (r.status === 'fulfilled') {
      const t: ResolvedTool = r.value;
      tools[name] = { origin: t.origin, version: t.version, path: t.path };
      return;
    }
    if (!(r.reason instanceof ToolNotFoundError)) throw r.reason;
    if (name === 'icetime') crossCheckMissing = r.reason;
    else missing ??= r.reason;
  });
  return { tools, missing, crossCheckMissing };
}

function readVerilog(files: readonly string[]): { path: string; text: string }[] {
  if (files.length === 0) throw new UserError('expected at least one Verilog file to build');
  return files.map((f) => {
    try {
      return { path: resolve(f), text: readFileSync(f, 'utf8') };
    } catch (e) {
      throw new UserError(`${f}: cannot read Verilog file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  });
}

/** What a build request resolves to before anything runs: its cache key and where its entry lives. */
interface PlannedBuild {
  readonly board: Board;
  readonly flow: FamilyFlow;
  /** The family's file names plus icetime's. */
  readonly files: FamilyFiles & typeof ICETIME_FILES;
  readonly options: BuildResult['options'];
  readonly verilog: readonly { path: string; text: string }[];
  readonly sources: readonly string[];
  readonly tools: Partial<Record<ToolName, ToolUse>>;
  readonly missing: ToolNotFoundError | null;
  /** Warnings known before the build runs (a cross-check that cannot run). */
  readonly warnings: readonly string[];
  readonly hash: string;
  readonly cacheDir: string;
  readonly finalDir: string;
}

async function planEntry(request: BuildRequest): Promise<PlannedBuild> {
  const board = typeof request.board === 'string' ? loadBoard(request.board) : request.board;
  const flow = familyFlow(board.fpga.family);
  let options = resolvedOptions(board, flow, request.options);
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(request.top)) throw new UserError(`Expected the top module to be a Verilog identifier, got '${request.top}'`);
  if (request.pnrBudgetMs !== undefined && !(request.pnrBudgetMs > 0)) throw new UserError(`Expected the place-and-route budget to be a positive time, got ${request.pnrBudgetMs} ms`);
  const verilog = readVerilog(request.verilogFiles);
  const sources = sourceNames(request.verilogFiles);
  const FILES = { ...flow.files, ...ICETIME_FILES };
  const { tools, missing, crossCheckMissing } = await toolchain(flow, options.icetime);
  // A cross-check that was asked for and cannot run or gives nothing is a warning, never a silent null.
  const warnings: string[] = [];
  if (!tools.icetime && options.icetime) {
    options = { ...options, icetime: false };
    warnings.push(`no icetime cross-check: ${crossCheckMissing?.message ?? 'icetime not found'}`);
  }
  const hash = hashKey({
    flow: FLOW_VERSION,
    top: request.top,
    sources: verilog.map((v, i) => ({ name: sources[i], sha256: sha256(v.text) })),
    board: { json: sha256(board.text.json), constraints: sha256(board.text.constraints) },
    options,
    tools: Object.fromEntries(Object.entries(tools).map(([k, t]) => [k, `${t.origin} ${t.version}`])),
  });
  const cacheDir = resolve(request.cacheDir ?? join(cacheRoot(), 'builds'));
  return { board, flow, files: FILES, options, verilog, sources, tools, missing, warnings, hash, cacheDir, finalDir: join(cacheDir, hash) };
}

/** The finished cache entry of a planned build, or null when there is none. */
function cacheHit(plan: PlannedBuild, started: number): BuildResult | null {
  const hit = readEntry<BuildResult>(plan.finalDir);
  if (!hit || hit.format !== FLOW_VERSION || (hit.files.bin !== null && !existsSync(join(plan.finalDir, hit.files.bin)))) return null;
  return { ...hit, cached: true, dir: plan.finalDir, durationMs: performance.now() - started };
}

/**
 * The build `buildBitstream(request)` would serve from its cache, without running anything: null
 * when that build has not been made (or a flow tool is missing). For figures of a design that
 * was built before (the timing of the bitstream a simulated run stands for).
 */
export async function findCachedBuild(request: BuildRequest): Promise<BuildResult | null> {
  const started = performance.now();
  const plan = await planEntry(request);
  return plan.missing ? null : cacheHit(plan, started);
}

/**
 * Build a bitstream for a board: its family's flow (iCE40: yosys synth_ice40 -> nextpnr-ice40 ->
 * icepack + icetime; ECP5: synth_ecp5 -> nextpnr-ecp5 -> ecppack; Gowin: synth_gowin ->
 * nextpnr-himbaechel -> gowin_pack), in a content-addressed directory `<cacheDir>/<hash>`. The hash
 * covers the Verilog text, the board's JSON and constraints, the options and the tool versions, so an identical request is served from the
 * cache without running anything. Tool failures come back as a result with a status and the log
 * tail, never as an exception; only bad requests (unreadable files, bad options) throw UserError.
 */
export async function buildBitstream(request: BuildRequest): Promise<BuildResult> {
  const started = performance.now();
  const plan = await planEntry(request);
  const { board, flow, files: FILES, options, verilog, sources, tools, missing, hash, cacheDir, finalDir } = plan;
  const warnings = [...plan.warnings];

  if (!request.force && !missing) {
    const hit = cacheHit(plan, started);
    if (hit) return hit;
  }
  // A part the installed place-and-route tool has no chip database for is the board file's fault:
  // one line naming its field (exit 2) before synthesis, not a nextpnr error after it.
  if (!missing) await requireFlowSupport(board);

  mkdirSync(cacheDir, { recursive: true });
  const work = scratchDir(finalDir);
  mkdirSync(join(work, 'src'), { recursive: true });
  verilog.forEach((v, i) => writeFileSync(join(work, sources[i]!), v.text));
  copyFileSync(board.constraintsFile, join(work, FILES.constraints));

  const plans = planBuild(board, sources, request.top, options);
  const runOptions: RunOptions = { ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}), ...(request.signal ? { signal: request.signal } : {}) };
  const stages: StageRun[] = [];
  const pnrBudgetMs = request.pnrBudgetMs ?? flow.pnrDefaults.budgetMs;
  const run = async (plan: CommandPlan, cpuBudgetMs?: number): Promise<StageRun> => {
    request.onStage?.({ stage: plan.stage, state: 'start' });
    const r = await runPlan(plan, work, cpuBudgetMs ? { ...runOptions, cpuBudgetMs } : runOptions);
    request.onStage?.({ stage: plan.stage, state: 'end', run: r });
    return r;
  };
  const [synthPlan, pnrPlan, packPlan, icetimePlan] = plans as [CommandPlan, CommandPlan, CommandPlan, CommandPlan | undefined];

  let status: BuildStatus = 'ok';
  let message = '';
  let synth: YosysStat | null = null;
  let pnr: NextpnrReport | null = null;
  let icetime: IcetimeReport | null = null;
  // Logic cells from nextpnr's log when it stopped before writing its report (does not fit).
  let logicCellsFromLog: { used: number; available: number } | null = null;
  let routing: RoutingProgress | null = null;
  const produced = (f: string): string | null => (existsSync(join(work, f)) ? f : null);

  const failedStage = (r: StageRun): boolean => {
    if (!r.failed) return false;
    if (r.origin === null) {
      status = 'tool-missing';
      message = r.error ?? `${r.tool} not found`;
    }
    return true;
  };

  let spread: SpreadSummary | null = null;
  /**
   * Place and route; with spread placement (when its option and the synthesised size ask for it)
   * nextpnr first places alone, and a failed placement is the run reported.
   */
  const placeAndRoute = async (stat: YosysStat): Promise<StageRun> => {
    const spreader = flow.spreader;
    const spreadFiles = FILES.spread;
    if (!spreader || !spreadFiles || options.spread === 'off') return run(pnrPlan, pnrBudgetMs);
    if (options.spread === 'auto' && spreader.logicCells(stat) < AUTO_SPREAD_MIN_CELLS) return run(pnrPlan, pnrBudgetMs);
    // A tool installed without its device database (or a gowin_pack that is not a Python script) builds unspread.
    const logic = await spreader.logicTiles(board).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
    if (typeof logic === 'string') {
      warnings.push(`not spread: the part's logic tiles could not be read: ${logic}`);
      return run(pnrPlan, pnrBudgetMs);
    }
    const placeRun = await run(spreader.planPlace(board, options), pnrBudgetMs);
    if (placeRun.failed) return placeRun;
    stages.push(placeRun);
    const stretched = spreadPlacement(readFileSync(join(work, FILES.netlist), 'utf8'), readFileSync(join(work, spreadFiles.placement), 'utf8'), logic, options.spread === 'auto' ? 'fill' : options.spread);
    if (!stretched) {
      warnings.push(`not spread: the part has no room to stretch the placement ${MIN_SPREAD} times`);
      return run(pnrPlan, pnrBudgetMs);
    }
    spread = stretched.summary;
    writeFileSync(join(work, spreadFiles.netlist), stretched.netlist);
    return run(flow.plan(board, sources, request.top, options, spreadFiles.netlist)[1], pnrBudgetMs);
  };

  const synthRun = await run(synthPlan);
  stages.push(synthRun);
  const synthesis = synthOutcome(work, synthRun, flow.family, FILES.stat);
  if (failedStage(synthRun) || !synthesis.stat) {
    if (status === 'ok') {
      status = 'synthesis-failed';
      message = `synthesis failed: ${synthesis.error}`;
    }
  } else {
    synth = synthesis.stat;
    // iCE40's plain pcf of the design's own ports, for icetime and for icebox_vlog (sim --level bitstream).
    if (flow.family === 'ice40') writeFileSync(join(work, FILES.designPcf), plainPcfFor(board.constraints, netlistPortBits(readFileSync(join(work, FILES.netlist), 'utf8'), request.top)));
    const pnrRun = await placeAndRoute(synthesis.stat);
    stages.push(pnrRun);
    if (failedStage(pnrRun)) {
      if (status === 'ok') {
        const log = readFileSync(join(work, pnrRun.logFile), 'utf8');
        const failure = classifyNextpnrFailure(log);
        logicCellsFromLog = parseUtilisationLog(log)[flow.logicCellResource] ?? null;
        const progress = parseRoutingProgress(log);
        if (progress.started) routing = progress;
        if (pnrRun.outOfBudget) {
          // The budget, not the tool, ended the run: say how far it got.
          const minutes = `${(pnrRun.durationMs / 60_000).toFixed(1)} min`;
          status = progress.started ? 'routing-failed' : 'placement-failed';
          message = progress.started
            ? `routing failed: not routed within the ${formatBudget(pnrBudgetMs)} CPU budget for place and route (${[routingProgressText(progress), `stopped after ${minutes}`].filter((t) => t).join(', ')})`
            : `placement failed: not placed within the ${formatBudget(pnrBudgetMs)} CPU budget for place and route (stopped after ${minutes})`;
        } else if (failure?.kind === 'does-not-fit') {
          status = 'does-not-fit';
          const unit = failure.cellType === flow.logicCellResource ? flow.logicCellUnit : failure.cellType;
          message = `does not fit (needs ${failure.used} ${unit}, the board has ${failure.available})`;
        } else if (failure?.kind === 'routing-failed') {
          status = 'routing-failed';
          const text = routingProgressText(progress);
          message = `routing failed${text ? ` (${text})` : ''}: ${pnrRun.error}`;
        } else if (failure?.kind === 'placement-failed') {
          status = 'placement-failed';
          message = `placement failed: ${pnrRun.error}`;
        } else if (failure?.kind === 'pin-constraint') {
          status = 'pin-constraint';
          message = `pin constraints failed: ${failure.detail}`;
        } else {
          // Killed or timed out while routing: how far the router got is worth as much as in a budget stop.
          status = 'tool-failed';
          const text = progress.started ? routingProgressText(progress) : '';
          message = `${pnrRun.error ?? `${pnrPlan.tool} failed`}${text ? ` (${text})` : ''}`;
        }
      }
    } else {
      pnr = parseNextpnrReport(readFileSync(join(work, FILES.report), 'utf8'), flow.logicCellResource);
      const after = await Promise.all([run(packPlan), ...(icetimePlan ? [run(icetimePlan)] : [])]);
      stages.push(...after);
      const [packRun, icetimeRun] = after as [StageRun, StageRun | undefined];
      if (icetimeRun) {
        const outcome = icetimeOutcome(work, icetimeRun, FILES.icetime);
        icetime = outcome.report;
        if (outcome.error !== null) warnings.push(`no icetime cross-check: ${outcome.error}`);
      }
      if (failedStage(packRun) && status === 'ok') {
        status = 'tool-failed';
        message = packRun.error ?? `${packPlan.tool} failed`;
      }
    }
  }

  const clocks = pnr?.clocks ?? [];
  const slowest = clocks.reduce<ClockFmax | null>((w, c) => (w === null || c.achievedMHz < w.achievedMHz ? c : w), null);
  if (status === 'ok' && slowest && slowest.achievedMHz < slowest.constraintMHz) {
    status = 'timing-failed';
    message = `failed timing at ${slowest.constraintMHz} MHz (achieved ${slowest.achievedMHz.toFixed(1)} MHz on ${slowest.name})`;
  }
  if (status === 'ok') {
    const lc = pnr!.logicCells;
    message = `built for ${board.name}: ${lc.used}/${lc.available} ${flow.logicCellUnit} (${((lc.used / lc.available) * 100).toFixed(1)}%)${slowest ? `, Fmax ${slowest.achievedMHz.toFixed(1)} MHz (target ${options.freqMHz} MHz)` : ', no clocked paths (register the inputs and outputs to get an Fmax)'}`;
  }

  const finalStages = stages.map((s) => ({ ...s, cwd: finalDir }));
  const result: BuildResult = {
    format: FLOW_VERSION,
    status,
    ok: status === 'ok',
    message,
    hash,
    cached: false,
    dir: finalDir,
    board: { name: board.name, family: board.fpga.family, device: board.device.part, package: board.fpga.package, logicCells: board.fpga.logicCells },
    top: request.top,
    options,
    files: {
      sources,
      constraints: FILES.constraints,
      designPcf: produced(FILES.designPcf),
      netlist: produced(FILES.netlist),
      stat: produced(FILES.stat),
      asc: produced(FILES.placed),
      report: produced(FILES.report),
      bin: produced(FILES.bitstream),
      icetime: produced(FILES.icetime),
    },
    stages: finalStages,
    synth,
    pnr,
    icetime,
    figures: {
      lut4: synth?.luts ?? null,
      carry: synth?.carries ?? null,
      dff: synth?.flipFlops ?? null,
      bram: synth?.brams ?? null,
      logicCells: pnr ? pnr.logicCells : logicCellsFromLog,
      resources: Object.entries(pnr?.utilisation ?? {}).flatMap(([name, u]) => (u.used > 0 ? [{ name, ...u }] : [])),
      fmaxMHz: slowest?.achievedMHz ?? null,
      constraintMHz: options.freqMHz,
      clocks,
      criticalPath: pnr ? worstPath(pnr) : null,
      routing,
      icetimeMHz: icetime?.mhz ?? null,
      spread,
    },
    warnings,
    toolchain: tools,
    buildDurationMs: performance.now() - started,
    durationMs: performance.now() - started,
    createdAt: new Date().toISOString(),
  };
  // Deterministic outcomes are cached; a missing tool, a timeout or a cancellation is not.
  // Their scratch directory is left in place with the logs.
  const transient = (status as BuildStatus) === 'tool-missing' || stages.some((s) => s.timedOut || s.outOfBudget || s.signal !== null);
  if (transient) return { ...result, dir: work, stages: stages.map((s) => ({ ...s, cwd: work })) };
  if (request.force) rmSync(finalDir, { recursive: true, force: true });
  publishEntry(work, finalDir, result);
  return result;
}
