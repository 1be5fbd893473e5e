import { planIcepack } from './icepack.js';
import { planNextpnr } from './nextpnr.js';
import { planYosys } from './yosys.js';
import { COMMON_FILES, partOf, type FamilyFlow } from './family.js';

/** iCE40: synth_ice40 -> nextpnr-ice40 -> icepack (build.ts adds icetime's cross-check). */
export const ICE40_FLOW: FamilyFlow = {
  family: 'ice40',
  tools: ['yosys', 'nextpnr-ice40', 'icepack'],
  files: { ...COMMON_FILES, constraints: 'board.pcf', placed: 'pnr.asc', bitstream: 'design.bin' },
  logicCellResource: 'ICESTORM_LC',
  ioResource: 'SB_IO',
  logicCellUnit: 'LCs',
  // nextpnr-ice40's own router (router1); a full UP5K places and routes in minutes (see scripts/bench-build).
  pnrDefaults: { router: null, budgetMs: 30 * 60_000 },
  plan(board, sources, top, o) {
    const device = partOf(board, 'ice40');
    const f = this.files;
    return [
      planYosys(sources, { top, family: 'ice40', abc9: o.abc9, ice40Device: device.yosysDevice, netlist: f.netlist, stat: f.stat }),
      planNextpnr({ device, package: board.fpga.package, pcf: f.constraints, netlist: f.netlist, asc: f.placed, report: f.report, freqMHz: o.freqMHz, seed: o.seed, ...(o.router ? { router: o.router } : {}) }),
      planIcepack(f.placed, f.bitstream),
    ];
  },
};
