import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { UserError } from '../util/errors.js';
import type { Board } from './board.js';

/**
 * Is the board there? Asked before a run builds anything, so a missing board fails in a second, not
 * after minutes of place and route. The programming cable is looked for by its USB id (the board
 * file's programmer.usb) in sysfs, which needs no tool; where sysfs is not mounted,
 * `openFPGALoader --scan-usb` lists the USB devices instead.
 */

/** What to do when the cable is missing (also the flash's hint when the programmer finds none). */
export const NO_CABLE_HINT = 'plug the board in (a data USB cable, not a charge-only one); if it is, check lsusb shows its FTDI chip';

/** The sysfs root: $GATEBENCH_SYSFS (a test hands a tree of its own), else /sys. */
export function sysfsRoot(): string {
  return process.env['GATEBENCH_SYSFS'] ?? '/sys';
}

/**
 * The vendor:product ids of the USB devices sysfs lists (<root>/bus/usb/devices/<device>/idVendor
 * and idProduct; entries without both files, such as interfaces, are skipped), sorted. Null when no sysfs is
 * mounted at root (no <root>/bus); an empty list when sysfs has no USB bus at all.
 */
export function sysfsUsbIds(root = sysfsRoot()): string[] | null {
  if (!existsSync(join(root, 'bus'))) return null;
  const devices = join(root, 'bus', 'usb', 'devices');
  if (!existsSync(devices)) return [];
  const read = (device: string, file: string): string | null => {
    try {
      return readFileSync(join(devices, device, file), 'utf8').trim().toLowerCase();
    } catch {
      return null;
    }
  };
  const ids: string[] = [];
  for (const device of readdirSync(devices)) {
    const vendor = read(device, 'idVendor');
    const product = read(device, 'idProduct');
    if (vendor && product) ids.push(`${vendor}:${product}`);
  }
  return ids.sort();
}

/**
 * The USB ids in `openFPGALoader --scan-usb` output: the device rows ("001 005    0x0403:0x6010
 * FTDI2232 ...") and the devices it saw but could not open ("can't open device with vid:vid =
 * 0x0403:0x6010"), which are there all the same. Its exit code says nothing (0 with no device).
 */
export function parseScanUsb(output: string): string[] {
  const ids = [...output.matchAll(/\b0x([0-9a-f]{4}):0x([0-9a-f]{4})\b/gi)].map((m) => `${m[1]}:${m[2]}`.toLowerCase());
  return [...new Set(ids)].sort();
}

/** `openFPGALoader --scan-usb`'s ids, or null when it is not installed, fails to answer or takes too long. */
async function scanUsb(timeoutMs: number): Promise<string[] | null> {
  const r = await execa('openFPGALoader', ['--scan-usb'], { reject: false, all: true, stdin: 'ignore', timeout: timeoutMs });
  const output = String(r.all ?? '');
  if (r.timedOut || (r.failed && !/found \d+ USB device/.test(output))) return null;
  return parseScanUsb(output);
}

export interface CableSearch {
  /** Whether the cable's USB id was seen; null when there was no way to look. */
  found: boolean | null;
  /** Where it was looked for, for messages. */
  where: string;
}

/** Look for the board's programming cable by USB id: sysfs, else openFPGALoader's USB scan. */
export async function findProgrammingCable(board: Board, options: { sysfsRoot?: string; scanTimeoutMs?: number } = {}): Promise<CableSearch> {
  const root = options.sysfsRoot ?? sysfsRoot();
  const usb = board.programmer.usb;
  const inSysfs = sysfsUsbIds(root);
  if (inSysfs) return { found: inSysfs.includes(usb), where: `under ${join(root, 'bus', 'usb', 'devices')}` };
  const scanned = await scanUsb(options.scanTimeoutMs ?? 1500);
  if (scanned) return { found: scanned.includes(usb), where: 'in openFPGALoader --scan-usb' };
  return { found: null, where: `nowhere (no sysfs at ${root}, no openFPGALoader --scan-usb)` };
}

/** Why a board is not there: its programming cable, or the serial port that was named. */
export type BoardAbsence = 'no-cable' | 'no-port';

export class BoardAbsentError extends UserError {
  constructor(
    message: string,
    readonly reason: BoardAbsence,
  ) {
    super(message);
    this.name = 'BoardAbsentError';
  }
}

/** A serial port that was named (--port) must exist: fail at once rather than after a build. */
export function requirePort(path: string, expected: string): void {
  if (!existsSync(path)) throw new BoardAbsentError(`--port: ${path} does not exist (expected ${expected})`, 'no-port');
}

/**
 * Fail at once, before any build, when the board cannot be there: a --port that does not exist, or
 * a programming cable whose USB id is nowhere to be seen. When there is no way to look, go on (the
 * programmer will say). `nextStep` is appended to the no-cable message (e.g. how to build only).
 */
export async function requireBoardAttached(board: Board, options: { port?: string; sysfsRoot?: string; nextStep?: string } = {}): Promise<CableSearch> {
  if (options.port !== undefined) requirePort(options.port, `the ${board.name}'s UART, ${board.uart.cable.chip} channel ${board.uart.cable.channel}; ls /dev/serial/by-id lists the serial ports`);
  const search = await findProgrammingCable(board, options.sysfsRoot ? { sysfsRoot: options.sysfsRoot } : {});
  if (search.found === false) {
    const cable = board.programmer.cable ? `, the ${board.programmer.cable}` : '';
    throw new BoardAbsentError(
      `no programming cable or board found for ${board.name}: no USB device ${board.programmer.usb}${cable}, ${search.where}; ${NO_CABLE_HINT}${options.nextStep ? `; ${options.nextStep}` : ''}`,
      'no-cable',
    );
  }
  return search;
}
