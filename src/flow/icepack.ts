import type { CommandPlan } from './run.js';

/** Plan `icepack in.asc out.bin`: the text bitstream to the binary one a programmer loads. */
export function planIcepack(asc: string, bin: string): CommandPlan {
  return { stage: 'pack', tool: 'icepack', argv: [asc, bin], inputs: [asc], outputs: [bin] };
}
