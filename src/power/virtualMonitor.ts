import type { VirtualActivity, VirtualBoard } from '../device/virtual.js';
import { UserError } from '../util/errors.js';
import type { PowerEstimate } from './estimate.js';
import { VirtualLpm01a } from './virtualLpm01a.js';

/** Share of active cycles above which the core is taken to be under STRESS (one evaluation per clock). */
const STRESS_FRACTION = 0.5;

/**
 * The core-rail current of a running virtual board by the estimate: idle power, plus the energy
 * of one evaluation times the evaluations per second of simulated time it made between its last
 * two activity reports. A paused simulation (the board waiting for the host) is an idle board.
 */
export function virtualBoardCurrent(board: Pick<VirtualBoard, 'activity'>, estimate: PowerEstimate): () => number {
  let previous: VirtualActivity | null = null;
  let latest: VirtualActivity | null = null;
  return () => {
    const a = board.activity;
    if (a && a !== latest) {
      if (!latest || a.cycles > latest.cycles) previous = latest;
      latest = a;
    }
    let watts = estimate.idleW;
    if (latest && !latest.idle && previous && latest.cycles > previous.cycles) {
      const fraction = (latest.activeCycles - previous.activeCycles) / (latest.cycles - previous.cycles);
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
