/** Kept for older imports: the runner is src/flow/run.ts. */
export { runTool, ToolError, type ToolCommand, type ToolResult } from '../flow/run.js';
