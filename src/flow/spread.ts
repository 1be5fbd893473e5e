/**
 * Spread placement (ECP5, Gowin): nextpnr places the design, gatebench stretches that placement over
 * the part and locks the LUTs and flip-flops there, and nextpnr places the rest and routes.
 *
 * Why: an LGN's wiring is random, so it has no locality for a placer to find, and nextpnr's HeAP
 * packs any design densely next to the I/O (nextpnr-ecp5's Arch::place fixes the spreading density
 * at 75% and overrides --placer-heap-beta; on Gowin that flag is honoured but 0.3 instead of 0.9
 * grew the cluster from 1,550 to only 2,019 tiles). For a random graph the wire demand per tile of
 * such a cluster grows with its side, while the tiles' wires do not. Measured on a trained
 * 3 x 4000 MNIST model:
 * - ECP5 (LFE5U-85F, 11,201 TRELLIS_COMB, 13%): unspread it sat in 1,578 tiles at 7.1 cells a tile
 *   and router2 still had 8,173 wires overused after 32 passes (hours). Stretched 2 times each way
 *   (what --spread auto does there) it routed in 76 passes: 108 s of placement alone, 180 s of
 *   place and route (1.8 times: 64 passes).
 * - Gowin (GW5AST-138C, 11,156 LUT4, 8%): unspread, router2 stopped at the 60-minute CPU budget at
 *   pass 129 with 532 wires overused (74 min). Stretched 2 times, it routed in 10 passes: 70 s,
 *   after 120 s of placement alone.
 * Stretching keeps what the placer found (neighbours stay neighbours, each tile's cells stay
 * together in their slots, so packing rules hold) and gives every net's wires more tiles to pass
 * through.
 *
 * Only cells that keep their name from the synthesised netlist into nextpnr's are locked (the
 * family's LogicTileBels.lockable). Carry chains (ECP5's CCU2C, split by its packer; Gowin's ALU)
 * and cells a packer adds (Gowin's pass-through LUTs in front of flip-flops) are left to nextpnr,
 * which puts them beside the locked cells they belong to, so no chain is broken by the stretch.
 */

/** How a family's nextpnr names the slots of a logic tile, and which cells a lock holds on. */
export interface LogicTileBels {
  /** A BEL name's tile (nextpnr's X and Y) and slot in it; null for a BEL outside the logic tiles' slots. */
  parse(bel: string): { readonly x: number; readonly y: number; readonly slot: string } | null;
  format(x: number, y: number, slot: string): string;
  /** Synthesised cell types the family's packer keeps by name, so a BEL attribute on them holds. */
  lockable(type: string): boolean;
}

/** The logic tiles of a part, by nextpnr's X (column) and Y (row), and how their slots are named. */
export interface LogicTiles {
  readonly part: string;
  /** "x,y" of every logic tile. */
  readonly tiles: ReadonlySet<string>;
  readonly columns: readonly number[];
  readonly rows: readonly number[];
  readonly bels: LogicTileBels;
}

export interface SpreadSummary {
  /** How far the placement was stretched, each way. */
  readonly factor: number;
  /** Cells locked at their stretched place (LogicTileBels.lockable). */
  readonly lockedCells: number;
  /** Tiles those cells occupy, before and after the stretch (the same number: tiles move whole). */
  readonly tiles: number;
}

/** Stretch at most this much: beyond it the longer wires cost more Fmax than the router gains. */
export const MAX_SPREAD = 2;
/** Below this there is too little room on the part to be worth a second placement. */
export const MIN_SPREAD = 1.25;
/** What `--spread F` accepts: from MIN_SPREAD to twice MAX_SPREAD (the part may cap it lower). */
export const SPREAD_FACTORS = `a factor from ${MIN_SPREAD} to ${MAX_SPREAD * 2}`;
export const isSpreadFactor = (f: number): boolean => f >= MIN_SPREAD && f <= MAX_SPREAD * 2;
/**
 * `--spread auto` spreads designs of at least this many logic cells (PlacementSpreader.logicCells:
 * TRELLIS_COMB, Gowin's LUT4 and ALU). Measured on ECP5 (LFE5U-85F), unspread: 5,558 routed (a
 * sweep cell, 25.1 MHz), 6,067 routed in 707 s, 6,492 (a 4 x 2000 model) was not routed in
 * 12 minutes (router2 pass 14, 7,571 wires overused) and 11,201 not in hours. Spread 2x, the
 * 6,492 routed at pass 64 in 751 s on a loaded machine.
 */
export const AUTO_SPREAD_MIN_CELLS = 6000;

const key = (x: number, y: number): string => `${x},${y}`;

/** The logic tiles of a part from its tiles' coordinates (logicTiles.ts reads them per family). */
export function logicTilesOf(part: string, coordinates: Iterable<readonly [x: number, y: number]>, bels: LogicTileBels): LogicTiles {
  const tiles = new Set<string>();
  const columns = new Set<number>();
  const rows = new Set<number>();
  for (const [x, y] of coordinates) {
    tiles.add(key(x, y));
    columns.add(x);
    rows.add(y);
  }
  const sorted = (set: Set<number>): number[] => [...set].sort((p, q) => p - q);
  return { part, tiles, columns: sorted(columns), rows: sorted(rows), bels };
}

