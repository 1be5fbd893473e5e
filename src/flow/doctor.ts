/**
 * `gatebench doctor`: every external tool gatebench runs, where it came from, its version, and a
 * smoke test that really runs it on something tiny, through the flow's own planners and runner:
 * a two-line module through yosys -> nextpnr-ice40 (the iCEBreaker's UP5K) -> icepack, icetime (so a missing chip
 * database shows) and icebox_vlog; Verilator's lint and Icarus on the same module; make building a
 * C++ object as Verilator's makefiles do; headless Chromium rendering a data: URL. For the CLI and
 * the UI alike (no printing here).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listBoards, loadBoard, type Board } from '../board/board.js';
import type { FpgaFamily } from '../board/devices.js';
import { partOf } from './family.js';
import { planIceboxVlog } from './icebox.js';
import { planEcppack } from './ecppack.js';
import { planGowinPack } from './gowinPack.js';
import { planIcepack } from './icepack.js';
import { icetimeOutcome, planIcetime } from './icetime.js';
import { parseNextpnrReport, planNextpnr } from './nextpnr.js';
import { planNextpnrEcp5 } from './nextpnrEcp5.js';
import { planNextpnrHimbaechelGowin } from './nextpnrHimbaechel.js';
import { runPlanWith, type CommandPlan, type RunOptions, type StageRun } from './run.js';
import { resolveTool, ToolNotFoundError, yowaspPackage, yowaspTool, type ResolvedTool, type ToolName, type ToolOrigin } from './tools.js';
import { planYosys, synthOutcome, yosysFor } from './yosys.js';

/** ok: the smoke test passed; untested: it needs the output of a tool that failed. */
export type CheckStatus = 'ok' | 'failed' | 'missing' | 'untested';

export interface ToolCheck {
  /** The binary, or the npm package of a YoWASP build. */
  readonly tool: string;
  /** A required tool that is missing or fails makes the doctor fail; an optional one is a warning. */
  readonly required: boolean;
  readonly usedFor: string;
  readonly status: CheckStatus;
  readonly origin: ToolOrigin | null;
  readonly version: string | null;
  /** The executable, or the package folder of a YoWASP build. */
  readonly path: string | null;
  /** What the smoke test did and saw; for a failure, the tool's error line. */
  readonly smoke: string;
  readonly seconds: number;
}

export interface DoctorReport {
  /** Every required tool works. */
  readonly ok: boolean;
  readonly tools: readonly ToolCheck[];
  /** Required tools that are missing, failed or could not be tested, as "tool: why". */
  readonly broken: readonly string[];
  /** Optional tools that are missing or failed, as "tool: why". */
  readonly warnings: readonly string[];
  /** The smoke tests' folder with each tool's log, kept when a tool failed or went untested; else null. */
  readonly logDir: string | null;
  readonly seconds: number;
}

