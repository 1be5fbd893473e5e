import { listBoards, partCapacity, type Board, type FpgaFamily, type PartCapacity } from '../../board/index.js';
import { defineCommand } from '../command.js';

export interface BoardSummary {
  name: string;
  title: string;
  family: FpgaFamily;
  device: string;
  package: string;
  logicCells: number;
  capacity: PartCapacity;
  clock: { port: string; pin: string; mhz: number };
  uart: { rx: string; tx: string; cable: string };
  programmer: { tool: string; board: string | null; mode: 'sram' | 'flash'; command: string[] };
  file: string;
}

export function summariseBoard(b: Board): BoardSummary {
  return {
    name: b.name,
    title: b.title,
    family: b.fpga.family,
    device: b.device.part,
    package: b.fpga.package.toUpperCase(),
    logicCells: b.fpga.logicCells,
    capacity: partCapacity(b.device),
    clock: { port: b.clock.port, pin: b.clock.pin, mhz: b.clock.mhz },
    uart: { rx: b.uart.rx.pin, tx: b.uart.tx.pin, cable: `${b.uart.cable.chip} channel ${b.uart.cable.channel}` },
    programmer: { tool: b.programmer.tool, board: b.programmer.board, mode: b.programmer.mode, command: [...b.programmer.command] },
    file: b.file,
  };
}

export const boardsCommand = defineCommand<{ boards: BoardSummary[] }>({
  name: 'boards',
  usage: 'gatebench boards [--json]',
  summary: 'the boards gatebench can build for, with their capacity',
  flags: {},
  async run() {
    return { boards: listBoards().map(summariseBoard) };
  },
  render({ boards }) {
    const n = (v: number): string => v.toLocaleString('en-US');
    const rows = [
      ['board', 'family', 'FPGA', 'LUT4s', 'FFs', 'BRAMs', 'clock', 'UART rx/tx', 'programmer'],
      ...boards.map((b) => [
        b.name,
        b.family,
        `${b.device}-${b.package}`,
        n(b.capacity.luts),
        n(b.capacity.flipFlops),
        n(b.capacity.brams),
        `${b.clock.mhz} MHz on ${b.clock.pin}`,
        `${b.uart.rx}/${b.uart.tx} (${b.uart.cable})`,
        `${b.programmer.tool}${b.programmer.board ? ` -b ${b.programmer.board}` : ''} (${b.programmer.mode})`,
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const numeric = new Set([3, 4, 5]);
    const families = new Set(boards.map((b) => b.family));
    return [
      ...rows.map((r) => r.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()),
      `${boards.length} boards in ${families.size} families; BRAMs: ${[...new Map(boards.map((b) => [b.family, `${b.family} ${b.capacity.bramKind}`])).values()].join(', ')}`,
    ].join('\n');
  },
});
