import { readFileSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import type { Pcf, PcfPin } from './pcf.js';

/** Statements of Gowin's CST that carry no pin placement but are fine in a board file. */
const OTHER_STATEMENTS = /^(IO_PORT|CLOCK_LOC)\b/;

/**
 * Parse the subset of Gowin's CST that board files use, into the same record as a pcf (port ->
 * package pin): `IO_LOC "port" pin;` places a port; IO_PORT and CLOCK_LOC are accepted and left
 * to nextpnr-himbaechel; comments start with '//'. Anything else is rejected with the file and
 * line, so a typo does not become a silent no-op.
 */
export function parseCst(path: string, text: string = readFileSync(path, 'utf8')): Pcf {
  const pins = new Map<string, PcfPin>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    for (const statement of raw.replace(/\/\/.*/, '').split(';').map((s) => s.trim()).filter(Boolean)) {
      const loc = /^IO_LOC\s+"([^"]+)"\s+(\S+)$/.exec(statement);
      if (loc) {
        const [, port, pin] = loc as unknown as [string, string, string];
        if (pins.has(port)) throw new UserError(`${path}:${line}: port ${port} is already placed on line ${pins.get(port)!.line}`);
        pins.set(port, { port, pin, line });
      } else if (!OTHER_STATEMENTS.test(statement)) {
        throw new UserError(`${path}:${line}: expected IO_LOC "port" pin, IO_PORT or CLOCK_LOC, got '${statement}'`);
      }
    }
  });
  return { path, text, pins };
}
