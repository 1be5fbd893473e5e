import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { EmittedFile } from '../hdl/emit.js';
import { cached, cacheRoot, contentKey } from '../util/cache.js';
import { runTool, type ToolCommand } from '../flow/run.js';
import { iceCellsSim, toolVersion, yosysShareDir } from '../flow/tools.js';
import { buildWithoutSpaces, reuseVerilatorRuntime } from '../sim/simulate.js';
import { endWithThisProcess } from '../util/reaper.js';
import { hdlDir } from '../util/paths.js';
import { UserError } from '../util/errors.js';
import type { FpgaFamily } from '../board/devices.js';
import { isSynthesisOnly, VIRTUAL_ACTIVITY_MACRO, type DeviceDesign } from './top.js';

/** What the virtual board simulates: the RTL, or the placed-and-routed bitstream (icebox_vlog). */
export type VirtualLevel = 'rtl' | 'bitstream';
export const VIRTUAL_LEVELS: readonly VirtualLevel[] = ['rtl', 'bitstream'];

export const HARNESS = 'virtual_board.cpp';

/**
 * Simulation models (hdl/virtual) of the family's primitives the device RTL instantiates, in place
 * of the design's synthesis-only black boxes: the Gowin FIFO is an SDPB instance. The other
 * families' FIFOs are plain RTL.
 */
export const PRIMITIVE_MODELS: Record<FpgaFamily, readonly string[]> = { ice40: [], ecp5: [], gowin: ['gowin_sdpb.v'] };
const BINARY = 'vboard';

export interface VirtualBuild {
  /** The simulator executable. */
  binary: string;
  dir: string;
  level: VirtualLevel;
  clockHz: number;
  baud: number;
  cacheHit: boolean;
  /** Verilator + C++ compile time when it was built. */
  buildSeconds: number;
}

interface BuildMeta {
  level: VirtualLevel;
  verilator: string;
  seconds: number;
}

/**
 * The Verilator commands: the device top (RTL files, or one bitstream netlist plus yosys' iCE40
 * cell models) with the pty harness, compiled at -O2 (the simulation runs millions of cycles).
 */
export function planVirtualBuild(dir: string, sources: string[], level: VirtualLevel, clockHz: number, baud: number): ToolCommand[] {
  const verilate = [
    '--cc',
    '--exe',
    '--top-module',
    'gatebench_top',
    '--prefix',
    'Vgatebench_top',
    '-Mdir',
    'obj',
    '-o',
    BINARY,
    '-Wno-fatal',
    ...(level === 'bitstream' ? ['-Wno-lint', '-Wno-style', '-DNO_ICE40_DEFAULT_ASSIGNMENTS'] : [`-D${VIRTUAL_ACTIVITY_MACRO}`]),
    '-CFLAGS',
    `-DGB_CLK_HZ=${clockHz} -DGB_BAUD=${baud}${level === 'rtl' ? ' -DGB_ACTIVITY' : ''}`,
    HARNESS,
    ...sources,
  ];
  const jobs = String(Math.max(1, Math.min(8, availableParallelism())));
  const make = ['-C', 'obj', '-f', 'Vgatebench_top.mk', '-j', jobs, 'OPT_FAST=-O2', 'OPT_SLOW=-O1', 'OPT_GLOBAL=-O2', BINARY];
  return [
    { tool: 'verilator', argv: verilate, cwd: dir },
    { tool: 'make', argv: make, cwd: dir },
  ];
}

/**
 * Build (or fetch from .cache/virtual-board) the virtual board for a device design. For the
 * bitstream level, pass the icebox_vlog Verilog of a placed-and-routed build of the same design.
 */
export async function buildVirtualBoard(design: DeviceDesign, options: { level?: VirtualLevel; bitstreamVerilog?: EmittedFile; cacheDir?: string } = {}): Promise<VirtualBuild> {
  const level = options.level ?? 'rtl';
  const root = cacheRoot(options.cacheDir);
  let sources: EmittedFile[];
  if (level === 'rtl') {
    const models = PRIMITIVE_MODELS[design.family].map((name) => ({ name, text: readFileSync(join(hdlDir(), 'virtual', name), 'utf8') }));
    sources = [...models, ...design.files.filter((f) => !isSynthesisOnly(f))];
  } else {
    if (!options.bitstreamVerilog) throw new Error('internal: the bitstream level needs the icebox_vlog netlist');
    const cells = iceCellsSim(await yosysShareDir());
    sources = [options.bitstreamVerilog, { name: 'cells_sim.v', text: readFileSync(cells, 'utf8') }];
  }
  const harness = readFileSync(join(hdlDir(), 'virtual', HARNESS), 'utf8');
  const verilator = await toolVersion('verilator');
  const names = sources.map((s) => s.name);
  const plan = planVirtualBuild('.', names, level, design.clockHz, design.baud);
  const key = contentKey(['virtual-board/1', verilator, JSON.stringify(plan), harness, ...sources.flatMap((s) => [s.name, s.text])]);
  const entry = await cached<BuildMeta>(root, 'virtual-board', key, buildWithoutSpaces(async (dir) => {
    writeFileSync(join(dir, HARNESS), harness);
    for (const s of sources) writeFileSync(join(dir, s.name), s.text);
    const t0 = performance.now();
    const [verilate, make] = planVirtualBuild(dir, names, level, design.clockHz, design.baud) as [ToolCommand, ToolCommand];
    await runTool(verilate);
    reuseVerilatorRuntime(root, verilator, join(dir, 'obj'), 'get', 'virtual-board');
    await runTool(make);
    reuseVerilatorRuntime(root, verilator, join(dir, 'obj'), 'put', 'virtual-board');
    return { level, verilator, seconds: (performance.now() - t0) / 1000 };
  }));
  return { binary: join(entry.dir, 'obj', BINARY), dir: entry.dir, level, clockHz: design.clockHz, baud: design.baud, cacheHit: entry.hit, buildSeconds: entry.meta.seconds };
}

