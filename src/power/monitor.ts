import { UserError } from '../util/errors.js';

/**
 * Power monitors behind one interface: each driver turns an instrument's own stream into
 * normalised samples on the host's monotonic clock and keeps every malformed line, byte or error
 * reply in `problems` instead of throwing (a long measurement should not die of one bad line).
 * docs/power-monitors.md describes the instruments, the protocols and the sources followed.
 */

export const MONITOR_KINDS = ['lpm01a', 'ppk2', 'ina-serial', 'hwmon'] as const;
export type MonitorKind = (typeof MONITOR_KINDS)[number];

/** One normalised sample. t: seconds on the host's monotonic clock (performance.now() / 1000). */
export interface PowerSample {
  t: number;
  volts: number;
  amps: number;
  watts: number;
}

export interface PowerMonitor {
  readonly kind: MonitorKind;
  /** The port or sysfs directory. */
  readonly target: string;
  /** What answered: instrument, firmware/metadata, supply voltage, sample rate. */
  readonly description: string;
  /** Set up the instrument (if not yet) and start acquiring. */
  start(): Promise<void>;
  /** Every sample since start, in time order (the array grows while acquiring). */
  samples(): readonly PowerSample[];
  /** Malformed lines / bytes / instrument error replies, one line each (with line or byte position). Never thrown. */
  readonly problems: readonly string[];
  /** Stop acquiring and close. Idempotent. */
  stop(): Promise<void>;
}

export interface MonitorOptions {
  /** Output sample rate after averaging (PPK2 streams 100 kHz; default 1000 Hz). */
  rateHz?: number;
  /** LPM01A: supply voltage it sets (1.8..3.3 V, default 3.3). PPK2 ampere-meter / INA without a bus reading: the rail's voltage used for watts. */
  volts?: number;
}

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
  // Drivers are loaded on demand: each pulls in its own transport, and they import this module.
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

/** The host's monotonic clock in seconds: the time base of every PowerSample. */
export function hostSeconds(): number {
  return performance.now() / 1000;
}

export function powerSample(t: number, volts: number, amps: number, watts = volts * amps): PowerSample {
  return { t, volts, amps, watts };
}

/**
 * Averages every `n` consecutive raw samples into one output sample stamped with the time of the
 * group's first raw sample (a sample covers [t, t + 1/rate)). NaN raw values (samples the parser
 * had to reject) do not enter the mean; a group with no valid value gives no output.
 */
export class Averager {
  private sum = 0;
  private valid = 0;
  private inGroup = 0;
  private groupStart = 0;

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`averaging factor must be a positive integer, got ${n}`);
  }

  /** Add one raw value taken at host time t; returns the finished average, if this completed one. */
  push(t: number, value: number): { t: number; value: number } | null {
    if (this.inGroup === 0) this.groupStart = t;
    if (!Number.isNaN(value)) {
      this.sum += value;
      this.valid++;
    }
    if (++this.inGroup < this.n) return null;
    const out = this.valid > 0 ? { t: this.groupStart, value: this.sum / this.valid } : null;
    this.sum = 0;
    this.valid = 0;
    this.inGroup = 0;
    return out;
  }
}

/**
 * Splits a byte stream into text lines ("\n" ends a line, a trailing "\r" is dropped), numbering
 * them from 1 so problems can name the line; a line split across chunks is joined.
 */
export class LineSplitter {
  private partial = '';
  private count = 0;

  push(chunk: Buffer | string): { line: string; no: number }[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    return parts.map((p) => ({ line: p.endsWith('\r') ? p.slice(0, -1) : p, no: ++this.count }));
  }

  /** The unterminated rest (e.g. when the stream ends), as a last numbered line or null. */
  flush(): { line: string; no: number } | null {
    if (this.partial === '') return null;
    const line = this.partial;
    this.partial = '';
    return { line, no: ++this.count };
  }
}

/** A line for `problems`: non-printable bytes shown as \xNN, long lines cut. */
export function showLine(line: string, max = 60): string {
  const shown = line.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown.length > max ? `${shown.slice(0, max - 3)}...` : shown;
}

/** Resolve when `check` holds, polling every 5 ms; reject with `onTimeout()` after `ms`. */
export async function waitFor(check: () => boolean, ms: number, onTimeout: () => Error): Promise<void> {
  const until = performance.now() + ms;
  while (!check()) {
    if (performance.now() > until) throw onTimeout();
    await new Promise((r) => setTimeout(r, 5));
  }
}
