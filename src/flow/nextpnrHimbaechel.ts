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

/** Plan nextpnr-himbaechel for Gowin (see nextpnrCommonArgs): netlist + .cst in, routed netlist + report out. */
export function planNextpnrHimbaechelGowin(o: NextpnrHimbaechelGowinOptions): CommandPlan {
  const argv = ['--device', o.device, '--vopt', `family=${o.family}`, '--vopt', `cst=${o.cst}`, '--write', o.routed, ...nextpnrCommonArgs(o)];
  return { stage: 'pnr', tool: 'nextpnr-himbaechel', argv, inputs: [o.netlist, o.cst], outputs: [o.routed, o.report] };
}
