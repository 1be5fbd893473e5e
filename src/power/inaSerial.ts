import { openSerialPort, type BytePort } from '../link/port.js';
import { UserError } from '../util/errors.js';
import { hostSeconds, LineSplitter, powerSample, showLine, waitFor, type MonitorOptions, type PowerMonitor, type PowerSample } from './driver.js';

/**
 * An INA219 or INA226 read by a microcontroller (boards/power/ina-bridge/ina_bridge.ino) that
 * prints lines over a serial port. The format (version 1, documented in docs/power-monitors.md
 * and the sketch's README):
 *
 *   # gatebench-ina-bridge 1 chip=ina226 addr=0x40 shunt_mohm=100 period_us=2000
 *   t_us,bus_uV,shunt_nV,ovf
 *   1234567,3300000,123450,0
 *   # stopped
 *   # error <text>
 *
 * `t_us` is the bridge's micros() (32-bit, wraps after 71.6 minutes), `bus_uV` the bus voltage
 * (empty when the bridge has no bus reading: the rail voltage option is used), `shunt_nV` the
 * signed shunt voltage; current = shunt voltage / shunt resistance, computed here so the bridge
 * needs no calibration register. `ovf` is the INA219's math-overflow flag (always 0 on an INA226).
 * Commands to the bridge: `info`, `period <us>`, `start`, `stop`, one a line.
 */

export const INA_FORMAT_VERSION = 1;
export const INA_COLUMNS = 't_us,bus_uV,shunt_nV,ovf';
export const INA_DEFAULT_BAUD = 115200;

export interface InaHeader {
  version: number;
  chip: string;
  addr: string;
  shuntOhms: number;
  periodUs: number;
}

export type InaEvent =
  | { type: 'header'; header: InaHeader; line: number }
  | { type: 'columns'; line: number }
  | { type: 'sample'; deviceSeconds: number; volts: number | null; amps: number; line: number }
  | { type: 'stopped'; line: number }
  | { type: 'error'; text: string; line: number };

const HEADER = /^#\s*gatebench-ina-bridge\s+(\d+)\s+(.*)$/;
const ROW = /^(\d+),(-?\d*),(-?\d+),([01])$/;

/**
 * The pure half of the driver. A row before a header, with a wrong field count or non-numbers,
 * or with a time that goes backwards is a problem (named by its line) and gives no sample.
 * Device time is unwrapped across micros() overflow.
 */
export class InaSerialParser {
  readonly problems: string[] = [];
  header: InaHeader | null = null;
  private readonly lines = new LineSplitter();
  private lastMicros: number | null = null;
  private unwrapped = 0;

  push(chunk: Buffer | string): InaEvent[] {
    const events: InaEvent[] = [];
    for (const { line, no } of this.lines.push(chunk)) this.parseLine(line.trim(), no, events);
    return events;
  }

  private parseLine(line: string, no: number, events: InaEvent[]): void {
    if (line === '') return;
    if (line.startsWith('#')) return this.comment(line, no, events);
    if (line === INA_COLUMNS) {
      events.push({ type: 'columns', line: no });
      return;
    }
    const m = ROW.exec(line);
    if (!m) {
      this.problems.push(`line ${no}: expected '${INA_COLUMNS}' values, got '${showLine(line)}'`);
      return;
    }
    if (!this.header) {
      this.problems.push(`line ${no}: sample before the '# gatebench-ina-bridge' header: '${showLine(line)}'`);
      return;
    }
    const micros = Number(m[1]);
    if (micros > 0xffffffff) {
      this.problems.push(`line ${no}: t_us ${m[1]} exceeds 32 bits`);
      return;
    }
    if (this.lastMicros !== null) {
      // micros() is unsigned 32-bit: a step of more than half the range is a step backwards.
      const step = (micros - this.lastMicros + 2 ** 32) % 2 ** 32;
      if (step === 0 || step > 2 ** 31) {
        this.problems.push(`line ${no}: t_us ${micros} is not after the previous ${this.lastMicros} (out of order or repeated)`);
        return;
      }
      this.unwrapped += step;
    }
    this.lastMicros = micros;
    if (m[4] === '1') this.problems.push(`line ${no}: ovf set (shunt voltage at full scale or ${this.header.chip} math overflow): current out of range, sample dropped`);
    else
      events.push({
        type: 'sample',
        deviceSeconds: this.unwrapped / 1e6,
        volts: m[2] === '' ? null : Number(m[2]) / 1e6,
        amps: (Number(m[3]) * 1e-9) / this.header.shuntOhms,
        line: no,
      });
  }

  private comment(line: string, no: number, events: InaEvent[]): void {
    const h = HEADER.exec(line);
    if (h) {
      const header = this.parseHeader(Number(h[1]), h[2]!, no);
      if (header) {
        this.header = header;
        // A new header (a restart or a period change) starts a new time line.
        this.lastMicros = null;
        events.push({ type: 'header', header, line: no });
      }
      return;
    }
    const body = line.slice(1).trim();
    if (body === 'stopped') events.push({ type: 'stopped', line: no });
    else if (body.startsWith('error')) {
      const text = body.slice(5).trim();
      this.problems.push(`line ${no}: bridge error: ${showLine(text, 120)}`);
      events.push({ type: 'error', text, line: no });
    }
    // Other comments are informational (the sketch prints its usage on boot).
  }

