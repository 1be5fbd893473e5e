import type { BuildStatus, ReportCell } from '../../src/report/cells.js';

type Build = NonNullable<ReportCell['build']>;

const NO_FIGURES: Omit<Build, 'status' | 'message'> = {
  lut4: null, dff: null, carry: null, logicCells: null, logicCellsAvailable: null,
  fmaxMHz: null, criticalPathNs: null, logicNs: null, routingNs: null,
};

/** A build record: the given figures, every other one missing. */
export function build(status: BuildStatus, figures: Partial<Build> = {}): Build {
  return { status, message: '', ...NO_FIGURES, ...figures };
}

/** A finished cell named after its shape, with only the figures given. */
export function reportCell(depth: number, width: number, finalWidth: number, rest: Partial<ReportCell> = {}): ReportCell {
  return {
    sweep: 's1',
    cell: `d${depth}-w${width}-f${finalWidth}`,
    depth,
    width,
    finalWidth,
    gates: (depth - 1) * width + finalWidth,
    liveGates: null,
    accuracy: null,
    boardAccuracy: null,
    build: null,
    run: null,
    power: null,
    state: 'done',
    error: null,
    ...rest,
  };
}

export const GRID_DEPTHS = [2, 3, 4] as const;
export const GRID_WIDTHS = [250, 500, 1000] as const;
export const GRID_NARROW = 100;
/** The narrow cell's LUT4 as a share of the full-width cell's, by hidden width: -60%, -70%, -80%. */
const LUT_KEPT: Record<number, number> = { 250: 0.4, 500: 0.3, 1000: 0.2 };
/** The narrow cell's critical path as a share of the full-width one's, by depth: -10%, -20%, -30%. */
const PATH_KEPT: Record<number, number> = { 2: 0.9, 3: 0.8, 4: 0.7 };
const UP5K_LCS = 5280;

/**
 * A 3 (depth) x 3 (width) x 2 (final width: full, 100) sweep with every kind of outcome:
 * d2-w250-f100 failed timing (figures kept), d3-w1000-f1000 failed routing (no figures),
 * d4-w1000-f1000 does not fit (LUT4 count, no timing), d4-w500-f100 is pending; only depth 2 has
 * measured power, every runnable build an estimate.
 *
 * Expected final-layer effect: LUT4 over 7 pairs (not d3-w1000, d4-w500) = -80,-80,-70,-70,-60,-60,-60
 * -> median -70%; critical path over 6 pairs (not d4-w1000 either) = -30,-20,-20,-10,-10,-10 -> -15%.
 */
export function syntheticGrid(): ReportCell[] {
  const cells: ReportCell[] = [];
  for (const depth of GRID_DEPTHS) {
    for (const width of GRID_WIDTHS) {
      for (const finalWidth of [width, GRID_NARROW]) {
        const narrow = finalWidth !== width;
        const fullLut = 1.5 * depth * width;
        const fullPath = 10 + 2 * depth + width / 250;
        const lut4 = narrow ? fullLut * LUT_KEPT[width]! : fullLut;
        const path = narrow ? fullPath * PATH_KEPT[depth]! : fullPath;
        const gates = (depth - 1) * width + finalWidth;
        const id = `d${depth}-w${width}-f${finalWidth}`;
        const trained: Partial<ReportCell> = {
          liveGates: Math.round(gates * (narrow ? 0.45 : 0.9)),
          accuracy: 0.8 + 0.02 * depth + width / 20000 - (narrow ? 0.01 : 0),
        };
        if (id === 'd4-w500-f100') {
          cells.push(reportCell(depth, width, finalWidth, { state: 'pending' }));
          continue;
        }
        if (id === 'd3-w1000-f1000') {
          cells.push(reportCell(depth, width, finalWidth, { ...trained, state: 'failed', build: { ...build('failed'), message: 'routing failed' } }));
          continue;
        }
        if (id === 'd4-w1000-f1000') {
          cells.push(reportCell(depth, width, finalWidth, {
            ...trained,
            state: 'failed',
            build: build('does-not-fit', { message: `does not fit (needs ${lut4} LCs, the board has ${UP5K_LCS})`, lut4, logicCells: lut4, logicCellsAvailable: UP5K_LCS }),
          }));
          continue;
        }
        const timingFailed = id === 'd2-w250-f100';
        const fmax = 1000 / path;
        const energy = (lut4 / 1000) * 1e-9;
        cells.push(reportCell(depth, width, finalWidth, {
          ...trained,
          boardAccuracy: trained.accuracy! - 0.004,
          build: build(timingFailed ? 'timing-failed' : 'ok', {
            message: timingFailed ? `failed timing at 100 MHz (achieved ${fmax.toFixed(1)})` : '',
            lut4,
            dff: 40 + finalWidth,
            carry: 10,
            logicCells: lut4 + 50,
            logicCellsAvailable: UP5K_LCS,
            fmaxMHz: fmax,
            criticalPathNs: path,
            logicNs: path * 0.3,
            routingNs: path * 0.7,
            latencyCycles: 2,
            stages: 1,
            cuts: 'none',
            latencyAtFmaxNs: 2 * path,
            latencyAtClockNs: 2000 / 12,
            pipelinePolicy: '--pipeline auto',
            headLut4: lut4 * (narrow ? 0.1 : 0.4),
            headPathNs: path * (narrow ? 0.25 : 0.5),
          }),
          // A combinational core: its latency is the build's critical path; the software model on the board's vectors.
          run: { vectors: 2000, mismatches: 0, latencyNs: path, latencyKind: 'combinational', softwareAccuracy: trained.accuracy! - 0.004, throughputVps: 1150 },
          power: {
            measured: depth === 2
              ? { idleW: 0.0003, loadW: 0.0003 + lut4 * 1e-7, dynamicW: lut4 * 1e-7, energyPerInferenceJ: energy }
              : { idleW: null, loadW: null, dynamicW: null, energyPerInferenceJ: null },
            estimated: { idleW: 0.0003, loadW: 0.0003 + lut4 * 1.2e-7, dynamicW: lut4 * 1.2e-7, energyPerInferenceJ: energy * 1.2 },
          },
        }));
      }
    }
  }
  return cells;
}

