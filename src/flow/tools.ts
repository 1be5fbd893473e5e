import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { UserError } from '../util/errors.js';

/** The external programs of the build flow, by binary name. */
export type ToolName = 'yosys' | 'nextpnr-ice40' | 'icepack' | 'icetime' | 'icebox_vlog';

/**
 * A tool ready to run: `command ...prefixArgs ...plan.argv`. Native tools come from PATH; the
 * YoWASP WebAssembly builds run through a small node shim (yowaspShim.js) that maps the stage's
 * working directory into the tool's virtual file system.
 */
export interface ResolvedTool {
  readonly name: ToolName;
  readonly origin: 'native' | 'yowasp';
  readonly command: string;
  readonly prefixArgs: readonly string[];
  /** The executable or package directory. */
  readonly path: string;
  /** First line of the tool's version output, or a content hash where the tool has no version flag. */
  readonly version: string;
}

/** Which npm package and export provide each tool as WebAssembly, where one does. */
const YOWASP: Partial<Record<ToolName, { pkg: string; run: string }>> = {
  yosys: { pkg: '@yowasp/yosys', run: 'runYosys' },
  'nextpnr-ice40': { pkg: '@yowasp/nextpnr-ice40', run: 'runNextpnrIce40' },
  icepack: { pkg: '@yowasp/nextpnr-ice40', run: 'runIcepack' },
};

const INSTALL_HINT: Record<ToolName, string> = {
  yosys: 'install yosys (Debian: apt-get install yosys) or the optional npm package @yowasp/yosys',
  'nextpnr-ice40': 'install nextpnr-ice40 (Debian: apt-get install nextpnr-ice40) or the optional npm package @yowasp/nextpnr-ice40',
  icepack: 'install icestorm (Debian: apt-get install fpga-icestorm) or the optional npm package @yowasp/nextpnr-ice40',
  icetime: 'install icestorm (Debian: apt-get install fpga-icestorm)',
  icebox_vlog: 'install icestorm (Debian: apt-get install fpga-icestorm)',
};

/** A tool that is neither on PATH nor installed as a YoWASP package. */
export class ToolNotFoundError extends UserError {
  constructor(readonly tool: ToolName) {
    super(`${tool} not found on PATH: ${INSTALL_HINT[tool]}, then run the command again`);
    this.name = 'ToolNotFoundError';
  }
}

export const YOWASP_SHIM = join(dirname(fileURLToPath(import.meta.url)), 'yowaspShim.js');

export function findOnPath(binary: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * The installed package's directory, found the way node would (node_modules upwards from here);
 * require.resolve cannot be used because the YoWASP packages do not export package.json.
 */
export function findPackageDir(pkg: string, from = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

async function nativeVersion(name: ToolName, path: string): Promise<string> {
  if (name === 'yosys' || name === 'nextpnr-ice40') {
    const flag = name === 'yosys' ? '-V' : '--version';
    const r = await execa(path, [flag], { reject: false, all: true, timeout: 20_000 });
    const line = (r.all ?? '').split('\n').find((l) => l.trim() !== '');
    if (line) return line.trim();
  }
  // icestorm tools have no version flag: identify the binary by its content.
  return `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16)}`;
}

const resolved = new Map<string, Promise<ResolvedTool>>();

/**
 * Find a tool: native on PATH first, else its YoWASP npm package. Cached per tool and PATH.
 * Throws ToolNotFoundError naming what to install.
 */
export function resolveTool(name: ToolName): Promise<ResolvedTool> {
  const key = `${name}\0${process.env.PATH ?? ''}`;
  let r = resolved.get(key);
  if (!r) {
    r = resolveUncached(name);
    resolved.set(key, r);
    r.catch(() => resolved.delete(key));
  }
  return r;
}

async function resolveUncached(name: ToolName): Promise<ResolvedTool> {
  const native = findOnPath(name);
  if (native) return { name, origin: 'native', command: native, prefixArgs: [], path: native, version: await nativeVersion(name, native) };
  const wasm = YOWASP[name];
  const dir = wasm ? findPackageDir(wasm.pkg) : null;
  if (wasm && dir && existsSync(YOWASP_SHIM)) {
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    return { name, origin: 'yowasp', command: process.execPath, prefixArgs: [YOWASP_SHIM, wasm.pkg, wasm.run], path: dir, version: `${wasm.pkg}@${version}` };
  }
  throw new ToolNotFoundError(name);
}

/** Forget resolved tools (tests that change PATH). */
export function clearToolCache(): void {
  resolved.clear();
}
