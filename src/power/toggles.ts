import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorePorts, EmittedFile } from '../hdl/emit.js';
import { runTool } from '../flow/run.js';
import { iceCellsSim, toolVersion, yosysShareDir } from '../flow/tools.js';
import { synthIce40 } from '../flow/yosys.js';
import { buildWithoutSpaces, reuseVerilatorRuntime, type VectorSet } from '../sim/simulate.js';
import { planVerilatorBuild } from '../sim/simulators.js';
import { cached, cacheRoot, contentKey } from '../util/cache.js';
import { hdlDir } from '../util/paths.js';

/**
 * Where transitions are counted: `rtl` counts every bit of every signal of the emitted module (its
 * gate wires g<layer>_<neuron>[_n] among them); `netlist` counts every distinct net of the yosys
 * synth_ice40 netlist once (the module's ports and the outputs of its SB_LUT4, SB_CARRY and SB_DFF*
 * cells: the routed nets), whatever number of names yosys gave it.
 */
export type ToggleLevel = 'rtl' | 'netlist';

/** What toggle counting needs of a design: its Verilog, its top module and its ports. */
export interface ToggleDesign {
  files: EmittedFile[];
  top: string;
  ports: CorePorts;
}

export interface ToggleRun {
  level: ToggleLevel;
  /** Vectors presented; the first sets the starting state, each further one is a counted step. */
  vectors: number;
  steps: number;
  /** Transitions of each counted bit over the steps: `name[bit]` (or `name` for a scalar). */
  perNet: Map<string, number>;
  nets: number;
  toggles: number;
  /** SB_* cell counts of the synthesised netlist (netlist level), else null. */
  cells: Record<string, number> | null;
  build: { seconds: number; cacheHit: boolean };
  runSeconds: number;
  verilator: string;
  yosys: string | null;
}

/** Signals that are not data nets: the clock has its own term in the power model, reset is held. */
const NOT_COUNTED = new Set(['clk', 'rst']);

/**
 * Verilator 5.006 (V3Coverage.cpp, toggle points): one coverage point per bit of every signal up to
 * --coverage-max-width bits wide (default 256, so the 400-bit x of an MNIST core needs more),
 * signals whose name starts with `_` only with --coverage-underscore (yosys names internal nets
 * `_123_`). A point counts every change of its bit between evaluations of the model, 0->1 and
 * 1->0 alike (one point, not two), on settled values: zero-delay, so no glitches.
 */
export const TOGGLE_FLAGS = ['--coverage-toggle', '--coverage-underscore', '--coverage-max-width', '65536'] as const;

interface ToggleBuildMeta {
  level: ToggleLevel;
  verilator: string;
  yosys: string | null;
  seconds: number;
  /** Netlist level: every distinct net as the names of its bits (`name[bit]`), first name first. */
  nets: string[][] | null;
}

/**
 * Build (or take from the cache) a Verilator model of the design with toggle coverage, present the
 * vectors one evaluation each (hdl/sim/tb_toggle.cpp), and count the transitions of every net.
 */
