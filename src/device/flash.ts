import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { programmerCommand, type Board } from '../board/board.js';
import { NO_CABLE_HINT } from '../board/presence.js';
import { UserError } from '../util/errors.js';

/** Why a flash failed. */
export type FlashFailure = 'tool-missing' | 'no-cable' | 'usb-permission' | 'failed' | 'timeout' | 'no-bitstream';

/** A failed flash: a reason to branch on, the command, and the tail of what the tool said. */
export class FlashError extends UserError {
  constructor(
    message: string,
    readonly reason: FlashFailure,
    readonly command: readonly string[],
    readonly outputTail: string,
    readonly durationMs: number,
  ) {
    super(message);
    this.name = 'FlashError';
  }
}

export interface FlashResult {
  command: readonly string[];
  durationMs: number;
  /** The tool's output, last lines. */
  outputTail: string;
}

export interface FlashOptions {
  /** Give up after this long (default 60 s: writing a UP5K's flash takes ~10 s; a missing cable fails in well under a second). */
  timeoutMs?: number;
  /** Run this executable instead of the board's tool (tests). */
  executable?: string;
}

const HINTS: Record<Exclude<FlashFailure, 'failed' | 'timeout' | 'no-bitstream'>, string> = {
  'tool-missing': 'install it (Debian: apt-get install openfpgaloader; iceprog is in fpga-icestorm), then run again',
  'no-cable': NO_CABLE_HINT,
  'usb-permission': 'install the udev rules of openFPGALoader (99-openfpgaloader.rules) and add yourself to the plugdev group, or run once with sudo to confirm',
};

/**
 * Classify a programmer's output. openFPGALoader's exit code is not trusted for iCE40 (it can
 * print FAIL and exit 0): success needs DONE (or iceprog's "done.") and no failure line.
 */
export function classifyFlashOutput(tool: string, output: string, exitCode: number | undefined): { ok: true } | { ok: false; reason: FlashFailure; detail: string } {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const find = (re: RegExp): string | undefined => lines.find((l) => re.test(l));
  const perm = find(/-4 \(usb_open\(\) failed\)|LIBUSB_ERROR_ACCESS|usb_open\(\) failed|permission denied/i);
  if (perm) return { ok: false, reason: 'usb-permission', detail: perm };
  const noCable = find(/-3 \(device not found\)|device not found|no device found|Can't find iCE FTDI USB device|No cable/i);
  if (noCable) return { ok: false, reason: 'no-cable', detail: noCable };
  const fail = find(/\bFAIL\b|^Error\b|\berror:/i);
  if (fail) return { ok: false, reason: 'failed', detail: fail };
  const done = tool === 'iceprog' ? find(/^done\.?$|^Bye\.?$/i) : find(/\bDONE\b/);
  if (done && (exitCode === 0 || exitCode === undefined)) return { ok: true };
  return { ok: false, reason: 'failed', detail: lines[lines.length - 1] ?? `${tool} exited with code ${exitCode} and printed nothing` };
}

/**
 * Program a bitstream with the board's programmer (argv from the board file, run through execa
 * with an argument array), parsing its output for the outcome. Throws FlashError.
 */
export async function flashBitstream(board: Board, binFile: string, options: FlashOptions = {}): Promise<FlashResult> {
  const argv = programmerCommand(board, binFile);
  const [tool, ...args] = argv as [string, ...string[]];
  const started = performance.now();
  const fail = (reason: FlashFailure, message: string, tail: string): never => {
    throw new FlashError(message, reason, argv, tail, performance.now() - started);
  };
  if (!existsSync(binFile)) fail('no-bitstream', `cannot flash ${board.name}: bitstream ${binFile} does not exist`, '');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const r = await execa(options.executable ?? tool, args, { reject: false, all: true, stdin: 'ignore', timeout: timeoutMs, forceKillAfterDelay: 2000 });
  const output = String(r.all ?? '');
  const tail = output.split('\n').filter((l) => l.trim()).slice(-15).join('\n');
  const shown = argv.join(' ');
  if (r.timedOut) fail('timeout', `flashing ${board.name} timed out after ${timeoutMs} ms (${shown})`, tail);
  if ((r as { code?: string }).code === 'ENOENT' || (r.exitCode === undefined && /ENOENT/.test(String(r.message)))) {
    fail('tool-missing', `cannot flash ${board.name}: ${tool} is not installed; ${HINTS['tool-missing']}`, tail);
  }
  const verdict = classifyFlashOutput(tool, output, r.exitCode);
  if (!verdict.ok) {
    const hint = verdict.reason === 'no-cable' || verdict.reason === 'usb-permission' ? `; ${HINTS[verdict.reason]}` : '';
    const what = verdict.reason === 'no-cable' ? 'no programming cable or board found' : verdict.reason === 'usb-permission' ? 'no permission to open the USB device' : 'the programmer reported a failure';
    fail(verdict.reason, `flashing ${board.name} failed: ${what} (${tool}: ${verdict.detail})${hint}`, tail);
  }
  return { command: argv, durationMs: performance.now() - started, outputTail: tail };
}
