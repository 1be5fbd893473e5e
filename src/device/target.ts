import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBoard, programmerCommand, type Board } from '../board/board.js';
import { requireBoardAttached, requirePort } from '../board/presence.js';
import { buildBitstream, buildFile, type BuildRequest, type BuildResult } from '../flow/build.js';
import { buildModel } from '../flow/modelBuild.js';
import { describeCuts } from '../hdl/cuts.js';
import type { EmittedFile } from '../hdl/emit.js';
import { openSerialPort, PortOpenError, type BytePort } from '../link/port.js';
import { chipVerilog } from '../sim/bitstream.js';
import { cacheRoot } from '../util/cache.js';
import { UserError } from '../util/errors.js';
import { flashBitstream, type FlashResult } from './flash.js';
import type { DeviceBuildReport, PrebuiltImage, RunReport, RunRequest } from './report.js';
import { deviceDesign, type DeviceDesign } from './top.js';
import { buildVirtualBoard, VirtualBoard, type VirtualLevel } from './virtual.js';

/**
 * Getting a run's target: the board a run names (its cable looked for first), the device design
 * for that board's family and clock, and then either the bitstream built and flashed or the
 * virtual board compiled and started. What comes back is a serial port to talk to.
 */

/** The board the virtual board stands for when the run names none (--as). */
export const VIRTUAL_BASE_BOARD = 'icebreaker';

/** What a run needs to know before it builds: the board, the link settings and the device design. */
export interface RunSetup {
  /** The board, or the one the virtual board stands for. */
  board: Board;
  isVirtual: boolean;
  level: VirtualLevel | null;
  baud: number;
  clockHz: number;
  design: DeviceDesign;
}

type SetupRequest = Pick<RunRequest, 'net' | 'board' | 'as' | 'port' | 'level' | 'baud' | 'core' | 'pipeline' | 'cacheDir' | 'log'>;

/**
 * Make sure the board a run names can be there: its programming cable on USB and the --port given,
 * or the virtual board's pty. Takes milliseconds, so a missing board fails before anything is built;
 * runOnBoard asks first, and so may a caller with slow work of its own to do before it (a dataset).
 */
export async function requireRunBoard(req: Pick<RunRequest, 'board' | 'as' | 'port'>): Promise<void> {
  if (req.board === 'virtual') {
    // The board it stands for must load (a bad name or board file fails here, before the dataset).
    if (req.as !== undefined) loadBoard(req.as);
    if (req.port) requirePort(req.port, 'the pty of a virtual board already running');
    return;
  }
  await requireBoardAttached(loadBoard(req.board), { ...(req.port ? { port: req.port } : {}), nextStep: 'to build the bitstream without the board, add --build-only' });
}

/**
 * The virtual board's default baud: a quarter of the clock (the UART's fastest, 4 clocks per bit),
 * since every simulated UART bit costs clock cycles; 3,000,000 at the iCEBreaker's 12 MHz.
 */
export function virtualBaud(clockHz: number): number {
  return Math.floor(clockHz / 4);
}

/** Load the board and make the device design for its family and clock; with lookForBoard, after requireRunBoard. */
export async function prepareRun(req: SetupRequest, { lookForBoard }: { lookForBoard: boolean }): Promise<RunSetup> {
  const isVirtual = req.board === 'virtual';
  if (!isVirtual && req.as !== undefined) throw new UserError(`--as: only with --board virtual (the board the virtual board stands for), not with --board ${req.board}`);
  const board = loadBoard(isVirtual ? (req.as ?? VIRTUAL_BASE_BOARD) : req.board);
  const level: VirtualLevel | null = isVirtual ? (req.level ?? 'rtl') : null;
  if (!isVirtual && req.level) throw new UserError('--level: only for --board virtual');
  // icebox_vlog turns only an iCE40 bitstream back into Verilog.
  if (level === 'bitstream' && board.fpga.family !== 'ice40') throw new UserError(`--level bitstream: only for a virtual board standing for an iCE40 board (icebox_vlog), not ${board.name} (${board.fpga.family}); use --level rtl`);
  if (lookForBoard) await requireRunBoard(req);
  const clockHz = board.clock.mhz * 1e6;
  const baud = req.baud ?? (isVirtual ? virtualBaud(clockHz) : 115200);
  const core = req.pipeline === 'auto' ? await autoCore(req, board) : req.core;
  const design = deviceDesign(req.net, { family: board.fpga.family, clockHz, baud, ...(core ? { core } : {}) });
  return { board, isVirtual, level, baud, clockHz, design };
}

