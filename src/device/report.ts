import type { EncodedSet } from '../data/encoding.js';
import type { BuildResult } from '../flow/build.js';
import type { Link } from '../link/link.js';
import type { DeviceInfo } from '../link/protocol.js';
import type { DiscreteNetwork } from '../model/network.js';
import type { PowerEstimate } from '../power/estimate.js';
import type { PowerMeasurement } from '../power/measure.js';
import { UserError } from '../util/errors.js';
import type { FlashResult } from './flash.js';
import type { PowerRequest } from './power.js';
import type { DeviceOptions } from './top.js';
import type { VirtualLevel, VirtualSummary } from './virtual.js';

/**
 * What a run is asked and what it reports: the shapes shared by the run's parts (src/device/target.ts
 * gets the board, measure.ts measures, check.ts checks the answers, run.ts puts them in order).
 */

export interface RunRequest {
  net: DiscreteNetwork;
  /** Encoded vectors (the test set) with labels. */
  data: EncodedSet;
  /** A board name, or 'virtual'. */
  board: string;
  /**
   * With board 'virtual': the board it stands for (default icebreaker). The virtual board runs that
   * board's family's device design at that board's clock, so cycles and ns are that board's.
   */
  as?: string;
  /** The board's UART; with board 'virtual', connect to a virtual board already running there. */
  port?: string;
  baud?: number;
  limit?: number;
  /**
   * The device bitstream built on another machine, flashed (or at the bitstream level simulated)
   * as it is instead of built here: a board host of a distributed sweep needs no toolchain.
   */
  image?: PrebuiltImage;
  /** Virtual board only: simulate the RTL or the bitstream (icebox_vlog of a placed-and-routed build). */
  level?: VirtualLevel;
  /** How the core is emitted (default: combinational, no registers). */
  core?: DeviceOptions['core'];
  /**
   * 'auto': the core's registers where `gatebench build --pipeline auto` puts them for the board (or
   * the board the virtual board stands for), found by that search (its builds cached), with
   * registered inputs and outputs; `core` then gives only the head's style.
   */
  pipeline?: 'auto';
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
  /** `image`: the content hash of the prebuilt image the run took (RunRequest.image); absent when built here. */
  build: { hash: string; cached: boolean; message: string; lcs: string | null; fmaxMHz: number | null; image?: string } | null;
  flash: FlashResult | null;
  simulator: (VirtualSummary & { buildSeconds: number; cacheHit: boolean }) | null;
  power: PowerMeasurement | null;
  estimate: PowerEstimate | null;
}

/** A device bitstream built elsewhere (a distributed sweep's build worker), as a run takes it. */
export interface PrebuiltImage {
  /** The content hash it travelled under (recorded with the run as build.image). */
  hash: string;
  /** DeviceDesign.hash of the design it was built from: a run of another design refuses it. */
  designHash: string;
  /** Its build record, `dir` on this machine holding the files a run needs (the others are null). */
  build: BuildResult;
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
  /** The programmer's argv a run would flash it with (the board file's template, filled in); null with no bitstream. */
  flashCommand: string[] | null;
}

