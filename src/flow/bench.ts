/**
 * Build-flow benchmark (scripts/bench-build runs this after the build): for seeded random MNIST-
 * shaped networks of growing size (400 inputs, 10 classes), built for one board of each family
 * (iCE40, ECP5, Gowin), the wall time of every stage of `gatebench build` and the resources; per
 * family the place-and-route time per 1,000 logic cells (LUTs) and the time of an identical
 * rebuild served from the cache. Prints figures; asserts nothing.
 *
 *   node dist/src/flow/bench.js [--boards icebreaker,ulx3s,tangnano20k] [--sizes '250x3;500x3;...'] [--json]
 * A size is W1,W2,... (widths) or WxL (L layers of W); sizes are separated by ';'. Without --sizes
 * each family gets its own (DEFAULT_SIZES).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBoard } from '../board/board.js';
import type { FpgaFamily } from '../board/devices.js';
import type { DiscreteNetwork } from '../model/network.js';
import { drawWiring } from '../model/wiring.js';
import { Rng } from '../util/rng.js';
import { familyFlow } from './families.js';
import { buildModel } from './modelBuild.js';

/**
 * Per family: three sizes that fit (iCE40: an iCEBreaker's UP5K, and one that does not); ECP5 and
 * Gowin run YoWASP's WebAssembly nextpnr, several times slower, so their sizes stay moderate.
 */
const DEFAULT_SIZES: Record<FpgaFamily, string[]> = {
  ice40: ['200x3', '400x3', '800x3', '2000x3'],
  ecp5: ['200x3', '400x3', '800x3'],
  gowin: ['200x3', '400x3', '800x3'],
};
const DEFAULT_BOARDS = ['icebreaker', 'ulx3s', 'tangnano20k'];

function widthsOf(size: string): number[] {
  const m = /^(\d+)x(\d+)$/.exec(size);
  return m ? Array.from({ length: Number(m[2]) }, () => Number(m[1])) : size.split(',').map(Number);
}

function network(widths: number[], seed: number): DiscreteNetwork {
  const rng = new Rng(seed);
  let inDim = 400;
  const layers = widths.map((w) => {
    const wiring = drawWiring('random', inDim, w, rng);
    inDim = w;
    return { ...wiring, gates: Uint8Array.from({ length: w }, () => rng.int(16)) };
  });
  return { inputBits: 400, classes: 10, layers };
}

interface BoardBench {
  board: string;
  family: FpgaFamily;
  router: string;
  builds: Record<string, unknown>[];
  /** Place-and-route seconds per 1,000 logic cells over the builds that placed and routed. */
  pnrSecondsPerKiloLut: number | null;
  cachedRebuild: { widths: string; cached: boolean; seconds: number };
}

