import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { boardsDir } from '../util/paths.js';
import { Fields } from '../util/validate.js';
import { parseCst } from './cst.js';
import { findPart, FPGA_FAMILIES, FPGA_PARTS, type FpgaFamily, type FpgaPart } from './devices.js';
import { parseLpf } from './lpf.js';
import { parsePcf, type Pcf } from './pcf.js';

/** boards/ of this checkout. */
export const BOARDS_DIR = boardsDir();

export const BOARD_FORMAT = 'gatebench-board/1';

export interface BoardPin {
  readonly port: string;
  readonly pin: string;
}

export interface BoardLed extends BoardPin {
  readonly color: string;
  readonly activeLow: boolean;
  readonly note: string | null;
}

export interface TiedPin extends BoardPin {
  readonly why: string;
}

export type ProgrammerMode = 'sram' | 'flash';

export interface Programmer {
  readonly tool: string;
  /** openFPGALoader -b name, when the tool is openFPGALoader. */
  readonly board: string | null;
  readonly cable: string | null;
  /** USB vendor:product of the programming cable, looked for before a run builds (src/board/presence.ts). */
  readonly usb: string;
  readonly mode: ProgrammerMode;
  /** argv template; ${BIN_FILE} is replaced by the bitstream path (see programmerCommand). */
  readonly command: readonly string[];
  readonly sram: { readonly possible: 'as-shipped' | 'after-board-change' | 'no'; readonly how: string };
}

/**
 * Gowin dual-purpose pin groups a board's pins sit on, used as GPIO after configuration: gowin_pack
 * --<group>_as_gpio. Not sspi or i2c, which nextpnr-himbaechel must be told as well (--vopt).
 */
export const GOWIN_AS_GPIO = ['cpu', 'mspi', 'jtag', 'ready', 'done', 'reconfign'] as const;
export type GowinAsGpio = (typeof GOWIN_AS_GPIO)[number];

export interface Rail {
  readonly name: string;
  readonly volts: number;
  readonly role: string;
}

export interface Board {
  readonly name: string;
  readonly title: string;
  /** The board JSON file and the constraints file it names (.pcf on iCE40, .lpf on ECP5), absolute. */
  readonly file: string;
  readonly constraintsFile: string;
  readonly fpga: { readonly family: FpgaFamily; readonly device: string; readonly package: string; readonly logicCells: number };
  readonly device: FpgaPart;
  readonly clock: BoardPin & { readonly mhz: number; readonly source: string };
  readonly uart: { readonly rx: BoardPin; readonly tx: BoardPin; readonly cable: { readonly chip: string; readonly channel: string; readonly usb: string } };
  readonly leds: readonly BoardLed[];
  readonly tieHigh: readonly TiedPin[];
  /** Gowin only; empty when the board file has no asGpio. */
  readonly asGpio: readonly GowinAsGpio[];
  readonly programmer: Programmer;
  readonly rails: readonly Rail[];
  readonly notes: readonly string[];
  readonly sources: readonly { readonly url: string; readonly checked: string }[];
  /** The board JSON and constraints text as read, for content hashes. */
  readonly text: { readonly json: string; readonly constraints: string };
  /** The pins the constraints file places (port -> package pin), whatever its format. */
  readonly constraints: Pcf;
}

/** Each family's constraints file: the board JSON's field naming it, and its reader. */
const CONSTRAINTS: Record<FpgaFamily, { field: string; parse: (path: string) => Pcf }> = {
  ice40: { field: 'pcf', parse: (path) => parsePcf(path) },
  ecp5: { field: 'lpf', parse: (path) => parseLpf(path) },
  gowin: { field: 'cst', parse: (path) => parseCst(path) },
};

const PROGRAMMER_PLACEHOLDERS = ['${BIN_FILE}'];

function nonEmpty(f: Fields): string {
  const s = f.string();
  if (s.trim() === '') f.reject('a non-empty string');
  return s;
}

function pinField(f: Fields): BoardPin {
  return { port: nonEmpty(f.field('port')), pin: nonEmpty(f.field('pin')) };
}

function positive(f: Fields): number {
  const n = f.number();
  if (n <= 0) f.reject('a positive number');
  return n;
}

/** Fields has no boolean reader: read the raw member (private only to the type checker). */
function bool(f: Fields, name: string): boolean {
  const field = f.field(name);
  const raw = (field as unknown as { value: unknown }).value;
  if (typeof raw !== 'boolean') return field.reject('true or false');
  return raw;
}

/** A USB id as sysfs writes it: four lower-case hex digits of vendor, a colon, four of product. */
function usbId(f: Fields): string {
  const usb = f.string();
  if (!/^[0-9a-f]{4}:[0-9a-f]{4}$/.test(usb)) f.reject('a USB id like "0403:6010"');
  return usb;
}

function optionalString(f: Fields, name: string): string | null {
  return f.optional(name, (x) => x.string());
}

