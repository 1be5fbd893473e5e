import { choiceOption, intOption, numberOption, pipelineOptions, stringOption, type Flags, type RawOptions } from '../../app/options.js';
import type { BuildFigures, BuildResult, BuildStatus, SpreadOption } from '../../flow/build.js';
import { AUTO_SPREAD_MIN_CELLS, isSpreadFactor, SPREAD_FACTORS } from '../../flow/spread.js';
import { buildModel, type BuildProvenance } from '../../flow/modelBuild.js';
import { BENCH_TOP } from '../../hdl/benchTop.js';
import { describeCuts, MAX_HEAD_CUTS, type PipelineCuts } from '../../hdl/cuts.js';
import { GROUPSUM_CHOICES } from '../../hdl/groupSum.js';
import type { PipelineSearch } from '../../flow/autoPipeline.js';
import { loadModel } from '../../model/modelFile.js';
import { UserError } from '../../util/errors.js';
import { defineCommand } from '../command.js';
import { modelPath } from './info.js';

export const BUILD_FLAGS = {
  board: { type: 'string' },
  pipeline: { type: 'string' },
  'head-pipeline': { type: 'string' },
  groupsum: { type: 'string' },
  freq: { type: 'string' },
  seed: { type: 'string' },
  abc9: { type: 'boolean' },
  router: { type: 'string' },
  'pnr-budget': { type: 'string' },
  spread: { type: 'string' },
} as const satisfies Flags;
export const BUILD_USAGE = `--board NAME [--pipeline auto|P (default auto: the registers that meet the clock with the fewest cycles)] [--head-pipeline 0..${MAX_HEAD_CUTS} (with a fixed P)] [--groupsum ${GROUPSUM_CHOICES.join('|')} (auto: the board family's best head)] [--freq MHz] [--seed S] [--abc9] [--router router1|router2] [--pnr-budget MINUTES] [--spread auto|off|FACTOR (ECP5, Gowin: stretch the placement over the part; auto for designs of ${AUTO_SPREAD_MIN_CELLS}+ logic cells)]`;

/** build's flags (--pipeline defaults to auto). */
export function buildOptionsFrom(options: RawOptions, defaultBoard?: string) {
  const board = stringOption(options, 'board') ?? defaultBoard;
  if (!board) throw new UserError(`--board: required (gatebench boards lists them)`);
  const freq = options['freq'] === undefined ? undefined : numberOption(options, 'freq', 0);
  const seed = options['seed'] === undefined ? undefined : intOption(options, 'seed', 1, 0);
  const router = options['router'] === undefined ? undefined : choiceOption(options, 'router', ['router1', 'router2'] as const, 'router1');
  const budgetMinutes = options['pnr-budget'] === undefined ? undefined : numberOption(options, 'pnr-budget', 0);
  const spread = spreadOption(options);
  return {
    board,
    ...pipelineOptions(options, 'auto'),
    groupSum: choiceOption(options, 'groupsum', GROUPSUM_CHOICES, 'auto'),
    ...(freq !== undefined ? { freqMHz: freq } : {}),
    ...(seed !== undefined ? { seed } : {}),
    abc9: options['abc9'] === true,
    ...(router !== undefined ? { router } : {}),
    ...(budgetMinutes !== undefined ? { pnrBudgetMs: budgetMinutes * 60_000 } : {}),
    ...(spread !== undefined ? { spread } : {}),
  };
}

/** --spread auto|off|FACTOR (spread.ts: SPREAD_FACTORS). */
function spreadOption(options: RawOptions): SpreadOption | undefined {
  const raw = options['spread'];
  if (raw === undefined || raw === 'auto' || raw === 'off') return raw;
  const factor = Number(raw);
  if (typeof raw !== 'string' || !isSpreadFactor(factor)) throw new UserError(`--spread: expected auto, off or ${SPREAD_FACTORS}, got '${String(raw)}'`);
  return factor;
}

