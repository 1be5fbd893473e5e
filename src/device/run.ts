import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBoard, type Board } from '../board/board.js';
import { requireBoardAttached, requirePort } from '../board/presence.js';
import { evenSubset, type EncodedSet } from '../data/encoding.js';
import { buildBitstream, buildFile, findCachedBuild, type BuildRequest, type BuildResult } from '../flow/build.js';
import { findCachedModelBuild } from '../flow/modelBuild.js';
import { estimateResources } from '../flow/estimate.js';
import { chipVerilog } from '../sim/bitstream.js';
import type { EmittedFile } from '../hdl/emit.js';
import { Link, LinkError } from '../link/link.js';
import { openSerialPort, PortOpenError, type BytePort } from '../link/port.js';
import { CMD, decodeInfo, inferAnswerBytes, inferRequestBytes, theoreticalVectorsPerSecond, type DeviceInfo, type Geometry } from '../link/protocol.js';
import { emptyAnswers, streamInfer, StreamError, type StreamAnswers } from '../link/stream.js';
import { frameBytes } from '../link/frame.js';
import { evaluateReference } from '../model/reference.js';
import type { DiscreteNetwork } from '../model/network.js';
import { cacheRoot } from '../util/cache.js';
import { UserError } from '../util/errors.js';
import { estimatePower, powerEstimateGap, type PowerEstimate } from '../power/estimate.js';
import type { PowerMeasurement } from '../power/measure.js';
import { PowerSession, type PowerRequest } from './power.js';
import { flashBitstream, type FlashResult } from './flash.js';
import { deviceDesign, type DeviceDesign, type DeviceOptions } from './top.js';
import { buildVirtualBoard, VirtualBoard, type VirtualLevel, type VirtualSummary } from './virtual.js';

/** The board the virtual board stands in for (its clock; its build for the bitstream level). */
export const VIRTUAL_BASE_BOARD = 'icebreaker';

export interface RunRequest {
  net: DiscreteNetwork;
  /** Encoded vectors (the test set) with labels. */
  data: EncodedSet;
  /** A board name, or 'virtual'. */
  board: string;
  /** The board's UART; with board 'virtual', connect to a virtual board already running there. */
  port?: string;
  baud?: number;
  limit?: number;
  /** Virtual board only: simulate the RTL or the bitstream (icebox_vlog of a placed-and-routed build). */
  level?: VirtualLevel;
  /** How the core is emitted (default: combinational, no registers). */
  core?: DeviceOptions['core'];
  /** Requests in flight (default: as many as the device FIFO holds, at most 64). */
  window?: number;
  cacheDir?: string;
  /** Progress lines for people (stderr). */
  log?: (line: string) => void;
  /** Measure power: idle, STRESS and streaming windows, beside the activity-based estimate. */
  power?: PowerRequest;
  /** Live progress for views (the TUI's run screen): called as answers arrive and phases change. */
  onProgress?: (p: RunProgress) => void;
}

export type RunPhase = 'connect' | 'power-idle' | 'power-load' | 'latency' | 'stream' | 'done';

export interface RunProgress {
  phase: RunPhase;
  answered: number;
  vectors: number;
  /** Seconds since the phase began (host clock). */
  phaseSeconds: number;
  /** Answers per second over the phase so far (host clock). */
  answersPerSecond: number | null;
  /** Round trip of the answer just received, ms (host clock); null on a tick without an answer. */
  latestRoundTripMs: number | null;
  /** The power monitor's latest reading (supply watts), when one is running. */
  watts: number | null;
}

/**
 * What a run's latency figure is: a clocked core's cycles (in_valid to out_valid, by the device's
 * counter) times the clock period; a combinational core's post-route delay from a build's timing
 * analysis (the device counts 0 cycles: the result is taken in the cycle the vector is presented);
 * or no figure at all. Never 0.
 */
export type LatencyKind = 'clocked' | 'combinational' | 'not-measured';