export interface DoctorOptions {
  /** Time limit of each smoke test. Default 60 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const USED_FOR: Record<ToolName, string> = {
  yosys: 'synthesis (build, estimate, sim --level netlist)',
  'nextpnr-ice40': 'place and route (build)',
  icepack: 'bitstream packing (build)',
  icetime: "timing cross-check of nextpnr's figure (build)",
  icebox_vlog: 'bitstream back to Verilog (sim --level bitstream)',
  verilator: 'simulation (sim, eval checks, toggle power estimate)',
  make: "compiles Verilator's C++ models (with the C++ compiler)",
  iverilog: 'simulation (sim --simulator iverilog)',
  vvp: "runs Icarus' compiled simulations",
  openFPGALoader: 'programs the boards (run --board)',
  socat: 'pty pairs of the virtual board and virtual power monitors',
  chromium: 'the HTML report test (headless)',
  tmux: 'the terminal UI test',
  'yosys-config': "yosys' share folder (optional, yosys-dev)",
  'nextpnr-ecp5': 'ECP5 place and route (build --board ulx3s)',
  ecppack: 'ECP5 bitstream packing (build)',
  'nextpnr-himbaechel': 'Gowin place and route (build)',
  gowin_pack: 'Gowin bitstream packing (build)',
};

/** Tools only tests use: a missing or broken one is a warning, not a failure. */
const OPTIONAL_TOOLS: ReadonlySet<ToolName> = new Set(['chromium', 'tmux']);

/** The smoke design: one flip-flop, small enough for every stage to take well under a second. */
const DESIGN = 'module top(input clk, input a, output reg q = 0);\n  always @(posedge clk) q <= q ^ a;\nendmodule\n';
/** Drives the design for one clock edge and prints q. */
const TESTBENCH = 'module tb;\n  reg clk = 0, a = 1;\n  wire q;\n  top dut(.clk(clk), .a(a), .q(q));\n  initial begin\n    #1 clk = 1;\n    #1 $display("q=%b", q);\n    $finish;\n  end\nendmodule\n';
/**
 * The boards whose pins the smoke tests use, one per family: the design's clk, a and q go on the
 * board's clock and UART rx and tx pins, so a board file and the doctor cannot disagree.
 */
const SMOKE_BOARDS = { ice40: 'icebreaker', ecp5: 'ulx3s', gowin: 'tangnano20k' } as const satisfies Record<FpgaFamily, string>;
/** One pin placement in each family's constraints format (.pcf, .lpf, .cst). */
const PLACE: Record<FpgaFamily, (port: string, pin: string) => string> = {
  ice40: (port, pin) => `set_io ${port} ${pin}`,
  ecp5: (port, pin) => `LOCATE COMP "${port}" SITE "${pin}";`,
  gowin: (port, pin) => `IO_LOC "${port}" ${pin};`,
};
/** The smoke design's ports on the board's clock and UART pins, in its family's constraints format. */
function smokeConstraints(board: Board): string {
  const pins: [string, string][] = [['clk', board.clock.pin], ['a', board.uart.rx.pin], ['q', board.uart.tx.pin]];
  return pins.map(([port, pin]) => PLACE[board.fpga.family](port, pin)).join('\n') + '\n';
}
const MAKEFILE = 'smoke.o: smoke.cpp\n\t$(CXX) -c smoke.cpp -o smoke.o\n';
const CHROMIUM_MARK = '<p id="doctor">gatebench doctor</p>';

type Outcome = { readonly ok: true; readonly summary: string } | { readonly ok: false; readonly error: string };
/** A smoke test's run and what it showed. */
type Smoked = { readonly run: StageRun; readonly outcome: Outcome };

const pass = (summary: string): Outcome => ({ ok: true, summary });
const fail = (error: string): Outcome => ({ ok: false, error });

/** A finished stage judged by `judge`, or the runner's one line when it failed. */
function judged(run: StageRun, judge: () => Outcome): Smoked {
  return { run, outcome: run.failed ? fail(run.error ?? `${run.tool} failed`) : judge() };
}

/** Its output (stdout, then stderr) as one text, for tools that print their answer. */
const printed = (run: StageRun): string => `${run.stdoutTail}\n${run.stderrTail}`;
const firstLine = (text: string): string => text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';

/**
 * One check: resolve the tool, then run its smoke test (null: untested, an earlier stage failed).
 * `seconds` is the smoke test's own run, not the wait for the stages before it.
 */
async function check(tool: string, required: boolean, usedFor: string, resolve: () => Promise<ResolvedTool | null>, missingWhy: (e: Error | null) => string, smoke: (t: ResolvedTool) => Promise<Smoked | null>): Promise<ToolCheck> {
  let resolved: ResolvedTool | null = null;
  let notFound: ToolNotFoundError | null = null;
  try {
    resolved = await resolve();
  } catch (e) {
    if (!(e instanceof ToolNotFoundError)) throw e;
    notFound = e;
  }
  if (!resolved) return { tool, required, usedFor, origin: null, version: null, path: null, status: 'missing', smoke: missingWhy(notFound), seconds: 0 };
  const found = { tool, required, usedFor, origin: resolved.origin, version: resolved.version, path: resolved.path };
  const smoked = await smoke(resolved);
  if (smoked === null) return { ...found, status: 'untested', smoke: 'not tested: an earlier stage failed', seconds: 0 };
  const { run, outcome } = smoked;
  return { ...found, status: outcome.ok ? 'ok' : 'failed', smoke: outcome.ok ? outcome.summary : outcome.error, seconds: run.durationMs / 1000 };
}

/**
 * Run every check at once (the ice40 chain in order) in a scratch folder. Never throws for a
 * missing or broken tool: that is what the report is for.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const started = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'gatebench-doctor-'));
  const runOptions: RunOptions = { timeoutMs: options.timeoutMs ?? 60_000, ...(options.signal ? { signal: options.signal } : {}) };
  const folder = (name: string, files: Record<string, string> = {}): string => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };
  const boards = { ice40: loadBoard(SMOKE_BOARDS.ice40), ecp5: loadBoard(SMOKE_BOARDS.ecp5), gowin: loadBoard(SMOKE_BOARDS.gowin) };
  const ice40 = folder('ice40', { 'top.v': DESIGN, 'top.pcf': smokeConstraints(boards.ice40) });
  const sim = folder('sim', { 'top.v': DESIGN, 'tb.v': TESTBENCH });
  const run = (tool: ResolvedTool, plan: CommandPlan, dir: string): Promise<StageRun> => runPlanWith(tool, plan, dir, runOptions);
  const native = (name: ToolName, smoke: (t: ResolvedTool) => Promise<Smoked | null>): Promise<ToolCheck> =>
    check(name, !OPTIONAL_TOOLS.has(name), USED_FOR[name], () => resolveTool(name), (e) => e?.message ?? `${name} not found`, smoke);

  // The ice40 chain: each stage waits for the one it reads from; a failed one leaves the rest untested.
  const ice40Board = boards.ice40;
  const ice40Part = partOf(ice40Board, 'ice40');
  const ice40Package = ice40Board.fpga.package;
  const ice40What = `${ice40Part.part}-${ice40Package.toUpperCase()} (${ice40Board.name})`;
  const synthesised = (async () => {
    let netlist = false;
    const result = await native('yosys', async (t) => {
      const r = await run(t, planYosys(['top.v'], { top: 'top', family: 'ice40', ice40Device: ice40Part.yosysDevice, netlist: 'synth.json', stat: 'stat.json' }), ice40);
      const outcome = synthOutcome(ice40, r, 'ice40', 'stat.json');
      if (outcome.stat === null) return { run: r, outcome: fail(outcome.error) };
      netlist = true;
      return { run: r, outcome: pass(`synth_ice40 of a 2-line module: ${outcome.stat.luts} SB_LUT4, ${outcome.stat.flipFlops} DFF`) };
    });
    return { result, netlist };
  })();
  const placed = (async () => {
    const { netlist } = await synthesised;
    let asc = false;
    const result = await native('nextpnr-ice40', async (t) => {
      if (!netlist) return null;
      const r = await run(t, planNextpnr({ device: ice40Part, package: ice40Package, pcf: 'top.pcf', netlist: 'synth.json', asc: 'pnr.asc', report: 'pnr-report.json', freqMHz: ice40Board.clock.mhz, seed: 1 }), ice40);
      return judged(r, () => {
        const lc = parseNextpnrReport(readFileSync(join(ice40, 'pnr-report.json'), 'utf8')).logicCells;
        asc = true;
        return pass(`placed and routed for ${ice40What}: ${lc.used}/${lc.available} LCs`);
      });
    });
    return { result, asc };
  })();
  const onPlaced = (name: ToolName, smoke: (t: ResolvedTool) => Promise<Smoked>): Promise<ToolCheck> =>
    native(name, async (t) => ((await placed).asc ? smoke(t) : null));

  /**
   * Another family's chain: synth_<family> -nowidelut by the yosys that family's builds use
   * (yosysFor; part of the place-and-route tool's smoke test, as yosys has its own check), place
   * and route, pack.
   */
  const familyChain = (family: 'ecp5' | 'gowin', files: Record<string, string>, pnr: { tool: ToolName; plan: CommandPlan; logicCells: string; what: string }, pack: { tool: ToolName; plan: CommandPlan; output: string }): Promise<ToolCheck>[] => {
    const dir = folder(family, { 'top.v': DESIGN, ...files });
    const placedFamily = (async () => {
      let placed = false;
      const result = await native(pnr.tool, async (t) => {
        // Without yosys there is nothing to place: untested (the yosys check says why).
        const yosys = await yosysFor(family).catch(() => null);
        if (!yosys) return null;
        const synth = await run(yosys, planYosys(['top.v'], { top: 'top', family, noWideLut: true, netlist: 'synth.json', stat: 'stat.json' }), dir);
        const synthesised = synthOutcome(dir, synth, family, 'stat.json');
        if (synthesised.stat === null) return { run: synth, outcome: fail(`synth_${family} failed: ${synthesised.error}`) };
        const r = await run(t, pnr.plan, dir);
        return judged(r, () => {
          const used = parseNextpnrReport(readFileSync(join(dir, 'pnr-report.json'), 'utf8'), pnr.logicCells).logicCells;
          placed = true;
          return pass(`synth_${family} + placed and routed for ${pnr.what}: ${used.used}/${used.available} ${pnr.logicCells}`);
        });
      });
      return { result, placed };
    })();
    return [
      placedFamily.then((p) => p.result),
      native(pack.tool, async (t) => {
        if (!(await placedFamily).placed) return null;
        const r = await run(t, pack.plan, dir);
        return judged(r, () => pass(`packed ${statSync(join(dir, pack.output)).size.toLocaleString('en-US')} bytes`));
      }),
    ];
  };