export interface BuildCommandResult {
  ok: boolean;
  status: BuildStatus;
  message: string;
  board: BuildResult['board'];
  top: string;
  core: { module: string; liveGates: number; nominalGates: number; pipeline: number | null; headCuts: number; cuts: PipelineCuts; stages: number; groupSum: string; latency: number; inputBits: number };
  /** What --pipeline auto tried, build by build (null for a fixed --pipeline). */
  search: PipelineSearch | null;
  options: BuildResult['options'];
  figures: BuildFigures;
  /** The critical path's delay in the head (popcounts and argmax), ns; null without a critical path. */
  headPathNs: number | null;
  /** What the build could not do without failing (a failed icetime cross-check), one line each. */
  warnings: readonly string[];
  /** The bitstream (absolute path), null when the build stopped before icepack. */
  bin: string | null;
  dir: string;
  hash: string;
  cached: boolean;
  stages: { stage: string; tool: string; seconds: number; exitCode: number | null; error: string | null }[];
  /** Wall time of the build when it ran, and of this command's lookup. */
  buildSeconds: number;
  seconds: number;
  toolchain: BuildResult['toolchain'];
  provenance: BuildProvenance;
}

export const buildCommand = defineCommand<BuildCommandResult>({
  name: 'build',
  usage: `gatebench build model.json ${BUILD_USAGE} [--json]`,
  summary: `bitstream of the core (registered I/O) in the ${BENCH_TOP} placeholder top; resources, Fmax, critical path`,
  details: [
    `The core (registered I/O, optional pipeline) sits in ${BENCH_TOP}, a placeholder top with a two-pin serial loader`,
    '(clk, uart_rx in, uart_tx out) until the HIL stage brings the UART device top; `sim --level bitstream` simulates this very',
    'bitstream. Builds are cached by content (Verilog, board, options, tool versions). A design that does not fit, misses',
    'timing or fails to route is reported with its figures and exits with code 2. --router and --pnr-budget override the',
    "family's place-and-route defaults (ECP5 and Gowin: router2; nextpnr stopped after the budget, in CPU minutes, is recorded as routing failed).",
    '--spread (ECP5, Gowin): nextpnr places alone, gatebench stretches that placement over the part and locks its LUTs and flip-flops,',
    "then nextpnr places the rest and routes: random LGN wiring packed as densely as nextpnr packs it does not route (src/flow/spread.ts).",
  ].join('\n'),
  flags: BUILD_FLAGS,
  async run(positionals, options) {
    const model = loadModel(modelPath(positionals, this.usage));
    const o = buildOptionsFrom(options);
    const started = performance.now();
    const onStage = process.stderr.isTTY ? (e: { stage: string; state: 'start' | 'end' }) => e.state === 'start' && process.stderr.write(`build: ${e.stage}...\n`) : undefined;
    // The search's progress, build by build, for people (the result lists every try).
    const log = process.stderr.isTTY ? (line: string): void => void process.stderr.write(`build: ${line}\n`) : undefined;
    const { build, core, provenance, search, headPathNs } = await buildModel(model.network, { ...o, ...(onStage ? { onStage } : {}), ...(log ? { log } : {}) });
    const result: BuildCommandResult = {
      ok: build.ok,
      status: build.status,
      message: build.message,
      board: build.board,
      top: build.top,
      core: { module: core.top, liveGates: core.stats.liveGates, nominalGates: core.stats.nominalGates, pipeline: core.stats.pipeline, headCuts: core.stats.headCuts, cuts: core.stats.cuts, stages: core.stats.stages, groupSum: core.stats.groupSum, latency: core.ports.latency, inputBits: core.ports.inputBits },
      search,
      options: build.options,
      figures: build.figures,
      headPathNs,
      warnings: build.warnings,
      bin: build.files.bin === null ? null : `${build.dir}/${build.files.bin}`,
      dir: build.dir,
      hash: build.hash,
      cached: build.cached,
      stages: build.stages.map((s) => ({ stage: s.stage, tool: s.tool, seconds: s.durationMs / 1000, exitCode: s.exitCode, error: s.error })),
      buildSeconds: build.buildDurationMs / 1000,
      seconds: (performance.now() - started) / 1000,
      toolchain: build.toolchain,
      provenance,
    };
    if (!result.ok) {
      // The report first (the CLI prints nothing after an error), then a failing exit.
      process.stdout.write((options['json'] ? JSON.stringify(result, null, 2) : this.render(result)) + '\n');
      throw new UserError(`build: ${result.message}`);
    }
    return result;
  },
  render(r) {
    const f = r.figures;
    const n = (v: number | null): string => (v === null ? '-' : v.toLocaleString('en-US'));
    const lc = f.logicCells;
    const cp = f.criticalPath;
    const lines = [
      `${r.ok ? '' : 'FAILED: '}${r.message}`,
      ...r.warnings.map((w) => `warning: ${w}`),
      `design: ${r.core.module} (${n(r.core.liveGates)} live of ${n(r.core.nominalGates)} gates, GroupSum ${r.core.groupSum}, registered I/O) in ${r.top}, ${r.board.device}-${r.board.package.toUpperCase()} (${r.board.name})`,
      `pipeline: ${r.search ? 'auto, ' : ''}cuts ${describeCuts(r.core.cuts)}; ${r.core.stages} stage${r.core.stages === 1 ? '' : 's'}, latency ${r.core.latency} cycles` +
        (f.fmaxMHz ? ` = ${((r.core.latency * 1000) / f.fmaxMHz).toFixed(1)} ns at Fmax, ${((r.core.latency * 1000) / r.options.freqMHz).toFixed(1)} ns at ${r.options.freqMHz} MHz` : ''),
      ...(r.search ? r.search.tries.map((t, i) => `  try ${i + 1}: cuts ${t.description}, ${t.latency} cycles: ${t.status}${t.fmaxMHz !== null ? `, Fmax ${t.fmaxMHz.toFixed(1)} MHz` : ''}${t.cached ? ' (cached)' : ''}${t.criticalPath.length ? ` (critical path: ${t.criticalPath.join(' -> ')})` : ''}; ${t.next}`) : []),
      `resources: ${n(f.lut4)} LUT4, ${n(f.carry)} carry, ${n(f.dff)} FF, ${n(f.bram)} BRAM after synthesis; logic cells ${lc ? `${n(lc.used)} / ${n(lc.available)} (${((lc.used / lc.available) * 100).toFixed(1)}%)` : '-'}`,
      ...(f.resources.length ? [`placed (${r.board.family}'s names): ${f.resources.map((u) => `${u.name} ${n(u.used)}/${n(u.available)}`).join(', ')}`] : []),
      ...(f.spread ? [`spread placement: nextpnr's placement stretched ${f.spread.factor}x each way over the part, ${n(f.spread.lockedCells)} LUTs and FFs locked in ${n(f.spread.tiles)} tiles`] : []),
      `timing: ${f.clocks.length ? f.clocks.map((c) => `Fmax ${c.name} ${c.achievedMHz.toFixed(1)} MHz (target ${c.constraintMHz} MHz, ${c.achievedMHz >= c.constraintMHz ? 'met' : 'MISSED'})`).join('; ') : 'no Fmax'}` +
        (cp ? `; critical path ${cp.logicLevels} logic levels, ${cp.logicNs.toFixed(2)} ns logic + ${cp.routingNs.toFixed(2)} ns routing = ${cp.totalNs.toFixed(2)} ns` : '') +
        (cp && r.headPathNs !== null ? ` (${r.headPathNs.toFixed(2)} ns in the popcounts and argmax)` : '') +
        (f.icetimeMHz !== null ? `; icetime ${f.icetimeMHz.toFixed(1)} MHz` : ''),
      `stages: ${r.stages.map((s) => `${s.stage} ${s.seconds.toFixed(1)} s`).join(', ')}; ` +
        (r.cached ? `served from the cache in ${r.seconds.toFixed(2)} s (built in ${r.buildSeconds.toFixed(1)} s)` : `built in ${r.buildSeconds.toFixed(1)} s`),
      `tools: ${Object.entries(r.toolchain).map(([k, t]) => `${k} ${t.origin} ${t.version}`).join('; ')}`,
      `provenance: gatebench ${r.provenance.gatebench}, git ${r.provenance.git ?? '-'}, model ${r.provenance.model.slice(0, 16)}, seed ${r.options.seed}, ${r.options.freqMHz} MHz${r.options.abc9 ? ', abc9' : ''}`,
      r.bin ? `bitstream: ${r.bin}` : `build folder: ${r.dir}`,
    ];
    return lines.join('\n');
  },
});
