import type { CommandPlan } from './run.js';

/** Plan `ecppack in.config out.bit`: nextpnr-ecp5's text configuration to the bitstream a programmer loads. */
export function planEcppack(config: string, bit: string): CommandPlan {
  return { stage: 'pack', tool: 'ecppack', argv: [config, bit], inputs: [config], outputs: [bit] };
}
