import { planEcppack } from './ecppack.js';
import { planNextpnrEcp5, planNextpnrEcp5Place } from './nextpnrEcp5.js';
import { ecp5LogicTiles, trellisDatabaseFolders } from './logicTiles.js';
import { resolveTool } from './tools.js';
import { planYosys } from './yosys.js';
import { COMMON_FILES, PNR_DEFAULTS_YOWASP, partOf, type FamilyFlow } from './family.js';

const FILES = {
  ...COMMON_FILES,
  constraints: 'board.lpf',
  placed: 'pnr.config',
  routed: 'pnr-routed.json',
  bitstream: 'design.bit',
  spread: { placement: 'place.json', netlist: 'spread.json', report: 'place-report.json' },
} as const;

/**
 * ECP5: synth_ecp5 -> nextpnr-ecp5 (text configuration, and the routed netlist as JSON) -> ecppack;
 * big designs first placed alone and spread over the part (spread.ts).
 */
export const ECP5_FLOW: FamilyFlow = {
  family: 'ecp5',
  tools: ['yosys', 'nextpnr-ecp5', 'ecppack'],
  files: FILES,
  logicCellResource: 'TRELLIS_COMB',
  ioResource: 'TRELLIS_IO',
  logicCellUnit: 'TRELLIS_COMB',
  // router2 and a time budget: LGN cores are routing-bound (figures at PNR_DEFAULTS_YOWASP).
  pnrDefaults: PNR_DEFAULTS_YOWASP,
  spreader: {
    planPlace(board, o) {
      const part = partOf(board, 'ecp5');
      return planNextpnrEcp5Place({ deviceFlag: part.nextpnrFlag, package: board.fpga.package, lpf: FILES.constraints, netlist: FILES.netlist, placement: FILES.spread.placement, report: FILES.spread.report, freqMHz: o.freqMHz, seed: o.seed });
    },
    // A CCU2C is two TRELLIS_COMB.
    logicCells: (stat) => stat.luts + 2 * stat.carries,
    async logicTiles(board) {
      return ecp5LogicTiles(partOf(board, 'ecp5'), trellisDatabaseFolders(await resolveTool('ecppack')));
    },
  },
  plan(board, sources, top, o, pnrNetlist = FILES.netlist) {
    const part = partOf(board, 'ecp5');
    const f = FILES;
    return [
      planYosys(sources, { top, family: 'ecp5', abc9: o.abc9, noWideLut: true, netlist: f.netlist, stat: f.stat }),
      planNextpnrEcp5({ deviceFlag: part.nextpnrFlag, package: board.fpga.package, lpf: f.constraints, netlist: pnrNetlist, config: f.placed, routed: f.routed, report: f.report, freqMHz: o.freqMHz, seed: o.seed, ...(o.router ? { router: o.router } : {}) }),
      planEcppack(f.placed, f.bitstream),
    ];
  },
};
