import { readFileSync } from 'node:fs';
import { UserError } from '../util/errors.js';

/** One `set_io` line of a .pcf: port name, package pin, and the line it came from. */
export interface PcfPin {
  readonly port: string;
  readonly pin: string;
  readonly line: number;
}

export interface Pcf {
  readonly path: string;
  readonly text: string;
  readonly pins: ReadonlyMap<string, PcfPin>;
}

const SET_IO_FLAGS_WITH_VALUE = new Set(['-pullup', '-pullup_resistor', '-io_std']);

/**
 * Parse the subset of nextpnr's PCF that board files use: `set_io [-nowarn] [-pullup yes|no]
 * [-pullup_resistor R] port pin` and `set_frequency net MHz`; comments start with '#'.
 * Anything else is rejected with the file and line, so a typo does not become a silent no-op.
 */
export function parsePcf(path: string, text: string = readFileSync(path, 'utf8')): Pcf {
  const pins = new Map<string, PcfPin>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const words = raw.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return;
    const [command, ...args] = words;
    if (command === 'set_frequency') {
      if (args.length !== 2 || !Number.isFinite(Number(args[1]))) throw new UserError(`${path}:${line}: expected 'set_frequency <net> <MHz>', got '${raw.trim()}'`);
      return;
    }
    if (command !== 'set_io') throw new UserError(`${path}:${line}: expected set_io or set_frequency, got '${command}'`);
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-nowarn' || a === '--warn-no-port') continue;
      if (SET_IO_FLAGS_WITH_VALUE.has(a)) {
        i++;
        continue;
      }
      if (a.startsWith('-')) throw new UserError(`${path}:${line}: unknown set_io option '${a}'`);
      positional.push(a);
    }
    if (positional.length !== 2) throw new UserError(`${path}:${line}: expected 'set_io [options] <port> <pin>', got '${raw.trim()}'`);
    const [port, pin] = positional as [string, string];
    const previous = pins.get(port);
    if (previous) throw new UserError(`${path}:${line}: port ${port} is already placed on pin ${previous.pin} at line ${previous.line}`);
    pins.set(port, { port, pin, line });
  });
  return { path, text, pins };
}

/** The pcf with set_io options removed: icetime's reader accepts only `set_io port pin`. */
export function plainPcf(pcf: Pcf): string {
  return [...pcf.pins.values()].map((p) => `set_io ${p.port} ${p.pin}`).join('\n') + '\n';
}

/**
 * The pcf lines for the given port names only, without options: what icetime and icebox_vlog
 * should see for one design (icebox_vlog otherwise declares every board pin as a port).
 */
export function plainPcfFor(pcf: Pcf, ports: ReadonlySet<string>): string {
  return [...pcf.pins.values()].filter((p) => ports.has(p.port)).map((p) => `set_io ${p.port} ${p.pin}`).join('\n') + '\n';
}
