/**
 * Link throughput on the virtual board: vectors/s by the device clock (simulated time) as a
 * fraction of the theoretical UART maximum, at 115200 and 3,000,000 baud, for an MNIST-shaped
 * core (400 input bits, 10 classes: 57-byte requests, 19-byte answers). Target >= 90%.
 */
import { runOnBoard } from '../src/device/run.js';
import { randomNetwork, randomVectors } from '../test/helpers.js';

const net = randomNetwork(1, 400, [400, 200], 10);
const cases = [
  { baud: 115200, vectors: Number(process.env['GATEBENCH_BENCH_SLOW_VECTORS'] ?? 300) },
  { baud: 3_000_000, vectors: Number(process.env['GATEBENCH_BENCH_FAST_VECTORS'] ?? 3000) },
];
let failed = false;
for (const c of cases) {
  const data = randomVectors(2, c.vectors, 400, 10);
  const r = await runOnBoard({ net, data, board: 'virtual', baud: c.baud, log: (l) => process.stderr.write(`  ${l}\n`) });
  const t = r.throughput!;
  const ok = r.mismatches === 0 && t.percentOfTheoretical >= 90;
  failed ||= !ok;
  console.log(
    `${String(c.baud).padStart(8)} baud: ${t.vectors} vectors, ${t.deviceVectorsPerSecond!.toFixed(1)} vectors/s simulated = ${t.percentOfTheoretical.toFixed(1)}% of ${t.theoreticalVectorsPerSecond.toFixed(1)}/s ` +
      `(window ${t.window}, ${t.requestFrameBytes}+${t.answerFrameBytes} bytes/frame), mismatches ${r.mismatches}; ` +
      `round trip ${r.latency.deviceRoundTripMs!.toFixed(3)} ms simulated; simulator ${(r.simulator!.cycles / r.simulator!.wallSeconds / 1e6).toFixed(2)} M cycles/s wall ${ok ? '' : ' BELOW TARGET'}`,
  );
}
process.exitCode = failed ? 1 : 0;