export interface RunLatency {
  kind: LatencyKind;
  /** Where `ns` comes from (the device counter, or which build's nextpnr critical path), or why there is none. */
  source: string;
  /** A clocked core's cycles from input to result, as the device counted them; null for a combinational core. */
  cycles: number | null;
  /** clocked: cycles x clock period; combinational: the build's critical path; null when not measured. */
  ns: number | null;
  /** Critical path of the placed-and-routed build this run made (nextpnr), when it made one. */
  criticalPathNs: number | null;
  hostRoundTripMs: { p50: number; p99: number; samples: number } | null;
  /** Mean round trip of the one-at-a-time requests by the device clock (simulated time on the virtual board). */
  deviceRoundTripMs: number | null;
  pipelinedRoundTripMs: { p50: number; p99: number } | null;
}

export interface RunReport {
  board: string;
  virtual: boolean;
  level: VirtualLevel | null;
  port: string;
  baud: number;
  clockHz: number;
  modelId: string;
  complete: boolean;
  /** Why the run stopped early, if it did. */
  error: string | null;
  vectors: number;
  answered: number;
  mismatches: number;
  firstMismatches: { index: number; expected: { sums: number[]; classIdx: number }; actual: { sums: number[]; classIdx: number } }[];
  /** The board's accuracy over the vectors it answered. */
  accuracy: number | null;
  /**
   * The software model's (src/model/reference.ts) accuracy over the same vectors: the figure to
   * set beside `accuracy` (equal when there are no mismatches). The model file's own test accuracy
   * is over the whole test split, which a --limit run does not cover.
   */
  softwareAccuracy: number | null;
  latency: RunLatency;
  throughput: {
    window: number;
    vectors: number;
    wallSeconds: number;
    wallVectorsPerSecond: number;
    /** Time by the device's own clock (INFO uptime): simulated time on the virtual board. */
    deviceSeconds: number | null;
    deviceVectorsPerSecond: number | null;
    theoreticalVectorsPerSecond: number;
    /** deviceVectorsPerSecond (else wall) as a percentage of the theoretical maximum. */
    percentOfTheoretical: number;
    requestFrameBytes: number;
    answerFrameBytes: number;
  } | null;
  link: Link['stats'] | null;
  device: { before: DeviceInfo; after: DeviceInfo | null } | null;
  build: { hash: string; cached: boolean; message: string; lcs: string | null; fmaxMHz: number | null } | null;
  flash: FlashResult | null;
  simulator: (VirtualSummary & { buildSeconds: number; cacheHit: boolean }) | null;
  power: PowerMeasurement | null;
  estimate: PowerEstimate | null;
}

/** A run that failed after connecting: the partial report (answers so far are kept and checked). */
export class RunError extends UserError {
  constructor(
    message: string,
    readonly report: RunReport,
  ) {
    super(message);
    this.name = 'RunError';
  }
}

function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Write the design's files where the build flow can read them. */
function writeSources(design: DeviceDesign, root: string): string[] {
  const dir = join(root, 'device-src', design.hash.slice(0, 24));
  mkdirSync(dir, { recursive: true });
  return design.files.map((f) => {
    const p = join(dir, f.name);
    if (!existsSync(p) || readFileSync(p, 'utf8') !== f.text) writeFileSync(p, f.text);
    return p;
  });
}

/** The build request of the device's bitstream (the same request whether it is built or looked up). */
function deviceBuildRequest(design: DeviceDesign, board: Board, root: string): BuildRequest {
  return { verilogFiles: writeSources(design, root), top: design.top, board };
}

async function buildFor(design: DeviceDesign, board: Board, root: string, log: (l: string) => void): Promise<BuildResult> {
  log(`building the bitstream for ${board.name} (yosys, nextpnr; cached by content)...`);
  const build = await buildBitstream(deviceBuildRequest(design, board, root));
  if (build.status !== 'ok' && build.status !== 'timing-failed') throw new UserError(`the build for ${board.name} failed (${build.status}): ${build.message}`);
  if (build.status === 'timing-failed') log(`warning: ${build.message}`);
  log(`${build.cached ? 'cached build' : 'built'}: ${build.message}`);
  return build;
}