const DEMO_CLOCK = 'clk$SB_IO_IN_$glb_clk';
const DEMO_TARGET_MHZ = 42;

/**
 * The demo's sweep (scripts/demo) as the store would hand it over, with the build messages the flow
 * writes (built under --pipeline auto, the cells that miss the clock unpipelined with one cut): depth 2, 3 x width 500, 1000 x final layer full or 100, every cell run on the virtual board
 * with measured and estimated power. Four cells failed timing at 42 MHz (d2-w1000-f1000, d3-w500-f500,
 * d3-w1000-f1000, d3-w1000-f100), and d2-w1000-f100's board run failed after its build (a long error).
 */
export function demoSweep(): ReportCell[] {
  const cells: ReportCell[] = [];
  for (const depth of [2, 3]) {
    for (const width of [500, 1000]) {
      for (const finalWidth of [width, GRID_NARROW]) {
        const narrow = finalWidth !== width;
        const gates = (depth - 1) * width + finalWidth;
        const lut4 = Math.round(gates * (narrow ? 0.62 : 0.81) + 37 * depth);
        const logicCells = lut4 + 412 + finalWidth;
        const path = 11.3 + 3.9 * depth + width / 190 - (narrow ? 2.4 : 0);
        const fmax = 1000 / path;
        const timingFailed = fmax < DEMO_TARGET_MHZ;
        const runFailed = depth === 2 && width === 1000 && narrow;
        const accuracy = 0.842 + 0.031 * depth + width / 31000 - (narrow ? 0.012 : 0);
        const idleW = 0.000_412;
        const dynamicW = lut4 * 2.9e-8;
        const id = `d${depth}-w${width}-f${finalWidth}`;
        cells.push(reportCell(depth, width, finalWidth, {
          liveGates: Math.round(gates * (narrow ? 0.47 : 0.93)),
          accuracy,
          boardAccuracy: runFailed ? null : accuracy - 0.0045,
          build: build(timingFailed ? 'timing-failed' : 'ok', {
            message: timingFailed
              ? `failed timing at ${DEMO_TARGET_MHZ} MHz (achieved ${fmax.toFixed(1)} MHz on ${DEMO_CLOCK})`
              : `built for icebreaker: ${logicCells}/${UP5K_LCS} LCs (${((logicCells / UP5K_LCS) * 100).toFixed(1)}%), Fmax ${fmax.toFixed(1)} MHz (target ${DEMO_TARGET_MHZ} MHz)`,
            lut4,
            dff: 2 * 10 + 64 + (narrow ? 0 : 8),
            carry: 4 * 10 + depth,
            logicCells,
            logicCellsAvailable: UP5K_LCS,
            fmaxMHz: fmax,
            criticalPathNs: path,
            logicNs: path * 0.36,
            routingNs: path * 0.64,
            // --pipeline auto: the cells that miss 42 MHz unpipelined get a cut inside the popcounts.
            latencyCycles: timingFailed ? 3 : 2,
            stages: timingFailed ? 2 : 1,
            cuts: timingFailed ? 'head: adder' : 'none',
            latencyAtFmaxNs: ((timingFailed ? 3 : 2) * 1000) / fmax,
            latencyAtClockNs: ((timingFailed ? 3 : 2) * 1000) / DEMO_TARGET_MHZ,
            pipelinePolicy: '--pipeline auto',
            headLut4: Math.round(lut4 * (narrow ? 0.12 : 0.45)),
            headPathNs: path * (narrow ? 0.31 : 0.58),
          }),
          // Combinational cores: the latency is the cell's build's critical path; the software model
          // on the board's 500 vectors matches the board unless answers differ.
          run: runFailed ? null : {
            vectors: 500,
            mismatches: id === 'd3-w500-f100' ? 3 : 0,
            latencyNs: path,
            latencyKind: 'combinational',
            latencySource: `nextpnr critical path (register to register, ${8 + 2 * depth} logic levels) of build 6884fba576d2: the cached build of this core between input and output registers for icebreaker (as gatebench build and a sweep make it)`,
            softwareAccuracy: accuracy - 0.0045 + (id === 'd3-w500-f100' ? 0.002 : 0),
            throughputVps: 11_870 - 1_150 * depth,
          },
          power: runFailed ? null : {
            measured: { idleW, loadW: idleW + dynamicW, dynamicW, energyPerInferenceJ: dynamicW / (11_870 - 1_150 * depth) },
            estimated: { idleW: 0.000_38, loadW: 0.000_38 + dynamicW * 1.15, dynamicW: dynamicW * 1.15, energyPerInferenceJ: (dynamicW * 1.15) / (11_870 - 1_150 * depth) },
          },
          ...(runFailed ? { state: 'failed' as const, error: `board run failed: no result frame for vector 412 of 500 within 5000 ms on /dev/pts/7 (the virtual board stopped answering; its log is in ${'/tmp/gatebench-virtual-board-3f9c2a7e1b'}/device.log)` } : {}),
        }));
      }
    }
  }
  return cells;
}