  private parseHeader(version: number, rest: string, no: number): InaHeader | null {
    if (version !== INA_FORMAT_VERSION) {
      this.problems.push(`line ${no}: bridge format version ${version}, expected ${INA_FORMAT_VERSION}`);
      return null;
    }
    const fields: Record<string, string> = {};
    for (const kv of rest.trim().split(/\s+/)) {
      const [k, v] = kv.split('=');
      if (k && v !== undefined) fields[k] = v;
    }
    const shuntMilliohms = Number(fields.shunt_mohm);
    const periodUs = Number(fields.period_us);
    const chip = (fields.chip ?? '').toLowerCase();
    if (!(chip === 'ina219' || chip === 'ina226') || !(shuntMilliohms > 0) || !(periodUs > 0)) {
      this.problems.push(`line ${no}: header needs chip=ina219|ina226, shunt_mohm>0 and period_us>0, got '${showLine(rest)}'`);
      return null;
    }
    return { version, chip, addr: fields.addr ?? '?', shuntOhms: shuntMilliohms / 1000, periodUs };
  }
}

export interface InaSerialOptions extends MonitorOptions {
  /** How long to wait for the bridge's header (default 5000 ms: an Arduino resets when the port opens). */
  replyTimeoutMs?: number;
}

/** Bytes a row takes on the wire, for the fastest rate the baud rate carries (10 bits a byte). */
const ROW_BYTES = 32;

/**
 * The bridge as a PowerMonitor: one sample per row, at a period the driver asks for (the rate,
 * limited by what the baud rate carries) and the bridge confirms in its header. Sample times are
 * the bridge's clock placed on the host's: host time of the first row + device time since it.
 */
export class InaSerialMonitor implements PowerMonitor {
  readonly kind = 'ina-serial' as const;
  description: string;
  private readonly parser = new InaSerialParser();
  private readonly runtimeProblems: string[] = [];
  private readonly collected: PowerSample[] = [];
  private readonly events: InaEvent[] = [];
  private acquiring = false;
  private hostAtFirst: number | null = null;
  private deviceAtFirst = 0;
  private started: Promise<void> | null = null;
  private stopped: Promise<void> | null = null;

  private constructor(
    private readonly port: BytePort,
    private readonly baud: number,
    private readonly options: InaSerialOptions & { rateHz: number },
  ) {
    this.description = `INA bridge on ${port.path}`;
    port.onData((chunk) => this.receive(chunk));
    port.onClose(({ disconnected, error }) => {
      if (disconnected) this.runtimeProblems.push(`port ${port.path} closed unexpectedly${error ? `: ${error.message}` : ''}`);
    });
  }

  static async open(path: string, baud: number | null, options: InaSerialOptions & { rateHz: number }): Promise<InaSerialMonitor> {
    if (options.volts !== undefined && !(options.volts > 0)) throw new UserError(`--power ina-serial: expected a positive rail voltage, got ${options.volts}`);
    const b = baud ?? INA_DEFAULT_BAUD;
    return new InaSerialMonitor(await openSerialPort(path, b), b, options);
  }

  get target(): string {
    return this.port.path;
  }

  get problems(): readonly string[] {
    return [...this.parser.problems, ...this.runtimeProblems];
  }

  samples(): readonly PowerSample[] {
    return this.collected;
  }

  private receive(chunk: Buffer): void {
    const now = hostSeconds();
    for (const e of this.parser.push(chunk)) {
      this.events.push(e);
      if (e.type === 'header') this.hostAtFirst = null;
      if (e.type !== 'sample' || !this.acquiring) continue;
      if (this.hostAtFirst === null) {
        this.hostAtFirst = now;
        this.deviceAtFirst = e.deviceSeconds;
      }
      const volts = e.volts ?? this.options.volts ?? NaN;
      this.collected.push(powerSample(this.hostAtFirst + e.deviceSeconds - this.deviceAtFirst, volts, e.amps));
    }
  }

  private send(command: string): Promise<void> {
    return this.port.write(Buffer.from(`${command}\n`, 'latin1'));
  }

  /** Send `command` (again every 500 ms: the bridge may still be booting) until an event of `type` arrives. */
  private async expect(command: string, type: InaEvent['type']): Promise<InaEvent> {
    const timeout = this.options.replyTimeoutMs ?? 5000;
    const from = this.events.length;
    let lastSent = 0;
    let found: InaEvent | undefined;
    await waitFor(
      () => {
        found = this.events.slice(from).find((e) => e.type === type);
        if (!found && performance.now() - lastSent > 500) {
          lastSent = performance.now();
          void this.send(command).catch(() => undefined);
        }
        return found !== undefined;
      },
      timeout,
      () => new UserError(`INA bridge on ${this.port.path} did not answer '${command}' within ${timeout} ms: check the port, the baud rate (${this.baud}, set it with @BAUD) and that ina_bridge.ino is flashed`),
    );
    return found!;
  }

  start(): Promise<void> {
    this.started ??= (async () => {
      const maxRate = this.baud / 10 / ROW_BYTES;
      const periodUs = Math.round(1e6 / Math.min(this.options.rateHz, maxRate));
      await this.expect('info', 'header');
      const h = ((await this.expect(`period ${periodUs}`, 'header')) as { header: InaHeader }).header;
      this.description = `INA bridge on ${this.port.path} at ${this.baud} baud: ${h.chip.toUpperCase()} at ${h.addr}, shunt ${h.shuntOhms * 1000} mOhm, ${(1e6 / h.periodUs).toFixed(1)} Hz${this.options.volts ? `, rail ${this.options.volts} V` : ''}`;
      this.acquiring = true;
      await this.expect('start', 'columns');
    })();
    return this.started;
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      try {
        if (this.started && this.port.isOpen) {
          await this.started.catch(() => undefined);
          await this.expect('stop', 'stopped').catch(() => this.runtimeProblems.push(`INA bridge on ${this.port.path} did not confirm 'stop'`));
        }
      } finally {
        this.acquiring = false;
        await this.port.close();
      }
    })();
    return this.stopped;
  }
}
