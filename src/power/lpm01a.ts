import { openSerialPort, type BytePort } from '../link/port.js';
import { UserError } from '../util/errors.js';
import { hostSeconds, LineSplitter, powerSample, showLine, waitFor, type MonitorOptions, type PowerMonitor, type PowerSample } from './driver.js';

/**
 * ST X-NUCLEO-LPM01A ("PowerShield", firmware STM32-LPM01-XN) over its USB virtual COM port.
 * Sources: ST UM2269 (PowerShield firmware user manual) and the firmware's command help as
 * reproduced in the MLPerf Tiny energy runner (power_manager_lpm.py), whose set-up this follows.
 *
 * Commands are ASCII lines; the instrument answers `ack <command> [<args>] [<result>]` or
 * `error ...` (optionally followed by `Error detail: ...`), each reply line possibly prefixed by
 * the prompt `PowerShield > `. While acquiring in `format ascii_dec` each current sample is a
 * token like `6409-07` (6409 x 10^-7 A), with metadata lines between them: `TimeStamp: 001s 000ms,
 * buff 00%` and, at the end, `Acquisition completed` followed by summary text.
 */

export const LPM01A_BAUD = 3_686_400;
export const LPM01A_PROMPT = 'PowerShield > ';
/** Sampling frequencies the firmware accepts (`freq`), in Hz. */
export const LPM01A_FREQUENCIES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000] as const;
/** ascii_dec streams without a time limit up to 5 kHz (UM2269's table of maximum acquisition time). */
export const LPM01A_ASCII_UNLIMITED_HZ = 5000;

export type Lpm01aEvent =
  | { type: 'sample'; amps: number; line: number }
  | { type: 'ack'; text: string; line: number }
  | { type: 'error'; text: string; line: number }
  | { type: 'errorDetail'; text: string; line: number }
  | { type: 'status'; seconds: number; bufferPercent: number; line: number }
  | { type: 'end'; line: number }
  | { type: 'info'; text: string; line: number };

const SAMPLE = /^(\d{4})([+-])(\d{2})$/;
const STATUS = /^TimeStamp:\s*>?\s*(\d+)s\s+(\d+)ms,\s*buff\s+(\d+)%$/;
/** The instrument's TX buffer fills when the host reads too slowly; at 100% samples are lost. */
const BUFFER_WARN_PERCENT = 50;

/** Decode one ascii_dec token, e.g. `6409-07` -> 6.409e-4 A; null when it is not one. */
export function decodeAsciiDec(token: string): number | null {
  const m = SAMPLE.exec(token);
  if (!m) return null;
  const exponent = Number(m[3]) * (m[2] === '-' ? -1 : 1);
  // Dividing by the power of ten keeps 6409-07 exact to the last digit in binary floating point.
  return exponent < 0 ? Number(m[1]) / 10 ** -exponent : Number(m[1]) * 10 ** exponent;
}

/**
 * The pure half of the driver: bytes in, events and problems out. Lines after `Acquisition
 * completed` that are not replies (the acquisition summary) and the target power status lines of
 * `pwr ... status` are `info`, not problems.
 */
export class Lpm01aParser {
  readonly problems: string[] = [];
  private readonly lines = new LineSplitter();
  private afterEnd = false;

  push(chunk: Buffer | string): Lpm01aEvent[] {
    const events: Lpm01aEvent[] = [];
    for (const { line, no } of this.lines.push(chunk)) this.parseLine(line, no, events);
    return events;
  }

