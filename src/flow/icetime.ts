import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ice40Device } from '../board/devices.js';
import { tail, type CommandPlan, type StageRun } from './run.js';

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

/**
 * What a finished icetime stage gave: its estimate, or one line on why there is none (the
 * runner's error with icetime's last stderr line, e.g. "icetime exited with code 1: Can't find
 * chipdb file for device 5k", or its output without an estimate). icetime prints the estimate on
 * its console and the path report into the -r file, so both are read. The one reading of an
 * icetime run, for builds and `gatebench doctor` alike.
 */
export function icetimeOutcome(dir: string, stage: StageRun, report = 'icetime.rpt'): { report: IcetimeReport; error: null } | { report: null; error: string } {
  if (stage.failed) return { report: null, error: stage.error ?? 'icetime failed' };
  const text = [report, stage.logFile].map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '')).join('\n');
  const parsed = parseIcetime(text);
  if (parsed) return { report: parsed, error: null };
  const lastLine = tail(stage.stderrTail || stage.stdoutTail, 1).trim();
  return { report: null, error: `icetime printed no "Timing estimate: X ns (Y MHz)" line${lastLine ? `; its last line: ${lastLine}` : ''}` };
}