/**
 * The core of --pipeline auto: the cuts the build search chooses for the board (src/flow/autoPipeline.ts;
 * its builds are cached by content), with registered inputs and outputs.
 */
async function autoCore(req: SetupRequest, board: Board): Promise<NonNullable<RunRequest['core']>> {
  const log = req.log ?? (() => undefined);
  log(`--pipeline auto: placing the core's registers for ${board.name} at ${board.clock.mhz} MHz (builds cached by content)...`);
  const groupSum = req.core?.groupSum;
  const { core, search } = await buildModel(req.net, { board, pipeline: 'auto', ...(groupSum ? { groupSum } : {}), ...(req.cacheDir ? { cacheDir: req.cacheDir } : {}), log });
  if (search && !search.met) log(`warning: no cuts met ${search.targetMHz} MHz; running the fastest (cuts ${describeCuts(core.stats.cuts)})`);
  return { ...req.core, cuts: core.stats.cuts, registeredIo: true };
}

/** Write the design's files where the build flow can read them. */
export function writeSources(design: DeviceDesign, root: string): string[] {
  const dir = join(root, 'device-src', design.hash.slice(0, 24));
  mkdirSync(dir, { recursive: true });
  return design.files.map((f) => {
    const p = join(dir, f.name);
    if (!existsSync(p) || readFileSync(p, 'utf8') !== f.text) writeFileSync(p, f.text);
    return p;
  });
}

