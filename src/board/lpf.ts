import { readFileSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import type { Pcf, PcfPin } from './pcf.js';

/** Statements of Lattice's LPF that carry no pin placement but are fine in a board file. */
const OTHER_STATEMENTS = /^(IOBUF|FREQUENCY|BLOCK|SYSCONFIG|INPUT_SETUP|CLOCK_TO_OUT|MAXDELAY|MULTICYCLE)\b/i;

/**
 * Parse the subset of LPF that board files use, into the same record as a pcf (port -> package
 * pin): `LOCATE COMP "port" SITE "pin";` places a port; IOBUF, FREQUENCY, BLOCK and SYSCONFIG are
 * accepted and left to nextpnr-ecp5; comments start with '#' or '//'. Anything else is rejected
 * with the file and line, so a typo does not become a silent no-op.
 */
export function parseLpf(path: string, text: string = readFileSync(path, 'utf8')): Pcf {
  const pins = new Map<string, PcfPin>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    for (const statement of raw.replace(/(#|\/\/).*/, '').split(';').map((s) => s.trim()).filter(Boolean)) {
      const locate = /^LOCATE\s+COMP\s+"([^"]+)"\s+SITE\s+"([^"]+)"$/i.exec(statement);
      if (locate) {
        const [, port, pin] = locate as unknown as [string, string, string];
        if (pins.has(port)) throw new UserError(`${path}:${line}: port ${port} is already placed on line ${pins.get(port)!.line}`);
        pins.set(port, { port, pin, line });
      } else if (!OTHER_STATEMENTS.test(statement)) {
        throw new UserError(`${path}:${line}: expected LOCATE COMP "port" SITE "pin", IOBUF, FREQUENCY, BLOCK or SYSCONFIG, got '${statement}'`);
      }
    }
  });
  return { path, text, pins };
}
