import { planGowinPack } from './gowinPack.js';
import { gowinLogicTiles } from './logicTiles.js';
import { planNextpnrHimbaechelGowin, planNextpnrHimbaechelGowinPlace } from './nextpnrHimbaechel.js';
import { resolveTool } from './tools.js';
import { planYosys } from './yosys.js';
import { COMMON_FILES, PNR_DEFAULTS_YOWASP, partOf, type FamilyFlow } from './family.js';

const FILES = {
  ...COMMON_FILES,
  constraints: 'board.cst',
  placed: 'pnr.json',
  routed: 'pnr.json',
  bitstream: 'design.fs',
  spread: { placement: 'place.json', netlist: 'spread.json', report: 'place-report.json' },
} as const;

/**
 * Gowin: synth_gowin -> nextpnr-himbaechel (routed netlist JSON) -> gowin_pack; big designs first
 * placed alone and spread over the part (spread.ts).
 */
export const GOWIN_FLOW: FamilyFlow = {
  family: 'gowin',
  tools: ['yosys', 'nextpnr-himbaechel', 'gowin_pack'],
  files: FILES,
  logicCellResource: 'LUT4',
  ioResource: 'IOB',
  logicCellUnit: 'LUT4',
  // Gowin's nextpnr (himbaechel) is the same WebAssembly build and routing problem: ECP5's defaults (ecp5.ts).
  pnrDefaults: PNR_DEFAULTS_YOWASP,
  spreader: {
    planPlace(board, o) {
      const part = partOf(board, 'gowin');
      return planNextpnrHimbaechelGowinPlace({ device: part.partNumbers[board.fpga.package]!, family: part.chipFamily, cst: FILES.constraints, netlist: FILES.netlist, placement: FILES.spread.placement, report: FILES.spread.report, freqMHz: o.freqMHz, seed: o.seed });
    },
    // An ALU takes a LUT's place in a slice.
    logicCells: (stat) => stat.luts + stat.carries,
    async logicTiles(board) {
      return gowinLogicTiles(partOf(board, 'gowin'), await resolveTool('gowin_pack'));
    },
  },
  plan(board, sources, top, o, pnrNetlist = FILES.netlist) {
    const part = partOf(board, 'gowin');
    const f = FILES;
    const device = part.partNumbers[board.fpga.package]!;
    return [
      planYosys(sources, { top, family: 'gowin', abc9: o.abc9, noWideLut: true, ...(part.yosysFamily ? { gowinFamily: part.yosysFamily } : {}), netlist: f.netlist, stat: f.stat }),
      planNextpnrHimbaechelGowin({ device, family: part.chipFamily, cst: f.constraints, netlist: pnrNetlist, routed: f.placed, report: f.report, freqMHz: o.freqMHz, seed: o.seed, ...(o.router ? { router: o.router } : {}) }),
      planGowinPack(part.chipFamily, f.placed, f.bitstream, board.asGpio),
    ];
  },
};
