/**
 * The iCE40 parts gatebench knows: logic-cell capacity, the nextpnr-ice40 device flag, icetime's
 * -d name, the packages nextpnr accepts for it, and yosys synth_ice40's -device letter.
 */
export interface Ice40Device {
  readonly id: string;
  readonly part: string;
  readonly logicCells: number;
  readonly nextpnrFlag: string;
  readonly icetimeDevice: string;
  readonly yosysDevice: 'hx' | 'lp' | 'u';
  readonly packages: readonly string[];
}

const device = (d: Ice40Device): Ice40Device => d;

export const ICE40_DEVICES: readonly Ice40Device[] = [
  device({ id: 'hx1k', part: 'iCE40HX1K', logicCells: 1280, nextpnrFlag: '--hx1k', icetimeDevice: 'hx1k', yosysDevice: 'hx', packages: ['vq100', 'tq144', 'cb132'] }),
  device({ id: 'lp1k', part: 'iCE40LP1K', logicCells: 1280, nextpnrFlag: '--lp1k', icetimeDevice: 'lp1k', yosysDevice: 'lp', packages: ['swg16tr', 'cm36', 'cm49', 'cm81', 'cm121', 'qn84', 'cb81', 'cb121'] }),
  device({ id: 'hx4k', part: 'iCE40HX4K', logicCells: 3520, nextpnrFlag: '--hx4k', icetimeDevice: 'hx4k', yosysDevice: 'hx', packages: ['cb132', 'tq144', 'bg121'] }),
  device({ id: 'hx8k', part: 'iCE40HX8K', logicCells: 7680, nextpnrFlag: '--hx8k', icetimeDevice: 'hx8k', yosysDevice: 'hx', packages: ['cm225', 'cb132', 'bg121', 'ct256'] }),
  device({ id: 'lp8k', part: 'iCE40LP8K', logicCells: 7680, nextpnrFlag: '--lp8k', icetimeDevice: 'lp8k', yosysDevice: 'lp', packages: ['cm81', 'cm81:4k', 'cm121', 'cm121:4k', 'cm225', 'cm225:4k'] }),
  device({ id: 'up5k', part: 'iCE40UP5K', logicCells: 5280, nextpnrFlag: '--up5k', icetimeDevice: 'up5k', yosysDevice: 'u', packages: ['sg48', 'uwg30'] }),
];

export function findIce40Device(id: string): Ice40Device | undefined {
  return ICE40_DEVICES.find((d) => d.id === id);
}