export async function countToggles(design: ToggleDesign, vectors: VectorSet, options: { level: ToggleLevel; cacheDir?: string }): Promise<ToggleRun> {
  const { level } = options;
  const { ports } = design;
  if (vectors.inputBits !== ports.inputBits) throw new Error(`vectors have ${vectors.inputBits} bits, the design's x has ${ports.inputBits}`);
  const root = cacheRoot(options.cacheDir);
  let sources: EmittedFile[] = design.files;
  let cells: Record<string, number> | null = null;
  let yosys: string | null = null;
  if (level === 'netlist') {
    const synth = await synthIce40(design.files, design.top, { cacheDir: root });
    cells = synth.cells;
    yosys = await toolVersion('yosys');
    // The cell models' internals are not routed nets: no coverage points for them.
    const models = '/*verilator coverage_off*/\n' + readFileSync(iceCellsSim(await yosysShareDir()), 'utf8');
    sources = [{ name: synth.netlist.name, text: shortenIdentifiers(synth.netlist.text) }, { name: 'cells_sim.v', text: models }];
  }
  const tbName = 'tb_toggle.cpp';
  const tbText = readFileSync(join(hdlDir(), 'sim', tbName), 'utf8');
  const verilator = await toolVersion('verilator');
  const names = sources.map((s) => s.name);
  const planFor = (dir: string) => planVerilatorBuild(dir, ports, names, tbName, level, false, TOGGLE_FLAGS);
  const key = contentKey(['toggles', level, verilator, yosys ?? '', JSON.stringify(planFor('.')), tbText, ...sources.flatMap((s) => [s.name, s.text])]);
  const entry = await cached<ToggleBuildMeta>(root, 'toggles', key, buildWithoutSpaces(async (dir) => {
    writeFileSync(join(dir, tbName), tbText);
    for (const s of sources) writeFileSync(join(dir, s.name), s.text);
    const started = performance.now();
    const [verilate, make] = planFor(dir).commands;
    await runTool(verilate!);
    reuseVerilatorRuntime(root, verilator, join(dir, 'obj'), 'get', 'coverage');
    await runTool(make!);
    reuseVerilatorRuntime(root, verilator, join(dir, 'obj'), 'put', 'coverage');
    const nets = level === 'netlist' ? await netlistNets(dir, sources[0]!.name, design.top) : null;
    return { level, verilator, yosys, seconds: (performance.now() - started) / 1000, nets };
  }));

  const work = mkdtempSync(join(tmpdir(), 'gatebench-toggles-'));
  try {
    const vectorPath = join(work, 'vectors.bin');
    const coveragePath = join(work, 'coverage.dat');
    writeFileSync(vectorPath, packVectors(vectors));
    const run = await runTool({ tool: join(entry.dir, 'obj', 'Vtb'), argv: [vectorPath, coveragePath], cwd: work });
    const summary = /tb: vectors (\d+) steps (\d+)/.exec(run.stdout);
    if (!summary || Number(summary[1]) !== vectors.count) {
      throw new Error(`the toggle testbench did not take all ${vectors.count} vectors: ${(run.stdout + run.stderr).trim().split('\n').slice(-3).join(' | ')}`);
    }
    const points = parseToggleCoverage(readFileSync(coveragePath, 'utf8'), `TOP.${design.top}`);
    const perNet = entry.meta.nets === null ? points : perDistinctNet(points, entry.meta.nets);
    let toggles = 0;
    for (const n of perNet.values()) toggles += n;
    return {
      level,
      vectors: vectors.count,
      steps: Number(summary[2]),
      perNet,
      nets: perNet.size,
      toggles,
      cells,
      build: { seconds: entry.meta.seconds, cacheHit: entry.hit },
      runSeconds: run.durationMs / 1000,
      verilator,
      yosys,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Verilator replaces identifiers longer than about 128 characters by a hash (`..___Vhsh<hash>`),
 * also in coverage names, and yosys' netlist names grow with the depth of the logic (an MNIST
 * core has names of 200 characters). Such names become `gatebench_long_<k>` before Verilating,
 * so every coverage point keeps a name the netlist's JSON can be matched with. Escaped identifiers
 * (`\c0_add.aa`, the nets of a flattened submodule such as the carry head's adders), which
 * Verilator mangles (`c0_add__02eaa`), become plain `gatebench_esc_c0_add_aa` first.
 */
export function shortenIdentifiers(verilog: string): string {
  const plain = new Map<string, string>();
  const taken = new Set<string>();
  const unescaped = verilog.replace(/\\(\S+)(?=\s)/g, (_escaped, name: string) => {
    let p = plain.get(name);
    if (p === undefined) {
      // No `__` in the result: Verilator writes it as `___05F` in coverage names.
      const base = `gatebench_esc_${name.replace(/[^A-Za-z0-9_$]/g, '_').replace(/_{2,}/g, '_')}`;
      p = base;
      for (let k = 1; taken.has(p); k++) p = `${base}_${k}`;
      plain.set(name, p);
      taken.add(p);
    }
    return p;
  });
  const short = new Map<string, string>();
  return unescaped.replace(/[A-Za-z_][A-Za-z0-9_$]{100,}/g, (name) => {
    let s = short.get(name);
    if (s === undefined) short.set(name, (s = `gatebench_long_${short.size}`));
    return s;
  });
}

/** The testbench's input: each vector as ceil(N/32) little-endian 32-bit words, x[0] in bit 0. */
export function packVectors(v: VectorSet): Buffer {
  const words = Math.ceil(v.inputBits / 32);
  const out = new Uint32Array(v.count * words);
  for (let s = 0; s < v.count; s++) {
    const row = s * v.inputBits;
    for (let i = 0; i < v.inputBits; i++) if (v.bits[row + i]) out[s * words + (i >>> 5)]! |= 1 << (i & 31);
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Verilator's coverage.dat: lines `C '<key>\x02<value>\x01...' <count>`. Keeps the toggle points
 * (page v_toggle/...) of one instance (`h`, e.g. TOP.lgn_core), keyed by their signal bit (`o`).
 */
export function parseToggleCoverage(text: string, hierarchy: string): Map<string, number> {
  const points = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^C '(.*)' (\d+)$/.exec(line);
    if (!m) continue;
    const fields = new Map<string, string>();
    for (const part of m[1]!.split('\x01')) {
      const sep = part.indexOf('\x02');
      if (sep > 0) fields.set(part.slice(0, sep), part.slice(sep + 1));
    }
    const name = fields.get('o');
    if (!fields.get('page')?.startsWith('v_toggle/') || fields.get('h') !== hierarchy || name === undefined) continue;
    if (NOT_COUNTED.has(name)) continue;
    points.set(name, (points.get(name) ?? 0) + Number(m[2]));
  }
  return points;
}

/** One count per distinct net: the first of its names that has a coverage point (a net without one is a bug). */
function perDistinctNet(points: Map<string, number>, nets: string[][]): Map<string, number> {
  const perNet = new Map<string, number>();
  const missing: string[] = [];
  for (const names of nets) {
    const name = names.find((n) => points.has(n));
    if (name === undefined) missing.push(names[0]!);
    else perNet.set(name, points.get(name)!);
  }
  if (missing.length > 0) throw new Error(`internal: ${missing.length} netlist nets have no toggle coverage point (first: ${missing[0]})`);
  return perNet;
}

interface JsonModule {
  ports: Record<string, { bits: (number | string)[] }>;
  cells: Record<string, { connections: Record<string, (number | string)[]> }>;
  netnames: Record<string, { bits: (number | string)[]; offset?: number; upto?: number; hide_name?: number }>;
}

/**
 * The distinct nets of a Verilog netlist's top module: yosys reads it back and writes JSON, where
 * every net bit has one id whatever its names (write_verilog's `assign a = b;` aliases share it).
 * Kept: ids a cell or a port connects (not constants, not the clock or reset), each with the
 * names of its bits as Verilator's coverage names them.
 */
async function netlistNets(dir: string, netlist: string, top: string): Promise<string[][]> {
  await runTool({ tool: 'yosys', argv: ['-q', '-p', `read_verilog ${netlist}; write_json nets.json`], cwd: dir });
  const json = JSON.parse(readFileSync(join(dir, 'nets.json'), 'utf8')) as { modules: Record<string, JsonModule> };
  const module = json.modules[top];
  if (!module) throw new Error(`yosys found no module ${top} in ${netlist}`);
  const connected = new Set<number>();
  for (const cell of Object.values(module.cells)) for (const bits of Object.values(cell.connections)) for (const b of bits) if (typeof b === 'number') connected.add(b);
  const excluded = new Set<number>();
  for (const [name, port] of Object.entries(module.ports)) {
    for (const b of port.bits) if (typeof b === 'number') (NOT_COUNTED.has(name) ? excluded : connected).add(b);
  }
  const namesOf = new Map<number, string[]>();
  for (const [name, net] of Object.entries(module.netnames)) {
    const width = net.bits.length;
    const offset = net.offset ?? 0;
    net.bits.forEach((b, i) => {
      if (typeof b !== 'number' || !connected.has(b) || excluded.has(b)) return;
      const indexed = `${name}[${net.upto ? offset + width - 1 - i : offset + i}]`;
      // Verilator names a scalar's point without an index; a [0:0] vector's perhaps with one.
      const bitNames = width === 1 ? [name, indexed] : [indexed];
      const list = namesOf.get(b) ?? [];
      // Public names first: they are the ones a reader recognises.
      if (net.hide_name) list.push(...bitNames);
      else list.unshift(...bitNames);
      namesOf.set(b, list);
    });
  }
  return [...namesOf.keys()].sort((a, b) => a - b).map((b) => namesOf.get(b)!);
}
