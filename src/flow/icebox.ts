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

/**
 * icebox_vlog declares every port again in its `wire` lists; Icarus accepts that, Verilator 5.006
 * rejects it ("Duplicate declaration of signal"). Drop the ports from those lists. Escaped names
 * (`\led `, from -c) keep their terminating space.
 */
export function dropPortWires(verilog: string): string {
  const header = /^module\s+\S+\s*\(([^)]*)\);/m.exec(verilog);
  if (!header) throw new Error('internal: icebox_vlog output has no module header');
  const ports = new Set(header[1]!.split(',').map((p) => p.trim().split(/\s+/).pop()!));
  return verilog.replace(/^wire ([^;]*);/gm, (_, list: string) => {
    const kept = list.split(',').filter((name) => !ports.has(name.trim()) && name.trim() !== '');
    return kept.length ? `wire ${kept.map((n) => n.replace(/^\s+/, '')).join(', ')};` : '';
  });
}
