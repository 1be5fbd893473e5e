import { nextpnrCommonArgs, type NextpnrCommonOptions } from './nextpnr.js';
import type { CommandPlan } from './run.js';

export interface NextpnrEcp5Options extends NextpnrCommonOptions {
  /** The part's flag: --25k, --85k, --um5g-85k ... (FpgaPart.nextpnrFlag). */
  readonly deviceFlag: string;
  /** nextpnr's package name, e.g. CABGA381. */
  readonly package: string;
  readonly lpf: string;
  /** The placed and routed design as ecppack's text configuration. */
  readonly config: string;
  /** Also write the routed netlist as JSON (`--write`), for `sim --level routed`. */
  readonly routed?: string;
}

/** Plan nextpnr-ecp5 (see nextpnrCommonArgs): netlist + .lpf in, text configuration + report (+ routed netlist) out. */
export function planNextpnrEcp5(o: NextpnrEcp5Options): CommandPlan {
  const routed = o.routed ? ['--write', o.routed] : [];
  const argv = [o.deviceFlag, '--package', o.package, '--lpf', o.lpf, '--textcfg', o.config, ...routed, ...nextpnrCommonArgs(o)];
  return { stage: 'pnr', tool: 'nextpnr-ecp5', argv, inputs: [o.netlist, o.lpf], outputs: [o.config, ...(o.routed ? [o.routed] : []), o.report] };
}

export interface NextpnrEcp5PlaceOptions extends Omit<NextpnrEcp5Options, 'config' | 'routed'> {
  /** The placed, unrouted design as JSON (`--write`), for spread placement (spread.ts). */
  readonly placement: string;
}

/** Plan nextpnr-ecp5 placing without routing (--no-route): netlist + .lpf in, the placement as JSON out. */
export function planNextpnrEcp5Place(o: NextpnrEcp5PlaceOptions): CommandPlan {
  const argv = [o.deviceFlag, '--package', o.package, '--lpf', o.lpf, '--no-route', '--write', o.placement, ...nextpnrCommonArgs(o)];
  return { stage: 'place', tool: 'nextpnr-ecp5', argv, inputs: [o.netlist, o.lpf], outputs: [o.placement, o.report] };
}
