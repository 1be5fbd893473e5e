import type { CommandPlan } from './run.js';

export interface IceboxVlogOptions {
  readonly asc: string;
  /** Where the Verilog goes (icebox_vlog writes to stdout; the runner saves it). */
  readonly out: string;
  /** A plain `set_io port pin` pcf, so the module's ports get the design's names. */
  readonly plainPcf?: string;
  /** Package name for pin numbers, e.g. sg48. */
  readonly package?: string;
  readonly moduleName?: string;
}

/**
 * Plan icebox_vlog: the placed-and-routed bitstream back to Verilog, for simulating the very
 * bitstream that gets flashed. Note its output declares each port again as a wire, which
 * Verilator rejects; see ../shared/README.md.
 */
export function planIceboxVlog(o: IceboxVlogOptions): CommandPlan {
  const argv = ['-s', '-c'];
  if (o.plainPcf) argv.push('-p', o.plainPcf);
  if (o.package) argv.push('-d', o.package);
  argv.push('-n', o.moduleName ?? 'chip', o.asc);
  return { stage: 'icebox_vlog', tool: 'icebox_vlog', argv, inputs: [o.asc, ...(o.plainPcf ? [o.plainPcf] : [])], outputs: [o.out], stdoutFile: o.out };
}