interface JsonCell {
  type: string;
  attributes?: Record<string, string>;
}
interface JsonModule {
  attributes?: Record<string, string>;
  cells?: Record<string, JsonCell>;
}
interface JsonNetlist {
  modules: Record<string, JsonModule>;
}

/** The module nextpnr placed: the one marked top, else the one with the most cells. */
function topModule(netlist: JsonNetlist, what: string): JsonModule {
  const modules = Object.values(netlist.modules ?? {});
  const marked = modules.find((m) => m.attributes?.['top'] !== undefined && /1$/.test(String(m.attributes['top'])));
  const top = marked ?? modules.reduce<JsonModule | undefined>((a, m) => (!a || Object.keys(m.cells ?? {}).length > Object.keys(a.cells ?? {}).length ? m : a), undefined);
  if (!top?.cells) throw new Error(`${what}: no module with cells`);
  return top;
}

/**
 * The stretch `factor` (or, for 'fill', the largest up to MAX_SPREAD that fits the part) of the
 * placement nextpnr wrote (`placed`, its --write JSON after --no-route) applied to the synthesised
 * `netlist`: each lockable cell gets a BEL attribute at its tile's stretched place, about the middle
 * of the part's logic tiles. Returns null when the part has no room for at least MIN_SPREAD.
 */
export function spreadPlacement(netlistText: string, placedText: string, logic: LogicTiles, factor: number | 'fill'): { netlist: string; summary: SpreadSummary } | null {
  const netlist = JSON.parse(netlistText) as JsonNetlist;
  const cells = topModule(netlist, 'synthesised netlist').cells!;
  const placed = topModule(JSON.parse(placedText) as JsonNetlist, "nextpnr's placed netlist").cells!;
  const column = new Map(logic.columns.map((x, i) => [x, i]));
  const row = new Map(logic.rows.map((y, i) => [y, i]));

  // Lockable cells by tile, in index space (columns and rows of logic tiles: block RAM rows skipped).
  const byTile = new Map<string, { ci: number; ri: number; cells: { name: string; slot: string }[] }>();
  for (const [name, cell] of Object.entries(placed)) {
    const bel = cell.attributes?.['NEXTPNR_BEL'] ?? '';
    const at = logic.bels.parse(bel);
    if (!at || !logic.bels.lockable(cells[name]?.type ?? '')) continue;
    const ci = column.get(at.x);
    const ri = row.get(at.y);
    if (ci === undefined || ri === undefined) throw new Error(`nextpnr placed ${name} at ${bel}, not a logic tile of ${logic.part}`);
    const tile = key(ci, ri);
    const entry = byTile.get(tile) ?? { ci, ri, cells: [] };
    entry.cells.push({ name, slot: at.slot });
    byTile.set(tile, entry);
  }
  const used = [...byTile.values()];
  if (used.length === 0) return null;
  const span = (pick: (t: { ci: number; ri: number }) => number): { lo: number; hi: number } => ({ lo: Math.min(...used.map(pick)), hi: Math.max(...used.map(pick)) });
  const cs = span((t) => t.ci);
  const rs = span((t) => t.ri);
  const fits = Math.min((logic.columns.length - 1) / Math.max(1, cs.hi - cs.lo), (logic.rows.length - 1) / Math.max(1, rs.hi - rs.lo));
  const s = factor === 'fill' ? Math.min(MAX_SPREAD, fits) : Math.min(factor, fits);
  if (s < MIN_SPREAD) return null;

  // Stretch about the cluster's middle onto the part's middle; a tile landing on a hole in the
  // grid or on a tile already taken goes to the nearest free logic tile (rings in index space).
  const midC = (cs.lo + cs.hi) / 2;
  const midR = (rs.lo + rs.hi) / 2;
  const partC = (logic.columns.length - 1) / 2;
  const partR = (logic.rows.length - 1) / 2;
  const taken = new Set<string>();
  const free = (ci: number, ri: number): boolean => ci >= 0 && ri >= 0 && ci < logic.columns.length && ri < logic.rows.length && !taken.has(key(ci, ri)) && logic.tiles.has(key(logic.columns[ci]!, logic.rows[ri]!));
  const nearestFree = (ci: number, ri: number): [number, number] => {
    for (let r = 0; r <= logic.columns.length + logic.rows.length; r++) {
      for (let dc = -r; dc <= r; dc++) {
        const dr = r - Math.abs(dc);
        for (const d of dr === 0 ? [0] : [dr, -dr]) if (free(ci + dc, ri + d)) return [ci + dc, ri + d];
      }
    }
    throw new Error(`no free logic tile left on ${logic.part}`);
  };
  let locked = 0;
  for (const t of used.sort((a, b) => a.ri - b.ri || a.ci - b.ci)) {
    const [ci, ri] = nearestFree(Math.round(partC + (t.ci - midC) * s), Math.round(partR + (t.ri - midR) * s));
    taken.add(key(ci, ri));
    const x = logic.columns[ci]!;
    const y = logic.rows[ri]!;
    for (const c of t.cells) {
      cells[c.name]!.attributes = { ...cells[c.name]!.attributes, BEL: logic.bels.format(x, y, c.slot) };
      locked++;
    }
  }
  return { netlist: JSON.stringify(netlist), summary: { factor: Number(s.toFixed(3)), lockedCells: locked, tiles: used.length } };
}
