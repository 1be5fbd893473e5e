import { DATASET_FLAGS, DATASET_USAGE, datasetFromOptions } from '../../app/dataOptions.js';
import { choiceOption, intOption, stringOption } from '../../app/options.js';
import { encodeSamples } from '../../data/encoding.js';
import { buildFile } from '../../flow/build.js';
import { buildModel } from '../../flow/modelBuild.js';
import { BENCH_TOP } from '../../hdl/benchTop.js';
import { emitVerilog, type EmittedDesign, type EmittedFile } from '../../hdl/emit.js';
import { loadModel } from '../../model/modelFile.js';
import { evaluateReference } from '../../model/reference.js';
import { loadBoard, type Board } from '../../board/board.js';
import type { GowinYosysFamily } from '../../board/devices.js';
import { chipVerilog } from '../../sim/bitstream.js';
import { NETLIST_FAMILIES, ROUTED_FAMILIES, type NetlistFamily } from '../../sim/cells.js';
import { routedJsonOf, routedVerilog } from '../../sim/routed.js';
import { randomVectors } from '../../sim/check.js';
import { compareWithReference, simulate, type Mismatch, type VectorSet } from '../../sim/simulate.js';
import { isChipLevel, SIM_LEVELS, SIMULATORS, type SimLevel, type SimulatorName } from '../../sim/simulators.js';
import { UserError } from '../../util/errors.js';
import { defineCommand } from '../command.js';
import { emitOptionsFrom, HDL_FLAGS, HDL_USAGE, HEAD_FAMILY_FLAG, HEAD_FAMILY_USAGE, headFamilyFrom } from './emit.js';
import { modelPath } from './info.js';
import { describeCuts, type PipelineCuts } from '../../hdl/cuts.js';

export interface SimResult {
  ok: boolean;
  model: string;
  design: string;
  simulator: SimulatorName;
  level: SimLevel;
  /** Level netlist: the family whose synthesis and cell models were simulated. */
  family: NetlistFamily | null;
  /** --pipeline: P, or 'auto' (the cuts the build search chose, in `cuts`). */
  pipeline: number | 'auto';
  cuts: PipelineCuts;
  registeredIo: boolean;
  groupSum: string;
  liveGates: number;
  vectors: { dataset: number; random: number; total: number; source: string | null; split: string | null };
  checked: number;
  mismatches: number;
  /** Of the mismatches, those with the right sums but the wrong class index (an argmax fault). */
  classIdxOnly: number;
  firstMismatches: (Mismatch & { source: 'dataset' | 'random'; sourceIndex: number })[];
  /** Clock cycles from a vector in to its result out (the design's latency); 0 if combinational. */
  cyclesPerInference: number;
  measuredLatency: number | null;
  cycles: number;
  vectorsPerSecond: number;
  runSeconds: number;
  compileSeconds: number;
  cacheHit: boolean;
  synth: { seconds: number; cacheHit: boolean; cells: Record<string, number> } | null;
  /** Level bitstream: the build whose placed-and-routed .asc was simulated. */
  bitstream: {
    board: string;
    top: string;
    status: string;
    message: string;
    hash: string;
    asc: string;
    bin: string | null;
    buildCached: boolean;
    buildSeconds: number;
    iceboxSeconds: number;
    iceboxCached: boolean;
  } | null;
  /**
   * Level routed (ECP5, Gowin): the build whose nextpnr routed netlist was simulated. It verifies
   * synthesis, packing and the netlist nextpnr placed and routed, not the bitstream.
   */
  routed: {
    board: string;
    family: string;
    top: string;
    status: string;
    message: string;
    hash: string;
    routedJson: string;
    cells: Record<string, number>;
    buildCached: boolean;
    buildSeconds: number;
    verilogSeconds: number;
    verilogCached: boolean;
  } | null;
}

