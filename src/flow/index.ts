/**
 * The build flows (iCE40, ECP5; one FamilyFlow each): one module per external tool (plans + report
 * parsers), one runner, the cached end-to-end build and synthesis-only estimates.
 */
export { buildBitstream, buildFile, findCachedBuild, FLOW_VERSION, planBuild } from './build.js';
export type { BuildFigures, BuildFiles, BuildOptions, BuildRequest, BuildResult, BuildStatus, ResourceUse, ToolUse } from './build.js';
export { familyFlow } from './families.js';
export { COMMON_FILES, partOf, type FamilyFiles, type FamilyFlow, type FamilyPlanOptions } from './family.js';
export { ICE40_FLOW } from './ice40.js';
export { ECP5_FLOW } from './ecp5.js';
export { GOWIN_FLOW } from './gowin.js';
export { planNextpnrEcp5, type NextpnrEcp5Options } from './nextpnrEcp5.js';
export { planEcppack } from './ecppack.js';
export { planNextpnrHimbaechelGowin, type NextpnrHimbaechelGowinOptions } from './nextpnrHimbaechel.js';
export { planGowinPack } from './gowinPack.js';
export { estimateResources, ESTIMATE_VERSION, type EstimateOptions, type EstimateResult } from './estimate.js';
export { cacheRoot } from '../util/cache.js';
export { runPlan, runPlanWith, runTool, showCommand, ToolError, type CommandPlan, type RunOptions, type StageRun, type ToolCommand, type ToolResult } from './run.js';
export { clearToolCache, edaVenvDir, findOnPath, findPackageDir, iceCellsSim, pypiTool, resolveTool, ToolNotFoundError, toolVersion, yosysShareDir, yowaspPackage, yowaspTool, type ResolvedTool, type ToolName, type ToolOrigin } from './tools.js';
export { FAMILIES, netlistPortBits, parseYosysStat, planYosys, synthIce40, synthOutcome, synthScript, type Family, type SynthOptions, type SynthResult, type YosysStat } from './yosys.js';
export { classifyNextpnrFailure, nextpnrCommonArgs, parseNextpnrReport, parseRoutingProgress, parseUtilisationLog, planNextpnr, routingProgressText, worstPath } from './nextpnr.js';
export type { ClockFmax, CriticalPath, NextpnrCommonOptions, NextpnrFailure, NextpnrOptions, NextpnrReport, RoutingProgress, Utilisation } from './nextpnr.js';
export { planIcepack } from './icepack.js';
export { icetimeOutcome, parseIcetime, planIcetime, type IcetimeReport } from './icetime.js';
export { planIceboxVlog, type IceboxVlogOptions } from './icebox.js';
export { dropPortWires } from './icebox.js';
export { buildModel, findCachedModelBuild, type BuildProvenance, type ModelBuild, type ModelBuildOptions } from './modelBuild.js';
export { runDoctor, type CheckStatus, type DoctorOptions, type DoctorReport, type ToolCheck } from './doctor.js';
