/** Bit-exact simulation of emitted designs: the public API of src/sim. */
export { simulate, compareWithReference, vectorsToHex, parseResults, type Comparison, type Mismatch, type SimulateOptions, type SimulationRun, type VectorSet } from './simulate.js';
export { SIMULATORS, LEVELS, type SimLevel, type SimulatorName } from './simulators.js';
export { synthIce40, parseStat, type SynthResult } from './yosys.js';
export { runTool, ToolError, type ToolCommand, type ToolResult } from './exec.js';
export { cacheRoot, contentKey } from './cache.js';
export { randomVectors, checkDesign, type CheckResult } from './check.js';