export const simCommand = defineCommand<SimResult>({
  name: 'sim',
  usage: `gatebench sim model.json [--simulator verilator|iverilog] [--level rtl|netlist|bitstream|routed] [--board NAME] [${DATASET_USAGE}] [--split test|train] [--limit N (0: no dataset vectors)] [--random N] [--seed S] ${HDL_USAGE.replace('[--pipeline P]', '[--pipeline P|auto (auto: netlist, bitstream and routed, the cuts `build` chooses for --board)]')} ${HEAD_FAMILY_USAGE} [--optimize] [--json]`,
  details: [
    'Levels: rtl simulates the emitted Verilog; netlist the yosys synth_<family> netlist with yosys\' cell models of',
    "--board's family (iCE40 without --board; ECP5, Gowin);",
    `bitstream (iCE40) builds the core (registered I/O) in the ${BENCH_TOP} placeholder top for --board (default icebreaker;`,
    'the same cached build as `gatebench build`), turns the placed-and-routed .asc back into Verilog with icebox_vlog and',
    "drives it through the top's two serial pins (hdl/sim/bitstream_adapter.v), one vector at a time. It checks the logic of",
    'that very bitstream (core, loader, routing), not its timing.',
    'routed (ECP5, Gowin: --board required) does the same with nextpnr\'s routed netlist of that build (JSON, turned into',
    'Verilog by yosys, simulated with cell models): nextpnr\'s routed netlist, not the bitstream (only iCE40 has icebox_vlog).',
  ].join('\n'),
  summary: 'simulate the emitted Verilog, its synthesised netlist, its iCE40 bitstream or its ECP5/Gowin routed netlist and check every class sum against the reference',
  flags: {
    ...DATASET_FLAGS,
    ...HDL_FLAGS,
    ...HEAD_FAMILY_FLAG,
    simulator: { type: 'string' },
    level: { type: 'string' },
    split: { type: 'string' },
    limit: { type: 'string' },
    random: { type: 'string' },
    seed: { type: 'string' },
    optimize: { type: 'boolean' },
    board: { type: 'string' },
  },
  async run(positionals, options) {
    const model = loadModel(modelPath(positionals, this.usage));
    const simulator = choiceOption(options, 'simulator', SIMULATORS, 'verilator');
    const level = choiceOption(options, 'level', SIM_LEVELS, 'rtl');
    if (options['board'] !== undefined && level === 'rtl') throw new UserError(`--board: only with --level netlist, bitstream or routed, got --level rtl`);
    const boardName = stringOption(options, 'board');
    const netlist = level === 'netlist' ? netlistFamily(boardName) : null;
    const family = netlist?.family ?? null;
    // Checked before any build, like the output paths of other commands.
    const routedTarget = level === 'routed' ? routedBoard(boardName) : null;
    const emit = emitOptionsFrom(options);
    const log = (line: string): void => void process.stderr.write(`sim: ${line}\n`);
    const random = intOption(options, 'random', 0, 0);
    // --limit 0: no dataset vectors (only the --random ones).
    const limit = intOption(options, 'limit', null, 0);
    const seed = intOption(options, 'seed', 1, 0);
    const split = choiceOption(options, 'split', ['test', 'train'] as const, 'test');
    // The dataset's vectors, as eval takes them (--dataset, else the model's own), beside any --random
    // ones; a model that names no dataset runs on --random alone.
    const useDataset = limit !== 0 && (stringOption(options, 'dataset') !== undefined || model.dataset !== null || random === 0);
    const N = model.network.inputBits;
    let datasetVectors: VectorSet = { count: 0, inputBits: N, bits: new Uint8Array(0) };
    let source: string | null = null;
    if (useDataset) {
      if (!stringOption(options, 'dataset') && !model.dataset) throw new UserError(`--dataset: required, the model names no dataset (or give --random N)`);
      const dataset = datasetFromOptions(options, model.dataset?.spec);
      const encoded = encodeSamples(model.encoding, split === 'test' ? dataset.test : dataset.train);
      const count = Math.min(encoded.count, limit ?? encoded.count);
      datasetVectors = { count, inputBits: N, bits: encoded.bits.subarray(0, count * N) };
      source = dataset.spec;
    }
    const randomSet = randomVectors(random, N, seed);
    const all: VectorSet = { count: datasetVectors.count + random, inputBits: N, bits: new Uint8Array((datasetVectors.count + random) * N) };
    all.bits.set(datasetVectors.bits, 0);
    all.bits.set(randomSet.bits, datasetVectors.count * N);
    if (all.count === 0) throw new UserError(`no vectors to simulate: ${limit === 0 ? '--limit is 0' : 'the dataset split is empty'} and --random is 0`);

    let design: EmittedDesign;
    let chip: EmittedFile | undefined;
    let cellModels: EmittedFile[] | undefined;
    let bitstream: SimResult['bitstream'] = null;
    let routed: SimResult['routed'] = null;
    if (level === 'bitstream') {
      const board = boardName ?? 'icebreaker';
      const { build, core } = await buildModel(model.network, { board, pipeline: emit.pipeline, headCuts: emit.headCuts, groupSum: emit.groupSum, log });
      const asc = buildFile(build, 'asc');
      if (!asc) throw new UserError(`sim: no bitstream to verify: ${build.message}`);
      const vlog = await chipVerilog(build);
      design = core;
      chip = vlog.chip;
      bitstream = {
        board: build.board.name,
        top: build.top,
        status: build.status,
        message: build.message,
        hash: build.hash,
        asc,
        bin: buildFile(build, 'bin'),
        buildCached: build.cached,
        buildSeconds: build.buildDurationMs / 1000,
        iceboxSeconds: vlog.seconds,
        iceboxCached: vlog.cacheHit,
      };
    } else if (routedTarget) {
      const board = routedTarget;
      const buildOptions = { board, pipeline: emit.pipeline, headCuts: emit.headCuts, groupSum: emit.groupSum, log };
      let { build, core } = await buildModel(model.network, buildOptions);
      // A build cached before its flow wrote the routed netlist: build it again, once.
      if (build.ok && !routedJsonOf(build)) ({ build, core } = await buildModel(model.network, { ...buildOptions, force: true }));
      if (!routedJsonOf(build)) throw new UserError(`sim: no routed netlist to verify for ${board.name}: ${build.message}`);
      const vlog = await routedVerilog(build);
      design = core;
      chip = vlog.chip;
      cellModels = vlog.cellModels;
      routed = {
        board: build.board.name,
        family: build.board.family,
        top: build.top,
        status: build.status,
        message: build.message,
        hash: build.hash,
        routedJson: vlog.routedJson,
        cells: vlog.cells,
        buildCached: build.cached,
        buildSeconds: build.buildDurationMs / 1000,
        verilogSeconds: vlog.seconds,
        verilogCached: vlog.cacheHit,
      };
    } else {
      // The netlist level synthesises for --board's family (iCE40 without one): the head is that family's.
      const headFamily = headFamilyFrom(options);
      if (family !== null && headFamily !== undefined && headFamily !== family) throw new UserError(`--family: the netlist level synthesises for ${family} (--board's family), got ${headFamily}`);
      const familyOption = family !== null ? { family } : headFamily ? { family: headFamily } : {};
      if (emit.pipeline === 'auto') {
        // The cuts the build search chooses for the board (its builds are cached), simulated as a netlist.
        if (level === 'rtl' && boardName === undefined) throw new UserError('--pipeline auto: the RTL level has no board to time the design against; add --level netlist --board B, or give a fixed P');
        const { core } = await buildModel(model.network, { board: boardName ?? 'icebreaker', pipeline: 'auto', groupSum: emit.groupSum, log });
        design = emitVerilog(model.network, { cuts: core.stats.cuts, registeredIo: true, groupSum: emit.groupSum, ...familyOption });
      } else {
        design = emitVerilog(model.network, { ...emit, pipeline: emit.pipeline, ...familyOption });
      }
    }
    const reference = evaluateReference(model.network, { ...all, labels: new Uint8Array(all.count) });
    const run = await simulate(design, all, { simulator, level, optimize: options['optimize'] === true, ...(netlist ?? {}), ...(chip ? { chip } : {}), ...(cellModels ? { cellModels } : {}) });
    const comparison = compareWithReference(run, reference);
    // At bitstream and routed level the testbench measures the serial adapter's cycles, not the core's latency.
    if (!isChipLevel(level) && run.measuredLatency !== null && run.measuredLatency !== design.ports.latency) {
      throw new Error(`internal: the testbench measured a latency of ${run.measuredLatency} cycles, the emitter reports ${design.ports.latency}`);
    }
    const result: SimResult = {
      ok: comparison.mismatches === 0,
      model: design.modelHash,
      design: design.designHash,
      simulator,
      level,
      family,
      pipeline: emit.pipeline,
      cuts: design.stats.cuts,
      registeredIo: design.stats.registeredIo,
      groupSum: design.stats.groupSum,
      liveGates: design.stats.liveGates,
      vectors: { dataset: datasetVectors.count, random, total: all.count, source, split: source ? split : null },
      checked: comparison.checked,
      mismatches: comparison.mismatches,
      classIdxOnly: comparison.classIdxOnly,
      firstMismatches: comparison.first.map((m) => ({
        ...m,
        source: m.index < datasetVectors.count ? 'dataset' : 'random',
        sourceIndex: m.index < datasetVectors.count ? m.index : m.index - datasetVectors.count,
      })),
      cyclesPerInference: design.ports.latency,
      measuredLatency: run.measuredLatency,
      cycles: run.cycles,
      vectorsPerSecond: run.vectorsPerSecond,
      runSeconds: run.runSeconds,
      compileSeconds: run.compileSeconds,
      cacheHit: run.cacheHit,
      synth: run.synth,
      bitstream,
      routed,
    };
    if (!result.ok) {
      // The report first (the CLI prints nothing after an error), then a failing exit.
      process.stdout.write((options['json'] ? JSON.stringify(result, null, 2) : this.render(result)) + '\n');
      throw new UserError(`sim: ${result.mismatches} of ${result.checked} vectors differ from the reference (${simulator}, ${level})`);
    }
    return result;
  },
  render(r) {
    const cells = r.synth ? Object.entries(r.synth.cells).map(([k, v]) => `${v} ${k}`).join(', ') : '';
    return [
      `${r.ok ? 'PASS' : 'FAIL'}: ${r.checked} vectors (${r.vectors.dataset} from ${r.vectors.source ?? '-'}${r.vectors.split ? ` ${r.vectors.split}` : ''}, ${r.vectors.random} random), ${r.mismatches} mismatches` +
        (r.classIdxOnly ? ` (${r.classIdxOnly} in class_idx only)` : ''),
      ...r.firstMismatches.map(
        (m) => `  vector ${m.index} (${m.source} #${m.sourceIndex}): expected sums [${m.expected.sums.join(' ')}] class ${m.expected.classIdx}, got [${m.actual.sums.join(' ')}] class ${m.actual.classIdx}`,
      ),
      `${r.simulator} ${r.level}, pipeline ${r.pipeline}${r.pipeline === 'auto' ? ` (cuts ${describeCuts(r.cuts)})` : ''}${r.registeredIo ? ', registered I/O' : ''}, GroupSum ${r.groupSum}: ${r.liveGates} live gates, ` +
        (r.bitstream || r.routed
          ? `${r.cyclesPerInference} cycles per inference in the core; ${r.cycles} cycles through the serial pins (${(r.cycles / Math.max(1, r.checked)).toFixed(0)} per vector)`
          : r.cyclesPerInference
            ? `${r.cyclesPerInference} cycles per inference (measured ${r.measuredLatency}), ${r.cycles} cycles`
            : 'combinational'),
      `${Math.round(r.vectorsPerSecond)} vectors/s (${r.runSeconds.toFixed(2)} s); build ${r.compileSeconds.toFixed(1)} s${r.cacheHit ? ' (cached)' : ''}` +
        (r.synth ? `; synth_${r.family ?? 'ice40'} ${r.synth.seconds.toFixed(1)} s${r.synth.cacheHit ? ' (cached)' : ''}: ${cells}` : ''),
      ...(r.bitstream
        ? [
            `bitstream: ${r.bitstream.top} for ${r.bitstream.board} (${r.bitstream.message}); build ${r.bitstream.buildSeconds.toFixed(1)} s${r.bitstream.buildCached ? ' (cached)' : ''}, icebox_vlog ${r.bitstream.iceboxSeconds.toFixed(1)} s${r.bitstream.iceboxCached ? ' (cached)' : ''}`,
            `  ${r.bitstream.asc}`,
          ]
        : []),
      ...(r.routed
        ? [
            `routed netlist (nextpnr's, not the bitstream): ${r.routed.top} for ${r.routed.board} (${r.routed.message}); build ${r.routed.buildSeconds.toFixed(1)} s${r.routed.buildCached ? ' (cached)' : ''}, to Verilog ${r.routed.verilogSeconds.toFixed(1)} s${r.routed.verilogCached ? ' (cached)' : ''}: ` +
              Object.entries(r.routed.cells).map(([k, v]) => `${v} ${k}`).join(', '),
            `  ${r.routed.routedJson}`,
          ]
        : []),
    ].join('\n');
  },
});

