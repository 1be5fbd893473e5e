/**
 * Each spreading family's logic tiles (spread.ts), read from the device database its installed
 * tools use, and how its nextpnr names the slots in them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Ecp5Part, GowinPart } from '../board/devices.js';
import { logicTilesOf, type LogicTileBels, type LogicTiles } from './spread.js';
import { pythonOf, toolShareFolders, type ResolvedTool } from './tools.js';

/** nextpnr-ecp5: "X<x>/Y<y>/SLICEA.K0"; LUT4 and TRELLIS_FF keep their names through its packer (CCU2C is split). */
export const ECP5_BELS: LogicTileBels = {
  parse(bel) {
    const m = /^X(\d+)\/Y(\d+)\/(SLICE[A-D]\.\w+)$/.exec(bel);
    return m ? { x: Number(m[1]), y: Number(m[2]), slot: m[3]! } : null;
  },
  format: (x, y, slot) => `X${x}/Y${y}/${slot}`,
  lockable: (type) => type === 'LUT4' || type === 'TRELLIS_FF',
};

/**
 * nextpnr-himbaechel (Gowin): "X<x>Y<y>/LUT3", "X<x>Y<y>/DFF3"; LUT1..LUT4 and the DFF variants keep
 * their names through its packer (ALUs go into chains; pass-through LUTs it adds are not in the
 * synthesised netlist).
 */
export const GOWIN_BELS: LogicTileBels = {
  parse(bel) {
    const m = /^X(\d+)Y(\d+)\/((?:LUT|DFF)\d)$/.exec(bel);
    return m ? { x: Number(m[1]), y: Number(m[2]), slot: m[3]! } : null;
  },
  format: (x, y, slot) => `X${x}Y${y}/${slot}`,
  lockable: (type) => /^(LUT[1-4]|DFF[A-Z]*)$/.test(type),
};

/** The Trellis database folders of a resolved ECP5 tool (ecppack reads the same database): share/trellis/database. */
export function trellisDatabaseFolders(tool: ResolvedTool): string[] {
  return toolShareFolders(tool)
    .map((share) => join(share, 'trellis', 'database'))
    .filter((d) => existsSync(d));
}

/** Parsing a tile grid takes about half a second, and `--pipeline auto` spreads once per try: once per file and process. */
const ecp5Grids = new Map<string, LogicTiles>();

/** An ECP5 part's logic tiles (PLC2 in the Trellis tile grid, "R<row>C<col>:PLC2"). */
export function ecp5LogicTiles(part: Ecp5Part, databaseFolders: readonly string[]): LogicTiles {
  const grid = databaseFolders.map((d) => join(d, 'ECP5', part.part, 'tilegrid.json')).find((f) => existsSync(f));
  if (!grid) throw new Error(`no Trellis tile grid for ${part.part} in ${databaseFolders.join(', ') || 'any database folder'}`);
  const cached = ecp5Grids.get(grid);
  if (cached) return cached;
  const coordinates = Object.keys(JSON.parse(readFileSync(grid, 'utf8')) as Record<string, unknown>).flatMap((name) => {
    const m = /^R(\d+)C(\d+):PLC2$/.exec(name);
    return m ? [[Number(m[2]), Number(m[1])] as const] : [];
  });
  const tiles = logicTilesOf(part.part, coordinates, ECP5_BELS);
  ecp5Grids.set(grid, tiles);
  return tiles;
}

/**
 * Prints the "x,y" of every tile with LUTs in apycula's chip database of the part named by argv[1],
 * loaded as gowin_pack loads it; nextpnr-himbaechel's X and Y are that grid's column and row.
 */
const GOWIN_GRID_SCRIPT = `
import importlib.resources, json, sys
from apycula import chipdb
db = chipdb.load_chipdb(str(importlib.resources.files('apycula') / (sys.argv[1] + '.msgpack.xz')))
print(json.dumps([[x, y] for y, row in enumerate(db.grid) for x, t in enumerate(row) if 'LUT0' in db.tiles[t].bels]))
`;

/** Reading the database takes about 4 s (18 MB of compressed msgpack for the GW5AST-138C): once per part, gowin_pack and process. */
const gowinGrids = new Map<string, Promise<LogicTiles>>();

/** A Gowin part's logic tiles, from apycula's chip database through the Python that runs `gowinPack` (gowin_pack). */
export function gowinLogicTiles(part: GowinPart, gowinPack: ResolvedTool): Promise<LogicTiles> {
  const key = `${gowinPack.path} ${gowinPack.version} ${part.chipFamily}`;
  const cached = gowinGrids.get(key);
  if (cached) return cached;
  const read = (async () => {
    const [python, ...args] = pythonOf(gowinPack);
    const r = await execa(python!, [...args, '-c', GOWIN_GRID_SCRIPT, part.chipFamily], { timeout: 120_000, reject: false });
    if (r.exitCode !== 0) throw new Error(`reading apycula's chip database of ${part.chipFamily} with ${python} failed (exit ${r.exitCode}): ${String(r.stderr ?? '').trim().split('\n').pop()}`);
    return logicTilesOf(part.chipFamily, JSON.parse(r.stdout) as [number, number][], GOWIN_BELS);
  })();
  gowinGrids.set(key, read);
  read.catch(() => gowinGrids.delete(key));
  return read;
}