  const compiled = (async () => {
    let vvp = false;
    const result = await native('iverilog', async (t) => {
      const r = await run(t, { stage: 'iverilog', tool: 'iverilog', argv: ['-g2012', '-o', 'sim.vvp', '-s', 'tb', 'tb.v', 'top.v'], inputs: ['tb.v', 'top.v'], outputs: ['sim.vvp'] }, sim);
      return judged(r, () => ((vvp = true), pass('compiled the module with a testbench')));
    });
    return { result, vvp };
  })();

  const ecp5Board = boards.ecp5;
  const ecp5Part = partOf(ecp5Board, 'ecp5');
  const gowinBoard = boards.gowin;
  const gowinPart = partOf(gowinBoard, 'gowin');
  const gowinDevice = gowinPart.partNumbers[gowinBoard.fpga.package]!;
  const checks: Promise<ToolCheck>[] = [
    synthesised.then((s) => s.result),
    placed.then((p) => p.result),
    onPlaced('icepack', async (t) => {
      const r = await run(t, planIcepack('pnr.asc', 'design.bin'), ice40);
      return judged(r, () => pass(`packed ${statSync(join(ice40, 'design.bin')).size.toLocaleString('en-US')} bytes`));
    }),
    onPlaced('icetime', async (t) => {
      const r = await run(t, planIcetime(ice40Part, ice40Package, 'pnr.asc', 'top.pcf', 'icetime.rpt'), ice40);
      const outcome = icetimeOutcome(ice40, r, 'icetime.rpt');
      return { run: r, outcome: outcome.report ? pass(`timed the placed design: ${outcome.report.ns} ns (${outcome.report.mhz} MHz)`) : fail(outcome.error) };
    }),
    onPlaced('icebox_vlog', async (t) => {
      const r = await run(t, planIceboxVlog({ asc: 'pnr.asc', out: 'chip.v', plainPcf: 'top.pcf', package: ice40Package }), ice40);
      return judged(r, () => (/^module chip \(/m.test(readFileSync(join(ice40, 'chip.v'), 'utf8')) ? pass('read the placed design back as module chip') : fail('icebox_vlog wrote no module chip')));
    }),
    ...familyChain(
      'ecp5',
      { 'top.lpf': smokeConstraints(ecp5Board) },
      { tool: 'nextpnr-ecp5', plan: planNextpnrEcp5({ deviceFlag: ecp5Part.nextpnrFlag, package: ecp5Board.fpga.package, lpf: 'top.lpf', netlist: 'synth.json', config: 'pnr.config', report: 'pnr-report.json', freqMHz: ecp5Board.clock.mhz, seed: 1 }), logicCells: 'TRELLIS_COMB', what: `${ecp5Part.part}-${ecp5Board.fpga.package} (${ecp5Board.name})` },
      { tool: 'ecppack', plan: planEcppack('pnr.config', 'design.bit'), output: 'design.bit' },
    ),
    ...familyChain(
      'gowin',
      { 'top.cst': smokeConstraints(gowinBoard) },
      { tool: 'nextpnr-himbaechel', plan: planNextpnrHimbaechelGowin({ device: gowinDevice, family: gowinPart.chipFamily, cst: 'top.cst', netlist: 'synth.json', routed: 'pnr.json', report: 'pnr-report.json', freqMHz: gowinBoard.clock.mhz, seed: 1 }), logicCells: 'LUT4', what: `${gowinDevice} (${gowinBoard.name})` },
      { tool: 'gowin_pack', plan: planGowinPack(gowinPart.chipFamily, 'pnr.json', 'design.fs', gowinBoard.asGpio), output: 'design.fs' },
    ),
    native('verilator', async (t) => {
      const r = await run(t, { stage: 'verilator', tool: 'verilator', argv: ['--lint-only', '-Wall', 'top.v'], inputs: ['top.v'], outputs: [] }, sim);
      return judged(r, () => pass('lint-clean 2-line module (--lint-only -Wall)'));
    }),
    native('make', async (t) => {
      const dir = folder('make', { Makefile: MAKEFILE, 'smoke.cpp': 'int main() { return 0; }\n' });
      const r = await run(t, { stage: 'make', tool: 'make', argv: ['-s'], inputs: ['Makefile', 'smoke.cpp'], outputs: ['smoke.o'] }, dir);
      return judged(r, () => (existsSync(join(dir, 'smoke.o')) ? pass('compiled a C++ file with $(CXX)') : fail('make wrote no smoke.o')));
    }),
    compiled.then((c) => c.result),
    native('vvp', async (t) => {
      if (!(await compiled).vvp) return null;
      const r = await run(t, { stage: 'vvp', tool: 'vvp', argv: ['-n', 'sim.vvp'], inputs: ['sim.vvp'], outputs: [] }, sim);
      return judged(r, () => (/^q=1$/m.test(r.stdoutTail) ? pass('ran the testbench: q=1 after one clock') : fail(`expected "q=1", got: ${firstLine(printed(r)) || 'nothing'}`)));
    }),
    native('openFPGALoader', async (t) => {
      // The board list only: no cable or USB scan.
      const dir = folder('misc');
      const r = await run(t, { stage: 'openFPGALoader', tool: 'openFPGALoader', argv: ['--list-boards'], inputs: [], outputs: [] }, dir);
      return judged(r, () => {
        const known = readFileSync(join(dir, r.logFile), 'utf8');
        const wanted = [...new Set(listBoards().flatMap((b) => (b.programmer.tool === 'openFPGALoader' && b.programmer.board ? [b.programmer.board] : [])))];
        const unknown = wanted.filter((name) => !new RegExp(`^${name}\\s`, 'm').test(known));
        return unknown.length ? fail(`does not know the boards' -b ${unknown.join(', ')}`) : pass(`knows the boards' -b ${wanted.join(', ')} (board list only, no USB scan)`);
      });
    }),
    native('socat', async (t) => {
      const r = await run(t, { stage: 'socat', tool: 'socat', argv: ['-V'], inputs: [], outputs: [] }, folder('misc'));
      return judged(r, () => (/socat version \d/.test(r.stdoutTail) ? pass('runs (-V)') : fail(`expected "socat version", got: ${firstLine(printed(r)) || 'nothing'}`)));
    }),
    native('chromium', async (t) => {
      const dir = folder('chromium');
      const argv = ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', `data:text/html,${CHROMIUM_MARK}`];
      const r = await run(t, { stage: 'chromium', tool: 'chromium', argv, inputs: [], outputs: ['page.html'], stdoutFile: 'page.html' }, dir);
      return judged(r, () => (readFileSync(join(dir, 'page.html'), 'utf8').includes(CHROMIUM_MARK) ? pass('rendered a data: URL headless (--dump-dom)') : fail('--dump-dom did not print the page')));
    }),
    native('tmux', async (t) => {
      const r = await run(t, { stage: 'tmux', tool: 'tmux', argv: ['-V'], inputs: [], outputs: [] }, folder('misc'));
      return judged(r, () => (/^tmux \S/m.test(r.stdoutTail) ? pass('runs (-V)') : fail(`expected "tmux <version>", got: ${firstLine(printed(r)) || 'nothing'}`)));
    }),
    ...(['yosys', 'nextpnr-ice40'] as const).map((name) => {
      const pkg = yowaspPackage(name)!;
      const flag = name === 'yosys' ? '-V' : '--version';
      return check(pkg, false, `WebAssembly fallback when ${name} is not on PATH`, async () => yowaspTool(name), () => `not installed (optional npm package)`, async (t) => {
        // A version query loads and runs the WebAssembly (a full synthesis there takes seconds; the YoWASP build test does it).
        const r = await run(t, { stage: `yowasp-${name}`, tool: name, argv: [flag], inputs: [], outputs: [] }, folder(`yowasp-${name}`));
        return judged(r, () => (/\d+\.\d+/.test(printed(r)) ? pass(`runs the WebAssembly build: ${firstLine(printed(r))}`) : fail(`printed no version: ${firstLine(printed(r)) || 'nothing'}`)));
      });
    }),
  ];
  const tools = await Promise.all(checks);
  const why = (c: ToolCheck): string => `${c.tool}: ${c.smoke}`;
  const broken = tools.filter((c) => c.required && c.status !== 'ok').map(why);
  const warnings = tools.filter((c) => !c.required && c.status !== 'ok').map(why);
  // The logs are worth keeping when a tool ran and failed; a missing one has nothing to show.
  const clean = tools.every((c) => c.status === 'ok' || c.status === 'missing');
  if (clean) rmSync(root, { recursive: true, force: true });
  return { ok: broken.length === 0, tools, broken, warnings, logDir: clean ? null : root, seconds: (performance.now() - started) / 1000 };
}