/** The family `--level netlist` synthesises for: --board's, else iCE40. */
function netlistFamily(boardName: string | undefined): { family: NetlistFamily; gowinFamily?: GowinYosysFamily } {
  if (boardName === undefined) return { family: 'ice40' };
  const board = loadBoard(boardName);
  const family = board.fpga.family;
  if (!(NETLIST_FAMILIES as readonly string[]).includes(family)) throw new UserError(`--board: ${board.name} is in the ${family} family; --level netlist knows ${NETLIST_FAMILIES.join(', ')}`);
  // The synthesis the board's build runs, so the netlist simulated is the one placed.
  const gowinFamily = board.device.family === 'gowin' ? board.device.yosysFamily : undefined;
  return { family: family as NetlistFamily, ...(gowinFamily ? { gowinFamily } : {}) };
}

/** The board `--level routed` builds for: required, and of a family whose nextpnr writes a routed netlist. */
function routedBoard(boardName: string | undefined): Board {
  if (boardName === undefined) throw new UserError(`--board: required with --level routed (an ECP5 or Gowin board, e.g. ulx3s or tangnano20k)`);
  const board = loadBoard(boardName);
  if (!(ROUTED_FAMILIES as readonly string[]).includes(board.fpga.family)) {
    throw new UserError(`--board: ${board.name} is in the ${board.fpga.family} family; --level routed is for ${ROUTED_FAMILIES.join(' and ')} (use --level bitstream on iCE40)`);
  }
  return board;
}
