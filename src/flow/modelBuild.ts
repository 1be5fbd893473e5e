import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard, type Board } from '../board/board.js';
import { BENCH_PORTS, BENCH_TOP, emitBenchTop } from '../hdl/benchTop.js';
import { emitVerilog, type EmittedDesign, type EmittedFile } from '../hdl/emit.js';
import type { GroupSumChoice } from '../hdl/groupSum.js';
import type { DiscreteNetwork } from '../model/network.js';
import { UserError } from '../util/errors.js';
import { gatebenchVersion, gitRevision } from '../util/provenance.js';
import type { PipelineCuts } from '../hdl/cuts.js';
import { buildPathSteps, searchPipeline, type PipelineSearch } from './autoPipeline.js';
import { pathWhere } from './cutPlanner.js';
import { buildBitstream, findCachedBuild, type BuildOptions, type BuildRequest, type BuildResult } from './build.js';

export interface ModelBuildOptions extends BuildOptions {
  /** A loaded board, or a board name / board .json path. */
  readonly board: Board | string;
  /**
   * Pipeline registers every P layers (the core always has registered inputs and outputs), or
   * 'auto': the cuts that meet the clock, found by building (src/flow/autoPipeline.ts). Default 0.
   */
  readonly pipeline?: number | 'auto';
  /** Where the registers go, in place of pipeline and headCuts. */
  readonly cuts?: PipelineCuts;
  /** Progress of the 'auto' search, one line per build. */
  readonly log?: (line: string) => void;
  /** Pipeline cuts inside the head (see EmitOptions.headCuts). */
  readonly headCuts?: number;
  /** The popcount head; default 'auto', the board family's best. */
  readonly groupSum?: GroupSumChoice;
  readonly cacheDir?: string;
  readonly force?: boolean;
  readonly timeoutMs?: number;
  readonly pnrBudgetMs?: number;
  readonly onStage?: BuildRequest['onStage'];
}

/** Where a build came from: enough to rebuild it. */
export interface BuildProvenance {
  readonly gatebench: string;
  /** git revision of the checkout ('-dirty' with uncommitted changes), null outside git. */
  readonly git: string | null;
  /** networkHash of the model, and the sha256 of the emitted core. */
  readonly model: string;
  readonly design: string;
  readonly board: string;
  readonly seed: number;
  readonly freqMHz: number;
  /** Each tool's origin and version, e.g. "native Yosys 0.23 (git sha1 7ce5011c24b)". */
  readonly tools: Readonly<Record<string, string>>;
}

export interface ModelBuild {
  readonly build: BuildResult;
  /** The core (lgn_core, registered I/O) and the bench top around it. */
  readonly core: EmittedDesign;
  readonly top: EmittedFile;
  readonly provenance: BuildProvenance;
  /** What --pipeline auto tried (null for fixed cuts). */
  readonly search: PipelineSearch | null;
  /**
   * How much of the critical path's delay (the path BuildFigures.criticalPath measures) is spent in
   * the head, the popcounts and the argmax, ns; null without a placed design's report.
   */
  readonly headPathNs: number | null;
}

/**
 * Hand `use` the build request of a model's core (registered I/O, optionally pipelined) inside the
 * bench top for a board, its sources written to a scratch folder that is removed afterwards.
 */
