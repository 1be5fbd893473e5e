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
