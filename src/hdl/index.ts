/** Verilog generation for discrete LGNs: the public API of src/hdl. */
export { emitVerilog, type CorePorts, type EmitOptions, type EmitStats, type EmittedDesign, type EmittedFile } from './emit.js';
export { buildLogicGraph, evaluateGraph, type LogicGraph, type LogicStats, type RemovalCounts, type Signal } from './graph.js';
export { argmaxLines, bitsFor, DEFAULT_GROUPSUM, GROUPSUM_CHOICES, GROUPSUM_STYLES, headLines, popcountLines, resolveGroupSum, type GroupSumChoice, type GroupSumStyle } from './groupSum.js';
export { carryAdderModule, carryTreeLines, CARRY_FAMILIES } from './carryHead.js';
export { emitGroupSumModule } from './groupSumModule.js';
export { BENCH_PORTS, BENCH_TOP, benchTopCycles, emitBenchTop } from './benchTop.js';
