import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSerialPort, type BytePort } from '../link/port.js';
import { ptyPair, type PtyPair } from '../link/pty.js';
import { Rng } from '../util/rng.js';
import { hostSeconds, LineSplitter } from './driver.js';
import { LPM01A_ASCII_UNLIMITED_HZ, LPM01A_BAUD, LPM01A_FREQUENCIES, LPM01A_PROMPT } from './lpm01a.js';

/**
 * A virtual X-NUCLEO-LPM01A: the far end of a socat pty pair speaking the PowerShield firmware's
 * host protocol (UM2269, the command help in the MLPerf Tiny runner) in `format ascii_dec`.
 * The current it "measures" comes from a callback of host time, plus seeded noise, so a test or
 * `--power virtual` knows exactly what the driver should see.
 *
 * Emulated: the configuration commands with the firmware's argument ranges (wrong arguments and
 * unknown commands answer `error`), `volt get`, `powershield`, `version`, `status`, `temp`, the
 * ascii_dec stream at `freq` (one `TimeStamp` line a second), `acqtime` in seconds ending the
 * acquisition by itself, `stop` ending it with `Acquisition completed` and a summary line.
 * Not emulated: bin_hexa (start answers error), energy output values (they are currents here),
 * the D7 trigger and events, the LCD.
 */

export interface VirtualLpm01aOptions {
  current: (hostSeconds: number) => number;
  noise?: { relative: number; absoluteAmps: number };
  seed?: number;
  dir?: string;
}

/** Samples go out in batches on this period; each sample keeps its exact 1/freq time. */
const BATCH_MS = 20;
/** UM2269: ascii_dec is limited in time above 5 kHz (10 kHz for 1 s, 20 kHz for 0.5 s) and impossible above. */
const ASCII_LIMIT_SECONDS: Record<number, number> = { 10_000: 1, 20_000: 0.5 };
const VERSION = '1.0.5';
const BOARD_ID = 'PowerShield present, board ID 0x20374E5A5031';