  private parseLine(raw: string, no: number, events: Lpm01aEvent[]): void {
    let line = raw.trim();
    while (line.startsWith(LPM01A_PROMPT.trim())) line = line.slice(LPM01A_PROMPT.trim().length).trim();
    if (line === '') return;
    const first = line.split(/\s+/, 1)[0]!;
    if (SAMPLE.test(first)) {
      // Normally one sample a line; several on one line (a lost line end) are still samples.
      for (const token of line.split(/\s+/)) {
        const amps = decodeAsciiDec(token);
        if (amps === null) this.problems.push(`line ${no}: '${showLine(token)}' is not an ascii_dec sample (in '${showLine(line)}')`);
        else events.push({ type: 'sample', amps, line: no });
      }
      this.afterEnd = false;
      return;
    }
    if (first === 'ack') {
      events.push({ type: 'ack', text: line.slice(3).trim(), line: no });
      return;
    }
    if (first === 'error' || first === 'err') {
      const text = line.slice(first.length).trim();
      events.push({ type: 'error', text, line: no });
      this.problems.push(`line ${no}: instrument error: ${showLine(text, 120)}`);
      return;
    }
    if (/^error detail\s*:/i.test(line)) {
      const text = line.replace(/^error detail\s*:\s*/i, '');
      events.push({ type: 'errorDetail', text, line: no });
      this.problems.push(`line ${no}: instrument error detail: ${showLine(text, 120)}`);
      return;
    }
    const status = STATUS.exec(line);
    if (status) {
      const seconds = Number(status[1]) + Number(status[2]) / 1000;
      const bufferPercent = Number(status[3]);
      if (bufferPercent >= BUFFER_WARN_PERCENT) this.problems.push(`line ${no}: instrument transmit buffer at ${bufferPercent}% (samples may be lost): '${showLine(line)}'`);
      events.push({ type: 'status', seconds, bufferPercent, line: no });
      return;
    }
    if (/^acquisition completed/i.test(line)) {
      this.afterEnd = true;
      events.push({ type: 'end', line: no });
      return;
    }
    if (/overcurrent/i.test(line)) {
      this.problems.push(`line ${no}: instrument reports overcurrent: '${showLine(line, 120)}'`);
      return;
    }
    if (this.afterEnd || /^summary/i.test(line) || /^target power (on|off)\b/i.test(line)) {
      events.push({ type: 'info', text: line, line: no });
      return;
    }
    this.problems.push(`line ${no}: unexpected '${showLine(line)}'`);
  }
}

export interface Lpm01aOptions extends MonitorOptions {
  /** How long to wait for each reply (default 2000 ms). */
  replyTimeoutMs?: number;
}

/** `volt` argument for a supply voltage: millivolts with the firmware's `m` suffix. */
function voltArgument(volts: number): string {
  if (!(volts >= 1.8 && volts <= 3.3)) throw new UserError(`--power lpm01a: expected a supply voltage from 1.8 to 3.3 V, got ${volts}`);
  return `${Math.round(volts * 1000)}m`;
}

function freqArgument(rateHz: number): string {
  if (!LPM01A_FREQUENCIES.some((f) => f === rateHz) || rateHz > LPM01A_ASCII_UNLIMITED_HZ) {
    const allowed = LPM01A_FREQUENCIES.filter((f) => f <= LPM01A_ASCII_UNLIMITED_HZ).join(', ');
    throw new UserError(`--power lpm01a: expected a sample rate of ${allowed} Hz (ascii_dec streams at most 5 kHz without a time limit), got ${rateHz}`);
  }
  return rateHz >= 1000 ? `${rateHz / 1000}k` : String(rateHz);
}

/**
 * The LPM01A as a PowerMonitor: current samples at `rateHz` (one of the firmware's frequencies up
 * to 5 kHz), volts = the supply voltage it reports (`volt get`) or else the one set. Sample i is
 * stamped acquisitionStart + i / rate, acquisitionStart being when `ack start` arrived.
 */
export class Lpm01aMonitor implements PowerMonitor {
  readonly kind = 'lpm01a' as const;
  description: string;
  private readonly parser = new Lpm01aParser();
  private readonly runtimeProblems: string[] = [];
  private readonly collected: PowerSample[] = [];
  private readonly replies: Lpm01aEvent[] = [];
  private readonly voltsSet: number;
  private voltsMeasured: number | null = null;
  private readonly freqArg: string;
  private readonly rateHz: number;
  private readonly timeoutMs: number;
  private acquiring = false;
  private ended = false;
  private acquisitionStart = 0;
  private sampleCount = 0;
  private started: Promise<void> | null = null;
  private stopped: Promise<void> | null = null;
  /** The instrument's informational lines (the end-of-acquisition summary), in order. */
  readonly info: string[] = [];

  private constructor(
    private readonly port: BytePort,
    options: Lpm01aOptions & { rateHz: number },
  ) {
    this.voltsSet = options.volts ?? 3.3;
    this.rateHz = options.rateHz;
    this.timeoutMs = options.replyTimeoutMs ?? 2000;
    this.freqArg = freqArgument(this.rateHz);
    this.description = `ST X-NUCLEO-LPM01A on ${port.path}`;
    port.onData((chunk) => this.receive(chunk));
    port.onClose(({ disconnected, error }) => {
      if (disconnected) this.runtimeProblems.push(`port ${port.path} closed unexpectedly${error ? `: ${error.message}` : ''}`);
    });
  }

  get target(): string {
    return this.port.path;
  }

  get problems(): readonly string[] {
    return [...this.parser.problems, ...this.runtimeProblems];
  }

  static async open(path: string, options: Lpm01aOptions & { rateHz: number }): Promise<Lpm01aMonitor> {
    voltArgument(options.volts ?? 3.3);
    freqArgument(options.rateHz);
    return new Lpm01aMonitor(await openSerialPort(path, LPM01A_BAUD), options);
  }

