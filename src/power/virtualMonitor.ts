import type { VirtualBoard } from '../device/virtual.js';
import { UserError } from '../util/errors.js';
import type { PowerEstimate } from './estimate.js';
import { VirtualLpm01a } from './virtualLpm01a.js';

/** Wall time over which the board's progress is judged: its activity reports come about every 20 ms. */
const PROGRESS_WINDOW_S = 0.1;
/** Share of active cycles above which the core is taken to be under STRESS (one evaluation per clock). */
const STRESS_FRACTION = 0.5;

interface Observation {
  t: number;
  cycles: number;
  active: number;
}

/**
 * The core-rail current of a running virtual board by the estimate: idle power, plus the energy
 * of one evaluation times the evaluations per second of simulated time it is making now. A paused
 * simulation (the board waiting for the host) is an idle board.
 */
export function virtualBoardCurrent(board: Pick<VirtualBoard, 'activity'>, estimate: PowerEstimate): (hostSeconds: number) => number {
  const history: Observation[] = [];
  return (t) => {
    const a = board.activity;
    if (a && (history.length === 0 || a.cycles !== history[history.length - 1]!.cycles)) history.push({ t, cycles: a.cycles, active: a.activeCycles });
    while (history.length > 2 && history[1]!.t < t - PROGRESS_WINDOW_S) history.shift();
    let watts = estimate.idleW;
    const last = history[history.length - 1];
    const first = history[0];
    if (first && last && last.t >= t - PROGRESS_WINDOW_S && last.cycles > first.cycles) {
      const fraction = (last.active - first.active) / (last.cycles - first.cycles);
      const perEvaluation = fraction >= STRESS_FRACTION ? estimate.stress.energyPerInferenceJ : estimate.stream.energyPerInferenceJ;
      watts += perEvaluation * fraction * estimate.clockHz;
    }
    return watts / estimate.rail.volts;
  };
}

/**
 * `--power virtual`: a virtual LPM01A on a pty beside the virtual board, reporting the estimate of
 * what the board is doing plus noise. Returns the instrument and the monitor spec to open it with.
 */
export async function startVirtualPowerMonitor(board: VirtualBoard, estimate: PowerEstimate, seed = 1): Promise<{ instrument: VirtualLpm01a; spec: string }> {
  if (board.level !== 'rtl') throw new UserError('--power virtual: needs --level rtl (the bitstream netlist has no activity port to watch the core through)');
  const instrument = await VirtualLpm01a.start({ current: virtualBoardCurrent(board, estimate), noise: { relative: 0.01, absoluteAmps: 1e-6 }, seed });
  return { instrument, spec: `lpm01a:${instrument.path}` };
}