/** The placed-and-routed design back as Verilog (icebox_vlog): the very logic that gets flashed. */
async function bitstreamVerilog(build: BuildResult, root: string): Promise<EmittedFile> {
  const { chip } = await chipVerilog(build, { cacheDir: root, moduleName: 'gatebench_top' });
  return { name: 'gatebench_top_bitstream.v', text: chip.text };
}

/** A combinational core's latency: the critical path of `build`, which `what` describes. */
function buildDelay(build: BuildResult, what: string): Pick<RunLatency, 'kind' | 'ns' | 'source'> | null {
  const path = build.figures.criticalPath;
  if (!path) return null;
  return { kind: 'combinational', ns: path.totalNs, source: `nextpnr critical path (${path.registerToRegister ? 'register to register' : 'longest path'}, ${path.logicLevels} logic level${path.logicLevels === 1 ? '' : 's'}) of build ${build.hash.slice(0, 12)}: ${what}` };
}

/**
 * A combinational core's latency is its post-route delay: the critical path of the bitstream the
 * run used, else (simulated RTL) of that bitstream's build when the cache holds it, else of this
 * core's build with registered inputs and outputs (gatebench build, a sweep's build), else none.
 * The device build's path runs from the vector's register through the core into the logic that
 * sends the answer, so it bounds the core's own delay from above (measured on a 48-96-48 random
 * network: 51.9 ns for the device build, 39.1 ns for the core between registers).
 */
async function combinationalLatency(req: RunRequest, design: DeviceDesign, board: Board, build: BuildResult | null, root: string): Promise<Pick<RunLatency, 'kind' | 'ns' | 'source'>> {
  if (build) return buildDelay(build, `the bitstream this run used (${board.name})`) ?? { kind: 'not-measured', ns: null, source: `build ${build.hash.slice(0, 12)} reports no critical path` };
  const device = await findCachedBuild(deviceBuildRequest(design, board, root));
  const fromDevice = device && buildDelay(device, `the cached build of this design for ${board.name}, the bitstream this simulation stands for`);
  if (fromDevice) return fromDevice;
  const core = await findCachedModelBuild(req.net, { board, ...(req.cacheDir ? { cacheDir: req.cacheDir } : {}) });
  const fromCore = core && buildDelay(core, `the cached build of this core between input and output registers for ${board.name} (as gatebench build and a sweep make it)`);
  if (fromCore) return fromCore;
  return { kind: 'not-measured', ns: null, source: `no build of this design for ${board.name} in the cache: run with --level bitstream, or gatebench build --board ${board.name} first` };
}

/** The board's UART: --port, else the FTDI's interface of /dev/serial/by-id for the board's channel. */
function findPort(board: Board, explicit: string | undefined): string {
  if (explicit) return explicit;
  const byId = '/dev/serial/by-id';
  const channel = board.uart.cable.channel.toUpperCase();
  const iface = channel === 'B' ? 'if01' : channel === 'A' ? 'if00' : null;
  if (existsSync(byId)) {
    const names = readdirSync(byId).filter((n) => (iface ? n.includes(iface) : true));
    if (names.length === 1) return join(byId, names[0]!);
    if (names.length > 1) throw new UserError(`several serial ports could be the ${board.name}'s UART (${names.join(', ')}): pass --port`);
  }
  throw new UserError(`no serial port found for the ${board.name}'s UART (${board.uart.cable.chip} channel ${board.uart.cable.channel}): pass --port /dev/ttyUSBn`);
}

