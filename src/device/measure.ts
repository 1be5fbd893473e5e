import { join } from 'node:path';
import type { EncodedSet } from '../data/encoding.js';
import { findCachedBuild, type BuildResult } from '../flow/build.js';
import { estimateResources } from '../flow/estimate.js';
import { findCachedModelBuild } from '../flow/modelBuild.js';
import { LinkError, type Link } from '../link/link.js';
import { frameBytes } from '../link/frame.js';
import { CMD, decodeInfo, inferAnswerBytes, inferRequestBytes, theoreticalVectorsPerSecond, type DeviceInfo, type Geometry } from '../link/protocol.js';
import { StreamError, streamInfer, type StreamAnswers } from '../link/stream.js';
import { estimatePower, powerEstimateGap, type PowerEstimate } from '../power/estimate.js';
import { PowerSession } from './power.js';
import type { RunLatency, RunPhase, RunReport, RunRequest } from './report.js';
import { deviceBuildRequest, writeSources, type RunSetup, type RunTarget } from './target.js';

/**
 * Measuring a run on a target that answers: power windows (idle, STRESS) when asked, a latency
 * probe of one request at a time, then the stream with a window of requests in flight. Each step
 * fills its part of the report; the answers go into `answers` for checking (check.ts).
 */

/** How measuring tells the run's views what it is doing. */
export interface MeasureHooks {
  /** A phase begins. */
  phase(phase: RunPhase): void;
  /** The answer to vector `index` arrived. */
  answer(index: number): void;
  /** The power session, once open (views show its latest reading). */
  powerOpened(session: PowerSession): void;
}

export interface Measurement {
  setup: RunSetup;
  target: RunTarget;
  link: Link;
  /** The device's INFO as the run found it (already checked against the model). */
  before: DeviceInfo;
  data: EncodedSet;
  request: Pick<RunRequest, 'net' | 'window' | 'power' | 'core'>;
  root: string;
  report: RunReport;
  answers: StreamAnswers;
  hooks: MeasureHooks;
  log: (line: string) => void;
}

/** The device's INFO. */
export async function readInfo(link: Link): Promise<DeviceInfo> {
  return decodeInfo((await link.request(CMD.INFO, new Uint8Array())).payload);
}

/** A failure of the link or the stream: the run stops, and what was measured so far is kept. */
export function isLinkFailure(e: unknown): e is StreamError | LinkError {
  return e instanceof StreamError || e instanceof LinkError;
}

/** Requests of the latency probe (one at a time) at the start of the stream. */
const LATENCY_PROBE = 32;

function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Requests in flight: as many as the device's receive FIFO holds (less one), at most 64 and at most asked. */
function streamWindow(fifoBytes: number, g: Geometry, asked: number | undefined): number {
  return Math.max(1, Math.min(asked ?? 64, Math.floor(fifoBytes / frameBytes(inferRequestBytes(g))) - 1, 64));
}

/**
 * Power windows (when asked), the latency probe and the stream. Throws what the link throws (a
 * StreamError or LinkError leaves the answers so far in `answers`); the power measurement is in
 * the report either way.
 */
export async function measure(m: Measurement): Promise<void> {
  const { link, before, data, report, answers, hooks, log } = m;
  const { baud, design } = m.setup;
  const g: Geometry = { inputBits: design.ports.inputBits, classes: design.ports.classes, sumBits: design.ports.sumBits };
  const count = data.count;
  const info = (): Promise<DeviceInfo> => readInfo(link);
  const window = streamWindow(before.fifoBytes, g, m.request.window);
  let power: PowerSession | null = null;
  try {
    let probeStart = before.uptimeCycles;
    if (m.request.power) {
      report.estimate = await estimateFor(m);
      power = await PowerSession.open(m.request.power, { board: m.setup.board, virtualBoard: m.target.vboard, estimate: report.estimate, log });
      hooks.powerOpened(power);
      await power.idleAndLoad(link, data, m.setup.clockHz, (p) => hooks.phase(p === 'idle' ? 'power-idle' : 'power-load'));
      probeStart = (await info()).uptimeCycles;
    }

    // Latency probe: one request at a time.
    const probe = Math.min(count, LATENCY_PROBE);
    log(`streaming ${count} vectors (${probe} one at a time for latency, then ${window} in flight)...`);
    hooks.phase('latency');
    await streamInfer(link, data, g, { window: 1, first: 0, count: probe, onAnswer: hooks.answer }, answers);
    const rtt = Array.from(answers.roundTripMs.subarray(0, probe));
    report.latency.hostRoundTripMs = { p50: percentile(rtt, 0.5), p99: percentile(rtt, 0.99), samples: probe };

    const afterProbe = await info();
    // The INFO exchange before the probe is inside the interval: take its own frames off.
    const infoSeconds = (10 * (frameBytes(0) + frameBytes(41))) / baud;
    report.latency.deviceRoundTripMs = (((afterProbe.uptimeCycles - probeStart) / before.clockHz - infoSeconds) / probe) * 1000;
    if (count > probe) {
      const t0 = performance.now();
      hooks.phase('stream');
      const stream = (): Promise<StreamAnswers> => streamInfer(link, data, g, { window, first: probe, count: count - probe, onAnswer: hooks.answer }, answers);
      await (power ? power.during('stream', stream) : stream());
      const wallSeconds = (performance.now() - t0) / 1000;
      const end = await info();
      report.device = { before, after: end };
      const deviceSeconds = (end.uptimeCycles - afterProbe.uptimeCycles) / before.clockHz;
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
        requestFrameBytes: frameBytes(inferRequestBytes(g)),
        answerFrameBytes: frameBytes(inferAnswerBytes(g)),
      };
    } else {
      report.device = { before, after: await info() };
    }
  } catch (e) {
    if (!isLinkFailure(e)) await power?.close();
    throw e;
  } finally {
    if (power) report.power = await power.finish(report.throughput?.deviceVectorsPerSecond ?? null);
  }
}

