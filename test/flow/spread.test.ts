import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ECP5_PARTS, GOWIN_PARTS } from '../../src/board/devices.js';
import { ECP5_BELS, ecp5LogicTiles, GOWIN_BELS, gowinLogicTiles, trellisDatabaseFolders } from '../../src/flow/logicTiles.js';
import { logicTilesOf, MAX_SPREAD, spreadPlacement, type LogicTileBels, type LogicTiles } from '../../src/flow/spread.js';
import { resolveTool } from '../../src/flow/tools.js';

/** A part of 20 x 12 logic tiles whose row 6 is block RAM (no logic tiles), as ECP5's rows every 12 are. */
function smallPart(bels: LogicTileBels = ECP5_BELS): LogicTiles {
  const columns = Array.from({ length: 20 }, (_, i) => i + 2);
  const rows = Array.from({ length: 13 }, (_, i) => i + 2).filter((y) => y !== 8);
  return logicTilesOf('TEST', columns.flatMap((x) => rows.map((y) => [x, y] as const)), bels);
}

type Cell = { type: string; attributes: Record<string, string> };
const netlistOf = (cells: Record<string, Cell>): string => JSON.stringify({ modules: { top: { attributes: { top: '00000000000000000000000000000001' }, cells } } });

/**
 * A placement packed into 4 x 4 tiles at x 10..13, y 6..10 (row 8 skipped): two LUTs and a flip-flop
 * per tile, plus a carry cell nextpnr renamed and one the placer made.
 */
function cluster(): { synth: Record<string, Cell>; placed: Record<string, Cell> } {
  const synth: Record<string, Cell> = {};
  const placed: Record<string, Cell> = {};
  for (const x of [10, 11, 12, 13]) {
    for (const y of [6, 7, 9, 10]) {
      for (const [name, type, bel] of [[`lut_${x}_${y}_a`, 'LUT4', 'SLICEA.K0'], [`lut_${x}_${y}_b`, 'LUT4', 'SLICEA.K1'], [`ff_${x}_${y}`, 'TRELLIS_FF', 'SLICEA.FF0']] as const) {
        synth[name] = { type, attributes: { src: 'core.v:1' } };
        placed[name] = { type: type === 'LUT4' ? 'TRELLIS_COMB' : type, attributes: { NEXTPNR_BEL: `X${x}/Y${y}/${bel}` } };
      }
    }
  }
  synth['adder'] = { type: 'CCU2C', attributes: {} };
  placed['adder$CCU2_COMB0'] = { type: 'TRELLIS_COMB', attributes: { NEXTPNR_BEL: 'X12/Y7/SLICEB.K0' } };
  placed['$nextpnr_CCU2C_1$CCU2_COMB0'] = { type: 'TRELLIS_COMB', attributes: { NEXTPNR_BEL: 'X12/Y7/SLICEC.K0' } };
  return { synth, placed };
}

const bels = (netlist: string): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries((JSON.parse(netlist) as { modules: { top: { cells: Record<string, Cell> } } }).modules.top.cells).map(([n, c]) => [n, c.attributes['BEL']]));
const tileOf = (bel: string): string => bel.split('/').slice(0, 2).join('/');

