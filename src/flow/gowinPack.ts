import type { CommandPlan } from './run.js';

/** Plan `gowin_pack -d FAMILY -o out.fs routed.json` (apycula): the routed netlist to a Gowin bitstream. */
export function planGowinPack(family: string, routed: string, fs: string): CommandPlan {
  return { stage: 'pack', tool: 'gowin_pack', argv: ['-d', family, '-o', fs, routed], inputs: [routed], outputs: [fs] };
}