/** The activity-based estimate for the run's core on its board (cached by content). */
async function estimateFor(m: Measurement): Promise<PowerEstimate | null> {
  const { design, board } = m.setup;
  // No UP5K figures on another part: the measurement goes on, beside "not available for ECP5".
  const gap = powerEstimateGap(board.fpga);
  if (gap) {
    m.log(`power estimate ${gap.reason}`);
    return null;
  }
  m.log('estimating power from switching activity (Verilator toggle counts of the synthesised core; cached by content)...');
  // Every flip-flop of the device is clocked while idle: count them in the build, else by synthesis alone.
  let flipFlops = m.target.build?.figures.dff ?? null;
  if (flipFlops === null) {
    const synth = await estimateResources(writeSources(design, m.root), design.top, board.fpga.family, { cacheDir: join(m.root, 'estimates') });
    flipFlops = synth.stat?.flipFlops ?? null;
  }
  return estimatePower(m.request.net, m.data, {
    clockHz: design.clockHz,
    device: board.fpga.device,
    ...(m.request.core ? { core: m.request.core } : {}),
    stressVector: 0,
    ...(flipFlops !== null ? { flipFlops } : {}),
    cacheDir: m.root,
  });
}

/** A combinational core's latency: the critical path of `build`, which `what` describes. */
function buildDelay(build: BuildResult, what: string): Pick<RunLatency, 'kind' | 'ns' | 'source'> | null {
  const path = build.figures.criticalPath;
  if (!path) return null;
  return { kind: 'combinational', ns: path.totalNs, source: `nextpnr critical path (${path.registerToRegister ? 'register to register' : 'longest path'}, ${path.logicLevels} logic level${path.logicLevels === 1 ? '' : 's'}) of build ${build.hash.slice(0, 12)}: ${what}` };
}

/**
 * The latency figure known before any answer: a clocked core's comes from the device's counter
 * (check.ts), so none yet; a combinational core's is its post-route delay: the critical path of the
 * bitstream the run used, else (simulated RTL) of that bitstream's build when the cache holds it,
 * else of this core's build with registered inputs and outputs (gatebench build, a sweep's build),
 * else none. The device build's path runs from the vector's register through the core into the
 * logic that sends the answer, so it bounds the core's own delay from above (measured on a
 * 48-96-48 random network: 51.9 ns for the device build, 39.1 ns for the core between registers).
 */
export async function initialLatency(setup: RunSetup, build: BuildResult | null, request: Pick<RunRequest, 'net' | 'cacheDir'>, root: string): Promise<Pick<RunLatency, 'kind' | 'ns' | 'source'>> {
  const { design, board } = setup;
  if (design.ports.clocked) return { kind: 'not-measured', ns: null, source: 'no answer arrived to count cycles on' };
  if (build) return buildDelay(build, `the bitstream this run used (${board.name})`) ?? { kind: 'not-measured', ns: null, source: `build ${build.hash.slice(0, 12)} reports no critical path` };
  const device = await findCachedBuild(deviceBuildRequest(design, board, root));
  const fromDevice = device && buildDelay(device, `the cached build of this design for ${board.name}, the bitstream this simulation stands for`);
  if (fromDevice) return fromDevice;
  const core = await findCachedModelBuild(request.net, { board, ...(request.cacheDir ? { cacheDir: request.cacheDir } : {}) });
  const fromCore = core && buildDelay(core, `the cached build of this core between input and output registers for ${board.name} (as gatebench build and a sweep make it)`);
  if (fromCore) return fromCore;
  // Only an iCE40 bitstream can be simulated (icebox_vlog); every family's device build can be made with --build-only.
  const next = board.fpga.family === 'ice40' ? `run with --level bitstream, or gatebench build --board ${board.name} first` : `gatebench run --build-only --board ${board.name} first`;
  return { kind: 'not-measured', ns: null, source: `no build of this design for ${board.name} in the cache: ${next}` };
}