/** Resolve a board name ('icebreaker') or a path to a board JSON file. */
export function boardFile(nameOrPath: string, boardsDir = BOARDS_DIR): string {
  if (nameOrPath.endsWith('.json') || nameOrPath.includes('/')) return resolve(nameOrPath);
  const file = join(boardsDir, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    const known = listBoardFiles(boardsDir).map((f) => basename(f, '.json'));
    throw new UserError(`unknown board '${nameOrPath}', expected one of: ${known.join(', ')} (or a path to a board .json)`);
  }
  return file;
}

function listBoardFiles(boardsDir: string): string[] {
  if (!existsSync(boardsDir)) return [];
  // By board name, so ulx3s comes before its variants ulx3s-12f... (as file names, '-' sorts before '.').
  return readdirSync(boardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort((a, b) => basename(a, '.json').localeCompare(basename(b, '.json')))
    .map((f) => join(boardsDir, f));
}

/**
 * Load and strictly validate one board: every field is checked and named on error, the FPGA is
 * looked up in the device table, and every pin the JSON names must appear in the .pcf on the same
 * package pin.
 */
export function loadBoard(nameOrPath: string, boardsDir = BOARDS_DIR): Board {
  const file = boardFile(nameOrPath, boardsDir);
  let json: string;
  try {
    json = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read board file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseBoard(file, json, parsed);
}

export function parseBoard(file: string, json: string, parsed: unknown): Board {
  const root = new Fields(file, parsed);
  root.field('format').literal(BOARD_FORMAT);
  const name = nonEmpty(root.field('name'));
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) root.field('name').reject('lower-case letters, digits and dashes');
  if (name !== basename(file, '.json')) root.field('name').reject(`"${basename(file, '.json')}", the file's name`);
  const title = nonEmpty(root.field('title'));

  const fpgaF = root.field('fpga');
  const family = fpgaF.field('family').oneOf(FPGA_FAMILIES);
  const deviceF = fpgaF.field('device');
  const deviceId = deviceF.string();
  const device = findPart(family, deviceId);
  if (!device) return deviceF.reject(`one of ${FPGA_PARTS[family].map((d) => d.id).join(', ')}`);
  const packageF = fpgaF.field('package');
  const pkg = packageF.string();
  if (!device.packages.includes(pkg)) packageF.reject(`a ${device.part} package: ${device.packages.join(', ')}`);
  const logicCellsF = fpgaF.field('logicCells');
  const logicCells = logicCellsF.int(1);
  if (logicCells !== device.logicCells) logicCellsF.reject(`${device.logicCells} (the ${device.part} has ${device.logicCells} logic cells)`);

  const constraintsKind = CONSTRAINTS[family];
  const constraintsF = root.field(constraintsKind.field);
  const constraintsName = nonEmpty(constraintsF);
  const constraintsFile = isAbsolute(constraintsName) ? constraintsName : join(dirname(file), constraintsName);
  if (!existsSync(constraintsFile)) constraintsF.reject(`a .${constraintsKind.field} file next to the board file (${constraintsFile} does not exist)`);
  const pcf = constraintsKind.parse(constraintsFile);

  const clockF = root.field('clock');
  const clock = { ...pinField(clockF), mhz: positive(clockF.field('mhz')), source: nonEmpty(clockF.field('source')) };

  const uartF = root.field('uart');
  const cableF = uartF.field('cable');
  const usb = usbId(cableF.field('usb'));
  const uart = {
    rx: pinField(uartF.field('rx')),
    tx: pinField(uartF.field('tx')),
    cable: { chip: nonEmpty(cableF.field('chip')), channel: nonEmpty(cableF.field('channel')), usb },
  };

  const leds = root.field('leds').items().map((f) => ({
    ...pinField(f),
    color: nonEmpty(f.field('color')),
    activeLow: bool(f, 'activeLow'),
    note: optionalString(f, 'note'),
  }));
  const tieHigh = root.field('tieHigh').items().map((f) => ({ ...pinField(f), why: nonEmpty(f.field('why')) }));
  const asGpio = root.optional('asGpio', (f) => f.items().map((g) => g.oneOf(GOWIN_AS_GPIO))) ?? [];
  if (asGpio.length > 0 && family !== 'gowin') root.field('asGpio').reject('no asGpio (Gowin boards only)');

  const progF = root.field('programmer');
  const mode = progF.field('mode').oneOf(['sram', 'flash'] as const);
  const sramF = progF.field('sram');
  const sram = { possible: sramF.field('possible').oneOf(['as-shipped', 'after-board-change', 'no'] as const), how: nonEmpty(sramF.field('how')) };
  const commandF = progF.field('command');
  const command = commandF.items().map((f) => nonEmpty(f));
  if (command.length === 0) commandF.reject('a non-empty argv template');
  const tool = nonEmpty(progF.field('tool'));
  if (command[0] !== tool) new Fields(file, command[0], 'programmer.command[0]').reject(`the programmer tool "${tool}"`);
  const placeholders: string[] = command.join(' ').match(/\$\{[^}]*\}/g) ?? [];
  for (const p of placeholders) if (!PROGRAMMER_PLACEHOLDERS.includes(p)) commandF.reject(`only the placeholder \${BIN_FILE}, found ${p}`);
  if (!placeholders.includes('${BIN_FILE}')) commandF.reject('an argv template containing ${BIN_FILE}');
  const board = optionalString(progF, 'board');
  if (tool === 'openFPGALoader') {
    // A board name (-b), or a cable (-c) with the FPGA found by its JTAG IDCODE (boards older openFPGALoaders do not list).
    const cable = command.some((a, i) => a === '-c' && i + 1 < command.length);
    if (board === null && !cable) progF.field('board').reject('an openFPGALoader board name (-b), or a cable (-c) in programmer.command');
    const hasB = command.some((a, i) => a === '-b' && command[i + 1] === board);
    if (board !== null && !hasB) commandF.reject(`an argv template with "-b ${board}"`);
    const hasM = command.includes('-m');
    if (mode === 'sram' && !hasM) commandF.reject('"-m" in the argv template (programmer.mode is sram)');
    if (mode === 'flash' && hasM) commandF.reject('no "-m" in the argv template (programmer.mode is flash)');
  }
  if (mode === 'sram' && sram.possible === 'no') progF.field('mode').reject('"flash" (programmer.sram.possible is "no")');
  const programmerUsb = usbId(progF.field('usb'));
  // iceprog names its cable (-d i:0xVVVV:0xPPPP[:index]): it must be the one looked for.
  const deviceArg = command.findIndex((a) => a === '-d');
  const iceprogId = deviceArg >= 0 ? /^i:0x([0-9a-f]{4}):0x([0-9a-f]{4})(:\d+)?$/i.exec(command[deviceArg + 1] ?? '') : null;
  if (iceprogId) {
    const named = `${iceprogId[1]}:${iceprogId[2]}`.toLowerCase();
    if (named !== programmerUsb) progF.field('usb').reject(`"${named}", the device programmer.command names (${command[deviceArg + 1]})`);
  }
  const programmer: Programmer = { tool, board, cable: optionalString(progF, 'cable'), usb: programmerUsb, mode, command, sram };

  const rails = root.field('rails').items().map((f) => ({ name: nonEmpty(f.field('name')), volts: positive(f.field('volts')), role: nonEmpty(f.field('role')) }));
  const notes = root.field('notes').items().map((f) => nonEmpty(f));
  const sourcesF = root.field('sources');
  const sources = sourcesF.items().map((f) => {
    const urlF = f.field('url');
    const url = urlF.string();
    if (!/^https?:\/\/\S+$/.test(url)) urlF.reject('an http(s) URL');
    return { url, checked: nonEmpty(f.field('checked')) };
  });
  if (sources.length === 0) sourcesF.reject('at least one source the pins were checked against');

  // Cross-check: every pin named in the JSON is in the pcf, on the same package pin, once.
  const named: [string, BoardPin][] = [
    ['clock', clock],
    ['uart.rx', uart.rx],
    ['uart.tx', uart.tx],
    ...leds.map((l, i): [string, BoardPin] => [`leds[${i}]`, l]),
    ...tieHigh.map((t, i): [string, BoardPin] => [`tieHigh[${i}]`, t]),
  ];
  const seenPorts = new Map<string, string>();
  for (const [path, p] of named) {
    const other = seenPorts.get(p.port);
    if (other) throw new UserError(`${file}: field ${path}.port is "${p.port}", which ${other} already uses`);
    seenPorts.set(p.port, path);
    const inPcf = pcf.pins.get(p.port);
    if (!inPcf) throw new UserError(`${file}: field ${path}.port is "${p.port}", expected a port placed in ${constraintsFile} (it has: ${[...pcf.pins.keys()].join(', ')})`);
    if (inPcf.pin !== p.pin) throw new UserError(`${file}: field ${path}.pin is "${p.pin}", expected "${inPcf.pin}" as in ${constraintsFile}:${inPcf.line}`);
  }

  return {
    name,
    title,
    file,
    constraintsFile,
    fpga: { family, device: deviceId, package: pkg, logicCells },
    device,
    clock,
    uart,
    leds,
    tieHigh,
    asGpio,
    programmer,
    rails,
    notes,
    sources,
    text: { json, constraints: pcf.text },
    constraints: pcf,
  };
}

/** All boards in boards/, validated, sorted by name. */
export function listBoards(boardsDir = BOARDS_DIR): Board[] {
  return listBoardFiles(boardsDir)
    .map((f) => loadBoard(f, boardsDir))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The programmer argv for a bitstream: the template with ${BIN_FILE} filled in. Throws if a
 * placeholder stays unresolved.
 */
export function programmerCommand(board: Board, binFile: string): string[] {
  const argv = board.programmer.command.map((a) => a.split('${BIN_FILE}').join(binFile));
  const left = argv.find((a) => /\$\{[^}]*\}/.test(a));
  if (left) throw new UserError(`${board.file}: programmer.command still has a placeholder after filling in: ${left}`);
  return argv;
}
