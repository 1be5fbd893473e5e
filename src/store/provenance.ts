import { hostname } from 'node:os';
import { toolVersion, ToolNotFoundError, type ToolName } from '../flow/tools.js';
import { gatebenchVersion, gitRevision } from '../util/provenance.js';

/** Where a result came from: stored whole as JSON with every result, the key fields also as columns. */
export interface Provenance {
  readonly gatebenchVersion: string;
  readonly gitRevision: string | null;
  readonly node: string;
  readonly host: string;
  readonly board: string | null;
  readonly modelHash: string | null;
  /** Every seed that shaped the result, by role: e.g. { training: 1, placement: 1, vectors: 1 }. */
  readonly seeds: Readonly<Record<string, number>>;
  /** Version line of each installed tool (missing tools are absent). */
  readonly tools: Readonly<Record<string, string>>;
  readonly collectedAt: string;
}

/** The tools whose versions can change a result: synthesis, place and route, packing, timing, simulation. */
export const PROVENANCE_TOOLS: readonly ToolName[] = ['yosys', 'nextpnr-ice40', 'icepack', 'icetime', 'icebox_vlog', 'verilator', 'iverilog'];

let installedTools: Promise<Record<string, string>> | null = null;
let checkout: { version: string; revision: string | null } | null = null;

async function toolVersions(): Promise<Record<string, string>> {
  const found = await Promise.allSettled(PROVENANCE_TOOLS.map((name) => toolVersion(name)));
  const versions: Record<string, string> = {};
  found.forEach((r, i) => {
    if (r.status === 'fulfilled') versions[PROVENANCE_TOOLS[i]!] = r.value;
    else if (!(r.reason instanceof ToolNotFoundError)) throw r.reason;
  });
  return versions;
}

/**
 * Provenance for a result. Tool versions, the git revision and the gatebench version are looked
 * up once per process (a sweep stores hundreds of results; the tools do not change under it).
 */
export async function collectProvenance(o: { seeds?: Readonly<Record<string, number>>; board?: string | null; modelHash?: string | null } = {}): Promise<Provenance> {
  installedTools ??= toolVersions();
  installedTools.catch(() => (installedTools = null));
  checkout ??= { version: gatebenchVersion(), revision: gitRevision() };
  return {
    gatebenchVersion: checkout.version,
    gitRevision: checkout.revision,
    node: process.version,
    host: hostname(),
    board: o.board ?? null,
    modelHash: o.modelHash ?? null,
    seeds: { ...o.seeds },
    tools: await installedTools,
    collectedAt: new Date().toISOString(),
  };
}