describe('spreadPlacement', () => {
  test('stretches the tiles by the factor about the part middle, keeps each tile whole and its slices, skips rows with no logic, leaves carry cells to the placer', () => {
    const { synth, placed } = cluster();
    const r = spreadPlacement(netlistOf(synth), netlistOf(placed), smallPart(), 2);
    assert.ok(r);
    assert.deepEqual(r.summary, { factor: 2, lockedCells: 48, tiles: 16 });
    const b = bels(r.netlist);
    assert.equal(b['adder'], undefined, 'carry chains are placed by nextpnr');
    // Columns 10..13 are indices 8..11 of the part's 20 (middle 9.5 both): round(9.5 + 2 (i - 9.5)) = 7, 9, 11, 13,
    // i.e. x 9, 11, 13, 15. Rows 6, 7, 9, 10 are indices 4..7 of 12 (middle 5.5 both): 3, 5, 7, 9, i.e. y 5, 7, 10, 12.
    const placedAt = (i: number): number[] => [...new Set(Object.values(b).filter((v): v is string => !!v).map((v) => Number(/^X(\d+)\/Y(\d+)/.exec(v)![i])))].sort((p, q) => p - q);
    assert.deepEqual(placedAt(1), [9, 11, 13, 15]);
    assert.deepEqual(placedAt(2), [5, 7, 10, 12]);
    for (const x of [10, 11, 12, 13]) {
      for (const y of [6, 7, 9, 10]) {
        const a = b[`lut_${x}_${y}_a`]!;
        assert.equal(tileOf(b[`lut_${x}_${y}_b`]!), tileOf(a), 'a tile moves whole');
        assert.equal(tileOf(b[`ff_${x}_${y}`]!), tileOf(a));
        assert.match(a, /\/SLICEA\.K0$/);
        assert.match(b[`ff_${x}_${y}`]!, /\/SLICEA\.FF0$/);
        assert.doesNotMatch(a, /\/Y8\//, 'row 8 has no logic tiles');
      }
    }
    assert.equal(new Set(Object.values(b).filter((v): v is string => !!v).map(tileOf)).size, 16, 'distinct tiles stay distinct');
    assert.equal(JSON.parse(r.netlist).modules.top.cells['lut_10_6_a'].attributes.src, 'core.v:1', 'other attributes are kept');
  });

  test("'fill' stretches as far as the part allows, up to MAX_SPREAD; no room at all gives null", () => {
    const { synth, placed } = cluster();
    assert.equal(spreadPlacement(netlistOf(synth), netlistOf(placed), smallPart(), 'fill')!.summary.factor, MAX_SPREAD);
    // A part of 5 x 4 logic tiles holds the 4 x 4 cluster with almost no room to stretch.
    const tight = logicTilesOf('TIGHT', [10, 11, 12, 13, 14].flatMap((x) => [6, 7, 9, 10].map((y) => [x, y] as const)), ECP5_BELS);
    assert.equal(spreadPlacement(netlistOf(synth), netlistOf(placed), tight, 'fill'), null);
  });

  test('a cell nextpnr placed off the logic tiles is an error naming it', () => {
    const { synth, placed } = cluster();
    placed['lut_10_6_a']!.attributes['NEXTPNR_BEL'] = 'X1/Y6/SLICEA.K0';
    assert.throws(() => spreadPlacement(netlistOf(synth), netlistOf(placed), smallPart(), 2), /lut_10_6_a at X1\/Y6\/SLICEA\.K0, not a logic tile of TEST/);
  });

  test("an LFE5U-85F's logic tiles from the installed Trellis database: 10,455 tiles (83,640 TRELLIS_COMB / 8), no logic in the block RAM rows", async () => {
    const part = ECP5_PARTS.find((p) => p.part === 'LFE5U-85F')!;
    const logic = ecp5LogicTiles(part, trellisDatabaseFolders(await resolveTool('ecppack')));
    assert.equal(logic.tiles.size, part.logicCells / 8);
    assert.ok(!logic.rows.includes(58) && !logic.rows.includes(70) && logic.rows.includes(59), 'rows 58 and 70 hold block RAM and DSPs');
  });

  test("Gowin's naming: LUTs and flip-flops locked in their slots as X<x>Y<y>/SLOT, ALUs and the packer's pass-through LUTs left to nextpnr", () => {
    const synth: Record<string, Cell> = {};
    const placed: Record<string, Cell> = {};
    for (const x of [10, 11]) {
      for (const [name, type, slot] of [[`lut_${x}`, 'LUT3', 'LUT0'], [`ff_${x}`, 'DFFRE', 'DFF0'], [`alu_${x}`, 'ALU', 'ALU1']] as const) {
        synth[name] = { type, attributes: {} };
        placed[name] = { type, attributes: { NEXTPNR_BEL: `X${x}Y6/${slot}` } };
      }
    }
    placed['ff_10_passthrough_lut$'] = { type: 'LUT4', attributes: { NEXTPNR_BEL: 'X10Y6/LUT1' } };
    const r = spreadPlacement(netlistOf(synth), netlistOf(placed), smallPart(GOWIN_BELS), 2);
    assert.ok(r);
    assert.deepEqual(r.summary, { factor: 2, lockedCells: 4, tiles: 2 });
    const b = bels(r.netlist);
    assert.deepEqual([b['alu_10'], b['alu_11'], b['ff_10_passthrough_lut$']], [undefined, undefined, undefined]);
    assert.match(b['lut_10']!, /^X\d+Y\d+\/LUT0$/);
    assert.equal(b['ff_10']!.replace('DFF0', 'LUT0'), b['lut_10'], 'the flip-flop stays in its LUT\'s slot');
    assert.notEqual(b['lut_10'], b['lut_11']);
  });

  test("a GW5AST-138C's logic tiles from apycula's chip database (the Python that runs gowin_pack): 17,280 tiles (138,240 LUT4 / 8), none in the block RAM and DSP rows", async () => {
    const part = GOWIN_PARTS.find((p) => p.chipFamily === 'GW5AST-138C')!;
    const logic = await gowinLogicTiles(part, await resolveTool('gowin_pack'));
    assert.equal(logic.tiles.size, part.logicCells / 8);
    assert.ok(!logic.rows.includes(9) && !logic.rows.includes(18) && logic.rows.includes(10), 'rows 9, 18 ... hold block RAM and DSPs');
    assert.equal(logic.bels, GOWIN_BELS);
  });
});