async function withModelSources<T>(net: DiscreteNetwork, options: ModelBuildOptions, use: (request: BuildRequest, board: Board, core: EmittedDesign, top: EmittedFile) => Promise<T>): Promise<T> {
  const board = typeof options.board === 'string' ? loadBoard(options.board) : options.board;
  for (const [role, port] of [['clock', board.clock.port], ['uart.rx', board.uart.rx.port], ['uart.tx', board.uart.tx.port]] as const) {
    const want = role === 'clock' ? BENCH_PORTS.clock : role === 'uart.rx' ? BENCH_PORTS.serialIn : BENCH_PORTS.serialOut;
    if (port !== want) throw new UserError(`${board.file}: field ${role}.port is "${port}", the bench top expects "${want}" (the shared port names of boards/README.md)`);
  }
  const { pipeline = 0 } = options;
  if (pipeline === 'auto' && !options.cuts) throw new Error("internal: pipeline 'auto' is resolved into cuts by buildModel's search");
  const layout = options.cuts ? { cuts: options.cuts } : { pipeline: pipeline === 'auto' ? 0 : pipeline, headCuts: options.headCuts ?? 0 };
  const core = emitVerilog(net, { ...layout, registeredIo: true, family: board.fpga.family, ...(options.groupSum ? { groupSum: options.groupSum } : {}) });
  const top = emitBenchTop(core, board.tieHigh.map((t) => t.port));
  const dir = mkdtempSync(join(tmpdir(), 'gatebench-build-'));
  try {
    const files = [...core.files, top].map((f) => {
      const path = join(dir, f.name);
      writeFileSync(path, f.text);
      return path;
    });
    return await use(
      {
        verilogFiles: files,
        top: BENCH_TOP,
        board,
        options: { ...(options.abc9 !== undefined ? { abc9: options.abc9 } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}), ...(options.freqMHz !== undefined ? { freqMHz: options.freqMHz } : {}), ...(options.router !== undefined ? { router: options.router } : {}), ...(options.icetime !== undefined ? { icetime: options.icetime } : {}), ...(options.spread !== undefined ? { spread: options.spread } : {}) },
        ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
        ...(options.force ? { force: true } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.pnrBudgetMs ? { pnrBudgetMs: options.pnrBudgetMs } : {}),
        ...(options.onStage ? { onStage: options.onStage } : {}),
      },
      board,
      core,
      top,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Build a model for a board: the core with registered inputs and outputs (optionally pipelined;
 * with pipeline 'auto' the cuts that meet the clock, see searchPipeline),
 * inside the bench top (src/hdl/benchTop.ts), through yosys -> nextpnr-ice40 -> icepack (+icetime),
 * cached by content like every build. The result is a result even when the design does not fit or
 * misses timing (build.status); only bad requests throw.
 */
export async function buildModel(net: DiscreteNetwork, options: ModelBuildOptions): Promise<ModelBuild> {
  if (options.pipeline === 'auto' && !options.cuts) {
    const { chosen, search } = await searchPipeline((cuts) => buildOnce(net, { ...options, cuts }), { layerCount: net.layers.length, classes: net.classes, groupBits: net.layers[net.layers.length - 1]!.gates.length / net.classes }, options.log);
    return { ...chosen, search };
  }
  return buildOnce(net, options);
}

async function buildOnce(net: DiscreteNetwork, options: ModelBuildOptions): Promise<ModelBuild> {
  return withModelSources(net, options, async (request, board, core, top) => {
    const build = await buildBitstream(request);
    const provenance: BuildProvenance = {
      gatebench: gatebenchVersion(),
      git: gitRevision(),
      model: core.modelHash,
      design: core.designHash,
      board: board.name,
      seed: build.options.seed,
      freqMHz: build.options.freqMHz,
      tools: Object.fromEntries(Object.entries(build.toolchain).map(([k, t]) => [k, `${t.origin} ${t.version}`])),
    };
    return { build, core, top, provenance, search: null, headPathNs: headPathNs(build, net.layers.length) };
  });
}

/** The head's share of a build's critical path in ns, read from its nextpnr report by the cut planner's classifier. */
function headPathNs(build: BuildResult, layerCount: number): number | null {
  const steps = buildPathSteps(build);
  return steps.length === 0 ? null : pathWhere(steps, layerCount).headNs;
}

/** Where a build's core has its registers and their cost in cycles: what the store keeps beside the build (BuildPipeline). */
export function pipelineOf(b: Pick<ModelBuild, 'core' | 'search'>): { latencyCycles: number; stages: number; cuts: PipelineCuts; search: PipelineSearch | null } {
  return { latencyCycles: b.core.ports.latency, stages: b.core.stats.stages, cuts: b.core.stats.cuts, search: b.search };
}

/** The build buildModel() would serve from the cache for the same network and options, or null when it was never made. */
export async function findCachedModelBuild(net: DiscreteNetwork, options: ModelBuildOptions): Promise<BuildResult | null> {
  return withModelSources(net, options, (request) => findCachedBuild(request));
}
