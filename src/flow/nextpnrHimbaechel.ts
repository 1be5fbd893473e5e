import { nextpnrCommonArgs, type NextpnrCommonOptions } from './nextpnr.js';
import type { CommandPlan } from './run.js';

export interface NextpnrHimbaechelGowinOptions extends NextpnrCommonOptions {
  /** The full part number with package and speed, e.g. GW2AR-LV18QN88C8/I7. */
  readonly device: string;
  /** The chip database family, e.g. GW2A-18C (also gowin_pack's -d). */
  readonly family: string;
  readonly cst: string;
  /** The placed and routed netlist (JSON) gowin_pack reads. */
  readonly routed: string;
}

const deviceArgs = (o: Omit<NextpnrHimbaechelGowinOptions, 'routed'>): string[] => ['--device', o.device, '--vopt', `family=${o.family}`, '--vopt', `cst=${o.cst}`];

/** Plan nextpnr-himbaechel for Gowin (see nextpnrCommonArgs): netlist + .cst in, routed netlist + report out. */
export function planNextpnrHimbaechelGowin(o: NextpnrHimbaechelGowinOptions): CommandPlan {
  const argv = [...deviceArgs(o), '--write', o.routed, ...nextpnrCommonArgs(o)];
  return { stage: 'pnr', tool: 'nextpnr-himbaechel', argv, inputs: [o.netlist, o.cst], outputs: [o.routed, o.report] };
}

export interface NextpnrHimbaechelGowinPlaceOptions extends Omit<NextpnrHimbaechelGowinOptions, 'routed'> {
  /** The placed, unrouted design as JSON (`--write`), for spread placement (spread.ts). */
  readonly placement: string;
}

/** Plan nextpnr-himbaechel placing without routing (--no-route): netlist + .cst in, the placement as JSON out. */
export function planNextpnrHimbaechelGowinPlace(o: NextpnrHimbaechelGowinPlaceOptions): CommandPlan {
  const argv = [...deviceArgs(o), '--no-route', '--write', o.placement, ...nextpnrCommonArgs(o)];
  return { stage: 'place', tool: 'nextpnr-himbaechel', argv, inputs: [o.netlist, o.cst], outputs: [o.placement, o.report] };
}