/** The build request of the device's bitstream (the same request whether it is built or looked up). */
export function deviceBuildRequest(design: DeviceDesign, board: Board, root: string): BuildRequest {
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

/** `image`: the hash of the prebuilt image the build came as, if it did. */
export function buildSummary(build: BuildResult, image?: PrebuiltImage): NonNullable<RunReport['build']> {
  const lcs = build.figures.logicCells;
  return { hash: build.hash, cached: build.cached, message: build.message, lcs: lcs ? `${lcs.used}/${lcs.available}` : null, fmaxMHz: build.figures.fmaxMHz, ...(image ? { image: image.hash } : {}) };
}

/**
 * The device bitstream a run with this request flashes (a real board) or simulates (the virtual
 * board at the bitstream level), built (cached) without looking for the board: what --build-only
 * stops at, and what a distributed sweep's build worker hands to a board host (PrebuiltImage).
 */
export async function buildDeviceBitstream(req: Pick<RunRequest, 'net' | 'board' | 'as' | 'level' | 'baud' | 'core' | 'pipeline' | 'cacheDir' | 'log'>): Promise<{ setup: RunSetup; build: BuildResult }> {
  const setup = await prepareRun(req, { lookForBoard: false });
  if (!takesBitstream(setup)) throw new Error('internal: a run on the virtual board of the RTL takes no bitstream');
  return { setup, build: await buildFor(setup.design, setup.board, cacheRoot(req.cacheDir), req.log ?? (() => undefined)) };
}

/** Whether a run flashes or simulates a bitstream (a real board, or the virtual board at the bitstream level). */
export function takesBitstream(setup: Pick<RunSetup, 'isVirtual' | 'level'>): boolean {
  return !setup.isVirtual || setup.level === 'bitstream';
}

/** Build the device bitstream a run on this board would flash, and stop there. */
export async function buildRunBitstream(req: Pick<RunRequest, 'net' | 'board' | 'baud' | 'core' | 'pipeline' | 'cacheDir' | 'log'>): Promise<DeviceBuildReport> {
  if (req.board === 'virtual') throw new UserError('--build-only: only for a real board (the virtual board compiles its simulator when it runs)');
  const { setup, build } = await buildDeviceBitstream(req);
  const { board, baud, clockHz, design } = setup;
  const bin = buildFile(build, 'bin');
  return { buildOnly: true, board: board.name, modelId: design.modelId, clockHz, baud, build: buildSummary(build), bin, flashCommand: bin ? programmerCommand(board, bin) : null };
}

/**
 * The bitstream a run takes: the prebuilt image it was handed (refused unless built from this very
 * design for this board), else built here (cached by content).
 */
async function runBitstream(setup: RunSetup, image: PrebuiltImage | undefined, root: string, log: (l: string) => void): Promise<BuildResult> {
  if (!image) return buildFor(setup.design, setup.board, root, log);
  const { design, board } = setup;
  if (image.designHash !== design.hash || image.build.board.name !== board.name) {
    throw new UserError(
      `the prebuilt bitstream ${image.hash.slice(0, 12)} is of device design ${image.designHash.slice(0, 12)} for ${image.build.board.name}, this run needs design ${design.hash.slice(0, 12)} for ${board.name}: refusing it`,
    );
  }
  log(`taking the prebuilt bitstream ${image.hash.slice(0, 12)} (build ${image.build.hash.slice(0, 12)}, made elsewhere): ${image.build.message}`);
  return image.build;
}

/** The placed-and-routed design back as Verilog (icebox_vlog): the very logic that gets flashed. */
async function bitstreamVerilog(build: BuildResult, root: string): Promise<EmittedFile> {
  const { chip } = await chipVerilog(build, { cacheDir: root, moduleName: 'gatebench_top' });
  return { name: 'gatebench_top_bitstream.v', text: chip.text };
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
export async function openWithRetry(path: string, baud: number, waitMs: number): Promise<BytePort> {
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

/** A run's target, ready to talk to: the port, and how it came to be (build, flash, or simulator). */
export interface RunTarget {
  /** The device's UART (a pty for the virtual board). */
  port: string;
  /** The bitstream built for it (a real board, or the virtual board at the bitstream level). */
  build: BuildResult | null;
  flash: FlashResult | null;
  /** The virtual board this run started (stop it when done); null for a real board or one already running. */
  vboard: VirtualBoard | null;
  simBuild: { buildSeconds: number; cacheHit: boolean } | null;
}

/**
 * Get the target ready: connect to a virtual board already running (--port), or compile and start
 * one (RTL, or the icebox_vlog netlist of the bitstream), or build (cached) and flash the board.
 * A prebuilt image (req.image) stands in for the build.
 */
export async function acquireTarget(setup: RunSetup, req: Pick<RunRequest, 'port' | 'cacheDir' | 'image'>, log: (l: string) => void): Promise<RunTarget> {
  const { board, design, level } = setup;
  const root = cacheRoot(req.cacheDir);
  const cache = req.cacheDir ? { cacheDir: req.cacheDir } : {};
  if (req.image && (!takesBitstream(setup) || (setup.isVirtual && req.port))) throw new Error('internal: a prebuilt bitstream for a run that takes none (the RTL, or a virtual board already running)');
  if (setup.isVirtual && req.port) return { port: req.port, build: null, flash: null, vboard: null, simBuild: null };
  if (setup.isVirtual) {
    let build: BuildResult | null = null;
    let vb;
    if (level === 'bitstream') {
      build = await runBitstream(setup, req.image, root, log);
      log('turning the bitstream back into Verilog (icebox_vlog) and compiling it with Verilator...');
      vb = await buildVirtualBoard(design, { level: 'bitstream', bitstreamVerilog: await bitstreamVerilog(build, root), ...cache });
    } else {
      log(`compiling the device RTL for ${board.name} (${board.fpga.family}, ${setup.clockHz / 1e6} MHz) with Verilator (cached by content)...`);
      vb = await buildVirtualBoard(design, { level: 'rtl', ...cache });
    }
    const vboard = await VirtualBoard.start(vb);
    log(`virtual board (${level}, standing for ${board.name}) on ${vboard.path}`);
    return { port: vboard.path, build, flash: null, vboard, simBuild: { buildSeconds: vb.buildSeconds, cacheHit: vb.cacheHit } };
  }
  const build = await runBitstream(setup, req.image, root, log);
  log(`flashing ${board.name}...`);
  const flash = await flashBitstream(board, buildFile(build, 'bin')!);
  return { port: findPort(board, req.port), build, flash, vboard: null, simBuild: null };
}
