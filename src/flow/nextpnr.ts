import type { Ice40Device } from '../board/devices.js';
import type { CommandPlan } from './run.js';

export interface NextpnrOptions extends NextpnrCommonOptions {
  readonly device: Ice40Device;
  readonly package: string;
  readonly pcf: string;
  readonly asc: string;
}

/** Plan nextpnr-ice40 (see nextpnrCommonArgs). */
export function planNextpnr(o: NextpnrOptions): CommandPlan {
  const argv = [o.device.nextpnrFlag, '--package', o.package, '--pcf', o.pcf, '--asc', o.asc, ...nextpnrCommonArgs(o)];
  return { stage: 'pnr', tool: 'nextpnr-ice40', argv, inputs: [o.netlist, o.pcf], outputs: [o.asc, o.report] };
}

/** What every nextpnr planner (ice40, ecp5, himbaechel) gets alike. */
export interface NextpnrCommonOptions {
  readonly netlist: string;
  readonly report: string;
  readonly freqMHz: number;
  readonly seed: number;
  readonly router?: 'router1' | 'router2';
  readonly top?: string;
}

/**
 * The arguments all nextpnr architectures share. --timing-allow-fail keeps a bitstream and a
 * report when the target is missed, so a timing failure is measured (achieved vs constraint)
 * rather than lost.
 */
export function nextpnrCommonArgs(o: NextpnrCommonOptions): string[] {
  const argv = ['--json', o.netlist, '--report', o.report, '--freq', String(o.freqMHz), '--seed', String(o.seed), '--timing-allow-fail'];
  if (o.router) argv.push('--router', o.router);
  if (o.top) argv.push('--top', o.top);
  return argv;
}

export interface Utilisation {
  readonly used: number;
  readonly available: number;
}

export interface ClockFmax {
  /** nextpnr's net name, e.g. clk$SB_IO_IN_$glb_clk. */
  readonly net: string;
  /** The user's signal: the net name up to the first '$' (after ECP5's "$glbnet$" prefix). */
  readonly name: string;
  readonly achievedMHz: number;
  readonly constraintMHz: number;
}

export interface CriticalPath {
  readonly from: string;
  readonly to: string;
  /** LUTs on the path ("logic" segments). */
  readonly logicLevels: number;
  /** Clock-to-out, LUT and setup delays. */
  readonly logicNs: number;
  readonly routingNs: number;
  readonly totalNs: number;
  /** True when both ends are clock edges (register to register). */
  readonly registerToRegister: boolean;
}

export interface NextpnrReport {
  readonly utilisation: Readonly<Record<string, Utilisation>>;
  readonly logicCells: Utilisation;
  readonly clocks: readonly ClockFmax[];
  readonly criticalPaths: readonly CriticalPath[];
}

interface RawSegment {
  type?: string;
  delay?: number;
  net?: string;
  to?: { cell?: string };
}

/** One step of a critical path: a routing hop (named by its net) or a cell's delay (named by the cell). */
export interface PathStep {
  /** nextpnr's segment type: clk-to-q, routing, logic, setup, ... */
  readonly type: string;
  readonly name: string;
  readonly delayNs: number;
}

/**
 * Parse nextpnr's --report JSON once (the same format on every architecture). `logicCellResource`
 * is the family's logic-cell BEL type: ICESTORM_LC (iCE40), TRELLIS_COMB (ECP5), LUT4 (Gowin).
 */
export function parseNextpnrReport(text: string, logicCellResource = 'ICESTORM_LC'): NextpnrReport {
  const json = JSON.parse(text) as {
    utilization?: Record<string, { used: number; available: number }>;
    fmax?: Record<string, { achieved: number; constraint: number }>;
    critical_paths?: { from: string; to: string; path: RawSegment[] }[];
  };
  const utilisation: Record<string, Utilisation> = {};
  for (const [cell, u] of Object.entries(json.utilization ?? {})) utilisation[cell] = { used: u.used, available: u.available };
  // ECP5's global clock nets are "$glbnet$clk$TRELLIS_IO_IN", iCE40's "clk$SB_IO_IN_$glb_clk".
  const clocks = Object.entries(json.fmax ?? {}).map(([net, f]) => ({ net, name: net.replace(/^\$glbnet\$/, '').split('$')[0] || net, achievedMHz: f.achieved, constraintMHz: f.constraint }));
  const criticalPaths = (json.critical_paths ?? []).map((p) => {
    let logicNs = 0;
    let routingNs = 0;
    let logicLevels = 0;
    for (const s of p.path) {
      const d = s.delay ?? 0;
      if (s.type === 'routing') routingNs += d;
      else logicNs += d;
      if (s.type === 'logic') logicLevels++;
    }
    const edge = /^(posedge|negedge) /;
    return { from: p.from, to: p.to, logicLevels, logicNs, routingNs, totalNs: logicNs + routingNs, registerToRegister: edge.test(p.from) && edge.test(p.to) };
  });
  return { utilisation, logicCells: utilisation[logicCellResource] ?? { used: 0, available: 0 }, clocks, criticalPaths };
}

/** The slowest register-to-register path, else the slowest path of any kind. */
export function worstPath(report: NextpnrReport): CriticalPath | null {
  const paths = report.criticalPaths.filter((p) => p.registerToRegister);
  const pool = paths.length ? paths : report.criticalPaths;
  return pool.reduce<CriticalPath | null>((w, p) => (w === null || p.totalNs > w.totalNs ? p : w), null);
}

