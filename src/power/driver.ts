/**
 * What every power monitor driver shares: the interface, the sample, and the helpers for reading an
 * instrument's stream (src/power/monitor.ts opens the driver a `--power` spec names). Power monitors
 * sit behind one interface: each driver turns an instrument's own stream into normalised samples on
 * the host's monotonic clock and keeps every malformed line, byte or error reply in `problems`
 * instead of throwing (a long measurement should not die of one bad line).
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
