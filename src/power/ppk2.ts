import { openSerialPort, type BytePort } from '../link/port.js';
import { UserError } from '../util/errors.js';
import { Averager, hostSeconds, powerSample, showLine, waitFor, type MonitorOptions, type PowerMonitor, type PowerSample } from './driver.js';

/**
 * Nordic Power Profiler Kit II over its USB CDC port. Sources: Nordic's nRF Connect Power
 * Profiler (pc-nrfconnect-ppk, src/device/serialDevice.ts) and IRNAS' ppk2-api-python, which
 * follows it: opcodes, the metadata text, the 4-byte sample word, the calibration formula and
 * the spike filter below are theirs.
 */

export const PPK2_SAMPLE_HZ = 100_000;
export const PPK2_CMD = {
  averageStart: 0x06,
  averageStop: 0x07,
  deviceRunningSet: 0x0c,
  regulatorSet: 0x0d,
  setPowerMode: 0x11,
  getMetadata: 0x19,
} as const;
export const PPK2_VDD_MV = { min: 800, max: 5000 } as const;
const ADC_MULT = 1.8 / 163840;
const RANGES = 5;
const COUNTER_MASK = 0x3f;

/** Per-range calibration: current = UG * (x * (GS * x + GI) + S * vdd + I), x = (adc - O) * ADC_MULT / R. */
export interface Ppk2Modifiers {
  r: number[];
  gs: number[];
  gi: number[];
  o: number[];
  s: number[];
  i: number[];
  ug: number[];
}

/** The defaults both sources use when the metadata lacks a value (an uncalibrated unit). */
export function defaultModifiers(): Ppk2Modifiers {
  return {
    r: [1031.64, 101.65, 10.15, 0.94, 0.043],
    gs: [1, 1, 1, 1, 1],
    gi: [1, 1, 1, 1, 1],
    o: [0, 0, 0, 0, 0],
    s: [0, 0, 0, 0, 0],
    i: [0, 0, 0, 0, 0],
    ug: [1, 1, 1, 1, 1],
  };
}

export interface Ppk2Metadata {
  modifiers: Ppk2Modifiers;
  /** Every `key: value` pair, keys lower-cased (hw, mode, calibrated, vdd, ia, ...). */
  values: Record<string, string>;
  problems: string[];
}

/**
 * Parse the answer to GET_METADATA: `key: value` lines ending with `END`. Keys r0..r4, gs0.., gi0..,
 * o0.., s0.., i0.., ug0.. fill the modifiers (case-insensitive, as nRF Connect lower-cases them);
 * `-nan` or a zero resistor keeps the default, as the sources do.
 */
export function parsePpk2Metadata(text: string): Ppk2Metadata {
  const modifiers = defaultModifiers();
  const values: Record<string, string> = {};
  const problems: string[] = [];
  const end = text.indexOf('END');
  if (end < 0) problems.push('metadata: no END marker');
  const lines = (end < 0 ? text : text.slice(0, end)).split('\n');
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '') return;
    const m = /^([A-Za-z_]+)(\d?)\s*:\s*(\S.*)$/.exec(line);
    if (!m) {
      problems.push(`metadata line ${index + 1}: expected 'key: value', got '${showLine(line)}'`);
      return;
    }
    const key = m[1]!.toLowerCase();
    values[`${key}${m[2]}`] = m[3]!;
    if (m[2] === '' || !(key in modifiers)) return;
    const value = Number(m[3]);
    const range = Number(m[2]);
    if (range >= RANGES) problems.push(`metadata line ${index + 1}: range ${range} out of 0..4 in '${showLine(line)}'`);
    else if (/nan/i.test(m[3]!)) return;
    else if (!Number.isFinite(value)) problems.push(`metadata line ${index + 1}: '${showLine(m[3]!)}' is not a number`);
    else if (!(key === 'r' && value === 0)) modifiers[key as keyof Ppk2Modifiers][range] = value;
  });
  return { modifiers, values, problems };
}

/**
 * The pure half of the driver: stream bytes in, one current per 100 kHz sample out (NaN for a word
 * that cannot be a sample). A word split across chunks is joined. Also checks the 6-bit sample
 * counter (bits 18-23) as nRF Connect does, reporting gaps (lost USB data) as problems.
 */