async function benchBoard(board: string, sizes: readonly string[], cacheDir: string, print: ((line: string) => void) | null): Promise<BoardBench> {
  const family = loadBoard(board).fpga.family;
  const unit = familyFlow(family).logicCellUnit;
  print?.(`\nboard ${board} (${family}); logic cells are ${unit}\n`);
  print?.(`${'widths'.padEnd(16)} ${'live'.padStart(6)} ${'LUT4'.padStart(6)} ${'DFF'.padStart(6)} ${'logic cells'.padStart(14)} ${'Fmax'.padStart(10)}  synth s    pnr s   pack s icetime s  total s  pnr s/kLUT  status\n`);
  const rows: Record<string, unknown>[] = [];
  let first: DiscreteNetwork | null = null;
  let router = '';
  let pnrSeconds = 0;
  let placedCells = 0;
  for (const [i, size] of sizes.entries()) {
    const widths = widthsOf(size);
    const net = network(widths, 100 + i);
    first ??= net;
    const { build, core } = await buildModel(net, { board, cacheDir });
    router = build.options.router ?? 'nextpnr default';
    const stage = (name: string): number | null => {
      const s = build.stages.find((x) => x.stage === name);
      return s ? s.durationMs / 1000 : null;
    };
    const f = build.figures;
    const pnr = stage('pnr');
    // Only a finished place and route says how long routing this many cells takes.
    const routed = build.pnr !== null && pnr !== null && f.logicCells !== null && f.logicCells.used > 0;
    const perKiloLut = routed ? pnr / (f.logicCells!.used / 1000) : null;
    if (routed) {
      pnrSeconds += pnr;
      placedCells += f.logicCells!.used;
    }
    const row = {
      widths: widths.join(','),
      liveGates: core.stats.liveGates,
      lut4: f.lut4,
      dff: f.dff,
      logicCells: f.logicCells,
      fmaxMHz: f.fmaxMHz,
      stages: { synth: stage('synth'), pnr, pack: stage('pack'), icetime: stage('icetime') },
      pnrSecondsPerKiloLut: perKiloLut,
      totalSeconds: build.buildDurationMs / 1000,
      status: build.status,
      message: build.message,
    };
    rows.push(row);
    const s = (v: number | null): string => (v === null ? '-' : v.toFixed(1)).padStart(8);
    const lc = f.logicCells ? `${f.logicCells.used}/${f.logicCells.available}` : '-';
    print?.(
      `${row.widths.padEnd(16)} ${String(row.liveGates).padStart(6)} ${String(f.lut4 ?? '-').padStart(6)} ${String(f.dff ?? '-').padStart(6)} ${lc.padStart(14)} ${(f.fmaxMHz === null ? '-' : `${f.fmaxMHz.toFixed(1)} MHz`).padStart(10)} ${s(row.stages.synth)} ${s(pnr)} ${s(row.stages.pack)} ${s(row.stages.icetime)} ${s(row.totalSeconds)} ${(perKiloLut === null ? '-' : perKiloLut.toFixed(2)).padStart(11)}  ${build.ok ? 'ok' : build.message}\n`,
    );
  }
  const started = performance.now();
  const again = await buildModel(first!, { board, cacheDir });
  const cachedRebuild = { widths: String(rows[0]!['widths']), cached: again.build.cached, seconds: (performance.now() - started) / 1000 };
  const pnrSecondsPerKiloLut = placedCells > 0 ? pnrSeconds / (placedCells / 1000) : null;
  return { board, family, router, builds: rows, pnrSecondsPerKiloLut, cachedRebuild };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { board: { type: 'string' }, boards: { type: 'string' }, sizes: { type: 'string' }, json: { type: 'boolean' } } });
  const boards = (values.boards ?? values.board)?.split(',') ?? DEFAULT_BOARDS;
  const cacheDir = mkdtempSync(join(tmpdir(), 'gatebench-bench-build-'));
  const print = values.json ? null : (line: string): void => void process.stdout.write(line);
  try {
    print?.('400 inputs, 10 classes, random wiring and gates; fresh cache\n');
    const results: BoardBench[] = [];
    for (const board of boards) {
      const family = loadBoard(board).fpga.family;
      results.push(await benchBoard(board, values.sizes ? values.sizes.split(';') : DEFAULT_SIZES[family], cacheDir, print));
    }
    if (values.json) {
      process.stdout.write(JSON.stringify({ boards: results }, null, 2) + '\n');
      return;
    }
    print?.(`\nper family: place-and-route time per 1,000 logic cells (over the builds that routed) and the cached rebuild (in-process)\n`);
    for (const r of results) {
      const perK = r.pnrSecondsPerKiloLut === null ? 'no build routed' : `${r.pnrSecondsPerKiloLut.toFixed(2)} s per 1,000 ${familyFlow(r.family).logicCellUnit}`;
      print?.(`${r.family.padEnd(6)} ${r.board.padEnd(12)} ${r.router.padEnd(16)} pnr ${perK}; cached rebuild of ${r.cachedRebuild.widths}: ${r.cachedRebuild.seconds.toFixed(2)} s (served from the cache: ${r.cachedRebuild.cached})\n`);
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-build: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
