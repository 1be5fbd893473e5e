/** Kept for older imports: tools are resolved in src/flow/tools.ts, paths come from src/util/paths.ts. */
export { iceCellsSim, toolVersion, yosysShareDir } from '../flow/tools.js';
export { hdlDir, projectRoot } from '../util/paths.js';
