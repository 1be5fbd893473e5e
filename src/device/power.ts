import type { Board } from '../board/board.js';
import type { Link } from '../link/link.js';
import { CMD, packVector, u48 } from '../link/protocol.js';
import { powerEstimateGap, type PowerEstimate } from '../power/estimate.js';
import { summarisePower, type PowerMeasurement, type PowerPhase } from '../power/measure.js';
import { hostSeconds, type PowerMonitor } from '../power/driver.js';
import { openPowerMonitor } from '../power/monitor.js';
import { startVirtualPowerMonitor } from '../power/virtualMonitor.js';
import type { VirtualLpm01a } from '../power/virtualLpm01a.js';
import { UserError } from '../util/errors.js';
import type { VirtualBoard } from './virtual.js';

/** Idle and STRESS windows: long enough for a stable median on a real monitor (MLPerf Tiny uses >= 10 s). */
export const DEFAULT_POWER_WINDOW_S = 5;
/** The virtual monitor's noise is white: 2 s of samples give a median within 0.1%. */
export const VIRTUAL_POWER_WINDOW_S = 2;

export interface PowerRequest {
  /** A monitor spec (src/power/monitor.ts: lpm01a:PORT, ppk2:PORT, ina-serial:PORT, hwmon:[DIR]) or 'virtual'. */
  spec: string;
  /** Length of the idle and the STRESS window. */
  windowSeconds?: number;
  /** Seed of the virtual monitor's noise. */
  seed?: number;
  /** Receives every sample with the phase it fell in (also when the run fails part-way). */
  onSamples?: (samples: PhasedSample[]) => void;
}

export type PhasedSample = { t: number; volts: number; amps: number; watts: number; phase: PowerPhase | 'other' };

const sleep = (seconds: number): Promise<void> => new Promise((r) => setTimeout(r, seconds * 1000));

/** The core rail of a board (its rails with role 'core'); the UP5K's 1.2 V when the file names none. */
function coreRailVolts(board: Board): number {
  return board.rails.find((r) => r.role === 'core')?.volts ?? 1.2;
}

/**
 * One power measurement beside a run: the monitor acquiring from open to finish, and the windows
 * (idle, STRESS, streaming) the device spent, on the samples' clock.
 */
export class PowerSession {
  private readonly windows: { phase: PowerPhase; start: number; end: number }[] = [];
  private stressRate: number | null = null;
  private closed = false;

  private constructor(
    private readonly request: PowerRequest,
    private readonly monitor: PowerMonitor,
    private readonly instrument: VirtualLpm01a | null,
    private readonly board: Board,
    private readonly estimate: PowerEstimate | null,
    private readonly log: (line: string) => void,
  ) {}

  static async open(request: PowerRequest, ctx: { board: Board; virtualBoard: VirtualBoard | null; estimate: PowerEstimate | null; log: (line: string) => void }): Promise<PowerSession> {
    let spec = request.spec;
    let instrument: VirtualLpm01a | null = null;
    if (spec === 'virtual') {
      if (!ctx.virtualBoard) throw new UserError('--power virtual: only with --board virtual started by this run (not with --port)');
      if (!ctx.estimate) throw new UserError(`--power virtual: reports the power estimate, which is ${powerEstimateGap(ctx.board.fpga)?.reason ?? 'missing'}`);
      ({ instrument, spec } = await startVirtualPowerMonitor(ctx.virtualBoard, ctx.estimate, request.seed ?? 1));
      ctx.log(`virtual power monitor (LPM01A protocol) on ${instrument.path}`);
    }
    let monitor: PowerMonitor;
    try {
      monitor = await openPowerMonitor(spec);
      await monitor.start();
    } catch (e) {
      await instrument?.stop();
      throw e;
    }
    ctx.log(`power monitor: ${monitor.description}`);
    return new PowerSession(request, monitor, instrument, ctx.board, ctx.estimate, ctx.log);
  }

  private get windowSeconds(): number {
    return this.request.windowSeconds ?? (this.instrument ? VIRTUAL_POWER_WINDOW_S : DEFAULT_POWER_WINDOW_S);
  }

  /** Run `work` and record the time it took as a window of `phase`. */
  async during<T>(phase: PowerPhase, work: () => Promise<T>): Promise<T> {
    const start = hostSeconds();
    try {
      return await work();
    } finally {
      this.windows.push({ phase, start, end: hostSeconds() });
    }
  }

  /**
   * The idle window, then the STRESS window: vector 0 is loaded with one INFER (the estimate's
   * STRESS sequence rotates that vector), and the core evaluates a new input every clock.
   */
  async idleAndLoad(link: Link, vectors: { bits: Uint8Array; inputBits: number }, clockHz: number, onPhase?: (phase: 'idle' | 'load') => void): Promise<void> {
    const seconds = this.windowSeconds;
    this.log(`power: idle window (${seconds} s), then STRESS window (${seconds} s)...`);
    onPhase?.('idle');
    await this.during('idle', () => sleep(seconds));
    onPhase?.('load');
    await link.request(CMD.INFER, packVector(vectors.bits, 0, vectors.inputBits));
    const start = u48((await link.request(CMD.STRESS_START, new Uint8Array())).payload, 0);
    try {
      await this.during('load', () => sleep(seconds));
    } finally {
      const stop = u48((await link.request(CMD.STRESS_STOP, new Uint8Array())).payload, 0);
      if (stop > start) this.stressRate = clockHz;
    }
  }

  /** The latest sample's power at the monitor, for live views. */
  latestWatts(): number | null {
    const s = this.monitor.samples();
    return s.length ? s[s.length - 1]!.watts : null;
  }

  /** Stop the monitor; the samples (to onSamples) and the summary, measured beside estimated. */
  async finish(streamVectorsPerSecond: number | null): Promise<PowerMeasurement> {
    await this.close();
    const samples = this.monitor.samples();
    this.request.onSamples?.(samples.map((s) => ({ ...s, phase: this.windows.find((w) => s.t >= w.start && s.t <= w.end)?.phase ?? 'other' })));
    const hasStream = this.windows.some((w) => w.phase === 'stream');
    return summarisePower(this.monitor, samples, this.windows, {
      railVolts: coreRailVolts(this.board),
      rates: { stress: this.stressRate, stream: hasStream ? streamVectorsPerSecond : null },
      estimate: this.estimate,
      estimateUnavailable: powerEstimateGap(this.board.fpga)?.reason ?? null,
    });
  }

  /** Stop acquiring and end the virtual instrument. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.monitor.stop().catch(() => undefined);
    await this.instrument?.stop();
  }
}