/** Open the port, retrying for a few seconds: the USB UART can re-enumerate after flashing. */
async function openWithRetry(path: string, baud: number, waitMs: number): Promise<BytePort> {
  const until = performance.now() + waitMs;
  for (;;) {
    try {
      return await openSerialPort(path, baud);
    } catch (e) {
      const retry = e instanceof PortOpenError && (e.code === 'ENOENT' || e.code === 'EBUSY' || e.code === 'EIO') && performance.now() < until;
      if (!retry) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** What a run needs to know before it builds: the board, the link settings and the device design. */
interface RunSetup {
  board: Board;
  isVirtual: boolean;
  level: VirtualLevel | null;
  baud: number;
  clockHz: number;
  design: DeviceDesign;
}

type SetupRequest = Pick<RunRequest, 'net' | 'board' | 'port' | 'level' | 'baud' | 'core'>;

/**
 * Make sure the board a run names can be there: its programming cable on USB and the --port given,
 * or the virtual board's pty. Takes milliseconds, so a missing board fails before anything is built;
 * runOnBoard asks first, and so may a caller with slow work of its own to do before it (a dataset).
 */
export async function requireRunBoard(req: Pick<RunRequest, 'board' | 'port'>): Promise<void> {
  if (req.board === 'virtual') {
    if (req.port) requirePort(req.port, 'the pty of a virtual board already running');
    return;
  }
  await requireBoardAttached(loadBoard(req.board), { ...(req.port ? { port: req.port } : {}), nextStep: 'to build the bitstream without the board, add --build-only' });
}

/** Load the board and make the device design; with lookForBoard, after requireRunBoard. */
async function prepareRun(req: SetupRequest, { lookForBoard }: { lookForBoard: boolean }): Promise<RunSetup> {
  const isVirtual = req.board === 'virtual';
  const board = loadBoard(isVirtual ? VIRTUAL_BASE_BOARD : req.board);
  const level: VirtualLevel | null = isVirtual ? (req.level ?? 'rtl') : null;
  if (!isVirtual && req.level) throw new UserError('--level: only for --board virtual');
  if (lookForBoard) await requireRunBoard(req);
  // The virtual board defaults to 3,000,000 baud (12 MHz / 4): simulating the UART costs clock cycles.
  const baud = req.baud ?? (isVirtual ? 3_000_000 : 115200);
  const clockHz = board.clock.mhz * 1e6;
  const design = deviceDesign(req.net, { clockHz, baud, ...(req.core ? { core: req.core } : {}) });
  return { board, isVirtual, level, baud, clockHz, design };
}

/** `run --build-only`: the bitstream a run would flash, built (or found in the cache), and no board needed. */
export interface DeviceBuildReport {
  buildOnly: true;
  board: string;
  modelId: string;
  clockHz: number;
  baud: number;
  build: NonNullable<RunReport['build']>;
  /** The bitstream a run flashes (absolute path). */
  bin: string | null;
}

/** Build the device bitstream a run on this board would flash, and stop there. */
export async function buildRunBitstream(req: Pick<RunRequest, 'net' | 'board' | 'baud' | 'core' | 'cacheDir' | 'log'>): Promise<DeviceBuildReport> {
  if (req.board === 'virtual') throw new UserError('--build-only: only for a real board (the virtual board compiles its simulator when it runs)');
  const { board, baud, clockHz, design } = await prepareRun(req, { lookForBoard: false });
  const build = await buildFor(design, board, cacheRoot(req.cacheDir), req.log ?? (() => undefined));
  return { buildOnly: true, board: board.name, modelId: design.modelId, clockHz, baud, build: buildSummary(build), bin: buildFile(build, 'bin') };
}

function buildSummary(build: BuildResult): NonNullable<RunReport['build']> {
  const lcs = build.figures.logicCells;
  return { hash: build.hash, cached: build.cached, message: build.message, lcs: lcs ? `${lcs.used}/${lcs.available}` : null, fmaxMHz: build.figures.fmaxMHz };
}

/**
 * Run a model on a board: build (cached) -> flash (or start the virtual board) -> check INFO
 * against the model -> stream the vectors -> compare every answer with the reference.
 */
export async function runOnBoard(req: RunRequest): Promise<RunReport> {
  const log = req.log ?? (() => undefined);
  const root = cacheRoot(req.cacheDir);
  const { board, isVirtual, level, baud, clockHz, design } = await prepareRun(req, { lookForBoard: true });
  const g: Geometry = { inputBits: design.ports.inputBits, classes: design.ports.classes, sumBits: design.ports.sumBits };
  // --limit N takes N test vectors spread over the whole set (a split may be stored class by class).
  const data = evenSubset(req.data, req.limit ?? req.data.count);
  const count = data.count;
  if (count < 1) throw new UserError('--limit: nothing to run (0 vectors)');

  let vboard: VirtualBoard | null = null;
  let build: BuildResult | null = null;
  let flash: FlashResult | null = null;
  let simBuild: { buildSeconds: number; cacheHit: boolean } | null = null;
  let portPath: string;
  if (isVirtual && req.port) {
    // A virtual board started separately (src/device/virtual.ts VirtualBoard): connect only.
    portPath = req.port;
  } else if (isVirtual) {
    let vb;
    if (level === 'bitstream') {
      build = await buildFor(design, board, root, log);
      log('turning the bitstream back into Verilog (icebox_vlog) and compiling it with Verilator...');
      vb = await buildVirtualBoard(design, { level: 'bitstream', bitstreamVerilog: await bitstreamVerilog(build, root), ...(req.cacheDir ? { cacheDir: req.cacheDir } : {}) });
    } else {
      log('compiling the device RTL with Verilator (cached by content)...');
      vb = await buildVirtualBoard(design, { level: 'rtl', ...(req.cacheDir ? { cacheDir: req.cacheDir } : {}) });
    }
    simBuild = { buildSeconds: vb.buildSeconds, cacheHit: vb.cacheHit };
    vboard = await VirtualBoard.start(vb);
    portPath = vboard.path;
    log(`virtual board (${level}) on ${portPath}`);
  } else {
    build = await buildFor(design, board, root, log);
    log(`flashing ${board.name}...`);
    flash = await flashBitstream(board, buildFile(build, 'bin')!);
    portPath = findPort(board, req.port);
  }
  const latency: Pick<RunLatency, 'kind' | 'ns' | 'source'> = design.ports.clocked
    ? { kind: 'not-measured', ns: null, source: 'no answer arrived to count cycles on' }
    : await combinationalLatency(req, design, board, build, root);

  const report: RunReport = {
    board: isVirtual ? `virtual (${board.name})` : board.name,
    virtual: isVirtual,
    level,
    port: portPath,
    baud,
    clockHz,
    modelId: design.modelId,
    complete: false,
    error: null,
    vectors: count,
    answered: 0,
    mismatches: 0,
    firstMismatches: [],
    accuracy: null,
    softwareAccuracy: null,
    latency: { ...latency, cycles: null, criticalPathNs: build?.figures.criticalPath?.totalNs ?? null, hostRoundTripMs: null, deviceRoundTripMs: null, pipelinedRoundTripMs: null },
    throughput: null,
    link: null,
    device: null,
    build: build ? buildSummary(build) : null,
    flash,
    simulator: null,
    power: null,
    estimate: null,
  };

  let power: PowerSession | null = null;
  let link: Link | null = null;
  const answers = emptyAnswers(count, g.classes);
  let phase: RunPhase = 'connect';
  let phaseStart = performance.now();
  let phaseAnswers = 0;
  const progress = (next?: RunPhase, lastIndex?: number): void => {
    if (next && next !== phase) {
      phase = next;
      phaseStart = performance.now();
      phaseAnswers = answers.received;
    }
    if (!req.onProgress) return;
    const seconds = (performance.now() - phaseStart) / 1000;
    req.onProgress({
      phase,
      answered: answers.received,
      vectors: count,
      phaseSeconds: seconds,
      answersPerSecond: seconds > 0 ? (answers.received - phaseAnswers) / seconds : null,
      latestRoundTripMs: lastIndex === undefined ? null : answers.roundTripMs[lastIndex]!,
      watts: power?.latestWatts() ?? null,
    });
  };
  const onAnswer = (index: number): void => progress(undefined, index);
  // Views also want the power windows' seconds and watts, which no answer marks.
  const ticker = req.onProgress ? setInterval(() => progress(), 250) : null;
  try {
    const port = await openWithRetry(portPath, baud, isVirtual ? 2000 : 5000);
    // The virtual board runs slower than real time; a real one answers INFO in milliseconds.
    link = new Link(port, { initialTimeoutMs: isVirtual ? 5000 : 1000, maxPayload: Math.max(64, frameBytes(inferAnswerBytes(g))) });
    report.link = link.stats;
    const info = async (): Promise<DeviceInfo> => decodeInfo((await link!.request(CMD.INFO, new Uint8Array())).payload);
    const before = await info();
    report.device = { before, after: null };
    if (before.modelId !== design.modelId) {
      throw new UserError(
        `the board on ${portPath} runs model ${before.modelId}, not this model (${design.modelId}): refusing to run. The flash did not take, or another design is loaded; flash again.`,
      );
    }
    if (before.inputBits !== g.inputBits || before.classes !== g.classes || before.sumBits !== g.sumBits) {
      throw new UserError(`the board's core (${before.inputBits} inputs, ${before.classes} classes x ${before.sumBits} bits) does not match the model's: refusing to run`);
    }
    const requestBytes = frameBytes(inferRequestBytes(g));
    const window = Math.max(1, Math.min(req.window ?? 64, Math.floor(before.fifoBytes / requestBytes) - 1, 64));

    let probeStart = before.uptimeCycles;
    if (req.power) {
      report.estimate = await estimateFor(req, design, board, build, data, root, log);
      power = await PowerSession.open(req.power, { board, virtualBoard: vboard, estimate: report.estimate, log });
      await power.idleAndLoad(link, data, clockHz, (p) => progress(p === 'idle' ? 'power-idle' : 'power-load'));
      probeStart = (await info()).uptimeCycles;
    }

    // Latency probe: one request at a time.
    const probe = Math.min(count, 32);
    log(`streaming ${count} vectors (${probe} one at a time for latency, then ${window} in flight)...`);
    progress('latency');
    await streamInfer(link, data, g, { window: 1, first: 0, count: probe, onAnswer }, answers);
    const rtt = Array.from(answers.roundTripMs.subarray(0, probe));
    report.latency.hostRoundTripMs = { p50: percentile(rtt, 0.5), p99: percentile(rtt, 0.99), samples: probe };

    const afterProbe = await info();
    // The INFO exchange before the probe is inside the interval: take its own frames off.
    const infoSeconds = (10 * (frameBytes(0) + frameBytes(41))) / baud;
    report.latency.deviceRoundTripMs = (((afterProbe.uptimeCycles - probeStart) / before.clockHz - infoSeconds) / probe) * 1000;
    if (count > probe) {
      const start = afterProbe;
      const t0 = performance.now();
      progress('stream');
      const stream = (): Promise<StreamAnswers> => streamInfer(link!, data, g, { window, first: probe, count: count - probe, onAnswer }, answers);
      await (power ? power.during('stream', stream) : stream());
      const wallSeconds = (performance.now() - t0) / 1000;
      const end = await info();
      report.device.after = end;
      const deviceSeconds = (end.uptimeCycles - start.uptimeCycles) / before.clockHz;
      const n = count - probe;
      const theoretical = theoreticalVectorsPerSecond(g, baud);
      const deviceRate = n / deviceSeconds;
      const piped = Array.from(answers.roundTripMs.subarray(probe, count));
      report.latency.pipelinedRoundTripMs = { p50: percentile(piped, 0.5), p99: percentile(piped, 0.99) };
      report.throughput = {
        window,
        vectors: n,
        wallSeconds,
        wallVectorsPerSecond: n / wallSeconds,
        deviceSeconds,
        deviceVectorsPerSecond: deviceRate,
        theoreticalVectorsPerSecond: theoretical,
        percentOfTheoretical: (100 * deviceRate) / theoretical,
        requestFrameBytes: requestBytes,
        answerFrameBytes: frameBytes(inferAnswerBytes(g)),
      };
    } else {
      report.device.after = await info();
    }
    report.complete = true;
    progress('done');
  } catch (e) {
    if (e instanceof StreamError || e instanceof LinkError) report.error = e.message;
    else {
      await power?.close();
      await vboard?.stop();
      throw e;
    }
  } finally {
    if (ticker) clearInterval(ticker);
    if (power) report.power = await power.finish(report.throughput?.deviceVectorsPerSecond ?? null);
    await link?.close().catch(() => undefined);
    if (vboard) {
      const summary = await vboard.stop();
      if (summary && simBuild) report.simulator = { ...summary, ...simBuild };
    }
  }

  check(report, answers, req.net, data, design.ports.clocked);
  if (!report.complete) throw new RunError(`the run on ${report.board} stopped: ${report.error}`, report);
  return report;
}

/** The activity-based estimate for the run's core on its board (cached by content). */
async function estimateFor(req: RunRequest, design: DeviceDesign, board: Board, build: BuildResult | null, vectors: { count: number; inputBits: number; bits: Uint8Array }, root: string, log: (l: string) => void): Promise<PowerEstimate | null> {
  // No UP5K figures on another part: the measurement goes on, beside "not available for ECP5".
  const gap = powerEstimateGap(board.fpga);
  if (gap) {
    log(`power estimate ${gap.reason}`);
    return null;
  }
  log('estimating power from switching activity (Verilator toggle counts of the synthesised core; cached by content)...');
  // Every flip-flop of the device is clocked while idle: count them in the build, else by synthesis alone.
  let flipFlops = build?.figures.dff ?? null;
  if (flipFlops === null) {
    const synth = await estimateResources(writeSources(design, root), design.top, 'ice40', { cacheDir: join(root, 'estimates') });
    flipFlops = synth.stat?.flipFlops ?? null;
  }
  return estimatePower(req.net, vectors, {
    clockHz: design.clockHz,
    device: board.fpga.device,
    ...(req.core ? { core: req.core } : {}),
    stressVector: 0,
    ...(flipFlops !== null ? { flipFlops } : {}),
    cacheDir: root,
  });
}

/**
 * Compare the answers received with the reference; the board's and the software's accuracy over
 * the answered vectors, and a clocked core's latency from the device's cycle counts.
 */
function check(report: RunReport, answers: StreamAnswers, net: DiscreteNetwork, subset: EncodedSet, clocked: boolean): void {
  const count = subset.count;
  const ref = evaluateReference(net, subset);
  const k = ref.classes;
  let correct = 0;
  let softwareCorrect = 0;
  const cycles = new Set<number>();
  for (let i = 0; i < count; i++) {
    if (answers.classIdx[i] === -1) continue;
    report.answered++;
    cycles.add(answers.cycles[i]!);
    let differ = answers.classIdx[i] !== ref.predictions[i];
    for (let c = 0; c < k; c++) if (answers.sums[i * k + c] !== ref.sums[i * k + c]) differ = true;
    if (differ) {
      report.mismatches++;
      if (report.firstMismatches.length < 5) {
        report.firstMismatches.push({
          index: i,
          expected: { sums: Array.from(ref.sums.subarray(i * k, (i + 1) * k)), classIdx: ref.predictions[i]! },
          actual: { sums: Array.from(answers.sums.subarray(i * k, (i + 1) * k)), classIdx: answers.classIdx[i]! },
        });
      }
    }
    if (answers.classIdx[i] === subset.labels[i]) correct++;
    if (ref.predictions[i] === subset.labels[i]) softwareCorrect++;
  }
  report.accuracy = report.answered ? correct / report.answered : null;
  report.softwareAccuracy = report.answered ? softwareCorrect / report.answered : null;
  if (clocked && cycles.size > 0) {
    const c = Math.max(...cycles);
    Object.assign(report.latency, { kind: 'clocked', cycles: c, ns: (c / report.clockHz) * 1e9, source: `device counter: ${c} cycle${c === 1 ? '' : 's'} at ${report.clockHz / 1e6} MHz` });
  }
}
