/**
 * The FPGA parts gatebench builds for, as data: per family, what the board files may name and what
 * the tools need. Capacities are the ones nextpnr reports as "available" (its --report JSON), so a
 * build's used/available is the tool's own figure.
 */
export type FpgaFamily = 'ice40' | 'ecp5' | 'gowin';
export const FPGA_FAMILIES: readonly FpgaFamily[] = ['ice40', 'ecp5', 'gowin'];

/**
 * An iCE40 part: logic-cell capacity, the nextpnr-ice40 device flag, icetime's -d name, the
 * packages nextpnr accepts for it, and yosys synth_ice40's -device letter.
 */
export interface Ice40Device {
  readonly family: 'ice40';
  readonly id: string;
  readonly part: string;
  readonly logicCells: number;
  readonly nextpnrFlag: string;
  readonly icetimeDevice: string;
  readonly yosysDevice: 'hx' | 'lp' | 'u';
  /** SB_RAM40_4K block RAMs and SB_MAC16 multipliers, as nextpnr-ice40 reports them available. */
  readonly brams: number;
  readonly dsps: number;
  readonly packages: readonly string[];
}

/**
 * An ECP5 part: logicCells counts nextpnr's TRELLIS_COMB (one LUT4 each; as many TRELLIS_FF),
 * the nextpnr-ecp5 device flag, and the packages (nextpnr's names).
 */
export interface Ecp5Part {
  readonly family: 'ecp5';
  readonly id: string;
  readonly part: string;
  readonly logicCells: number;
  /** DP16KD block RAMs and MULT18X18D multipliers. */
  readonly brams: number;
  readonly dsps: number;
  readonly nextpnrFlag: string;
  /** nextpnr-ecp5's chip database for the flag (chipdb-25k.bin serves the 12F and 25F). */
  readonly chipDatabase: '25k' | '45k' | '85k';
  readonly packages: readonly string[];
}

/**
 * A Gowin part: logicCells counts nextpnr-himbaechel's LUT4, chipFamily is the chip database
 * (--vopt family=, gowin_pack -d), and each package has its full part number with speed grade
 * (--device).
 */
export interface GowinPart {
  readonly family: 'gowin';
  readonly id: string;
  readonly part: string;
  readonly logicCells: number;
  readonly flipFlops: number;
  /** BSRAM blocks and multipliers: MULT18X18 on the GW1N and GW2A, MULTALU27X18 on the GW5A. */
  readonly brams: number;
  readonly dsps: number;
  readonly chipFamily: string;
  /**
   * synth_gowin -family where yosys' default (gw1n) does not fit the part: the GW5A has other
   * flip-flops (an init-1 register is DFFSE there, DFFS on the GW1N) and no MULT18X18. The GW1N and
   * GW2A parts keep the default their builds were measured with.
   */
  readonly yosysFamily?: GowinYosysFamily;
  readonly packages: readonly string[];
  readonly partNumbers: Readonly<Record<string, string>>;
}

/** synth_gowin -family values a part may need (GowinPart.yosysFamily). */
export type GowinYosysFamily = 'gw5a';

export type FpgaPart = Ice40Device | Ecp5Part | GowinPart;

const device = (d: Omit<Ice40Device, 'family'>): Ice40Device => ({ family: 'ice40', ...d });

export const ICE40_DEVICES: readonly Ice40Device[] = [
  device({ id: 'hx1k', part: 'iCE40HX1K', logicCells: 1280, nextpnrFlag: '--hx1k', icetimeDevice: 'hx1k', yosysDevice: 'hx', brams: 16, dsps: 0, packages: ['vq100', 'tq144', 'cb132'] }),
  device({ id: 'lp1k', part: 'iCE40LP1K', logicCells: 1280, nextpnrFlag: '--lp1k', icetimeDevice: 'lp1k', yosysDevice: 'lp', brams: 16, dsps: 0, packages: ['swg16tr', 'cm36', 'cm49', 'cm81', 'cm121', 'qn84', 'cb81', 'cb121'] }),
  device({ id: 'hx4k', part: 'iCE40HX4K', logicCells: 3520, nextpnrFlag: '--hx4k', icetimeDevice: 'hx4k', yosysDevice: 'hx', brams: 32, dsps: 0, packages: ['cb132', 'tq144', 'bg121'] }),
  device({ id: 'hx8k', part: 'iCE40HX8K', logicCells: 7680, nextpnrFlag: '--hx8k', icetimeDevice: 'hx8k', yosysDevice: 'hx', brams: 32, dsps: 0, packages: ['cm225', 'cb132', 'bg121', 'ct256'] }),
  device({ id: 'lp8k', part: 'iCE40LP8K', logicCells: 7680, nextpnrFlag: '--lp8k', icetimeDevice: 'lp8k', yosysDevice: 'lp', brams: 32, dsps: 0, packages: ['cm81', 'cm81:4k', 'cm121', 'cm121:4k', 'cm225', 'cm225:4k'] }),
  device({ id: 'up5k', part: 'iCE40UP5K', logicCells: 5280, nextpnrFlag: '--up5k', icetimeDevice: 'up5k', yosysDevice: 'u', brams: 30, dsps: 8, packages: ['sg48', 'uwg30'] }),
];