/**
 * The steps of the slowest register-to-register path of a --report JSON (else the slowest path),
 * the path worstPath() measures: what a pipeline planner reads to see where the path runs.
 */
export function criticalPathSteps(text: string): PathStep[] {
  const json = JSON.parse(text) as { critical_paths?: { from: string; to: string; path: RawSegment[] }[] };
  const edge = /^(posedge|negedge) /;
  const paths = json.critical_paths ?? [];
  const registered = paths.filter((p) => edge.test(p.from) && edge.test(p.to));
  const total = (p: { path: RawSegment[] }): number => p.path.reduce((t, s) => t + (s.delay ?? 0), 0);
  const worst = (registered.length ? registered : paths).reduce<{ path: RawSegment[] } | null>((w, p) => (w === null || total(p) > total(w) ? p : w), null);
  return (worst?.path ?? []).map((s) => ({ type: s.type ?? 'unknown', name: (s.type === 'routing' ? s.net : s.to?.cell) ?? '', delayNs: s.delay ?? 0 }));
}

/** "Info: \t ICESTORM_LC: 2169/ 1280   169%" lines of the log, which nextpnr prints even when placement then fails. */
export function parseUtilisationLog(log: string): Record<string, Utilisation> {
  const out: Record<string, Utilisation> = {};
  for (const m of log.matchAll(/^Info:\s+(\w+):\s+(\d+)\/\s*(\d+)\s+\d+%/gm)) out[m[1]!] = { used: Number(m[2]), available: Number(m[3]) };
  return out;
}

/**
 * How far nextpnr's router got, from its log: router1 prints a table whose "remaining arcs" column
 * counts down from "Routing N arcs."; router2 prints one "iter=I wires=W overused=O ..." line per
 * pass (wires used more than once, which must reach 0). Null figures were not printed (yet).
 */
export interface RoutingProgress {
  /** True once the router has started (placement finished). */
  readonly started: boolean;
  readonly arcs: number | null;
  /** router1's last "remaining arcs". */
  readonly unroutedArcs: number | null;
  /** router2's last pass: its number and the wires still overused. */
  readonly router2Iterations: number | null;
  readonly overusedWires: number | null;
}

export function parseRoutingProgress(log: string): RoutingProgress {
  const started = /^Info: (Routing\.\.|Running router2|Routing globals)/m.test(log);
  const arcs = /^Info: Routing (\d+) arcs\./m.exec(log);
  const last = <T>(re: RegExp, pick: (m: RegExpMatchArray) => T): T | null => {
    let value: T | null = null;
    for (const m of log.matchAll(re)) value = pick(m);
    return value;
  };
  // "Info:       1000 |        0       1000 |    0  1000 |     40133|       0.30       0.30 |"
  const unroutedArcs = last(/^Info:\s+\d+ \|\s+\d+\s+\d+ \|\s+-?\d+\s+-?\d+ \|\s+(\d+)\|/gm, (m) => Number(m[1]));
  const pass = last(/^Info:\s+iter=(\d+) wires=\d+ overused=(\d+)/gm, (m) => [Number(m[1]), Number(m[2])] as const);
  return { started, arcs: arcs ? Number(arcs[1]) : null, unroutedArcs, router2Iterations: pass?.[0] ?? null, overusedWires: pass?.[1] ?? null };
}

/** "41,133 arcs, 23,258 unrouted" / "router2 pass 12, 3,120 wires overused": what a routing log says about progress. */
export function routingProgressText(p: RoutingProgress): string {
  const parts: string[] = [];
  if (p.unroutedArcs !== null) parts.push(`${p.unroutedArcs.toLocaleString('en-US')} of ${p.arcs?.toLocaleString('en-US') ?? '?'} arcs unrouted`);
  else if (p.arcs !== null) parts.push(`${p.arcs.toLocaleString('en-US')} arcs`);
  if (p.overusedWires !== null) parts.push(`router2 pass ${p.router2Iterations}, ${p.overusedWires.toLocaleString('en-US')} wires still overused`);
  return parts.join(', ');
}

export type NextpnrFailure =
  | { readonly kind: 'does-not-fit'; readonly cellType: string; readonly used: number; readonly available: number }
  | { readonly kind: 'routing-failed' }
  | { readonly kind: 'placement-failed' }
  | { readonly kind: 'pin-constraint'; readonly detail: string };

/** Classify a failed nextpnr run from its log. */
export function classifyNextpnrFailure(log: string): NextpnrFailure | null {
  const util = parseUtilisationLog(log);
  const over = Object.entries(util).find(([, u]) => u.used > u.available);
  if (over) return { kind: 'does-not-fit', cellType: over[0], used: over[1].used, available: over[1].available };
  if (/no BELs remaining to implement cell type/.test(log)) {
    const type = /cell type '([^']+)'/.exec(log)?.[1] ?? 'unknown';
    const u = util[type];
    return { kind: 'does-not-fit', cellType: type, used: u?.used ?? 0, available: u?.available ?? 0 };
  }
  const pin = /^ERROR: (.*(?:pin|IO|constrain|package).*)$/im.exec(log);
  if (pin && !/rout/i.test(pin[1]!)) return { kind: 'pin-constraint', detail: pin[1]! };
  if (/rout(e|ing) (failed|design)|failed to route|Routing failed/i.test(log)) return { kind: 'routing-failed' };
  if (/ERROR:.*plac/i.test(log)) return { kind: 'placement-failed' };
  return null;
}
