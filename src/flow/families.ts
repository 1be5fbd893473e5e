import type { FpgaFamily } from '../board/devices.js';
import { ECP5_FLOW } from './ecp5.js';
import type { FamilyFlow } from './family.js';
import { GOWIN_FLOW } from './gowin.js';
import { ICE40_FLOW } from './ice40.js';

/** Every family gatebench builds end to end (family.ts holds the interface, so the flows can import it without a cycle). */
const FLOWS: Readonly<Record<FpgaFamily, FamilyFlow>> = { ice40: ICE40_FLOW, ecp5: ECP5_FLOW, gowin: GOWIN_FLOW };

export function familyFlow(family: FpgaFamily): FamilyFlow {
  return FLOWS[family];
}
