import type { GowinAsGpio } from '../board/board.js';
import type { CommandPlan } from './run.js';

/**
 * Plan `gowin_pack -d FAMILY [--<group>_as_gpio...] -o out.fs routed.json` (apycula): the routed
 * netlist to a Gowin bitstream, with the dual-purpose pin groups the board uses as GPIO.
 */
export function planGowinPack(family: string, routed: string, fs: string, asGpio: readonly GowinAsGpio[]): CommandPlan {
  return { stage: 'pack', tool: 'gowin_pack', argv: ['-d', family, ...asGpio.map((g) => `--${g}_as_gpio`), '-o', fs, routed], inputs: [routed], outputs: [fs] };
}
