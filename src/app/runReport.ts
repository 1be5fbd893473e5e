import type { RunLatency, RunReport } from '../device/run.js';
import type { PowerFigures, PowerMeasurement } from '../power/measure.js';

const f = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));
const pctOrNa = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);

/** A run's on-chip latency with what it is and where it comes from. */
function latencyText(l: RunLatency, clockHz: number): string {
  if (l.kind === 'clocked') return `${l.cycles} cycle${l.cycles === 1 ? '' : 's'} = ${f(l.ns, 1)} ns at ${clockHz / 1e6} MHz (clocked core, cycles counted by the device)`;
  if (l.kind === 'combinational') return `${f(l.ns, 2)} ns (combinational core: post-route delay, ${l.source})`;
  return `not measured (${l.source})`;
}

/** The power table: each figure measured beside estimated, on the core rail. */
export function renderPower(p: PowerMeasurement): string[] {
  const mw = (w: number | null): string => (w === null ? 'n/a' : `${(w * 1e3).toFixed(3)} mW`);
  const nj = (j: number | null): string => (j === null ? 'n/a' : `${(j * 1e9).toFixed(4)} nJ`);
  const est: PowerFigures | null = p.estimated;
  // A difference of two noisy medians: show its standard error, so a figure lost in noise reads as such.
  const withError = (text: string, error: number | null, format: (x: number) => string): string => (error === null || text === 'n/a' ? text : `${text} ± ${format(error)}`);
  const rows: [string, string, string][] = [
    ['P_idle', mw(p.measured.idleW), mw(est?.idleW ?? null)],
    ['P_load (STRESS)', mw(p.measured.loadW), mw(est?.loadW ?? null)],
    ['P_dynamic', withError(mw(p.measured.dynamicW), p.uncertainty.dynamicW, (w) => (w * 1e3).toFixed(3)), mw(est?.dynamicW ?? null)],
    ['P_stream', mw(p.measured.streamW), mw(est?.streamW ?? null)],
    [`energy/inference (STRESS, ${f((p.rates.stress ?? 0) / 1e6, 1)} M/s)`, withError(nj(p.measured.energyPerInferenceJ), p.uncertainty.energyPerInferenceJ, (j) => (j * 1e9).toFixed(4)), nj(est?.energyPerInferenceJ ?? null)],
    [`energy/inference (stream, ${f(p.rates.stream, 0)} /s)`, withError(nj(p.measured.streamEnergyPerInferenceJ), p.uncertainty.streamEnergyPerInferenceJ, (j) => (j * 1e9).toFixed(4)), nj(est?.streamEnergyPerInferenceJ ?? null)],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max('measured'.length, ...rows.map((r) => r[1].length));
  const referral = p.referredBy === 'current' ? `supply ${f(p.supplyVolts, 2)} V feeding the core through a regulator: core power = current x ${p.railVolts} V` : `on the ${p.railVolts} V rail`;
  return [
    `power: ${p.monitor.description}; ${p.sampleCount} samples; ${referral}`,
    `  ${''.padEnd(w0)}  ${'measured'.padStart(w1)}  estimated`,
    ...rows.map((r) => `  ${r[0].padEnd(w0)}  ${r[1].padStart(w1)}  ${r[2]}`),
    ...(p.estimateUnavailable ? [`  estimate ${p.estimateUnavailable}`] : []),
    ...p.windows.map((w) => `  window ${w.phase}: ${f(w.end - w.start, 2)} s, ${w.samples} samples`),
    ...(p.problems.length ? [`  monitor problems (${p.problems.length}): ${p.problems.slice(0, 3).join('; ')}`] : []),
  ];
}

export function renderRunReport(r: RunReport & { runId?: number; db?: string }): string {
  const lines = [
    `board ${r.board}${r.level ? `, ${r.level}` : ''}, port ${r.port}, ${r.baud} baud, clock ${r.clockHz / 1e6} MHz, model ${r.modelId}`,
    ...(r.build ? [`build: ${r.build.message}${r.build.cached ? ' (cached)' : ''}`] : []),
    ...(r.flash ? [`flashed in ${f(r.flash.durationMs / 1000, 1)} s`] : []),
    `vectors ${r.answered}/${r.vectors} answered, mismatches vs reference ${r.mismatches}${r.complete ? '' : ' (INCOMPLETE)'}`,
    `accuracy over the ${r.answered} vectors answered: board ${pctOrNa(r.accuracy)}, software model ${pctOrNa(r.softwareAccuracy)}`,
    `on-chip latency ${latencyText(r.latency, r.clockHz)}${r.latency.criticalPathNs !== null && r.latency.kind !== 'combinational' ? `; critical path ${f(r.latency.criticalPathNs, 2)} ns (nextpnr)` : ''}`,
    ...(r.latency.hostRoundTripMs
      ? [
          `host round trip (one in flight, ${r.latency.hostRoundTripMs.samples} samples${r.virtual ? ', wall time of the simulation' : ''}): p50 ${f(r.latency.hostRoundTripMs.p50, 2)} ms, p99 ${f(r.latency.hostRoundTripMs.p99, 2)} ms; by the device clock${r.virtual ? ' (simulated)' : ''} ${f(r.latency.deviceRoundTripMs, 3)} ms mean`,
        ]
      : []),
    ...(r.throughput
      ? [
          `throughput ${f(r.throughput.deviceVectorsPerSecond, 0)} vectors/s by the device clock${r.virtual ? ' (simulated time)' : ''} = ${f(r.throughput.percentOfTheoretical, 1)}% of the ${f(r.throughput.theoreticalVectorsPerSecond, 0)}/s a ${r.baud}-baud UART carries with ${r.throughput.requestFrameBytes}-byte requests and ${r.throughput.answerFrameBytes}-byte answers; window ${r.throughput.window}`,
          `  wall clock: ${f(r.throughput.wallVectorsPerSecond, 0)} vectors/s over ${f(r.throughput.wallSeconds, 2)} s${r.latency.pipelinedRoundTripMs ? `; pipelined round trip p50 ${f(r.latency.pipelinedRoundTripMs.p50, 2)} ms, p99 ${f(r.latency.pipelinedRoundTripMs.p99, 2)} ms` : ''}`,
        ]
      : []),
    ...(r.link
      ? [
          `link: ${r.link.requests} requests, resent ${r.link.fastRetransmits} (lost) + ${r.link.timeoutRetransmits} (timeout) + ${r.link.crcRetransmits} (device CRC error), ${r.link.duplicates} duplicate answers dropped, ${r.link.decoder.garbageBytes} garbage bytes, ${r.link.decoder.crcErrors} bad frames`,
        ]
      : []),
    ...(r.device?.after ? [`device counters: ${r.device.after.crcErrors} CRC errors, ${r.device.after.rxOverflows} receive overflows, ${r.device.after.framingErrors} framing errors`] : []),
    ...(r.simulator
      ? [`simulator: ${r.simulator.cycles} cycles = ${f(r.simulator.simulatedSeconds, 4)} s simulated in ${f(r.simulator.wallSeconds, 2)} s wall (Verilator build ${r.simulator.cacheHit ? 'cached' : `${f(r.simulator.buildSeconds, 1)} s`})`]
      : []),
    ...(r.power ? renderPower(r.power) : []),
    ...(r.runId !== undefined ? [`stored as run ${r.runId} in ${r.db}`] : []),
    ...r.firstMismatches.map((m) => `  mismatch at ${m.index}: expected sums ${m.expected.sums.join(',')} class ${m.expected.classIdx}, got ${m.actual.sums.join(',')} class ${m.actual.classIdx}`),
    ...(r.error ? [`stopped: ${r.error}`] : []),
  ];
  return lines.join('\n');
}
