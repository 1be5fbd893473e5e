import type { Ice40Device } from '../board/devices.js';
import type { CommandPlan } from './run.js';

/**
 * Plan icetime's topological timing analysis of the placed-and-routed .asc, a cross-check of
 * nextpnr's figure. icetime reads only plain `set_io port pin` lines, so it gets its own pcf.
 */
export function planIcetime(device: Ice40Device, pkg: string, asc: string, plainPcf: string, report = 'icetime.rpt'): CommandPlan {
  return {
    stage: 'icetime',
    tool: 'icetime',
    argv: ['-d', device.icetimeDevice, '-P', pkg, '-p', plainPcf, '-t', '-r', report, asc],
    inputs: [asc, plainPcf],
    outputs: [report],
  };
}

export interface IcetimeReport {
  readonly ns: number;
  readonly mhz: number;
  readonly logicLevels: number | null;
}

/** Parse "Timing estimate: 9.08 ns (110.12 MHz)" and "Total number of logic levels: 1". */
export function parseIcetime(text: string): IcetimeReport | null {
  const m = /Timing estimate:\s*([\d.]+)\s*ns\s*\(([\d.]+)\s*MHz\)/.exec(text);
  if (!m) return null;
  const levels = /Total number of logic levels:\s*(\d+)/.exec(text);
  return { ns: Number(m[1]), mhz: Number(m[2]), logicLevels: levels ? Number(levels[1]) : null };
}
