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
          boardAccuracy: trained.accuracy!,
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
          }),
          run: { vectors: 2000, mismatches: 0, latencyNs: 166.7, throughputVps: 1150 },
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
