import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { hostSeconds, powerSample, type MonitorOptions, type PowerMonitor, type PowerSample } from './driver.js';

/**
 * An INA2xx on an I2C bus the Linux kernel drives (drivers/hwmon/ina2xx.c, documented in
 * Documentation/hwmon/ina2xx.rst), read through sysfs: `in1_input` bus voltage in mV,
 * `curr1_input` current in mA, `power1_input` power in uW, `update_interval` in ms. The kernel
 * rounds to those units, so 1 mA is the current resolution here: fine for a whole board, too
 * coarse for a sub-milliamp FPGA core rail (use a bridge or an LPM01A/PPK2 for that).
 */

export const HWMON_ROOT = '/sys/class/hwmon';
/** Names the ina2xx driver gives its devices (and the generic one). */
const INA2XX_NAME = /^ina(2xx|2\d\d)$/;
/** Never poll faster than this, whatever the chip's conversion time. */
const MIN_POLL_MS = 10;

/** The hwmon directories whose `name` is an ina2xx device, as `path (name)`. */
export function findIna2xx(root = HWMON_ROOT): { dir: string; name: string }[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((entry) => {
      const dir = join(root, entry);
      try {
        return { dir, name: readFileSync(join(dir, 'name'), 'utf8').trim() };
      } catch {
        return { dir, name: '' };
      }
    })
    .filter((d) => INA2XX_NAME.test(d.name));
}

/** One reading of the sysfs files, in SI units; null for a file that is absent. */
export interface HwmonReading {
  volts: number;
  amps: number;
  watts: number | null;
}

/** The pure half: the three file contents in, a reading or a problem out. */
export function parseHwmonReading(files: { in1: string; curr1: string; power1: string | null }): HwmonReading | string {
  const num = (text: string, file: string): number | string => {
    const t = text.trim();
    return /^-?\d+$/.test(t) ? Number(t) : `${file} is '${t.slice(0, 20)}', expected an integer`;
  };
  const mv = num(files.in1, 'in1_input');
  const ma = num(files.curr1, 'curr1_input');
  const uw = files.power1 === null ? null : num(files.power1, 'power1_input');
  for (const v of [mv, ma, uw]) if (typeof v === 'string') return v;
  return { volts: (mv as number) / 1000, amps: (ma as number) / 1000, watts: uw === null ? null : (uw as number) / 1e6 };
}

/**
 * The ina2xx hwmon device as a PowerMonitor: polled every max(1 / rateHz, update_interval, 10 ms);
 * each poll is one sample stamped when it was read. watts = power1_input when present (the chip's
 * own product), else volts * amps. A failed read is a problem named by its poll number.
 */
export class HwmonMonitor implements PowerMonitor {
  readonly kind = 'hwmon' as const;
  readonly description: string;
  readonly problems: string[] = [];
  private readonly collected: PowerSample[] = [];
  private readonly hasPower: boolean;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | null = null;
  private polls = 0;
  private inFlight: Promise<void> | null = null;
  private stopped = false;

  private constructor(
    readonly target: string,
    name: string,
    options: MonitorOptions & { rateHz: number },
  ) {
    for (const f of ['in1_input', 'curr1_input']) {
      if (!existsSync(join(target, f))) throw new UserError(`--power hwmon: ${target} has no ${f}: is the ina2xx shunt resistance set (shunt_resistor) and the chip an INA219/INA226?`);
    }
    this.hasPower = existsSync(join(target, 'power1_input'));
    let intervalMs = 0;
    try {
      intervalMs = Number(readFileSync(join(target, 'update_interval'), 'utf8').trim()) || 0;
    } catch {
      // update_interval is optional (older kernels, other chips)
    }
    this.pollMs = Math.max(1000 / options.rateHz, intervalMs, MIN_POLL_MS);
    this.description = `Linux hwmon ${name} at ${target}, polled every ${this.pollMs.toFixed(1)} ms (${(1000 / this.pollMs).toFixed(1)} Hz)${intervalMs ? `, update_interval ${intervalMs} ms` : ''}, 1 mA / 1 mV resolution`;
  }

  /** `target` a hwmon directory, or null to find the one ina2xx device under `root`. */
  static async open(target: string | null, options: MonitorOptions & { rateHz: number }, root = HWMON_ROOT): Promise<HwmonMonitor> {
    if (target === null) {
      const found = findIna2xx(root);
      if (found.length === 0) throw new UserError(`--power hwmon: no ina2xx device under ${root} (load the ina2xx driver and declare the chip, e.g. echo ina226 0x40 > /sys/bus/i2c/devices/i2c-1/new_device)`);
      if (found.length > 1) throw new UserError(`--power hwmon: several ina2xx devices under ${root}: ${found.map((f) => `${f.dir} (${f.name})`).join(', ')}; name one with hwmon:DIR`);
      return new HwmonMonitor(found[0]!.dir, found[0]!.name, options);
    }
    let name: string;
    try {
      name = readFileSync(join(target, 'name'), 'utf8').trim();
    } catch {
      throw new UserError(`--power hwmon: ${target} is not a hwmon device directory (no readable 'name' file)`);
    }
    if (!INA2XX_NAME.test(name)) throw new UserError(`--power hwmon: ${target} is a '${name}' device, expected an ina2xx one (ina219, ina226, ...)`);
    return new HwmonMonitor(target, name, options);
  }

  samples(): readonly PowerSample[] {
    return this.collected;
  }

  private async poll(): Promise<void> {
    const no = ++this.polls;
    const t = hostSeconds();
    try {
      const [in1, curr1, power1] = await Promise.all([
        readFile(join(this.target, 'in1_input'), 'utf8'),
        readFile(join(this.target, 'curr1_input'), 'utf8'),
        this.hasPower ? readFile(join(this.target, 'power1_input'), 'utf8') : Promise.resolve(null),
      ]);
      const r = parseHwmonReading({ in1, curr1, power1 });
      if (typeof r === 'string') this.problems.push(`poll ${no}: ${r}`);
      else this.collected.push(powerSample(t, r.volts, r.amps, r.watts ?? r.volts * r.amps));
    } catch (e) {
      this.problems.push(`poll ${no}: ${(e as Error).message}`);
    }
  }

  start(): Promise<void> {
    if (this.timer || this.stopped) return Promise.resolve();
    const tick = (): void => {
      // A slow read (an I2C bus timing out) skips ticks rather than piling reads up.
      if (!this.inFlight) this.inFlight = this.poll().finally(() => (this.inFlight = null));
    };
    tick();
    this.timer = setInterval(tick, this.pollMs);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }
}
