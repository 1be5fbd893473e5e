import { planGowinPack } from './gowinPack.js';
import { planNextpnrHimbaechelGowin } from './nextpnrHimbaechel.js';
import { planYosys } from './yosys.js';
import { COMMON_FILES, PNR_DEFAULTS_YOWASP, partOf, type FamilyFlow } from './family.js';

/** Gowin: synth_gowin -> nextpnr-himbaechel (routed netlist JSON) -> gowin_pack. */
export const GOWIN_FLOW: FamilyFlow = {
  family: 'gowin',
  tools: ['yosys', 'nextpnr-himbaechel', 'gowin_pack'],
  files: { ...COMMON_FILES, constraints: 'board.cst', placed: 'pnr.json', routed: 'pnr.json', bitstream: 'design.fs' },
  logicCellResource: 'LUT4',
  ioResource: 'IOB',
  logicCellUnit: 'LUT4',
  // Gowin's nextpnr (himbaechel) is the same WebAssembly build and routing problem: ECP5's defaults (ecp5.ts).
  pnrDefaults: PNR_DEFAULTS_YOWASP,
  plan(board, sources, top, o) {
    const part = partOf(board, 'gowin');
    const f = this.files;
    const device = part.partNumbers[board.fpga.package]!;
    return [
      planYosys(sources, { top, family: 'gowin', abc9: o.abc9, noWideLut: true, ...(part.yosysFamily ? { gowinFamily: part.yosysFamily } : {}), netlist: f.netlist, stat: f.stat }),
      planNextpnrHimbaechelGowin({ device, family: part.chipFamily, cst: f.constraints, netlist: f.netlist, routed: f.placed, report: f.report, freqMHz: o.freqMHz, seed: o.seed, ...(o.router ? { router: o.router } : {}) }),
      planGowinPack(part.chipFamily, f.placed, f.bitstream, board.asGpio),
    ];
  },
};