export class Ppk2Parser {
  readonly problems: string[] = [];
  private remainder = Buffer.alloc(0);
  private byteOffset = 0;
  private expectedCounter: number | null = null;
  private rollingAvg: number | undefined;
  private rollingAvg4: number | undefined;
  private prevRange: number | undefined;
  private consecutiveRange = 0;
  private afterSpike = 0;
  /** nRF Connect's defaults for its spike filter after a range switch. */
  private readonly spike = { alpha: 0.18, alpha5: 0.06, samples: 3 };

  constructor(
    private readonly modifiers: Ppk2Modifiers,
    private readonly vddMv: number,
  ) {}

  push(chunk: Uint8Array): number[] {
    const bytes = this.remainder.length ? Buffer.concat([this.remainder, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: number[] = [];
    let ofs = 0;
    for (; ofs + 4 <= bytes.length; ofs += 4) out.push(this.word(bytes.readUInt32LE(ofs), this.byteOffset + ofs));
    this.remainder = Buffer.from(bytes.subarray(ofs));
    this.byteOffset += ofs;
    return out;
  }

  private word(value: number, at: number): number {
    const adc = (value & 0x3fff) * 4;
    const range = (value >>> 14) & 0x7;
    const counter = (value >>> 18) & COUNTER_MASK;
    if (this.expectedCounter !== null && counter !== this.expectedCounter) {
      const missing = (counter - this.expectedCounter + COUNTER_MASK + 1) & COUNTER_MASK;
      this.problems.push(`byte ${at}: sample counter ${counter}, expected ${this.expectedCounter} (${missing} samples lost or a corrupt word)`);
    }
    this.expectedCounter = (counter + 1) & COUNTER_MASK;
    if (range >= RANGES) {
      this.problems.push(`byte ${at}: measurement range ${range} is not 0..4 (word 0x${value.toString(16).padStart(8, '0')})`);
      return NaN;
    }
    return this.calibrated(range, adc);
  }

  /** getAdcResult of pc-nrfconnect-ppk: calibration, then the rolling-average spike filter after a range switch. */
  private calibrated(range: number, adc: number): number {
    const m = this.modifiers;
    const x = (adc - m.o[range]!) * (ADC_MULT / m.r[range]!);
    let amps = m.ug[range]! * (x * (m.gs[range]! * x + m.gi[range]!) + (m.s[range]! * (this.vddMv / 1000) + m.i[range]!));
    const prevAvg = this.rollingAvg;
    const prevAvg4 = this.rollingAvg4;
    this.rollingAvg = this.rollingAvg === undefined ? amps : this.spike.alpha * amps + (1 - this.spike.alpha) * this.rollingAvg;
    this.rollingAvg4 = this.rollingAvg4 === undefined ? amps : this.spike.alpha5 * amps + (1 - this.spike.alpha5) * this.rollingAvg4;
    this.prevRange ??= range;
    if (this.prevRange !== range || this.afterSpike > 0) {
      if (this.prevRange !== range) {
        this.consecutiveRange = 0;
        this.afterSpike = this.spike.samples;
      } else this.consecutiveRange++;
      if (range === 4) {
        if (this.consecutiveRange < 2) {
          this.rollingAvg = prevAvg;
          this.rollingAvg4 = prevAvg4;
        }
        amps = this.rollingAvg4!;
      } else amps = this.rollingAvg;
      this.afterSpike--;
    }
    this.prevRange = range;
    return amps;
  }
}

export type Ppk2Mode = 'ampere' | 'source';

export interface Ppk2Options extends MonitorOptions {
  /** How long to wait for the metadata (default 3000 ms). */
  replyTimeoutMs?: number;
}

/**
 * The PPK2 as a PowerMonitor: ampere meter in series with the rail (default) or source meter
 * supplying it (`ppk2:PORT@source`), VDD = `volts` (also the voltage for watts), 100 kHz averaged
 * down to `rateHz` (a divisor of 100,000). Raw sample k is at start + k / 100 kHz, start being
 * when AVERAGE_START was written; an output sample carries its group's first time.
 */
export class Ppk2Monitor implements PowerMonitor {
  readonly kind = 'ppk2' as const;
  description: string;
  private metadataText = '';
  private parser: Ppk2Parser | null = null;
  private metadataProblems: string[] = [];
  private readonly runtimeProblems: string[] = [];
  private readonly collected: PowerSample[] = [];
  private readonly averager: Averager;
  private readonly vddMv: number;
  private startT = 0;
  private raw = 0;
  private started: Promise<void> | null = null;
  private stopped: Promise<void> | null = null;

  private constructor(
    private readonly port: BytePort,
    private readonly mode: Ppk2Mode,
    private readonly options: Ppk2Options & { rateHz: number },
  ) {
    this.vddMv = vddMillivolts(options.volts);
    this.averager = new Averager(averagingFactor(options.rateHz));
    this.description = `Nordic PPK2 on ${port.path}`;
    port.onData((chunk) => this.receive(chunk));
    port.onClose(({ disconnected, error }) => {
      if (disconnected) this.runtimeProblems.push(`port ${port.path} closed unexpectedly${error ? `: ${error.message}` : ''}`);
    });
  }

  static async open(path: string, mode: Ppk2Mode, options: Ppk2Options & { rateHz: number }): Promise<Ppk2Monitor> {
    vddMillivolts(options.volts);
    averagingFactor(options.rateHz);
    // USB CDC ignores the baud rate; nRF Connect opens it at 115200.
    return new Ppk2Monitor(await openSerialPort(path, 115200), mode, options);
  }

  get target(): string {
    return this.port.path;
  }

  get problems(): readonly string[] {
    return [...this.metadataProblems, ...(this.parser?.problems ?? []), ...this.runtimeProblems];
  }

  samples(): readonly PowerSample[] {
    return this.collected;
  }

  private receive(chunk: Buffer): void {
    if (!this.parser) {
      this.metadataText += chunk.toString('latin1');
      return;
    }
    const volts = this.vddMv / 1000;
    for (const amps of this.parser.push(chunk)) {
      const avg = this.averager.push(this.startT + this.raw++ / PPK2_SAMPLE_HZ, amps);
      if (avg) this.collected.push(powerSample(avg.t, volts, avg.value));
    }
  }

  private write(...bytes: number[]): Promise<void> {
    return this.port.write(Uint8Array.from(bytes));
  }

  start(): Promise<void> {
    this.started ??= this.setUp();
    return this.started;
  }

  private async setUp(): Promise<void> {
    const timeout = this.options.replyTimeoutMs ?? 3000;
    // A PPK2 left streaming by an earlier session would bury the metadata in samples.
    await this.write(PPK2_CMD.averageStop);
    await new Promise((r) => setTimeout(r, 50));
    this.metadataText = '';
    await this.write(PPK2_CMD.getMetadata);
    await waitFor(
      () => this.metadataText.includes('END'),
      timeout,
      () => new UserError(`PPK2 on ${this.port.path} sent no metadata within ${timeout} ms of GET_METADATA: check the port is the PPK2's data port (not its second CDC interface) and that nRF Connect does not hold it`),
    );
    const meta = parsePpk2Metadata(this.metadataText);
    this.metadataProblems = meta.problems;
    this.parser = new Ppk2Parser(meta.modifiers, this.vddMv);
    await this.write(PPK2_CMD.setPowerMode, this.mode === 'source' ? 2 : 1);
    await this.write(PPK2_CMD.regulatorSet, this.vddMv >> 8, this.vddMv & 0xff);
    await this.write(PPK2_CMD.deviceRunningSet, 1);
    const v = meta.values;
    this.description = [
      `Nordic PPK2 on ${this.port.path}`,
      this.mode === 'source' ? 'source meter' : 'ampere meter',
      `VDD ${(this.vddMv / 1000).toFixed(3)} V`,
      v.hw !== undefined && `HW ${v.hw}`,
      v.calibrated !== undefined && `calibrated ${v.calibrated}`,
      `100 kHz averaged to ${this.options.rateHz} Hz`,
    ]
      .filter(Boolean)
      .join(', ');
    this.startT = hostSeconds();
    await this.write(PPK2_CMD.averageStart);
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      try {
        if (this.started && this.port.isOpen) {
          await this.started.catch(() => undefined);
          await this.write(PPK2_CMD.averageStop);
          // Samples already in flight still arrive; the DUT stays powered, as with the LPM01A.
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await this.port.close();
      }
    })();
    return this.stopped;
  }
}

function vddMillivolts(volts: number | undefined): number {
  const mv = Math.round((volts ?? 3.3) * 1000);
  if (!(mv >= PPK2_VDD_MV.min && mv <= PPK2_VDD_MV.max)) throw new UserError(`--power ppk2: expected a voltage from 0.8 to 5 V, got ${volts}`);
  return mv;
}

function averagingFactor(rateHz: number): number {
  const n = PPK2_SAMPLE_HZ / rateHz;
  if (!Number.isInteger(n)) throw new UserError(`--power ppk2: expected a sample rate that divides 100000 Hz (e.g. 1000, 10000), got ${rateHz}`);
  return n;
}