  samples(): readonly PowerSample[] {
    return this.collected;
  }

  private receive(chunk: Buffer): void {
    for (const e of this.parser.push(chunk)) {
      if (e.type === 'sample') {
        if (!this.acquiring) {
          this.runtimeProblems.push(`line ${e.line}: sample outside an acquisition`);
          continue;
        }
        const volts = this.voltsMeasured ?? this.voltsSet;
        this.collected.push(powerSample(this.acquisitionStart + this.sampleCount++ / this.rateHz, volts, e.amps));
      } else if (e.type === 'end') {
        this.acquiring = false;
        this.ended = true;
      } else if (e.type === 'info') {
        this.info.push(e.text);
      } else if (e.type === 'ack' || e.type === 'error' || e.type === 'errorDetail') {
        if (e.type === 'ack' && /^start\b/.test(e.text)) {
          this.acquisitionStart = hostSeconds();
          this.acquiring = true;
        }
        this.replies.push(e);
      }
    }
  }

  /**
   * Send one command and wait for its `ack` (returned: the text after `ack <command>`); an
   * `error` reply or silence is a UserError naming the command and the port.
   */
  async command(command: string): Promise<string> {
    const name = command.split(' ')[0]!;
    const from = this.replies.length;
    const mine = (e: Lpm01aEvent): boolean => (e.type === 'ack' && (e.text === name || e.text.startsWith(`${name} `))) || e.type === 'error';
    await this.port.write(Buffer.from(`${command}\n`, 'latin1'));
    let reply: Lpm01aEvent | undefined;
    await waitFor(
      () => (reply = this.replies.slice(from).find(mine)) !== undefined,
      this.timeoutMs,
      () => new UserError(`LPM01A on ${this.port.path} did not answer '${command}' within ${this.timeoutMs} ms: check the port (it must be the PowerShield's ST-Link virtual COM port) and that no other program uses it`),
    );
    const r = reply as Lpm01aEvent & { text: string };
    if (r.type === 'error') {
      // The firmware may follow `error` with an `Error detail:` line; give it a moment.
      await new Promise((res) => setTimeout(res, 50));
      const detail = this.replies.slice(from).find((e) => e.type === 'errorDetail') as { text: string } | undefined;
      throw new UserError(`LPM01A on ${this.port.path} refused '${command}': error ${r.text}${detail ? ` (${detail.text})` : ''}`);
    }
    return r.text.slice(name.length).trim();
  }

  start(): Promise<void> {
    this.started ??= this.setUp();
    return this.started;
  }

  private async setUp(): Promise<void> {
    const volt = voltArgument(this.voltsSet);
    await this.command('htc');
    const id = await this.command('powershield').catch(() => '');
    const version = await this.command('version').catch(() => '');
    for (const c of ['pwr off', 'acqtime inf', 'trigdelay 0', 'trigsrc sw', 'output current', 'format ascii_dec', `freq ${this.freqArg}`, `volt ${volt}`]) await this.command(c);
    const measured = decodeAsciiDec((await this.command('volt get').catch(() => '')).replace(/^get\s*/, '').trim());
    if (measured !== null && measured > 0) this.voltsMeasured = measured;
    await this.command('pwr on nostatus');
    this.description = [
      `ST X-NUCLEO-LPM01A on ${this.port.path}`,
      id && id,
      version && `firmware ${version}`,
      `supply ${(this.voltsMeasured ?? this.voltsSet).toFixed(3)} V (set ${this.voltsSet.toFixed(3)} V)`,
      `${this.rateHz} Hz ascii_dec current`,
    ]
      .filter(Boolean)
      .join(', ');
    await this.command('start');
  }

  stop(): Promise<void> {
    this.stopped ??= this.tearDown();
    return this.stopped;
  }

  private async tearDown(): Promise<void> {
    try {
      if (this.started && this.port.isOpen) {
        await this.started.catch(() => undefined);
        if (this.acquiring) {
          await this.port.write(Buffer.from('stop\n', 'latin1'));
          await waitFor(() => this.ended, this.timeoutMs, () => new Error('no end')).catch(() =>
            this.runtimeProblems.push(`LPM01A on ${this.port.path} did not report 'Acquisition completed' within ${this.timeoutMs} ms of 'stop'`),
          );
        }
        // Release control but leave the target powered: the FPGA board keeps its configuration.
        await this.command('hrc').catch((e: Error) => this.runtimeProblems.push(e.message));
      }
    } finally {
      this.acquiring = false;
      await this.port.close();
    }
  }
}