/** What the virtual board reported when it ended. */
export interface VirtualSummary {
  cycles: number;
  simulatedSeconds: number;
  wallSeconds: number;
  rxBytes: number;
  txBytes: number;
  framingErrors: number;
  /** Cycles in which the core evaluated a vector (RTL level only; null at the bitstream level). */
  activeCycles: number | null;
}

/** The virtual board's activity counters (RTL level), as of its latest report. */
export interface VirtualActivity {
  cycles: number;
  activeCycles: number;
  /** The simulation is paused, waiting for the host (a board with nothing to do). */
  idle: boolean;
}

export function parseVirtualSummary(stderr: string): VirtualSummary | null {
  const m = /gatebench-virtual: cycles (\d+) simulated_seconds ([\d.]+) wall_seconds ([\d.]+) rx_bytes (\d+) tx_bytes (\d+) framing_errors (\d+) active (\d+)/.exec(stderr);
  if (!m) return null;
  return {
    cycles: Number(m[1]),
    simulatedSeconds: Number(m[2]),
    wallSeconds: Number(m[3]),
    rxBytes: Number(m[4]),
    txBytes: Number(m[5]),
    framingErrors: Number(m[6]),
    activeCycles: Number(m[7]),
  };
}

const ACTIVITY_LINE = /^gatebench-virtual activity cycles (\d+) active (\d+) idle ([01])$/;

/** A running virtual board: its pty path, its activity, and stop() to end it and read its summary. */
export class VirtualBoard {
  private stderr = '';
  private stdoutTail = '';
  private exited: Promise<void>;
  /** The latest activity report (RTL level; null until the first one, and at the bitstream level). */
  activity: VirtualActivity | null = null;
  private constructor(
    readonly path: string,
    readonly pid: number,
    readonly level: VirtualLevel,
    private readonly child: ResultPromise,
  ) {
    this.exited = child.then(
      () => undefined,
      () => undefined,
    );
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      const lines = (this.stdoutTail + d.toString()).split('\n');
      this.stdoutTail = lines.pop()!;
      for (const line of lines) {
        const m = ACTIVITY_LINE.exec(line);
        if (m) this.activity = { cycles: Number(m[1]), activeCycles: Number(m[2]), idle: m[3] === '1' };
      }
    });
  }

  /** Start the simulator and wait for its pty line. */
  static async start(build: VirtualBuild, timeoutMs = 10_000): Promise<VirtualBoard> {
    const child = execa(build.binary, [], { buffer: false, reject: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
    const unwatch = endWithThisProcess(child.pid);
    void child.finally(unwatch);
    const path = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new UserError(`the virtual board did not start within ${timeoutMs} ms: ${err.trim()}`));
      }, timeoutMs);
      const onStartLine = (d: Buffer): void => {
        out += d.toString();
        const m = /gatebench-virtual pty (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          child.stdout?.off('data', onStartLine);
          resolve(m[1]!);
        }
      };
      child.stdout?.on('data', onStartLine);
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.then(
        (r) => {
          clearTimeout(timer);
          reject(new UserError(`the virtual board exited before it opened its pty (exit ${r.exitCode ?? r.signal}): ${err.trim()}`));
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
    return new VirtualBoard(path, child.pid!, build.level, child);
  }

  /** End the board with SIGTERM (or `signal`) and return what it reported. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<VirtualSummary | null> {
    this.child.kill(signal);
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(kill);
    const summary = parseVirtualSummary(this.stderr);
    return summary && this.level === 'bitstream' ? { ...summary, activeCycles: null } : summary;
  }

  /** Kill it at once (a board unplugged). */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  get stderrText(): string {
    return this.stderr;
  }
}
