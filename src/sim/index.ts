/** Bit-exact simulation of emitted designs: the public API of src/sim. */
export { simulate, compareWithReference, vectorsToHex, parseResults, type Comparison, type Mismatch, type SimulateOptions, type SimulationRun, type VectorSet } from './simulate.js';
export { SIMULATORS, LEVELS, SIM_LEVELS, type SimLevel, type SimulatorName } from './simulators.js';
export { synthIce40, synthNetlist, type SynthResult } from '../flow/yosys.js';
export { runTool, ToolError, type ToolCommand, type ToolResult } from '../flow/run.js';
export { cacheRoot, contentKey } from '../util/cache.js';
export { randomVectors, checkDesign, type CheckResult } from './check.js';
export { reuseVerilatorRuntime } from './simulate.js';
export { chipVerilog, type ChipVerilog } from './bitstream.js';
export { routedVerilog, prepareRoutedNetlist, type RoutedVerilog } from './routed.js';
export { NETLIST_FAMILIES, ROUTED_FAMILIES, type NetlistFamily, type RoutedFamily } from './cells.js';
