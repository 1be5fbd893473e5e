import { encodeSamples } from '../../data/encoding.js';
import { RunError, runOnBoard, type RunReport } from '../../device/run.js';
import { VIRTUAL_LEVELS } from '../../device/virtual.js';
import { loadModel } from '../../model/modelFile.js';
import { UserError } from '../../util/errors.js';
import { defineCommand } from '../command.js';
import { DATASET_FLAGS, DATASET_USAGE, datasetFromOptions } from '../dataOptions.js';
import { choiceOption, intOption, stringOption } from '../options.js';
import { modelPath } from './info.js';

const f = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));

export function renderRunReport(r: RunReport): string {
  const lines = [
    `board ${r.board}${r.level ? `, ${r.level}` : ''}, port ${r.port}, ${r.baud} baud, clock ${r.clockHz / 1e6} MHz, model ${r.modelId}`,
    ...(r.build ? [`build: ${r.build.message}${r.build.cached ? ' (cached)' : ''}`] : []),
    ...(r.flash ? [`flashed in ${f(r.flash.durationMs / 1000, 1)} s`] : []),
    `vectors ${r.answered}/${r.vectors} answered, mismatches vs reference ${r.mismatches}${r.complete ? '' : ' (INCOMPLETE)'}`,
    `accuracy on board ${r.accuracy === null ? 'n/a' : `${(r.accuracy * 100).toFixed(2)}%`}`,
    `on-chip latency ${r.latency.cycles ?? 'n/a'} cycles${r.latency.cycles === 0 ? ' (combinational core: the result is taken in the cycle the vector is presented)' : ''} = ${f(r.latency.ns, 1)} ns at ${r.clockHz / 1e6} MHz${r.latency.criticalPathNs !== null ? `; critical path ${f(r.latency.criticalPathNs, 2)} ns (nextpnr)` : ''}`,
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
    ...r.firstMismatches.map((m) => `  mismatch at ${m.index}: expected sums ${m.expected.sums.join(',')} class ${m.expected.classIdx}, got ${m.actual.sums.join(',')} class ${m.actual.classIdx}`),
    ...(r.error ? [`stopped: ${r.error}`] : []),
  ];
  return lines.join('\n');
}

export const runCommand = defineCommand<RunReport>({
  name: 'run',
  usage: `gatebench run model.json --board NAME|virtual [--port PATH] [--baud B (default 115200; virtual 3000000)] [--limit N] [--level rtl|bitstream] [--window W] [--pipeline P] [${DATASET_USAGE}] [--json]`,
  summary: 'run the model on a board (or the virtual board): flash, check INFO, stream the test set, check every answer',
  flags: { ...DATASET_FLAGS, board: { type: 'string' }, port: { type: 'string' }, baud: { type: 'string' }, limit: { type: 'string' }, level: { type: 'string' }, window: { type: 'string' }, pipeline: { type: 'string' } },
  async run(positionals, options) {
    const path = modelPath(positionals, this.usage);
    const model = loadModel(path);
    const board = stringOption(options, 'board');
    if (!board) throw new UserError(`--board: required (a board name or virtual) (usage: ${this.usage})`);
    const dataset = datasetFromOptions(options, model.dataset?.spec);
    const data = encodeSamples(model.encoding, dataset.test);
    const level = options['level'] === undefined ? undefined : choiceOption(options, 'level', VIRTUAL_LEVELS, 'rtl');
    const limit = intOption(options, 'limit', null);
    const window = intOption(options, 'window', null);
    // --pipeline P: pipeline registers every P layers, inputs and outputs registered.
    const pipeline = intOption(options, 'pipeline', null, 0);
    try {
      return await runOnBoard({
        net: model.network,
        data,
        board,
        port: stringOption(options, 'port'),
        ...(options['baud'] !== undefined ? { baud: intOption(options, 'baud', 115200) } : {}),
        ...(limit !== null ? { limit } : {}),
        ...(level ? { level } : {}),
        ...(window !== null ? { window } : {}),
        ...(pipeline !== null ? { core: { pipeline, registeredIo: true } } : {}),
        log: (line) => process.stderr.write(`${line}\n`),
      });
    } catch (e) {
      // Keep what was received: print the partial report, then fail.
      if (e instanceof RunError) process.stdout.write((options['json'] ? JSON.stringify(e.report, null, 2) : renderRunReport(e.report)) + '\n');
      throw e;
    }
  },
  render: renderRunReport,
});
