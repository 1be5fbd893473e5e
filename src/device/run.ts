import { evenSubset } from '../data/encoding.js';
import { Link } from '../link/link.js';
import { frameBytes } from '../link/frame.js';
import { inferAnswerBytes } from '../link/protocol.js';
import { emptyAnswers } from '../link/stream.js';
import { cacheRoot } from '../util/cache.js';
import { UserError } from '../util/errors.js';
import { checkAnswers } from './check.js';
import { initialLatency, isLinkFailure, measure, readInfo } from './measure.js';
import type { PowerSession } from './power.js';
import { RunError, type RunPhase, type RunReport, type RunRequest } from './report.js';
import { acquireTarget, buildSummary, openWithRetry, prepareRun } from './target.js';

export { RunError } from './report.js';
export type { DeviceBuildReport, LatencyKind, PrebuiltImage, RunLatency, RunPhase, RunProgress, RunReport, RunRequest } from './report.js';
export { buildDeviceBitstream, buildRunBitstream, requireRunBoard, takesBitstream, VIRTUAL_BASE_BOARD } from './target.js';

/**
 * Run a model on a board: get the target (build (cached) -> flash, or start the virtual board;
 * target.ts) -> check INFO against the model -> measure (power, latency probe, stream; measure.ts)
 * -> compare every answer with the reference (check.ts).
 */
export async function runOnBoard(req: RunRequest): Promise<RunReport> {
  const log = req.log ?? (() => undefined);
  const root = cacheRoot(req.cacheDir);
  const setup = await prepareRun(req, { lookForBoard: true });
  const { board, isVirtual, level, baud, clockHz, design } = setup;
  // --limit N takes N test vectors spread over the whole set (a split may be stored class by class).
  const data = evenSubset(req.data, req.limit ?? req.data.count);
  const count = data.count;
  if (count < 1) throw new UserError('--limit: nothing to run (0 vectors)');

  const target = await acquireTarget(setup, req, log);
  const { build, vboard } = target;
  const latency = await initialLatency(setup, build, req, root);

  const report: RunReport = {
    board: isVirtual ? `virtual (${board.name})` : board.name,
    virtual: isVirtual,
    level,
    port: target.port,
    baud,
    clockHz,
    modelId: design.modelId,
    complete: false,
    error: null,
    vectors: count,
    answered: 0,
    mismatches: 0,
    firstMismatches: [],
    accuracy: null,
    softwareAccuracy: null,
    latency: { ...latency, cycles: null, criticalPathNs: build?.figures.criticalPath?.totalNs ?? null, hostRoundTripMs: null, deviceRoundTripMs: null, pipelinedRoundTripMs: null },
    throughput: null,
    link: null,
    device: null,
    build: build ? buildSummary(build, req.image) : null,
    flash: target.flash,
    simulator: null,
    power: null,
    estimate: null,
  };

  let power: PowerSession | null = null;
  let link: Link | null = null;
  const answers = emptyAnswers(count, design.ports.classes);
  let phase: RunPhase = 'connect';
  let phaseStart = performance.now();
  let phaseAnswers = 0;
  const progress = (next?: RunPhase, lastIndex?: number): void => {
    if (next && next !== phase) {
      phase = next;
      phaseStart = performance.now();
      phaseAnswers = answers.received;
    }
    if (!req.onProgress) return;
    const seconds = (performance.now() - phaseStart) / 1000;
    req.onProgress({
      phase,
      answered: answers.received,
      vectors: count,
      phaseSeconds: seconds,
      answersPerSecond: seconds > 0 ? (answers.received - phaseAnswers) / seconds : null,
      latestRoundTripMs: lastIndex === undefined ? null : answers.roundTripMs[lastIndex]!,
      watts: power?.latestWatts() ?? null,
    });
  };
  // Views also want the power windows' seconds and watts, which no answer marks.
  const ticker = req.onProgress ? setInterval(() => progress(), 250) : null;
  try {
    const port = await openWithRetry(target.port, baud, isVirtual ? 2000 : 5000);
    // The virtual board runs slower than real time; a real one answers INFO in milliseconds.
    link = new Link(port, { initialTimeoutMs: isVirtual ? 5000 : 1000, maxPayload: Math.max(64, frameBytes(inferAnswerBytes(design.ports))) });
    report.link = link.stats;
    const before = await readInfo(link);
    report.device = { before, after: null };
    if (before.modelId !== design.modelId) {
      throw new UserError(
        `the board on ${target.port} runs model ${before.modelId}, not this model (${design.modelId}): refusing to run. The flash did not take, or another design is loaded; flash again.`,
      );
    }
    const p = design.ports;
    if (before.inputBits !== p.inputBits || before.classes !== p.classes || before.sumBits !== p.sumBits) {
      throw new UserError(`the board's core (${before.inputBits} inputs, ${before.classes} classes x ${before.sumBits} bits) does not match the model's: refusing to run`);
    }
    await measure({
      setup,
      target,
      link,
      before,
      data,
      request: req,
      root,
      report,
      answers,
      hooks: { phase: (next) => progress(next), answer: (index) => progress(undefined, index), powerOpened: (session) => (power = session) },
      log,
    });
    report.complete = true;
    progress('done');
  } catch (e) {
    if (isLinkFailure(e)) report.error = e.message;
    else {
      await vboard?.stop();
      throw e;
    }
  } finally {
    if (ticker) clearInterval(ticker);
    await link?.close().catch(() => undefined);
    if (vboard) {
      const summary = await vboard.stop();
      if (summary && target.simBuild) report.simulator = { ...summary, ...target.simBuild };
    }
  }

  checkAnswers(report, answers, req.net, data, design.ports.clocked);
  if (!report.complete) throw new RunError(`the run on ${report.board} stopped: ${report.error}`, report);
  return report;
}
