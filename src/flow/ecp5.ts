import { planEcppack } from './ecppack.js';
import { planNextpnrEcp5 } from './nextpnrEcp5.js';
import { planYosys } from './yosys.js';
import { COMMON_FILES, PNR_DEFAULTS_YOWASP, partOf, type FamilyFlow } from './family.js';

const FILES = { ...COMMON_FILES, constraints: 'board.lpf', placed: 'pnr.config', routed: 'pnr-routed.json', bitstream: 'design.bit' } as const;

/** ECP5: synth_ecp5 -> nextpnr-ecp5 (text configuration, and the routed netlist as JSON) -> ecppack. */
export const ECP5_FLOW: FamilyFlow = {
  family: 'ecp5',
  tools: ['yosys', 'nextpnr-ecp5', 'ecppack'],
  files: FILES,
  logicCellResource: 'TRELLIS_COMB',
  ioResource: 'TRELLIS_IO',
  logicCellUnit: 'TRELLIS_COMB',
  // router2 and a time budget: LGN cores are routing-bound (figures at PNR_DEFAULTS_YOWASP).
  pnrDefaults: PNR_DEFAULTS_YOWASP,
  plan(board, sources, top, o) {
    const part = partOf(board, 'ecp5');
    const f = FILES;
    return [
      planYosys(sources, { top, family: 'ecp5', abc9: o.abc9, noWideLut: true, netlist: f.netlist, stat: f.stat }),
      planNextpnrEcp5({ deviceFlag: part.nextpnrFlag, package: board.fpga.package, lpf: f.constraints, netlist: f.netlist, config: f.placed, routed: f.routed, report: f.report, freqMHz: o.freqMHz, seed: o.seed, ...(o.router ? { router: o.router } : {}) }),
      planEcppack(f.placed, f.bitstream),
    ];
  },
};
