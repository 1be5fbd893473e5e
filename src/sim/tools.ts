import { existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/errors.js';
import { runTool } from './exec.js';

/** The project root (where package.json is), from this file's place in src/ or dist/src/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('internal: cannot find the project root above ' + fileURLToPath(import.meta.url));
}

/** Hand-written HDL and testbenches (hdl/ at the project root). */
export function hdlDir(): string {
  return join(projectRoot(), 'hdl');
}

const versions = new Map<string, Promise<string>>();

/** First line of `tool flag`, memoised; a missing tool is a UserError naming the Debian package. */
export function toolVersion(tool: 'verilator' | 'iverilog' | 'yosys'): Promise<string> {
  let v = versions.get(tool);
  if (!v) {
    const flag = tool === 'iverilog' ? '-V' : tool === 'yosys' ? '-V' : '--version';
    v = runTool({ tool, argv: [flag], cwd: process.cwd() }).then(
      (r) => (r.stdout + r.stderr).split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown',
      (e: unknown) => {
        versions.delete(tool);
        throw new UserError(`${tool} is not installed or does not run (Debian package ${tool}; scripts/setup installs it)`, { cause: e });
      },
    );
    versions.set(tool, v);
  }
  return v;
}

let shareDir: Promise<string> | null = null;

/**
 * Yosys' share folder (the `+/` of yosys scripts), for ice40/cells_sim.v: `yosys-config --datdir`
 * when it exists, else share/yosys next to the yosys binary's bin/ folder.
 */
export function yosysShareDir(): Promise<string> {
  shareDir ??= (async () => {
    try {
      const r = await runTool({ tool: 'yosys-config', argv: ['--datdir'], cwd: process.cwd() });
      const dir = r.stdout.trim();
      if (existsSync(join(dir, 'ice40', 'cells_sim.v'))) return dir;
    } catch {
      // Debian ships yosys-config only in yosys-dev; fall back to the binary's location.
    }
    const binary = findOnPath('yosys');
    const candidates = [
      ...(binary ? [resolve(dirname(realpathSync(binary)), '..', 'share', 'yosys')] : []),
      '/usr/share/yosys',
      '/usr/local/share/yosys',
    ];
    const found = candidates.find((d) => existsSync(join(d, 'ice40', 'cells_sim.v')));
    if (!found) throw new UserError(`cannot find yosys' ice40/cells_sim.v (tried yosys-config --datdir, ${candidates.join(', ')})`);
    return found;
  })();
  return shareDir;
}

export function iceCellsSim(share: string): string {
  return join(share, 'ice40', 'cells_sim.v');
}

function findOnPath(tool: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, tool))) return join(dir, tool);
  }
  return null;
}
