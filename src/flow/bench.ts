/**
 * Build-flow benchmark (scripts/bench-build runs this after the build): for seeded random MNIST-
 * shaped networks of growing size (400 inputs, 10 classes), the wall time of every stage of
 * `gatebench build` (yosys, nextpnr-ice40, icepack, icetime) and the resources, then the time of an
 * identical rebuild served from the cache. Prints figures; asserts nothing.
 *
 *   node dist/src/flow/bench.js [--board icebreaker] [--sizes '250x3;500x3;...'] [--json]
 * A size is W1,W2,... (widths) or WxL (L layers of W); sizes are separated by ';'.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DiscreteNetwork } from '../model/network.js';
import { drawWiring } from '../model/wiring.js';
import { Rng } from '../util/rng.js';
import { buildModel } from './modelBuild.js';

/** Three sizes that fit an iCEBreaker's UP5K and one that does not. */
const DEFAULT_SIZES = ['200x3', '400x3', '800x3', '2000x3'];

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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { board: { type: 'string' }, sizes: { type: 'string' }, json: { type: 'boolean' } } });
  const board = values.board ?? 'icebreaker';
  const sizes = values.sizes ? values.sizes.split(';') : DEFAULT_SIZES;
  const cacheDir = mkdtempSync(join(tmpdir(), 'gatebench-bench-build-'));
  const rows: Record<string, unknown>[] = [];
  try {
    if (!values.json) process.stdout.write(`board ${board}; 400 inputs, 10 classes, random wiring and gates; fresh cache\n`);
    if (!values.json) process.stdout.write(`${'widths'.padEnd(16)} ${'live'.padStart(6)} ${'LUT4'.padStart(6)} ${'DFF'.padStart(6)} ${'LCs'.padStart(12)} ${'Fmax'.padStart(9)}  synth s    pnr s   pack s icetime s  total s  status\n`);
    let first: DiscreteNetwork | null = null;
    for (const [i, size] of sizes.entries()) {
      const widths = widthsOf(size);
      const net = network(widths, 100 + i);
      first ??= net;
      const { build, core } = await buildModel(net, { board, cacheDir });
      const stage = (name: string): number | null => {
        const s = build.stages.find((x) => x.stage === name);
        return s ? s.durationMs / 1000 : null;
      };
      const f = build.figures;
      const row = {
        widths: widths.join(','),
        liveGates: core.stats.liveGates,
        lut4: f.lut4,
        dff: f.dff,
        logicCells: f.logicCells,
        fmaxMHz: f.fmaxMHz,
        stages: { synth: stage('synth'), pnr: stage('pnr'), pack: stage('pack'), icetime: stage('icetime') },
        totalSeconds: build.buildDurationMs / 1000,
        status: build.status,
        message: build.message,
      };
      rows.push(row);
      if (!values.json) {
        const s = (v: number | null): string => (v === null ? '-' : v.toFixed(1)).padStart(8);
        const lc = f.logicCells ? `${f.logicCells.used}/${f.logicCells.available}` : '-';
        process.stdout.write(
          `${row.widths.padEnd(16)} ${String(row.liveGates).padStart(6)} ${String(f.lut4 ?? '-').padStart(6)} ${String(f.dff ?? '-').padStart(6)} ${lc.padStart(12)} ${(f.fmaxMHz === null ? '-' : `${f.fmaxMHz.toFixed(1)} MHz`).padStart(9)} ${s(row.stages.synth)} ${s(row.stages.pnr)} ${s(row.stages.pack)} ${s(row.stages.icetime)} ${s(row.totalSeconds)}  ${build.ok ? 'ok' : build.message}\n`,
        );
      }
    }
    const started = performance.now();
    const again = await buildModel(first!, { board, cacheDir });
    const cachedSeconds = (performance.now() - started) / 1000;
    if (values.json) process.stdout.write(JSON.stringify({ board, builds: rows, cachedRebuild: { widths: rows[0]!['widths'], cached: again.build.cached, seconds: cachedSeconds } }, null, 2) + '\n');
    else process.stdout.write(`cached rebuild of ${String(rows[0]!['widths'])}: ${cachedSeconds.toFixed(2)} s (in-process; served from the cache: ${again.build.cached})\n`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-build: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