/** A number as the firmware reads it: digits with an optional u/m/k suffix or a power of ten `-xx`/`+xx`. */
export function parseFirmwareNumber(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(?:([umk])|([+-])(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  const base = Number(m[1]);
  // Dividing keeps 3300m exactly 3.3 (3300 * 1e-3 is not).
  if (m[2]) return m[2] === 'k' ? base * 1e3 : base / (m[2] === 'm' ? 1e3 : 1e6);
  if (m[3]) return m[3] === '-' ? base / 10 ** Number(m[4]) : base * 10 ** Number(m[4]);
  return base;
}

/** ascii_dec encoding: 4 significant digits and a two-digit power of ten, e.g. 6.409e-4 -> `6409-07`. */
export function encodeAsciiDec(amps: number): string {
  const a = Math.max(0, amps);
  if (a === 0) return '0000-10';
  let exponent = Math.floor(Math.log10(a)) - 3;
  let mantissa = Math.round(a / 10 ** exponent);
  if (mantissa >= 10_000) {
    mantissa = Math.round(mantissa / 10);
    exponent += 1;
  }
  const sign = exponent < 0 ? '-' : '+';
  return `${String(mantissa).padStart(4, '0')}${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

interface Settings {
  volts: number;
  freq: number;
  /** Seconds; 0 = infinite. */
  acqtime: number;
  format: 'ascii_dec' | 'bin_hexa';
  output: 'current' | 'energy';
  acqmode: 'dyn' | 'stat';
  funcmode: 'optim' | 'high';
  trigsrc: 'sw' | 'd7';
  trigdelay: number;
  currthres: number;
  pwr: 'auto' | 'on' | 'off';
  pwrStatus: boolean;
  pwrend: 'on' | 'off';
}

export class VirtualLpm01a {
  /** Commands received, in order (for tests and for debugging a driver). */
  readonly received: string[] = [];
  private readonly lines = new LineSplitter();
  private readonly rng: Rng;
  private readonly settings: Settings = {
    volts: 3.3,
    freq: 100,
    acqtime: 10,
    format: 'ascii_dec',
    output: 'current',
    acqmode: 'dyn',
    funcmode: 'optim',
    trigsrc: 'sw',
    trigdelay: 0.001,
    currthres: 1e-3,
    pwr: 'auto',
    pwrStatus: false,
    pwrend: 'on',
  };
  private hostControl = false;
  private timer: NodeJS.Timeout | null = null;
  private acquisitionStart = 0;
  private sent = 0;
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly pair: PtyPair,
    private readonly port: BytePort,
    private readonly options: VirtualLpm01aOptions,
    private readonly ownDir: string | null,
  ) {
    this.rng = new Rng(options.seed ?? 1);
    port.onData((chunk) => {
      for (const { line } of this.lines.push(chunk)) this.handle(line.trim());
    });
  }

  /** Start socat and the instrument; the driver opens `path`. */
  static async start(options: VirtualLpm01aOptions): Promise<VirtualLpm01a> {
    const ownDir = options.dir ? null : mkdtempSync(join(tmpdir(), 'gatebench-vlpm-'));
    const pair = await ptyPair(options.dir ?? ownDir!);
    try {
      return new VirtualLpm01a(pair, await openSerialPort(pair.b, LPM01A_BAUD), options, ownDir);
    } catch (e) {
      pair.stop();
      throw e;
    }
  }

  /** The pty the host (driver) opens. */
  get path(): string {
    return this.pair.a;
  }

  get acquiring(): boolean {
    return this.timer !== null;
  }

  private write(text: string): void {
    this.port.write(Buffer.from(text, 'latin1')).catch(() => undefined);
  }

  private ack(command: string, result?: string): void {
    this.write(`${LPM01A_PROMPT}ack ${command}${result === undefined ? '' : ` ${result}`}\r\n`);
  }

  private error(command: string, detail: string): void {
    this.write(`${LPM01A_PROMPT}error ${command}\r\nError detail: ${detail}\r\n`);
  }

  private handle(line: string): void {
    if (line === '') return;
    this.received.push(line);
    const [name = '', ...args] = line.split(/\s+/);
    // While acquiring the firmware takes only stop (and target power changes).
    if (this.acquiring && name !== 'stop' && name !== 'pwr' && name !== 'targrst') return this.error(line, 'acquisition in progress, send stop first');
    const one = (choices: readonly string[]): string | null => (args.length === 1 && choices.includes(args[0]!) ? args[0]! : null);
    const s = this.settings;
    switch (name) {
      case 'htc':
        this.hostControl = true;
        return this.ack(line);
      case 'hrc':
        this.hostControl = false;
        return this.ack(line);
      case 'echo':
        return this.ack(line);
      case 'powershield':
        return this.ack(line, BOARD_ID);
      case 'version':
        return this.ack(line, VERSION);
      case 'status':
        return this.ack(line, 'ok');
      case 'range':
        return this.ack(line, '2-09 200-03');
      case 'temp':
        return one(['degc', 'degf']) ? this.ack(line, args[0] === 'degc' ? '28.0' : '82.4') : this.error(line, "expected 'degc' or 'degf'");
      case 'lcd':
        return this.ack(line);
      case 'volt': {
        if (args.length === 1 && args[0] === 'get') return this.ack(line, encodeVolts(s.volts));
        const v = args.length === 1 ? parseFirmwareNumber(args[0]!) : null;
        if (v === null || v < 1.8 - 1e-9 || v > 3.3 + 1e-9) return this.error(line, 'voltage out of range [1800m; 3300m]');
        s.volts = v;
        return this.ack(line);
      }
      case 'freq': {
        const f = args.length === 1 ? parseFirmwareNumber(args[0]!) : null;
        if (f === null || !LPM01A_FREQUENCIES.some((x) => x === f)) return this.error(line, 'frequency not in list {100k, 50k, 20k, 10k, 5k, 2k, 1k, 500, 200, 100, 50, 20, 10, 5, 2, 1}');
        if (s.format === 'ascii_dec' && !(f in ASCII_LIMIT_SECONDS) && f > LPM01A_ASCII_UNLIMITED_HZ) return this.error(line, 'frequency too high for format ascii_dec (20k max), use bin_hexa');
        if (s.output === 'energy' && f > 10_000) return this.error(line, 'output energy is limited to 10k');
        s.freq = f;
        return this.ack(line);
      }
      case 'acqtime': {
        const a = one(['inf']) ? 0 : args.length === 1 ? parseFirmwareNumber(args[0]!) : null;
        if (a === null || (a !== 0 && (a < 100e-6 - 1e-12 || a > 100))) return this.error(line, "acquisition time out of range [100u; 100] (or '0' / 'inf')");
        s.acqtime = a;
        return this.ack(line);
      }
      case 'acqmode':
        return this.setChoice(line, 'acqmode', one(['dyn', 'stat']));
      case 'funcmode':
        return this.setChoice(line, 'funcmode', one(['optim', 'high']));
      case 'output':
        return this.setChoice(line, 'output', one(['current', 'energy']));
      case 'format': {
        const f = one(['ascii_dec', 'bin_hexa']);
        if (f === 'ascii_dec' && s.freq > 20_000) return this.error(line, 'format ascii_dec is limited to 20k, lower freq first');
        return this.setChoice(line, 'format', f);
      }
      case 'trigsrc':
        return this.setChoice(line, 'trigsrc', one(['sw', 'd7']));
      case 'trigdelay': {
        const d = args.length === 1 ? parseFirmwareNumber(args[0]!) : null;
        if (d === null || d > 30) return this.error(line, 'trigger delay out of range [0; 30]');
        s.trigdelay = d;
        return this.ack(line);
      }
      case 'currthres': {
        const c = args.length === 1 ? parseFirmwareNumber(args[0]!) : null;
        if (c === null || (c !== 0 && (c < 100e-9 || c > 50e-3))) return this.error(line, 'current threshold out of range [100n; 50m]');
        s.currthres = c;
        return this.ack(line);
      }
      case 'pwr': {
        if (args.length === 1 && args[0] === 'get') return this.ack(line, s.pwr === 'off' ? 'off' : 'on');
        const state = args[0];
        const status = args[1];
        if (!(state === 'auto' || state === 'on' || state === 'off') || args.length > 2 || (status !== undefined && status !== 'status' && status !== 'nostatus')) {
          return this.error(line, "expected pwr {auto|on|off} [status|nostatus] or pwr get");
        }
        s.pwr = state;
        s.pwrStatus = status === 'status';
        return this.ack(line);
      }
      case 'pwrend':
        return this.setChoice(line, 'pwrend', one(['on', 'off']));
      case 'targrst':
        return this.ack(line);
      case 'start':
        return this.startAcquisition(line);
      case 'stop':
        if (!this.acquiring) return this.error(line, 'no acquisition in progress');
        this.ack(line);
        return this.endAcquisition();
      default:
        return this.error(line, `unknown command '${name}', type 'help' for the list`);
    }
  }

  private setChoice<K extends 'acqmode' | 'funcmode' | 'output' | 'format' | 'trigsrc' | 'pwrend'>(line: string, key: K, value: string | null): void {
    if (value === null) return this.error(line, `invalid argument for '${key}'`);
    (this.settings as unknown as Record<string, string>)[key] = value;
    this.ack(line);
  }

  private startAcquisition(line: string): void {
    const s = this.settings;
    if (!this.hostControl) return this.error(line, 'host has not taken control (send htc)');
    if (s.format !== 'ascii_dec') return this.error(line, 'bin_hexa is not emulated by the virtual LPM01A');
    const limit = ASCII_LIMIT_SECONDS[s.freq];
    if (limit !== undefined && (s.acqtime === 0 || s.acqtime > limit)) return this.error(line, `acquisition time too long for ascii_dec at ${s.freq} Hz (max ${limit} s)`);
    if (s.trigsrc !== 'sw') return this.error(line, 'trigger d7 is not emulated by the virtual LPM01A');
    this.acquisitionStart = hostSeconds();
    this.sent = 0;
    this.ack(line);
    if (s.pwrStatus) this.write('Target power on\r\n');
    this.timer = setInterval(() => this.emitDue(), BATCH_MS);
  }

  /** Every sample whose time has come, each at acquisitionStart + i / freq. */
  private emitDue(): void {
    const s = this.settings;
    const elapsed = hostSeconds() - this.acquisitionStart;
    const total = s.acqtime > 0 ? Math.round(s.acqtime * s.freq) : Infinity;
    const due = Math.min(total, Math.floor(elapsed * s.freq) + 1);
    const noise = this.options.noise;
    let out = '';
    for (; this.sent < due; this.sent++) {
      if (this.sent > 0 && this.sent % s.freq === 0) {
        const sec = this.sent / s.freq;
        out += `TimeStamp: ${String(sec).padStart(3, '0')}s 000ms, buff 00%\r\n`;
      }
      const t = this.acquisitionStart + this.sent / s.freq;
      let amps = this.options.current(t);
      if (noise) amps += this.rng.normal() * (noise.relative * Math.abs(amps) + noise.absoluteAmps);
      out += `${encodeAsciiDec(amps)}\r\n`;
    }
    if (out) this.write(out);
    if (this.sent >= total) this.endAcquisition();
  }

  private endAcquisition(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const s = this.settings;
    let out = '';
    if (s.pwrStatus) out += 'Target power on\r\n';
    out += 'Acquisition completed\r\n';
    out += `Summary: ${this.sent} samples at ${s.freq} Hz, ${(this.sent / s.freq).toFixed(3)} s\r\n`;
    out += LPM01A_PROMPT.trimEnd() + '\r\n';
    this.write(out);
  }

  /** Stop the instrument and socat. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      await this.port.close();
      this.pair.stop();
      if (this.ownDir) rmSync(this.ownDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}

/** `volt get` answers the supply voltage as an ascii_dec number of volts, e.g. `3300-03`. */
function encodeVolts(volts: number): string {
  return `${String(Math.round(volts * 1000)).padStart(4, '0')}-03`;
}