const ecp5 = (d: Omit<Ecp5Part, 'family' | 'packages'>): Ecp5Part => ({ family: 'ecp5', packages: ['CABGA256', 'CABGA381', 'CABGA554', 'CABGA756', 'CSFBGA285', 'TQFP144'], ...d });

/**
 * LFE5U (and LFE5UM5G) parts. Capacities from nextpnr-ecp5 0.11's report. The 12F is the 25F's die:
 * nextpnr reports (and places into) the 25F's 24,288, although Lattice rates the 12F at 12k LUTs.
 * Packages: every one nextpnr-ecp5 names; the board's own is what the tool checks.
 */
export const ECP5_PARTS: readonly Ecp5Part[] = [
  ecp5({ id: 'lfe5u-12f', part: 'LFE5U-12F', logicCells: 24288, brams: 56, dsps: 28, nextpnrFlag: '--12k', chipDatabase: '25k' }),
  ecp5({ id: 'lfe5u-25f', part: 'LFE5U-25F', logicCells: 24288, brams: 56, dsps: 28, nextpnrFlag: '--25k', chipDatabase: '25k' }),
  ecp5({ id: 'lfe5u-45f', part: 'LFE5U-45F', logicCells: 43848, brams: 108, dsps: 72, nextpnrFlag: '--45k', chipDatabase: '45k' }),
  ecp5({ id: 'lfe5u-85f', part: 'LFE5U-85F', logicCells: 83640, brams: 208, dsps: 156, nextpnrFlag: '--85k', chipDatabase: '85k' }),
  ecp5({ id: 'lfe5um5g-85f', part: 'LFE5UM5G-85F', logicCells: 83640, brams: 208, dsps: 156, nextpnrFlag: '--um5g-85k', chipDatabase: '85k' }),
];

const gowin = (d: Omit<GowinPart, 'family' | 'packages'>): GowinPart => ({ family: 'gowin', packages: Object.keys(d.partNumbers), ...d });

/**
 * Capacities from nextpnr-himbaechel-gowin 0.11's report; the part numbers are the boards' chips
 * (the Tang Nanos', and the Tang Mega 138K Pro's GW5AST-LV138FPG676AC1/I0, one of the six the
 * GW5AST-138C chip database names).
 */
export const GOWIN_PARTS: readonly GowinPart[] = [
  gowin({ id: 'gw1nr-9c', part: 'GW1NR-9C', logicCells: 8640, flipFlops: 6480, brams: 26, dsps: 20, chipFamily: 'GW1N-9C', partNumbers: { QN88P: 'GW1NR-LV9QN88PC6/I5' } }),
  gowin({ id: 'gw2ar-18c', part: 'GW2AR-18C', logicCells: 20736, flipFlops: 15552, brams: 46, dsps: 48, chipFamily: 'GW2A-18C', partNumbers: { QN88: 'GW2AR-LV18QN88C8/I7' } }),
  gowin({ id: 'gw5ast-138c', part: 'GW5AST-138C', logicCells: 138240, flipFlops: 138240, brams: 340, dsps: 298, chipFamily: 'GW5AST-138C', yosysFamily: 'gw5a', partNumbers: { FPG676A: 'GW5AST-LV138FPG676AC1/I0' } }),
];

export const FPGA_PARTS: Readonly<Record<FpgaFamily, readonly FpgaPart[]>> = { ice40: ICE40_DEVICES, ecp5: ECP5_PARTS, gowin: GOWIN_PARTS };

/** A part's capacity in its family's own units: LUT4s, flip-flops, block RAMs (and what one holds), multipliers. */
export interface PartCapacity {
  readonly luts: number;
  readonly flipFlops: number;
  readonly brams: number;
  /** The block RAM primitive and its size, e.g. "DP16KD (18 kbit)". */
  readonly bramKind: string;
  readonly dsps: number;
}

/** iCE40 and ECP5 logic cells pair each LUT4 with a flip-flop; Gowin has fewer flip-flops than LUTs. */
export function partCapacity(part: FpgaPart): PartCapacity {
  switch (part.family) {
    case 'ice40':
      return { luts: part.logicCells, flipFlops: part.logicCells, brams: part.brams, bramKind: 'SB_RAM40_4K (4 kbit)', dsps: part.dsps };
    case 'ecp5':
      return { luts: part.logicCells, flipFlops: part.logicCells, brams: part.brams, bramKind: 'DP16KD (18 kbit)', dsps: part.dsps };
    case 'gowin':
      return { luts: part.logicCells, flipFlops: part.flipFlops, brams: part.brams, bramKind: 'BSRAM (18 kbit)', dsps: part.dsps };
  }
}

export function findIce40Device(id: string): Ice40Device | undefined {
  return ICE40_DEVICES.find((d) => d.id === id);
}

export function findPart(family: FpgaFamily, id: string): FpgaPart | undefined {
  return FPGA_PARTS[family].find((d) => d.id === id);
}
