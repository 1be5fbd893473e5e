/**
 * The link fault campaign at length (test/link/faults.test.ts runs a short one). Part 1: the soft
 * device behind the seeded fault proxy, every mix of CAMPAIGN_MIXES over many seeds. Part 2: the
 * issue 12 scenarios on the virtual board: `run` (runOnBoard, default link settings) streaming
 * 2,000 vectors through 30% and 50% garbage to the host. Prints seeds, faults injected, retries, time and outcomes;
 * exits 1 on any hang, mismatch, double count, unclear error, or a noisy-but-working run that fails.
 * GATEBENCH_BENCH_FAULT_SEEDS (seeds per mix, default 100), GATEBENCH_BENCH_FAULT_VECTORS
 * (vectors per soft-device run, default 300), GATEBENCH_BENCH_FAULT_BOARD_SEEDS (default 2).
 */
import { rmSync } from 'node:fs';
import { runOnBoard, RunError, type RunReport } from '../src/device/run.js';
import { deviceDesign } from '../src/device/top.js';
import { buildVirtualBoard, VirtualBoard } from '../src/device/virtual.js';
import { frameBytes } from '../src/link/frame.js';
import { inferAnswerBytes, inferRequestBytes } from '../src/link/protocol.js';
import { sumBits } from '../src/model/network.js';
import { randomNetwork, randomVectors, tempDir } from '../test/helpers.js';
import { CAMPAIGN_LINK, CAMPAIGN_MIXES, runCampaign, softTarget, summarize, type FaultRun } from '../test/link/faultCampaign.js';
import { faultyLink, FaultSchedule } from '../test/link/faultProxy.js';

const seedsPerMix = Number(process.env['GATEBENCH_BENCH_FAULT_SEEDS'] ?? 100);
const vectors = Number(process.env['GATEBENCH_BENCH_FAULT_VECTORS'] ?? 300);
const boardSeeds = Number(process.env['GATEBENCH_BENCH_FAULT_BOARD_SEEDS'] ?? 2);
const dir = tempDir('gatebench-bench-link-faults-');
let failed = false;

// Part 1: the soft device.
const softNet = randomNetwork(7, 40, [60, 30], 3);
const soft = softTarget(softNet, randomVectors(8, vectors, 40, 3), { inputBits: 40, classes: 3, sumBits: sumBits(softNet) });
const t0 = performance.now();
const runs = await runCampaign(soft, dir, { seedsPerMix, vectors, link: CAMPAIGN_LINK, boundMs: 120_000, concurrency: 6 });
console.log(`soft device, ${vectors} vectors per run, ${runs.length} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s:`);
for (const line of summarize(runs)) console.log(`  ${line}`);
const bad = (r: FaultRun): boolean => {
  const dies = CAMPAIGN_MIXES.find((m) => m.name === r.mix)!.dies !== undefined;
  return r.outcome !== (dies ? 'error' : 'complete') || (dies && !r.clear) || r.mismatches + r.countedTwice + r.unsettled > 0 || r.faults < r.guaranteedFaults;
};
for (const r of runs.filter(bad)) {
  failed = true;
  console.log(`  FAILED ${JSON.stringify(r)}`);
}

// Part 2: runOnBoard on the virtual board, through the proxy, as `gatebench run --board virtual --port` would.
const BAUD = 3_000_000;
const net = randomNetwork(11, 48, [96, 48], 4);
const design = deviceDesign(net, { clockHz: 12e6, baud: BAUD });
const g = { inputBits: 48, classes: 4, sumBits: design.ports.sumBits };
const units = { toDevice: frameBytes(inferRequestBytes(g)), toHost: frameBytes(inferAnswerBytes(g)) };
const build = await buildVirtualBoard(design);
const data = randomVectors(12, 2000, 48, 4);
console.log(`virtual board, runOnBoard with its default link settings, ${data.count} vectors per run:`);
// The issue's scenarios: 30% garbage to the host hung every run; 50% stopped runs at 26 and 176 of 2,000.
for (const mix of CAMPAIGN_MIXES.filter((m) => /^garbage \d+% to host$/.test(m.name))) {
  for (let seed = 1; seed <= boardSeeds; seed++) {
    const board = await VirtualBoard.start(build);
    const proxy = await faultyLink(board.path, dir, new FaultSchedule(seed * 2 + 1, mix.toDevice, units.toDevice), new FaultSchedule(seed * 2 + 2, mix.toHost, units.toHost), BAUD);
    const started = performance.now();
    let report: RunReport;
    try {
      report = await runOnBoard({ net, data, board: 'virtual', port: proxy.hostPath, baud: BAUD });
    } catch (e) {
      if (!(e instanceof RunError)) throw e;
      report = e.report;
    }
    const seconds = (performance.now() - started) / 1000;
    await proxy.close();
    await board.stop();
    const s = report.link!;
    // Nothing counted twice: the link accepted one answer per vector, plus the run's three INFO answers (before, after the latency probe, at the end).
    const ok = report.complete && report.answered === data.count && report.mismatches === 0 && s.answers === report.answered + 3;
    failed ||= !ok;
    console.log(
      `  ${mix.name.padEnd(32)} seed ${seed}: ${report.complete ? 'complete' : `stopped: ${report.error}`}; ${report.answered}/${data.count} answered, ${report.mismatches} mismatches; ` +
        `faults ${proxy.toDevice.faults + proxy.toHost.faults}, retries ${s.fastRetransmits + s.timeoutRetransmits + s.crcRetransmits} ` +
        `(${s.fastRetransmits} lost, ${s.timeoutRetransmits} timeout, ${s.crcRetransmits} device CRC error); ${seconds.toFixed(1)} s${ok ? '' : '  FAILED'}`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
