import { UserError } from '../util/errors.js';
import { MONITOR_KINDS, type MonitorKind, type MonitorOptions, type PowerMonitor } from './driver.js';

/** The registry of power monitors: a `--power` spec parsed and the driver it names opened (src/power/driver.ts holds what the drivers share). */

export const DEFAULT_RATE_HZ = 1000;

const SPEC_FORMS =
  'lpm01a:PORT, ppk2:PORT[@source], ina-serial:PORT[@BAUD], hwmon: or hwmon:/sys/class/hwmon/hwmonN';

export interface MonitorSpec {
  kind: MonitorKind;
  target: string | null;
  baud: number | null;
  /** ppk2 only: 'source' when the PPK2 supplies the rail (`@source`), else it is an ampere meter in series. */
  ppk2Mode?: 'ampere' | 'source';
}

function badSpec(spec: string, why: string): never {
  throw new UserError(`--power: ${why} in '${spec}'; expected ${SPEC_FORMS}`);
}

/** `lpm01a:/dev/ttyACM0`, `ppk2:/dev/ttyACM1`, `ina-serial:/dev/ttyUSB2[@115200]`, `hwmon:` (find the one ina2xx device) or `hwmon:/sys/class/hwmon/hwmon3`. */
export function parseMonitorSpec(spec: string): MonitorSpec {
  const colon = spec.indexOf(':');
  if (colon < 0) badSpec(spec, 'no instrument kind');
  const kind = spec.slice(0, colon) as MonitorKind;
  if (!MONITOR_KINDS.includes(kind)) badSpec(spec, `unknown instrument '${spec.slice(0, colon)}'`);
  let rest = spec.slice(colon + 1);
  let baud: number | null = null;
  let ppk2Mode: 'ampere' | 'source' | undefined;
  if (kind === 'ina-serial') {
    const at = /^(.*)@(\d+)$/.exec(rest);
    if (at) {
      baud = Number(at[2]);
      if (baud < 300 || baud > 4_000_000) badSpec(spec, `baud rate ${at[2]} out of 300..4000000`);
      rest = at[1]!;
    } else if (rest.includes('@')) badSpec(spec, 'the baud rate after @ is not a number');
  } else if (kind === 'ppk2') {
    ppk2Mode = 'ampere';
    if (rest.endsWith('@source')) {
      ppk2Mode = 'source';
      rest = rest.slice(0, -'@source'.length);
    } else if (rest.includes('@')) badSpec(spec, "the only ppk2 suffix is '@source'");
  } else if (rest.includes('@')) badSpec(spec, `${kind} takes no @ suffix`);
  if (rest === '') {
    if (kind !== 'hwmon') badSpec(spec, `${kind} needs a serial port`);
    return { kind, target: null, baud };
  }
  return ppk2Mode ? { kind, target: rest, baud, ppk2Mode } : { kind, target: rest, baud };
}

/** Open (not yet start) the instrument a `--power` spec names; each driver checks its options here. */
export async function openPowerMonitor(spec: string, options: MonitorOptions = {}): Promise<PowerMonitor> {
  const parsed = parseMonitorSpec(spec);
  const rateHz = options.rateHz ?? DEFAULT_RATE_HZ;
  if (!(rateHz > 0) || !Number.isFinite(rateHz)) throw new UserError(`--power: expected a positive sample rate, got ${rateHz}`);
  // Drivers are loaded on demand: each pulls in its own transport.
  switch (parsed.kind) {
    case 'lpm01a':
      return (await import('./lpm01a.js')).Lpm01aMonitor.open(parsed.target!, { ...options, rateHz });
    case 'ppk2':
      return (await import('./ppk2.js')).Ppk2Monitor.open(parsed.target!, parsed.ppk2Mode ?? 'ampere', { ...options, rateHz });
    case 'ina-serial':
      return (await import('./inaSerial.js')).InaSerialMonitor.open(parsed.target!, parsed.baud, { ...options, rateHz });
    case 'hwmon':
      return (await import('./hwmon.js')).HwmonMonitor.open(parsed.target, { ...options, rateHz });
  }
}
