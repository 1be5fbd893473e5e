import { listBoards, loadBoard, partCapacity, type Board, type FpgaFamily, type PartCapacity } from '../../board/index.js';
import { flowSupport, type FlowSupport } from '../../flow/support.js';
import { UserError } from '../../util/errors.js';
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
  /** Whether this machine's flow for the family can place and route the part (src/flow/support.ts). */
  flow: FlowSupport;
  file: string;
}

export function summariseBoard(b: Board, flow: FlowSupport): BoardSummary {
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
    flow,
    file: b.file,
  };
}

export const boardsCommand = defineCommand<{ boards: BoardSummary[] }>({
  name: 'boards',
  usage: 'gatebench boards [BOARD | path/to/board.json] [--json]',
  summary: 'the boards gatebench can build for, with their capacity and whether the installed flow can place their part',
  details: [
    'Every board file is validated on load (a wrong field is one line naming the file and field, exit 2). With a board',
    "name or file, only that board, and it is an error (exit 2) when no installed flow can place its part: a family tool",
    "that is missing, or a place-and-route tool without the part's chip database.",
  ].join('\n'),
  flags: {},
  async run(positionals) {
    if (positionals.length > 1) throw new UserError(`Expected at most one board, got ${positionals.length} (usage: ${this.usage})`);
    const one = positionals[0];
    const boards = one === undefined ? listBoards() : [loadBoard(one)];
    const summaries = await Promise.all(boards.map(async (b) => summariseBoard(b, await flowSupport(b))));
    const unsupported = summaries.find((s) => !s.flow.supported);
    if (one !== undefined && unsupported && !unsupported.flow.supported) throw new UserError(unsupported.flow.message);
    return { boards: summaries };
  },
  render({ boards }) {
    const n = (v: number): string => v.toLocaleString('en-US');
    const rows = [
      ['board', 'family', 'FPGA', 'LUT4s', 'FFs', 'BRAMs', 'clock', 'UART rx/tx', 'programmer', 'flow'],
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
        b.flow.supported ? 'ok' : 'NOT INSTALLED',
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const numeric = new Set([3, 4, 5]);
    const families = new Set(boards.map((b) => b.family));
    const bramKinds = new Map(boards.map((b) => [b.family, `${b.family} ${b.capacity.bramKind}`]));
    return [
      ...rows.map((r) => r.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()),
      `${boards.length} board${boards.length === 1 ? '' : 's'} in ${families.size} famil${families.size === 1 ? 'y' : 'ies'}; BRAMs: ${[...bramKinds.values()].join(', ')}`,
      ...boards.flatMap((b) => (b.flow.supported ? [] : [b.flow.message])),
    ].join('\n');
  },
});
